#include "ui/band_view.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "ui/colours.hpp"
#include "ui/meter_strip.hpp"

namespace headroom::ui {
namespace {

constexpr const char* kBandLetters[kBandCount] = {"L", "M", "H"};
constexpr double kTopDb = 6.0, kBottomDb = -60.0;  // the strips' scale, laid horizontally

} // namespace

void format_low_share(double db, char* out, std::size_t size) {
    if (!std::isfinite(db)) std::snprintf(out, size, "--");
    else std::snprintf(out, size, "%s", format_db(db, 1).c_str());
}

BandsDrawn draw_band_view(ImDrawList* dl, const Rect& r, const BandDisplay& d, const Preset& p, double clip_threshold_db,
                          const Fonts& fonts, bool compact, float scale) {
    BandsDrawn out;
    if (r.h() <= 0.0f || r.w() <= 0.0f) return out;
    ImFont* f = fonts.small;
    const float row_h = r.h() / 4.0f;
    const float letter_w = compact ? 0.0f : f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.0f, "M").x + 3.0f * scale;
    const float number_w = compact ? 0.0f : std::min(0.42f * r.w(), f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.0f, "-88.8").x + 2.0f);
    const float bar_x0 = r.x0 + letter_w, bar_x1 = r.x1 - number_w - (compact ? 0.0f : 2.0f * scale);
    const float bar_h = std::max(3.0f, std::min(row_h - 3.0f * scale, 9.0f * scale));
    for (int b = 0; b < kBandCount; ++b) {
        const std::size_t i = static_cast<std::size_t>(b);
        const float y = r.y0 + static_cast<float>(b) * row_h;
        const float by = y + 0.5f * (row_h - bar_h);
        dl->AddRectFilled(ImVec2(bar_x0, by), ImVec2(bar_x1, by + bar_h), pack(kBarBackground));
        if (d.bar_db[i] > kBottomDb) {
            const double t = (std::min(d.bar_db[i], kTopDb) - kBottomDb) / (kTopDb - kBottomDb);
            const float x = bar_x0 + static_cast<float>(t) * (bar_x1 - bar_x0);
            dl->AddRectFilled(ImVec2(bar_x0, by), ImVec2(x, by + bar_h), zone_colour(zone_of(d.bar_db[i], p, clip_threshold_db)));
        }
        // The preset window and 0 dBFS as ticks, so the band bars read like the main bar.
        for (double db : {p.lo_dbfs, p.hi_dbfs, 0.0}) {
            const float x = bar_x0 + static_cast<float>((db - kBottomDb) / (kTopDb - kBottomDb)) * (bar_x1 - bar_x0);
            dl->AddLine(ImVec2(std::floor(x) + 0.5f, by - 1.0f), ImVec2(std::floor(x) + 0.5f, by + bar_h + 1.0f),
                        pack(db == 0.0 ? kTickZero : kTargetEdge));
        }
        out.peak[i] = level_readout(d.peak_max_db[i], p, clip_threshold_db, 0);
        if (!compact) {
            const float ty = y + 0.5f * (row_h - f->FontSize);
            dl->AddText(f, f->FontSize, ImVec2(r.x0, std::floor(ty)), pack(kTextDim), kBandLetters[b]);
            centred_text(dl, f, f->FontSize, r.x1 - number_w, r.x1, ty, number_colour(out.peak[i].zone), out.peak[i].text);
        }
    }
    format_low_share(d.low_share_db, out.low_share, sizeof out.low_share);
    char line[32];
    if (compact) std::snprintf(line, sizeof line, "%s", out.low_share);
    else std::snprintf(line, sizeof line, "low %s dB", out.low_share);
    centred_text(dl, f, f->FontSize, r.x0, r.x1, r.y0 + 3.0f * row_h + 0.5f * (row_h - f->FontSize), pack(kText), line);
    return out;
}

} // namespace headroom::ui
