// The MeterBank's hop and tick bookkeeping (meter_steps.hpp): plain loops, and the same loops
// over vectors of channels with Highway dynamic dispatch (this file is compiled once per
// target by foreach_target.h). The vector versions take whole vectors of channels and leave
// the rest (fewer than one vector) to the plain per-channel code, so every channel's value is
// computed by the same operations, in the same order, either way.
//
// Every comparison is written as x86's max/min take it (max(a, b) = a > b ? a : b, min(a, b)
// = a < b ? a : b), so the plain and the vector code agree on every input, signed zeros
// included.
#ifndef HEADROOM_METER_STEPS_PLAIN_
#define HEADROOM_METER_STEPS_PLAIN_
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "engine/meter/meter_steps.hpp"

namespace headroom::steps_plain {

inline double max_of(double a, double b) { return a > b ? a : b; }
inline double min_of(double a, double b) { return a < b ? a : b; }
inline float max_of(float a, float b) { return a > b ? a : b; }

inline double fold_channel(const float* slots, std::size_t S, std::size_t nc, std::size_t c) {
    double p[4] = {0.0, 0.0, 0.0, 0.0};
    for (std::size_t s = 0; s < S; ++s) p[s & 3u] += static_cast<double>(slots[s * nc + c]);
    return (p[0] + p[1]) + (p[2] + p[3]);
}

// v (a channel's fold) into its hop and tick sums.
inline void add_fold(double v, std::size_t c, double* hs, double* ts) {
    v = min_of(v, kMaxSum);
    hs[c] = min_of(hs[c] + v, kMaxSum);
    ts[c] = min_of(ts[c] + v, kMaxSum);
}

// A window RMS beyond float's range (samples beyond 1.8e19) reads as the largest float.
inline constexpr double kMaxRms = 3.4028234663852886e38;  // FLT_MAX

inline void rms_channel(std::size_t c, const HopArrays& a, double norm) {
    const auto r = static_cast<float>(min_of(std::sqrt(max_of(a.window[c], 0.0) * norm), kMaxRms));
    a.rms[c] = r;
    a.tick_max[c] = max_of(a.tick_max[c], r);
    a.call_max[c] = max_of(a.call_max[c], r);
}

// A hop end for channel c whose fold is v.
inline void hop_channel(double v, std::size_t c, const HopArrays& a, double norm, bool rebase) {
    add_fold(v, c, a.hop_sum, a.tick_sum);
    const double h = a.hop_sum[c];
    const double n = a.next[c] + h;
    if (rebase) {
        a.window[c] = n;
        a.next[c] = 0.0;
    } else {
        a.window[c] = a.window[c] + (h - a.ring[c]);
        a.next[c] = n;
    }
    a.ring[c] = h;
    a.hop_sum[c] = 0.0;
    rms_channel(c, a, norm);
}

inline void publish_channel(std::size_t c, const CallArrays& a, bool hop_in_call, float* out) {
    const float sp = a.pend_sp[c];
    const float tp = max_of(a.pend_tp[c], sp);
    out[0] = max_of(a.call_sp[c], sp);
    out[1] = max_of(a.call_tp[c], tp);
    out[2] = hop_in_call ? a.rms[c] : -1.0f;
    out[3] = hop_in_call ? a.call_rms_max[c] : 0.0f;
    a.tick_sp[c] = max_of(a.tick_sp[c], sp);
    a.tick_tp[c] = max_of(a.tick_tp[c], tp);
    a.pend_sp[c] = a.pend_tp[c] = a.call_sp[c] = a.call_tp[c] = a.call_rms_max[c] = 0.0f;
}

} // namespace headroom::steps_plain
#endif  // HEADROOM_METER_STEPS_PLAIN_

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/meter/meter_steps_hwy.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace headroom {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DD = hn::ScalableTag<double>;
using DFh = hn::Rebind<float, DD>;  // as many floats as a vector has doubles
using VD = hn::Vec<DD>;

// fold_channel for the channels [c, c + lanes). S is a power of two >= 2.
HWY_INLINE VD FoldVec(const float* slots, std::size_t S, std::size_t nc, std::size_t c) {
    const DD dd;
    const DFh df;
    auto slot = [&](std::size_t s) HWY_ATTR { return hn::PromoteTo(dd, hn::LoadU(df, slots + s * nc + c)); };
    if (S == 2) return hn::Add(hn::Add(slot(0), slot(1)), hn::Zero(dd));
    VD p0 = slot(0), p1 = slot(1), p2 = slot(2), p3 = slot(3);
    for (std::size_t s = 4; s < S; s += 4) {
        p0 = hn::Add(p0, slot(s));
        p1 = hn::Add(p1, slot(s + 1));
        p2 = hn::Add(p2, slot(s + 2));
        p3 = hn::Add(p3, slot(s + 3));
    }
    return hn::Add(hn::Add(p0, p1), hn::Add(p2, p3));
}

// Fewer channels than lanes (then S >= 8): the folds of all channels into v[0 .. nc). The
// slots' rows of 4 * nc floats add lane by lane (element q * nc + c sums slots q, q + 4, ...
// of channel c, in that order), then (p0 + p1) + (p2 + p3) per channel: fold_channel's sums.
HWY_INLINE void FoldFew(const float* slots, std::size_t S, std::size_t nc, double* v) {
    const DD dd;
    const DFh df;
    const std::size_t N = hn::Lanes(dd);
    const std::size_t n4 = 4 * nc, rows = S / 4;
    double p[4 * HWY_MAX_BYTES / sizeof(double)];  // 4 * nc < 4 * N entries
    std::size_t i = 0;
    for (; i + N <= n4; i += N) {
        VD acc = hn::Zero(dd);
        for (std::size_t k = 0; k < rows; ++k) acc = hn::Add(acc, hn::PromoteTo(dd, hn::LoadU(df, slots + k * n4 + i)));
        hn::StoreU(acc, dd, p + i);
    }
    for (; i < n4; ++i) {
        double acc = 0.0;
        for (std::size_t k = 0; k < rows; ++k) acc += static_cast<double>(slots[k * n4 + i]);
        p[i] = acc;
    }
    for (std::size_t c = 0; c < nc; ++c) v[c] = (p[c] + p[nc + c]) + (p[2 * nc + c] + p[3 * nc + c]);
}

// Fewer channels than lanes (S >= 8 then): per_channel(v, c) with each channel's fold v from
// FoldFew; false (nothing done) otherwise.
template <class PerChannel>
HWY_INLINE bool FewChannels(const float* slots, std::size_t S, std::size_t nc, PerChannel per_channel) {
    if (nc >= hn::Lanes(DD()) || S < 8) return false;
    double v[HWY_MAX_BYTES / sizeof(double)] = {};  // FoldFew writes v[0 .. nc)
    FoldFew(slots, S, nc, v);
    for (std::size_t c = 0; c < nc; ++c) per_channel(v[c], c);
    return true;
}

// add_fold for the channels [c, c + lanes): tick_sum stored, the new hop sum returned (not stored).
HWY_INLINE VD AddFoldVec(const float* slots, std::size_t S, std::size_t nc, std::size_t c, const double* hs,
                         double* ts) {
    const DD dd;
    const VD kmax = hn::Set(dd, kMaxSum);
    const VD v = hn::Min(FoldVec(slots, S, nc, c), kmax);
    hn::StoreU(hn::Min(hn::Add(hn::LoadU(dd, ts + c), v), kmax), dd, ts + c);
    return hn::Min(hn::Add(hn::LoadU(dd, hs + c), v), kmax);
}

void Fold(const float* slots, std::size_t S, std::size_t nc, double* hs, double* ts) {
    if (FewChannels(slots, S, nc, [&](double v, std::size_t c) { steps_plain::add_fold(v, c, hs, ts); })) return;
    const DD dd;
    const std::size_t N = hn::Lanes(dd);
    std::size_t c = 0;
    for (; c + N <= nc; c += N) hn::StoreU(AddFoldVec(slots, S, nc, c, hs, ts), dd, hs + c);
    for (; c < nc; ++c) steps_plain::add_fold(steps_plain::fold_channel(slots, S, nc, c), c, hs, ts);
}

HWY_INLINE void RmsVec(std::size_t c, const HopArrays& a, const VD w, const VD norm) {
    const DD dd;
    const DFh df;
    const VD rms = hn::Min(hn::Sqrt(hn::Mul(hn::Max(w, hn::Zero(dd)), norm)), hn::Set(dd, steps_plain::kMaxRms));
    const auto r = hn::DemoteTo(df, rms);
    hn::StoreU(r, df, a.rms + c);
    hn::StoreU(hn::Max(hn::LoadU(df, a.tick_max + c), r), df, a.tick_max + c);
    hn::StoreU(hn::Max(hn::LoadU(df, a.call_max + c), r), df, a.call_max + c);
}

void Hop(const float* slots, std::size_t S, std::size_t nc, const HopArrays& a, double norm, bool rebase) {
    if (FewChannels(slots, S, nc,
                    [&](double v, std::size_t c) { steps_plain::hop_channel(v, c, a, norm, rebase); }))
        return;
    const DD dd;
    const std::size_t N = hn::Lanes(dd);
    const VD nv = hn::Set(dd, norm);
    std::size_t c = 0;
    for (; c + N <= nc; c += N) {
        const VD h = AddFoldVec(slots, S, nc, c, a.hop_sum, a.tick_sum);
        const VD n = hn::Add(hn::LoadU(dd, a.next + c), h);
        VD w;
        if (rebase) {
            w = n;
            hn::StoreU(hn::Zero(dd), dd, a.next + c);
        } else {
            w = hn::Add(hn::LoadU(dd, a.window + c), hn::Sub(h, hn::LoadU(dd, a.ring + c)));
            hn::StoreU(n, dd, a.next + c);
        }
        hn::StoreU(w, dd, a.window + c);
        hn::StoreU(h, dd, a.ring + c);
        hn::StoreU(hn::Zero(dd), dd, a.hop_sum + c);
        RmsVec(c, a, w, nv);
    }
    for (; c < nc; ++c) steps_plain::hop_channel(steps_plain::fold_channel(slots, S, nc, c), c, a, norm, rebase);
}

// Four channels at a time (a 4 x 4 transpose into the readings); the rest one by one.
void Publish(std::size_t nc, const CallArrays& a, bool hop_in_call, float* out, std::size_t stride) {
    std::size_t c = 0;
#if HWY_TARGET != HWY_SCALAR
    const hn::FixedTag<float, 4> d;
    const auto zero = hn::Zero(d);
    const auto no_rms = hn::Set(d, -1.0f);
    for (; c + 4 <= nc; c += 4) {
        const auto sp = hn::LoadU(d, a.pend_sp + c);
        const auto tp = hn::Max(hn::LoadU(d, a.pend_tp + c), sp);
        const auto osp = hn::Max(hn::LoadU(d, a.call_sp + c), sp);
        const auto otp = hn::Max(hn::LoadU(d, a.call_tp + c), tp);
        const auto rms = hop_in_call ? hn::LoadU(d, a.rms + c) : no_rms;
        const auto rmx = hop_in_call ? hn::LoadU(d, a.call_rms_max + c) : zero;
        hn::StoreU(hn::Max(hn::LoadU(d, a.tick_sp + c), sp), d, a.tick_sp + c);
        hn::StoreU(hn::Max(hn::LoadU(d, a.tick_tp + c), tp), d, a.tick_tp + c);
        hn::StoreU(zero, d, a.pend_sp + c);
        hn::StoreU(zero, d, a.pend_tp + c);
        hn::StoreU(zero, d, a.call_sp + c);
        hn::StoreU(zero, d, a.call_tp + c);
        hn::StoreU(zero, d, a.call_rms_max + c);
        const auto t0 = hn::InterleaveLower(d, osp, otp);  // sp0 tp0 sp1 tp1
        const auto t1 = hn::InterleaveLower(d, rms, rmx);  // r0 m0 r1 m1
        const auto t2 = hn::InterleaveUpper(d, osp, otp);  // sp2 tp2 sp3 tp3
        const auto t3 = hn::InterleaveUpper(d, rms, rmx);  // r2 m2 r3 m3
        float* o = out + c * stride;
        hn::StoreU(hn::ConcatLowerLower(d, t1, t0), d, o);
        hn::StoreU(hn::ConcatUpperUpper(d, t1, t0), d, o + stride);
        hn::StoreU(hn::ConcatLowerLower(d, t3, t2), d, o + 2 * stride);
        hn::StoreU(hn::ConcatUpperUpper(d, t3, t2), d, o + 3 * stride);
    }
#endif
    for (; c < nc; ++c) steps_plain::publish_channel(c, a, hop_in_call, out + c * stride);
}

// A vector of channels at a time; the lanes of one with any channel above, one by one.
std::size_t Above(const float* sp, const float* thr, std::size_t nc, std::uint32_t* list) {
    const hn::ScalableTag<float> d;
    const std::size_t N = hn::Lanes(d);
    std::size_t n = 0, c = 0;
    for (; c + N <= nc; c += N) {
        if (hn::AllFalse(d, hn::Gt(hn::LoadU(d, sp + c), hn::LoadU(d, thr + c)))) continue;
        for (std::size_t i = c; i < c + N; ++i)
            if (sp[i] > thr[i]) list[n++] = static_cast<std::uint32_t>(i);
    }
    for (; c < nc; ++c)
        if (sp[c] > thr[c]) list[n++] = static_cast<std::uint32_t>(c);
    return n;
}

const StepTable* GetSteps() {
    static const StepTable table{hwy::TargetName(HWY_TARGET), &Fold, &Hop, &Publish, &Above};
    return &table;
}

} // namespace HWY_NAMESPACE
} // namespace headroom
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace headroom {
namespace {

void fold_plain(const float* slots, std::size_t S, std::size_t nc, double* hs, double* ts) {
    for (std::size_t c = 0; c < nc; ++c) steps_plain::add_fold(steps_plain::fold_channel(slots, S, nc, c), c, hs, ts);
}
void hop_plain(const float* slots, std::size_t S, std::size_t nc, const HopArrays& a, double norm, bool rebase) {
    for (std::size_t c = 0; c < nc; ++c)
        steps_plain::hop_channel(steps_plain::fold_channel(slots, S, nc, c), c, a, norm, rebase);
}
void publish_plain(std::size_t nc, const CallArrays& a, bool hop_in_call, float* out, std::size_t stride) {
    for (std::size_t c = 0; c < nc; ++c) steps_plain::publish_channel(c, a, hop_in_call, out + c * stride);
}
std::size_t above_plain(const float* sp, const float* thr, std::size_t nc, std::uint32_t* list) {
    std::size_t n = 0;
    for (std::size_t c = 0; c < nc; ++c)
        if (sp[c] > thr[c]) list[n++] = static_cast<std::uint32_t>(c);
    return n;
}
constexpr StepTable kPlain{"plain", fold_plain, hop_plain, publish_plain, above_plain};

} // namespace

HWY_EXPORT(GetSteps);

const StepTable& plain_steps() noexcept { return kPlain; }
const StepTable& simd_steps() { return *HWY_DYNAMIC_DISPATCH(GetSteps)(); }

} // namespace headroom
#endif
