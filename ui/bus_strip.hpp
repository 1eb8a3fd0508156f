#pragma once
// One bus of the bridge (DESIGN.md §6), drawn beside the channel strips: at the left a
// channel-style strip of the bus's sample peak / true peak on the dBFS scale, with the bus
// preset's window (default mix_bus, -10 .. -6) and the same zones, hatching and numbers as a
// channel (ui/meter_strip); at the right momentary (M) and short-term (S) loudness bars on a
// LUFS scale (-60 .. 0, -23 and -14 marked and labelled), then the numbers: integrated
// loudness (LUFS), LRA (LU), PLR (LU), the momentary and short-term maxima, and the
// start/reset button of the integrated measurement showing how long it has run.
// Loudness figures print through format_loudness (engine/base/decibels): the same text as
// `record --json` and `headroom log`.
//
// Threads: UI thread (ImGui).
#include <string>

#include "engine/settings/presets.hpp"
#include "ui/band_view.hpp"
#include "ui/fonts.hpp"
#include "ui/layout.hpp"
#include "ui/programme_ballistics.hpp"
#include "ui/readout.hpp"

struct ImDrawList;

namespace headroom::ui {

inline constexpr double kLufsTop = 0.0, kLufsBottom = -60.0;
inline constexpr double kLufsBroadcast = -23.0;  // EBU R 128
inline constexpr double kLufsStreaming = -14.0;  // the streaming platforms' normalisation

struct BusStripModel {
    const std::string* name = nullptr;
    const Preset* preset = nullptr;
    const ChannelDisplay* peak = nullptr;
    const BusDisplay* loudness = nullptr;
    const BandDisplay* bands = nullptr;   // null: the band view is off
    double clip_threshold_db = -0.1;
    bool true_peak = true;
    bool highlighted = false;
    float ui_scale = 1.0f;
};

// Everything a bus strip printed, as drawn (the screenshot sidecar reports it).
struct BusStripDrawn {
    Rect peak_bar, momentary_bar, short_term_bar, reset_button;
    Readout peak, headroom;
    char integrated[16] = "--", lra[16] = "--", plr[16] = "--", momentary_max[16] = "--", short_term_max[16] = "--";
    char stopwatch[24] = "0:00";
    BandsDrawn bands;
};

// The stopwatch as shown: "m:ss" below an hour, "h:mm:ss" from there. Any thread.
void format_stopwatch(double seconds, char* out, std::size_t size);

// The preferred width of a bus strip (logical px at `scale`).
float bus_strip_width(float scale, bool compact);

// Draws the bus into [x, x + w) x [y, y + h).
BusStripDrawn draw_bus_strip(ImDrawList* dl, float x, float y, float w, float h, const BusStripModel& m,
                             const Fonts& fonts, bool compact);

} // namespace headroom::ui
