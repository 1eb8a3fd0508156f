// LoudnessMeter's K-weighting across channels (loudness_kernels.hpp) with Highway dynamic
// dispatch, laid out as Highway's example skeleton (hwy/examples/skeleton.cc): the kernel is
// compiled once per target by foreach_target.h; the table and simd_loudness_kernels() once,
// under HWY_ONCE. One vector of doubles holds a group of channels; the recursion runs along
// the frames with the group's state in registers, two groups interleaved when there are two
// (the recursion's latency, not the arithmetic, bounds the speed). Every lane computes the
// scalar reference's operations in its order, so both give the same bits.
#include <cstddef>

#include "engine/meter/loudness_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/meter/loudness_kernels_hwy.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace headroom {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DD = hn::ScalableTag<double>;
using DFh = hn::Rebind<float, DD>;  // as many floats as a vector has doubles
using VD = hn::Vec<DD>;

struct Coeffs {
    VD b0, b1, b2, a1, a2, c1, c2, two;
};

struct Group {
    VD x1, x2, s1, s2, z1, z2, sum;
};

HWY_INLINE Group Load(const KWeightState& st, std::size_t j) {
    const DD d;
    return {hn::LoadU(d, st.in1 + j),    hn::LoadU(d, st.in2 + j), hn::LoadU(d, st.shelf1 + j),
            hn::LoadU(d, st.shelf2 + j), hn::LoadU(d, st.out1 + j), hn::LoadU(d, st.out2 + j),
            hn::LoadU(d, st.hop_sum + j)};
}

HWY_INLINE void Store(const Group& g, const KWeightState& st, std::size_t j) {
    const DD d;
    hn::StoreU(g.x1, d, st.in1 + j);
    hn::StoreU(g.x2, d, st.in2 + j);
    hn::StoreU(g.s1, d, st.shelf1 + j);
    hn::StoreU(g.s2, d, st.shelf2 + j);
    hn::StoreU(g.z1, d, st.out1 + j);
    hn::StoreU(g.z2, d, st.out2 + j);
    hn::StoreU(g.sum, d, st.hop_sum + j);
}

// One frame of one group: the scalar reference's expression, operation by operation.
HWY_INLINE void Step(Group& g, const VD x, const Coeffs& k) {
    const VD s = hn::Sub(
        hn::Sub(hn::Add(hn::Add(hn::Mul(k.b0, x), hn::Mul(k.b1, g.x1)), hn::Mul(k.b2, g.x2)), hn::Mul(k.a1, g.s1)),
        hn::Mul(k.a2, g.s2));
    const VD z = hn::Sub(hn::Sub(hn::Add(hn::Sub(s, hn::Mul(k.two, g.s1)), g.s2), hn::Mul(k.c1, g.z1)),
                         hn::Mul(k.c2, g.z2));
    g.sum = hn::Add(g.sum, hn::Mul(z, z));
    g.x2 = g.x1;
    g.x1 = x;
    g.s2 = g.s1;
    g.s1 = s;
    g.z2 = g.z1;
    g.z1 = z;
}

void KWeight(const float* in, std::size_t frames, std::size_t stride, std::size_t count, const KWeighting& kw,
             const KWeightState& st) {
    const DD d;
    const DFh df;
    const std::size_t N = hn::Lanes(d);
    const Coeffs k{hn::Set(d, kw.shelf_b0),    hn::Set(d, kw.shelf_b1),    hn::Set(d, kw.shelf_b2),
                   hn::Set(d, kw.shelf_a1),    hn::Set(d, kw.shelf_a2),    hn::Set(d, kw.highpass_a1),
                   hn::Set(d, kw.highpass_a2), hn::Set(d, 2.0)};
    // Lanes past `count` up to the next multiple of N lie inside the stride (a multiple of
    // kLoudnessLanePad >= N) and hold zeros: computing them changes nothing.
    std::size_t j = 0;
    for (; j + N < count; j += 2 * N) {
        Group g0 = Load(st, j), g1 = Load(st, j + N);
        for (std::size_t f = 0; f < frames; ++f) {
            const float* row = in + f * stride + j;
            Step(g0, hn::PromoteTo(d, hn::LoadU(df, row)), k);
            Step(g1, hn::PromoteTo(d, hn::LoadU(df, row + N)), k);
        }
        Store(g0, st, j);
        Store(g1, st, j + N);
    }
    for (; j < count; j += N) {
        Group g = Load(st, j);
        for (std::size_t f = 0; f < frames; ++f) Step(g, hn::PromoteTo(d, hn::LoadU(df, in + f * stride + j)), k);
        Store(g, st, j);
    }
}

const LoudnessKernelTable* GetLoudnessKernels() {
    static const LoudnessKernelTable table{hwy::TargetName(HWY_TARGET), &KWeight};
    return &table;
}

} // namespace HWY_NAMESPACE
} // namespace headroom
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace headroom {

HWY_EXPORT(GetLoudnessKernels);

const LoudnessKernelTable& simd_loudness_kernels() { return *HWY_DYNAMIC_DISPATCH(GetLoudnessKernels)(); }

} // namespace headroom
#endif  // HWY_ONCE
