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
    const std::size_t nc = s.channels;
    for (std::size_t i = begin; i < end; ++i) {
        const float ax = std::fabs(s.segment.samples[i]);
        const std::size_t c = i % nc;
        const bool full = ax >= s.thresholds.clip;
        if (!full && !(ax > s.thresholds.hot[c])) continue;
        const std::uint64_t n = s.segment.first_frame + i / nc;
        const float* tp = s.true_peak.values.data();
        const std::uint64_t a = s.segment.first_frame;
        auto tp_at = [tp, nc, a, c](std::uint64_t m) { return tp[static_cast<std::size_t>(m - a) * nc + c]; };
        RunTracker& clip = s.trackers.clip[c];
        RunTracker& hot = s.trackers.hot[c];
        clip.observe(n, ax);
        hot.observe(n, ax);
        s.trackers.run_open[c] = 1;
        const auto ch = static_cast<std::uint16_t>(c);
        ChannelReading& r = s.call.readings[c];
        if (full) {
            const auto add = clip.on_sample(n, ax, tp[i], a, tp_at, s.trackers.clip_rule, ch, s.events);
            r.clip_events += add.events;
            r.clip_runs += add.runs;
            r.clipped_samples += add.samples;
            if (ax > kSquareLimit) s.add_beyond(c, ax);
            if (ax > s.thresholds.hot[c])  // above the ceiling too: part of a hot passage, not counted
                hot.on_sample(n, ax, tp[i], a, tp_at, s.trackers.hot_rule, ch, s.events, false);
        } else {
            hot.on_sample(n, ax, tp[i], a, tp_at, s.trackers.hot_rule, ch, s.events);
            r.hot_samples += 1;
        }
    }
}

// Segment frames [f_lo, f_hi] of channel c, in stream order: the same tracker calls as
// on_special, except that the samples of a hot run after its first go to the trackers at
// once (RunTracker::extend_streak: same state). Full-scale samples go one by one.
void MeterBank::Impl::special_channel(std::size_t c, std::size_t f_lo, std::size_t f_hi) noexcept {
    const float* x = segment.samples + c;
    const float* tp = true_peak.values.data() + c;
    const float special_thr = thresholds.special[c], hot_thr = thresholds.hot[c], clip_thr = thresholds.clip;
    const std::uint64_t a = segment.first_frame;
    const std::size_t stride = channels;
    auto tp_at = [tp, stride, a](std::uint64_t m) { return tp[static_cast<std::size_t>(m - a) * stride]; };
    RunTracker& clip = trackers.clip[c];
    RunTracker& hot = trackers.hot[c];
    const RunParams& clip_rule = trackers.clip_rule;
    const RunParams& hot_rule = trackers.hot_rule;
    ChannelReading& r = call.readings[c];
    trackers.run_open[c] = 1;
    const auto ch = static_cast<std::uint16_t>(c);
    for (std::size_t f = f_lo; f <= f_hi;) {
        const float ax = std::fabs(x[f * stride]);
        const bool full = ax >= clip_thr;
        if (!(ax > special_thr) || (!full && !(ax > hot_thr))) {
            ++f;
            continue;
        }
        const std::uint64_t n = a + f;
        clip.observe(n, ax);
        hot.observe(n, ax);
        if (full) {
            const auto add = clip.on_sample(n, ax, tp[f * stride], a, tp_at, clip_rule, ch, events);
            r.clip_events += add.events;
            r.clip_runs += add.runs;
            r.clipped_samples += add.samples;
            if (ax > kSquareLimit) add_beyond(c, ax);
            if (ax > hot_thr) hot.on_sample(n, ax, tp[f * stride], a, tp_at, hot_rule, ch, events, false);
            ++f;
            continue;
        }
        hot.on_sample(n, ax, tp[f * stride], a, tp_at, hot_rule, ch, events);
        r.hot_samples += 1;
        ++f;
        if (!hot.in_run(hot_rule.min_run)) continue;
        // the rest of the run: hot samples right after this one
        float run_sp = 0.0f, run_tp = 0.0f;
        std::size_t run_peak_at = f;  // the first frame of run_sp
        std::size_t g = f;
        for (; g <= f_hi; ++g) {
            const float v = std::fabs(x[g * stride]);
            if (!(v > hot_thr) || v >= clip_thr) break;
            if (v > run_sp) {
                run_sp = v;
                run_peak_at = g;
            }
            run_tp = std::max(run_tp, tp[g * stride]);
        }
        if (g == f) continue;
        const auto more = static_cast<std::uint32_t>(g - f);
        clip.observe(a + run_peak_at, run_sp);  // the clip tracker's event ends before this run: one observe is all of them
        hot.extend_streak(a + g - 1, more, run_sp, a + run_peak_at, run_tp);
        r.hot_samples += more;
        f = g;
    }
}

// After the scan of a segment of `frames` frames found special samples (segment.samples holds
// it, sanitized). The scalar reference: every sample through on_special. The SIMD kernels'
// bank: the channels whose segment peak is above their threshold, each walked by
// special_channel; when at least an eighth of the channels (and two) are (loud material), hot_span
// first tells which channels are hot throughout, and those go to the trackers in two calls.
void MeterBank::Impl::special_segment(std::size_t frames) noexcept {
    call.counted = true;
    const std::size_t nc = channels;
    if (!slow.by_channel) {
        on_special(this, 0, frames * nc);
        return;
    }
    // the channels whose segment peak is above their threshold (the others have no special sample)
    const std::size_t flagged =
        steps->above(segment.sample_peak.data(), thresholds.special.data(), nc, slow.flagged.data());
    if (!slow.dense_ok || flagged < 2 || flagged * 8 < nc) {
        for (std::size_t i = 0; i < flagged; ++i) special_channel(slow.flagged[i], 0, frames - 1);
        return;
    }
    kernels->hot_span(segment.samples, true_peak.phases > 0 ? true_peak.values.data() : nullptr, frames,
                      static_cast<int>(nc), thresholds.hot.data(), thresholds.clip, slow.hot_throughout.data(),
                      slow.span_sample_peak.data(), slow.span_true_peak.data());
    const std::uint64_t a = segment.first_frame;
    for (std::size_t c = 0; c < nc; ++c) {
        if (slow.hot_throughout[c] == 0.0f) {
            if (segment.sample_peak[c] > thresholds.special[c]) special_channel(c, 0, frames - 1);  // else none special
            continue;
        }
        // hot throughout: frame 0 as special_channel takes it, then the rest at once
        special_channel(c, 0, 0);
        if (frames == 1) continue;
        if (!trackers.hot[c].in_run(trackers.hot_rule.min_run)) {
            special_channel(c, 1, frames - 1);
            continue;
        }
        // where the span's peak is: looked up only when it can reach an event
        const float span_sp = slow.span_sample_peak[c];
        std::uint64_t peak_at = a + 1;
        if (trackers.clip[c].observe_raises(a + 1, span_sp) || trackers.hot[c].extend_raises(span_sp)) {
            const float* xc = segment.samples + c;
            std::size_t f = 1;
            while (f + 1 < frames && std::fabs(xc[f * nc]) != span_sp) ++f;
            peak_at = a + f;
        }
        trackers.clip[c].observe(peak_at, span_sp);
        trackers.hot[c].extend_streak(a + frames - 1, static_cast<std::uint32_t>(frames - 1), span_sp, peak_at,
                                      slow.span_true_peak[c]);
        call.readings[c].hot_samples += static_cast<std::uint32_t>(frames - 1);
    }
}

} // namespace headroom
