#include "ui/ballistics.hpp"

#include <algorithm>
#include <cmath>

#include "engine/base/decibels.hpp"

namespace headroom::ui {

void ChannelBallistics::update(const ChannelReading& r, bool fresh, double now, const BallisticsOptions& o) {
    const double dt = last_now_ < 0.0 ? 0.0 : std::max(0.0, now - last_now_);
    last_now_ = now;
    const double fall = o.return_db_per_s * dt;

    // Bar: fall back, then rise at once to the new peak.
    if (d_.bar_db != kSilenceDb) {
        d_.bar_db -= fall;
        if (d_.bar_db < o.floor_db) d_.bar_db = kSilenceDb;
    }
    // Hold line: keep for hold_s after it was last raised, then fall.
    if (d_.hold_db != kSilenceDb && !o.hold_infinite && now - hold_since_ > o.hold_s) {
        const double falling_for = std::min(dt, now - hold_since_ - o.hold_s);
        d_.hold_db -= o.return_db_per_s * falling_for;
        if (d_.hold_db < o.floor_db) d_.hold_db = kSilenceDb;
    }

    if (fresh) {
        const double peak = amplitude_to_db(r.sample_peak);
        const double tp = amplitude_to_db(std::max(r.true_peak, r.sample_peak));
        if (peak > d_.bar_db) d_.bar_db = peak;
        if (peak >= d_.hold_db && peak != kSilenceDb) {
            d_.hold_db = peak;
            hold_since_ = now;
        }
        if (r.rms >= 0.0f) d_.rms_db = amplitude_to_db(r.rms);
        // New maxima show at once (never below the bar or hold line beside them).
        d_.peak_max_db = std::max(d_.peak_max_db, peak);
        d_.true_peak_max_db = std::max(d_.true_peak_max_db, tp);
        d_.rms_max_db = std::max(d_.rms_max_db, amplitude_to_db(r.rms_max));
        if (r.clip_runs > 0 || r.clip_events > 0) {
            d_.clip_latched = true;
            last_clip_ = now;
        }
        d_.clip_events += r.clip_events;
        d_.clip_runs += r.clip_runs;
        d_.clipped_samples += r.clipped_samples;
        d_.nonfinite_since_reset += r.nonfinite;
    }
    // The hold line never sits below the bar.
    if (d_.bar_db > d_.hold_db) {
        d_.hold_db = d_.bar_db;
        hold_since_ = now;
    }

    if (d_.clip_latched && o.clip_auto_reset_s > 0.0 && now - last_clip_ >= o.clip_auto_reset_s)
        d_.clip_latched = false;
}

void ChannelBallistics::reset(double now) {
    reset_clip();
    d_.clip_events = d_.clip_runs = d_.clipped_samples = 0;
    d_.nonfinite_since_reset = 0;
    d_.peak_max_db = d_.true_peak_max_db = d_.rms_max_db = kSilenceDb;
    // Bar and hold start again with the maxima, so no number reads lower than them.
    d_.bar_db = d_.hold_db = d_.rms_db = kSilenceDb;
    hold_since_ = now;
}

void ChannelBallistics::reset_clip() { d_.clip_latched = false; }

} // namespace headroom::ui
