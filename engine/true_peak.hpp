#pragma once
// True-peak interpolator (ITU-R BS.1770-4 Annex 2, DESIGN.md §2): oversample to at least
// 176.4 kHz with a polyphase FIR, take max |y|. The filter is designed here for a flat
// passband and unity DC gain in every phase (the BS.1770 example table is not).
#include <cstddef>
#include <vector>

namespace headroom {

struct InterpolatorDesign {
    int factor = 4;              // 4 at 44.1/48 kHz, 2 at 88.2/96 kHz, 1 from 176.4 kHz
    int taps = 0;                // taps per phase
    std::vector<float> coeffs;   // phase-major: coeffs[p * taps + k] multiplies x[n - k]
    int delay = 0;               // group delay in input frames (for attributing peaks in time)
};

// normal thread; allocates.
InterpolatorDesign design_true_peak_interpolator(double sample_rate);

// Scalar reference for one channel. normal or audio thread after construction; no allocation
// in process().
class TruePeakScalar {
public:
    explicit TruePeakScalar(const InterpolatorDesign& d);
    // Feeds one sample; returns max over phases of |y| for the output points it produced,
    // and never less than |x| delayed... see true_peak.cpp for the exact contract.
    float process(float x) noexcept;
    void reset() noexcept;

private:
    const InterpolatorDesign* d_;
    std::vector<float> hist_;  // last `taps` inputs, newest first (ring of size 2*taps)
    std::size_t pos_ = 0;
};

} // namespace headroom
