#pragma once
// Display ballistics, computed in UI time from the meter snapshots (DESIGN.md §2), so they do
// not depend on the frame rate:
//  - the bar rises at once to the snapshot's peak (max since the last read) and falls back at
//    20 dB per 1.7 s (IEC 60268-18 return time);
//  - the peak-hold line holds for 1 s (settable, or until reset), then falls at the same rate;
//  - every number is a maximum since the last reset (sample peak, true peak and so headroom,
//    the loudest RMS window): a new maximum shows at once, in the same update that raises the
//    bar, so a number never reads lower than the bar or hold line beside it (DESIGN.md §2).
//    A maximum only changes when it is exceeded or reset, so it is as readable as a 5-per-second
//    refresh and never lags;
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
    double clip_auto_reset_s = 0.0;         // 0: latch until reset
    double floor_db = -90.0;                // bars fall to silence below this
};

// What one channel shows right now. Levels in dBFS (kSilenceDb: nothing to show).
struct ChannelDisplay {
    double bar_db = kSilenceDb;        // sample-peak bar
    double rms_db = kSilenceDb;        // RMS bar (plain convention; the caller offsets AES17)
    double hold_db = kSilenceDb;       // peak-hold line
    // Numbers: maxima since reset, raised at once.
    double peak_max_db = kSilenceDb;   // max sample peak since reset
    double true_peak_max_db = kSilenceDb;  // max true peak since reset
    double rms_max_db = kSilenceDb;        // loudest RMS window since reset (plain convention)
    bool clip_latched = false;
    std::uint64_t clip_events = 0;         // clip events begun since reset: THE clip count
    std::uint64_t clip_runs = 0;           // details of those clips (tooltip): runs,
    std::uint64_t clipped_samples = 0;     // and full-scale samples
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
};

} // namespace headroom::ui
