#pragma once
// MeterBank: every channel's meters over an interleaved float32 stream (DESIGN.md §2).
//
// Per channel: sample peak, true peak (BS.1770-4 Annex 2, see true_peak.hpp), sliding-window
// RMS (hop <= 10 ms, window settable), full-scale runs merged into clip events, hot events,
// non-finite samples counted and kept out of every level, and the 10 Hz envelope.
// Results do not depend on how the stream is cut into blocks: a file processed in blocks of
// 1, 37 or 4096 frames gives identical readings and events.
//
// Threads: one thread calls process() (the audio thread live, the caller offline). The
// constructor and finish() run on a normal thread. Events leave through the SpscQueue given
// at construction (this bank is its only producer); a full queue drops and counts.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/meter_event.hpp"
#include "engine/meter_options.hpp"
#include "engine/snapshot_exchange.hpp"
#include "engine/spsc_queue.hpp"

namespace headroom {

using EventQueue = SpscQueue<MeterEvent>;

class MeterBank {
public:
    // normal thread; allocates every buffer the bank will ever use. `o` must be valid
    // (validate_meter_options); `events` may be null (then no events are produced).
    MeterBank(const MeterOptions& o, EventQueue* events);
    ~MeterBank();
    MeterBank(const MeterBank&) = delete;
    MeterBank& operator=(const MeterBank&) = delete;

    // audio thread; wait-free: no allocation, lock, log or system call.
    // `interleaved` holds frames * channels samples; frames <= options().max_block.
    void process(const float* interleaved, std::size_t frames) noexcept;

    // audio thread (or after process); the readings of the last process() call, one per channel.
    const ChannelReading* block_readings() const noexcept;

    // processing thread, at the end of a stream: closes open clip/hot/non-finite events and
    // emits the partial envelope tick. Further process() calls continue the same stream.
    void finish() noexcept;

    // processing thread; frames processed since construction.
    std::uint64_t frames_processed() const noexcept;
    // any thread after construction.
    const MeterOptions& options() const noexcept;
    // Name of the kernel in use ("scalar", or Highway's target name such as "AVX2").
    const char* kernel_name() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace headroom
