// SIMD band kernel (band_kernels.hpp), Highway dynamic dispatch laid out as the meter kernels
// (meter_kernels_hwy.cpp): compiled once per target by foreach_target.h, the table of the best
// target the CPU supports chosen once under HWY_ONCE. The scalar reference is
// band_kernels_scalar.cpp; every operation here is the one it does, lane by lane.
//
// Layout: one vector = one frame of `lanes` adjacent channels (a plain unaligned load from the
// interleaved block). A vector of channels keeps its twelve filter states and six band sums in
// registers for a whole segment, frame after frame. The last vector may reach past the last
// channel: its extra lanes read the next frame's samples (or zeros past the end of the block)
// and are never used.
//
// Non-finite samples are rare: the fast loop does not sanitize, it sums x - x (0 for every
// finite x, NaN otherwise) and, when that sum is not 0 at the end, drops its results and runs
// the vector again with the careful loop, which zeroes and counts them. Both loops do the same
// arithmetic on every finite sample, so where a segment starts does not change a bit.
#include <cmath>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "engine/meter/band_kernels.hpp"
#include "engine/meter/bands.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/meter/band_kernels_hwy.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace headroom {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

constexpr std::size_t kMaxLanesAny = 64;  // upper bound of float lanes on any target (band_stride)

struct SectionV {
    VF g, g_plus_k, g_a1, a1;
    explicit SectionV(const SectionCoeffs& k) {
        const DF d;
        g = hn::Set(d, k.g);
        g_plus_k = hn::Set(d, k.g_plus_k);
        g_a1 = hn::Set(d, k.g_a1);
        a1 = hn::Set(d, k.a1);
    }
};

// One section on v3; returns t, the low-pass into lp. As Section::step of the scalar file.
HWY_INLINE VF Step(const SectionV& k, VF two, VF v3, VF& s1, VF& s2, VF& lp) {
    const VF t = hn::NegMulAdd(k.g_plus_k, s1, v3);
    const VF v1 = hn::MulAdd(k.g_a1, t, s1);
    const VF v2 = hn::MulAdd(k.g, v1, s2);
    s1 = hn::MulSub(two, v1, s1);
    s2 = hn::MulSub(two, v2, s2);
    lp = v2;
    return t;
}

// Channels [c0, c0 + lanes) over every frame. kCareful: non-finite samples as 0, counted;
// else returns false (storing nothing) when it met one.
template <bool kCareful>
HWY_INLINE bool RunVector(const BandKernelArgs& a, std::size_t c0) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const std::size_t nc = a.channels, st = a.stride;
    const SectionV lo(a.low), hi(a.high);
    const VF two = hn::Set(d, 2.0f);
    const VF limit = hn::Set(d, kBandInputLimit);
    const VF neg_limit = hn::Set(d, -kBandInputLimit);
    const VF inf = hn::Set(d, std::numeric_limits<float>::infinity());
    float* st_p = a.state + c0;
    VF s1a = hn::LoadU(d, st_p + 0 * st), s2a = hn::LoadU(d, st_p + 1 * st);
    VF s1b = hn::LoadU(d, st_p + 2 * st), s2b = hn::LoadU(d, st_p + 3 * st);
    VF s1c = hn::LoadU(d, st_p + 4 * st), s2c = hn::LoadU(d, st_p + 5 * st);
    VF s1d = hn::LoadU(d, st_p + 6 * st), s2d = hn::LoadU(d, st_p + 7 * st);
    VF s1e = hn::LoadU(d, st_p + 8 * st), s2e = hn::LoadU(d, st_p + 9 * st);
    VF s1f = hn::LoadU(d, st_p + 10 * st), s2f = hn::LoadU(d, st_p + 11 * st);
    VF pk0 = hn::LoadU(d, a.peak + c0), pk1 = hn::LoadU(d, a.peak + st + c0), pk2 = hn::LoadU(d, a.peak + 2 * st + c0);
    VF sq0 = hn::LoadU(d, a.sum_squares + c0), sq1 = hn::LoadU(d, a.sum_squares + st + c0),
       sq2 = hn::LoadU(d, a.sum_squares + 2 * st + c0);
    VF finite_check = hn::Zero(d);  // fast loop: sum of x - x
    VF bad = hn::Zero(d);           // careful loop: non-finite samples per lane
    HWY_ALIGN float tail[kMaxLanesAny] = {};
    const bool short_vector = c0 + L > nc;
    const auto readable = static_cast<std::size_t>(a.x_end - a.x);  // floats from a.x on
    for (std::size_t f = 0; f < a.frames; ++f) {
        const float* p = a.x + f * nc + c0;
        VF x;
        if (HWY_UNLIKELY(short_vector && f * nc + c0 + L > readable)) {  // the block's last frame
            std::memcpy(tail, p, (nc - c0) * sizeof(float));
            x = hn::Load(d, tail);
        } else {
            x = hn::LoadU(d, p);
        }
        if constexpr (kCareful) {
            const auto fin = hn::Lt(hn::Abs(x), inf);
            bad = hn::Add(bad, hn::IfThenZeroElse(fin, hn::Set(d, 1.0f)));
            x = hn::IfThenElseZero(fin, x);
        } else {
            finite_check = hn::Add(finite_check, hn::Sub(x, x));
        }
        x = hn::Min(hn::Max(x, neg_limit), limit);
        VF lp_a, lp_b, lp_c, lp_d, lp_e, lp_f;
        const VF t_a = Step(lo, two, hn::Sub(x, s2a), s1a, s2a, lp_a);
        Step(lo, two, hn::Sub(lp_a, s2b), s1b, s2b, lp_b);
        const VF t_c = Step(lo, two, hn::MulSub(lo.a1, t_a, s2c), s1c, s2c, lp_c);
        const VF t_d = Step(hi, two, hn::MulSub(lo.a1, t_c, s2d), s1d, s2d, lp_d);
        Step(hi, two, hn::Sub(lp_d, s2e), s1e, s2e, lp_e);
        const VF t_f = Step(hi, two, hn::MulSub(hi.a1, t_d, s2f), s1f, s2f, lp_f);
        const VF high = hn::Mul(hi.a1, t_f);
        pk0 = hn::Max(pk0, hn::Abs(lp_b));
        pk1 = hn::Max(pk1, hn::Abs(lp_e));
        pk2 = hn::Max(pk2, hn::Abs(high));
        sq0 = hn::MulAdd(lp_b, lp_b, sq0);
        sq1 = hn::MulAdd(lp_e, lp_e, sq1);
        sq2 = hn::MulAdd(high, high, sq2);
    }
    if constexpr (!kCareful) {
        if (!hn::AllTrue(d, hn::Eq(finite_check, hn::Zero(d)))) return false;
    } else {
        HWY_ALIGN float counts[kMaxLanesAny];
        hn::Store(bad, d, counts);
        for (std::size_t l = 0; l < L && c0 + l < nc; ++l) a.nonfinite[c0 + l] += static_cast<std::uint32_t>(counts[l]);
    }
    hn::StoreU(s1a, d, st_p + 0 * st), hn::StoreU(s2a, d, st_p + 1 * st);
    hn::StoreU(s1b, d, st_p + 2 * st), hn::StoreU(s2b, d, st_p + 3 * st);
    hn::StoreU(s1c, d, st_p + 4 * st), hn::StoreU(s2c, d, st_p + 5 * st);
    hn::StoreU(s1d, d, st_p + 6 * st), hn::StoreU(s2d, d, st_p + 7 * st);
    hn::StoreU(s1e, d, st_p + 8 * st), hn::StoreU(s2e, d, st_p + 9 * st);
    hn::StoreU(s1f, d, st_p + 10 * st), hn::StoreU(s2f, d, st_p + 11 * st);
    hn::StoreU(pk0, d, a.peak + c0), hn::StoreU(pk1, d, a.peak + st + c0), hn::StoreU(pk2, d, a.peak + 2 * st + c0);
    hn::StoreU(sq0, d, a.sum_squares + c0), hn::StoreU(sq1, d, a.sum_squares + st + c0);
    hn::StoreU(sq2, d, a.sum_squares + 2 * st + c0);
    return true;
}

void Run(const BandKernelArgs& a) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    for (std::size_t c0 = 0; c0 < a.channels; c0 += L)
        if (!RunVector<false>(a, c0)) RunVector<true>(a, c0);
}

const BandKernelTable* GetBandTable() {
    static const BandKernelTable table{hwy::TargetName(HWY_TARGET), &Run};
    return &table;
}

} // namespace HWY_NAMESPACE
} // namespace headroom
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace headroom {
HWY_EXPORT(GetBandTable);

const BandKernelTable& simd_band_kernels() { return *HWY_DYNAMIC_DISPATCH(GetBandTable)(); }

} // namespace headroom
#endif  // HWY_ONCE
