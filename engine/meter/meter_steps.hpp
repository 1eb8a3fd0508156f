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

// The per-channel arrays a hop end updates (each `nc` entries).
struct HopArrays {
    double* hop_sum;    // this hop's sum of squares, zeroed by hop()
    double* tick_sum;   // the tick's sum of squares
    double* ring;       // the ring row of the hop that leaves the window; receives this hop
    double* window;     // the window's running sum
    double* next;       // the ring rows written since the last re-base, summed in that order
    float* rms;         // the window RMS now
    float* tick_max;    // the largest window RMS of the tick
    float* call_max;    // the largest window RMS of the call
};

// The per-channel maxima a call publishes (each `nc` entries).
struct CallArrays {
    float* pend_sp;       // sample peak of the segments since the last fold; zeroed
    float* pend_tp;       // their true peak (0 with true peak off); zeroed
    float* call_sp;       // the call's maxima folded at its tick ends; zeroed
    float* call_tp;
    float* tick_sp;       // the tick's maxima: raised
    float* tick_tp;
    const float* rms;     // the window RMS at the last hop end
    float* call_rms_max;  // the largest window RMS of the call; zeroed
};

struct StepTable {
    const char* name;

    // The S slots of each channel (slots[s * nc + c], meter_kernels.hpp) folded into a double
    //   v = (p0 + p1) + (p2 + p3), p_q = slots q, q + 4, q + 8, ... added in that order
    // (missing partials are +0, which adds nothing), v held at kMaxSum; then
    // hop_sum[c] += v and tick_sum[c] += v, each held at kMaxSum. Slots not cleared.
    void (*fold)(const float* slots, std::size_t S, std::size_t nc, double* hop_sum, double* tick_sum);

    // A hop end: fold as above, then per channel h = hop_sum[c] (with v added), n = next[c] + h;
    // with `rebase` (the ring's last row: every row has been written since the last re-base,
    // so n is the sum of the ring, added row by row in ring order) window[c] = n and
    // next[c] = 0, else window[c] += h - ring[c] and next[c] = n; then ring[c] = h,
    // hop_sum[c] = 0, rms[c] = float(min(sqrt(max(window[c], 0) * norm), FLT_MAX)), and
    // tick_max[c] and call_max[c] raised to it.
    void (*hop)(const float* slots, std::size_t S, std::size_t nc, const HopArrays& a, double norm, bool rebase);

    // The end of a call: per channel, with p = max(pend_tp, pend_sp),
    //   out[c * stride + 0 .. 3] = {max(call_sp, pend_sp), max(call_tp, p),
    //                               hop_in_call ? rms : -1, hop_in_call ? call_rms_max : 0};
    // tick_sp raised to pend_sp, tick_tp to p; pend_*, call_* and call_rms_max zeroed.
    // `out` is ChannelReading's first four floats (stride in floats).
    void (*publish)(std::size_t nc, const CallArrays& a, bool hop_in_call, float* out, std::size_t stride);

    // The channels c < nc with sp[c] > thr[c], in increasing order, into list; returns how many.
    std::size_t (*above)(const float* sp, const float* thr, std::size_t nc, std::uint32_t* list);
};

// normal or audio thread; wait-free. Plain loops: the reference.
const StepTable& plain_steps() noexcept;
// normal thread (first call picks the target); the best target the CPU supports.
const StepTable& simd_steps();

} // namespace headroom
