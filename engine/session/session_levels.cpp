#include "engine/session/session_levels.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace headroom {

std::uint64_t level_tick_frames(double sample_rate) {
    return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(sample_rate / 10.0)));
}

LevelAggregator::LevelAggregator(int channels, std::uint64_t tick_frames)
    : channels_(channels), tick_frames_(std::max<std::uint64_t>(1, tick_frames)) {}

void LevelAggregator::add(const MeterEvent& e) { add(e.channel, e.start_sample, e.sample_peak, e.rms_window_max); }

void LevelAggregator::add(std::size_t ch, std::uint64_t start_sample, float first, float second) {
    const std::uint64_t k = start_sample / tick_frames_;
    if (k < first_tick_ || ch >= static_cast<std::size_t>(channels_)) return;  // already written (a tick's late rest)
    if (k - first_tick_ > 100000) return;                   // nonsense; never allocate for it
    while (ticks_.size() <= k - first_tick_) ticks_.emplace_back(static_cast<std::size_t>(channels_));
    Tick& t = ticks_[k - first_tick_];
    t.values[ch * 2] = std::max(t.values[ch * 2], first);
    t.values[ch * 2 + 1] = std::max(t.values[ch * 2 + 1], second);
    if (!t.seen[ch]) {
        t.seen[ch] = 1;
        ++t.filled;
    }
}

std::size_t LevelAggregator::emit(bool all, std::vector<std::string>& out) {
    std::size_t n = 0;
    while (!ticks_.empty() && (all || ticks_.front().filled >= channels_ || ticks_.size() > kMaxTicksAhead)) {
        out.push_back(encode_level_record(ticks_.front().values));
        ticks_.pop_front();
        ++first_tick_;
        ++n;
    }
    return n;
}

std::string encode_level_record(const std::vector<float>& values) {
    std::string record;
    record.reserve(values.size() * 4);
    for (float v : values) {
        std::uint32_t u = std::bit_cast<std::uint32_t>(v);
        if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap32(u);
        char b[4];
        std::memcpy(b, &u, 4);
        record.append(b, 4);
    }
    return record;
}

LevelEnvelope decode_levels(std::string_view bytes, int channels) {
    LevelEnvelope env;
    if (channels <= 0) return env;
    const auto n = static_cast<std::size_t>(channels);
    const std::size_t per = n * 2;
    const std::size_t records = bytes.size() / (per * 4);  // a torn last record is ignored
    env.peak.assign(n, std::vector<float>(records));
    env.rms.assign(n, std::vector<float>(records));
    for (std::size_t k = 0; k < records; ++k) {
        for (std::size_t c = 0; c < n; ++c) {
            for (std::size_t w = 0; w < 2; ++w) {
                std::uint32_t u = 0;
                std::memcpy(&u, bytes.data() + (k * per + c * 2 + w) * 4, 4);
                if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap32(u);
                (w == 0 ? env.peak : env.rms)[c][k] = std::bit_cast<float>(u);
            }
        }
    }
    return env;
}

} // namespace headroom
