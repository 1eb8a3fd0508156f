#include "ui/layout.hpp"

#include <algorithm>
#include <cmath>

#include "ui/readout.hpp"

namespace headroom::ui {
namespace {

BridgeLayout fit(int n, float avail_w, float avail_h, float scale, bool compact, const LayoutLimits& lim) {
    BridgeLayout l;
    l.compact = compact;
    l.scale_w = lim.scale_w * scale;
    const float min_w = (compact ? lim.min_strip_w_compact : lim.min_strip_w) * scale;
    const float max_w = (compact ? lim.max_strip_w_compact : lim.max_strip_w) * scale;
    const float min_h = (compact ? lim.min_row_h_compact : lim.min_row_h) * scale;
    const float usable = std::max(1.0f, avail_w - l.scale_w);
    n = std::max(1, n);
    int per_row = std::max(1, static_cast<int>(std::floor(usable / min_w)));
    per_row = std::min(per_row, n);
    const int rows = (n + per_row - 1) / per_row;
    // Spread the strips evenly over the rows (8 in 2 rows: 4 + 4, not 7 + 1).
    per_row = (n + rows - 1) / rows;
    l.per_row = per_row;
    l.rows = rows;
    l.strip_w = std::min(max_w, usable / static_cast<float>(per_row));
    l.left = std::max(0.0f, (usable - l.strip_w * static_cast<float>(per_row)) / 2.0f);
    l.row_h = std::max(min_h, avail_h / static_cast<float>(rows));
    l.content_h = l.row_h * static_cast<float>(rows);
    l.scrolls = l.content_h > avail_h + 0.5f;
    return l;
}

} // namespace

BridgeLayout compute_layout(int channels, float avail_w, float avail_h, float scale, bool want_compact,
                            const LayoutLimits& lim) {
    BridgeLayout normal = fit(channels, avail_w, avail_h, scale, want_compact, lim);
    if (want_compact || !normal.scrolls) return normal;
    // Normal strips would scroll: compact ones show more at once (and may not scroll at all).
    return fit(channels, avail_w, avail_h, scale, true, lim);
}

void strip_origin(const BridgeLayout& l, int index, float& x, float& y) {
    const int row = index / l.per_row;
    const int col = index % l.per_row;
    x = l.left + l.scale_w + static_cast<float>(col) * l.strip_w;
    y = static_cast<float>(row) * l.row_h;
}

float bands_height(float scale, bool compact) { return (compact ? 40.0f : 58.0f) * scale; }

StripRects strip_rects(float x, float y, float w, float h, float scale, bool compact, bool bands) {
    StripRects r;
    const float line = (compact ? 16.0f : 19.0f) * scale;
    const float gap = 4.0f * scale;
    const float inner_w = std::max(1.0f, w - gap);
    float cy = y + 2.0f * scale;
    r.header = {x, cy, x + inner_w, cy + (compact ? line : 2.0f * line)};
    cy = r.header.y1 + 2.0f * scale;
    r.clip = {x, cy, x + inner_w, cy + (compact ? 16.0f : 22.0f) * scale};
    cy = r.clip.y1 + 2.0f * scale;
    // The numbers grow with the strip (ui/readout.hpp).
    const float peak_h = std::max((compact ? 16.0f : 26.0f) * scale, peak_number_px(inner_w, h, scale, compact) + 4.0f * scale);
    r.peak_text = {x, cy, x + inner_w, cy + peak_h};
    cy = r.peak_text.y1 + 4.0f * scale;
    const float bottom = y + h - gap;
    const float readouts_h = compact ? 0.0f : 4.0f * std::max(line, readout_number_px(inner_w, h, scale) + 5.0f * scale);
    r.readouts = {x, bottom - readouts_h, x + inner_w, bottom};
    const float bands_h = bands ? bands_height(scale, compact) : 0.0f;
    r.bands = {x, r.readouts.y0 - bands_h, x + inner_w, r.readouts.y0};
    r.bar = {x, cy, x + inner_w, std::max(cy + 10.0f * scale, r.bands.y0 - 4.0f * scale)};
    return r;
}

LogPlacement place_log(bool docked, float vw, float vh, float scale) {
    LogPlacement p;
    const float min_w = std::min(vw, kMinLogWidth * scale);
    if (docked) {
        const float w = std::min(std::max(min_w, 0.4f * vw), 0.5f * vw);
        p.bridge_w = vw - w;
        p.log = {p.bridge_w, 0.0f, vw, vh};
        return p;
    }
    p.bridge_w = vw;
    const float w = std::max(min_w, 0.45f * vw);
    const float h = 0.8f * vh;
    p.log = {vw - w, 0.1f * vh, vw, 0.1f * vh + h};
    return p;
}

float DbScale::y_of(double db) const {
    if (std::isnan(db) || db <= bottom_db) return y_bottom;
    if (db >= top_db) return y_top;
    const double t = (top_db - db) / (top_db - bottom_db);
    return static_cast<float>(y_top + t * (y_bottom - y_top));
}

int scale_marks(const DbScale& s, double* out, int max) {
    int n = 0;
    // Marks at multiples of 6 dB (0, -6, ..., and +6 above full scale).
    double db = std::floor(s.top_db / 6.0) * 6.0;
    for (; db >= s.bottom_db - 1e-9 && n < max; db -= 6.0) out[n++] = db;
    return n;
}

} // namespace headroom::ui
