// MeterBank's slow path: the samples of a segment the scan flagged as special (full scale, or
// above the channel's hot ceiling) to the clip and hot trackers. The scalar reference walks
// them sample by sample (on_special); with the SIMD kernels the bank walks the flagged
// channels, hot runs in bulk (docs/performance.md, "Loud material"). Both give the same
// tracker states, hence the same events.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "engine/meter/meter_bank_impl.hpp"

namespace headroom {

void MeterBank::Impl::on_special(void* ctx, std::size_t begin, std::size_t end) {
    auto& s = *static_cast<Impl*>(ctx);
    for (std::size_t i = begin; i < end; ++i) {
        const float ax = std::fabs(s.seg_x[i]);
        const std::size_t c = i % s.nc;
        const bool full = ax >= s.clip_thr;
        if (!full && !(ax > s.hot_thr[c])) continue;
        const std::uint64_t n = s.seg_a + i / s.nc;
        const float* tp = s.tpv.data();
        const std::size_t stride = s.nc;
        const std::uint64_t a = s.seg_a;
        auto tpv_at = [tp, stride, a, c](std::uint64_t m) {
            return tp[static_cast<std::size_t>(m - a) * stride + c];
        };
        s.clip[c].observe(n, ax);
        s.hot[c].observe(n, ax);
        s.ev_open[c] = 1;
        const auto ch = static_cast<std::uint16_t>(c);
        ChannelReading& r = s.readings[c];
        if (full) {
            const auto add = s.clip[c].on_sample(n, ax, tp[i], a, tpv_at, s.clip_p, ch, s.sink);
            r.clip_runs += add.runs;
            r.clipped_samples += add.samples;
        } else {
            s.hot[c].on_sample(n, ax, tp[i], a, tpv_at, s.hot_p, ch, s.sink);
            r.hot_samples += 1;
        }
    }
}

// Segment frames [f_lo, f_hi] of channel c, in stream order: the same tracker calls as
// on_special, except that the samples of a hot run after its first go to the trackers at
// once (RunTracker::extend_streak: same state). Full-scale samples go one by one.
void MeterBank::Impl::special_channel(std::size_t c, std::size_t f_lo, std::size_t f_hi) noexcept {
    const float* x = seg_x + c;
    const float* tp = tpv.data() + c;
    const float s_thr = special_thr[c], h_thr = hot_thr[c], c_thr = clip_thr;
    const std::uint64_t a = seg_a;
    const std::size_t stride = nc;
    auto tpv_at = [tp, stride, a](std::uint64_t m) { return tp[static_cast<std::size_t>(m - a) * stride]; };
    RunTracker& cl = clip[c];
    RunTracker& ht = hot[c];
    ChannelReading& r = readings[c];
    ev_open[c] = 1;
    const auto ch = static_cast<std::uint16_t>(c);
    for (std::size_t f = f_lo; f <= f_hi;) {
        const float ax = std::fabs(x[f * stride]);
        const bool full = ax >= c_thr;
        if (!(ax > s_thr) || (!full && !(ax > h_thr))) {
            ++f;
            continue;
        }
        const std::uint64_t n = a + f;
        cl.observe(n, ax);
        ht.observe(n, ax);
        if (full) {
            const auto add = cl.on_sample(n, ax, tp[f * stride], a, tpv_at, clip_p, ch, sink);
            r.clip_runs += add.runs;
            r.clipped_samples += add.samples;
            ++f;
            continue;
        }
        ht.on_sample(n, ax, tp[f * stride], a, tpv_at, hot_p, ch, sink);
        r.hot_samples += 1;
        ++f;
        if (!ht.in_run(hot_p.min_run)) continue;
        // the rest of the run: hot samples right after this one
        float sp = 0.0f, t = 0.0f;
        std::size_t g = f;
        for (; g <= f_hi; ++g) {
            const float v = std::fabs(x[g * stride]);
            if (!(v > h_thr) || v >= c_thr) break;
            sp = std::max(sp, v);
            t = std::max(t, tp[g * stride]);
        }
        if (g == f) continue;
        const auto more = static_cast<std::uint32_t>(g - f);
        cl.observe(a + f, sp);  // the clip tracker's event ends before this run: one observe is all of them
        ht.extend_streak(a + g - 1, more, sp, t);
        r.hot_samples += more;
        f = g;
    }
}

// After the scan of a segment of `frames` frames found special samples (seg_x holds it,
// sanitized). The scalar reference: every sample through on_special. The SIMD kernels'
// bank: the channels whose segment peak is above their threshold, each walked by
// special_channel; when at least an eighth of the channels (and two) are (loud material), hot_span
// first tells which channels are hot throughout, and those go to the trackers in two calls.
void MeterBank::Impl::special_segment(std::size_t frames) noexcept {
    counted = true;
    if (!channel_wise) {
        on_special(this, 0, frames * nc);
        return;
    }
    // the channels whose segment peak is above their threshold (the others have no special sample)
    const std::size_t flagged = st->above(seg_sp.data(), special_thr.data(), nc, flag_list.data());
    if (!dense_ok || flagged < 2 || flagged * 8 < nc) {
        for (std::size_t i = 0; i < flagged; ++i) special_channel(flag_list[i], 0, frames - 1);
        return;
    }
    k->hot_span(seg_x, tp_phases > 0 ? tpv.data() : nullptr, frames, static_cast<int>(nc), hot_thr.data(), clip_thr,
                span_all.data(), span_sp.data(), span_tp.data());
    const std::uint64_t a = seg_a;
    for (std::size_t c = 0; c < nc; ++c) {
        if (span_all[c] == 0.0f) {
            if (seg_sp[c] > special_thr[c]) special_channel(c, 0, frames - 1);  // else none special
            continue;
        }
        // hot throughout: frame 0 as special_channel takes it, then the rest at once
        special_channel(c, 0, 0);
        if (frames == 1) continue;
        if (!hot[c].in_run(hot_p.min_run)) {
            special_channel(c, 1, frames - 1);
            continue;
        }
        clip[c].observe(a + 1, span_sp[c]);
        hot[c].extend_streak(a + frames - 1, static_cast<std::uint32_t>(frames - 1), span_sp[c], span_tp[c]);
        readings[c].hot_samples += static_cast<std::uint32_t>(frames - 1);
    }
}

} // namespace headroom
