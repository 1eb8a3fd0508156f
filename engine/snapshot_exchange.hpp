#pragma once
// Meter readings from the audio thread to one reader (the window), with
// max-since-last-read semantics: a peak written at any time appears in exactly one take().
//
// Two slots and one atomic control word (the shape of farbot's RealtimeObject).
// Ownership: the writer (audio thread) owns slot[state & 1]; the reader owns the other.
// The writer marks itself BUSY while it merges a block into its slot; the reader swaps the
// slots only while the writer is not BUSY, then reads and clears the slot it now owns.
// The writer never waits (wait-free: one fetch_or, the merge, one fetch_and); the reader
// may retry for the few microseconds a merge takes.
#include <array>
#include <atomic>
#include <cstdint>
#include <type_traits>

#include "engine/meter_options.hpp"

namespace headroom {

// One channel's readings over an interval. Linear values (1.0 = 0 dBFS); RMS is plain.
struct ChannelReading {
    float sample_peak = 0.0f;    // max |x|
    float true_peak = 0.0f;      // max interpolated |y| (never below sample_peak)
    float rms = -1.0f;           // sliding-window RMS at the end of the interval; < 0: no new value
    float rms_max = 0.0f;        // max sliding-window RMS in the interval
    std::uint32_t clip_runs = 0;        // clip runs that reached the minimum length
    std::uint32_t clipped_samples = 0;  // full-scale samples inside those runs
    std::uint32_t nonfinite = 0;        // NaN/Inf samples (excluded from the levels)
    std::uint32_t hot_samples = 0;      // samples above the preset ceiling, below full scale

    // Fold `b` (a later interval) into this one.
    void merge(const ChannelReading& b) noexcept;
};
static_assert(std::is_trivially_copyable_v<ChannelReading>);

struct MeterSnapshot {
    std::uint64_t frames = 0;       // stream position (frames) at the end of the newest merged block
    std::uint32_t blocks = 0;       // blocks merged since the previous take (0: nothing new)
    std::uint32_t channels = 0;
    std::array<ChannelReading, kMaxChannels> ch{};

    void clear() noexcept;  // back to "nothing since the last take"
};
static_assert(std::is_trivially_copyable_v<MeterSnapshot>);

class SnapshotExchange {
public:
    // audio thread; wait-free, no allocation. Merges one block's readings into the writer slot.
    void publish(const ChannelReading* block, int channels, std::uint64_t frames_end) noexcept;

    // reader thread (one reader); lock-free, may retry briefly while a merge is under way.
    // Copies everything merged since the previous take into `out` and clears it.
    // Returns false when nothing was published since the previous take (out.blocks == 0;
    // out.frames is then not meaningful).
    bool take(MeterSnapshot& out) noexcept;

private:
    static constexpr std::uint32_t kBusy = 2u;
    std::atomic<std::uint32_t> state_{0};  // bit 0: writer's slot; bit 1: writer busy
    std::array<MeterSnapshot, 2> slot_{};
    static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
};

} // namespace headroom
