#include "ui/meter_strip.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "ui/band_view.hpp"
#include "ui/colours.hpp"
#include "ui/readout.hpp"

namespace headroom::ui {
namespace {

constexpr double kAes17OffsetDb = 3.0103;
constexpr double kDangerDb = -3.0;          // DESIGN.md §3: danger from -3 dBFS
constexpr float kMinTextPx = 8.0f;

// Diagonal hatching ("/" lines, `step` px apart) inside [x0, x1] x [y0, y1]; `both` adds "\".
void hatch(ImDrawList* dl, float x0, float y0, float x1, float y1, float step, std::uint32_t col, bool both) {
    if (x1 <= x0 || y1 <= y0) return;
    // Plain (not anti-aliased) lines: 4 vertices each, and crisp at 1 px.
    const ImDrawListFlags saved = dl->Flags;
    dl->Flags &= ~ImDrawListFlags_AntiAliasedLines;
    struct Restore {
        ImDrawList* dl;
        ImDrawListFlags flags;
        ~Restore() { dl->Flags = flags; }
    } restore{dl, saved};
    // "/": x + y = s. Inside the rectangle x runs from max(x0, s - y1) to min(x1, s - y0).
    for (float s = x0 + y0 + step; s < x1 + y1; s += step) {
        const float lo = std::max(x0, s - y1), hi = std::min(x1, s - y0);
        if (hi > lo) dl->AddLine(ImVec2(lo, s - lo), ImVec2(hi, s - hi), col, 1.0f);
    }
    if (!both) return;
    // "\": y - x = s; x runs from max(x0, y0 - s) to min(x1, y1 - s).
    for (float s = y0 - x1 + step; s < y1 - x0; s += step) {
        const float lo = std::max(x0, y0 - s), hi = std::min(x1, y1 - s);
        if (hi > lo) dl->AddLine(ImVec2(lo, lo + s), ImVec2(hi, hi + s), col, 1.0f);
    }
}

std::uint32_t advice_colour(AdviceKind k) {
    switch (k) {
        case AdviceKind::None: return pack(kTextDim);
        case AdviceKind::OnTarget: return zone_colour(Zone::Target);
        case AdviceKind::Raise: return zone_colour(Zone::Low);
        case AdviceKind::Lower: return zone_colour(Zone::Hot);
        case AdviceKind::Clipped: return zone_colour(Zone::Clip);
    }
    return pack(kTextDim);
}

} // namespace

// Text centred horizontally in [x0, x1] at y, at `size` px; shrunk (never cut) to fit the
// width: a cut number would read as another number.
void centred_text(ImDrawList* dl, ImFont* font, float size, float x0, float x1, float y, std::uint32_t col,
                  const char* text) {
    ImVec2 ext = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text);
    const float w = x1 - x0;
    if (ext.x > w && ext.x > 0.0f) {
        const float fitted = std::max(kMinTextPx, std::floor(size * w / ext.x));
        y += 0.5f * (size - fitted);
        size = fitted;
        ext = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text);
    }
    const float x = ext.x < w ? x0 + 0.5f * (w - ext.x) : x0;
    const ImVec4 clip(x0, y, x1, y + size + 2.0f);
    dl->AddText(font, size, ImVec2(std::floor(x), std::floor(y)), col, text, nullptr, 0.0f, &clip);
}

std::string format_db(double db, int decimals) {
    if (std::isnan(db) || db == -INFINITY) return "--";
    char buf[32];
    const double r = std::round(db * std::pow(10.0, decimals)) / std::pow(10.0, decimals);
    if (r > 0.0) std::snprintf(buf, sizeof buf, "+%.*f", decimals, r);
    else std::snprintf(buf, sizeof buf, "%.*f", decimals, r == 0.0 ? 0.0 : r);
    return buf;
}

Zone bar_zone(double bar_db, const Preset& p, double clip_threshold_db) {
    return zone_of(bar_db, p, clip_threshold_db);
}

std::span<const char* const> strip_legend() {
    static const char* const lines[] = {
        "Bar: sample peak, falling back 20 dB in 1.7 s; inside it, darker: the running RMS. White line: peak hold.",
        "Green band and brackets: the preset's target window. Orange line: -3 dBFS; the bar above it is hatched,",
        "  above the clip threshold cross-hatched. Zones: blue too quiet, green on target, yellow hot,",
        "  orange at or above -3 dBFS, red full scale.",
        "Every number is a maximum since the last reset (R, or click the CLIP box), shown at once:",
        "  the big number: max sample peak; TP: max true peak; HR: headroom, 0 - the larger of the two;",
        "  RMS max: the loudest RMS window. A number has its own value's zone colour.",
        "CLIP n: clip events since reset (as in the clip log). Gain: the change that puts the loud peaks",
        "  in the window's centre; on a clipped channel, how much to lower at least.",
    };
    return lines;
}

std::uint32_t number_colour(Zone z) { return z == Zone::Silent ? pack(kTextDim) : zone_colour(z); }

std::string clip_details(const ChannelDisplay& d) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%llu clip event%s (%llu run%s, %llu full-scale sample%s) since reset",
                  static_cast<unsigned long long>(d.clip_events), d.clip_events == 1 ? "" : "s",
                  static_cast<unsigned long long>(d.clip_runs), d.clip_runs == 1 ? "" : "s",
                  static_cast<unsigned long long>(d.clipped_samples), d.clipped_samples == 1 ? "" : "s");
    return buf;
}

int fine_marks(const DbScale& scale, double* out, int max) {
    const double px_per_db = std::fabs(static_cast<double>(scale.y_bottom - scale.y_top)) / (scale.top_db - scale.bottom_db);
    if (px_per_db < kFineTickMinPxPerDb) return 0;
    int n = 0;
    for (int db = 6; db >= -6 && n < max; --db)
        if (db % 3 != 0 && db <= scale.top_db && db >= scale.bottom_db) out[n++] = db;  // 0, +-3, +-6 have their own
    return n;
}

void draw_scale_column(ImDrawList* dl, float x0, float x1, const DbScale& scale, const Fonts& fonts) {
    (void)x0;
    double marks[32];
    const int n = scale_marks(scale, marks, 32);
    ImFont* f = fonts.small;
    auto label = [&](double db, std::uint32_t col) {
        const float y = scale.y_of(db);
        char buf[16];
        std::snprintf(buf, sizeof buf, db > 0 ? "+%.0f" : "%.0f", db);
        const ImVec2 ext = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.0f, buf);
        dl->AddText(f, f->FontSize, ImVec2(std::floor(x1 - ext.x - 6.0f), std::floor(y - 0.5f * f->FontSize)), col, buf);
        dl->AddLine(ImVec2(x1 - 4.0f, y), ImVec2(x1, y), col);
    };
    for (int i = 0; i < n; ++i) label(marks[i], pack(marks[i] == 0.0 ? kText : kTextDim));
    // -3 dBFS, where danger begins: labelled in the danger colour when it does not crowd 0 and -6.
    const float px_per_db = (scale.y_bottom - scale.y_top) / static_cast<float>(scale.top_db - scale.bottom_db);
    if (px_per_db * 3.0f >= f->FontSize) label(kDangerDb, zone_colour(Zone::Danger));
    double fine[16];
    const int nf = fine_marks(scale, fine, 16);
    for (int i = 0; i < nf; ++i) {
        const float y = std::floor(scale.y_of(fine[i])) + 0.5f;
        dl->AddLine(ImVec2(x1 - 2.0f, y), ImVec2(x1, y), pack(kTextDim));
    }
}

Readout draw_meter_strip(ImDrawList* dl, const StripRects& r, const DbScale& scale, const StripModel& m,
                         const Fonts& fonts, bool compact) {
    const ChannelDisplay& d = *m.display;
    const Preset& p = *m.preset;
    const float strip_h = r.readouts.y1 - r.header.y0;
    const int decimals = compact ? 0 : 1;

    // Header: name, then the preset id.
    char fallback[16];
    std::snprintf(fallback, sizeof fallback, "In %d", m.channel);
    const char* name = (m.name && !m.name->empty()) ? m.name->c_str() : fallback;
    ImFont* head_font = compact ? fonts.small : fonts.normal;
    centred_text(dl, head_font, head_font->FontSize, r.header.x0, r.header.x1, r.header.y0, pack(kText), name);
    if (!compact)
        centred_text(dl, fonts.small, fonts.small->FontSize, r.header.x0, r.header.x1,
                     r.header.y0 + head_font->FontSize + 2.0f, pack(kTextDim), p.id.c_str());

    // Clip indicator. Latched: the clip colour, hatched, outlined, "CLIP n" (clip events since
    // reset, the log's count) -- text, texture and outline, not only hue.
    const ImVec2 c0(r.clip.x0, r.clip.y0), c1(r.clip.x1, r.clip.y1);
    if (!d.clip_latched) {  // the channel number, dim: strips stay identifiable when names are cut
        dl->AddRectFilled(c0, c1, pack(kClipOff), 3.0f);
        char num[16];
        if (m.idle_label) std::snprintf(num, sizeof num, "%s", m.idle_label);
        else std::snprintf(num, sizeof num, "%d", m.channel);
        ImFont* f = fonts.small;
        centred_text(dl, f, f->FontSize, r.clip.x0, r.clip.x1, r.clip.y0 + 0.5f * (r.clip.h() - f->FontSize),
                     pack(kClipOffText), num);
    } else {
        dl->AddRectFilled(c0, c1, pack(kClipOn), 3.0f);
        // Hatched inside a solid frame (the box's ends stay the plain clip colour).
        const float pad = std::min(6.0f * m.ui_scale, 0.2f * r.clip.w());
        hatch(dl, c0.x + pad, c0.y + 2.0f, c1.x - pad, c1.y - 2.0f, 8.0f * m.ui_scale, pack(kClipHatch, 150), false);
        dl->AddRect(c0, c1, pack(kClipOutline), 3.0f, 0, 2.0f);
        char buf[40];
        if (d.clip_events == 0) std::snprintf(buf, sizeof buf, "CLIP");
        else std::snprintf(buf, sizeof buf, "CLIP %llu", static_cast<unsigned long long>(d.clip_events));
        ImFont* f = compact ? fonts.small : fonts.normal;
        const float y = r.clip.y0 + 0.5f * (r.clip.h() - f->FontSize);
        // A dark shadow keeps the white text legible over the hatching.
        centred_text(dl, f, f->FontSize, r.clip.x0 + 1.0f, r.clip.x1 + 1.0f, y + 1.0f, pack(kClipHatch), buf);
        centred_text(dl, f, f->FontSize, r.clip.x0, r.clip.x1, y, pack(kClipText), buf);
    }

    // The max sample peak since reset, large, in its own zone's colour and decimals.
    const Readout peak = level_readout(d.peak_max_db, p, m.clip_threshold_db, decimals);
    {
        const float size = std::min(peak_number_px(r.peak_text.w(), strip_h, m.ui_scale, compact), r.peak_text.h());
        ImFont* f = compact ? fonts.small : fonts.big;
        centred_text(dl, f, size, r.peak_text.x0, r.peak_text.x1, r.peak_text.y0 + 0.5f * (r.peak_text.h() - size),
                     number_colour(peak.zone), peak.text);
    }

    // The bar area: background, the preset window as a band, tick marks, the bars. What the
    // peak bar will cover is not painted first (software rasterisers pay for every pixel).
    const ImVec2 b0(r.bar.x0, r.bar.y0), b1(r.bar.x1, r.bar.y1);
    const float inset = std::max(3.0f, 0.12f * r.bar.w());
    const float bx0 = b0.x + inset, bx1 = b1.x - inset;
    const bool has_bar = d.bar_db > scale.bottom_db;
    const float top = has_bar ? scale.y_of(d.bar_db) : b1.y;
    auto fill_around_bar = [&](float y0, float y1, std::uint32_t col) {
        if (y1 <= y0) return;
        const float covered = std::max(y0, top);  // the bar covers [top, b1.y) between bx0 and bx1
        if (covered > y0) dl->AddRectFilled(ImVec2(b0.x, y0), ImVec2(b1.x, covered), col);
        if (y1 > covered) {
            dl->AddRectFilled(ImVec2(b0.x, covered), ImVec2(bx0, y1), col);
            dl->AddRectFilled(ImVec2(bx1, covered), ImVec2(b1.x, y1), col);
        }
    };
    const float wy0 = scale.y_of(p.hi_dbfs), wy1 = scale.y_of(p.lo_dbfs);
    fill_around_bar(b0.y, wy0, pack(kBarBackground));
    fill_around_bar(wy0, wy1, pack(kTargetBand));
    fill_around_bar(wy1, b1.y, pack(kBarBackground));
    double marks[32];
    const int n = scale_marks(scale, marks, 32);
    for (int i = 0; i < n; ++i) {
        const float y = std::floor(scale.y_of(marks[i])) + 0.5f;
        const std::uint32_t col = marks[i] == 0.0 ? pack(kTickZero) : pack(kTick);
        if (y < top) {
            dl->AddLine(ImVec2(b0.x, y), ImVec2(b1.x, y), col);
        } else {  // beside the bar only
            dl->AddLine(ImVec2(b0.x, y), ImVec2(bx0, y), col);
            dl->AddLine(ImVec2(bx1, y), ImVec2(b1.x, y), col);
        }
    }
    // 1 dB ticks near 0 beside the bar, when the scale has room.
    double fine[16];
    const int nf = fine_marks(scale, fine, 16);
    for (int i = 0; i < nf; ++i) {
        const float y = std::floor(scale.y_of(fine[i]));  // 1 px rectangles: cheaper than lines
        dl->AddRectFilled(ImVec2(b0.x, y), ImVec2(b0.x + 0.5f * inset, y + 1.0f), pack(kTick));
        dl->AddRectFilled(ImVec2(b1.x - 0.5f * inset, y), ImVec2(b1.x, y + 1.0f), pack(kTick));
    }

    // Bars: peak (zone colour), RMS inside (a darker, narrower column). The part at or above
    // -3 dBFS is hatched, above the clip threshold cross-hatched.
    const float y_danger = std::floor(scale.y_of(kDangerDb));
    if (has_bar) {
        const Zone z = bar_zone(d.bar_db, p, m.clip_threshold_db);
        const Rgb c = zone_rgb(z);
        dl->AddRectFilled(ImVec2(bx0, top), ImVec2(bx1, b1.y), pack(c));
        // The RMS column never stands above the peak bar beside it (a source that stopped leaves
        // its last RMS while the bar falls).
        const double rms_db = std::min(d.rms_db + (m.rms_aes17 ? kAes17OffsetDb : 0.0), d.bar_db);
        if (rms_db > scale.bottom_db) {
            const float rw = 0.3f * (bx1 - bx0);
            const float mid = 0.5f * (bx0 + bx1);
            dl->AddRectFilled(ImVec2(mid - rw, scale.y_of(rms_db)), ImVec2(mid + rw, b1.y), pack(rms_shade(c)));
        }
        if (top < y_danger) {
            const float step = 8.0f * m.ui_scale;
            const float y_clip = std::floor(scale.y_of(m.clip_threshold_db));
            hatch(dl, bx0, top, bx1, y_danger, step, pack(kClipHatch, 140), false);
            if (top < y_clip) hatch(dl, bx0, top, bx1, y_clip, step, pack(kClipHatch, 140), true);
        }
    }
    // The -3 dBFS line, across the bar area, where danger begins.
    dl->AddRectFilled(ImVec2(b0.x, y_danger), ImVec2(b1.x, y_danger + std::max(1.0f, std::floor(m.ui_scale))),
                      zone_colour(Zone::Danger, 200));
    // The preset window's bracket, drawn over the bar so it stays visible.
    const float edge = std::max(2.0f, 0.06f * r.bar.w());
    dl->AddRectFilled(ImVec2(b0.x, wy0), ImVec2(b0.x + edge, wy1), pack(kTargetEdge));
    dl->AddRectFilled(ImVec2(b1.x - edge, wy0), ImVec2(b1.x, wy1), pack(kTargetEdge));
    // Peak-hold line.
    if (d.hold_db > scale.bottom_db) {
        const float y = std::floor(scale.y_of(d.hold_db));
        dl->AddRectFilled(ImVec2(bx0, y - 1.0f), ImVec2(bx1, y + 1.0f), pack(kHoldLine));
    }

    if (m.highlighted)
        dl->AddRect(ImVec2(r.header.x0 - 1.0f, r.header.y0 - 1.0f), ImVec2(r.readouts.x1 + 1.0f, r.readouts.y1 + 1.0f),
                    pack(kHighlight), 3.0f, 0, 3.0f);

    if (m.bands) draw_band_view(dl, r.bands, *m.bands, p, m.clip_threshold_db, fonts, compact, m.ui_scale);

    if (compact) return peak;
    // Numbers under the bar, each a maximum since reset: true peak, headroom, RMS max, advice.
    ImFont* f = fonts.small;
    const float lh = r.readouts.h() / 4.0f;
    const float size = std::min(readout_number_px(r.readouts.w(), strip_h, m.ui_scale), lh);
    float y = r.readouts.y0 + 0.5f * (lh - size);
    const float x0 = r.readouts.x0, x1 = r.readouts.x1;
    char buf[48];
    if (m.true_peak) {
        const Readout tp = level_readout(d.true_peak_max_db, p, m.clip_threshold_db, decimals);
        std::snprintf(buf, sizeof buf, "TP %s", tp.text);
        centred_text(dl, f, size, x0, x1, y, number_colour(tp.zone), buf);
    } else {
        centred_text(dl, f, size, x0, x1, y, pack(kTextDim), "TP off");  // not measured
    }
    y += lh;
    // With true peak off the true-peak maxima carry the sample peak: headroom is the sample peak's.
    const Readout hr = headroom_readout(d.peak_max_db, m.true_peak ? d.true_peak_max_db : kSilenceDb, p,
                                        m.clip_threshold_db, decimals);
    std::snprintf(buf, sizeof buf, "HR %s", hr.text);
    centred_text(dl, f, size, x0, x1, y, number_colour(hr.zone), buf);
    y += lh;
    if (m.bus) return peak;
    // RMS max: the loudest RMS window since reset. The window's zones are for peaks, so the RMS
    // number has no zone colour.
    const double rms = d.rms_max_db + (m.rms_aes17 ? kAes17OffsetDb : 0.0);
    std::snprintf(buf, sizeof buf, "%s %s", kRmsLabel, format_db(rms).c_str());
    centred_text(dl, f, size, x0, x1, y, pack(kText), buf);
    y += lh;
    const bool clipped = d.clip_latched || d.clip_events > 0 || zone_of(d.peak_max_db, p, m.clip_threshold_db) == Zone::Clip ||
                         (m.true_peak && zone_of(d.true_peak_max_db, p, m.clip_threshold_db) == Zone::Clip);
    const Advice a = gain_advice(m.gain_advice_db, clipped, d.peak_max_db, m.true_peak ? d.true_peak_max_db : kSilenceDb, p);
    centred_text(dl, f, size, x0, x1, y, advice_colour(a.kind), a.text);
    return peak;
}

} // namespace headroom::ui
