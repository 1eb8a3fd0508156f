#pragma once
// What the meter publishes to the window: per channel, the readings since the reader's last
// take (DESIGN.md §1, "max since last read"), handed over through a SnapshotExchange.
#include <array>
#include <cstdint>
#include <type_traits>

#include "engine/handover/snapshot_exchange.hpp"
#include "engine/meter/meter_options.hpp"

namespace headroom {

// One channel's readings over an interval. Linear values (1.0 = 0 dBFS); RMS is plain.
struct ChannelReading {
    float sample_peak = 0.0f;    // max |x|
    float true_peak = 0.0f;      // max interpolated |y| (never below sample_peak)
    float rms = -1.0f;           // sliding-window RMS at the end of the interval; < 0: no new value
    float rms_max = 0.0f;        // max sliding-window RMS in the interval
    std::uint32_t clip_events = 0;      // clip events begun (the logged events: runs merged by merge_ms)
    std::uint32_t clip_runs = 0;        // clip runs that reached the minimum length (a detail of the events)
    std::uint32_t clipped_samples = 0;  // full-scale samples inside those runs
    std::uint32_t nonfinite = 0;        // NaN/Inf samples (excluded from the levels)
    std::uint32_t hot_samples = 0;      // samples above the preset ceiling, below full scale

    // Fold `b` (a later interval) into this one. Wait-free, no allocation.
    void merge(const ChannelReading& b) noexcept;
};
static_assert(std::is_trivially_copyable_v<ChannelReading>);

struct MeterSnapshot {
    std::uint64_t frames = 0;       // stream position (frames) at the end of the newest merged block
    std::uint32_t blocks = 0;       // blocks merged since the previous take (0: nothing new)
    std::uint32_t channels = 0;
    std::array<ChannelReading, kMaxChannels> ch{};
    // DESIGN.md §6, when the bank meters them: each channel's bands (bands_on) and each bus.
    bool bands_on = false;
    std::uint32_t buses = 0;
    std::array<BandReadings, kMaxChannels> band{};
    std::array<BusReading, kMaxBuses> bus{};

    // audio thread; wait-free, no allocation. Folds one block's readings in.
    void merge_block(const ChannelReading* block, int channels, std::uint64_t frames_end) noexcept;
    // audio thread, after merge_block; wait-free. Folds one block's bands (null: bands off) and
    // bus readings in.
    void merge_programme(const BandReadings* bands, const BusReading* bus_readings, int n_buses) noexcept;
    // reader side: back to "nothing since the last take"; keeps `frames`.
    void clear() noexcept;
    bool empty() const noexcept { return blocks == 0; }
};
static_assert(std::is_trivially_copyable_v<MeterSnapshot>);

// The window is the one reader; the capture's audio callback the one writer.
using MeterExchange = SnapshotExchange<MeterSnapshot>;

} // namespace headroom
