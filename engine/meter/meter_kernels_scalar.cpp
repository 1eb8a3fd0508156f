// Scalar reference kernels of the MeterBank (see meter_kernels.hpp). Deliberately plain:
// the SIMD kernels are tested against these.
#include <cmath>
#include <cstdint>

#include "engine/meter/meter_kernels.hpp"

namespace headroom {
namespace {

void copy_sanitize_scalar(const float* src, float* dst, std::size_t n, NonFiniteFn on_nonfinite,
                          void* ctx) {
    for (std::size_t i = 0; i < n; ++i) {
        const float v = src[i];
        if (std::isfinite(v)) {
            dst[i] = v;
        } else {
            dst[i] = 0.0f;
            on_nonfinite(ctx, i, i + 1);
        }
    }
}

void true_peak_scalar(const float* in, std::size_t n, int channels, const float* coeffs, int taps,
                      int factor, float* true_peak_values) {
    const auto stride = static_cast<std::ptrdiff_t>(channels);
    for (std::size_t i = 0; i < n; ++i) {
        float m = 0.0f;
        for (int p = 0; p < factor; ++p) {
            const float* h = coeffs + static_cast<std::ptrdiff_t>(p) * taps;
            float y = 0.0f;
            const float* xi = in + i;
            for (int k = 0; k < taps; ++k) y = std::fma(h[k], xi[-k * stride], y);
            m = std::fmax(m, std::fabs(y));
        }
        true_peak_values[i] = m;
    }
}

unsigned scan_scalar(const float* x, const float* true_peak_values, std::size_t frames, int channels,
                     std::uint64_t first_frame, const float* special_threshold, float* sample_peak, float* true_peak,
                     float* sq_slots) {
    const auto nc = static_cast<std::size_t>(channels);
    const std::size_t slots = sq_slot_count(channels);
    for (std::size_t c = 0; c < nc; ++c) {
        sample_peak[c] = 0.0f;
        true_peak[c] = 0.0f;
    }
    unsigned flags = 0;
    for (std::size_t f = 0; f < frames; ++f) {
        float* slot = sq_slots + static_cast<std::size_t>((first_frame + f) % slots) * nc;
        for (std::size_t c = 0; c < nc; ++c) {
            const std::size_t i = f * nc + c;
            const float v = x[i];
            const float a = std::fabs(v);
            sample_peak[c] = std::fmax(sample_peak[c], a);
            if (true_peak_values != nullptr) true_peak[c] = std::fmax(true_peak[c], true_peak_values[i]);
            const float q = a > kSquareLimit ? kSquareLimit : a;  // NaN stays NaN
            slot[c] = std::fma(q, q, slot[c]);
            if (!std::isfinite(v) || !std::isfinite(slot[c])) flags |= kScanNonFinite;
            if (!(a <= special_threshold[c])) flags |= kScanSpecial;
        }
    }
    return flags;
}

} // namespace

void hot_span_plain(const float* x, const float* true_peak_values, std::size_t frames, int channels,
                    const float* hot_threshold, float clip_threshold, float* hot_throughout, float* sample_peak,
                    float* true_peak) noexcept {
    const auto nc = static_cast<std::size_t>(channels);
    for (std::size_t c = 0; c < nc; ++c) {
        const float a = std::fabs(x[c]);
        hot_throughout[c] = a > hot_threshold[c] && a < clip_threshold ? 1.0f : 0.0f;
        sample_peak[c] = 0.0f;
        true_peak[c] = 0.0f;
    }
    for (std::size_t f = 1; f < frames; ++f) {
        for (std::size_t c = 0; c < nc; ++c) {
            const std::size_t i = f * nc + c;
            const float a = std::fabs(x[i]);
            if (!(a > hot_threshold[c] && a < clip_threshold)) hot_throughout[c] = 0.0f;
            sample_peak[c] = std::fmax(sample_peak[c], a);
            if (true_peak_values != nullptr) true_peak[c] = std::fmax(true_peak[c], true_peak_values[i]);
        }
    }
}

namespace {
constexpr KernelTable kScalar{"scalar", copy_sanitize_scalar, true_peak_scalar, scan_scalar, hot_span_plain};
} // namespace

const KernelTable& scalar_kernels() noexcept { return kScalar; }

} // namespace headroom
