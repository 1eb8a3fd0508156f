// MeterBank: the stream bookkeeping around the kernels (meter_kernels.hpp) — history for the
// interpolator, segments cut at hop and tick ends, RMS windows, envelope, event trackers.
// The definitions implemented here are written out in meter_bank.hpp.
#include "engine/meter_bank.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "engine/meter_kernels.hpp"
#include "engine/meter_trackers.hpp"

namespace headroom {

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();

void check_design(const InterpolatorDesign& d) {
    if (d.factor < 1 || d.taps < 1 || d.coeffs.size() != static_cast<std::size_t>(d.factor * d.taps) ||
        d.delay < 0 || d.delay > 4 * d.taps)
        throw std::invalid_argument("true-peak interpolator design is inconsistent");
}
} // namespace

struct MeterBank::Impl {
    MeterOptions opt;
    InterpolatorDesign design;
    const KernelTable* k = nullptr;
    EventSink sink;

    std::size_t nc = 0;          // channels
    std::uint64_t delay = 0;     // D
    std::size_t hist = 0;        // H: history rows kept before each block
    std::uint64_t hop = 0, tick = 0;
    std::size_t win = 0;         // W hops
    RunParams clip_p, hot_p;
    std::uint64_t nf_gap = 0;
    float clip_thr = 1.0f;
    std::vector<float> hot_thr, special_thr;

    std::vector<float> scratch;  // rows of nc floats: [history H | block], stream frame of row 0 = base
    std::int64_t base = 0;
    std::vector<float> tpv;      // one segment's true-peak values (zeros when true peak is off)
    const float* tp_coeffs = nullptr;  // the phases the kernel runs (phase 0 skipped when it is
    int tp_phases = 0;                 // the identity: the sample peak covers it); 0: none
    std::vector<float> seg_sp, seg_tp;
    std::vector<float> sq_slots;       // kSqSlots float sums of squares per channel (meter_kernels.hpp)
    std::vector<ChannelReading> readings;

    std::vector<double> hop_sum, ring, wsum;  // ring[i * nc + c], i < win
    std::size_t ring_idx = 0;
    double rms_norm = 1.0;                    // 1 / (W * hop)

    std::uint64_t tick_start = 0;
    std::vector<float> tick_sp, tick_tp, tick_rms_max;
    std::vector<double> tick_sq;
    std::size_t nf_slots = 0;
    std::vector<std::uint32_t> nf_ring;       // non-finite count per channel per live tick

    std::vector<RunTracker> clip, hot;
    std::vector<BurstTracker> nf;

    std::uint64_t frames_in = 0;  // frames given to process()
    std::uint64_t scan_pos = 0;   // frames measured

    // slow-path context
    const float* cur_src = nullptr;
    std::uint64_t cur_f0 = 0;
    std::uint64_t seg_a = 0;
    const float* seg_x = nullptr;

    // Channel-wise slow path (SIMD kernels): the scan's callback only notes, per channel, the
    // first and last frame of the segment holding a special sample; after the scan each noted
    // channel is walked over that span, runs of hot samples in bulk (see on_special_mark).
    // The scalar reference keeps the sample-by-sample on_special, which this is tested against.
    static constexpr std::uint32_t kNoFrame = 0xffffffffu;
    bool channel_wise = false;
    std::vector<std::uint32_t> spec_first, spec_last;  // segment frames, per channel; kNoFrame: none
    std::vector<std::uint32_t> spec_chans;             // channels noted in this segment
    std::size_t n_spec = 0;
    // Dense segments: once the callback has seen 1/8 of the segment's samples, it stops noting
    // and every channel goes through the hot_span kernel: a channel hot over the whole segment
    // goes to the trackers in two calls, any other one is walked over the whole segment
    // (below 8 channels every channel is walked).
    std::size_t spec_seen = 0, seg_samples = 0;
    bool dense = false;
    bool dense_ok = false;    // at least 8 channels for hot_span (fewer: every channel walked instead)
    std::uint64_t div_m = 0;  // floor(2^32 / nc)
    std::vector<float> span_all, span_sp, span_tp;

    Impl(const MeterOptions& o, EventQueue* q, InterpolatorDesign d);
    float* row(std::uint64_t frame) noexcept {
        return scratch.data() + static_cast<std::size_t>(static_cast<std::int64_t>(frame) - base) * nc;
    }
    void reset_readings() noexcept;
    void measure_until(std::uint64_t end) noexcept;
    void segment(std::uint64_t a, std::uint64_t b) noexcept;
    void fold_squares() noexcept;
    void hop_end(std::uint64_t b) noexcept;
    void tick_end(std::uint64_t b) noexcept;
    static void on_nonfinite(void* ctx, std::size_t begin, std::size_t end);
    static void on_special(void* ctx, std::size_t begin, std::size_t end);
    static void on_special_mark(void* ctx, std::size_t begin, std::size_t end);
    void special_channel(std::size_t c, std::size_t f_lo, std::size_t f_hi) noexcept;
    void special_channels(std::size_t frames) noexcept;
};

MeterBank::Impl::Impl(const MeterOptions& o, EventQueue* q, InterpolatorDesign d)
    : opt(o), design(std::move(d)) {
    if (auto err = validate_meter_options(o)) throw std::invalid_argument(*err);
    check_design(design);
    k = o.force_scalar ? &scalar_kernels() : &simd_kernels();
    sink.queue = q;
    nc = static_cast<std::size_t>(o.channels);
    delay = static_cast<std::uint64_t>(design.delay);
    hist = std::max<std::size_t>(static_cast<std::size_t>(design.taps - 1), static_cast<std::size_t>(delay));
    hop = static_cast<std::uint64_t>(std::floor(o.sample_rate / 200.0));
    tick = static_cast<std::uint64_t>(std::llround(o.sample_rate / 10.0));
    win = static_cast<std::size_t>(
        std::max(1.0, std::round(o.rms_window_ms * o.sample_rate / 1000.0 / static_cast<double>(hop))));
    rms_norm = 1.0 / (static_cast<double>(win) * static_cast<double>(hop));

    clip_p.type = EventType::Clip;
    clip_p.min_run = static_cast<std::uint32_t>(o.clip_min_run);
    clip_p.gap = static_cast<std::uint64_t>(std::ceil(o.merge_ms * o.sample_rate / 1000.0));
    hot_p.type = EventType::Hot;
    hot_p.min_run = 1;
    hot_p.gap = static_cast<std::uint64_t>(std::ceil(o.hot_merge_ms * o.sample_rate / 1000.0));
    nf_gap = clip_p.gap;

    clip_thr = static_cast<float>(std::pow(10.0, static_cast<double>(o.clip_threshold_dbfs) / 20.0));
    const float below_clip = std::nextafter(clip_thr, 0.0f);
    hot_thr.assign(nc + kKernelPad, kInf);
    special_thr.assign(nc + kKernelPad, kInf);
    for (std::size_t c = 0; c < nc; ++c) {
        if (c < o.hot_ceiling_dbfs.size())
            hot_thr[c] = static_cast<float>(std::pow(10.0, static_cast<double>(o.hot_ceiling_dbfs[c]) / 20.0));
        special_thr[c] = hot_thr[c] < clip_thr ? hot_thr[c] : below_clip;
    }

    const std::size_t rows = hist + std::max<std::size_t>(o.max_block, static_cast<std::size_t>(delay));
    scratch.assign(rows * nc + kKernelPad, 0.0f);
    base = -static_cast<std::int64_t>(hist);
    tpv.assign(static_cast<std::size_t>(hop) * nc + kKernelPad, 0.0f);
    seg_sp.assign(nc + kKernelPad, 0.0f);
    seg_tp.assign(nc + kKernelPad, 0.0f);
    sq_slots.assign(kSqSlots * nc + kKernelPad, 0.0f);
    tp_coeffs = design.coeffs.data();
    tp_phases = design.factor;
    bool phase0_identity = true;
    for (int i = 0; i < design.taps; ++i)
        phase0_identity = phase0_identity && design.coeffs[static_cast<std::size_t>(i)] == (i == design.delay ? 1.0f : 0.0f);
    if (phase0_identity) {
        tp_coeffs += design.taps;
        tp_phases -= 1;
    }
    if (!o.true_peak) tp_phases = 0;
    readings.assign(nc, ChannelReading{});
    hop_sum.assign(nc, 0.0);
    ring.assign(win * nc, 0.0);
    wsum.assign(nc, 0.0);
    tick_sp.assign(nc, 0.0f);
    tick_tp.assign(nc, 0.0f);
    tick_rms_max.assign(nc, 0.0f);
    tick_sq.assign(nc, 0.0);
    nf_slots = (o.max_block + static_cast<std::size_t>(delay)) / static_cast<std::size_t>(tick) + 3;
    nf_ring.assign(nc * nf_slots, 0u);
    clip.assign(nc, RunTracker{});
    hot.assign(nc, RunTracker{});
    nf.assign(nc, BurstTracker{});
    channel_wise = !o.force_scalar;
    dense_ok = nc >= 8;
    div_m = (std::uint64_t{1} << 32) / nc;
    spec_first.assign(nc, kNoFrame);
    spec_last.assign(nc, 0u);
    spec_chans.assign(nc, 0u);
    span_all.assign(nc + kKernelPad, 0.0f);
    span_sp.assign(nc + kKernelPad, 0.0f);
    span_tp.assign(nc + kKernelPad, 0.0f);
}

void MeterBank::Impl::reset_readings() noexcept {
    for (auto& r : readings) r = ChannelReading{};
}

void MeterBank::Impl::on_nonfinite(void* ctx, std::size_t begin, std::size_t end) {
    auto& s = *static_cast<Impl*>(ctx);
    for (std::size_t i = begin; i < end; ++i) {
        if (std::isfinite(s.cur_src[i])) continue;
        const std::size_t c = i % s.nc;
        const std::uint64_t n = s.cur_f0 + i / s.nc;
        s.readings[c].nonfinite += 1;
        s.nf[c].on_sample(n, s.nf_gap, static_cast<std::uint16_t>(c), s.sink);
        s.nf_ring[c * s.nf_slots + static_cast<std::size_t>((n / s.tick) % s.nf_slots)] += 1;
    }
}

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

// The scan found special samples in [begin, end): note, per channel, the first and last
// segment frame holding one. Indices are walked without a division per sample.
void MeterBank::Impl::on_special_mark(void* ctx, std::size_t begin, std::size_t end) {
    auto& s = *static_cast<Impl*>(ctx);
    if (s.dense) return;
    s.spec_seen += end - begin;
    if (s.spec_seen * 8 >= s.seg_samples) {
        s.dense = true;
        return;
    }
    // begin / nc without a division (one per call was most of this function at 2 channels):
    // q = begin * floor(2^32 / nc) / 2^32 is the quotient or one less (begin < 2^32).
    auto f = static_cast<std::uint32_t>((static_cast<std::uint64_t>(begin) * s.div_m) >> 32);
    std::size_t c = begin - static_cast<std::size_t>(f) * s.nc;
    if (c >= s.nc) {
        c -= s.nc;
        ++f;
    }
    const float* x = s.seg_x;
    const float* thr = s.special_thr.data();
    std::uint32_t* first = s.spec_first.data();
    std::uint32_t* last = s.spec_last.data();
    const std::size_t nc = s.nc;
    for (std::size_t i = begin; i < end; ++i) {
        if (!(std::fabs(x[i]) <= thr[c])) {
            if (first[c] == kNoFrame) {
                first[c] = f;
                s.spec_chans[s.n_spec++] = static_cast<std::uint32_t>(c);
            }
            last[c] = f;
        }
        if (++c == nc) {
            c = 0;
            ++f;
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

// After the scan of a segment of `frames` frames: the noted channels, or every channel when
// the segment is dense.
void MeterBank::Impl::special_channels(std::size_t frames) noexcept {
    for (std::size_t j = 0; j < n_spec; ++j) {
        const std::size_t c = spec_chans[j];
        if (!dense) special_channel(c, spec_first[c], spec_last[c]);
        spec_first[c] = kNoFrame;
    }
    n_spec = 0;
    spec_seen = 0;
    if (!dense) return;
    dense = false;
    if (!dense_ok) {
        for (std::size_t c = 0; c < nc; ++c) special_channel(c, 0, frames - 1);
        return;
    }
    k->hot_span(seg_x, tp_phases > 0 ? tpv.data() : nullptr, frames, static_cast<int>(nc), hot_thr.data(), clip_thr,
                span_all.data(), span_sp.data(), span_tp.data());
    const std::uint64_t a = seg_a;
    for (std::size_t c = 0; c < nc; ++c) {
        if (span_all[c] == 0.0f) {
            special_channel(c, 0, frames - 1);
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

void MeterBank::Impl::measure_until(std::uint64_t end) noexcept {
    while (scan_pos < end) {
        const std::uint64_t a = scan_pos;
        const std::uint64_t h_end = (a / hop + 1) * hop;
        const std::uint64_t t_end = (a / tick + 1) * tick;
        const std::uint64_t b = std::min({end, h_end, t_end});
        segment(a, b);
        scan_pos = b;
        if (b == h_end || b == t_end) fold_squares();
        if (b == h_end) hop_end(b);
        if (b == t_end) tick_end(b);
    }
}

void MeterBank::Impl::segment(std::uint64_t a, std::uint64_t b) noexcept {
    const auto frames = static_cast<std::size_t>(b - a);
    const float* x = row(a);
    const float* in = row(a + delay);
    if (tp_phases > 0)
        k->true_peak(in, frames * nc, static_cast<int>(nc), tp_coeffs, design.taps, tp_phases, tpv.data());
    seg_a = a;
    seg_x = x;
    seg_samples = frames * nc;
    k->scan(x, tp_phases > 0 ? tpv.data() : nullptr, frames, static_cast<int>(nc), a, special_thr.data(),
            seg_sp.data(), seg_tp.data(), sq_slots.data(), channel_wise ? &Impl::on_special_mark : &Impl::on_special,
            this);
    if (spec_seen != 0) special_channels(frames);  // the scan called back
    const float* tp = tpv.data();
    for (std::size_t c = 0; c < nc; ++c) {
        const float sp = seg_sp[c];
        const float t = std::max(seg_tp[c], sp);
        ChannelReading& r = readings[c];
        r.sample_peak = std::max(r.sample_peak, sp);
        r.true_peak = std::max(r.true_peak, t);
        tick_sp[c] = std::max(tick_sp[c], sp);
        tick_tp[c] = std::max(tick_tp[c], t);
        if (clip[c].open() || hot[c].open()) {
            auto tpv_at = [tp, this, a, c](std::uint64_t m) {
                return tp[static_cast<std::size_t>(m - a) * nc + c];
            };
            clip[c].end_segment(a, b, seg_tp[c], tpv_at);
            hot[c].end_segment(a, b, seg_tp[c], tpv_at);
        }
    }
}

// At a hop or tick end (absolute stream positions, so the same whatever the blocks): the
// slots' sums, in double, slot 0 first, into the hop and the tick; slots cleared. A sum that
// overflowed float (samples beyond 1.8e19) is held at a large finite value, so that the
// window's running sum can never become inf - inf.
void MeterBank::Impl::fold_squares() noexcept {
    constexpr double kMaxSum = 1e300;
    for (std::size_t c = 0; c < nc; ++c) {
        double sum = 0.0;
        for (std::size_t sl = 0; sl < kSqSlots; ++sl) {
            sum += static_cast<double>(sq_slots[sl * nc + c]);
            sq_slots[sl * nc + c] = 0.0f;
        }
        sum = std::min(sum, kMaxSum);
        hop_sum[c] = std::min(hop_sum[c] + sum, kMaxSum);
        tick_sq[c] = std::min(tick_sq[c] + sum, kMaxSum);
    }
}

void MeterBank::Impl::hop_end(std::uint64_t b) noexcept {
    double* slot = ring.data() + ring_idx * nc;
    for (std::size_t c = 0; c < nc; ++c) {
        wsum[c] += hop_sum[c] - slot[c];
        slot[c] = hop_sum[c];
        hop_sum[c] = 0.0;
    }
    if (++ring_idx == win) {
        ring_idx = 0;
        // Re-base the running sums on the ring itself: no drift over hours.
        for (std::size_t c = 0; c < nc; ++c) wsum[c] = 0.0;
        for (std::size_t i = 0; i < win; ++i)
            for (std::size_t c = 0; c < nc; ++c) wsum[c] += ring[i * nc + c];
    }
    for (std::size_t c = 0; c < nc; ++c) {
        const auto rms = static_cast<float>(std::sqrt(std::max(wsum[c], 0.0) * rms_norm));
        ChannelReading& r = readings[c];
        r.rms = rms;
        r.rms_max = std::max(r.rms_max, rms);
        tick_rms_max[c] = std::max(tick_rms_max[c], rms);
        clip[c].close_if_done(b, clip_p, sink);
        hot[c].close_if_done(b, hot_p, sink);
        nf[c].close_if_done(b, nf_gap, sink);
    }
}

void MeterBank::Impl::tick_end(std::uint64_t b) noexcept {
    const auto slot = static_cast<std::size_t>(((b - 1) / tick) % nf_slots);
    for (std::size_t c = 0; c < nc; ++c) {
        std::uint32_t& bad = nf_ring[c * nf_slots + slot];
        MeterEvent e;
        e.type = EventType::Envelope;
        e.channel = static_cast<std::uint16_t>(c);
        e.start_sample = tick_start;
        e.end_sample = b - 1;
        e.count = (b - tick_start) - bad;
        e.sample_peak = tick_sp[c];
        e.true_peak = std::max(tick_tp[c], tick_sp[c]);
        e.rms_window_max = tick_rms_max[c];
        e.sum_squares = tick_sq[c];
        sink.emit(e);
        bad = 0;
        tick_sp[c] = 0.0f;
        tick_tp[c] = 0.0f;
        tick_rms_max[c] = 0.0f;
        tick_sq[c] = 0.0;
    }
    tick_start = b;
}

MeterBank::MeterBank(const MeterOptions& o, EventQueue* events, InterpolatorDesign design)
    : impl_(std::make_unique<Impl>(o, events, std::move(design))) {
    static std::once_flag logged;
    bool first = false;
    std::call_once(logged, [&] { first = true; });
    if (first)
        spdlog::info("meters: {} kernel", impl_->k->name);
    else
        spdlog::debug("meters: {} kernel", impl_->k->name);
}

MeterBank::~MeterBank() = default;

void MeterBank::process(const float* interleaved, std::size_t frames) noexcept {
    Impl& s = *impl_;
    s.reset_readings();
    if (frames > s.opt.max_block) frames = s.opt.max_block;  // contract violation: measure what fits
    const std::uint64_t f0 = s.frames_in;
    s.base = static_cast<std::int64_t>(f0) - static_cast<std::int64_t>(s.hist);
    s.cur_src = interleaved;
    s.cur_f0 = f0;
    s.k->copy_sanitize(interleaved, s.row(f0), frames * s.nc, &Impl::on_nonfinite, &s);
    s.frames_in = f0 + frames;
    if (s.frames_in > s.delay) s.measure_until(s.frames_in - s.delay);
    // Keep the last H input frames as the next block's history.
    float* data = s.scratch.data();
    std::memmove(data, data + frames * s.nc, s.hist * s.nc * sizeof(float));
}

void MeterBank::finish() noexcept {
    Impl& s = *impl_;
    s.reset_readings();
    s.base = static_cast<std::int64_t>(s.frames_in) - static_cast<std::int64_t>(s.hist);
    // The interpolator's tail: D frames of silence after the end (not kept as history).
    std::fill_n(s.row(s.frames_in), static_cast<std::size_t>(s.delay) * s.nc, 0.0f);
    s.measure_until(s.frames_in);
    for (std::size_t c = 0; c < s.nc; ++c) {
        s.clip[c].finish(s.sink);
        s.hot[c].finish(s.sink);
        s.nf[c].finish(s.sink);
    }
    if (s.frames_in > s.tick_start) {
        s.fold_squares();
        s.tick_end(s.frames_in);
    }
}

const ChannelReading* MeterBank::block_readings() const noexcept { return impl_->readings.data(); }
std::uint64_t MeterBank::frames_processed() const noexcept { return impl_->frames_in; }
const MeterOptions& MeterBank::options() const noexcept { return impl_->opt; }
const char* MeterBank::kernel_name() const noexcept { return impl_->k->name; }
int MeterBank::true_peak_delay() const noexcept { return impl_->design.delay; }

} // namespace headroom
