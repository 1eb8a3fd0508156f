#pragma once
// One channel of the bridge: a vertical sample-peak bar with the RMS inside it, on a dBFS
// scale with the preset's target window, coloured by zone (DESIGN.md §3); the peak-hold line;
// the latched clip indicator; the numbers (max sample peak since reset, true peak or "TP off",
// headroom from the sample peak, RMS, gain advice). Drawn straight into a draw list: cheap enough for 256 strips a frame.
//
// Threads: UI thread (ImGui).
#include <optional>
#include <string>

#include "engine/settings/presets.hpp"
#include "ui/ballistics.hpp"
#include "ui/fonts.hpp"
#include "ui/layout.hpp"

struct ImDrawList;

namespace headroom::ui {

struct StripModel {
    int channel = 1;                        // 1-based, shown when the name is empty
    const std::string* name = nullptr;
    const Preset* preset = nullptr;
    const ChannelDisplay* display = nullptr;
    std::optional<double> gain_advice_db;   // known after 10 s of activity
    double clip_threshold_db = -0.1;
    bool rms_aes17 = false;                 // RMS numbers and bar +3.01 dB
    bool true_peak = true;                  // false: not measured, the readout says "TP off"
    bool highlighted = false;               // selected in the clip log
};

// "-12.3", "+2.4", "0.0"; silence "--". Never clamped. Any thread.
std::string format_db(double db, int decimals = 1);

// The zone a bar shows for `bar_db` (the colour of the whole bar). Any thread.
Zone bar_zone(double bar_db, const Preset& p, double clip_threshold_db);

// Draws the strip into `dl` within `r`. `fonts` must be loaded.
void draw_meter_strip(ImDrawList* dl, const StripRects& r, const DbScale& scale, const StripModel& m,
                      const Fonts& fonts, bool compact);

// Draws the shared dBFS scale column (labels every 6 dB) for one row.
void draw_scale_column(ImDrawList* dl, float x0, float x1, const DbScale& scale, const Fonts& fonts);

} // namespace headroom::ui
