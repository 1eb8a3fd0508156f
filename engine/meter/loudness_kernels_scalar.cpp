// The scalar reference of LoudnessMeter's K-weighting (loudness_kernels.hpp): one channel at a
// time. Deliberately plain: the SIMD version is tested against it bit for bit.
#include <cstddef>

#include "engine/meter/loudness_kernels.hpp"

namespace headroom {
namespace {

void k_weight_scalar(const float* in, std::size_t frames, std::size_t stride, std::size_t count,
                     const KWeighting& k, const KWeightState& st) {
    for (std::size_t j = 0; j < count; ++j) {
        double x1 = st.in1[j], x2 = st.in2[j], s1 = st.shelf1[j], s2 = st.shelf2[j];
        double z1 = st.out1[j], z2 = st.out2[j], sum = st.hop_sum[j];
        for (std::size_t f = 0; f < frames; ++f) {
            const double x = static_cast<double>(in[f * stride + j]);
            const double s = (((k.shelf_b0 * x + k.shelf_b1 * x1) + k.shelf_b2 * x2) - k.shelf_a1 * s1) -
                             k.shelf_a2 * s2;
            const double z = (((s - 2.0 * s1) + s2) - k.highpass_a1 * z1) - k.highpass_a2 * z2;
            sum = sum + z * z;
            x2 = x1;
            x1 = x;
            s2 = s1;
            s1 = s;
            z2 = z1;
            z1 = z;
        }
        st.in1[j] = x1;
        st.in2[j] = x2;
        st.shelf1[j] = s1;
        st.shelf2[j] = s2;
        st.out1[j] = z1;
        st.out2[j] = z2;
        st.hop_sum[j] = sum;
    }
}

constexpr LoudnessKernelTable kScalar{"scalar", k_weight_scalar};

} // namespace

const LoudnessKernelTable& scalar_loudness_kernels() noexcept { return kScalar; }

} // namespace headroom
