#pragma once
// User settings (DESIGN.md §5): $XDG_CONFIG_HOME/headroom/config.json, or --config FILE.
// Per device: channel names and preset ids; user presets; meter and display options.
//
// A file that does not parse is reported (path, line, what is wrong), left untouched on
// disk, and defaults are used: load_config() never throws for a bad file, it returns the
// problem in ConfigLoad::error, and the caller must not save over it (ConfigLoad::writable).
// Saving is atomic: a temporary file in the same folder, fsync, rename, fsync of the folder.
//
// Threads: normal threads only (reads and writes files, allocates). A Config is a plain value.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/settings/presets.hpp"

namespace headroom {

// The "version" config_to_json() writes; a file with another version is not read (the
// error says so) and never overwritten.
constexpr int kConfigVersion = 1;

struct ChannelSetting {
    std::string name;     // empty: the source's name for the channel
    std::string preset;   // preset id; empty: the default for the source
};

// A bus as config.json keeps it under its device (DESIGN.md §6): "buses": [{"name": "mix",
// "channels": [1, 2], "preset": "mix_bus"}]. Channels 1-based, as the user counts them.
struct BusSetting {
    std::string name;            // 1..32 characters, no '='
    std::vector<int> channels;   // 1-based, each once, in the order given (BS.1770 weights follow it)
    std::string preset;          // empty: mix_bus
};

struct DisplaySettings {
    double peak_hold_s = 1.0;        // IEC 60268-18: 1.0 s; 0.5 .. 10
    bool peak_hold_infinite = false; // hold until reset
    double clip_auto_reset_s = 0.0;  // 0: the clip indicator latches until reset
    bool compact = false;            // narrow strips
    bool always_on_top = false;      // keep the window above the DAW
    bool bands = false;              // the band view (low/mid/high peaks) under every strip
};

// Meter options as the command-line options spell them (app/meter_cli); empty: not set.
// The command line wins over these. Kept as written (a value of the wrong type as its JSON
// text): the command that applies them reports a bad one and uses the default.
struct MeterSettings {
    std::string clip_threshold, clip_min_run, merge_ms, rms_window, rms;
    std::string true_peak;  // "on" / "off" (--true-peak); in the file "true_peak": true / false
};

// The window as the engineer left it: restored at the next start (the command line's --size
// wins). Position and size in screen coordinates; 0 / unset: the defaults.
struct WindowState {
    int width = 0, height = 0;       // 0: the default size
    bool has_position = false;       // x, y were saved
    int x = 0, y = 0;
    double ui_scale = 0.0;           // 0: follow the monitor's content scale; else 0.5 .. 4
    bool log_docked = false;         // the clip log as a side pane beside the bridge
};

struct Config {
    std::map<std::string, std::vector<ChannelSetting>> devices;  // key: device_key()
    std::map<std::string, std::vector<BusSetting>> buses;         // key: device_key(); the device's buses
    std::vector<Preset> user_presets;
    DisplaySettings display;
    MeterSettings meter;
    WindowState window;
};

struct ConfigLoad {
    Config config;                     // what was read, or defaults
    std::filesystem::path path;
    bool existed = false;              // the file was there
    std::optional<std::string> error;  // "<path>:<line>: <what>" when the file is bad
    // Keys whose bad value was replaced by its default (the rest of the file is in `config`):
    // "<path>: window."ui_scale" is not a number; the default is used". The file stays writable.
    std::vector<std::string> problems;
    bool writable() const { return !error.has_value(); }  // never overwrite a bad file
};

// normal thread. $XDG_CONFIG_HOME/headroom/config.json (or ~/.config/headroom/config.json).
std::filesystem::path default_config_path();

// normal thread. Reads `path`. A missing file gives defaults and no error; an unreadable
// or bad one gives defaults and the error message. Never throws for the file's content.
ConfigLoad load_config(const std::filesystem::path& path);

// normal thread. Parses config text; throws InputError "<origin>:<line>: <what>" for bad
// JSON (the line computed from the parser's byte offset) and "<origin>: <what>" for a
// well-formed document with a bad field. A bad value in "window" does not fail the document:
// it is appended to `problems` ("<origin>: window."<key>" <what>; the default is used") and
// that key keeps its default.
Config config_from_text(const std::string& text, const std::string& origin,
                        std::vector<std::string>* problems = nullptr);
nlohmann::json config_to_json(const Config& c);  // normal thread

// normal thread. Writes the config atomically (creating the folder); throws OutputError
// naming the path and the reason.
void save_config(const Config& c, const std::filesystem::path& path);

// normal thread. Writes `text` to `path` atomically: temp file in the same folder, fsync,
// rename, fsync of the folder. Throws OutputError "<path>: <reason>". Also used by the
// window's exports.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

// any thread. The key under which a source's settings are kept: "device:<name>",
// "file:<file name>", or "demo".
std::string device_key(const std::string& kind, const std::string& device);

// 1-based line of the byte at 0-based `offset` in `text` (past the end: the last line).
std::size_t line_of_offset(const std::string& text, std::size_t offset);  // any thread

} // namespace headroom
