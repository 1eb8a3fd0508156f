#pragma once
// Source presets (DESIGN.md §3): the target window for a channel's sample peaks, and the
// colour zone a level falls in. The built-in table ships as data: assets/presets.json.
//
// Threads: everything here runs on normal threads (it allocates and reads files). A table is
// a plain value; copy it to the thread that needs it.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace headroom {

struct Preset {
    std::string id;      // e.g. "vocals"; [a-z0-9_-], 1..32 characters
    std::string name;    // e.g. "Close-miked vocals"
    double lo_dbfs = -18.0;
    double hi_dbfs = -12.0;
    double centre() const { return 0.5 * (lo_dbfs + hi_dbfs); }  // any thread
};

// A message naming what is wrong with `p` (id, name, lo <= hi <= 0, lo >= -120), or nothing.
std::optional<std::string> validate_preset(const Preset& p);  // any thread

enum class Zone { Silent, Low, Target, Hot, Danger, Clip };

// any thread; no allocation.
// Zone of a sample-peak level (dBFS) for a preset window, with the clip threshold (dBFS).
// The first rule that matches wins:
//   -inf or NaN (silence)           -> Silent
//   level >= clip threshold         -> Clip    (red; the clip indicator latches)
//   level >= -3 dBFS                -> Danger  (orange-red; also inside a window reaching -3)
//   level >  hi                     -> Hot     (amber)
//   level >= lo  (so lo..hi, both ends included) -> Target (green)
//   otherwise (below lo)            -> Low     (cool/dim)
Zone zone_of(double level_dbfs, const Preset& p, double clip_threshold_dbfs);
const char* zone_name(Zone z);  // any thread; "silent", "low", "target", "hot", "danger", "clip"

class PresetTable {
public:
    // normal thread. Loads presets.json from assets_dir(); throws InputError naming the
    // folders searched when there is none, or the file and what is wrong when it is bad.
    static PresetTable load_builtin();
    // normal thread. Reads a presets file; throws InputError naming `path` and why.
    static PresetTable load_file(const std::filesystem::path& path);
    // normal thread. `text` is {"presets": [{"id","name","lo","hi"}, ...]} or the bare array;
    // throws InputError "<origin>: <what is wrong>" (bad JSON, missing field, bad window,
    // duplicate id).
    static PresetTable from_json_text(const std::string& text, const std::string& origin);

    const Preset* find(const std::string& id) const;  // normal thread; nullptr when unknown
    // normal thread. The "general" preset; the DESIGN.md §3 default if the table lacks one.
    const Preset& general() const;
    const std::vector<Preset>& all() const { return presets_; }  // normal thread
    // normal thread. User presets: replaces the preset with the same id (keeping its place)
    // or appends. Throws UsageError with validate_preset's message when `p` is invalid.
    void add_or_replace(const Preset& p);
    std::string ids_joined() const;         // "vocals, guitar_di, ..." for error messages

private:
    std::vector<Preset> presets_;
};

// normal thread. Where assets/ is: the first of these folders that holds presets.json
// (asset_dir_candidates() in order); an empty path when none does.
std::filesystem::path assets_dir();
// normal thread. The search order: $HEADROOM_ASSETS_DIR (when set and not empty); the
// folder `assets` next to the executable (the build tree); <exe>/../share/headroom (a
// relocated install); the configured install prefix's share/headroom.
std::vector<std::filesystem::path> asset_dir_candidates();

} // namespace headroom
