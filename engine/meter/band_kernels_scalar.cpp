// The scalar reference of the band kernel (band_kernels.hpp): one channel at a time, each
// sample through the six sections with std::fma where the SIMD version fuses. Compiled with
// -ffp-contract=off (CMakeLists.txt) so no other operation is fused.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "engine/meter/band_kernels.hpp"
#include "engine/meter/bands.hpp"

namespace headroom {

SectionCoeffs design_section(double fc, double rate) noexcept {
    const double g = std::tan(3.14159265358979323846 * fc / rate);
    const double k = std::sqrt(2.0);
    const double a1 = 1.0 / (1.0 + g * (g + k));
    return SectionCoeffs{static_cast<float>(g), static_cast<float>(g + k), static_cast<float>(g * a1),
                         static_cast<float>(a1)};
}

namespace {

// x86's max (a > b ? a : b), as the SIMD Max takes it.
inline float max_of(float a, float b) { return a > b ? a : b; }

// One section's state.
struct Section {
    float s1 = 0.0f, s2 = 0.0f;
    // The section on v3 (= input - s2, formed by the caller); returns t (high-pass = a1 t),
    // low-pass into lp.
    float step(const SectionCoeffs& k, float v3, float& lp) {
        const float t = std::fma(-k.g_plus_k, s1, v3);
        const float v1 = std::fma(k.g_a1, t, s1);
        const float v2 = std::fma(k.g, v1, s2);
        s1 = std::fma(2.0f, v1, -s1);
        s2 = std::fma(2.0f, v2, -s2);
        lp = v2;
        return t;
    }
};

void run_scalar(const BandKernelArgs& a) {
    const std::size_t nc = a.channels, st = a.stride;
    const SectionCoeffs& lo = a.low;
    const SectionCoeffs& hi = a.high;
    for (std::size_t c = 0; c < nc; ++c) {
        Section s[6];
        for (std::size_t i = 0; i < 6; ++i) {
            s[i].s1 = a.state[(2 * i) * st + c];
            s[i].s2 = a.state[(2 * i + 1) * st + c];
        }
        float peak[3], sq[3];
        for (std::size_t b = 0; b < 3; ++b) {
            peak[b] = a.peak[b * st + c];
            sq[b] = a.sum_squares[b * st + c];
        }
        std::uint32_t bad = 0;
        for (std::size_t f = 0; f < a.frames; ++f) {
            float x = a.x[f * nc + c];
            if (!(std::fabs(x) < INFINITY)) {
                x = 0.0f;
                ++bad;
            }
            x = std::min(std::max(x, -kBandInputLimit), kBandInputLimit);
            float lp_a = 0.0f, lp_b = 0.0f, lp_c = 0.0f, lp_d = 0.0f, lp_e = 0.0f, lp_f = 0.0f;
            const float t_a = s[0].step(lo, x - s[0].s2, lp_a);
            s[1].step(lo, lp_a - s[1].s2, lp_b);
            const float t_c = s[2].step(lo, std::fma(lo.a1, t_a, -s[2].s2), lp_c);
            const float t_d = s[3].step(hi, std::fma(lo.a1, t_c, -s[3].s2), lp_d);
            s[4].step(hi, lp_d - s[4].s2, lp_e);
            const float t_f = s[5].step(hi, std::fma(hi.a1, t_d, -s[5].s2), lp_f);
            const float y[3] = {lp_b, lp_e, hi.a1 * t_f};
            for (std::size_t b = 0; b < 3; ++b) {
                peak[b] = max_of(peak[b], std::fabs(y[b]));
                sq[b] = std::fma(y[b], y[b], sq[b]);
            }
        }
        for (std::size_t i = 0; i < 6; ++i) {
            a.state[(2 * i) * st + c] = s[i].s1;
            a.state[(2 * i + 1) * st + c] = s[i].s2;
        }
        for (std::size_t b = 0; b < 3; ++b) {
            a.peak[b * st + c] = peak[b];
            a.sum_squares[b * st + c] = sq[b];
        }
        a.nonfinite[c] += bad;
    }
}

constexpr BandKernelTable kScalar{"scalar", run_scalar};

} // namespace

const BandKernelTable& scalar_band_kernels() noexcept { return kScalar; }

} // namespace headroom
