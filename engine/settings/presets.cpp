#include "engine/settings/presets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "engine/base/errors.hpp"

#ifndef HEADROOM_DATADIR
#define HEADROOM_DATADIR "/usr/local/share/headroom"
#endif

namespace headroom {
namespace {

constexpr const char* kPresetsFile = "presets.json";

std::string fmt_db(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; keep what follows.
std::string json_message(const nlohmann::json::exception& e) {
    std::string m = e.what();
    if (!m.empty() && m.front() == '[') {
        const auto close = m.find("] ");
        if (close != std::string::npos) m.erase(0, close + 2);
    }
    return m;
}

Preset preset_from_json(const nlohmann::json& j, std::size_t index, const std::string& origin) {
    const std::string where = origin + ": preset " + std::to_string(index + 1);
    if (!j.is_object()) throw InputError(where + " is not an object");
    Preset p;
    const auto id = j.find("id");
    if (id == j.end() || !id->is_string()) throw InputError(where + " has no string \"id\"");
    p.id = id->get<std::string>();
    const auto name = j.find("name");
    if (name != j.end() && !name->is_string())
        throw InputError(where + " (" + p.id + "): \"name\" is not a string");
    p.name = name != j.end() ? name->get<std::string>() : p.id;
    for (const char* key : {"lo", "hi"}) {
        const auto v = j.find(key);
        if (v == j.end() || !v->is_number())
            throw InputError(where + " (" + p.id + "): \"" + key + "\" is missing or not a number");
        (key[0] == 'l' ? p.lo_dbfs : p.hi_dbfs) = v->get<double>();
    }
    if (auto bad = validate_preset(p)) throw InputError(origin + ": " + *bad);
    return p;
}

std::filesystem::path executable_dir() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    return exe.parent_path();
}

} // namespace

std::optional<std::string> validate_preset(const Preset& p) {
    const std::string what = "preset '" + p.id + "'";
    if (p.id.empty() || p.id.size() > 32) return "preset id '" + p.id + "' must have 1..32 characters";
    for (const char c : p.id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return what + ": id may only use a-z, 0-9, '_' and '-'";
    if (p.name.empty()) return what + ": name is empty";
    if (!std::isfinite(p.lo_dbfs) || !std::isfinite(p.hi_dbfs))
        return what + ": lo and hi must be finite numbers";
    if (p.lo_dbfs < -120.0 || p.hi_dbfs > 0.0 || p.lo_dbfs > p.hi_dbfs)
        return what + ": window " + fmt_db(p.lo_dbfs) + " .. " + fmt_db(p.hi_dbfs) +
               " dBFS must satisfy -120 <= lo <= hi <= 0";
    return std::nullopt;
}

Zone zone_of(double level_dbfs, const Preset& p, double clip_threshold_dbfs) {
    if (!(level_dbfs > -std::numeric_limits<double>::infinity())) return Zone::Silent;  // -inf, NaN
    if (level_dbfs >= clip_threshold_dbfs) return Zone::Clip;
    if (level_dbfs >= -3.0) return Zone::Danger;
    if (level_dbfs > p.hi_dbfs) return Zone::Hot;
    if (level_dbfs >= p.lo_dbfs) return Zone::Target;
    return Zone::Low;
}

const char* zone_name(Zone z) {
    switch (z) {
    case Zone::Silent: return "silent";
    case Zone::Low: return "low";
    case Zone::Target: return "target";
    case Zone::Hot: return "hot";
    case Zone::Danger: return "danger";
    case Zone::Clip: return "clip";
    }
    return "?";
}

PresetTable PresetTable::from_json_text(const std::string& text, const std::string& origin) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(origin + ": " + json_message(e));
    }
    const nlohmann::json* list = &doc;
    if (doc.is_object()) {
        const auto it = doc.find("presets");
        if (it == doc.end()) throw InputError(origin + ": no \"presets\" array");
        list = &*it;
    }
    if (!list->is_array()) throw InputError(origin + ": \"presets\" is not an array");
    PresetTable t;
    for (std::size_t i = 0; i < list->size(); ++i) {
        Preset p = preset_from_json((*list)[i], i, origin);
        if (t.find(p.id)) throw InputError(origin + ": preset id '" + p.id + "' appears twice");
        t.presets_.push_back(std::move(p));
    }
    if (t.presets_.empty()) throw InputError(origin + ": the preset list is empty");
    return t;
}

PresetTable PresetTable::load_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw InputError(path.string() + ": is a directory, not a presets file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path.string() + ": cannot open the presets file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw InputError(path.string() + ": cannot read the presets file");
    return from_json_text(text.str(), path.string());
}

PresetTable PresetTable::load_builtin() {
    const auto dir = assets_dir();
    if (dir.empty()) {
        std::string searched;
        for (const auto& c : asset_dir_candidates())
            searched += (searched.empty() ? "" : ", ") + c.string();
        throw InputError(std::string("built-in presets not found: no ") + kPresetsFile + " in " +
                         searched + " (set HEADROOM_ASSETS_DIR)");
    }
    return load_file(dir / kPresetsFile);
}

const Preset* PresetTable::find(const std::string& id) const {
    const auto it = std::find_if(presets_.begin(), presets_.end(),
                                 [&](const Preset& p) { return p.id == id; });
    return it == presets_.end() ? nullptr : &*it;
}

const Preset& PresetTable::general() const {
    static const Preset fallback{"general", "General source (default)", -18.0, -12.0};
    const Preset* p = find("general");
    return p ? *p : fallback;
}

void PresetTable::add_or_replace(const Preset& p) {
    if (auto bad = validate_preset(p)) throw UsageError(*bad);
    for (auto& q : presets_)
        if (q.id == p.id) {
            q = p;
            return;
        }
    presets_.push_back(p);
}

std::string PresetTable::ids_joined() const {
    std::string s;
    for (const auto& p : presets_) s += (s.empty() ? "" : ", ") + p.id;
    return s;
}

std::vector<std::filesystem::path> asset_dir_candidates() {
    std::vector<std::filesystem::path> out;
    if (const char* env = std::getenv("HEADROOM_ASSETS_DIR"); env && *env) out.emplace_back(env);
    if (const auto exe = executable_dir(); !exe.empty()) {
        out.push_back(exe / "assets");
        out.push_back((exe.parent_path() / "share" / "headroom").lexically_normal());
    }
    out.emplace_back(HEADROOM_DATADIR);
    return out;
}

std::filesystem::path assets_dir() {
    for (const auto& c : asset_dir_candidates()) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(c / kPresetsFile, ec)) return c;
    }
    return {};
}

} // namespace headroom
