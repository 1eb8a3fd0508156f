// MeterBank: the stream bookkeeping around the kernels (meter_kernels.hpp) — history for the
// interpolator (true peak on; off, blocks are scanned where they are), segments cut at hop
// and tick ends, RMS windows and the readings (their loops over channels in meter_steps.hpp),
// envelope, event trackers.
// The definitions implemented here are written out in meter_bank.hpp.
#include "engine/meter/meter_bank.hpp"

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
    : options(o), interpolator(std::move(d)) {
    if (auto err = validate_meter_options(o)) throw std::invalid_argument(*err);
    check_design(interpolator);
    kernels = o.force_scalar ? &scalar_kernels() : &simd_kernels();
    steps = o.force_scalar ? &plain_steps() : &simd_steps();
    events.queue = q;
    channels = static_cast<std::size_t>(o.channels);
    const std::size_t nc = channels;
    // True peak off: no interpolator, so no delay and no history; every block is scanned
    // where it is.
    delay = o.true_peak ? static_cast<std::uint64_t>(interpolator.delay) : 0;
    in_place.enabled = !o.true_peak;
    // history rows: the interpolator's taps - 1 and its delay D
    history.kept_rows = in_place.enabled ? 0
                                         : std::max<std::size_t>(static_cast<std::size_t>(interpolator.taps - 1),
                                                                 static_cast<std::size_t>(delay));
    hop_frames = static_cast<std::uint64_t>(std::floor(o.sample_rate / 200.0));
    tick_frames = static_cast<std::uint64_t>(std::llround(o.sample_rate / 10.0));
    window_hops = static_cast<std::size_t>(
        std::max(1.0, std::round(o.rms_window_ms * o.sample_rate / 1000.0 / static_cast<double>(hop_frames))));
    window.norm = 1.0 / (static_cast<double>(window_hops) * static_cast<double>(hop_frames));

    trackers.clip_rule.type = EventType::Clip;
    trackers.clip_rule.min_run = static_cast<std::uint32_t>(o.clip_min_run);
    trackers.clip_rule.gap = static_cast<std::uint64_t>(std::ceil(o.merge_ms * o.sample_rate / 1000.0));
    trackers.hot_rule.type = EventType::Hot;
    trackers.hot_rule.min_run = 1;
    trackers.hot_rule.gap = static_cast<std::uint64_t>(std::ceil(o.hot_merge_ms * o.sample_rate / 1000.0));
    trackers.nonfinite_gap = trackers.clip_rule.gap;
    // With provisional_events, an event still open 0.6 s after its start is sent as it stands, then once a second, so a
    // recorder has it on disk within 1 s of its start (DESIGN.md §5); 0.6 s, past the default
    // 500 ms clip merge, spares the usual short clip a provisional copy.
    const ProvisionalRule provisional = o.provisional_events
        ? ProvisionalRule{static_cast<std::uint64_t>(std::llround(0.6 * o.sample_rate)),
                          static_cast<std::uint64_t>(std::llround(o.sample_rate))}
        : ProvisionalRule{};
    trackers.clip_rule.provisional = provisional;
    trackers.hot_rule.provisional = provisional;
    trackers.nonfinite_provisional = provisional;

    thresholds.clip = static_cast<float>(db_to_amplitude(static_cast<double>(o.clip_threshold_dbfs)));
    const float below_clip = std::nextafter(thresholds.clip, 0.0f);
    thresholds.hot.assign(nc + kKernelPad, kInf);
    thresholds.special.assign(nc + kKernelPad, kInf);
    for (std::size_t c = 0; c < nc; ++c) {
        if (c < o.hot_ceiling_dbfs.size())
            thresholds.hot[c] = static_cast<float>(db_to_amplitude(static_cast<double>(o.hot_ceiling_dbfs[c])));
        thresholds.special[c] = thresholds.hot[c] < thresholds.clip ? thresholds.hot[c] : below_clip;
    }

    const std::size_t rows =
        in_place.enabled ? 0 : history.kept_rows + std::max<std::size_t>(o.max_block, static_cast<std::size_t>(delay));
    history.rows.assign(rows * nc + kKernelPad, 0.0f);
    history.first_frame = -static_cast<std::int64_t>(history.kept_rows);
    true_peak.values.assign(static_cast<std::size_t>(hop_frames) * nc + kKernelPad, 0.0f);
    segment.sample_peak.assign(nc + kKernelPad, 0.0f);
    pending.sample_peak.assign(nc, 0.0f);
    pending.true_peak.assign(nc, 0.0f);
    call.peaks.sample_peak.assign(nc, 0.0f);
    call.peaks.true_peak.assign(nc, 0.0f);
    segment.true_peak.assign(nc + kKernelPad, 0.0f);
    squares.slot_count = sq_slot_count(o.channels);
    squares.slots.assign(squares.slot_count * nc + kKernelPad, 0.0f);
    if (in_place.enabled) {
        in_place.slots_before.assign(squares.slot_count * nc, 0.0f);
        in_place.sanitized.assign(static_cast<std::size_t>(hop_frames) * nc + kKernelPad, 0.0f);
    }
    true_peak.coeffs = interpolator.coeffs.data();
    true_peak.phases = interpolator.factor;
    bool phase0_identity = true;
    for (int i = 0; i < interpolator.taps; ++i)
        phase0_identity = phase0_identity &&
                          interpolator.coeffs[static_cast<std::size_t>(i)] == (i == interpolator.delay ? 1.0f : 0.0f);
    if (phase0_identity) {
        true_peak.coeffs += interpolator.taps;
        true_peak.phases -= 1;
    }
    if (!o.true_peak) true_peak.phases = 0;
    call.readings.assign(nc, ChannelReading{});
    window.hop_sum.assign(nc, 0.0);
    window.ring.assign(window_hops * nc, 0.0);
    window.sum.assign(nc, 0.0);
    window.since_rebase.assign(nc, 0.0);
    squares.beyond.assign(nc, 0.0);
    tick.sample_peak.assign(nc, 0.0f);
    tick.true_peak.assign(nc, 0.0f);
    tick.rms_max.assign(nc, 0.0f);
    tick.sum_squares.assign(nc, 0.0);
    tick.nonfinite_slots = (o.max_block + static_cast<std::size_t>(delay)) / static_cast<std::size_t>(tick_frames) + 3;
    tick.nonfinite.assign(nc * tick.nonfinite_slots, 0u);
    trackers.clip.assign(nc, RunTracker{});
    trackers.hot.assign(nc, RunTracker{});
    trackers.nonfinite.assign(nc, BurstTracker{});
    for (auto& t : trackers.nonfinite) t.set_provisional_first(trackers.nonfinite_provisional.first);
    trackers.run_open.assign(nc + 8, 0);  // padded: hop_end reads them 8 at a time
    trackers.burst_open.assign(nc + 8, 0);
    window.rms.assign(nc, 0.0f);
    call.rms_max.assign(nc, 0.0f);
    slow.by_channel = !o.force_scalar;
    slow.dense_ok = nc >= 8;
    slow.hot_throughout.assign(nc + kKernelPad, 0.0f);
    slow.span_sample_peak.assign(nc + kKernelPad, 0.0f);
    slow.span_true_peak.assign(nc + kKernelPad, 0.0f);
    slow.flagged.assign(nc, 0u);
    if (o.bands)
        programme.bands = std::make_unique<BandMeter>(o.sample_rate, o.channels, o.rms_window_ms, o.max_block,
                                                      o.force_scalar);
    if (!o.buses.empty())
        programme.loudness = std::make_unique<LoudnessMeter>(o.sample_rate, o.channels, o.buses, o.max_block,
                                                             o.force_scalar);
    programme.buses.assign(o.buses.size(), BusReading{});
}

void MeterBank::Impl::run_programme(const float* interleaved, std::size_t frames) noexcept {
    if (programme.bands) programme.bands->process(interleaved, frames);
    if (programme.loudness) programme.loudness->process(interleaved, frames);
    publish_programme();
}

void MeterBank::Impl::finish_programme() noexcept {
    if (programme.bands) programme.bands->finish();
    if (programme.loudness) programme.loudness->finish();
    publish_programme();
}

void MeterBank::Impl::publish_programme() noexcept {
    const BandReadings* bands = programme.bands ? programme.bands->readings() : nullptr;
    if (programme.bands) {
        const BandTick* ticks = programme.bands->ticks();
        for (std::size_t i = 0, n = programme.bands->tick_count(); i < n; ++i) {
            const BandTick& t = ticks[i];
            MeterEvent e;
            e.type = EventType::Bands;
            e.channel = t.channel;
            e.start_sample = t.start_frame;
            e.end_sample = t.end_frame - 1;
            e.count = t.frames;
            e.band_peak = t.peak;
            e.band_sum_squares = t.sum_squares;
            e.band_rms_window_max = t.rms_window_max;
            events.emit(e);
        }
    }
    if (!programme.loudness) return;
    const LoudnessTick* ticks = programme.loudness->ticks();
    for (std::size_t i = 0, n = programme.loudness->tick_count(); i < n; ++i) {
        const LoudnessTick& t = ticks[i];
        MeterEvent e;
        e.type = EventType::Loudness;
        e.channel = t.bus;
        e.start_sample = t.start_frame;
        e.end_sample = t.end_frame - 1;
        e.block_ms = t.block_ms;
        e.short_term_ms = t.short_term_ms;
        e.momentary_max_ms = t.momentary_max_ms;
        e.short_term_max_ms = t.short_term_max_ms;
        events.emit(e);
    }
    const BusReading* loud = programme.loudness->readings();
    for (std::size_t b = 0; b < programme.buses.size(); ++b) {
        BusReading r = loud[b];
        const std::vector<int>& members = options.buses[b].channels;
        // Bands: peak the maximum, RMS the power mean over the bus's channels (none while one has none).
        std::array<double, kBandCount> rms_sq{}, rms_max_sq{};
        bool rms_known = true;
        for (int c : members) {
            const ChannelReading& ch = call.readings[static_cast<std::size_t>(c)];
            r.sample_peak = std::max(r.sample_peak, ch.sample_peak);
            r.true_peak = std::max(r.true_peak, ch.true_peak);
            if (!bands) continue;
            for (int k = 0; k < kBandCount; ++k) {
                const BandReading& br = bands[c][k];
                r.bands[k].peak = std::max(r.bands[k].peak, br.peak);
                rms_known = rms_known && br.rms >= 0.0f;
                rms_sq[k] += static_cast<double>(br.rms) * br.rms;
                rms_max_sq[k] += static_cast<double>(br.rms_max) * br.rms_max;
            }
        }
        const double n = static_cast<double>(members.size());
        for (int k = 0; bands && k < kBandCount; ++k) {
            r.bands[k].rms = rms_known ? static_cast<float>(std::sqrt(rms_sq[k] / n)) : -1.0f;
            r.bands[k].rms_max = static_cast<float>(std::sqrt(rms_max_sq[k] / n));
        }
        programme.buses[b] = r;
    }
}

// The readings' counters, before a call or finish(): only when the last one counted something
// (the floats are all written by publish()).
void MeterBank::Impl::reset_counters() noexcept {
    if (!call.counted) return;
    call.counted = false;
    for (auto& r : call.readings) r.clip_events = r.clip_runs = r.clipped_samples = r.nonfinite = r.hot_samples = 0;
}

void MeterBank::Impl::on_nonfinite(void* ctx, std::size_t begin, std::size_t end) {
    auto& s = *static_cast<Impl*>(ctx);
    const std::size_t nc = s.channels;
    for (std::size_t i = begin; i < end; ++i) {
        if (std::isfinite(s.sanitizing.samples[i])) continue;
        const std::size_t c = i % nc;
        const std::uint64_t n = s.sanitizing.first_frame + i / nc;
        s.call.readings[c].nonfinite += 1;
        s.call.counted = true;
        s.trackers.burst_open[c] = 1;
        s.trackers.nonfinite[c].on_sample(n, s.trackers.nonfinite_gap, static_cast<std::uint16_t>(c), s.events);
        s.tick.nonfinite[c * s.tick.nonfinite_slots +
                         static_cast<std::size_t>((n / s.tick_frames) % s.tick.nonfinite_slots)] += 1;
    }
}

// Measures up to stream frame `end`, in segments cut at every hop and tick end.
void MeterBank::Impl::measure_until(std::uint64_t end) noexcept {
    if (tick.end_deferred && frames_measured < end) {  // the stream goes on: the tick ends where it did
        tick.end_deferred = false;
        tick_end(frames_measured);
    }
    while (frames_measured < end) {
        const std::uint64_t a = frames_measured;
        const std::uint64_t next_hop_end = (a / hop_frames + 1) * hop_frames;
        const std::uint64_t next_tick_end = (a / tick_frames + 1) * tick_frames;
        const std::uint64_t b = std::min({end, next_hop_end, next_tick_end});
        measure_segment(a, b);
        frames_measured = b;
        if (b == next_hop_end)
            hop_end(b);  // folds the slots too
        else if (b == next_tick_end)
            fold_squares();
        if (b != next_tick_end) continue;
        // A tick that ends with the frames given so far while the stream is shorter than the RMS
        // window: its envelope waits for more frames or finish(), which may give it the window
        // of the whole stream (window_at_end).
        if (b == frames_given && window.hops_seen < window_hops)
            tick.end_deferred = true;
        else
            tick_end(b);
    }
}

// Frames [a, b): the interpolator, the scan, the slow path when the scan found special
// samples, the maxima into the pending ones, the open events' true-peak spans.
void MeterBank::Impl::measure_segment(std::uint64_t a, std::uint64_t b) noexcept {
    const auto frames = static_cast<std::size_t>(b - a);
    const std::size_t nc = channels;
    const int ch = static_cast<int>(nc);
    segment.first_frame = a;
    const float* tp_values = nullptr;
    if (true_peak.phases > 0) {
        kernels->true_peak(row(a + delay), frames * nc, ch, true_peak.coeffs, interpolator.taps, true_peak.phases,
                           true_peak.values.data());
        if (true_peak.past_the_end) std::fill_n(true_peak.values.data(), frames * nc, 0.0f);
        tp_values = true_peak.values.data();
    }
    const float* x = row(a);
    unsigned found = 0;
    if (in_place.enabled) {
        // in place: unsanitized; a non-finite sample spoils the sums it met, so the slots are
        // restored and a sanitized copy is scanned (counting the non-finite samples)
        x = in_place.block + static_cast<std::size_t>(a - in_place.block_first_frame) * nc;
        std::copy_n(squares.slots.data(), in_place.slots_before.size(), in_place.slots_before.data());
        found = kernels->scan(x, nullptr, frames, ch, a, thresholds.special.data(), segment.sample_peak.data(),
                              segment.true_peak.data(), squares.slots.data());
        if ((found & kScanNonFinite) != 0) {
            std::copy_n(in_place.slots_before.data(), in_place.slots_before.size(), squares.slots.data());
            sanitizing.samples = x;
            sanitizing.first_frame = a;
            kernels->copy_sanitize(x, in_place.sanitized.data(), frames * nc, &Impl::on_nonfinite, this);
            x = in_place.sanitized.data();
            found = kernels->scan(x, nullptr, frames, ch, a, thresholds.special.data(), segment.sample_peak.data(),
                                  segment.true_peak.data(), squares.slots.data());
        }
    } else {
        found = kernels->scan(x, tp_values, frames, ch, a, thresholds.special.data(), segment.sample_peak.data(),
                              segment.true_peak.data(), squares.slots.data());
    }
    segment.samples = x;
    if ((found & kScanSpecial) != 0) special_segment(frames);
    // the segment's maxima into the pending ones (an element-wise loop, vectorized)
    const float* seg_sp = segment.sample_peak.data();
    float* pend_sp = pending.sample_peak.data();
    for (std::size_t c = 0; c < nc; ++c) pend_sp[c] = std::max(pend_sp[c], seg_sp[c]);
    if (true_peak.phases == 0) return;  // true peak off: the trackers' true-peak spans stay 0
    const float* seg_tp = segment.true_peak.data();
    float* pend_tp = pending.true_peak.data();
    for (std::size_t c = 0; c < nc; ++c) pend_tp[c] = std::max(pend_tp[c], seg_tp[c]);
    const float* tp = true_peak.values.data();
    for (std::size_t c = 0; c < nc; ++c) {
        if (trackers.run_open[c] == 0 || (!trackers.clip[c].open() && !trackers.hot[c].open())) continue;
        auto tp_at = [tp, nc, a, c](std::uint64_t m) { return tp[static_cast<std::size_t>(m - a) * nc + c]; };
        trackers.clip[c].end_segment(a, b, seg_tp[c], tp_at);
        trackers.hot[c].end_segment(a, b, seg_tp[c], tp_at);
    }
}

// The pending segment maxima into the tick's and the call's, at a tick end.
void MeterBank::Impl::fold_pending() noexcept {
    float* pend_sp = pending.sample_peak.data();
    float* pend_tp = pending.true_peak.data();
    float* tick_sp = tick.sample_peak.data();
    float* tick_tp = tick.true_peak.data();
    float* call_sp = call.peaks.sample_peak.data();
    float* call_tp = call.peaks.true_peak.data();
    for (std::size_t c = 0; c < channels; ++c) {
        const float t = std::max(pend_tp[c], pend_sp[c]);
        tick_sp[c] = std::max(tick_sp[c], pend_sp[c]);
        tick_tp[c] = std::max(tick_tp[c], t);
        call_sp[c] = std::max(call_sp[c], pend_sp[c]);
        call_tp[c] = std::max(call_tp[c], t);
        pend_sp[c] = 0.0f;
        pend_tp[c] = 0.0f;
    }
}

// The end of process() or finish(): the call's maxima and RMS into the readings
// (meter_steps.hpp).
void MeterBank::Impl::publish() noexcept {
    static_assert(sizeof(ChannelReading) % sizeof(float) == 0 && offsetof(ChannelReading, sample_peak) == 0 &&
                  offsetof(ChannelReading, true_peak) == sizeof(float) &&
                  offsetof(ChannelReading, rms) == 2 * sizeof(float) &&
                  offsetof(ChannelReading, rms_max) == 3 * sizeof(float));
    const CallArrays arrays{pending.sample_peak.data(),    pending.true_peak.data(), call.peaks.sample_peak.data(),
                            call.peaks.true_peak.data(),   tick.sample_peak.data(),  tick.true_peak.data(),
                            window.rms.data(),             call.rms_max.data()};
    steps->publish(channels, arrays, call.hop_ended, &call.readings.data()->sample_peak,
                   sizeof(ChannelReading) / sizeof(float));
    call.hop_ended = false;
}

// At a tick end that is not a hop end (absolute stream positions, so the same whatever the
// blocks): the slots' sums, in double, into the hop and the tick (meter_steps.hpp: a fixed
// order of additions per channel); slots cleared.
void MeterBank::Impl::fold_squares() noexcept {
    fold_beyond();
    steps->fold(squares.slots.data(), squares.slot_count, channels, window.hop_sum.data(), tick.sum_squares.data());
    std::fill_n(squares.slots.data(), squares.slot_count * channels, 0.0f);
}

// Before the slots are folded: the squares beyond kSquareLimit into the hop and tick sums
// (held at kMaxSum like them). Adding them first, in double, keeps the order fixed.
void MeterBank::Impl::fold_beyond() noexcept {
    if (!squares.any_beyond) return;
    squares.any_beyond = false;
    for (std::size_t c = 0; c < channels; ++c) {
        const double v = squares.beyond[c];
        if (v == 0.0) continue;
        window.hop_sum[c] = std::min(window.hop_sum[c] + v, kMaxSum);
        tick.sum_squares[c] = std::min(tick.sum_squares[c] + v, kMaxSum);
        squares.beyond[c] = 0.0;
    }
}

// finish() of a stream shorter than the RMS window (no full window ever ended): the window is
// the whole stream, so its RMS (every frame, a partial last hop's too) is the stream's one
// window value: the reading's rms and rms_max, and the tick's rms_max.
void MeterBank::Impl::window_at_end() noexcept {
    if (window.hops_seen >= window_hops || frames_measured == 0) return;
    fold_squares();
    const double norm = 1.0 / static_cast<double>(frames_measured);
    for (std::size_t c = 0; c < channels; ++c) {
        const double sum = std::max(window.sum[c] + window.hop_sum[c], 0.0);
        const auto r = static_cast<float>(std::min(std::sqrt(sum * norm), 3.4028234663852886e38));
        window.rms[c] = r;
        tick.rms_max[c] = std::max(tick.rms_max[c], r);
        call.rms_max[c] = std::max(call.rms_max[c], r);
    }
    call.hop_ended = true;
}

// At a hop end: the slots folded as at a tick end, the hop into the window ring, the window's
// RMS (meter_steps.hpp); every W hops the running sum is re-based on the ring's rows as they
// were written (no drift over hours). Then the events that can no longer grow are closed.
void MeterBank::Impl::hop_end(std::uint64_t b) noexcept {
    const std::size_t nc = channels;
    const HopArrays arrays{window.hop_sum.data(), tick.sum_squares.data(), window.ring.data() + window.ring_row * nc,
                           window.sum.data(),     window.since_rebase.data(), window.rms.data(),
                           tick.rms_max.data(),   call.rms_max.data()};
    const bool rebase = ++window.ring_row == window_hops;
    if (rebase) window.ring_row = 0;
    // The first W - 1 hops end no full window: they go into the ring and the running sum, but
    // give no value (norm 0 makes the RMS 0, which raises no maximum; the call has no hop end),
    // so rms_max is the loudest full window wherever a transient falls. A stream shorter than
    // the window gets its value at finish() (window_at_end).
    const bool full = window.hops_seen + 1 >= window_hops;
    if (window.hops_seen < window_hops) ++window.hops_seen;
    fold_beyond();
    steps->hop(squares.slots.data(), squares.slot_count, nc, arrays, full ? window.norm : 0.0, rebase);
    std::fill_n(squares.slots.data(), squares.slot_count * nc, 0.0f);
    if (full) call.hop_ended = true;
    for (std::size_t c0 = 0; c0 < nc; c0 += 8) {
        // eight channels at once: usually none has an open event; else only those that have
        std::uint64_t runs8 = 0, bursts8 = 0;
        std::memcpy(&runs8, trackers.run_open.data() + c0, 8);
        std::memcpy(&bursts8, trackers.burst_open.data() + c0, 8);
        static_assert(std::endian::native == std::endian::little, "byte k of the flags is bits 8k .. 8k + 7");
        for (std::uint64_t m = runs8 | bursts8; m != 0;) {
            const auto byte = static_cast<unsigned>(std::countr_zero(m)) / 8;  // the first flagged channel's
            m &= ~(std::uint64_t{0xff} << (8 * byte));
            const std::size_t c = c0 + byte;  // < nc: the padding bytes are never flagged
            if (trackers.run_open[c] != 0) {
                trackers.clip[c].close_if_done(b, trackers.clip_rule, events);
                trackers.hot[c].close_if_done(b, trackers.hot_rule, events);
                trackers.run_open[c] = trackers.clip[c].open() || trackers.hot[c].open() ? 1 : 0;
            }
            if (trackers.burst_open[c] != 0) {
                trackers.nonfinite[c].close_if_done(b, trackers.nonfinite_gap, events, trackers.nonfinite_provisional);
                trackers.burst_open[c] = trackers.nonfinite[c].open() ? 1 : 0;
            }
        }
    }
}

// At a tick end: the pending maxima folded, one Envelope event per channel, the tick reset.
void MeterBank::Impl::tick_end(std::uint64_t b) noexcept {
    fold_pending();
    const auto slot = static_cast<std::size_t>(((b - 1) / tick_frames) % tick.nonfinite_slots);
    for (std::size_t c = 0; c < channels; ++c) {
        std::uint32_t& bad = tick.nonfinite[c * tick.nonfinite_slots + slot];
        MeterEvent e;
        e.type = EventType::Envelope;
        e.channel = static_cast<std::uint16_t>(c);
        e.start_sample = tick.first_frame;
        e.end_sample = b - 1;
        e.count = (b - tick.first_frame) - bad;
        e.sample_peak = tick.sample_peak[c];
        e.true_peak = std::max(tick.true_peak[c], tick.sample_peak[c]);
        e.rms_window_max = tick.rms_max[c];
        e.sum_squares = tick.sum_squares[c];
        events.emit(e);
        bad = 0;
        tick.sample_peak[c] = 0.0f;
        tick.true_peak[c] = 0.0f;
        tick.rms_max[c] = 0.0f;
        tick.sum_squares[c] = 0.0;
    }
    tick.first_frame = b;
}

MeterBank::MeterBank(const MeterOptions& o, EventQueue* events, InterpolatorDesign design)
    : impl_(std::make_unique<Impl>(o, events, std::move(design))) {}

MeterBank::~MeterBank() = default;

void MeterBank::process(const float* interleaved, std::size_t frames) noexcept {
    Impl& s = *impl_;
    s.reset_counters();
    if (frames > s.options.max_block) frames = s.options.max_block;  // contract violation: measure what fits
    const std::uint64_t f0 = s.frames_given;
    s.history.first_frame = static_cast<std::int64_t>(f0) - static_cast<std::int64_t>(s.history.kept_rows);
    s.frames_given = f0 + frames;
    if (s.in_place.enabled) {  // true peak off: D = 0, the block is measured where it is
        s.in_place.block = interleaved;
        s.in_place.block_first_frame = f0;
        s.measure_until(s.frames_given);
        s.publish();
        s.run_programme(interleaved, frames);
        return;
    }
    s.sanitizing.samples = interleaved;
    s.sanitizing.first_frame = f0;
    s.kernels->copy_sanitize(interleaved, s.row(f0), frames * s.channels, &Impl::on_nonfinite, &s);
    if (s.frames_given > s.delay) s.measure_until(s.frames_given - s.delay);
    s.publish();
    // Keep the last H input frames as the next block's history.
    float* data = s.history.rows.data();
    std::memmove(data, data + frames * s.channels, s.history.kept_rows * s.channels * sizeof(float));
    s.run_programme(interleaved, frames);
}

void MeterBank::finish() noexcept {
    Impl& s = *impl_;
    s.reset_counters();
    s.history.first_frame = static_cast<std::int64_t>(s.frames_given) - static_cast<std::int64_t>(s.history.kept_rows);
    // The last D frames: their inter-sample points would need the samples after the end,
    // which the stream does not have (a take stopped mid-note is not followed by silence:
    // padding it so read a step, up to +0.9 dB of true peak that is not in the signal). So
    // they are measured for everything but the true peak's inter-sample points.
    std::fill_n(s.row(s.frames_given), static_cast<std::size_t>(s.delay) * s.channels, 0.0f);
    s.true_peak.past_the_end = true;
    s.measure_until(s.frames_given);
    s.true_peak.past_the_end = false;
    s.window_at_end();
    s.publish();
    for (std::size_t c = 0; c < s.channels; ++c) {
        s.trackers.clip[c].finish(s.events);
        s.trackers.hot[c].finish(s.events);
        s.trackers.nonfinite[c].finish(s.events);
    }
    s.tick.end_deferred = false;
    if (s.frames_given > s.tick.first_frame) {
        s.fold_squares();
        s.tick_end(s.frames_given);
    }
    s.finish_programme();
}

const BandReadings* MeterBank::band_readings() const noexcept {
    return impl_->programme.bands ? impl_->programme.bands->readings() : nullptr;
}
const BusReading* MeterBank::bus_readings() const noexcept { return impl_->programme.buses.data(); }
int MeterBank::bus_count() const noexcept { return static_cast<int>(impl_->programme.buses.size()); }
void MeterBank::request_loudness_reset(int bus) noexcept {
    if (impl_->programme.loudness) impl_->programme.loudness->request_reset(bus);
}

const ChannelReading* MeterBank::block_readings() const noexcept { return impl_->call.readings.data(); }
std::uint64_t MeterBank::frames_processed() const noexcept { return impl_->frames_given; }
const MeterOptions& MeterBank::options() const noexcept { return impl_->options; }
const char* MeterBank::kernel_name() const noexcept { return impl_->kernels->name; }
int MeterBank::true_peak_delay() const noexcept { return static_cast<int>(impl_->delay); }

} // namespace headroom
