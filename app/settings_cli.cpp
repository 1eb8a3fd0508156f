#include "app/settings_cli.hpp"

#include <cstdio>
#include <optional>

#include "engine/base/errors.hpp"

namespace headroom {
namespace {

void report(CommandSettings& s, const std::string& line) {
    std::fprintf(stderr, "headroom: %s\n", line.c_str());
    s.problems.push_back(line);
}

// What is wrong with `value` for the meter option `option` (MeterCli's own check, so the
// ranges are those of the command line), without the option's name; nullopt: fine.
std::optional<std::string> meter_value_problem(std::string MeterCli::*field, const std::string& option,
                                               const std::string& value, const PresetTable& table) {
    MeterCli one;
    one.*field = value;
    try {
        one.validate(table);
    } catch (const UsageError& e) {
        std::string m = e.what();
        if (m.rfind(option + ": ", 0) == 0) m.erase(0, option.size() + 2);
        return m;
    }
    return std::nullopt;
}

} // namespace

CommandSettings read_settings(const std::string& config_option, const MeterCli& cli) {
    CommandSettings s;
    s.config_path = config_option.empty() ? default_config_path() : std::filesystem::path(config_option);
    s.cfg = load_config(s.config_path);
    if (s.cfg.error) report(s, *s.cfg.error + " (defaults in use; the file is left as it is)");
    for (const auto& problem : s.cfg.problems) report(s, problem);
    s.table = PresetTable::load_builtin();
    for (const auto& p : s.cfg.config.user_presets) s.table.add_or_replace(p);
    cli.validate(s.table);  // the command line's own mistakes are usage errors (exit 2)
    s.meter_cli = cli;

    struct Field {
        const char* key;     // in config.json's "meter"
        const char* option;  // on the command line
        std::string MeterCli::*cli;
        std::string MeterSettings::*cfg;
    };
    static const Field fields[] = {
        {"clip_threshold", "--clip-threshold", &MeterCli::clip_threshold, &MeterSettings::clip_threshold},
        {"clip_min_run", "--clip-min-run", &MeterCli::clip_min_run, &MeterSettings::clip_min_run},
        {"merge_ms", "--merge-ms", &MeterCli::merge_ms, &MeterSettings::merge_ms},
        {"rms_window", "--rms-window", &MeterCli::rms_window, &MeterSettings::rms_window},
        {"rms", "--rms", &MeterCli::rms, &MeterSettings::rms},
        {"true_peak", "--true-peak", &MeterCli::true_peak, &MeterSettings::true_peak},
    };
    const MeterSettings& m = s.cfg.config.meter;
    for (const Field& f : fields) {
        const std::string& value = m.*(f.cfg);
        if (value.empty() || !(s.meter_cli.*(f.cli)).empty()) continue;  // not set, or the command line wins
        if (auto bad = meter_value_problem(f.cli, f.option, value, s.table)) {
            report(s, s.config_path.string() + ": meter." + f.key + ": " + *bad + "; the default is used");
            continue;
        }
        s.meter_cli.*(f.cli) = value;
    }
    return s;
}

ChannelDefaults channel_settings(const SourceInfo& info, CommandSettings& settings) {
    ChannelDefaults d;
    d.key = device_key(info.kind, info.device);
    if (const auto it = settings.cfg.config.devices.find(d.key); it != settings.cfg.config.devices.end())
        d.stored = it->second;
    d.info = info;
    d.presets.resize(static_cast<std::size_t>(info.channels));
    for (int c = 0; c < info.channels; ++c) {
        const auto i = static_cast<std::size_t>(c);
        if (d.info.channel_names.size() <= i) d.info.channel_names.resize(i + 1);
        if (i < d.stored.size() && !d.stored[i].name.empty()) d.info.channel_names[i] = d.stored[i].name;
        if (d.info.channel_names[i].empty()) d.info.channel_names[i] = "In " + std::to_string(c + 1);
        if (i < d.stored.size() && !d.stored[i].preset.empty()) {
            if (settings.table.find(d.stored[i].preset)) {
                d.presets[i] = d.stored[i].preset;
                continue;
            }
            report(settings, settings.config_path.string() + ": devices.\"" + d.key + "\" channel " +
                                 std::to_string(c + 1) + ": unknown preset '" + d.stored[i].preset +
                                 "' (valid: " + settings.table.ids_joined() + "); the default is used");
        }
        if (i < info.suggested_presets.size()) d.presets[i] = info.suggested_presets[i];
    }
    return d;
}

std::vector<BusSpec> config_buses(const CommandSettings& settings, const SourceInfo& info) {
    std::vector<BusSpec> out;
    const std::string key = device_key(info.kind, info.device);
    const auto it = settings.cfg.config.buses.find(key);
    if (it == settings.cfg.config.buses.end()) return out;
    if (it->second.size() > static_cast<std::size_t>(kMaxBuses))
        std::fprintf(stderr, "headroom: %s: devices.\"%s\": %zu buses; the first %d are used\n",
                     settings.config_path.string().c_str(), key.c_str(), it->second.size(), kMaxBuses);
    for (std::size_t i = 0; i < it->second.size() && out.size() < static_cast<std::size_t>(kMaxBuses); ++i) {
        const BusSetting& b = it->second[i];
        const std::string where = settings.config_path.string() + ": devices.\"" + key + "\" bus " + std::to_string(i + 1) + ": ";
        BusSpec spec;
        spec.name = b.name;
        bool fits = true;
        for (int c : b.channels) {
            if (c > info.channels) fits = false;
            spec.channels.push_back(c - 1);
        }
        if (!fits) {
            std::fprintf(stderr, "headroom: %s%s has a channel beyond the source's %d; the bus is not used\n", where.c_str(),
                         b.name.c_str(), info.channels);
            continue;
        }
        if (!b.preset.empty() && !settings.table.find(b.preset))
            std::fprintf(stderr, "headroom: %sunknown preset '%s'; mix_bus is used\n", where.c_str(), b.preset.c_str());
        else if (!b.preset.empty())
            spec.preset = b.preset;
        out.push_back(std::move(spec));
    }
    return out;
}

MeterSetup resolve_meters(const CommandSettings& settings, const SourceInfo& info, std::size_t max_block,
                          const std::vector<std::string>& default_presets) {
    try {
        // The device's buses from config.json when the command line gives none (it wins, and
        // then the config's buses are not looked at, nor complained about).
        const bool from_config = settings.meter_cli.bus_specs.empty();
        return settings.meter_cli.resolve(info.sample_rate, info.channels, max_block, settings.table, default_presets,
                                          from_config ? config_buses(settings, info) : std::vector<BusSpec>{});
    } catch (const InputError& e) {
        const std::string source = info.kind == "file" ? info.device
                                   : info.kind == "demo" ? std::string("the demo studio")
                                                         : "device '" + info.device + "'";
        throw InputError(source + ": " + e.what());
    }
}

} // namespace headroom
