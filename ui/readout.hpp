#pragma once
// The numbers of a strip as text and zone (DESIGN.md §2, "One truth on the glass"): one pure
// function per kind of number, so every strip, compact or not, prints and colours a level
// the same way.
//  - A level's text takes the zone of its own value and shows enough decimals never to round
//    into a neighbouring zone: -12.05 under a -15..-12 window prints "-12.05" (hot), never
//    "-12.0" or "-12"; -12.5 on a compact strip prints "-12.5" (on target), not "-13".
//  - Headroom is 0 - the larger of the max sample peak and the max true peak, printed with the
//    same decimals as that level and in its zone ("HR 0.4", "HR -0.9"; never "HR .0").
//  - Gain advice on a channel that clipped says how much to lower, at least, in the clip zone.
// And the sizes the numbers are drawn at, growing with the strip.
//
// Threads: any thread (pure functions, no allocation).
#include <optional>

#include "engine/settings/presets.hpp"

namespace headroom::ui {

struct Readout {
    char text[24] = "--";   // "-12.05", "+2.4", "0.0"; silence "--"; never clamped
    Zone zone = Zone::Silent;
};

// A level (dBFS / dBTP) with at least `min_decimals` decimals (1 on normal strips, 0 on
// compact ones) and up to 2 more, as many as keep the printed value in the value's zone. If
// even that would cross a zone edge (the value is within 0.005 dB of it), the last digit is
// rounded towards the value's own zone (-12.0001 hot reads "-11.999"... at most 10^-3 dB off).
Readout level_readout(double level_db, const Preset& p, double clip_threshold_db, int min_decimals);

// Headroom: the text is the negated text of level_readout(max(sample, true peak)), its zone
// that level's zone; "--" for silence.
Readout headroom_readout(double sample_peak_max_db, double true_peak_max_db, const Preset& p,
                         double clip_threshold_db, int min_decimals);

// What the gain-advice line says and its colour class.
enum class AdviceKind { None, OnTarget, Raise, Lower, Clipped };
struct Advice {
    char text[32] = "gain --";
    AdviceKind kind = AdviceKind::None;
};
// `advice_db` from the session's summary (after 10 s of activity); `clipped`: the channel
// clipped since the last reset. A clipped channel never reads "on target": it says
// "lower ≥ X dB", X = the larger of (loudest max peak − the window's centre) and −advice,
// one decimal rounded up. Otherwise "gain +2.5" (raise), "gain −4.0" (lower), green within
// ±1.5 dB ("gain +0.4").
Advice gain_advice(std::optional<double> advice_db, bool clipped, double sample_peak_max_db,
                   double true_peak_max_db, const Preset& p);

// Pixel sizes of a strip's numbers for a strip of width w and height h (logical px, already
// scaled) at UI scale `scale`: the big max-peak number and the small readouts. They grow with
// the strip within limits (13..22 px compact, 22..44 px big, 13..20 px small, times scale).
float peak_number_px(float strip_w, float strip_h, float scale, bool compact);
float readout_number_px(float strip_w, float strip_h, float scale);

} // namespace headroom::ui
