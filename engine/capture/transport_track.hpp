#pragma once
// TransportTrack: where the stream stood on a DAW's transport (JACK transport), so the session
// log can place each event on the DAW's timeline as well as on the stream's.
//
// The audio thread (the JACK process callback) notes, per block, the stream frame index of
// the block's first frame and the transport's state there (rolling, transport frame). Only a
// break in the straight line (the transport started, stopped or was relocated) travels, as a
// segment, through a wait-free SPSC queue; between breaks the transport moves in step with the
// stream. The reader (the recorder's writer thread) keeps the segments and maps any stream
// frame it has seen to the transport frame at that moment, or nothing when the transport was
// not rolling then.
//
// Ownership: the producer (one audio thread at a time) owns note() and the last segment it
// sent; the consumer owns update(), frame_at() and the history.
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "engine/handover/spsc_queue.hpp"

namespace headroom {

struct TransportSegment {
    std::uint64_t stream_frame = 0;     // the first stream frame of the segment
    std::uint64_t transport_frame = 0;  // the transport frame there (while rolling)
    bool rolling = false;
};
static_assert(std::is_trivially_copyable_v<TransportSegment>);

class TransportTrack {
public:
    // normal thread; allocates the queue and the history.
    TransportTrack() : queue_(kCapacity) { history_.reserve(kCapacity); }

    // audio thread; wait-free, no allocation. The block starting at `stream_frame` starts at
    // `transport_frame` on a transport that is `rolling` (or not). Sends a segment when this
    // is not where the previous one leads; a full queue drops nothing: the next block retries.
    void note(std::uint64_t stream_frame, bool rolling, std::uint64_t transport_frame) noexcept {
        if (sent_any_ && rolling == last_.rolling &&
            (!rolling || transport_frame == last_.transport_frame + (stream_frame - last_.stream_frame)))
            return;
        const TransportSegment s{stream_frame, transport_frame, rolling};
        if (queue_.try_push(s)) {
            last_ = s;
            sent_any_ = true;
        }
    }

    // consumer thread; allocates. Takes the segments sent so far. Call it after taking the
    // events to be mapped (the producer sends a block's segment before metering the block).
    void update() {
        TransportSegment s;
        while (queue_.try_pop(s)) history_.push_back(s);
    }

    // consumer thread. The transport frame at `stream_frame`, or nothing when the transport
    // was not rolling there (or nothing is known about it).
    std::optional<std::uint64_t> frame_at(std::uint64_t stream_frame) const {
        for (auto it = history_.rbegin(); it != history_.rend(); ++it) {
            if (it->stream_frame > stream_frame) continue;
            if (!it->rolling) return std::nullopt;
            return it->transport_frame + (stream_frame - it->stream_frame);
        }
        return std::nullopt;
    }

private:
    static constexpr std::size_t kCapacity = 256;
    SpscQueue<TransportSegment> queue_;
    // The producer's.
    TransportSegment last_{};
    bool sent_any_ = false;
    // The consumer's.
    std::vector<TransportSegment> history_;
};

} // namespace headroom
