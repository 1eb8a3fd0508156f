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
#include <algorithm>
#include <cstddef>
#include <cstdint>
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

// Sanitizing copy, element by element (the slow path: a range known to hold non-finites).
void CopySanitizeSlow(const float* src, float* dst, std::size_t n, SpecialFn on_nonfinite, void* ctx) {
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

// Fast path: copy, and fold v - v (exactly 0 for a finite v, NaN for NaN and +-Inf) into
// sums that stay 0 while everything is finite; one test per chunk. A chunk that holds a
// non-finite sample is redone by the slow path.
void CopySanitize(const float* src, float* dst, std::size_t n, SpecialFn on_nonfinite, void* ctx) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const std::size_t chunk = 64 * L;
    for (std::size_t c0 = 0; c0 < n; c0 += chunk) {
        const std::size_t m = std::min(chunk, n - c0);
        const float* s = src + c0;
        float* t = dst + c0;
        VF z0 = hn::Zero(d), z1 = hn::Zero(d);
        std::size_t i = 0;
        for (; i + 2 * L <= m; i += 2 * L) {
            const VF v0 = hn::LoadU(d, s + i);
            const VF v1 = hn::LoadU(d, s + i + L);
            hn::StoreU(v0, d, t + i);
            hn::StoreU(v1, d, t + i + L);
            z0 = hn::Add(z0, hn::Sub(v0, v0));
            z1 = hn::Add(z1, hn::Sub(v1, v1));
        }
        bool finite = hn::AllTrue(d, hn::Eq(hn::Add(z0, z1), hn::Zero(d)));
        for (; i < m; ++i) {
            t[i] = s[i];
            finite = finite && std::isfinite(s[i]);
        }
        if (HWY_UNLIKELY(!finite)) {
            // the callback sees indices relative to src: shift by the chunk start
            struct Shift {
                SpecialFn fn;
                void* ctx;
                std::size_t off;
                static void call(void* p, std::size_t b, std::size_t e) {
                    auto* sh = static_cast<Shift*>(p);
                    sh->fn(sh->ctx, b + sh->off, e + sh->off);
                }
            } sh{on_nonfinite, ctx, c0};
            CopySanitizeSlow(s, t, m, &Shift::call, &sh);
        }
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
            if constexpr (F >= 3) {
                const VF h2 = hn::Set(d, h[2 * taps + k]);
                c0 = hn::MulAdd(h2, x0, c0);
                c1 = hn::MulAdd(h2, x1, c1);
            }
            if constexpr (F >= 4) {
                const VF h3 = hn::Set(d, h[3 * taps + k]);
                e0 = hn::MulAdd(h3, x0, e0);
                e1 = hn::MulAdd(h3, x1, e1);
            }
        }
        VF m0 = hn::Abs(a0), m1 = hn::Abs(a1);
        if constexpr (F >= 2) {
            m0 = hn::Max(m0, hn::Abs(b0));
            m1 = hn::Max(m1, hn::Abs(b1));
        }
        if constexpr (F >= 3) {
            m0 = hn::Max(m0, hn::Abs(c0));
            m1 = hn::Max(m1, hn::Abs(c1));
        }
        if constexpr (F >= 4) {
            m0 = hn::Max(m0, hn::Abs(e0));
            m1 = hn::Max(m1, hn::Abs(e1));
        }
        hn::StoreU(m0, d, tpv + i);
        hn::StoreU(m1, d, tpv + i + L);
    }
}

// Any other phase count: one phase at a time (not used by the BS.1770 factors).
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
        case 3: TruePeakFixed<3>(in, n, stride, coeffs, taps, tpv); break;
        case 4: TruePeakFixed<4>(in, n, stride, coeffs, taps, tpv); break;
        default: TruePeakAny(in, n, stride, coeffs, taps, factor, tpv); break;
    }
}

// Frames [fb, fe) of a scan one sample at a time: the alignment heads and tails of the
// vector loops. Same maths as the scalar reference (sp, tp already initialised).
template <bool kTp>
HWY_INLINE void ScanFramesOneByOne(const float* x, const float* tpv, std::size_t fb, std::size_t fe,
                                   std::size_t C, std::uint64_t first, const float* thr, float* sp,
                                   float* tp, float* slots, SpecialFn cb, void* ctx) {
    for (std::size_t f = fb; f < fe; ++f) {
        float* slot = slots + static_cast<std::size_t>((first + f) % kSqSlots) * C;
        for (std::size_t c = 0; c < C; ++c) {
            const std::size_t i = f * C + c;
            const float v = x[i];
            const float a = std::fabs(v);
            if (a > sp[c]) sp[c] = a;
            if constexpr (kTp) {
                if (tpv[i] > tp[c]) tp[c] = tpv[i];
            }
            const float sq = v * v;
            slot[c] = slot[c] + sq;
            if (!(a <= thr[c])) cb(ctx, i, i + 1);
        }
    }
}

// C <= L: a vector holds R whole frames (R a power of two, R * C <= L, R <= kSqSlots), so a
// row of kSqSlots frames is J = kSqSlots / R vectors and vector j of a row adds to slots
// [j R, j R + R): the row's J accumulators stay in registers. Lane l is channel l % C; the
// lanes past R * C carry zeros (and a +inf threshold); kFull: there are none. Special
// samples are looked for once per row (on the row's max |x|), per vector only in a row that
// holds one.
template <int J, bool kTp, bool kFull>
void ScanPacked(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::uint64_t first,
                const float* thr, float* sp, float* tp, float* slots, SpecialFn cb, void* ctx) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    constexpr std::size_t R = kSqSlots / J;
    const std::size_t nv = R * C;  // valid lanes of a vector
    HWY_ALIGN float buf[kMaxLanesAny];
    for (std::size_t l = 0, c = 0; l < L; ++l, c = c + 1 == C ? 0 : c + 1)  // c = l % C, without a division
        buf[l] = l < nv ? thr[c] : std::numeric_limits<float>::infinity();
    const VF t = hn::Load(d, buf);
    const auto valid = hn::FirstN(d, nv);
    VF spv = hn::Zero(d), tpvv = hn::Zero(d);
    auto load = [&](std::size_t i) HWY_ATTR {
        if constexpr (kFull) return hn::LoadU(d, x + i);
        else return hn::IfThenElseZero(valid, hn::LoadU(d, x + i));
    };
    // One vector of R frames at frame f into `acc`; returns its |x|.
    auto step = [&](std::size_t f, VF& acc) HWY_ATTR {
        const std::size_t i = f * C;
        const VF v = load(i);
        if constexpr (kTp) tpvv = hn::Max(tpvv, hn::LoadU(d, tpv + i));
        acc = hn::Add(acc, hn::Mul(v, v));
        return hn::Abs(v);
    };
    // Vectors at frame f (aligned to R) through memory: lanes past nv add 0 to what they load.
    auto step_mem = [&](std::size_t f) HWY_ATTR {
        float* s = slots + static_cast<std::size_t>((first + f) % kSqSlots) * C;
        VF acc = hn::LoadU(d, s);
        const VF av = step(f, acc);
        hn::StoreU(acc, d, s);
        spv = hn::Max(spv, av);
        if (HWY_UNLIKELY(!hn::AllTrue(d, hn::Le(av, t)))) cb(ctx, f * C, f * C + nv);
    };
    std::size_t f = std::min<std::size_t>(frames, static_cast<std::size_t>((R - first % R) % R));
    ScanFramesOneByOne<kTp>(x, tpv, 0, f, C, first, thr, sp, tp, slots, cb, ctx);
    while (f + R <= frames && (first + f) % kSqSlots != 0) {  // head of a row
        step_mem(f);
        f += R;
    }
    if (f + kSqSlots <= frames) {
        VF acc[J];
        for (int j = 0; j < J; ++j) acc[j] = hn::LoadU(d, slots + static_cast<std::size_t>(j) * nv);
        for (; f + kSqSlots <= frames; f += kSqSlots) {
            VF m = step(f, acc[0]);
            for (int j = 1; j < J; ++j) m = hn::Max(m, step(f + static_cast<std::size_t>(j) * R, acc[j]));
            spv = hn::Max(spv, m);
            if (HWY_UNLIKELY(!hn::AllTrue(d, hn::Le(m, t)))) {
                for (int j = 0; j < J; ++j) {
                    const std::size_t i = (f + static_cast<std::size_t>(j) * R) * C;
                    if (!hn::AllTrue(d, hn::Le(hn::Abs(load(i)), t))) cb(ctx, i, i + nv);
                }
            }
        }
        // Ascending, so that each store's lanes past nv (stale copies of the next vector's
        // slots) are overwritten by that vector's own store.
        for (int j = 0; j < J; ++j) hn::StoreU(acc[j], d, slots + static_cast<std::size_t>(j) * nv);
    }
    for (; f + R <= frames; f += R) step_mem(f);  // tail of a row
    HWY_ALIGN float bs[kMaxLanesAny];
    HWY_ALIGN float bt[kMaxLanesAny];
    hn::Store(spv, d, bs);
    hn::Store(tpvv, d, bt);
    for (std::size_t l = 0, c = 0; l < nv; ++l, c = c + 1 == C ? 0 : c + 1) {
        if (bs[l] > sp[c]) sp[c] = bs[l];
        if (bt[l] > tp[c]) tp[c] = bt[l];
    }
    ScanFramesOneByOne<kTp>(x, tpv, f, frames, C, first, thr, sp, tp, slots, cb, ctx);
}

// C > L, one group of L channels starting at `off`: lanes = channels; the lanes below `own`
// belong to the previous group (kShared: zeros, +inf threshold). The group's kSqSlots
// accumulators stay in registers over whole rows of frames; special samples are looked for
// once per row.
template <bool kTp, bool kShared>
void ScanGroup(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::uint64_t first,
               const float* thr, float* sp, float* tp, float* slots, SpecialFn cb, void* ctx, std::size_t off,
               std::size_t own) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const VF inf = hn::Set(d, std::numeric_limits<float>::infinity());
    const auto shared = hn::FirstN(d, own);
    const VF t = kShared ? hn::IfThenElse(shared, inf, hn::LoadU(d, thr + off)) : hn::LoadU(d, thr + off);
    VF spv = hn::Zero(d), tpvv = hn::Zero(d);
    auto load = [&](std::size_t i) HWY_ATTR {
        if constexpr (kShared) return hn::IfThenZeroElse(shared, hn::LoadU(d, x + i));
        else return hn::LoadU(d, x + i);
    };
    auto step = [&](std::size_t f, VF& acc) HWY_ATTR {
        const std::size_t i = f * C + off;
        const VF v = load(i);
        if constexpr (kTp) tpvv = hn::Max(tpvv, hn::LoadU(d, tpv + i));
        acc = hn::Add(acc, hn::Mul(v, v));
        return hn::Abs(v);
    };
    auto step_mem = [&](std::size_t f) HWY_ATTR {
        float* s = slots + static_cast<std::size_t>((first + f) % kSqSlots) * C + off;
        VF acc = hn::LoadU(d, s);
        const VF av = step(f, acc);
        hn::StoreU(acc, d, s);
        spv = hn::Max(spv, av);
        const std::size_t i = f * C + off;
        if (HWY_UNLIKELY(!hn::AllTrue(d, hn::Le(av, t)))) cb(ctx, i + own, i + L);
    };
    std::size_t f = 0;
    for (; f < frames && (first + f) % kSqSlots != 0; ++f) step_mem(f);
    if (f + kSqSlots <= frames) {
        VF acc[kSqSlots];
        for (std::size_t s = 0; s < kSqSlots; ++s) acc[s] = hn::LoadU(d, slots + s * C + off);
        for (; f + kSqSlots <= frames; f += kSqSlots) {
            VF m = step(f, acc[0]);
            for (std::size_t s = 1; s < kSqSlots; ++s) m = hn::Max(m, step(f + s, acc[s]));
            spv = hn::Max(spv, m);
            if (HWY_UNLIKELY(!hn::AllTrue(d, hn::Le(m, t)))) {
                for (std::size_t s = 0; s < kSqSlots; ++s) {
                    const std::size_t i = (f + s) * C + off;
                    if (!hn::AllTrue(d, hn::Le(hn::Abs(load(i)), t))) cb(ctx, i + own, i + L);
                }
            }
        }
        for (std::size_t s = 0; s < kSqSlots; ++s) hn::StoreU(acc[s], d, slots + s * C + off);
    }
    for (; f < frames; ++f) step_mem(f);
    HWY_ALIGN float bs[kMaxLanesAny];
    HWY_ALIGN float bt[kMaxLanesAny];
    hn::Store(spv, d, bs);
    hn::Store(tpvv, d, bt);
    for (std::size_t l = own; l < L; ++l) {
        sp[off + l] = bs[l];
        tp[off + l] = bt[l];
    }
}

// C > L: groups of L channels; the last group ends at channel C - 1.
template <bool kTp>
void ScanGroups(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::uint64_t first,
                const float* thr, float* sp, float* tp, float* slots, SpecialFn cb, void* ctx) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    for (std::size_t g0 = 0; g0 < C; g0 += L) {
        const std::size_t off = g0 + L <= C ? g0 : C - L;
        const std::size_t own = g0 - off;
        if (own == 0)
            ScanGroup<kTp, false>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx, off, own);
        else
            ScanGroup<kTp, true>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx, off, own);
    }
}

template <bool kTp>
void ScanT(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::uint64_t first,
           const float* thr, float* sp, float* tp, float* slots, SpecialFn cb, void* ctx) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    if (C > L) return ScanGroups<kTp>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx);
    std::size_t R = 1;
    while (2 * R * C <= L && 2 * R <= kSqSlots) R *= 2;
    const bool full = R * C == L;
    switch (kSqSlots / R) {
        case 1:
            return full ? ScanPacked<1, kTp, true>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx)
                        : ScanPacked<1, kTp, false>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx);
        case 2:
            return full ? ScanPacked<2, kTp, true>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx)
                        : ScanPacked<2, kTp, false>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx);
        case 4:
            return full ? ScanPacked<4, kTp, true>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx)
                        : ScanPacked<4, kTp, false>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx);
        default:
            return full ? ScanPacked<8, kTp, true>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx)
                        : ScanPacked<8, kTp, false>(x, tpv, frames, C, first, thr, sp, tp, slots, cb, ctx);
    }
}

void Scan(const float* x, const float* tpv, std::size_t frames, int channels, std::uint64_t first,
          const float* special_thr, float* sp, float* tp, float* sq_slots, SpecialFn on_special, void* ctx) {
    const auto C = static_cast<std::size_t>(channels);
    for (std::size_t c = 0; c < C; ++c) {
        sp[c] = 0.0f;
        tp[c] = 0.0f;
    }
    if (tpv != nullptr)
        ScanT<true>(x, tpv, frames, C, first, special_thr, sp, tp, sq_slots, on_special, ctx);
    else
        ScanT<false>(x, tpv, frames, C, first, special_thr, sp, tp, sq_slots, on_special, ctx);
}

// hot_span (meter_kernels.hpp): C < L one sample at a time; else groups of L channels, the
// last group shifted back to end at channel C - 1 (its shared lanes compute the same values).
template <bool kTp>
void HotSpanGroups(const float* x, const float* tpv, std::size_t frames, std::size_t C, const float* hot_thr,
                   float clip_thr, float* all, float* sp, float* tp) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const VF one = hn::Set(d, 1.0f), ct = hn::Set(d, clip_thr);
    for (std::size_t g0 = 0; g0 < C; g0 += L) {
        const std::size_t off = g0 + L <= C ? g0 : C - L;
        const VF ht = hn::LoadU(d, hot_thr + off);
        auto hot = [&](VF a) HWY_ATTR { return hn::IfThenElseZero(hn::And(hn::Gt(a, ht), hn::Lt(a, ct)), one); };
        VF allv = hot(hn::Abs(hn::LoadU(d, x + off)));
        VF spv = hn::Zero(d), tpv0 = hn::Zero(d);
        for (std::size_t f = 1; f < frames; ++f) {
            const std::size_t i = f * C + off;
            const VF a = hn::Abs(hn::LoadU(d, x + i));
            allv = hn::Min(allv, hot(a));
            spv = hn::Max(spv, a);
            if constexpr (kTp) tpv0 = hn::Max(tpv0, hn::LoadU(d, tpv + i));
        }
        hn::StoreU(allv, d, all + off);
        hn::StoreU(spv, d, sp + off);
        hn::StoreU(tpv0, d, tp + off);
    }
}

void HotSpan(const float* x, const float* tpv, std::size_t frames, int channels, const float* hot_thr,
             float clip_thr, float* all, float* sp, float* tp) {
    const DF d;
    const auto C = static_cast<std::size_t>(channels);
    if (C < hn::Lanes(d)) return hot_span_plain(x, tpv, frames, channels, hot_thr, clip_thr, all, sp, tp);
    if (tpv != nullptr)
        HotSpanGroups<true>(x, tpv, frames, C, hot_thr, clip_thr, all, sp, tp);
    else
        HotSpanGroups<false>(x, tpv, frames, C, hot_thr, clip_thr, all, sp, tp);
}

const KernelTable* GetTable() {
    static const KernelTable table{hwy::TargetName(HWY_TARGET), &CopySanitize, &TruePeak, &Scan, &HotSpan};
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
