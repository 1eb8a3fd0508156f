#pragma once
// Source presets (DESIGN.md §3): the target window for a channel's sample peaks, and the
// colour zone a level falls in. The built-in table ships as data: assets/presets.json.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace headroom {

struct Preset {
    std::string id;      // e.g. "vocals"
    std::string name;    // e.g. "Close-miked vocals"
    double lo_dbfs = -18.0;
    double hi_dbfs = -12.0;
    double centre() const { return 0.5 * (lo_dbfs + hi_dbfs); }
};

enum class Zone { Silent, Low, Target, Hot, Danger, Clip };

// Zone of a sample-peak level (dBFS) for a preset window, with the clip threshold (dBFS):
// below lo: Low; lo..hi (both included): Target; above hi: Hot; >= -3 dBFS: Danger;
// >= clip threshold: Clip. -inf (silence): Silent.
Zone zone_of(double level_dbfs, const Preset& p, double clip_threshold_dbfs);
const char* zone_name(Zone z);

class PresetTable {
public:
    // normal thread. Loads assets/presets.json from the first existing asset folder
    // (next to the executable, then the install prefix); throws InputError naming the path.
    static PresetTable load_builtin();
    static PresetTable from_json_text(const std::string& text, const std::string& origin);
    const Preset* find(const std::string& id) const;
    const Preset& general() const;          // the default preset
    const std::vector<Preset>& all() const { return presets_; }
    void add_or_replace(const Preset& p);   // user presets
    std::string ids_joined() const;         // "vocals, guitar_di, ..." for error messages

private:
    std::vector<Preset> presets_;
};

// Where assets/ is: HEADROOM_ASSETS_DIR env var, next to the executable, or the install prefix.
std::filesystem::path assets_dir();

} // namespace headroom
