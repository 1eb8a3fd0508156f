#include "ui/meter_strip.hpp"

#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "ui/colours.hpp"

namespace headroom::ui {
namespace {

constexpr double kAes17OffsetDb = 3.0103;

// Text centred horizontally in [x0, x1] at y, clipped to the width.
void centred_text(ImDrawList* dl, ImFont* font, float x0, float x1, float y, std::uint32_t col, const char* text) {
    const float size = font->FontSize;
    const ImVec2 ext = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text);
    const float x = ext.x < x1 - x0 ? x0 + 0.5f * (x1 - x0 - ext.x) : x0;
    const ImVec4 clip(x0, y, x1, y + size + 2.0f);
    dl->AddText(font, size, ImVec2(std::floor(x), std::floor(y)), col, text, nullptr, 0.0f, &clip);
}

} // namespace

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

void draw_scale_column(ImDrawList* dl, float x0, float x1, const DbScale& scale, const Fonts& fonts) {
    (void)x0;
    double marks[32];
    const int n = scale_marks(scale, marks, 32);
    ImFont* f = fonts.small;
    for (int i = 0; i < n; ++i) {
        const float y = scale.y_of(marks[i]);
        char buf[16];
        std::snprintf(buf, sizeof buf, marks[i] > 0 ? "+%.0f" : "%.0f", marks[i]);
        const ImVec2 ext = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.0f, buf);
        const std::uint32_t col = pack(marks[i] == 0.0 ? kText : kTextDim);
        dl->AddText(f, f->FontSize, ImVec2(std::floor(x1 - ext.x - 6.0f), std::floor(y - 0.5f * f->FontSize)), col, buf);
        dl->AddLine(ImVec2(x1 - 4.0f, y), ImVec2(x1, y), col);
    }
}

void draw_meter_strip(ImDrawList* dl, const StripRects& r, const DbScale& scale, const StripModel& m,
                      const Fonts& fonts, bool compact) {
    const ChannelDisplay& d = *m.display;
    const Preset& p = *m.preset;

    // Header: name, then the preset id.
    char fallback[16];
    std::snprintf(fallback, sizeof fallback, "In %d", m.channel);
    const char* name = (m.name && !m.name->empty()) ? m.name->c_str() : fallback;
    ImFont* head_font = compact ? fonts.small : fonts.normal;
    centred_text(dl, head_font, r.header.x0, r.header.x1, r.header.y0, pack(kText), name);
    if (!compact)
        centred_text(dl, fonts.small, r.header.x0, r.header.x1, r.header.y0 + head_font->FontSize + 2.0f,
                     pack(kTextDim), p.id.c_str());

    // Clip indicator: red and labelled while latched.
    dl->AddRectFilled(ImVec2(r.clip.x0, r.clip.y0), ImVec2(r.clip.x1, r.clip.y1),
                      pack(d.clip_latched ? kClipOn : kClipOff), 3.0f);
    if (!d.clip_latched) {  // the channel number, dim: strips stay identifiable when names are cut
        char num[16];
        std::snprintf(num, sizeof num, "%d", m.channel);
        ImFont* f = fonts.small;
        centred_text(dl, f, r.clip.x0, r.clip.x1, r.clip.y0 + 0.5f * (r.clip.h() - f->FontSize), pack({120, 84, 88}), num);
    } else {
        char buf[40];
        if (compact || d.clips_since_reset <= 1) std::snprintf(buf, sizeof buf, "CLIP");
        else std::snprintf(buf, sizeof buf, "CLIP %llu", static_cast<unsigned long long>(d.clips_since_reset));
        ImFont* f = compact ? fonts.small : fonts.normal;
        centred_text(dl, f, r.clip.x0, r.clip.x1, r.clip.y0 + 0.5f * (r.clip.h() - f->FontSize), pack({255, 255, 255}), buf);
    }

    // The max sample peak since reset, large, coloured by its zone.
    {
        const std::string txt = format_db(d.peak_max_db, compact ? 0 : 1);
        const Zone z = zone_of(d.peak_max_db, p, m.clip_threshold_db);
        const std::uint32_t col = z == Zone::Silent ? pack(kTextDim) : (z == Zone::Low ? pack(kText) : zone_colour(z));
        ImFont* f = compact ? fonts.small : fonts.big;
        centred_text(dl, f, r.peak_text.x0, r.peak_text.x1, r.peak_text.y0, col, txt.c_str());
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
        const std::uint32_t col = marks[i] == 0.0 ? pack({120, 120, 130}) : pack({60, 64, 74});
        if (y < top) {
            dl->AddLine(ImVec2(b0.x, y), ImVec2(b1.x, y), col);
        } else {  // beside the bar only
            dl->AddLine(ImVec2(b0.x, y), ImVec2(bx0, y), col);
            dl->AddLine(ImVec2(bx1, y), ImVec2(b1.x, y), col);
        }
    }

    // Bars: peak (zone colour), RMS inside (a darker, narrower column).
    if (has_bar) {
        const Zone z = bar_zone(d.bar_db, p, m.clip_threshold_db);
        const Rgb c = zone_rgb(z);
        dl->AddRectFilled(ImVec2(bx0, top), ImVec2(bx1, b1.y), pack(c));
        const double rms_db = d.rms_db + (m.rms_aes17 ? kAes17OffsetDb : 0.0);
        if (rms_db > scale.bottom_db) {
            const float rw = 0.3f * (bx1 - bx0);
            const float mid = 0.5f * (bx0 + bx1);
            dl->AddRectFilled(ImVec2(mid - rw, scale.y_of(rms_db)), ImVec2(mid + rw, b1.y), pack(rms_shade(c)));
        }
    }
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

    if (compact) return;
    // Numbers under the bar: true peak, headroom, RMS, gain advice.
    ImFont* f = fonts.small;
    const float lh = (r.readouts.h()) / 4.0f;
    float y = r.readouts.y0 + 0.5f * (lh - f->FontSize);
    char buf[48];
    if (m.true_peak) {
        std::snprintf(buf, sizeof buf, "TP %s", format_db(d.true_peak_max_db).c_str());
        const Zone tpz = zone_of(d.true_peak_max_db, p, m.clip_threshold_db);
        centred_text(dl, f, r.readouts.x0, r.readouts.x1, y,
                     (tpz == Zone::Clip || tpz == Zone::Danger) ? zone_colour(tpz) : pack(kText), buf);
    } else {
        centred_text(dl, f, r.readouts.x0, r.readouts.x1, y, pack(kTextDim), "TP off");  // not measured
    }
    y += lh;
    const double headroom = d.peak_max_db == kSilenceDb ? kSilenceDb : -d.peak_max_db;
    // Headroom is a distance below full scale: unsigned while positive, negative above 0 dBFS.
    std::snprintf(buf, sizeof buf, "HR %s", headroom == kSilenceDb ? "--" : (headroom > 0.0 ? format_db(headroom).substr(1) : format_db(headroom)).c_str());
    centred_text(dl, f, r.readouts.x0, r.readouts.x1, y, pack(kText), buf);
    y += lh;
    const double rms = d.rms_readout_db + (m.rms_aes17 ? kAes17OffsetDb : 0.0);
    std::snprintf(buf, sizeof buf, "RMS %s", format_db(rms).c_str());
    centred_text(dl, f, r.readouts.x0, r.readouts.x1, y, pack(kTextDim), buf);
    y += lh;
    if (m.gain_advice_db) {
        std::snprintf(buf, sizeof buf, "gain %s", format_db(*m.gain_advice_db).c_str());
        const bool ok = std::fabs(*m.gain_advice_db) < 1.5;
        centred_text(dl, f, r.readouts.x0, r.readouts.x1, y, pack(ok ? kTargetEdge : zone_rgb(Zone::Hot)), buf);
    } else {
        centred_text(dl, f, r.readouts.x0, r.readouts.x1, y, pack(kTextDim), "gain --");
    }
}

} // namespace headroom::ui
