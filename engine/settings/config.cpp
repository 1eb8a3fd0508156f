#include "engine/settings/config.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "engine/base/atomic_file.hpp"
#include "engine/base/errors.hpp"
#include "engine/meter/programme.hpp"  // bus_name_problem: one rule for --bus and config.json

namespace headroom {
namespace {

using nlohmann::json;

// nlohmann's parse messages read "[json.exception.parse_error.101] parse error at line 3,
// column 5: syntax error ..."; keep only what is wrong (the line is ours).
std::string parse_what(const json::parse_error& e) {
    std::string m = e.what();
    if (const auto close = m.find("] "); !m.empty() && m.front() == '[' && close != std::string::npos)
        m.erase(0, close + 2);
    if (m.rfind("parse error", 0) == 0) {
        if (const auto colon = m.find(": "); colon != std::string::npos) m.erase(0, colon + 2);
    }
    return m;
}

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
    throw InputError(origin + ": " + what);
}

std::string get_string(const json& j, const char* key, const std::string& where, const std::string& origin) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_string()) bad(origin, where + "\"" + key + "\" is not a string");
    return it->get<std::string>();
}

double get_number(const json& j, const char* key, double fallback, double lo, double hi,
                  const std::string& where, const std::string& origin) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_number()) bad(origin, where + "\"" + key + "\" is not a number");
    const double v = it->get<double>();
    if (v < lo || v > hi) {
        std::ostringstream s;
        s << where << "\"" << key << "\" is " << v << ", outside " << lo << ".." << hi;
        bad(origin, s.str());
    }
    return v;
}

bool get_bool(const json& j, const char* key, bool fallback, const std::string& where, const std::string& origin) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) bad(origin, where + "\"" + key + "\" is not true or false");
    return it->get<bool>();
}

// Meter settings are kept as the option text; numbers are accepted too. A value of another
// type is kept as its JSON text, so that the command that applies it (app/settings_cli) says
// what is wrong with that one key and uses the default, instead of the whole file failing.
std::string get_option_text(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number()) {
        std::ostringstream s;
        s << it->get<double>();
        return s.str();
    }
    return it->dump();
}

// meter."true_peak": true or false in the file, "on" / "off" as --true-peak spells it; any
// other value is kept as its JSON text (reported where it is applied, like the others).
std::string get_on_off(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_boolean()) return it->dump();
    return it->get<bool>() ? "on" : "off";
}

// One bus of a device: a name (1..32 characters, no '='), channels as 1-based whole numbers
// (1..256, each once, at least one), a preset id (checked against the table where it is used).
BusSetting read_bus(const json& j, const std::string& where, const std::string& origin) {
    if (!j.is_object()) bad(origin, where + "is not an object");
    BusSetting bus;
    bus.name = get_string(j, "name", where, origin);
    if (const std::string why = bus_name_problem(bus.name); !why.empty()) bad(origin, where + "\"name\" " + why);
    const auto chans = j.find("channels");
    if (chans == j.end() || !chans->is_array() || chans->empty())
        bad(origin, where + "\"channels\" is not a non-empty array of channel numbers");
    for (const json& ch : *chans) {
        if (!ch.is_number_integer() || ch.get<long long>() < 1 || ch.get<long long>() > 256)
            bad(origin, where + "\"channels\": " + ch.dump() + " is not a channel number 1..256");
        const int n = static_cast<int>(ch.get<long long>());
        for (int seen : bus.channels)
            if (seen == n) bad(origin, where + "\"channels\": " + std::to_string(n) + " is given twice");
        bus.channels.push_back(n);
    }
    bus.preset = get_string(j, "preset", where, origin);
    return bus;
}

} // namespace

std::size_t line_of_offset(const std::string& text, std::size_t offset) {
    if (offset > text.size()) offset = text.size();
    std::size_t line = 1;
    for (std::size_t i = 0; i < offset; ++i)
        if (text[i] == '\n') ++line;
    // An error reported just after a final newline belongs to the line it ended.
    if (offset == text.size() && offset > 0 && text[offset - 1] == '\n' && line > 1) --line;
    return line;
}

std::filesystem::path default_config_path() {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    std::filesystem::path base;
    if (xdg && *xdg) {
        base = xdg;
    } else {
        const char* home = std::getenv("HOME");
        base = std::filesystem::path(home && *home ? home : ".") / ".config";
    }
    return base / "headroom" / "config.json";
}

std::string device_key(const std::string& kind, const std::string& device) {
    if (kind == "demo") return "demo";
    if (kind == "file") return "file:" + std::filesystem::path(device).filename().string();
    return "device:" + device;
}

Config config_from_text(const std::string& text, const std::string& origin, std::vector<std::string>* problems) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        // e.byte is 1-based: the position of the character the parser stopped at.
        const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        throw InputError(origin + ":" + std::to_string(line_of_offset(text, at)) + ": " + parse_what(e));
    }
    if (!doc.is_object()) bad(origin, "the top level is not a JSON object");
    // A version this build does not know may mean keys it would misread: defaults, and the
    // file is left for the headroom that wrote it.
    if (const auto it = doc.find("version"); it != doc.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<long long>() != kConfigVersion)
            bad(origin, "\"version\" is " + it->dump() + "; this headroom reads version " +
                            std::to_string(kConfigVersion));
    }

    Config c;
    if (const auto it = doc.find("devices"); it != doc.end() && !it->is_null()) {
        if (!it->is_object()) bad(origin, "\"devices\" is not an object");
        for (const auto& [key, dev] : it->items()) {
            const std::string where = "devices.\"" + key + "\": ";
            if (!dev.is_object()) bad(origin, where + "is not an object");
            if (const auto b = dev.find("buses"); b != dev.end() && !b->is_null()) {
                if (!b->is_array()) bad(origin, where + "\"buses\" is not an array");
                std::vector<BusSetting> buses;
                for (std::size_t i = 0; i < b->size(); ++i) {
                    const std::string at = where + "bus " + std::to_string(i + 1) + ": ";
                    BusSetting bus = read_bus((*b)[i], at, origin);
                    for (const BusSetting& seen : buses)
                        if (seen.name == bus.name) bad(origin, at + "\"name\": '" + bus.name + "' is given twice");
                    buses.push_back(std::move(bus));
                }
                if (!buses.empty()) c.buses[key] = std::move(buses);
            }
            const auto chans = dev.find("channels");
            if (chans == dev.end()) continue;
            if (!chans->is_array()) bad(origin, where + "\"channels\" is not an array");
            std::vector<ChannelSetting> list;
            for (std::size_t i = 0; i < chans->size(); ++i) {
                const json& ch = (*chans)[i];
                const std::string w = where + "channel " + std::to_string(i + 1) + ": ";
                if (!ch.is_object()) bad(origin, w + "is not an object");
                list.push_back({get_string(ch, "name", w, origin), get_string(ch, "preset", w, origin)});
            }
            c.devices[key] = std::move(list);
        }
    }
    if (const auto it = doc.find("presets"); it != doc.end() && !it->is_null()) {
        if (!it->is_array()) bad(origin, "\"presets\" is not an array");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& p = (*it)[i];
            const std::string w = "presets[" + std::to_string(i) + "]: ";
            if (!p.is_object()) bad(origin, w + "is not an object");
            Preset preset;
            preset.id = get_string(p, "id", w, origin);
            preset.name = get_string(p, "name", w, origin);
            if (preset.name.empty()) preset.name = preset.id;
            preset.lo_dbfs = get_number(p, "lo", -18.0, -1e9, 1e9, w, origin);
            preset.hi_dbfs = get_number(p, "hi", -12.0, -1e9, 1e9, w, origin);
            if (auto why = validate_preset(preset)) bad(origin, w + *why);
            c.user_presets.push_back(std::move(preset));
        }
    }
    if (const auto it = doc.find("display"); it != doc.end() && !it->is_null()) {
        if (!it->is_object()) bad(origin, "\"display\" is not an object");
        const std::string w = "display.";
        DisplaySettings& d = c.display;
        d.peak_hold_s = get_number(*it, "peak_hold_s", d.peak_hold_s, 0.5, 10.0, w, origin);
        d.peak_hold_infinite = get_bool(*it, "peak_hold_infinite", d.peak_hold_infinite, w, origin);
        d.clip_auto_reset_s = get_number(*it, "clip_auto_reset_s", d.clip_auto_reset_s, 0.0, 3600.0, w, origin);
        d.compact = get_bool(*it, "compact", d.compact, w, origin);
        d.always_on_top = get_bool(*it, "always_on_top", d.always_on_top, w, origin);
        d.bands = get_bool(*it, "bands", d.bands, w, origin);
    }
    if (const auto it = doc.find("window"); it != doc.end() && !it->is_null()) {
        // Per key, like the meter values: a bad one is reported and its default used; the rest
        // of the file (channel names above all) still counts. The window's own next save
        // replaces the bad value with the state it has then.
        const std::string w = "window.";
        WindowState& ws = c.window;
        auto per_key = [&](auto read) {
            try {
                read();
            } catch (const InputError& e) {
                if (problems) problems->push_back(std::string(e.what()) + "; the default is used");
            }
        };
        if (!it->is_object()) {
            if (problems) problems->push_back(origin + ": \"window\" is not an object; the defaults are used");
        } else {
            per_key([&] { ws.width = static_cast<int>(get_number(*it, "width", 0.0, 0.0, 32768.0, w, origin)); });
            per_key([&] { ws.height = static_cast<int>(get_number(*it, "height", 0.0, 0.0, 32768.0, w, origin)); });
            if (it->contains("x") && it->contains("y")) {
                per_key([&] {
                    const int x = static_cast<int>(get_number(*it, "x", 0.0, -65536.0, 65536.0, w, origin));
                    const int y = static_cast<int>(get_number(*it, "y", 0.0, -65536.0, 65536.0, w, origin));
                    ws.x = x;
                    ws.y = y;
                    ws.has_position = true;
                });
            }
            per_key([&] {
                const double scale = get_number(*it, "ui_scale", 0.0, 0.0, 4.0, w, origin);
                if (scale > 0.0 && scale < 0.5) {
                    std::ostringstream m;
                    m << w << "\"ui_scale\" is " << scale << ", not 0 (follow the monitor) or 0.5 .. 4";
                    bad(origin, m.str());
                }
                ws.ui_scale = scale;
            });
            per_key([&] { ws.log_docked = get_bool(*it, "log_docked", false, w, origin); });
        }
    }
    if (const auto it = doc.find("meter"); it != doc.end() && !it->is_null()) {
        if (!it->is_object()) bad(origin, "\"meter\" is not an object");
        c.meter.clip_threshold = get_option_text(*it, "clip_threshold");
        c.meter.clip_min_run = get_option_text(*it, "clip_min_run");
        c.meter.merge_ms = get_option_text(*it, "merge_ms");
        c.meter.rms_window = get_option_text(*it, "rms_window");
        c.meter.rms = get_option_text(*it, "rms");
        c.meter.true_peak = get_on_off(*it, "true_peak");
    }
    return c;
}

nlohmann::json config_to_json(const Config& c) {
    json doc = json::object();
    doc["version"] = kConfigVersion;
    json devices = json::object();
    for (const auto& [key, chans] : c.devices) {
        json list = json::array();
        for (const auto& ch : chans) list.push_back({{"name", ch.name}, {"preset", ch.preset}});
        devices[key] = {{"channels", list}};
    }
    for (const auto& [key, buses] : c.buses) {
        if (buses.empty()) continue;
        json list = json::array();
        for (const auto& b : buses) {
            json bus = {{"name", b.name}, {"channels", b.channels}};
            if (!b.preset.empty()) bus["preset"] = b.preset;
            list.push_back(bus);
        }
        devices[key]["buses"] = list;
    }
    doc["devices"] = devices;
    json presets = json::array();
    for (const auto& p : c.user_presets)
        presets.push_back({{"id", p.id}, {"name", p.name}, {"lo", p.lo_dbfs}, {"hi", p.hi_dbfs}});
    doc["presets"] = presets;
    doc["display"] = {{"peak_hold_s", c.display.peak_hold_s},
                      {"peak_hold_infinite", c.display.peak_hold_infinite},
                      {"clip_auto_reset_s", c.display.clip_auto_reset_s},
                      {"compact", c.display.compact},
                      {"always_on_top", c.display.always_on_top},
                      {"bands", c.display.bands}};
    json meter = json::object();
    auto put = [&](const char* k, const std::string& v) { if (!v.empty()) meter[k] = v; };
    put("clip_threshold", c.meter.clip_threshold);
    put("clip_min_run", c.meter.clip_min_run);
    put("merge_ms", c.meter.merge_ms);
    put("rms_window", c.meter.rms_window);
    put("rms", c.meter.rms);
    if (c.meter.true_peak == "on" || c.meter.true_peak == "off") {
        meter["true_peak"] = c.meter.true_peak == "on";
    } else if (!c.meter.true_peak.empty()) {  // a bad value read from the file: written back as it was
        json was = json::parse(c.meter.true_peak, nullptr, false);
        meter["true_peak"] = was.is_discarded() ? json(c.meter.true_peak) : was;
    }
    doc["meter"] = meter;
    json window = {{"width", c.window.width}, {"height", c.window.height}};
    if (c.window.has_position) {
        window["x"] = c.window.x;
        window["y"] = c.window.y;
    }
    window["ui_scale"] = c.window.ui_scale;
    window["log_docked"] = c.window.log_docked;
    doc["window"] = window;
    return doc;
}

ConfigLoad load_config(const std::filesystem::path& path) {
    ConfigLoad r;
    r.path = path;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) return r;
    r.existed = true;
    // A folder, a FIFO or a device is no settings file: said, never read (a FIFO would block).
    if (!std::filesystem::is_regular_file(status)) {
        r.error = path.string() + ": not a regular file" +
                  (std::filesystem::is_directory(status) ? std::string(" (a folder)") : std::string());
        return r;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        r.error = path.string() + ": cannot be read (" + std::strerror(errno) + ")";
        return r;
    }
    std::ostringstream s;
    s << in.rdbuf();
    try {
        r.config = config_from_text(s.str(), path.string(), &r.problems);
    } catch (const InputError& e) {
        r.error = e.what();
        r.config = Config{};
        r.problems.clear();
    }
    return r;
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
    const std::filesystem::path folder = path.parent_path();
    std::error_code ec;
    if (!folder.empty()) std::filesystem::create_directories(folder, ec);
    if (ec) throw OutputError(folder.string() + ": cannot create folder (" + ec.message() + ")");
    write_file_atomic(path, text);
}

void save_config(const Config& c, const std::filesystem::path& path) {
    write_text_atomically(path, config_to_json(c).dump(2) + "\n");
}

} // namespace headroom
