#include "engine/snapshot_exchange.hpp"

#include <algorithm>
#include <limits>
#include <thread>

namespace headroom {
namespace {
std::uint32_t add_sat(std::uint32_t a, std::uint32_t b) noexcept {
    const std::uint32_t s = a + b;
    return s < a ? std::numeric_limits<std::uint32_t>::max() : s;
}
} // namespace

void ChannelReading::merge(const ChannelReading& b) noexcept {
    sample_peak = std::max(sample_peak, b.sample_peak);
    true_peak = std::max(true_peak, b.true_peak);
    if (b.rms >= 0.0f) rms = b.rms;
    rms_max = std::max(rms_max, b.rms_max);
    clip_runs = add_sat(clip_runs, b.clip_runs);
    clipped_samples = add_sat(clipped_samples, b.clipped_samples);
    nonfinite = add_sat(nonfinite, b.nonfinite);
    hot_samples = add_sat(hot_samples, b.hot_samples);
}

void MeterSnapshot::clear() noexcept {
    blocks = 0;
    for (std::uint32_t c = 0; c < channels && c < ch.size(); ++c) ch[c] = ChannelReading{};
}

void SnapshotExchange::publish(const ChannelReading* block, int channels, std::uint64_t frames_end) noexcept {
    const std::uint32_t s = state_.fetch_or(kBusy, std::memory_order_acquire);
    MeterSnapshot& w = slot_[s & 1u];
    const auto n = static_cast<std::uint32_t>(std::clamp(channels, 0, kMaxChannels));
    if (w.channels < n) {
        for (std::uint32_t c = w.channels; c < n; ++c) w.ch[c] = ChannelReading{};
    }
    w.channels = n;
    for (std::uint32_t c = 0; c < n; ++c) w.ch[c].merge(block[c]);
    w.frames = frames_end;
    w.blocks += 1;
    state_.fetch_and(~kBusy, std::memory_order_release);
}

bool SnapshotExchange::take(MeterSnapshot& out) noexcept {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    for (int spins = 0;; ++spins) {
        if ((s & kBusy) == 0 &&
            state_.compare_exchange_weak(s, s ^ 1u, std::memory_order_acq_rel, std::memory_order_relaxed))
            break;
        if (spins > 64) std::this_thread::yield();
        s = state_.load(std::memory_order_relaxed);
    }
    // The writer has moved to the other slot; slot (s & 1) is ours until the next take.
    MeterSnapshot& r = slot_[s & 1u];
    out = r;
    const std::uint64_t frames = r.frames;
    r.clear();
    r.frames = frames;
    return out.blocks != 0;
}

} // namespace headroom
