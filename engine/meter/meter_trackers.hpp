#pragma once
// Per-channel event state machines of the MeterBank (exact rules in meter_bank.hpp):
//  - RunTracker: runs of qualifying samples (full-scale for clips, above the ceiling for hot)
//    of at least `min_run`, merged into one event while the gap between runs is < `gap`.
//  - BurstTracker: non-finite samples merged into bursts while the gap is < `gap`.
// All positions are stream frame indices. Plain data, no allocation: audio thread; wait-free.
#include <cstdint>

#include "engine/meter/meter_event.hpp"
#include "engine/handover/spsc_queue.hpp"

namespace headroom {

// Where closed events go; a null queue swallows them.
struct EventSink {
    SpscQueue<MeterEvent>* queue = nullptr;
    // audio thread; wait-free. A full queue drops (and counts) the event.
    void emit(const MeterEvent& e) const noexcept {
        if (queue != nullptr) queue->try_push(e);
    }
};

struct RunParams {
    EventType type = EventType::Clip;
    std::uint32_t min_run = 1;  // consecutive qualifying samples that make a run
    std::uint64_t gap = 0;      // runs merge while (next start - previous end - 1) < gap
};

class RunTracker {
public:
    // What a qualifying sample added to the readings.
    struct Added {
        std::uint32_t runs = 0;     // 1 when this sample completed a run of min_run
        std::uint32_t samples = 0;  // samples newly counted as part of runs
    };

    // A special sample (any |x| above the bank's special threshold) at frame n; keeps the
    // event's sample peak exact over its whole span.
    void observe(std::uint64_t n, float ax) noexcept {
        if (open_ && n > ev_.end_sample && ax > gap_sp_) gap_sp_ = ax;
    }

    // A qualifying sample at frame n with |x| = ax and true-peak value tpn at that frame.
    // `tpv_at(m)` must give the true-peak value of frames m in [seg_begin, n] of this channel.
    template <class TpAt>
    Added on_sample(std::uint64_t n, float ax, float tpn, std::uint64_t seg_begin, const TpAt& tpv_at,
                    const RunParams& p, std::uint16_t ch, const EventSink& sink) noexcept {
        if (streak_len_ > 0 && n == last_ + 1) {
            ++streak_len_;
            if (ax > streak_sp_) streak_sp_ = ax;
            if (tpn > streak_tp_) streak_tp_ = tpn;
        } else {
            streak_start_ = n;
            streak_len_ = 1;
            streak_sp_ = ax;
            streak_tp_ = tpn;
        }
        last_ = n;
        Added a;
        if (streak_len_ < p.min_run) return a;
        if (streak_len_ > p.min_run) {  // the current run goes on: it is the open event's tail
            ++ev_.count;
            ev_.end_sample = n;
            if (ax > ev_.sample_peak) ev_.sample_peak = ax;
            if (tpn > ev_.true_peak) ev_.true_peak = tpn;
            tp_done_ = n;
            a.samples = 1;
            return a;
        }
        a.runs = 1;
        a.samples = p.min_run;
        if (open_ && streak_start_ - ev_.end_sample - 1 < p.gap) {
            account_tp(n, seg_begin, tpv_at);
            ++ev_.runs;
            ev_.count += p.min_run;
            ev_.end_sample = n;
            if (gap_sp_ > ev_.sample_peak) ev_.sample_peak = gap_sp_;
            if (streak_sp_ > ev_.sample_peak) ev_.sample_peak = streak_sp_;
            if (gap_tp_ > ev_.true_peak) ev_.true_peak = gap_tp_;
        } else {
            if (open_) close(sink);
            open_ = true;
            ev_ = MeterEvent{};
            ev_.type = p.type;
            ev_.channel = ch;
            ev_.runs = 1;
            ev_.start_sample = streak_start_;
            ev_.end_sample = n;
            ev_.count = p.min_run;
            ev_.sample_peak = streak_sp_;
            ev_.true_peak = streak_tp_;
        }
        gap_sp_ = 0.0f;
        gap_tp_ = 0.0f;
        tp_done_ = n;
        return a;
    }

    // The k qualifying samples n_last - k + 1 .. n_last right after a call of on_sample at
    // n_last - k whose streak had reached min_run (so they all extend the open event), with
    // max |x| = sp and max true-peak value = tp over them (0 when k = 0). The same state as
    // observe(n, ax) then on_sample(n, ...) for each of them in turn; they add k samples.
    void extend_streak(std::uint64_t n_last, std::uint32_t k, float sp, float tp) noexcept {
        if (k == 0) return;
        streak_len_ += k;
        if (sp > streak_sp_) streak_sp_ = sp;
        if (tp > streak_tp_) streak_tp_ = tp;
        last_ = n_last;
        ev_.count += k;
        ev_.end_sample = n_last;
        if (sp > ev_.sample_peak) ev_.sample_peak = sp;
        if (tp > ev_.true_peak) ev_.true_peak = tp;
        if (sp > gap_sp_) gap_sp_ = sp;
        tp_done_ = n_last;
    }

    // True when the last on_sample's streak had reached min_run (extend_streak may follow).
    bool in_run(std::uint32_t min_run) const noexcept { return open_ && streak_len_ >= min_run; }

    // End of a segment [seg_begin, seg_end) whose per-channel true peak was seg_tp: the
    // frames after the event's end become part of a later merge's span.
    template <class TpAt>
    void end_segment(std::uint64_t seg_begin, std::uint64_t seg_end, float seg_tp,
                     const TpAt& tpv_at) noexcept {
        if (!open_) return;
        if (tp_done_ + 1 <= seg_begin) {
            if (seg_tp > gap_tp_) gap_tp_ = seg_tp;
        } else {
            for (std::uint64_t m = tp_done_ + 1; m < seg_end; ++m) {
                const float t = tpv_at(m);
                if (t > gap_tp_) gap_tp_ = t;
            }
        }
        tp_done_ = seg_end - 1;
    }

    // With every frame before `pos` processed: closes the event when it can no longer grow.
    void close_if_done(std::uint64_t pos, const RunParams& p, const EventSink& sink) noexcept {
        if (!open_) return;
        const std::uint64_t last_merge_start = ev_.end_sample + p.gap;  // a run starting after this is new
        if (pos < last_merge_start + 1) return;
        if (streak_len_ > 0 && last_ + 1 == pos && streak_start_ <= last_merge_start) return;
        close(sink);
    }

    // Closes the open event unconditionally (end of stream); a run going on when the stream
    // continues starts afresh.
    void finish(const EventSink& sink) noexcept {
        if (open_) close(sink);
        streak_len_ = 0;
    }

    bool open() const noexcept { return open_; }

private:
    template <class TpAt>
    void account_tp(std::uint64_t upto, std::uint64_t seg_begin, const TpAt& tpv_at) noexcept {
        std::uint64_t m = tp_done_ + 1;
        if (m < seg_begin) m = seg_begin;  // earlier frames were folded at the segment ends
        for (; m <= upto; ++m) {
            const float t = tpv_at(m);
            if (t > gap_tp_) gap_tp_ = t;
        }
    }

    void close(const EventSink& sink) noexcept {
        MeterEvent e = ev_;
        if (e.true_peak < e.sample_peak) e.true_peak = e.sample_peak;
        sink.emit(e);
        open_ = false;
    }

    // current streak of consecutive qualifying samples
    std::uint64_t streak_start_ = 0;
    std::uint64_t last_ = 0;
    std::uint32_t streak_len_ = 0;
    float streak_sp_ = 0.0f;
    float streak_tp_ = 0.0f;
    // open event
    bool open_ = false;
    MeterEvent ev_{};
    float gap_sp_ = 0.0f;      // max |x| of special samples after ev_.end_sample
    float gap_tp_ = 0.0f;      // max true peak of frames (ev_.end_sample, tp_done_]
    std::uint64_t tp_done_ = 0;
};

class BurstTracker {
public:
    // A non-finite sample at frame n. Consecutive samples are one burst whatever the gap
    // (merge_ms 0 included), as consecutive full-scale samples are one clip run.
    void on_sample(std::uint64_t n, std::uint64_t gap, std::uint16_t ch, const EventSink& sink) noexcept {
        if (open_ && (n == ev_.end_sample + 1 || n - ev_.end_sample - 1 < gap)) {
            ev_.end_sample = n;
            ++ev_.count;
            return;
        }
        if (open_) sink.emit(ev_);
        open_ = true;
        ev_ = MeterEvent{};
        ev_.type = EventType::NonFinite;
        ev_.channel = ch;
        ev_.runs = 1;
        ev_.start_sample = n;
        ev_.end_sample = n;
        ev_.count = 1;
    }
    // No sample at or after `pos` can merge any more: emit.
    void close_if_done(std::uint64_t pos, std::uint64_t gap, const EventSink& sink) noexcept {
        if (open_ && pos >= ev_.end_sample + gap + 1) {
            sink.emit(ev_);
            open_ = false;
        }
    }
    void finish(const EventSink& sink) noexcept {
        if (open_) sink.emit(ev_);
        open_ = false;
    }

    bool open() const noexcept { return open_; }

private:
    bool open_ = false;
    MeterEvent ev_{};
};

} // namespace headroom
