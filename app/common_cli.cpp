#include "app/common_cli.hpp"

#include <sstream>

#include "engine/base/errors.hpp"

namespace headroom {
namespace {

constexpr unsigned kSourceCommands = kWindowCommand | kRecordCommand;
constexpr unsigned kMeterCommands = kWindowCommand | kRecordCommand | kAnalyzeCommand;
constexpr unsigned kAllCommands = kWindowCommand | kRecordCommand | kAnalyzeCommand | kDevicesCommand | kLogCommand;

using TextRef = std::string& (*)(CommonOptions&);
using FlagRef = bool& (*)(CommonOptions&);

struct TextSpec {
    const char* name;
    const char* type;
    const char* help;
    const char* group;
    unsigned applies;
    TextRef ref;  // null: repeatable, --preset into meter.preset_specs, --bus into meter.bus_specs
};

struct FlagSpec {
    const char* name;
    const char* help;
    const char* group;
    unsigned applies;
    FlagRef ref;
};

const TextSpec kText[] = {
    {"--device", "NAME|INDEX", "Input device: index or name (case-insensitive substring); default: the default input",
     "Source", kSourceCommands, [](CommonOptions& o) -> std::string& { return o.source.device; }},
    {"--host-api", "NAME", "Host API, case-insensitive substring (e.g. jack, alsa)", "Source", kSourceCommands,
     [](CommonOptions& o) -> std::string& { return o.source.host_api; }},
    {"--rate", "HZ", "Sample rate in Hz, 44100..192000 (default: the device's)", "Source", kSourceCommands,
     [](CommonOptions& o) -> std::string& { return o.source.rate; }},
    {"--buffer", "FRAMES", "Frames per buffer, 16..8192 (default: the host's; files and demo 256)", "Source",
     kSourceCommands, [](CommonOptions& o) -> std::string& { return o.source.buffer; }},
    {"--input-file", "FILE", "Play a sound file in real time as the source", "Source", kSourceCommands,
     [](CommonOptions& o) -> std::string& { return o.source.input_file; }},
    {"--demo-channels", "N", "Channels of the demo studio, 1..256 (default 8)", "Source", kSourceCommands,
     [](CommonOptions& o) -> std::string& { return o.source.demo_channels; }},
    {"--preset", "CH=ID", "Source preset of a channel, CH=ID (CH 1-based; repeatable; default general)", "Meters",
     kMeterCommands, nullptr},
    {"--bus", "NAME=CHANNELS", "A bus metered as one programme, e.g. mix=1-2 (1-based; repeatable; loudness, DESIGN §6)",
     "Meters", kMeterCommands, nullptr},
    {"--clip-threshold", "DB", "Full-scale threshold in dBFS, -20..0 (default -0.1)", "Meters", kMeterCommands,
     [](CommonOptions& o) -> std::string& { return o.meter.clip_threshold; }},
    {"--clip-min-run", "N", "Consecutive full-scale samples that make a clip, 1..16 (default 1)", "Meters",
     kMeterCommands, [](CommonOptions& o) -> std::string& { return o.meter.clip_min_run; }},
    {"--merge-ms", "MS", "Merge clip runs closer than this, 0..60000 ms; 0 = no merging (default 500)", "Meters",
     kMeterCommands, [](CommonOptions& o) -> std::string& { return o.meter.merge_ms; }},
    {"--rms-window", "MS", "RMS window, 50..3000 ms (default 300)", "Meters", kMeterCommands,
     [](CommonOptions& o) -> std::string& { return o.meter.rms_window; }},
    {"--rms", "plain|aes17", "RMS convention: plain (full-scale sine -3.01 dBFS) or aes17 (0 dBFS)", "Meters",
     kMeterCommands, [](CommonOptions& o) -> std::string& { return o.meter.rms; }},
    {"--true-peak", "on|off",
     "True peak: on, or off to save the interpolator's CPU on many channels; off reports no true peak (default on)",
     "Meters", kMeterCommands, [](CommonOptions& o) -> std::string& { return o.meter.true_peak; }},
    {"--session-dir", "DIR", "Sessions folder (default $XDG_DATA_HOME/headroom/sessions)", "Files",
     kWindowCommand | kRecordCommand | kLogCommand, [](CommonOptions& o) -> std::string& { return o.session_dir; }},
    {"--config", "FILE", "Settings file (default $XDG_CONFIG_HOME/headroom/config.json)", "Files", kMeterCommands,
     [](CommonOptions& o) -> std::string& { return o.config; }},
    {"--block", "FRAMES", "analyze: frames per read and per meter call, 1..8192 (default 4096)", "Files",
     kAnalyzeCommand, [](CommonOptions& o) -> std::string& { return o.block; }},
};

const FlagSpec kFlags[] = {
    {"--loop", "With --input-file: start again at the end", "Source", kSourceCommands,
     [](CommonOptions& o) -> bool& { return o.source.loop; }},
    {"--demo", "The built-in simulated studio as the source", "Source", kSourceCommands,
     [](CommonOptions& o) -> bool& { return o.source.demo; }},
    {"--bands", "Meter low / mid / high bands (150 Hz, 5 kHz) of every channel and bus; the window shows them", "Meters",
     kMeterCommands, [](CommonOptions& o) -> bool& { return o.meter.bands; }},
    {"--verbose", "Show library messages and debug logging on stderr", "Options", kAllCommands,
     [](CommonOptions& o) -> bool& { return o.verbose; }},
};

const char* command_name(CommandBit c) {
    switch (c) {
    case kWindowCommand: return "the window (headroom without a subcommand)";
    case kRecordCommand: return "record";
    case kAnalyzeCommand: return "analyze";
    case kDevicesCommand: return "devices";
    case kLogCommand: return "log";
    }
    return "?";
}

// "record and the window", "analyze", "the window, record and analyze".
std::string commands_text(unsigned mask) {
    std::vector<std::string> names;
    for (CommandBit c : {kWindowCommand, kRecordCommand, kAnalyzeCommand, kDevicesCommand, kLogCommand})
        if (mask & c) names.push_back(c == kWindowCommand ? "the window" : command_name(c));
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) s += i + 1 == names.size() ? " and " : ", ";
        s += names[i];
    }
    return s;
}

} // namespace

void CommonCli::add_to(CLI::App& app, CommandBit command) {
    levels_.push_back(std::make_unique<Level>());
    Level& level = *levels_.back();
    level.app = &app;
    for (const TextSpec& t : kText) {
        auto& values = level.text[t.name];
        app.add_option(t.name, values, t.help)
            ->type_name(t.type)
            ->group((t.applies & command) ? t.group : "")  // "": hidden where the command does not take it
            ->expected(1)               // one value per occurrence, so a following FILE stays positional
            ->allow_extra_args(false)   // (CLI11 2.1 takes more for a vector without this)
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
    for (const FlagSpec& f : kFlags)
        level.flags[f.name] = app.add_flag(f.name, f.help)->group((f.applies & command) ? f.group : "");
}

const CommonOptions& CommonCli::resolve(CommandBit command, const CLI::App* sub) {
    CommonOptions& out = *options;
    out = CommonOptions{};
    std::vector<const Level*> used;
    for (const auto& l : levels_)
        if (l->app->get_parent() == nullptr || l->app == sub) used.push_back(l.get());  // root first

    const std::string here = command_name(command);
    for (const TextSpec& t : kText) {
        std::vector<std::string> all;
        for (const Level* l : used) {
            const auto& v = l->text.at(t.name);
            all.insert(all.end(), v.begin(), v.end());
        }
        if (all.empty()) continue;
        if (!(t.applies & command))
            throw UsageError(std::string(t.name) + ": an option of " + commands_text(t.applies) + "; " + here +
                             " does not take it");
        for (const auto& v : all)
            if (v.empty()) throw UsageError(std::string(t.name) + ": the value is empty (give " + t.type + ")");
        if (!t.ref) {
            (std::string(t.name) == "--bus" ? out.meter.bus_specs : out.meter.preset_specs) = all;
            continue;
        }
        if (all.size() > 1)
            throw UsageError(std::string(t.name) + ": given " + std::to_string(all.size()) +
                             " times (before or after the subcommand); give it once");
        t.ref(out) = all.front();
    }
    for (const FlagSpec& f : kFlags) {
        bool given = false;
        for (const Level* l : used) given = given || l->flags.at(f.name)->count() > 0;
        if (!given) continue;
        if (!(f.applies & command))
            throw UsageError(std::string(f.name) + ": an option of " + commands_text(f.applies) + "; " + here +
                             " does not take it");
        f.ref(out) = true;
    }
    return out;
}

std::string CommonCli::where_it_belongs(const CLI::App& root, const std::string& arg, const std::string& at) {
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) return {};
    const std::string name = arg.substr(0, arg.find('='));
    std::vector<std::string> owners;
    bool window = false;
    for (const CLI::App* sub : root.get_subcommands([](const CLI::App*) { return true; }))
        if (sub->get_option_no_throw(name) != nullptr) owners.push_back(sub->get_name());
    if (root.get_option_no_throw(name) != nullptr) window = true;
    if (owners.empty() && !window) return {};
    std::ostringstream m;
    m << name << ": not an option " << at << "; ";
    if (!owners.empty()) {
        m << "it belongs after the subcommand (";
        for (std::size_t i = 0; i < owners.size(); ++i) m << (i ? ", " : "") << "headroom " << owners[i] << ' ' << name;
        m << ")";
        if (window) m << ", or to the window (headroom " << name << ")";
    } else {
        m << "it is an option of the window (headroom " << name << " ..., no subcommand)";
    }
    return m.str();
}

} // namespace headroom
