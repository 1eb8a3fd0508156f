#include "engine/meter/meter_options.hpp"

#include <cstdio>

namespace headroom {

namespace {

// A rate as a user writes it: 8000, 22050.5 (not std::to_string's 8000.000000).
std::string rate_text(double hz) {
    char b[32];
    std::snprintf(b, sizeof b, "%.15g", hz);
    return b;
}

} // namespace

std::optional<std::string> validate_meter_options(const MeterOptions& o) {
    if (!(o.sample_rate >= 44100.0 && o.sample_rate <= 192000.0))
        return "sample rate " + rate_text(o.sample_rate) + " Hz is outside 44100..192000";
    if (o.channels < 1 || o.channels > kMaxChannels)
        return "channel count " + std::to_string(o.channels) + " is outside 1..256";
    if (o.max_block < 1 || o.max_block > kMaxBlock)
        return "block size " + std::to_string(o.max_block) + " is outside 1..8192";
    if (!(o.clip_threshold_dbfs <= 0.0f && o.clip_threshold_dbfs >= -20.0f))
        return "clip threshold must be between -20 and 0 dBFS";
    if (o.clip_min_run < 1 || o.clip_min_run > 16)
        return "clip minimum run " + std::to_string(o.clip_min_run) + " is outside 1..16";
    if (!(o.merge_ms >= 0.0 && o.merge_ms <= 60000.0))
        return "merge gap must be between 0 and 60000 ms";
    if (!(o.hot_merge_ms >= 0.0 && o.hot_merge_ms <= 60000.0))
        return "hot merge gap must be between 0 and 60000 ms";
    if (!(o.rms_window_ms >= 50.0 && o.rms_window_ms <= 3000.0))
        return "RMS window must be between 50 and 3000 ms";
    if (o.buses.size() > static_cast<std::size_t>(kMaxBuses))
        return "at most " + std::to_string(kMaxBuses) + " buses";
    for (const BusSpec& b : o.buses) {
        if (b.channels.empty()) return "bus '" + b.name + "' has no channels";
        for (int c : b.channels)
            if (c < 0 || c >= o.channels)
                return "bus '" + b.name + "': channel " + std::to_string(c + 1) + " is beyond the " +
                       std::to_string(o.channels) + " channels of the source";
    }
    return std::nullopt;
}

} // namespace headroom
