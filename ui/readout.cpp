#include "ui/readout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/base/decibels.hpp"

namespace headroom::ui {
namespace {

constexpr int kExtraDecimals = 2;  // beyond the strip's own: enough for any float level

// `v` (already rounded to `decimals`) as "+2.4", "-12.05", "0.0".
void print_level(char* out, std::size_t n, double v, int decimals) {
    if (v == 0.0) std::snprintf(out, n, "%.*f", decimals, 0.0);  // never "-0.0" or "+0.0"
    else if (v > 0.0) std::snprintf(out, n, "+%.*f", decimals, v);
    else std::snprintf(out, n, "%.*f", decimals, v);
}

double pow10i(int d) {
    double p = 1.0;
    for (int i = 0; i < d; ++i) p *= 10.0;
    return p;
}

// The louder of two levels, NaN ignored; -inf when both are silent.
double louder(double a, double b) {
    double l = -INFINITY;
    if (!std::isnan(a)) l = std::max(l, a);
    if (!std::isnan(b)) l = std::max(l, b);
    return l;
}

} // namespace

Readout level_readout(double level_db, const Preset& p, double clip_threshold_db, int min_decimals) {
    Readout out;
    if (std::isnan(level_db) || level_db == -INFINITY) return out;  // "--", Silent
    const Zone z = zone_of(level_db, p, clip_threshold_db);
    out.zone = z;
    const int first = std::clamp(min_decimals, 0, 3);
    const int last = first + kExtraDecimals;
    for (int d = first; d <= last; ++d) {
        const double k = pow10i(d);
        const double r = std::round(level_db * k) / k;
        if (zone_of(r, p, clip_threshold_db) == z || d == last) {
            double shown = r;
            if (zone_of(r, p, clip_threshold_db) != z) {  // within 10^-last of an edge: round towards z
                const double down = std::floor(level_db * k) / k, up = std::ceil(level_db * k) / k;
                if (zone_of(down, p, clip_threshold_db) == z) shown = down;
                else if (zone_of(up, p, clip_threshold_db) == z) shown = up;
            }
            print_level(out.text, sizeof out.text, shown, d);
            return out;
        }
    }
    return out;  // not reached
}

Readout headroom_readout(double sample_peak_max_db, double true_peak_max_db, const Preset& p,
                         double clip_threshold_db, int min_decimals) {
    const double hr = headroom_db(sample_peak_max_db, true_peak_max_db);
    Readout out;
    if (hr == INFINITY) return out;  // silence: "--"
    // The level headroom is measured from; its text negated keeps the decimals and the zone.
    const Readout level = level_readout(-hr, p, clip_threshold_db, min_decimals);
    out.zone = level.zone;
    // "-0.4" -> "0.4", "+0.9" -> "-0.9", "0.0" -> "0.0".
    const char* digits = (level.text[0] == '-' || level.text[0] == '+') ? level.text + 1 : level.text;
    std::size_t n = 0;
    if (level.text[0] == '+') out.text[n++] = '-';
    for (; *digits && n + 1 < sizeof out.text; ++digits) out.text[n++] = *digits;
    out.text[n] = '\0';
    return out;
}

Advice gain_advice(std::optional<double> advice_db, bool clipped, double sample_peak_max_db,
                   double true_peak_max_db, const Preset& p) {
    Advice a;
    if (clipped) {
        a.kind = AdviceKind::Clipped;
        double lower = louder(sample_peak_max_db, true_peak_max_db) - p.centre();
        if (advice_db && !std::isnan(*advice_db)) lower = std::max(lower, -*advice_db);
        if (std::isfinite(lower) && lower > 0.0) {
            const double up = std::ceil(lower * 10.0 - 1e-9) / 10.0;  // at least: round up
            std::snprintf(a.text, sizeof a.text, "lower \xe2\x89\xa5 %.1f dB", up);
        } else {
            std::snprintf(a.text, sizeof a.text, "clipped: lower");
        }
        return a;
    }
    if (!advice_db || std::isnan(*advice_db)) return a;  // "gain --"
    const double r = std::round(*advice_db * 10.0) / 10.0;
    char num[24];
    print_level(num, sizeof num, r, 1);
    std::snprintf(a.text, sizeof a.text, "gain %s", num);
    a.kind = std::fabs(*advice_db) < 1.5 ? AdviceKind::OnTarget : (*advice_db > 0.0 ? AdviceKind::Raise : AdviceKind::Lower);
    return a;
}

float peak_number_px(float strip_w, float strip_h, float scale, bool compact) {
    const float lo = (compact ? 13.0f : 22.0f) * scale, hi = (compact ? 22.0f : 44.0f) * scale;
    const float want = std::min((compact ? 0.30f : 0.20f) * strip_w, 0.07f * strip_h);
    return std::clamp(want, lo, hi);
}

float readout_number_px(float strip_w, float strip_h, float scale) {
    const float want = std::min(0.09f * strip_w, 0.045f * strip_h);
    return std::clamp(want, 13.0f * scale, 20.0f * scale);
}

} // namespace headroom::ui
