#pragma once
// BandMeter: every channel's three bands (DESIGN.md §6, "Bands"): low below 150 Hz, mid
// 150 Hz - 5 kHz, high above 5 kHz, each with its sample peak and sliding-window RMS, over an
// interleaved float32 stream. Results do not depend on how the stream is cut into blocks: a
// file processed in blocks of 1, 37 or 4096 frames gives the same readings and ticks, bit for
// bit. docs/bands.md says what the figures mean to a user.
//
// Definitions as implemented (positions are 0-based stream frames; "rate" = sample rate):
//  - Filters. Linkwitz-Riley 4th order (LR4) = two cascaded 2nd-order Butterworth sections
//    (Q = 1/sqrt 2), bilinear transform prewarped at the crossover, zero initial state:
//      low  = LR4 low-pass 150 Hz of x;
//      mid  = LR4 low-pass 5 kHz of (LR4 high-pass 150 Hz of x);
//      high = LR4 high-pass 5 kHz of (LR4 high-pass 150 Hz of x).
//    Each section is a topology-preserving-transform state-variable filter (Zavalishin's
//    trapezoidal SVF: the same bilinear-prewarped transfer function as the RBJ biquad, i.e.
//    as sox's `lowpass`/`highpass`), in float. The first section of each crossover gives the
//    low-pass and the high-pass of the same input, so a channel runs six sections a sample
//    (band_kernels.hpp). Against a long-double biquad reference the band signals' error is
//    below -90 dB of the band's level, their RMS within 1e-5 dB (a float biquad at 150 Hz
//    and 96 kHz: -57 dB, 0.01 dB).
//  - Non-finite samples (NaN, +-Inf) enter the filters as 0 and are left out of the tick's
//    `frames` (as the MeterBank counts them out of the envelope). Finite samples beyond
//    +-kBandInputLimit (2^48, +289 dBFS) enter the filters held at it, so no filter state
//    or sum can overflow (the full-band meters see them as they are).
//  - Peak: max |band signal|. RMS: exactly the MeterBank's (meter_bank.hpp, "RMS"), per band:
//    hops of floor(rate / 200) frames at absolute positions, a window of W = max(1,
//    round(rms_window_ms * rate / 1000 / hop)) hops, a value at each hop end from the W-th on
//    (sqrt of the last W hop sums / (W * hop)), none before; a stream shorter than the window
//    gets the RMS of the whole stream at finish(). The same step functions (meter_steps.hpp)
//    move the windows, over the 3 * channels sums
//    (band-major, band_kernels.hpp). Squares are summed in float per channel and
//    band, one fused multiply-add a sample in stream order, and folded into double at every
//    hop and tick end: the order depends on the stream alone.
//  - Ticks: the MeterBank's envelope ticks, round(rate / 10) frames at absolute positions.
//    At each tick end one BandTick per channel; finish() gives the partial tick [tick start,
//    end of stream) (and if the stream goes on, the rest of that tick comes at its absolute end
//    as a shorter tick). A tick that ends with the frames given in a stream shorter than the
//    window waits for more frames or finish(), which gives it the whole-stream RMS.
//  - Readings: per channel and band, for the frames of the last call: peak, `rms` = the window
//    RMS at the last hop end inside the call (-1 if none), `rms_max` = the largest in the call
//    (0 if none), as ChannelReading's peak/rms/rms_max.
//  - Kernels: a scalar reference and Highway SIMD across channels (one vector = the same frame
//    of consecutive channels). Both use fused multiply-adds in the same places: on a target
//    with FMA they agree bit for bit; on one without (SSE4 and older) within 1e-5 of the signal's scale.
//  - Denormals: process() and finish() run with flush-to-zero and denormals-are-zero set (and
//    restore the caller's mode), so a filter ringing out into silence costs no more than
//    signal and the bits are the same on the audio thread and offline.
//
// Threads: one thread calls process() and finish() (the audio thread live, the caller
// offline); the constructor runs on a normal thread and allocates everything.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "engine/meter/programme.hpp"

namespace headroom {

// Finite samples beyond this magnitude enter the band filters held at it (see above).
inline constexpr float kBandInputLimit = 0x1p48f;

// One channel's bands over one envelope tick.
struct BandTick {
    std::uint16_t channel = 0;
    std::uint64_t start_frame = 0, end_frame = 0;   // [start, end)
    std::uint64_t frames = 0;                       // finite frames in it
    std::array<float, kBandCount> peak{};           // max |band signal| in the tick
    std::array<double, kBandCount> sum_squares{};   // sum of band signal^2 in the tick
    std::array<float, kBandCount> rms_window_max{}; // max sliding-window band RMS ending in the tick (0 if none)
};
static_assert(std::is_trivially_copyable_v<BandTick>);

class BandMeter {
public:
    // normal thread; allocates every buffer the meter will ever use. Throws
    // std::invalid_argument when rate is not in [8000, 768000], channels not in [1, 4096],
    // rms_window_ms not in (0, 10000] or max_block is 0. force_scalar: the scalar reference
    // kernels instead of the SIMD ones.
    BandMeter(double rate, int channels, double rms_window_ms, std::size_t max_block, bool force_scalar = false);
    ~BandMeter();
    BandMeter(const BandMeter&) = delete;
    BandMeter& operator=(const BandMeter&) = delete;

    // audio thread; wait-free: no allocation, lock, log or system call. `interleaved` holds
    // frames * channels samples; frames <= max_block (more: the first max_block are measured).
    void process(const float* interleaved, std::size_t frames) noexcept;

    // processing thread, at the end of a stream; wait-free. The whole-stream RMS of a stream
    // shorter than the window, the partial tick. Further process() calls continue the stream.
    void finish() noexcept;

    // audio thread (or after process); per channel, the last process() or finish() call.
    const BandReadings* readings() const noexcept;
    // audio thread (or after process); the ticks that ended in the last call, in stream order
    // (per tick, channels in order).
    const BandTick* ticks() const noexcept;
    std::size_t tick_count() const noexcept;

    // any thread; "scalar" or Highway's target name ("AVX2", "AVX3", ...).
    const char* kernel_name() const noexcept;
    // processing thread; frames given to process() since construction.
    std::uint64_t frames_processed() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace headroom
