#pragma once
// A channel's label in the width a strip (or a list entry) has: the whole name when it fits;
// otherwise the channel number, a space, as much of the name as fits and an ellipsis
// ("12 Bass D…"), so a cut name never looks like another channel's ("Bass DI 2" never reads
// as "Bass DI"); when even that does not fit, the number alone. Names are cut between
// UTF-8 characters, never inside one, and never clipped mid-glyph by the drawing.
//
// Threads: any thread (pure; allocates the result).
#include <functional>
#include <string>
#include <string_view>

namespace headroom::ui {

// Width of a text in the font it will be drawn with (logical px).
using MeasureText = std::function<float(std::string_view)>;

// `ellipsis`: "\u2026" when the font has the glyph, else "...".
std::string fit_label(int channel, std::string_view name, float max_w, const MeasureText& measure,
                      std::string_view ellipsis = "\xE2\x80\xA6");

} // namespace headroom::ui
