#pragma once
// One channel of the bridge: a vertical sample-peak bar with the running RMS inside it, on a
// dBFS scale with the preset's target window, coloured by zone (DESIGN.md §3); the part of the
// bar at or above -3 dBFS hatched (above the clip threshold cross-hatched), a marked -3 dB line
// and 1 dB ticks near 0, so danger and clip differ in more than hue; the peak-hold line; the
// latched clip indicator (hatched, outlined, "CLIP n" clip events); the numbers, each a maximum
// since reset in its own zone's colour (ui/readout.hpp): sample peak, true peak or "TP off",
// headroom, RMS max, gain advice. Drawn straight into a draw list: cheap enough for 256 strips a
// frame.
//
// Threads: UI thread (ImGui).
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "engine/settings/presets.hpp"
#include "ui/ballistics.hpp"
#include "ui/fonts.hpp"
#include "ui/layout.hpp"
#include "ui/programme_ballistics.hpp"
#include "ui/readout.hpp"

struct ImDrawList;
struct ImFont;

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
    float ui_scale = 1.0f;                  // content scale x the user's UI scale
    const char* idle_label = nullptr;       // the unlit clip box's text; null: the channel number
    const BandDisplay* bands = nullptr;     // the band view in StripRects::bands (null: off)
    bool bus = false;                       // a bus's peak strip: no RMS max and no gain advice (a
                                            // bus has no input gain and its RMS is its loudness)
};

// Text centred horizontally in [x0, x1] at y, at `size` px; shrunk (never cut) to fit the
// width: a cut number would read as another number. UI thread.
void centred_text(ImDrawList* dl, ImFont* font, float size, float x0, float x1, float y, std::uint32_t col,
                  const char* text);

// "-12.3", "+2.4", "0.0"; silence "--". Never clamped. Any thread.
std::string format_db(double db, int decimals = 1);

// The zone a bar shows for `bar_db` (the colour of the whole bar). Any thread.
Zone bar_zone(double bar_db, const Preset& p, double clip_threshold_db);

// Draws the strip into `dl` within `r`. `fonts` must be loaded. Returns the max sample peak
// as drawn (text and zone), for whoever reports what is on screen.
Readout draw_meter_strip(ImDrawList* dl, const StripRects& r, const DbScale& scale, const StripModel& m,
                         const Fonts& fonts, bool compact);

// What the strip shows, as the help overlay says it: one line per part. Any thread.
std::span<const char* const> strip_legend();
inline constexpr const char* kRmsLabel = "RMS max";  // the RMS number: loudest window since reset

// The colour a number of zone `z` is printed in: the zone's colour; silence dim.
std::uint32_t number_colour(Zone z);

// The clip details for a tooltip: "2 clip events (5 runs, 130 samples)". Any thread.
std::string clip_details(const ChannelDisplay& d);

// The 1 dB fine ticks near 0 dBFS (-6..+6) drawn when the scale has at least this many px per dB.
inline constexpr float kFineTickMinPxPerDb = 4.0f;
// Writes the fine-tick levels of `scale` into out (up to max); 0 when there is no room.
int fine_marks(const DbScale& scale, double* out, int max);

// Draws the shared dBFS scale column (labels every 6 dB, -3 marked, 1 dB ticks near 0) for one row.
void draw_scale_column(ImDrawList* dl, float x0, float x1, const DbScale& scale, const Fonts& fonts);

} // namespace headroom::ui
