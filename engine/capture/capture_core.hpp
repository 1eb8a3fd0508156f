#pragma once
// CaptureCore: THE callback path every live source runs (DESIGN.md §1). A PortAudio callback,
// the file source's pacing thread and the demo studio's pacing thread all hand their
// interleaved float32 blocks to step(), which
//   1. sets FTZ/DAZ on the calling thread if they are not set yet (first block on a thread),
//   2. meters the block (MeterBank::process; events go straight into the EventQueue),
//   3. merges the block's readings into the MeterExchange (max since the window's last read),
//   4. measures its own cost as a share of the block's duration, and counts blocks and frames.
// Nothing in step() allocates, locks, logs or makes a system call. The two clock reads are
// clock_gettime(CLOCK_MONOTONIC), which Linux serves from the vDSO without entering the kernel.
//
// Ownership: one producer thread at a time calls step()/finish()/count_xrun() (the audio
// thread; a new audio thread after a device re-open is fine as long as the old one is gone).
// Any normal thread reads the counters; one poller calls take_load().
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "engine/capture/transport_track.hpp"
#include "engine/meter/meter_bank.hpp"
#include "engine/meter/meter_options.hpp"
#include "engine/meter/meter_snapshot.hpp"

namespace headroom {

// Callback cost since the poller's previous take_load(), as a share of the buffer period.
struct CallbackLoad {
    float mean = 0.0f;
    float max = 0.0f;
    std::uint64_t blocks = 0;   // blocks measured in the interval
};

class CaptureCore {
public:
    // normal thread; allocates the MeterBank (options must be valid). `events` and
    // `snapshots` must outlive the core.
    CaptureCore(const MeterOptions& o, EventQueue& events, MeterExchange& snapshots);
    ~CaptureCore();
    CaptureCore(const CaptureCore&) = delete;
    CaptureCore& operator=(const CaptureCore&) = delete;

    // audio thread; wait-free, no allocation, lock, log or system call (vDSO clock reads).
    // Meters `frames` interleaved frames of options().channels floats and publishes the
    // readings. Blocks longer than options().max_block are metered in pieces (the bank's
    // results do not depend on how the stream is cut).
    void step(const float* interleaved, std::size_t frames) noexcept;

    // audio thread, at the end of a stream (file source); wait-free. Flushes the bank's
    // last frames and open events, publishes the tail readings.
    void finish() noexcept;

    // audio thread or the host's notification thread; wait-free (one atomic add).
    // The host reported an overflow/underflow.
    void count_xrun() noexcept;

    // any thread; wait-free.
    std::uint64_t callbacks() const noexcept { return callbacks_.load(std::memory_order_relaxed); }
    std::uint64_t frames() const noexcept { return frames_.load(std::memory_order_relaxed); }
    std::uint64_t xruns() const noexcept { return xruns_.load(std::memory_order_relaxed); }
    // any thread; CLOCK_MONOTONIC nanoseconds at the end of the newest step() (0: none yet).
    std::int64_t last_step_ns() const noexcept { return last_step_ns_.load(std::memory_order_relaxed); }

    // normal thread (one poller); wait-free. Mean and max load since the previous call.
    CallbackLoad take_load() noexcept;

    // normal thread, before the source starts: where a source with a transport (JACK) notes it.
    void set_transport(TransportTrack* t) noexcept { transport_ = t; }
    // audio thread; null when nobody reads the transport.
    TransportTrack* transport() const noexcept { return transport_; }

    const MeterOptions& options() const noexcept { return bank_.options(); }  // any thread
    const MeterBank& bank() const noexcept { return bank_; }                   // any thread
    // any thread; wait-free: MeterBank::request_loudness_reset.
    void request_loudness_reset(int bus) noexcept { bank_.request_loudness_reset(bus); }

private:
    void meter(const float* interleaved, std::size_t frames) noexcept;

    MeterBank bank_;
    MeterExchange& snapshots_;
    std::size_t channels_;
    std::size_t max_block_;
    double ns_per_frame_;          // 1e9 / rate
    TransportTrack* transport_ = nullptr;  // set before the source starts

    // Written by the producer only (relaxed stores), read by anyone.
    std::atomic<std::uint64_t> callbacks_{0};
    std::atomic<std::uint64_t> frames_{0};
    std::atomic<std::uint64_t> xruns_{0};
    std::atomic<std::int64_t> last_step_ns_{0};
    // Load, in parts per million of the block's period. Totals grow monotonically (the
    // poller keeps its previous values); max is reset by the poller (exchange) and raised by
    // the producer (compare-exchange).
    std::atomic<std::uint64_t> load_sum_ppm_{0};
    std::atomic<std::uint64_t> load_blocks_{0};
    std::atomic<std::uint32_t> load_max_ppm_{0};
    std::uint64_t poll_sum_ = 0, poll_blocks_ = 0;  // poller's previous totals

    static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
    static_assert(std::atomic<std::int64_t>::is_always_lock_free);
};

// audio thread; wait-free. Sets flush-to-zero and denormals-are-zero on the calling thread
// unless they are set already (x86 MXCSR, AArch64 FPCR; a no-op elsewhere). Returns true
// when it changed the mode.
bool ensure_denormals_flushed() noexcept;

// any thread; CLOCK_MONOTONIC in nanoseconds (vDSO on Linux: no kernel entry).
std::int64_t monotonic_ns() noexcept;

} // namespace headroom
