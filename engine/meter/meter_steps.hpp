#pragma once
// The MeterBank's bookkeeping over channels at hop ends and tick ends (meter_bank.hpp, "RMS"):
// the sums of squares of the slots folded into double, the RMS window moved on, its RMS
// taken. Every loop is element-wise over channels (no channel's values mix with another's,
// no sum is reordered), so the SIMD version gives exactly the bits of the plain one; a test
// compares the two.
//
// Threads: wait-free (no allocation, lock, log or system call); MeterBank::process calls them.
#include <cstddef>
#include <cstdint>

namespace headroom {

// A sum held at this value when it would grow beyond (samples beyond 1.8e19 overflow float):
// the window's running sum can then never become inf - inf.
inline constexpr double kMaxSum = 1e300;

// The per-channel arrays a hop end updates (each one entry per channel).
struct HopArrays {
    double* hop_sum;       // this hop's sum of squares, zeroed by hop()
    double* tick_sum;      // the tick's sum of squares
    double* ring;          // the ring row of the hop that leaves the window; receives this hop
    double* window_sum;    // the window's running sum
    double* since_rebase;  // the ring rows written since the last re-base, summed in that order
    float* rms;            // the window RMS now
    float* tick_rms_max;   // the largest window RMS of the tick
    float* call_rms_max;   // the largest window RMS of the call
};

// The per-channel maxima a call publishes (each one entry per channel).
struct CallArrays {
    float* pending_sample_peak;  // sample peak of the segments since the last fold; zeroed
    float* pending_true_peak;    // their true peak (0 with true peak off); zeroed
    float* call_sample_peak;     // the call's maxima folded at its tick ends; zeroed
    float* call_true_peak;       // zeroed
    float* tick_sample_peak;     // the tick's maxima: raised
    float* tick_true_peak;       // raised
    const float* rms;            // the window RMS at the last hop end
    float* call_rms_max;         // the largest window RMS of the call; zeroed
};

struct StepTable {
    const char* name;  // "plain" or the Highway target name

    // The S = slot_count slots of each channel (slots[s * channels + c], meter_kernels.hpp)
    // folded into a double
    //   v = (p0 + p1) + (p2 + p3), p_q = slots q, q + 4, q + 8, ... added in that order
    // (missing partials are +0, which adds nothing), v held at kMaxSum; then
    // hop_sum[c] += v and tick_sum[c] += v, each held at kMaxSum. Slots not cleared.
    void (*fold)(const float* slots, std::size_t slot_count, std::size_t channels, double* hop_sum,
                 double* tick_sum);

    // A hop end: fold as above, then per channel h = hop_sum[c] (with v added),
    // n = since_rebase[c] + h; with `rebase` (the ring's last row: every row has been written
    // since the last re-base, so n is the sum of the ring, added row by row in ring order)
    // window_sum[c] = n and since_rebase[c] = 0, else window_sum[c] += h - ring[c] and
    // since_rebase[c] = n; then ring[c] = h, hop_sum[c] = 0,
    // rms[c] = float(min(sqrt(max(window_sum[c], 0) * norm), FLT_MAX)), and tick_rms_max[c]
    // and call_rms_max[c] raised to it.
    void (*hop)(const float* slots, std::size_t slot_count, std::size_t channels, const HopArrays& a, double norm,
                bool rebase);

    // The end of a call: per channel, with p = max(pending_true_peak, pending_sample_peak),
    //   out[c * stride + 0 .. 3] = {max(call_sample_peak, pending_sample_peak), max(call_true_peak, p),
    //                               hop_in_call ? rms : -1, hop_in_call ? call_rms_max : 0};
    // tick_sample_peak raised to pending_sample_peak, tick_true_peak to p; pending_*, call_*
    // and call_rms_max zeroed. `out` is ChannelReading's first four floats (stride in floats).
    void (*publish)(std::size_t channels, const CallArrays& a, bool hop_in_call, float* out, std::size_t stride);

    // The channels c < channels with sample_peak[c] > threshold[c], in increasing order, into
    // list; returns how many.
    std::size_t (*above)(const float* sample_peak, const float* threshold, std::size_t channels,
                         std::uint32_t* list);
};

// normal or audio thread; wait-free. Plain loops: the reference (meter_steps_scalar.cpp).
const StepTable& plain_steps() noexcept;
// normal thread (first call picks the target); the best target the CPU supports.
const StepTable& simd_steps();

} // namespace headroom
