#pragma once
// True-peak interpolator (ITU-R BS.1770-4 Annex 2, DESIGN.md §2): oversample to at least
// 176.4 kHz with a polyphase FIR, take max |y|. The filter is designed here, at run time,
// for a flat passband and unity DC gain in every phase (the BS.1770 example table is not);
// docs/true_peak.md gives the design and its measured accuracy.
//
// Time convention. Phase p (0 <= p < factor) of the filter, applied at input sample n,
// produces the band-limited signal at time
//     t = n - delay + p / factor          (in input samples)
// i.e. y_p[n] = sum_k coeffs[p * taps + k] * x[n - k]. Phase 0 is the unit impulse at
// k == delay: it reproduces x[n - delay] exactly, so the true peak is never below the
// sample peak, and a kernel that tracks the sample peak anyway may skip phase 0.
#include <cstddef>
#include <vector>

namespace headroom {

// Design constants (docs/true_peak.md): taps per phase, and the passband, as a fraction of
// the input rate, over which the per-phase responses are minimax-optimal fractional delays.
inline constexpr int kTruePeakTaps = 16;
inline constexpr double kTruePeakPassband = 0.40;

struct InterpolatorDesign {
    int factor = 4;              // 4 at 44.1/48 kHz, 2 at 88.2/96 kHz, 1 from 176.4 kHz
    int taps = 0;                // taps per phase
    std::vector<float> coeffs;   // phase-major: coeffs[p * taps + k] multiplies x[n - k]
    int delay = 0;               // phase p at input n is time n - delay + p/factor (see above)
};

// The oversampling factor BS.1770-4 asks for at `sample_rate`: the smallest power of two
// (at most 8) that reaches 176.4 kHz. Any thread; pure.
int true_peak_factor(double sample_rate) noexcept;

// The interpolator Headroom uses at `sample_rate` (factor from true_peak_factor,
// kTruePeakTaps taps per phase; factor 1 is the identity: taps 1, coeffs {1}, delay 0).
// Designed once per factor and cached. normal thread; allocates, may block (thread-safe).
InterpolatorDesign design_true_peak_interpolator(double sample_rate);

// The design procedure itself, for tests and docs: `factor` phases of `taps` taps (taps even,
// >= 2), each phase p > 0 a minimax (Lawson-iterated least-squares) approximation of the
// delay (taps/2 - p/factor) over [0, passband * fs], with its DC gain constrained to exactly 1.
// normal thread; allocates.
InterpolatorDesign design_polyphase_interpolator(int factor, int taps, double passband);

// Scalar reference for one channel: the straightforward FIR, every phase, in float.
// The SIMD kernel in MeterBank is tested against it.
class TruePeakScalar {
public:
    // normal thread; allocates (copies the design).
    explicit TruePeakScalar(InterpolatorDesign d);

    // Feeds input sample n; returns max |y_p[n]| over the `factor` output points it
    // produces (times n - delay + p/factor, p = 0..factor-1). A non-finite x is taken
    // as 0 so that NaN/Inf never enter the filter state.
    // one processing thread; wait-free, no allocation.
    float process(float x) noexcept;

    // End of stream: the output points between the last `delay` inputs, as if the
    // signal were followed by silence; returns their max |y|. Leaves the state reset.
    // one processing thread; wait-free, no allocation.
    float flush() noexcept;

    // one processing thread; wait-free, no allocation. Forgets the history (silence).
    void reset() noexcept;

    // any thread after construction.
    const InterpolatorDesign& design() const noexcept { return d_; }

private:
    InterpolatorDesign d_;
    // Each input is written twice, at pos_ and pos_ + taps, so that hist_[pos_ + k] is
    // x[n - k] for k = 0..taps-1 without wrapping.
    std::vector<float> hist_;
    std::size_t pos_ = 0;
};

} // namespace headroom
