#pragma once
// The band view (DESIGN.md §6, "the low end"): under a strip's bar, one row per band -- L
// (below 150 Hz), M (150 Hz - 5 kHz), H (above 5 kHz) -- each a small horizontal peak bar on
// the strip's dBFS scale, coloured by the zone of the strip's preset like the main bar, with
// the band's max peak since reset; then the low share (low-band RMS - full-band RMS, live,
// ui/programme_ballistics.hpp) in dB. Compact strips show the bars and the low share only.
//
// Threads: UI thread (ImGui).
#include "engine/settings/presets.hpp"
#include "ui/fonts.hpp"
#include "ui/layout.hpp"
#include "ui/programme_ballistics.hpp"
#include "ui/readout.hpp"

struct ImDrawList;

namespace headroom::ui {

// What the view printed: each band's max peak and the low share, as drawn.
struct BandsDrawn {
    Readout peak[kBandCount];
    char low_share[16] = "--";
};

// The low share as printed: "-6.2" (one decimal; "--" without a value). Any thread.
void format_low_share(double db, char* out, std::size_t size);

BandsDrawn draw_band_view(ImDrawList* dl, const Rect& r, const BandDisplay& d, const Preset& p, double clip_threshold_db,
                          const Fonts& fonts, bool compact, float scale);

} // namespace headroom::ui
