// SIMD kernels of the MeterBank (see meter_kernels.hpp), Highway dynamic dispatch laid out as
// Highway's example skeleton (hwy/examples/skeleton.cc): the kernels are compiled once per
// target by foreach_target.h; the dispatch table and simd_kernels(), which returns the table
// of the best target the CPU supports, once, under HWY_ONCE. The scalar reference is
// meter_kernels_scalar.cpp.
//
// Layouts:
//  - true peak: on interleaved data the FIR of channel c at frame n is a 1-D FIR with stride
//    C over the flat array, so plain unaligned loads serve every lane whatever C is; two
//    output vectors per iteration keep 2 * factor independent FMA chains in flight.
//  - scan, C <= lanes: one vector holds R = lanes / C whole frames (lane l is channel l % C);
//    the lanes past R * C are ignored (their threshold is +inf). C > lanes: lanes = channels
//    in groups of `lanes`, scanned in stripes of adjacent groups (up to 4 groups at 2 sums per
//    channel, one stripe), or above that in rows (chunks of 8 frames, whole rows, every cache
//    line read once); the last group is shifted back to end at channel C - 1, and the lanes it
//    shares with the previous group are left to that group.
//  The scan reads each sample once (one load, one fused multiply-add, one and, one max);
//  special and non-finite samples are found from its per-channel maxima and sums at the end
//  of the call, and handled by the caller (meter_bank.cpp).
#include <cmath>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "engine/meter/meter_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/meter/meter_kernels_hwy.cpp"
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
void CopySanitizeSlow(const float* src, float* dst, std::size_t n, NonFiniteFn on_nonfinite, void* ctx) {
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
void CopySanitize(const float* src, float* dst, std::size_t n, NonFiniteFn on_nonfinite, void* ctx) {
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
                NonFiniteFn fn;
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

// fma(a, b, c) for one float with this target's MulAdd: a true FMA where the target has one,
// else the same emulation as the vectors, so that a frame sums the same whatever the path.
HWY_INLINE float Fma1(float a, float b, float c) {
    const hn::CappedTag<float, 1> d1;
    return hn::GetLane(hn::MulAdd(hn::Set(d1, a), hn::Set(d1, b), hn::Set(d1, c)));
}

// Frames [fb, fe) one sample at a time (the packed layout's unaligned head and tail): the
// scalar reference's maths into sp, tp and the slots in memory; returns ScanFlags.
template <bool kTp>
HWY_INLINE unsigned ScanFramesOneByOne(const float* x, const float* tpv, std::size_t fb, std::size_t fe,
                                       std::size_t C, std::uint64_t first, std::size_t S, const float* thr,
                                       float* sp, float* tp, float* slots) {
    unsigned flags = 0;
    for (std::size_t f = fb; f < fe; ++f) {
        float* slot = slots + static_cast<std::size_t>((first + f) & (S - 1)) * C;  // S: a power of two
        for (std::size_t c = 0; c < C; ++c) {
            const std::size_t i = f * C + c;
            const float a = std::fabs(x[i]);
            if (a > sp[c]) sp[c] = a;
            if constexpr (kTp) {
                if (tpv[i] > tp[c]) tp[c] = tpv[i];
            }
            const float q = a > kSquareLimit ? kSquareLimit : a;  // as Limited: NaN stays NaN
            slot[c] = Fma1(q, q, slot[c]);
            if (!(std::fabs(slot[c]) <= std::numeric_limits<float>::max())) flags |= kScanNonFinite;
            if (!(a <= thr[c])) flags |= kScanSpecial;
        }
    }
    return flags;
}

// min(|x|, limit) for the sums of squares, |x| given; NaN stays NaN on every target (Min's
// NaN rule differs between targets; a comparison's does not).
template <class V>
HWY_INLINE V Limited(V limit, V a) {
    return hn::IfThenElse(hn::Gt(a, limit), limit, a);
}

HWY_INLINE bool AllFinite(const DF d, VF v) {
    return hn::AllTrue(d, hn::Le(hn::Abs(v), hn::Set(d, std::numeric_limits<float>::max())));
}

// C <= L: a vector holds R whole frames (R a power of two, R * C <= L), lane l is channel
// l % C, the lanes past nv = R * C carry zeros (kFull: there are none). A row of S frames is
// J = S / R vectors, and vector j of a row always adds to the same R slots: the J
// accumulators stay in registers for the whole call, starting at the slot of the first
// aligned frame (so no row needs to start at slot 0). Frames before the first multiple of R
// and after the last whole vector go one by one.
template <int J, bool kTp, bool kFull>
unsigned ScanPacked(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::size_t R,
                    std::uint64_t first, const float* thr, float* sp, float* tp, float* slots) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const std::size_t S = static_cast<std::size_t>(J) * R;
    const std::size_t nv = R * C;
    HWY_ALIGN float buf[kMaxLanesAny];
    for (std::size_t l = 0, c = 0; l < L; ++l, c = c + 1 == C ? 0 : c + 1)  // c = l % C, without a division
        buf[l] = l < nv ? thr[c] : std::numeric_limits<float>::infinity();
    const VF t = hn::Load(d, buf);
    const VF lim = hn::Set(d, kSquareLimit);
    const auto valid = hn::FirstN(d, nv);
    auto load = [&](const float* p) HWY_ATTR {
        if constexpr (kFull) return hn::LoadU(d, p);
        else return hn::IfThenElseZero(valid, hn::LoadU(d, p));
    };
    // R and S are powers of two: masks instead of divisions (a 64-bit division per call is
    // costly next to a 2-channel scan of a short segment)
    std::size_t f = std::min<std::size_t>(frames, static_cast<std::size_t>((R - (first & (R - 1))) & (R - 1)));
    unsigned flags = ScanFramesOneByOne<kTp>(x, tpv, 0, f, C, first, S, thr, sp, tp, slots);
    const std::size_t nvec = (frames - f) / R;
    if (nvec > 0) {
        const std::size_t s0 = static_cast<std::size_t>((first + f) & (S - 1)) / R;  // slot group of vector 0
        float* at[J];
        VF acc[J];
        for (int j = 0; j < J; ++j) {
            at[j] = slots + ((s0 + static_cast<std::size_t>(j)) & static_cast<std::size_t>(J - 1)) * nv;
            acc[j] = hn::LoadU(d, at[j]);
        }
        VF m0 = hn::Zero(d), m1 = hn::Zero(d), q0 = hn::Zero(d), q1 = hn::Zero(d);
        const float* p = x + f * C;
        const float* pt = kTp ? tpv + f * C : nullptr;
        std::size_t v = 0;
        for (; v + J <= nvec; v += J, p += J * nv) {
#pragma GCC unroll 64
            for (int j = 0; j < J; j += 2) {
                const VF a = hn::Abs(load(p + static_cast<std::size_t>(j) * nv));
                const VF b = hn::Abs(load(p + static_cast<std::size_t>(j + 1) * nv));
                const VF qa = Limited(lim, a), qb = Limited(lim, b);
                acc[j] = hn::MulAdd(qa, qa, acc[j]);
                acc[j + 1] = hn::MulAdd(qb, qb, acc[j + 1]);
                m0 = hn::Max(m0, a);
                m1 = hn::Max(m1, b);
                if constexpr (kTp) {
                    q0 = hn::Max(q0, hn::LoadU(d, pt + static_cast<std::size_t>(j) * nv));
                    q1 = hn::Max(q1, hn::LoadU(d, pt + static_cast<std::size_t>(j + 1) * nv));
                }
            }
            if constexpr (kTp) pt += J * nv;
        }
        const std::size_t rest = nvec - v;
#pragma GCC unroll 64
        for (int j = 0; j < J; ++j) {  // fewer than J vectors left
            if (static_cast<std::size_t>(j) >= rest) break;
            const VF a = hn::Abs(load(p + static_cast<std::size_t>(j) * nv));
            const VF qa = Limited(lim, a);
            acc[j] = hn::MulAdd(qa, qa, acc[j]);
            m0 = hn::Max(m0, a);
            if constexpr (kTp) q0 = hn::Max(q0, hn::LoadU(d, pt + static_cast<std::size_t>(j) * nv));
        }
        m0 = hn::Max(m0, m1);
        q0 = hn::Max(q0, q1);
        VF all = acc[0];
        for (int j = 1; j < J; ++j) all = hn::Add(all, hn::Abs(acc[j]));
        if (!AllFinite(d, all)) flags |= kScanNonFinite;
        if (!hn::AllTrue(d, hn::Le(m0, t))) flags |= kScanSpecial;
        if constexpr (kFull) {
            for (int j = 0; j < J; ++j) hn::StoreU(acc[j], d, at[j]);
        } else {  // through a buffer: a vector's lanes past nv must not reach the next slot group
            HWY_ALIGN float out[kMaxLanesAny];
            for (int j = 0; j < J; ++j) {
                hn::Store(acc[j], d, out);
                std::copy_n(out, nv, at[j]);
            }
        }
        HWY_ALIGN float bs[kMaxLanesAny];
        HWY_ALIGN float bt[kMaxLanesAny];
        hn::Store(m0, d, bs);
        hn::Store(q0, d, bt);
        for (std::size_t l = 0, c = 0; l < nv; ++l, c = c + 1 == C ? 0 : c + 1) {
            if (bs[l] > sp[c]) sp[c] = bs[l];
            if (bt[l] > tp[c]) tp[c] = bt[l];
        }
        f += nvec * R;
    }
    return flags | ScanFramesOneByOne<kTp>(x, tpv, f, frames, C, first, S, thr, sp, tp, slots);
}

// C > L: lanes = channels. A stripe of G groups of L channels is scanned at once (G * S
// accumulators in registers; a whole stripe row is G * L adjacent floats, so every cache line
// is read once). Accumulator j of a group adds frames f = j mod S of the call, so it stays in
// its slot (rotated by the first frame's). kShared: the stripe's last group is shifted back to
// end at channel C - 1 and its first `own` lanes belong to the group before (they load zeros,
// so their sums and maxima stay as loaded; stores go last group first, so that group's stale
// copies are overwritten when the owner is in the same stripe).
template <int G, int S, bool kTp, bool kShared>
unsigned ScanStripe(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::uint64_t first,
                    const float* thr, float* sp, float* tp, float* slots, const std::size_t* off, std::size_t own) {
    const DF d;
    const auto shared = hn::FirstN(d, own);
    const VF lim = hn::Set(d, kSquareLimit);
    VF acc[G][S], spv[G], tpm[G];
    const auto s0 = static_cast<std::size_t>(first % S);
    for (int g = 0; g < G; ++g) {
        for (int j = 0; j < S; ++j)
            acc[g][j] = hn::LoadU(d, slots + ((s0 + static_cast<std::size_t>(j)) % S) * C + off[g]);
        spv[g] = hn::LoadU(d, sp + off[g]);
        tpm[g] = hn::LoadU(d, tp + off[g]);
    }
    auto step = [&](std::size_t f, int j) HWY_ATTR {
#pragma GCC unroll 4
        for (int g = 0; g < G; ++g) {
            const std::size_t i = f * C + off[g];
            VF v = hn::LoadU(d, x + i);
            if (kShared && g == G - 1) v = hn::IfThenZeroElse(shared, v);
            v = hn::Abs(v);
            const VF q = Limited(lim, v);
            acc[g][j] = hn::MulAdd(q, q, acc[g][j]);
            spv[g] = hn::Max(spv[g], v);
            if constexpr (kTp) {
                VF w = hn::LoadU(d, tpv + i);
                if (kShared && g == G - 1) w = hn::IfThenZeroElse(shared, w);
                tpm[g] = hn::Max(tpm[g], w);
            }
        }
    };
    std::size_t f = 0;
    for (; f + S <= frames; f += S) {
#pragma GCC unroll 8
        for (int j = 0; j < S; ++j) step(f + static_cast<std::size_t>(j), j);
    }
#pragma GCC unroll 8
    for (int j = 0; j < S; ++j) {
        if (f + static_cast<std::size_t>(j) >= frames) break;
        step(f + static_cast<std::size_t>(j), j);
    }
    unsigned flags = 0;
    for (int g = G; g-- > 0;) {
        VF all = hn::Zero(d);
        for (int j = 0; j < S; ++j) {
            hn::StoreU(acc[g][j], d, slots + ((s0 + static_cast<std::size_t>(j)) % S) * C + off[g]);
            all = hn::Add(all, hn::Abs(acc[g][j]));
        }
        if (!AllFinite(d, all)) flags |= kScanNonFinite;
        if (!hn::AllTrue(d, hn::Le(spv[g], hn::LoadU(d, thr + off[g])))) flags |= kScanSpecial;
        hn::StoreU(spv[g], d, sp + off[g]);
        hn::StoreU(tpm[g], d, tp + off[g]);
    }
    return flags;
}

// C > L: groups of L channels (the last one shifted back to end at channel C - 1), in stripes
// of up to 8 / S groups.
template <int S, bool kTp>
unsigned ScanGroups(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::uint64_t first,
                    const float* thr, float* sp, float* tp, float* slots) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    constexpr int kMaxG = 8 / S > 0 ? 8 / S : 1;
    const std::size_t groups = (C + L - 1) / L;
    const std::size_t own = groups * L - C;  // lanes the last group shares with the one before
    unsigned flags = 0;
    for (std::size_t g0 = 0; g0 < groups; g0 += kMaxG) {
        const std::size_t n = std::min<std::size_t>(kMaxG, groups - g0);
        std::size_t off[kMaxG];
        for (std::size_t g = 0; g < n; ++g) off[g] = std::min((g0 + g) * L, C - L);
        const bool shared = own != 0 && g0 + n == groups;
        auto run = [&](auto gc) HWY_ATTR {
            constexpr int Gn = decltype(gc)::value;
            return shared ? ScanStripe<Gn, S, kTp, true>(x, tpv, frames, C, first, thr, sp, tp, slots, off, own)
                          : ScanStripe<Gn, S, kTp, false>(x, tpv, frames, C, first, thr, sp, tp, slots, off, own);
        };
        switch (n) {
            case 1: flags |= run(std::integral_constant<int, 1>{}); break;
            case 2: if constexpr (kMaxG >= 2) flags |= run(std::integral_constant<int, 2>{}); break;
            case 3: if constexpr (kMaxG >= 3) flags |= run(std::integral_constant<int, 3>{}); break;
            default: if constexpr (kMaxG >= 4) flags |= run(std::integral_constant<int, 4>{}); break;
        }
    }
    return flags;
}

// C > L with S = 2 (more than 16 channels): rows in chunks of K frames, whole rows (every
// cache line read once, in stream order), the accumulators in memory: per chunk, each pair of
// groups loads its two slots and its maxima, adds K frames (even frames to one slot, odd to
// the other: the frame order within a slot is the stream's) and stores them back. The last
// group is shifted back to end at channel C - 1; its first `own` lanes belong to the group
// before and load zeros (adding +0 leaves a sum as it is; max with 0 leaves a peak); it goes
// first in each chunk, so that the owner's values are the ones that stay.
struct RowsCtx {
    const float* x;
    const float* tpv;
    std::size_t C;
    float* s_even;  // the slot of the call's frames at even offsets
    float* s_odd;   // and at odd ones
    float* sp;
    float* tp;
};

// Frames [f, f + n) of the NG adjacent groups at offset o (kMasked: one group, its shared
// lanes loading zeros). K > 0: n == K, a compile-time count.
template <bool kTp, int NG, bool kMasked, std::size_t K>
HWY_INLINE void RowsGroups(const RowsCtx& c, std::size_t f, std::size_t n, std::size_t o, std::size_t own) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const std::size_t C = c.C;
    const auto shared = hn::FirstN(d, own);
    const VF lim = hn::Set(d, kSquareLimit);
    VF a[NG], b[NG], m[NG], t[NG];
    for (int g = 0; g < NG; ++g) {
        const std::size_t og = o + static_cast<std::size_t>(g) * L;
        a[g] = hn::LoadU(d, c.s_even + og);
        b[g] = hn::LoadU(d, c.s_odd + og);
        m[g] = hn::LoadU(d, c.sp + og);
        t[g] = kTp ? hn::LoadU(d, c.tp + og) : hn::Zero(d);
    }
    auto load = [&](const float* q) HWY_ATTR {
        const VF v = hn::LoadU(d, q);
        return kMasked ? hn::IfThenZeroElse(shared, v) : v;
    };
    const float* p = c.x + f * C + o;
    const float* q = kTp ? c.tpv + f * C + o : nullptr;
    const std::size_t cnt = K > 0 ? K : n;
    std::size_t i = 0;
    // two rows per step through one pointer that walks down the rows (with the offsets of all
    // K rows at once, GCC ran out of registers and kept them on the stack)
    const float* r = p;
    const float* rt = q;
#pragma GCC unroll 4
    for (; i + 2 <= cnt; i += 2, r += 2 * C) {
#pragma GCC unroll 2
        for (int g = 0; g < NG; ++g) {
            const std::size_t og = static_cast<std::size_t>(g) * L;
            const VF v = hn::Abs(load(r + og)), w = hn::Abs(load(r + C + og));
            const VF qv = Limited(lim, v), qw = Limited(lim, w);
            a[g] = hn::MulAdd(qv, qv, a[g]);
            b[g] = hn::MulAdd(qw, qw, b[g]);
            m[g] = hn::Max(m[g], hn::Max(v, w));
            if constexpr (kTp) t[g] = hn::Max(t[g], hn::Max(load(rt + og), load(rt + C + og)));
        }
        if constexpr (kTp) rt += 2 * C;
    }
    if (i < cnt) {
        for (int g = 0; g < NG; ++g) {
            const std::size_t og = static_cast<std::size_t>(g) * L;
            const VF v = hn::Abs(load(p + i * C + og));
            const VF qv = Limited(lim, v);
            a[g] = hn::MulAdd(qv, qv, a[g]);
            m[g] = hn::Max(m[g], v);
            if constexpr (kTp) t[g] = hn::Max(t[g], load(q + i * C + og));
        }
    }
    for (int g = 0; g < NG; ++g) {
        const std::size_t og = o + static_cast<std::size_t>(g) * L;
        hn::StoreU(a[g], d, c.s_even + og);
        hn::StoreU(b[g], d, c.s_odd + og);
        hn::StoreU(m[g], d, c.sp + og);
        if constexpr (kTp) hn::StoreU(t[g], d, c.tp + og);
    }
}

template <bool kTp>
unsigned ScanRows(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::uint64_t first,
                  const float* thr, float* sp, float* tp, float* slots) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    constexpr std::size_t K = 8;
    const std::size_t groups = (C + L - 1) / L;
    const std::size_t own = groups * L - C;
    const std::size_t last = C - L;  // the last group's offset
    const RowsCtx c{x, tpv, C, slots + static_cast<std::size_t>(first & 1u) * C,
                    slots + static_cast<std::size_t>((first + 1) & 1u) * C, sp, tp};
    const std::size_t whole = own == 0 ? groups : groups - 1;  // groups at offsets g * L
    std::size_t f = 0;
    for (; f + K <= frames; f += K) {
        if (own != 0) RowsGroups<kTp, 1, true, K>(c, f, K, last, own);
        std::size_t g = 0;
        for (; g + 2 <= whole; g += 2) RowsGroups<kTp, 2, false, K>(c, f, K, g * L, 0);
        if (g < whole) RowsGroups<kTp, 1, false, K>(c, f, K, g * L, 0);
    }
    if (f < frames) {
        if (own != 0) RowsGroups<kTp, 1, true, 0>(c, f, frames - f, last, own);
        for (std::size_t g = 0; g < whole; ++g) RowsGroups<kTp, 1, false, 0>(c, f, frames - f, g * L, 0);
    }
    unsigned flags = 0;
    VF all = hn::Zero(d);
    for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t o = std::min(g * L, last);
        all = hn::Add(all, hn::Add(hn::Abs(hn::LoadU(d, c.s_even + o)), hn::Abs(hn::LoadU(d, c.s_odd + o))));
        if (!hn::AllTrue(d, hn::Le(hn::LoadU(d, sp + o), hn::LoadU(d, thr + o)))) flags |= kScanSpecial;
    }
    if (!AllFinite(d, all)) flags |= kScanNonFinite;
    return flags;
}

template <bool kTp>
unsigned ScanT(const float* x, const float* tpv, std::size_t frames, std::size_t C, std::uint64_t first,
               const float* thr, float* sp, float* tp, float* slots) {
    const DF d;
    const std::size_t L = hn::Lanes(d);
    const std::size_t S = sq_slot_count(static_cast<int>(C));
    if (C > L) {
        switch (S) {
            case 2:  // above 4 groups, stripes would read every row twice; rows read each cache
                     // line once
                if (C > 4 * L) return ScanRows<kTp>(x, tpv, frames, C, first, thr, sp, tp, slots);
                return ScanGroups<2, kTp>(x, tpv, frames, C, first, thr, sp, tp, slots);
            case 4: return ScanGroups<4, kTp>(x, tpv, frames, C, first, thr, sp, tp, slots);
            case 8: return ScanGroups<8, kTp>(x, tpv, frames, C, first, thr, sp, tp, slots);
            // 2..4 channels on a target of fewer lanes (HWY_SCALAR: one lane)
            case 16: return ScanGroups<16, kTp>(x, tpv, frames, C, first, thr, sp, tp, slots);
            default: return ScanGroups<32, kTp>(x, tpv, frames, C, first, thr, sp, tp, slots);
        }
    }
    std::size_t R = 1;
    while (2 * R * C <= L && 2 * R <= S) R *= 2;
    const bool full = R * C == L;
    auto packed = [&](auto jc) HWY_ATTR {
        constexpr int Jn = decltype(jc)::value;
        return full ? ScanPacked<Jn, kTp, true>(x, tpv, frames, C, R, first, thr, sp, tp, slots)
                    : ScanPacked<Jn, kTp, false>(x, tpv, frames, C, R, first, thr, sp, tp, slots);
    };
    switch (S / R) {
        case 2: return packed(std::integral_constant<int, 2>{});
        case 4: return packed(std::integral_constant<int, 4>{});
        case 8: return packed(std::integral_constant<int, 8>{});
        case 16: return packed(std::integral_constant<int, 16>{});
        case 32: return packed(std::integral_constant<int, 32>{});
        default: return packed(std::integral_constant<int, 64>{});
    }
}

unsigned Scan(const float* x, const float* tpv, std::size_t frames, int channels, std::uint64_t first,
              const float* special_thr, float* sp, float* tp, float* sq_slots) {
    const auto C = static_cast<std::size_t>(channels);
    for (std::size_t c = 0; c < C; ++c) {
        sp[c] = 0.0f;
        tp[c] = 0.0f;
    }
    unsigned flags = tpv != nullptr ? ScanT<true>(x, tpv, frames, C, first, special_thr, sp, tp, sq_slots)
                                    : ScanT<false>(x, tpv, frames, C, first, special_thr, sp, tp, sq_slots);
    // an infinite sample squares to the limit's square: found by its peak (a NaN by its sum)
    for (std::size_t c = 0; c < C; ++c)
        if (!(sp[c] <= std::numeric_limits<float>::max())) flags |= kScanNonFinite;
    return flags;
}

// hot_span (meter_kernels.hpp): groups of L channels, the last group shifted back to end at
// channel C - 1 (its shared lanes compute the same values); L the target's lanes, or 8 when
// C is below that (8..15 channels on AVX3: without it they went one sample at a time, 10x
// slower); fewer than 8 channels one sample at a time.
template <bool kTp, class D>
void HotSpanGroups(D d, const float* x, const float* tpv, std::size_t frames, std::size_t C, const float* hot_thr,
                   float clip_thr, float* all, float* sp, float* tp) {
    using V = hn::Vec<D>;
    const std::size_t L = hn::Lanes(d);
    const V one = hn::Set(d, 1.0f), ct = hn::Set(d, clip_thr);
    for (std::size_t g0 = 0; g0 < C; g0 += L) {
        const std::size_t off = g0 + L <= C ? g0 : C - L;
        const V ht = hn::LoadU(d, hot_thr + off);
        auto hot = [&](V a) HWY_ATTR { return hn::IfThenElseZero(hn::And(hn::Gt(a, ht), hn::Lt(a, ct)), one); };
        V allv = hot(hn::Abs(hn::LoadU(d, x + off)));
        V spv = hn::Zero(d), tpv0 = hn::Zero(d);
        for (std::size_t f = 1; f < frames; ++f) {
            const std::size_t i = f * C + off;
            const V a = hn::Abs(hn::LoadU(d, x + i));
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
    const hn::CappedTag<float, 8> d8;
    const auto C = static_cast<std::size_t>(channels);
    if (C >= hn::Lanes(d)) {
        if (tpv != nullptr)
            HotSpanGroups<true>(d, x, tpv, frames, C, hot_thr, clip_thr, all, sp, tp);
        else
            HotSpanGroups<false>(d, x, tpv, frames, C, hot_thr, clip_thr, all, sp, tp);
    } else if (C >= hn::Lanes(d8) && hn::Lanes(d8) > 1) {
        if (tpv != nullptr)
            HotSpanGroups<true>(d8, x, tpv, frames, C, hot_thr, clip_thr, all, sp, tp);
        else
            HotSpanGroups<false>(d8, x, tpv, frames, C, hot_thr, clip_thr, all, sp, tp);
    } else {
        hot_span_plain(x, tpv, frames, channels, hot_thr, clip_thr, all, sp, tp);
    }
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
#endif  // HWY_ONCE
