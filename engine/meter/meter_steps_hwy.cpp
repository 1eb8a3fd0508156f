// The MeterBank's hop and tick bookkeeping (meter_steps.hpp) over vectors of channels, with
// Highway dynamic dispatch, as Highway's example skeleton (hwy/examples/skeleton.cc) lays it
// out: the per-target code is compiled once per target by foreach_target.h; the dispatch
// table and simd_steps() once, under HWY_ONCE. The vector versions take whole vectors of
// channels and leave the rest (fewer than one vector) to the plain reference's per-channel
// steps (meter_steps_plain.hpp), so every channel's value is computed by the same operations,
// in the same order, either way. The plain reference itself is meter_steps_scalar.cpp.
#include <cstddef>
#include <cstdint>

#include "engine/meter/meter_steps.hpp"
#include "engine/meter/meter_steps_plain.hpp"

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

// fold_channel for the channels [c, c + lanes). slot_count is a power of two >= 2.
HWY_INLINE VD FoldVec(const float* slots, std::size_t slot_count, std::size_t channels, std::size_t c) {
    const DD dd;
    const DFh df;
    auto slot = [&](std::size_t s) HWY_ATTR { return hn::PromoteTo(dd, hn::LoadU(df, slots + s * channels + c)); };
    if (slot_count == 2) return hn::Add(hn::Add(slot(0), slot(1)), hn::Zero(dd));
    VD p0 = slot(0), p1 = slot(1), p2 = slot(2), p3 = slot(3);
    for (std::size_t s = 4; s < slot_count; s += 4) {
        p0 = hn::Add(p0, slot(s));
        p1 = hn::Add(p1, slot(s + 1));
        p2 = hn::Add(p2, slot(s + 2));
        p3 = hn::Add(p3, slot(s + 3));
    }
    return hn::Add(hn::Add(p0, p1), hn::Add(p2, p3));
}

// Fewer channels than lanes (then slot_count >= 8): the folds of all channels into v[0 .. channels). The
// slots' rows of 4 * channels floats add lane by lane (element q * channels + c sums slots q, q + 4, ...
// of channel c, in that order), then (p0 + p1) + (p2 + p3) per channel: fold_channel's sums.
HWY_INLINE void FoldFew(const float* slots, std::size_t slot_count, std::size_t channels, double* v) {
    const DD dd;
    const DFh df;
    const std::size_t N = hn::Lanes(dd);
    const std::size_t n4 = 4 * channels, rows = slot_count / 4;
    double p[4 * HWY_MAX_BYTES / sizeof(double)];  // 4 * channels < 4 * N entries
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
    for (std::size_t c = 0; c < channels; ++c)
        v[c] = (p[c] + p[channels + c]) + (p[2 * channels + c] + p[3 * channels + c]);
}

// Fewer channels than lanes (slot_count >= 8 then): per_channel(v, c) with each channel's fold v from
// FoldFew; false (nothing done) otherwise.
template <class PerChannel>
HWY_INLINE bool FewChannels(const float* slots, std::size_t slot_count, std::size_t channels, PerChannel per_channel) {
    if (channels >= hn::Lanes(DD()) || slot_count < 8) return false;
    double v[HWY_MAX_BYTES / sizeof(double)] = {};  // FoldFew writes v[0 .. channels)
    FoldFew(slots, slot_count, channels, v);
    for (std::size_t c = 0; c < channels; ++c) per_channel(v[c], c);
    return true;
}

// add_fold for the channels [c, c + lanes): tick_sum stored, the new hop sum returned (not stored).
HWY_INLINE VD AddFoldVec(const float* slots, std::size_t slot_count, std::size_t channels, std::size_t c,
                         const double* hop_sum, double* tick_sum) {
    const DD dd;
    const VD kmax = hn::Set(dd, kMaxSum);
    const VD v = hn::Min(FoldVec(slots, slot_count, channels, c), kmax);
    hn::StoreU(hn::Min(hn::Add(hn::LoadU(dd, tick_sum + c), v), kmax), dd, tick_sum + c);
    return hn::Min(hn::Add(hn::LoadU(dd, hop_sum + c), v), kmax);
}

void Fold(const float* slots, std::size_t slot_count, std::size_t channels, double* hop_sum, double* tick_sum) {
    if (FewChannels(slots, slot_count, channels,
                    [&](double v, std::size_t c) { steps_plain::add_fold(v, c, hop_sum, tick_sum); }))
        return;
    const DD dd;
    const std::size_t N = hn::Lanes(dd);
    std::size_t c = 0;
    for (; c + N <= channels; c += N)
        hn::StoreU(AddFoldVec(slots, slot_count, channels, c, hop_sum, tick_sum), dd, hop_sum + c);
    for (; c < channels; ++c)
        steps_plain::add_fold(steps_plain::fold_channel(slots, slot_count, channels, c), c, hop_sum, tick_sum);
}

HWY_INLINE void RmsVec(std::size_t c, const HopArrays& a, const VD w, const VD norm) {
    const DD dd;
    const DFh df;
    const VD rms = hn::Min(hn::Sqrt(hn::Mul(hn::Max(w, hn::Zero(dd)), norm)), hn::Set(dd, steps_plain::kMaxRms));
    const auto r = hn::DemoteTo(df, rms);
    hn::StoreU(r, df, a.rms + c);
    hn::StoreU(hn::Max(hn::LoadU(df, a.tick_rms_max + c), r), df, a.tick_rms_max + c);
    hn::StoreU(hn::Max(hn::LoadU(df, a.call_rms_max + c), r), df, a.call_rms_max + c);
}

void Hop(const float* slots, std::size_t slot_count, std::size_t channels, const HopArrays& a, double norm,
         bool rebase) {
    if (FewChannels(slots, slot_count, channels,
                    [&](double v, std::size_t c) { steps_plain::hop_channel(v, c, a, norm, rebase); }))
        return;
    const DD dd;
    const std::size_t N = hn::Lanes(dd);
    const VD nv = hn::Set(dd, norm);
    std::size_t c = 0;
    for (; c + N <= channels; c += N) {
        const VD h = AddFoldVec(slots, slot_count, channels, c, a.hop_sum, a.tick_sum);
        const VD n = hn::Add(hn::LoadU(dd, a.since_rebase + c), h);
        VD w;
        if (rebase) {
            w = n;
            hn::StoreU(hn::Zero(dd), dd, a.since_rebase + c);
        } else {
            w = hn::Add(hn::LoadU(dd, a.window_sum + c), hn::Sub(h, hn::LoadU(dd, a.ring + c)));
            hn::StoreU(n, dd, a.since_rebase + c);
        }
        hn::StoreU(w, dd, a.window_sum + c);
        hn::StoreU(h, dd, a.ring + c);
        hn::StoreU(hn::Zero(dd), dd, a.hop_sum + c);
        RmsVec(c, a, w, nv);
    }
    for (; c < channels; ++c)
        steps_plain::hop_channel(steps_plain::fold_channel(slots, slot_count, channels, c), c, a, norm, rebase);
}

// Four channels at a time (a 4 x 4 transpose into the readings); the rest one by one.
void Publish(std::size_t channels, const CallArrays& a, bool hop_in_call, float* out, std::size_t stride) {
    std::size_t c = 0;
#if HWY_TARGET != HWY_SCALAR
    const hn::FixedTag<float, 4> d;
    const auto zero = hn::Zero(d);
    const auto no_rms = hn::Set(d, -1.0f);
    for (; c + 4 <= channels; c += 4) {
        const auto sp = hn::LoadU(d, a.pending_sample_peak + c);
        const auto tp = hn::Max(hn::LoadU(d, a.pending_true_peak + c), sp);
        const auto osp = hn::Max(hn::LoadU(d, a.call_sample_peak + c), sp);
        const auto otp = hn::Max(hn::LoadU(d, a.call_true_peak + c), tp);
        const auto rms = hop_in_call ? hn::LoadU(d, a.rms + c) : no_rms;
        const auto rmx = hop_in_call ? hn::LoadU(d, a.call_rms_max + c) : zero;
        hn::StoreU(hn::Max(hn::LoadU(d, a.tick_sample_peak + c), sp), d, a.tick_sample_peak + c);
        hn::StoreU(hn::Max(hn::LoadU(d, a.tick_true_peak + c), tp), d, a.tick_true_peak + c);
        hn::StoreU(zero, d, a.pending_sample_peak + c);
        hn::StoreU(zero, d, a.pending_true_peak + c);
        hn::StoreU(zero, d, a.call_sample_peak + c);
        hn::StoreU(zero, d, a.call_true_peak + c);
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
    for (; c < channels; ++c) steps_plain::publish_channel(c, a, hop_in_call, out + c * stride);
}

// A vector of channels at a time; the lanes of one with any channel above, one by one.
std::size_t Above(const float* sample_peak, const float* threshold, std::size_t channels, std::uint32_t* list) {
    const hn::ScalableTag<float> d;
    const std::size_t N = hn::Lanes(d);
    std::size_t n = 0, c = 0;
    for (; c + N <= channels; c += N) {
        if (hn::AllFalse(d, hn::Gt(hn::LoadU(d, sample_peak + c), hn::LoadU(d, threshold + c)))) continue;
        for (std::size_t i = c; i < c + N; ++i)
            if (sample_peak[i] > threshold[i]) list[n++] = static_cast<std::uint32_t>(i);
    }
    for (; c < channels; ++c)
        if (sample_peak[c] > threshold[c]) list[n++] = static_cast<std::uint32_t>(c);
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

HWY_EXPORT(GetSteps);

const StepTable& simd_steps() { return *HWY_DYNAMIC_DISPATCH(GetSteps)(); }

} // namespace headroom
#endif  // HWY_ONCE
