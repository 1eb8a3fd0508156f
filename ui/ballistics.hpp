#pragma once
// Display ballistics, computed in UI time from the meter snapshots (DESIGN.md §2), so they do
// not depend on the frame rate:
//  - the bar rises at once to the snapshot's peak (max since the last read) and falls back at
//    20 dB per 1.7 s (IEC 60268-18 return time);
//  - the peak-hold line holds for 1 s (settable, or until reset), then falls at the same rate;
//  - numeric readouts refresh about 5 times a second and show the maximum since the last reset
//    (sample peak, true peak, headroom) or the loudest value of the last readout period (RMS);
//  - the clip indicator latches until reset (per channel, all), or, when set, resets itself a
//    settable time after the channel's last clip (off by default).
// Pure logic: no ImGui, no clock of its own; the caller passes the time in seconds.
//
// Threads: UI thread only (plain values, no allocation in update()).
#include <cstdint>
#include <limits>

#include "engine/meter/meter_snapshot.hpp"

namespace headroom::ui {

inline constexpr double kSilenceDb = -std::numeric_limits<double>::infinity();  // amplitude_to_db(0)

struct BallisticsOptions {
    double hold_s = 1.0;                    // peak-hold time
    bool hold_infinite = false;             // hold until reset
    double return_db_per_s = 20.0 / 1.7;    // IEC 60268-18 return rate
    double readout_period_s = 0.2;          // numeric refresh (5 per second)
    double clip_auto_reset_s = 0.0;         // 0: latch until reset
    double floor_db = -90.0;                // bars fall to silence below this
};

// What one channel shows right now. Levels in dBFS (kSilenceDb: nothing to show).
struct ChannelDisplay {
    double bar_db = kSilenceDb;        // sample-peak bar
    double rms_db = kSilenceDb;        // RMS bar (plain convention; the caller offsets AES17)
    double hold_db = kSilenceDb;       // peak-hold line
    // Numbers, refreshed every readout period:
    double peak_max_db = kSilenceDb;   // max sample peak since reset
    double true_peak_max_db = kSilenceDb;  // max true peak since reset
    double rms_readout_db = kSilenceDb;    // loudest RMS of the last readout period
    bool clip_latched = false;
    std::uint64_t clips_since_reset = 0;   // clip runs since the last reset
    std::uint64_t nonfinite_since_reset = 0;
};

class ChannelBallistics {
public:
    // UI thread. Advances to time `now` (seconds, monotonic) and folds in `r` when `fresh`
    // (a snapshot was taken this frame; r holds the max since the previous take).
    void update(const ChannelReading& r, bool fresh, double now, const BallisticsOptions& o);
    void reset(double now);            // UI thread; clears the clip latch and every maximum
    void reset_clip();                 // UI thread; clears the clip latch only
    const ChannelDisplay& display() const { return d_; }

private:
    ChannelDisplay d_;
    double last_now_ = -1.0;
    double hold_since_ = 0.0;          // when hold_db was last raised
    double last_clip_ = 0.0;           // time of the newest clip run
    double next_readout_ = 0.0;
    // Maxima since reset, published to d_ at each readout.
    double peak_max_ = kSilenceDb, tp_max_ = kSilenceDb, rms_period_ = kSilenceDb;
};

} // namespace headroom::ui
