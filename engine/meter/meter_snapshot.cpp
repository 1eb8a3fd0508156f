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
    clip_runs = add_saturating(clip_runs, b.clip_runs);
    clip_events = add_saturating(clip_events, b.clip_events);
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

void MeterSnapshot::clear() noexcept {
    blocks = 0;
    for (std::uint32_t c = 0; c < channels && c < ch.size(); ++c) ch[c] = ChannelReading{};
}

} // namespace headroom
