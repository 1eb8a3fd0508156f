#pragma once
// Meter settings shared by every source (DESIGN.md §2). Plain data; validated at the
// boundary (app/) with validate_meter_options() before a MeterBank is built.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/meter/programme.hpp"

namespace headroom {

inline constexpr int kMaxChannels = 256;
inline constexpr std::size_t kMaxBlock = 8192;

struct MeterOptions {
    double sample_rate = 48000.0;   // 44100 .. 192000
    int channels = 2;               // 1 .. kMaxChannels
    std::size_t max_block = kMaxBlock; // largest frames per process() call, 1 .. kMaxBlock

    float clip_threshold_dbfs = -0.1f;  // |x| >= threshold is a full-scale sample
    int clip_min_run = 1;               // 1 .. 16 consecutive full-scale samples make a run
    double merge_ms = 500.0;            // clip runs (and non-finite bursts) closer than this merge; 0 = none
    double hot_merge_ms = 2000.0;       // hot events merge with this gap
    double rms_window_ms = 300.0;       // 50 .. 3000

    // Per channel: the preset window's ceiling (dBFS). A sample above it, but not
    // full scale, is "hot". Empty, or shorter than `channels`: no hot events there.
    std::vector<float> hot_ceiling_dbfs;

    // DESIGN.md §6. Buses: loudness per bus (LoudnessMeter), at most kMaxBuses, channels within
    // `channels`. Bands: low/mid/high per channel (BandMeter); the buses' bands need them.
    std::vector<BusSpec> buses;
    bool bands = false;

    bool provisional_events = false;  // also send open events as they stand (MeterBank: "Provisional
                                      // copies"); for a session recorder, which logs them
    bool force_scalar = false;  // use the scalar reference kernel (tests, benchmarks)
    bool true_peak = true;      // false (--true-peak off, config meter.true_peak): no interpolation,
                                // the true-peak fields carry the sample peak as a stand-in that the
                                // reports show as "off"/null (docs/true_peak.md); events unchanged
};

// Returns a message naming the bad field and its valid range, or nothing when valid.
std::optional<std::string> validate_meter_options(const MeterOptions& o);

} // namespace headroom
