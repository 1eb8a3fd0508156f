#include "ui/bus_strip.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "engine/base/decibels.hpp"
#include "ui/colours.hpp"
#include "ui/meter_strip.hpp"

namespace headroom::ui {
namespace {

// A loudness bar: background, the bar to `lufs`, the -23 / -14 marks across it.
void loudness_bar(ImDrawList* dl, const Rect& r, const DbScale& s, double lufs, Rgb colour) {
    dl->AddRectFilled(ImVec2(r.x0, r.y0), ImVec2(r.x1, r.y1), pack(kBarBackground));
    if (std::isfinite(lufs) && lufs > s.bottom_db)
        dl->AddRectFilled(ImVec2(r.x0, s.y_of(lufs)), ImVec2(r.x1, r.y1), pack(colour));
    for (double mark : {kLufsBroadcast, kLufsStreaming}) {
        const float y = std::floor(s.y_of(mark)) + 0.5f;
        dl->AddLine(ImVec2(r.x0, y), ImVec2(r.x1, y), pack(mark == kLufsStreaming ? kLufsMarkStreaming : kLufsMarkBroadcast), 2.0f);
    }
}

} // namespace

void format_stopwatch(double seconds, char* out, std::size_t size) {
    const long long t = std::isfinite(seconds) && seconds > 0.0 ? static_cast<long long>(seconds) : 0;
    if (t < 3600) std::snprintf(out, size, "%lld:%02lld", t / 60, t % 60);
    else std::snprintf(out, size, "%lld:%02lld:%02lld", t / 3600, (t / 60) % 60, t % 60);
}

float bus_strip_width(float scale, bool compact) { return (compact ? 132.0f : 210.0f) * scale; }

BusStripDrawn draw_bus_strip(ImDrawList* dl, float x, float y, float w, float h, const BusStripModel& m,
                             const Fonts& fonts, bool compact) {
    BusStripDrawn out;
    const float scale = m.ui_scale;
    const BusDisplay& l = *m.loudness;
    // Left: the peak strip, a channel's in all but its label.
    const float left_w = std::floor(0.46f * w);
    const StripRects r = strip_rects(x, y, left_w, h, scale, compact, m.bands != nullptr);
    DbScale db;
    db.y_top = r.bar.y0;
    db.y_bottom = r.bar.y1;
    StripModel sm;
    sm.name = m.name;
    sm.preset = m.preset;
    sm.display = m.peak;
    sm.clip_threshold_db = m.clip_threshold_db;
    sm.true_peak = m.true_peak;
    sm.highlighted = m.highlighted;
    sm.ui_scale = scale;
    sm.idle_label = "BUS";
    sm.bus = true;
    sm.bands = m.bands;
    out.peak = draw_meter_strip(dl, r, db, sm, fonts, compact);
    out.peak_bar = r.bar;
    out.headroom = headroom_readout(m.peak->peak_max_db, m.true_peak ? m.peak->true_peak_max_db : kSilenceDb, *m.preset,
                                    m.clip_threshold_db, compact ? 0 : 1);
    if (m.bands) {  // draw_meter_strip drew the view; the same texts for the sidecar
        out.bands.low_share[0] = '\0';
        format_low_share(m.bands->low_share_db, out.bands.low_share, sizeof out.bands.low_share);
        for (int b = 0; b < kBandCount; ++b)
            out.bands.peak[b] = level_readout(m.bands->peak_max_db[static_cast<std::size_t>(b)], *m.preset, m.clip_threshold_db, 0);
    }

    // Right: the LUFS scale, M and S bars, the numbers and the stopwatch.
    ImFont* f = fonts.small;
    const float gap = 4.0f * scale;
    const float rx0 = x + left_w + gap, rx1 = x + w - gap;
    const float line = f->FontSize + 3.0f * scale;
    const int lines = compact ? 7 : 6;  // compact peak strips have no readouts: headroom here
    const float button_h = ImGui::GetFrameHeight();
    const float numbers_h = static_cast<float>(lines) * line + button_h + 2.0f * gap;
    centred_text(dl, f, f->FontSize, rx0, rx1, r.header.y0, pack(kTextDim), "LUFS");
    const float bars_y0 = r.clip.y0, bars_y1 = std::max(bars_y0 + 20.0f * scale, y + h - numbers_h - line);
    DbScale ls;
    ls.top_db = kLufsTop;
    ls.bottom_db = kLufsBottom;
    ls.y_top = bars_y0;
    ls.y_bottom = bars_y1;
    const float label_w = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.0f, "-60").x + 4.0f * scale;
    const float bar_w = std::max(4.0f, (rx1 - rx0 - label_w - gap) / 2.0f);
    out.momentary_bar = {rx0 + label_w, bars_y0, rx0 + label_w + bar_w, bars_y1};
    out.short_term_bar = {out.momentary_bar.x1 + gap, bars_y0, out.momentary_bar.x1 + gap + bar_w, bars_y1};
    // Scale labels: every 10 LU dim, -23 and -14 in their marks' colours (not crowding the others).
    const float px_per_lu = (bars_y1 - bars_y0) / static_cast<float>(kLufsTop - kLufsBottom);
    for (double v = kLufsTop; v >= kLufsBottom; v -= 10.0) {
        if (std::fabs(v - kLufsBroadcast) * px_per_lu < f->FontSize || std::fabs(v - kLufsStreaming) * px_per_lu < f->FontSize) continue;
        char t[8];
        std::snprintf(t, sizeof t, "%.0f", v);
        dl->AddText(f, f->FontSize, ImVec2(rx0, std::floor(ls.y_of(v) - 0.5f * f->FontSize)), pack(kTextDim), t);
    }
    dl->AddText(f, f->FontSize, ImVec2(rx0, std::floor(ls.y_of(kLufsBroadcast) - 0.5f * f->FontSize)), pack(kLufsMarkBroadcast), "-23");
    dl->AddText(f, f->FontSize, ImVec2(rx0, std::floor(ls.y_of(kLufsStreaming) - 0.5f * f->FontSize)), pack(kLufsMarkStreaming), "-14");
    loudness_bar(dl, out.momentary_bar, ls, l.momentary_lufs, kLoudnessMomentary);
    loudness_bar(dl, out.short_term_bar, ls, l.short_term_lufs, kLoudnessShortTerm);
    centred_text(dl, f, f->FontSize, out.momentary_bar.x0, out.momentary_bar.x1, bars_y1 + 2.0f, pack(kText), "M");
    centred_text(dl, f, f->FontSize, out.short_term_bar.x0, out.short_term_bar.x1, bars_y1 + 2.0f, pack(kText), "S");

    format_loudness(l.integrated_lufs, out.integrated, sizeof out.integrated);
    format_loudness(l.loudness_range_lu, out.lra, sizeof out.lra);
    format_loudness(plr_lu(m.true_peak ? m.peak->true_peak_max_db : kSilenceDb, l.integrated_lufs), out.plr, sizeof out.plr);
    format_loudness(l.momentary_max_lufs, out.momentary_max, sizeof out.momentary_max);
    format_loudness(l.short_term_max_lufs, out.short_term_max, sizeof out.short_term_max);
    format_stopwatch(l.measured_s, out.stopwatch, sizeof out.stopwatch);
    float ty = bars_y1 + line + gap;
    auto number = [&](const char* label, const char* value, std::uint32_t col) {
        char t[48];
        std::snprintf(t, sizeof t, "%s %s", label, value);
        centred_text(dl, f, f->FontSize, rx0, rx1, ty, col, t);
        ty += line;
    };
    const std::uint32_t text = pack(kText);
    number("I", out.integrated, pack(kHighlight));
    number("LRA", out.lra, text);
    number("PLR", out.plr, text);
    number("M max", out.momentary_max, text);
    number("S max", out.short_term_max, text);
    if (compact) number("HR", out.headroom.text, number_colour(out.headroom.zone));
    ty += gap;
    // The start/reset button of the integrated measurement; the bridge handles its click.
    out.reset_button = {rx0, ty, rx1, ty + button_h};
    dl->AddRectFilled(ImVec2(rx0, ty), ImVec2(rx1, ty + button_h), pack(kButton), 3.0f);
    dl->AddRect(ImVec2(rx0, ty), ImVec2(rx1, ty + button_h), pack(kTextDim), 3.0f);
    char b[40];
    std::snprintf(b, sizeof b, "I %s  reset", out.stopwatch);
    centred_text(dl, f, f->FontSize, rx0, rx1, ty + 0.5f * (button_h - f->FontSize), text, b);
    // Grouping: a line down the strip's left edge.
    dl->AddLine(ImVec2(x - 0.5f * gap, y), ImVec2(x - 0.5f * gap, y + h), pack(kTick), 1.0f);
    return out;
}

} // namespace headroom::ui
