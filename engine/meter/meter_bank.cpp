// MeterBank: the stream bookkeeping around the kernels (meter_kernels.hpp) — history for the
// interpolator (true peak on; off, blocks are scanned where they are), segments cut at hop
// and tick ends, RMS windows and the readings (their loops over channels in meter_steps.hpp),
// envelope, event trackers.
// The definitions implemented here are written out in meter_bank.hpp.
#include "engine/meter/meter_bank.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "engine/base/decibels.hpp"
#include "engine/meter/meter_bank_impl.hpp"
#include "engine/meter/meter_kernels.hpp"
#include "engine/meter/meter_steps.hpp"
#include "engine/meter/meter_trackers.hpp"

namespace headroom {

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();

void check_design(const InterpolatorDesign& d) {
    if (d.factor < 1 || d.taps < 1 || d.coeffs.size() != static_cast<std::size_t>(d.factor * d.taps) ||
        d.delay < 0 || d.delay > 4 * d.taps)
        throw std::invalid_argument("true-peak interpolator design is inconsistent");
}
} // namespace

MeterBank::Impl::Impl(const MeterOptions& o, EventQueue* q, InterpolatorDesign d)
    : opt(o), design(std::move(d)) {
    if (auto err = validate_meter_options(o)) throw std::invalid_argument(*err);
    check_design(design);
    k = o.force_scalar ? &scalar_kernels() : &simd_kernels();
    st = o.force_scalar ? &plain_steps() : &simd_steps();
    sink.queue = q;
    nc = static_cast<std::size_t>(o.channels);
    // True peak off: no interpolator, so no delay and no history; every block is scanned
    // where it is.
    delay = o.true_peak ? static_cast<std::uint64_t>(design.delay) : 0;
    scan_in_place = !o.true_peak;
    // history rows: the interpolator's taps - 1 and its delay D
    hist = scan_in_place ? 0
                         : std::max<std::size_t>(static_cast<std::size_t>(design.taps - 1), static_cast<std::size_t>(delay));
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

    clip_thr = static_cast<float>(db_to_amplitude(static_cast<double>(o.clip_threshold_dbfs)));
    const float below_clip = std::nextafter(clip_thr, 0.0f);
    hot_thr.assign(nc + kKernelPad, kInf);
    special_thr.assign(nc + kKernelPad, kInf);
    for (std::size_t c = 0; c < nc; ++c) {
        if (c < o.hot_ceiling_dbfs.size())
            hot_thr[c] = static_cast<float>(db_to_amplitude(static_cast<double>(o.hot_ceiling_dbfs[c])));
        special_thr[c] = hot_thr[c] < clip_thr ? hot_thr[c] : below_clip;
    }

    const std::size_t rows = scan_in_place ? 0 : hist + std::max<std::size_t>(o.max_block, static_cast<std::size_t>(delay));
    scratch.assign(rows * nc + kKernelPad, 0.0f);
    base = -static_cast<std::int64_t>(hist);
    tpv.assign(static_cast<std::size_t>(hop) * nc + kKernelPad, 0.0f);
    seg_sp.assign(nc + kKernelPad, 0.0f);
    pend_sp.assign(nc, 0.0f);
    pend_tp.assign(nc, 0.0f);
    call_sp.assign(nc, 0.0f);
    call_tp.assign(nc, 0.0f);
    seg_tp.assign(nc + kKernelPad, 0.0f);
    nslots = sq_slot_count(o.channels);
    sq_slots.assign(nslots * nc + kKernelPad, 0.0f);
    if (scan_in_place) {
        slot_backup.assign(nslots * nc, 0.0f);
        seg_buf.assign(static_cast<std::size_t>(hop) * nc + kKernelPad, 0.0f);
    }
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
    wnext.assign(nc, 0.0);
    tick_sp.assign(nc, 0.0f);
    tick_tp.assign(nc, 0.0f);
    tick_rms_max.assign(nc, 0.0f);
    tick_sq.assign(nc, 0.0);
    nf_slots = (o.max_block + static_cast<std::size_t>(delay)) / static_cast<std::size_t>(tick) + 3;
    nf_ring.assign(nc * nf_slots, 0u);
    clip.assign(nc, RunTracker{});
    hot.assign(nc, RunTracker{});
    nf.assign(nc, BurstTracker{});
    ev_open.assign(nc + 8, 0);  // padded: hop_end reads them 8 at a time
    nf_open.assign(nc + 8, 0);
    rms_now.assign(nc, 0.0f);
    call_rms_max.assign(nc, 0.0f);
    channel_wise = !o.force_scalar;
    dense_ok = nc >= 8;
    span_all.assign(nc + kKernelPad, 0.0f);
    span_sp.assign(nc + kKernelPad, 0.0f);
    span_tp.assign(nc + kKernelPad, 0.0f);
    flag_list.assign(nc, 0u);
}

// The readings' counters, before a call or finish(): only when the last one counted something
// (the floats are all written by publish()).
void MeterBank::Impl::reset_counters() noexcept {
    if (!counted) return;
    counted = false;
    for (auto& r : readings) r.clip_runs = r.clipped_samples = r.nonfinite = r.hot_samples = 0;
}

void MeterBank::Impl::on_nonfinite(void* ctx, std::size_t begin, std::size_t end) {
    auto& s = *static_cast<Impl*>(ctx);
    for (std::size_t i = begin; i < end; ++i) {
        if (std::isfinite(s.cur_src[i])) continue;
        const std::size_t c = i % s.nc;
        const std::uint64_t n = s.cur_f0 + i / s.nc;
        s.readings[c].nonfinite += 1;
        s.counted = true;
        s.nf_open[c] = 1;
        s.nf[c].on_sample(n, s.nf_gap, static_cast<std::uint16_t>(c), s.sink);
        s.nf_ring[c * s.nf_slots + static_cast<std::size_t>((n / s.tick) % s.nf_slots)] += 1;
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
        if (b == h_end)
            hop_end(b);  // folds the slots too
        else if (b == t_end)
            fold_squares();
        if (b == t_end) tick_end(b);
    }
}

void MeterBank::Impl::segment(std::uint64_t a, std::uint64_t b) noexcept {
    const auto frames = static_cast<std::size_t>(b - a);
    const int ch = static_cast<int>(nc);
    seg_a = a;
    const float* tpp = nullptr;
    if (tp_phases > 0) {
        k->true_peak(row(a + delay), frames * nc, ch, tp_coeffs, design.taps, tp_phases, tpv.data());
        tpp = tpv.data();
    }
    const float* x = row(a);
    unsigned found = 0;
    if (scan_in_place) {
        // in place: unsanitized; a non-finite sample spoils the sums it met, so the slots are
        // restored and a sanitized copy is scanned (counting the non-finite samples)
        x = in_src + static_cast<std::size_t>(a - in_f0) * nc;
        std::copy_n(sq_slots.data(), slot_backup.size(), slot_backup.data());
        found = k->scan(x, nullptr, frames, ch, a, special_thr.data(), seg_sp.data(), seg_tp.data(), sq_slots.data());
        if ((found & kScanNonFinite) != 0) {
            std::copy_n(slot_backup.data(), slot_backup.size(), sq_slots.data());
            cur_src = x;
            cur_f0 = a;
            k->copy_sanitize(x, seg_buf.data(), frames * nc, &Impl::on_nonfinite, this);
            x = seg_buf.data();
            found = k->scan(x, nullptr, frames, ch, a, special_thr.data(), seg_sp.data(), seg_tp.data(),
                            sq_slots.data());
        }
    } else {
        found = k->scan(x, tpp, frames, ch, a, special_thr.data(), seg_sp.data(), seg_tp.data(), sq_slots.data());
    }
    seg_x = x;
    if ((found & kScanSpecial) != 0) special_segment(frames);
    // the segment's maxima into the pending ones (an element-wise loop, vectorized)
    const float* ssp = seg_sp.data();
    float* psp = pend_sp.data();
    for (std::size_t c = 0; c < nc; ++c) psp[c] = std::max(psp[c], ssp[c]);
    if (tp_phases == 0) return;  // true peak off: the trackers' true-peak spans stay 0
    const float* stp = seg_tp.data();
    float* ptp = pend_tp.data();
    for (std::size_t c = 0; c < nc; ++c) ptp[c] = std::max(ptp[c], stp[c]);
    const float* tp = tpv.data();
    for (std::size_t c = 0; c < nc; ++c) {
        if (ev_open[c] == 0 || (!clip[c].open() && !hot[c].open())) continue;
        auto tpv_at = [tp, this, a, c](std::uint64_t m) { return tp[static_cast<std::size_t>(m - a) * nc + c]; };
        clip[c].end_segment(a, b, seg_tp[c], tpv_at);
        hot[c].end_segment(a, b, seg_tp[c], tpv_at);
    }
}

// The pending segment maxima into the tick's and the call's, at a tick end.
void MeterBank::Impl::fold_pending() noexcept {
    float* psp = pend_sp.data();
    float* ptp = pend_tp.data();
    float* tsp = tick_sp.data();
    float* ttp = tick_tp.data();
    float* csp = call_sp.data();
    float* ctp = call_tp.data();
    for (std::size_t c = 0; c < nc; ++c) {
        const float t = std::max(ptp[c], psp[c]);
        tsp[c] = std::max(tsp[c], psp[c]);
        ttp[c] = std::max(ttp[c], t);
        csp[c] = std::max(csp[c], psp[c]);
        ctp[c] = std::max(ctp[c], t);
        psp[c] = 0.0f;
        ptp[c] = 0.0f;
    }
}

// The end of process() or finish(): the call's maxima and RMS into the readings
// (meter_steps.hpp).
void MeterBank::Impl::publish() noexcept {
    static_assert(sizeof(ChannelReading) % sizeof(float) == 0 && offsetof(ChannelReading, sample_peak) == 0 &&
                  offsetof(ChannelReading, true_peak) == sizeof(float) &&
                  offsetof(ChannelReading, rms) == 2 * sizeof(float) &&
                  offsetof(ChannelReading, rms_max) == 3 * sizeof(float));
    const CallArrays arr{pend_sp.data(), pend_tp.data(), call_sp.data(),   call_tp.data(),
                         tick_sp.data(), tick_tp.data(), rms_now.data(), call_rms_max.data()};
    st->publish(nc, arr, hop_in_call, &readings.data()->sample_peak, sizeof(ChannelReading) / sizeof(float));
    hop_in_call = false;
}

// At a tick end that is not a hop end (absolute stream positions, so the same whatever the
// blocks): the slots' sums, in double, into the hop and the tick (meter_steps.hpp: a fixed
// order of additions per channel); slots cleared.
void MeterBank::Impl::fold_squares() noexcept {
    st->fold(sq_slots.data(), nslots, nc, hop_sum.data(), tick_sq.data());
    std::fill_n(sq_slots.data(), nslots * nc, 0.0f);
}

// At a hop end: the slots folded as at a tick end, the hop into the window ring, the window's
// RMS (meter_steps.hpp); every W hops the running sum is re-based on the ring's rows as they
// were written (no drift over hours). Then the events that can no longer grow are closed.
void MeterBank::Impl::hop_end(std::uint64_t b) noexcept {
    const HopArrays arr{hop_sum.data(), tick_sq.data(), ring.data() + ring_idx * nc, wsum.data(), wnext.data(),
                        rms_now.data(),  tick_rms_max.data(), call_rms_max.data()};
    const bool rebase = ++ring_idx == win;
    if (rebase) ring_idx = 0;
    st->hop(sq_slots.data(), nslots, nc, arr, rms_norm, rebase);
    std::fill_n(sq_slots.data(), nslots * nc, 0.0f);
    hop_in_call = true;
    for (std::size_t c0 = 0; c0 < nc; c0 += 8) {
        // eight channels at once: usually none has an open event; else only those that have
        std::uint64_t e8 = 0, n8 = 0;
        std::memcpy(&e8, ev_open.data() + c0, 8);
        std::memcpy(&n8, nf_open.data() + c0, 8);
        static_assert(std::endian::native == std::endian::little, "byte k of the flags is bits 8k .. 8k + 7");
        for (std::uint64_t m = e8 | n8; m != 0;) {
            const auto byte = static_cast<unsigned>(std::countr_zero(m)) / 8;  // the first flagged channel's
            m &= ~(std::uint64_t{0xff} << (8 * byte));
            const std::size_t c = c0 + byte;  // < nc: the padding bytes are never flagged
            if (ev_open[c] != 0) {
                clip[c].close_if_done(b, clip_p, sink);
                hot[c].close_if_done(b, hot_p, sink);
                ev_open[c] = clip[c].open() || hot[c].open() ? 1 : 0;
            }
            if (nf_open[c] != 0) {
                nf[c].close_if_done(b, nf_gap, sink);
                nf_open[c] = nf[c].open() ? 1 : 0;
            }
        }
    }
}

void MeterBank::Impl::tick_end(std::uint64_t b) noexcept {
    fold_pending();
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
    s.reset_counters();
    if (frames > s.opt.max_block) frames = s.opt.max_block;  // contract violation: measure what fits
    const std::uint64_t f0 = s.frames_in;
    s.base = static_cast<std::int64_t>(f0) - static_cast<std::int64_t>(s.hist);
    s.frames_in = f0 + frames;
    if (s.scan_in_place) {  // true peak off: D = 0, the block is measured where it is
        s.in_src = interleaved;
        s.in_f0 = f0;
        s.measure_until(s.frames_in);
        s.publish();
        return;
    }
    s.cur_src = interleaved;
    s.cur_f0 = f0;
    s.k->copy_sanitize(interleaved, s.row(f0), frames * s.nc, &Impl::on_nonfinite, &s);
    if (s.frames_in > s.delay) s.measure_until(s.frames_in - s.delay);
    s.publish();
    // Keep the last H input frames as the next block's history.
    float* data = s.scratch.data();
    std::memmove(data, data + frames * s.nc, s.hist * s.nc * sizeof(float));
}

void MeterBank::finish() noexcept {
    Impl& s = *impl_;
    s.reset_counters();
    s.base = static_cast<std::int64_t>(s.frames_in) - static_cast<std::int64_t>(s.hist);
    // The interpolator's tail: D frames of silence after the end (not kept as history).
    std::fill_n(s.row(s.frames_in), static_cast<std::size_t>(s.delay) * s.nc, 0.0f);
    s.measure_until(s.frames_in);
    s.publish();
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
int MeterBank::true_peak_delay() const noexcept { return static_cast<int>(impl_->delay); }

} // namespace headroom
