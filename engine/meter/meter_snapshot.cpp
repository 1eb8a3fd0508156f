#include "engine/meter/meter_snapshot.hpp"

#include <algorithm>
#include <limits>

namespace headroom {
namespace {
std::uint32_t add_saturating(std::uint32_t a, std::uint32_t b) noexcept {
    const std::uint32_t s = a + b;
    return s < a ? std::numeric_limits<std::uint32_t>::max() : s;
}
} // namespace

void ChannelReading::merge(const ChannelReading& b) noexcept {
    sample_peak = std::max(sample_peak, b.sample_peak);
    true_peak = std::max(true_peak, b.true_peak);
    if (b.rms >= 0.0f) rms = b.rms;
    rms_max = std::max(rms_max, b.rms_max);
    clip_events = add_saturating(clip_events, b.clip_events);
    clip_runs = add_saturating(clip_runs, b.clip_runs);
    clipped_samples = add_saturating(clipped_samples, b.clipped_samples);
    nonfinite = add_saturating(nonfinite, b.nonfinite);
    hot_samples = add_saturating(hot_samples, b.hot_samples);
}

void MeterSnapshot::merge_block(const ChannelReading* block, int n_channels, std::uint64_t frames_end) noexcept {
    const auto n = static_cast<std::uint32_t>(std::clamp(n_channels, 0, kMaxChannels));
    for (std::uint32_t c = channels; c < n; ++c) ch[c] = ChannelReading{};
    channels = n;
    for (std::uint32_t c = 0; c < n; ++c) ch[c].merge(block[c]);
    frames = frames_end;
    blocks += 1;
}

void MeterSnapshot::merge_programme(const BandReadings* bands, const BusReading* bus_readings,
                                    int n_buses) noexcept {
    bands_on = bands != nullptr;
    if (bands)
        for (std::uint32_t c = 0; c < channels; ++c)
            for (int b = 0; b < kBandCount; ++b) band[c][b].merge(bands[c][b]);
    const auto n = static_cast<std::uint32_t>(std::clamp(n_buses, 0, kMaxBuses));
    for (std::uint32_t i = buses; i < n; ++i) bus[i] = BusReading{};
    buses = n;
    for (std::uint32_t i = 0; i < n; ++i) bus[i].merge(bus_readings[i]);
}

void MeterSnapshot::clear() noexcept {
    blocks = 0;
    for (std::uint32_t c = 0; c < channels && c < ch.size(); ++c) ch[c] = ChannelReading{};
    if (bands_on)
        for (std::uint32_t c = 0; c < channels && c < band.size(); ++c) band[c] = BandReadings{};
    // A bus keeps its running gated values (integrated, LRA) across takes; its interval values go.
    for (std::uint32_t i = 0; i < buses && i < bus.size(); ++i) {
        BusReading kept{};
        kept.integrated_ms = bus[i].integrated_ms;
        kept.loudness_range_lu = bus[i].loudness_range_lu;
        kept.measured_from = bus[i].measured_from;
        kept.resets = bus[i].resets;
        bus[i] = kept;
    }
}

} // namespace headroom
