#pragma once
// Loudness per bus (DESIGN.md §6; ITU-R BS.1770-5, EBU Tech 3341 and 3342): LoudnessMeter turns
// an interleaved float32 stream into each bus's momentary, short-term, integrated loudness and
// loudness range; LoudnessGate holds the gated measurements in fixed memory. docs/loudness.md
// says the same for users.
//
// Definitions as implemented (positions are 0-based stream frames; "rate" = sample rate):
//  - K-weighting, designed for the stream's rate (design_k_weighting): BS.1770's two stages as
//    analog prototypes, each mapped by the bilinear transform prewarped at its f0: a high shelf
//    (f0 1681.974450955533 Hz, gain 3.999843853973347 dB, Q 0.7071752369554196) and the RLB
//    high-pass (f0 38.13547087602444 Hz, Q 0.5003270373238773; numerator 1, -2, 1 as
//    BS.1770 gives it). At 48 kHz this is BS.1770's table to 1e-8. Both stages run in double,
//    direct form I, so a 38 Hz pole at 192 kHz loses nothing; filter states below 1e-100 are
//    set to 0 at every hop end (no denormals after long silence, at positions fixed by the
//    stream). Only channels that belong to a bus are filtered, each once whatever the number
//    of buses it is in.
//  - Non-finite samples (NaN, +-Inf) count as 0, as in the MeterBank.
//  - Hops: H = floor(rate / 100) frames at absolute positions [k H, (k + 1) H) (10 ms at every
//    standard rate). A hop's energy is sum over the bus's channels (in the bus's order) of
//    w_c * sum over the hop of y_c^2 (y: K-weighted, w: bs1770_weights), in double. Windows are
//    whole hops: momentary M = round(0.4 rate / H) hops (40), short-term S = round(3 rate / H)
//    hops (300), a gating step B = round(0.1 rate / H) hops (10).
//  - Momentary (short-term) at a hop end = the sum of the last M (S) hop energies / (M H)
//    (S H), from the M-th (S-th) hop end on: no silence before the stream's start is assumed,
//    so a stream shorter than 400 ms has no momentary value. Every hop end gives a value: the
//    maxima are over windows stepped by 10 ms.
//  - Gating steps: every B hops at absolute positions (end at frame j B H). At a step end the
//    400 ms block ending there (the momentary value) goes to the integrated gate, and the 3 s
//    window ending there (the short-term value) to the LRA gate, as libebur128 does (first
//    block at 400 ms, first short-term value at 3 s). A block or window that starts before the
//    bus's measurement start (`measured_from`: 0, or where its last reset took effect) is not
//    gated in: after a reset the measurement begins as if the stream began there.
//  - LoudnessTick: one per bus per gating step, [start, end) = the step; finish() emits the
//    partial step so far (no block or short-term value: they need the whole step), and a stream
//    continued after finish() emits the rest of that step at its absolute end as a shorter tick.
//  - Readings (per call): momentary_ms / short_term_ms at the newest hop end inside the call
//    (-1: no hop end with a value), *_max_ms the largest at the hop ends inside the call (-1:
//    none); integrated_ms and loudness_range_lu the gate's values after the call (-1: none).
//    Peaks and bands are left 0: the MeterBank fills them.
//  - Results do not depend on how the stream is cut into calls: every sum runs in an order fixed
//    by the stream. The SIMD kernel computes the scalar reference's operations in the same order
//    (no contraction into FMA): both give the same bits.
//
// Threads: one thread calls process() and finish() (the audio thread live); request_reset()
// from any thread; the constructor on a normal thread (it allocates all).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/meter/programme.hpp"

namespace headroom {

// One biquad pair of BS.1770's K-weighting at one rate: the shelf (b0 b1 b2 / 1 a1 a2) and the
// RLB high-pass (1 -2 1 / 1 a1 a2).
struct KWeighting {
    double shelf_b0, shelf_b1, shelf_b2, shelf_a1, shelf_a2;
    double highpass_a1, highpass_a2;
};
// any thread. rate > 0.
KWeighting design_k_weighting(double rate) noexcept;

// Integrated loudness (BS.1770 gating) and loudness range (Tech 3342) over the values given
// since construction or reset, in fixed memory: two histograms (400 ms blocks, short-term
// values) of 0.01 LU bins from -70 to +30 LUFS, each bin with its exact count and energy sum,
// plus one bin above +30 LUFS; Fenwick trees over the bins give any gate's sums and any rank in
// O(log bins).
//  - Absolute gate: a value counts when its energy >= that of -70 LUFS (as libebur128).
//  - integrated_ms: relative threshold T = (mean energy of the blocks counted) / 10 (-10 LU);
//    the mean energy of the blocks >= T. Blocks in T's own bin count when T <= the bin's
//    centre (libebur128's rule for its histogram): within 0.01 LU of the exact gate.
//  - loudness_range_lu: T = (mean energy of the short-term values counted) / 100 (-20 LU); of
//    the n >= 2 values >= T (same bin rule), sorted ascending, the values of rank
//    (size_t)((n - 1) * 0.10 + 0.5) and (size_t)((n - 1) * 0.95 + 0.5) (libebur128's rule);
//    a value is its bin's mean energy (within 0.01 LU); LRA = the difference in LU. Fewer
//    than 2 values through the gates: no LRA (a range of one value is no measurement).
class LoudnessGate {
public:
    LoudnessGate();  // normal thread; allocates everything
    ~LoudnessGate();
    // normal thread; allocates: a deep copy (a session summary handed to another thread).
    LoudnessGate(const LoudnessGate& o);
    LoudnessGate& operator=(const LoudnessGate& o);
    LoudnessGate(LoudnessGate&&) noexcept;             // the moved-from gate is only destroyed or assigned
    LoudnessGate& operator=(LoudnessGate&&) noexcept;

    void add_block(double block_ms) noexcept;          // wait-free, O(log bins); < gate: ignored
    void add_short_term(double short_term_ms) noexcept; // wait-free, O(log bins)
    double integrated_ms() const noexcept;              // wait-free; < 0: nothing above the gates
    double loudness_range_lu() const noexcept;          // wait-free; < 0: fewer than 2 values gated in
    void reset() noexcept;                              // wait-free (clears its arrays)

    std::uint64_t block_count() const noexcept;         // blocks above the absolute gate
    std::uint64_t short_term_count() const noexcept;    // short-term values above it

    struct Histogram;

private:
    std::unique_ptr<Histogram> blocks_, short_terms_;
};

// One per bus per 100 ms gating step (see the definitions above).
struct LoudnessTick {
    std::uint16_t bus = 0;
    std::uint64_t start_frame = 0, end_frame = 0;  // [start, end) stream frames of the step
    double block_ms = -1;          // the 400 ms gating block ending at end_frame (<0: stream shorter)
    double short_term_ms = -1;     // the 3 s window ending at end_frame (<0: none yet)
    double momentary_max_ms = -1;  // max momentary over the hop ends inside the step (<0: none)
    double short_term_max_ms = -1; // max short-term over the hop ends inside the step (<0: none)
};

class LoudnessMeter {
public:
    // normal thread; allocates all. rate 44100..192000; channels >= 1; at most kMaxBuses
    // buses, each of 1..channels distinct channels within range; max_block >= 1 (the most
    // frames a process() call gives). Throws std::invalid_argument otherwise.
    LoudnessMeter(double rate, int channels, std::vector<BusSpec> buses, std::size_t max_block,
                  bool force_scalar = false);
    ~LoudnessMeter();
    LoudnessMeter(const LoudnessMeter&) = delete;
    LoudnessMeter& operator=(const LoudnessMeter&) = delete;

    // audio thread; wait-free: no allocation, lock, log or system call. `interleaved` holds
    // frames * channels samples, frames <= max_block.
    void process(const float* interleaved, std::size_t frames) noexcept;
    // processing thread, at the end of a stream; wait-free. Emits each bus's partial step as a
    // tick (readings: no new momentary or short-term value). process() may continue the stream.
    void finish() noexcept;

    // processing thread; per bus, for the last process() or finish() call (see above).
    const BusReading* readings() const noexcept;
    // processing thread; the ticks of the last call, in stream order (buses interleaved by step).
    const LoudnessTick* ticks() const noexcept;
    std::size_t tick_count() const noexcept;

    // any thread; atomic. The bus's gate restarts at the next process(): integrated loudness
    // and LRA measure from that call's first frame (`measured_from`), `resets` + 1.
    // An out-of-range bus is ignored.
    void request_reset(int bus) noexcept;

    int bus_count() const noexcept;                  // any thread
    std::size_t hop_frames() const noexcept;         // any thread; H
    std::uint64_t frames_processed() const noexcept; // processing thread
    const char* kernel_name() const noexcept;        // any thread; "scalar" or the Highway target

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace headroom
