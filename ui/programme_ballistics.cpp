#include "ui/programme_ballistics.hpp"

#include <algorithm>
#include <cmath>

#include "engine/base/decibels.hpp"

namespace headroom::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The larger of two values where NaN is "no value".
double max_or(double a, double b) {
    if (std::isnan(a)) return b;
    if (std::isnan(b)) return a;
    return std::max(a, b);
}

} // namespace

double lufs_or_nan(float mean_square) {
    if (!(mean_square > 0.0f)) return kNaN;
    return lufs_from_mean_square(static_cast<double>(mean_square));
}

double plr_lu(double true_peak_max_db, double integrated_lufs) {
    if (!std::isfinite(true_peak_max_db) || !std::isfinite(integrated_lufs)) return kNaN;
    return true_peak_max_db - integrated_lufs;
}

void BandBallistics::update(const BandReadings& b, bool fresh, double now, const BallisticsOptions& o) {
    const double dt = last_now_ < 0.0 ? 0.0 : std::max(0.0, now - last_now_);
    last_now_ = now;
    for (int i = 0; i < kBandCount; ++i) {
        double& bar = d_.bar_db[static_cast<std::size_t>(i)];
        if (bar != kSilenceDb) {
            bar -= o.return_db_per_s * dt;
            if (bar < o.floor_db) bar = kSilenceDb;
        }
        if (!fresh) continue;
        const double peak = amplitude_to_db(b[static_cast<std::size_t>(i)].peak);
        bar = std::max(bar, peak);
        d_.peak_max_db[static_cast<std::size_t>(i)] = std::max(d_.peak_max_db[static_cast<std::size_t>(i)], peak);
    }
}

void BandBallistics::reset() {
    const double share = d_.low_share_db;  // the session's, not a maximum since reset
    d_ = BandDisplay{};
    d_.low_share_db = share;
}

void BusBallistics::update(const BusReading& r, bool fresh, std::uint64_t frames, double rate, float clip_threshold,
                           double now, const BallisticsOptions& o) {
    ChannelReading peak;
    peak.sample_peak = r.sample_peak;
    peak.true_peak = r.true_peak;
    if (fresh && r.sample_peak >= clip_threshold) peak.clip_runs = 1;
    peak_.update(peak, fresh, now, o);
    if (!fresh) return;
    if (r.resets != d_.resets) {  // the meter restarted the integrated measurement
        d_.resets = r.resets;
        reset_loudness_maxima();
    }
    if (r.momentary_ms >= 0.0f) d_.momentary_lufs = lufs_or_nan(r.momentary_ms);
    if (r.short_term_ms >= 0.0f) d_.short_term_lufs = lufs_or_nan(r.short_term_ms);
    d_.momentary_max_lufs = max_or(d_.momentary_max_lufs, lufs_or_nan(r.momentary_max_ms));
    d_.short_term_max_lufs = max_or(d_.short_term_max_lufs, lufs_or_nan(r.short_term_max_ms));
    d_.integrated_lufs = lufs_or_nan(r.integrated_ms);
    d_.loudness_range_lu = r.loudness_range_lu >= 0.0f ? static_cast<double>(r.loudness_range_lu) : kNaN;
    d_.measured_s = rate > 0.0 && frames >= r.measured_from ? static_cast<double>(frames - r.measured_from) / rate : 0.0;
}

void BusBallistics::reset(double now) {
    peak_.reset(now);
    bands_.reset();
    reset_loudness_maxima();
}

void BusBallistics::reset_loudness_maxima() {
    d_.momentary_max_lufs = d_.short_term_max_lufs = kNaN;
}

} // namespace headroom::ui
