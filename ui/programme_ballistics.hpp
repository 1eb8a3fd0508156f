#pragma once
// What a bus strip and the band view show, computed in UI time from the meter snapshots
// (DESIGN.md §6), as ui/ballistics.hpp does for a channel:
//  - a bus's peak bar and its numbers are a channel's (ChannelBallistics fed the bus's sample
//    and true peak, the maxima over its channels), so zones, hold and headroom are the same;
//  - momentary and short-term loudness bars show the newest value; their maxima (the loudest
//    window, steps <= 10 ms, as the meter took it) are maxima since the last reset (R) or the
//    last reset of the bus's integrated measurement;
//  - integrated loudness and LRA are the meter's, from the bus's start or its last reset; the
//    stopwatch is (frames - measured_from) / rate;
//  - each band's peak bar falls back like a channel's bar; its number is the max since reset;
//  - the low share is the session's low_share_db (DESIGN.md §6: low-band RMS - full-band RMS
//    over the whole stream so far), set from the recorder's summary (set_low_share), so the
//    window shows the figure record, session.json and log give.
// "No value" is NaN throughout (printed "--").
//
// Threads: UI thread only; update() does not allocate.
#include <array>
#include <cstdint>
#include <limits>

#include "engine/meter/programme.hpp"
#include "ui/ballistics.hpp"

namespace headroom::ui {

struct BandDisplay {
    std::array<double, kBandCount> bar_db{kSilenceDb, kSilenceDb, kSilenceDb};   // falling peak bars
    std::array<double, kBandCount> peak_max_db{kSilenceDb, kSilenceDb, kSilenceDb};  // max since reset
    double low_share_db = std::numeric_limits<double>::quiet_NaN();  // the session's low_share_db
};

class BandBallistics {
public:
    void update(const BandReadings& b, bool fresh, double now, const BallisticsOptions& o);
    void reset();
    // The session's low share (SessionSummary::low_share_db), NaN when it has none.
    void set_low_share(double db) { d_.low_share_db = db; }
    const BandDisplay& display() const { return d_; }

private:
    BandDisplay d_;
    double last_now_ = -1.0;
};

struct BusDisplay {
    double momentary_lufs = std::numeric_limits<double>::quiet_NaN();   // newest 400 ms loudness
    double short_term_lufs = std::numeric_limits<double>::quiet_NaN();  // newest 3 s loudness
    double momentary_max_lufs = std::numeric_limits<double>::quiet_NaN();
    double short_term_max_lufs = std::numeric_limits<double>::quiet_NaN();
    double integrated_lufs = std::numeric_limits<double>::quiet_NaN();
    double loudness_range_lu = std::numeric_limits<double>::quiet_NaN();
    double measured_s = 0.0;           // the stopwatch: how long the integrated measurement has run
    std::uint32_t resets = 0;          // the meter's count of integrated resets
};

// PLR (DESIGN.md §6): max true peak (dBTP) - integrated loudness; NaN when either is missing.
double plr_lu(double true_peak_max_db, double integrated_lufs);
// LUFS of a BusReading mean square; NaN for "no value" (< 0) and for silence (0).
double lufs_or_nan(float mean_square);

class BusBallistics {
public:
    // `frames`: the snapshot's stream position; `rate`: the stream's sample rate. A sample peak
    // at or above `clip_threshold` (linear) latches the bus's clip box (one of its channels
    // clipped; the count of clip events is the channels').
    void update(const BusReading& r, bool fresh, std::uint64_t frames, double rate, float clip_threshold,
                double now, const BallisticsOptions& o);
    void reset(double now);            // R: the peak's maxima and clip, and the loudness maxima
    void reset_loudness_maxima();      // the integrated measurement restarts: its maxima with it
    const ChannelDisplay& peak() const { return peak_.display(); }
    const BusDisplay& loudness() const { return d_; }
    ChannelBallistics& peak_ballistics() { return peak_; }
    BandBallistics& bands() { return bands_; }
    const BandBallistics& bands() const { return bands_; }

private:
    ChannelBallistics peak_;
    BandBallistics bands_;
    BusDisplay d_;
};

} // namespace headroom::ui
