#include "app/meter_cli.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "engine/base/errors.hpp"

namespace headroom {
namespace {

std::optional<double> parse_number(const std::string& s) {
    // Decimal only: strtod would also take hex ("0x10"), "inf" and "nan".
    if (s.empty() || s.find_first_not_of("0123456789.eE+-") != std::string::npos) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

// A number within [lo, hi]; `integer` demands a whole number. Empty text: the default.
double checked(const std::string& text, const char* option, double lo, double hi,
               const char* unit, bool integer, double fallback) {
    if (text.empty()) return fallback;
    const auto v = parse_number(text);
    auto range = [&] {
        std::ostringstream r;
        r << lo << ".." << hi;
        if (*unit) r << ' ' << unit;
        return r.str();
    };
    if (!v || (integer && std::floor(*v) != *v))
        throw UsageError(std::string(option) + ": '" + text + "' is not " +
                         (integer ? "a whole number" : "a number") + " (valid: " + range() + ")");
    if (*v < lo || *v > hi)
        throw UsageError(std::string(option) + ": " + text + " is outside " + range());
    return *v;
}

struct PresetSpec {
    int channel = 0;  // 1-based
    std::string id;
};

PresetSpec parse_preset_spec(const std::string& spec, const PresetTable& table) {
    const auto eq = spec.find('=');
    const std::string where = "--preset " + spec;
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw UsageError(where + ": expected CH=ID, e.g. --preset 1=vocals");
    const std::string ch = spec.substr(0, eq);
    const auto n = parse_number(ch);
    if (!n || std::floor(*n) != *n || ch.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError(where + ": channel '" + ch + "' is not a channel number (1-based)");
    if (*n < 1 || *n > kMaxChannels)
        throw UsageError(where + ": channel " + ch + " is outside 1.." + std::to_string(kMaxChannels));
    PresetSpec p{static_cast<int>(*n), spec.substr(eq + 1)};
    if (!table.find(p.id))
        throw UsageError(where + ": unknown preset '" + p.id + "' (valid: " + table.ids_joined() + ")");
    return p;
}

} // namespace

std::vector<BusSpec> parse_buses(const std::vector<std::string>& specs, int channels) {
    std::vector<BusSpec> buses;
    for (const auto& spec : specs) {
        BusParse p = parse_bus(spec, channels);
        if (!p.error.empty()) throw UsageError("--bus " + spec + ": " + p.error);
        for (const BusSpec& b : buses)
            if (b.name == p.bus.name) throw UsageError("--bus " + spec + ": a bus named '" + b.name + "' is given twice");
        buses.push_back(std::move(p.bus));
    }
    if (buses.size() > static_cast<std::size_t>(kMaxBuses))
        throw UsageError("--bus: " + std::to_string(buses.size()) + " buses, at most " + std::to_string(kMaxBuses));
    return buses;
}

void MeterCli::validate(const PresetTable& table) const {
    (void)checked(clip_threshold, "--clip-threshold", -20.0, 0.0, "dBFS", false, 0.0);
    (void)checked(clip_min_run, "--clip-min-run", 1.0, 16.0, "", true, 1.0);
    (void)checked(merge_ms, "--merge-ms", 0.0, 60000.0, "ms", false, 0.0);
    (void)checked(rms_window, "--rms-window", 50.0, 3000.0, "ms", false, 300.0);
    if (!rms.empty() && rms != "plain" && rms != "aes17")
        throw UsageError("--rms: '" + rms + "' is not one of plain, aes17");
    if (!true_peak.empty() && true_peak != "on" && true_peak != "off")
        throw UsageError("--true-peak: '" + true_peak + "' is not one of on, off");
    for (const auto& s : preset_specs) (void)parse_preset_spec(s, table);
    (void)parse_buses(bus_specs, 0);
}

MeterSetup MeterCli::resolve(double sample_rate, int channels, std::size_t max_block,
                             const PresetTable& table,
                             const std::vector<std::string>& defaults,
                             const std::vector<BusSpec>& default_buses) const {
    validate(table);
    MeterSetup m;
    MeterOptions& o = m.options;
    o.sample_rate = sample_rate;
    o.channels = channels;
    o.max_block = max_block;
    o.clip_threshold_dbfs = static_cast<float>(
        checked(clip_threshold, "--clip-threshold", -20.0, 0.0, "dBFS", false, o.clip_threshold_dbfs));
    o.clip_min_run = static_cast<int>(
        checked(clip_min_run, "--clip-min-run", 1.0, 16.0, "", true, o.clip_min_run));
    o.merge_ms = checked(merge_ms, "--merge-ms", 0.0, 60000.0, "ms", false, o.merge_ms);
    o.rms_window_ms = checked(rms_window, "--rms-window", 50.0, 3000.0, "ms", false, o.rms_window_ms);
    m.rms_aes17 = rms == "aes17";
    o.true_peak = true_peak != "off";
    o.bands = bands;
    if (!bus_specs.empty()) {
        o.buses = parse_buses(bus_specs, channels);
    } else {
        o.buses = default_buses;  // config_buses kept only those that fit (validated below)
    }
    for (const BusSpec& b : o.buses) {
        const Preset* p = table.find(b.preset);
        if (!p) p = table.find("mix_bus");
        m.bus_presets.push_back(p ? *p : table.general());
    }
    if (auto bad = validate_meter_options(o)) throw InputError(*bad);

    std::map<int, std::string> chosen;  // the last --preset for a channel wins
    for (const auto& s : preset_specs) {
        PresetSpec p = parse_preset_spec(s, table);
        if (p.channel > channels)
            throw UsageError("--preset " + s + ": channel " + std::to_string(p.channel) +
                             " is out of range (the source has " + std::to_string(channels) +
                             (channels == 1 ? " channel)" : " channels)"));
        chosen[p.channel] = std::move(p.id);
    }
    m.presets.reserve(static_cast<std::size_t>(channels));
    o.hot_ceiling_dbfs.reserve(static_cast<std::size_t>(channels));
    for (int c = 0; c < channels; ++c) {
        const Preset* p = nullptr;
        if (const auto it = chosen.find(c + 1); it != chosen.end()) p = table.find(it->second);
        else if (static_cast<std::size_t>(c) < defaults.size()) p = table.find(defaults[c]);
        if (!p) p = &table.general();
        m.presets.push_back(*p);
        o.hot_ceiling_dbfs.push_back(static_cast<float>(p->hi_dbfs));
    }
    return m;
}

} // namespace headroom
