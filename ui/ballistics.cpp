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
        peak_max_ = std::max(peak_max_, peak);
        tp_max_ = std::max(tp_max_, tp);
        rms_period_ = std::max(rms_period_, amplitude_to_db(r.rms_max));
        if (r.clip_runs > 0) {
            d_.clip_latched = true;
            d_.clips_since_reset += r.clip_runs;
            last_clip_ = now;
        }
        d_.nonfinite_since_reset += r.nonfinite;
    }
    // The hold line never sits below the bar.
    if (d_.bar_db > d_.hold_db) {
        d_.hold_db = d_.bar_db;
        hold_since_ = now;
    }

    if (d_.clip_latched && o.clip_auto_reset_s > 0.0 && now - last_clip_ >= o.clip_auto_reset_s)
        d_.clip_latched = false;

    if (now >= next_readout_) {
        d_.peak_max_db = peak_max_;
        d_.true_peak_max_db = tp_max_;
        d_.rms_readout_db = rms_period_;
        rms_period_ = kSilenceDb;
        // Keep a steady cadence; after a long pause start again from now.
        next_readout_ = (now - next_readout_ > o.readout_period_s) ? now + o.readout_period_s
                                                                   : next_readout_ + o.readout_period_s;
    }
}

void ChannelBallistics::reset(double now) {
    reset_clip();
    d_.clips_since_reset = 0;
    d_.nonfinite_since_reset = 0;
    peak_max_ = tp_max_ = kSilenceDb;
    d_.peak_max_db = d_.true_peak_max_db = kSilenceDb;
    d_.hold_db = d_.bar_db;
    hold_since_ = now;
}

void ChannelBallistics::reset_clip() { d_.clip_latched = false; }

} // namespace headroom::ui
