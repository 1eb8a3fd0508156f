#pragma once
// One channel's hop and tick bookkeeping (meter_steps.hpp), as plain inline functions: the
// plain reference (meter_steps_scalar.cpp) runs them over every channel, and the SIMD version
// (meter_steps_hwy.cpp) over the channels left after its whole vectors, so every channel's
// value is computed by the same operations, in the same order, either way.
//
// Every comparison is written as x86's max/min take it (max(a, b) = a > b ? a : b, min(a, b)
// = a < b ? a : b), so the plain and the vector code agree on every input, signed zeros
// included. Both files are compiled with -ffp-contract=off (CMakeLists.txt): no addition here
// may become a fused multiply-add in one of them only.
#include <cmath>
#include <cstddef>

#include "engine/meter/meter_steps.hpp"

namespace headroom::steps_plain {

inline double max_of(double a, double b) { return a > b ? a : b; }
inline double min_of(double a, double b) { return a < b ? a : b; }
inline float max_of(float a, float b) { return a > b ? a : b; }

// Channel c's slots folded into a double: four partial sums (slots q, q + 4, q + 8, ...),
// then (p0 + p1) + (p2 + p3).
inline double fold_channel(const float* slots, std::size_t slot_count, std::size_t channels, std::size_t c) {
    double p[4] = {0.0, 0.0, 0.0, 0.0};
    for (std::size_t s = 0; s < slot_count; ++s) p[s & 3u] += static_cast<double>(slots[s * channels + c]);
    return (p[0] + p[1]) + (p[2] + p[3]);
}

// v (a channel's fold) into its hop and tick sums.
inline void add_fold(double v, std::size_t c, double* hop_sum, double* tick_sum) {
    v = min_of(v, kMaxSum);
    hop_sum[c] = min_of(hop_sum[c] + v, kMaxSum);
    tick_sum[c] = min_of(tick_sum[c] + v, kMaxSum);
}

// A window RMS beyond float's range (samples beyond 1.8e19) reads as the largest float.
inline constexpr double kMaxRms = 3.4028234663852886e38;  // FLT_MAX

inline void rms_channel(std::size_t c, const HopArrays& a, double norm) {
    const auto r = static_cast<float>(min_of(std::sqrt(max_of(a.window_sum[c], 0.0) * norm), kMaxRms));
    a.rms[c] = r;
    a.tick_rms_max[c] = max_of(a.tick_rms_max[c], r);
    a.call_rms_max[c] = max_of(a.call_rms_max[c], r);
}

// A hop end for channel c whose fold is v.
inline void hop_channel(double v, std::size_t c, const HopArrays& a, double norm, bool rebase) {
    add_fold(v, c, a.hop_sum, a.tick_sum);
    const double h = a.hop_sum[c];
    const double n = a.since_rebase[c] + h;
    if (rebase) {
        a.window_sum[c] = n;
        a.since_rebase[c] = 0.0;
    } else {
        a.window_sum[c] = a.window_sum[c] + (h - a.ring[c]);
        a.since_rebase[c] = n;
    }
    a.ring[c] = h;
    a.hop_sum[c] = 0.0;
    rms_channel(c, a, norm);
}

// The end of a call for channel c: its first four reading floats into out.
inline void publish_channel(std::size_t c, const CallArrays& a, bool hop_in_call, float* out) {
    const float sp = a.pending_sample_peak[c];
    const float tp = max_of(a.pending_true_peak[c], sp);
    out[0] = max_of(a.call_sample_peak[c], sp);
    out[1] = max_of(a.call_true_peak[c], tp);
    out[2] = hop_in_call ? a.rms[c] : -1.0f;
    out[3] = hop_in_call ? a.call_rms_max[c] : 0.0f;
    a.tick_sample_peak[c] = max_of(a.tick_sample_peak[c], sp);
    a.tick_true_peak[c] = max_of(a.tick_true_peak[c], tp);
    a.pending_sample_peak[c] = a.pending_true_peak[c] = a.call_sample_peak[c] = a.call_true_peak[c] =
        a.call_rms_max[c] = 0.0f;
}

} // namespace headroom::steps_plain
