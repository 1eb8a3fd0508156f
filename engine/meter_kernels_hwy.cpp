// SIMD kernels of the MeterBank (see meter_kernels.hpp), Highway dynamic dispatch: this
// file is compiled once per target by foreach_target.h, and simd_kernels() returns the
// table of the best target the CPU supports.
//
// Layouts:
//  - true peak: on interleaved data the FIR of channel c at frame n is a 1-D FIR with stride
//    C over the flat array, so plain unaligned loads serve every lane whatever C is; two
//    output vectors per iteration keep 2 * factor independent FMA chains in flight.
//  - scan, C <= lanes: one vector holds R = lanes / C whole frames (lane l is channel l % C);
//    the lanes past R * C are ignored (their threshold is +inf). C > lanes: lanes = channels
//    in groups of `lanes`; the last group is shifted back to end at channel C - 1, and the
//    lanes it shares with the previous group are left to that group.
//  Non-finite, full-scale and hot samples cost one compare per vector; only a vector that
//  holds one goes to the callback.
#include <cmath>
#include <cstddef>
#include <limits>

#include "engine/meter_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/meter_kernels_hwy.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace headroom {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

constexpr std::size_t kMaxLanesAny = 64;  // upper bound of float lanes on any target

void CopySanitize(const float* src, float* dst, std::size_t n, SpecialFn on_nonfinite, void* ctx) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const VF inf = hn::Set(d, std::numeric_limits<float>::infinity());
    std::size_t i = 0;
    for (; i + L <= n; i += L) {
        const VF v = hn::LoadU(d, src + i);
        const auto fin = hn::Lt(hn::Abs(v), inf);
        hn::StoreU(hn::IfThenElseZero(fin, v), d, dst + i);
        if (HWY_UNLIKELY(!hn::AllTrue(d, fin))) on_nonfinite(ctx, i, i + L);
    }
    for (; i < n; ++i) {  // fewer than one vector left
        const float v = src[i];
        const bool fin = std::fabs(v) < std::numeric_limits<float>::infinity();
        dst[i] = fin ? v : 0.0f;
        if (!fin) on_nonfinite(ctx, i, i + 1);
    }
}

// Output vectors at i and i + L, `factor` phases; h is phase-major.
template <int F>
HWY_INLINE void TruePeakFixed(const float* in, std::size_t n, std::ptrdiff_t stride, const float* h,
                              int taps, float* tpv) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    for (std::size_t i = 0; i < n; i += 2 * L) {
        VF a0 = hn::Zero(d), a1 = hn::Zero(d), b0 = hn::Zero(d), b1 = hn::Zero(d);
        VF c0 = hn::Zero(d), c1 = hn::Zero(d), e0 = hn::Zero(d), e1 = hn::Zero(d);
        const float* p = in + i;
        for (int k = 0; k < taps; ++k, p -= stride) {
            const VF x0 = hn::LoadU(d, p);
            const VF x1 = hn::LoadU(d, p + L);
            const VF h0 = hn::Set(d, h[k]);
            a0 = hn::MulAdd(h0, x0, a0);
            a1 = hn::MulAdd(h0, x1, a1);
            if constexpr (F >= 2) {
                const VF h1 = hn::Set(d, h[taps + k]);
                b0 = hn::MulAdd(h1, x0, b0);
                b1 = hn::MulAdd(h1, x1, b1);
            }
            if constexpr (F >= 4) {
                const VF h2 = hn::Set(d, h[2 * taps + k]);
                const VF h3 = hn::Set(d, h[3 * taps + k]);
                c0 = hn::MulAdd(h2, x0, c0);
                c1 = hn::MulAdd(h2, x1, c1);
                e0 = hn::MulAdd(h3, x0, e0);
                e1 = hn::MulAdd(h3, x1, e1);
            }
        }
        VF m0 = hn::Abs(a0), m1 = hn::Abs(a1);
        if constexpr (F >= 2) {
            m0 = hn::Max(m0, hn::Abs(b0));
            m1 = hn::Max(m1, hn::Abs(b1));
        }
        if constexpr (F >= 4) {
            m0 = hn::Max(m0, hn::Max(hn::Abs(c0), hn::Abs(e0)));
            m1 = hn::Max(m1, hn::Max(hn::Abs(c1), hn::Abs(e1)));
        }
        hn::StoreU(m0, d, tpv + i);
        hn::StoreU(m1, d, tpv + i + L);
    }
}

// Any factor: one phase at a time (not used by the BS.1770 factors 1, 2, 4).
HWY_INLINE void TruePeakAny(const float* in, std::size_t n, std::ptrdiff_t stride, const float* h, int taps,
                            int factor, float* tpv) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    for (std::size_t i = 0; i < n; i += L) {
        VF m = hn::Zero(d);
        for (int q = 0; q < factor; ++q) {
            VF acc = hn::Zero(d);
            const float* p = in + i;
            for (int k = 0; k < taps; ++k, p -= stride)
                acc = hn::MulAdd(hn::Set(d, h[q * taps + k]), hn::LoadU(d, p), acc);
            m = hn::Max(m, hn::Abs(acc));
        }
        hn::StoreU(m, d, tpv + i);
    }
}

void TruePeak(const float* in, std::size_t n, int channels, const float* coeffs, int taps, int factor,
              float* tpv) {
    const auto stride = static_cast<std::ptrdiff_t>(channels);
    switch (factor) {
        case 1: TruePeakFixed<1>(in, n, stride, coeffs, taps, tpv); break;
        case 2: TruePeakFixed<2>(in, n, stride, coeffs, taps, tpv); break;
        case 4: TruePeakFixed<4>(in, n, stride, coeffs, taps, tpv); break;
        default: TruePeakAny(in, n, stride, coeffs, taps, factor, tpv); break;
    }
}

// One accumulator set of the scan: max |x|, max tpv, sum x^2 per lane.
struct Acc {
    VF sp, tp, sq;
};

HWY_INLINE void Accumulate(const DF d, VF v, VF t, Acc& acc, VF& absv) {
    (void)d;
    absv = hn::Abs(v);
    acc.sp = hn::Max(acc.sp, absv);
    acc.tp = hn::Max(acc.tp, t);
    acc.sq = hn::MulAdd(v, v, acc.sq);
}

// C <= L: each vector holds R whole frames.
void ScanPacked(const float* x, const float* tpv, std::size_t frames, std::size_t C, const float* thr,
                float* sp, float* tp, double* sq, SpecialFn cb, void* ctx) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const std::size_t R = L / C;
    const std::size_t nv = R * C;  // valid lanes of a full step
    HWY_ALIGN float buf[3][kMaxLanesAny];
    for (std::size_t l = 0; l < L; ++l)
        buf[0][l] = l < nv ? thr[l % C] : std::numeric_limits<float>::infinity();
    const VF t = hn::Load(d, buf[0]);
    Acc a{hn::Zero(d), hn::Zero(d), hn::Zero(d)};
    Acc b = a;
    VF a0, a1;
    std::size_t f = 0;
    for (; f + 2 * R <= frames; f += 2 * R) {
        const std::size_t i = f * C;
        Accumulate(d, hn::LoadU(d, x + i), hn::LoadU(d, tpv + i), a, a0);
        Accumulate(d, hn::LoadU(d, x + i + nv), hn::LoadU(d, tpv + i + nv), b, a1);
        const auto ok0 = hn::Le(a0, t);
        const auto ok1 = hn::Le(a1, t);
        if (HWY_UNLIKELY(!hn::AllTrue(d, hn::And(ok0, ok1)))) {
            if (!hn::AllTrue(d, ok0)) cb(ctx, i, i + nv);
            if (!hn::AllTrue(d, ok1)) cb(ctx, i + nv, i + 2 * nv);
        }
    }
    for (; f + R <= frames; f += R) {
        const std::size_t i = f * C;
        Accumulate(d, hn::LoadU(d, x + i), hn::LoadU(d, tpv + i), a, a0);
        if (HWY_UNLIKELY(!hn::AllTrue(d, hn::Le(a0, t)))) cb(ctx, i, i + nv);
    }
    if (f < frames) {  // fewer than R frames left: zero the lanes past them
        const std::size_t i = f * C;
        const std::size_t valid = (frames - f) * C;
        const auto m = hn::FirstN(d, valid);
        Accumulate(d, hn::IfThenElseZero(m, hn::LoadU(d, x + i)), hn::IfThenElseZero(m, hn::LoadU(d, tpv + i)), b,
                   a1);
        if (HWY_UNLIKELY(!hn::AllTrue(d, hn::Le(a1, t)))) cb(ctx, i, i + valid);
    }
    hn::Store(hn::Max(a.sp, b.sp), d, buf[0]);
    hn::Store(hn::Max(a.tp, b.tp), d, buf[1]);
    hn::Store(hn::Add(a.sq, b.sq), d, buf[2]);
    for (std::size_t c = 0; c < C; ++c) {
        sp[c] = 0.0f;
        tp[c] = 0.0f;
        sq[c] = 0.0;
    }
    for (std::size_t l = 0; l < nv; ++l) {
        const std::size_t c = l % C;
        if (buf[0][l] > sp[c]) sp[c] = buf[0][l];
        if (buf[1][l] > tp[c]) tp[c] = buf[1][l];
        sq[c] += static_cast<double>(buf[2][l]);
    }
}

// C > L: lanes = channels, groups of L; the last group ends at channel C - 1.
void ScanGroups(const float* x, const float* tpv, std::size_t frames, std::size_t C, const float* thr,
                float* sp, float* tp, double* sq, SpecialFn cb, void* ctx) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const VF inf = hn::Set(d, std::numeric_limits<float>::infinity());
    HWY_ALIGN float buf[3][kMaxLanesAny];
    for (std::size_t g0 = 0; g0 < C; g0 += L) {
        const std::size_t off = g0 + L <= C ? g0 : C - L;
        const std::size_t own = g0 - off;  // lanes below this belong to the previous group
        const VF t = hn::IfThenElse(hn::FirstN(d, own), inf, hn::LoadU(d, thr + off));
        Acc a{hn::Zero(d), hn::Zero(d), hn::Zero(d)};
        Acc b = a;
        VF a0, a1;
        std::size_t f = 0;
        for (; f + 2 <= frames; f += 2) {
            const std::size_t i = f * C + off;
            Accumulate(d, hn::LoadU(d, x + i), hn::LoadU(d, tpv + i), a, a0);
            Accumulate(d, hn::LoadU(d, x + i + C), hn::LoadU(d, tpv + i + C), b, a1);
            const auto ok0 = hn::Le(a0, t);
            const auto ok1 = hn::Le(a1, t);
            if (HWY_UNLIKELY(!hn::AllTrue(d, hn::And(ok0, ok1)))) {
                if (!hn::AllTrue(d, ok0)) cb(ctx, i + own, i + L);
                if (!hn::AllTrue(d, ok1)) cb(ctx, i + C + own, i + C + L);
            }
        }
        if (f < frames) {
            const std::size_t i = f * C + off;
            Accumulate(d, hn::LoadU(d, x + i), hn::LoadU(d, tpv + i), a, a0);
            if (HWY_UNLIKELY(!hn::AllTrue(d, hn::Le(a0, t)))) cb(ctx, i + own, i + L);
        }
        hn::Store(hn::Max(a.sp, b.sp), d, buf[0]);
        hn::Store(hn::Max(a.tp, b.tp), d, buf[1]);
        hn::Store(hn::Add(a.sq, b.sq), d, buf[2]);
        for (std::size_t l = own; l < L; ++l) {
            sp[off + l] = buf[0][l];
            tp[off + l] = buf[1][l];
            sq[off + l] = static_cast<double>(buf[2][l]);
        }
    }
}

void Scan(const float* x, const float* tpv, std::size_t frames, int channels, const float* special_thr,
          float* sp, float* tp, double* sq, SpecialFn on_special, void* ctx) {
    const DF d;
    const auto C = static_cast<std::size_t>(channels);
    if (C <= hn::Lanes(d))
        ScanPacked(x, tpv, frames, C, special_thr, sp, tp, sq, on_special, ctx);
    else
        ScanGroups(x, tpv, frames, C, special_thr, sp, tp, sq, on_special, ctx);
}

const KernelTable* GetTable() {
    static const KernelTable table{hwy::TargetName(HWY_TARGET), &CopySanitize, &TruePeak, &Scan};
    return &table;
}

} // namespace HWY_NAMESPACE
} // namespace headroom
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace headroom {
HWY_EXPORT(GetTable);

const KernelTable& simd_kernels() { return *HWY_DYNAMIC_DISPATCH(GetTable)(); }

} // namespace headroom
#endif
