#pragma once
// One settings model for every command that meters (DESIGN.md §4, §5): config.json (or
// --config FILE) gives the user presets, the meter options and, per source, channel names
// and presets; the command line wins. The window, `record` and `analyze` start from
// read_settings(); the window and `record` name and preset their channels with
// channel_settings().
//
// A bad value in config.json is the config's problem, never the command line's: each is
// said on one stderr line "headroom: <path>: <key>: <what is wrong>; the default is used",
// kept in `problems` (for the window's status bar), and the default is used. The file on
// disk is left as it is.
//
// Threads: normal thread only (reads files).
#include <filesystem>
#include <string>
#include <vector>

#include "app/meter_cli.hpp"
#include "engine/capture/source_info.hpp"
#include "engine/settings/config.hpp"
#include "engine/settings/presets.hpp"

namespace headroom {

struct CommandSettings {
    std::filesystem::path config_path;
    ConfigLoad cfg;                     // what config.json holds (as written, bad values too)
    PresetTable table;                  // built-in presets plus the user's
    MeterCli meter_cli;                 // the command line's, config.json filling what it left unset
    std::vector<std::string> problems;  // the config's problems, one line each
};

// Loads the config (`config_option` empty: default_config_path()), reports its problems on
// stderr, and validates the command line's meter options (UsageError naming the option).
CommandSettings read_settings(const std::string& config_option, const MeterCli& cli);

// A source's channels as config.json keeps them for `info`'s device (device_key()):
// `info` with every channel named (the stored name, else the source's, else "In N"), and
// each channel's default preset (the stored one, else the source's suggestion) for
// MeterCli::resolve. A stored preset id the table does not know is reported (problems,
// stderr) and not used.
struct ChannelDefaults {
    std::string key;                      // the source's key in config.json's "devices"
    std::vector<ChannelSetting> stored;   // what config.json keeps under it
    SourceInfo info;                      // every channel named
    std::vector<std::string> presets;     // default preset id per channel
};
ChannelDefaults channel_settings(const SourceInfo& info, CommandSettings& settings);

// settings.meter_cli.resolve() for the source `info` describes: the meter options and one
// preset per channel. An InputError about the stream (an 8 kHz file, too many channels)
// names the source: the file's path, the device, or the demo studio.
// The device's buses as config.json keeps them (devices."<key>".buses) for `info`'s source:
// 0-based channels, preset (unknown: mix_bus, said on stderr). A bus with a channel the
// source lacks is said on stderr and left out. resolve_meters uses them when no --bus is given.
std::vector<BusSpec> config_buses(const CommandSettings& settings, const SourceInfo& info);

MeterSetup resolve_meters(const CommandSettings& settings, const SourceInfo& info, std::size_t max_block,
                          const std::vector<std::string>& default_presets);

} // namespace headroom
