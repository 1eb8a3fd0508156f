#include "engine/meter/programme.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace headroom {

std::vector<float> bs1770_weights(std::size_t n) {
    if (n == 6) return {1.0f, 1.0f, 1.0f, 0.0f, 1.41f, 1.41f};
    return std::vector<float>(n, 1.0f);
}

namespace {

bool parse_int(std::string_view s, int& out) {
    if (s.empty()) return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

} // namespace

std::string bus_name_problem(std::string_view name) {
    std::size_t chars = 0;
    for (const char ch : name) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f) return "must not contain control characters";
        if (ch == '=') return "must not contain '='";
        if ((u & 0xC0) != 0x80) ++chars;  // not a UTF-8 continuation byte
    }
    if (chars < 1 || chars > 32) return "must be 1 to 32 characters";
    return "";
}

BusParse parse_bus(std::string_view text, int channel_count) {
    BusParse p;
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) {
        p.error = "'" + std::string(text) + "' is not NAME=CHANNELS (e.g. mix=1-2)";
        return p;
    }
    const std::string_view name = text.substr(0, eq), list = text.substr(eq + 1);
    if (const std::string why = bus_name_problem(name); !why.empty()) {
        p.error = "the bus name " + why;
        return p;
    }
    p.bus.name = std::string(name);
    std::string_view rest = list;
    if (rest.empty()) {
        p.error = "bus '" + p.bus.name + "' names no channels";
        return p;
    }
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        int lo = 0, hi = 0;
        const auto dash = item.find('-');
        const bool ok = dash == std::string_view::npos
                            ? parse_int(item, lo) && (hi = lo, true)
                            : parse_int(item.substr(0, dash), lo) && parse_int(item.substr(dash + 1), hi);
        if (!ok || lo < 1 || hi < lo || hi > 4096 || (comma != std::string_view::npos && rest.empty())) {
            p.error = "bus '" + p.bus.name + "': '" + std::string(list) +
                      "' is not a channel list (1-based: 1-2, 3,4 or 1-6)";
            return p;
        }
        for (int c = lo; c <= hi; ++c) {
            if (channel_count > 0 && c > channel_count) {
                p.error = "bus '" + p.bus.name + "': channel " + std::to_string(c) + " is beyond the " +
                          std::to_string(channel_count) + " channels of the source";
                return p;
            }
            if (std::find(p.bus.channels.begin(), p.bus.channels.end(), c - 1) != p.bus.channels.end()) {
                p.error = "bus '" + p.bus.name + "': channel " + std::to_string(c) + " is given twice";
                return p;
            }
            p.bus.channels.push_back(c - 1);
        }
    }
    return p;
}

double lufs_from_mean_square(double ms) noexcept { return -0.691 + 10.0 * std::log10(ms); }

void BandReading::merge(const BandReading& b) noexcept {
    peak = std::max(peak, b.peak);
    if (b.rms >= 0.0f) rms = b.rms;
    rms_max = std::max(rms_max, b.rms_max);
}

void BusReading::merge(const BusReading& b) noexcept {
    sample_peak = std::max(sample_peak, b.sample_peak);
    true_peak = std::max(true_peak, b.true_peak);
    if (b.momentary_ms >= 0.0f) momentary_ms = b.momentary_ms;
    if (b.short_term_ms >= 0.0f) short_term_ms = b.short_term_ms;
    momentary_max_ms = std::max(momentary_max_ms, b.momentary_max_ms);
    short_term_max_ms = std::max(short_term_max_ms, b.short_term_max_ms);
    // The gated measurements are running values: the newest stands.
    integrated_ms = b.integrated_ms;
    loudness_range_lu = b.loudness_range_lu;
    measured_from = b.measured_from;
    resets = b.resets;
    for (int i = 0; i < kBandCount; ++i) bands[i].merge(b.bands[i]);
}

} // namespace headroom
