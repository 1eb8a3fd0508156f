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

// When an open event is also sent as it stands (MeterEvent::provisional): `first` frames after
// its start, then every `every` frames while it stays open. 0: never.
struct ProvisionalRule {
    std::uint64_t first = 0;
    std::uint64_t every = 0;
    // audio thread; wait-free. Sends `e` as provisional when due at `pos`; `next` is the tracker's.
    void maybe_emit(const MeterEvent& e, std::uint64_t pos, std::uint64_t& next, const EventSink& sink) const noexcept {
        if (every == 0 || pos < next) return;
        MeterEvent p = e;
        p.provisional = true;
        if (p.true_peak < p.sample_peak) p.true_peak = p.sample_peak;
        sink.emit(p);
        next = pos + every;
    }
};

struct RunParams {
    EventType type = EventType::Clip;
    std::uint32_t min_run = 1;  // consecutive qualifying samples that make a run
    std::uint64_t gap = 0;      // runs merge while (next start - previous end - 1) < gap
    ProvisionalRule provisional;
};

class RunTracker {
public:
    // What a qualifying sample added to the readings.
    struct Added {
        std::uint32_t events = 0;   // 1 when that run began a new event (did not merge into the open one)
        std::uint32_t runs = 0;     // 1 when this sample completed a run of min_run
        std::uint32_t samples = 0;  // samples newly counted as part of runs
    };

    // A special sample (any |x| above the bank's special threshold) at frame n; keeps the
    // event's sample peak (and where it is) exact over its whole span.
    void observe(std::uint64_t n, float ax) noexcept {
        if (open_ && n > event_.end_sample && ax > gap_sample_peak_) {
            gap_sample_peak_ = ax;
            gap_peak_sample_ = n;
        }
    }
    // Whether observe(n, ax) would change the state (the bank then finds where ax is).
    bool observe_raises(std::uint64_t n, float ax) const noexcept {
        return open_ && n > event_.end_sample && ax > gap_sample_peak_;
    }

    // A qualifying sample at frame n with |x| = ax and true-peak value true_peak_n at that frame.
    // `true_peak_at(m)` must give the true-peak value of frames m in [seg_begin, n] of this channel.
    // counted = false (a full-scale sample in a hot passage, runs of 1): it is part of the
    // event's span and maxima but not of its count; an event whose count stays 0 is never emitted.
    template <class TruePeakAt>
    Added on_sample(std::uint64_t n, float ax, float true_peak_n, std::uint64_t seg_begin,
                    const TruePeakAt& true_peak_at, const RunParams& rule, std::uint16_t channel,
                    const EventSink& sink, bool counted = true) noexcept {
        if (streak_len_ > 0 && n == streak_last_ + 1) {
            ++streak_len_;
            if (ax > streak_sample_peak_) {
                streak_sample_peak_ = ax;
                streak_peak_sample_ = n;
            }
            if (true_peak_n > streak_true_peak_) streak_true_peak_ = true_peak_n;
        } else {
            streak_start_ = n;
            streak_len_ = 1;
            streak_sample_peak_ = ax;
            streak_peak_sample_ = n;
            streak_true_peak_ = true_peak_n;
        }
        streak_last_ = n;
        Added a;
        if (streak_len_ < rule.min_run) return a;
        if (streak_len_ > rule.min_run) {  // the current run goes on: it is the open event's tail
            if (counted) ++event_.count;
            event_.end_sample = n;
            raise_peak(ax, n);
            if (true_peak_n > event_.true_peak) event_.true_peak = true_peak_n;
            true_peak_done_ = n;
            a.samples = 1;
            return a;
        }
        a.runs = 1;
        a.samples = rule.min_run;
        if (open_ && streak_start_ - event_.end_sample - 1 < rule.gap) {
            account_true_peak(n, seg_begin, true_peak_at);
            ++event_.runs;
            if (counted) event_.count += rule.min_run;
            event_.end_sample = n;
            raise_peak(gap_sample_peak_, gap_peak_sample_);  // the gap comes before the streak
            raise_peak(streak_sample_peak_, streak_peak_sample_);
            if (gap_true_peak_ > event_.true_peak) event_.true_peak = gap_true_peak_;
        } else {
            if (open_) close(sink);
            open_ = true;
            a.events = 1;
            event_ = MeterEvent{};
            event_.type = rule.type;
            event_.channel = channel;
            event_.runs = 1;
            event_.start_sample = streak_start_;
            event_.end_sample = n;
            event_.count = counted ? rule.min_run : 0;
            event_.sample_peak = streak_sample_peak_;
            event_.peak_sample = streak_peak_sample_;
            event_.true_peak = streak_true_peak_;
            next_provisional_ = streak_start_ + rule.provisional.first;
        }
        gap_sample_peak_ = 0.0f;
        gap_true_peak_ = 0.0f;
        true_peak_done_ = n;
        return a;
    }

    // The k qualifying samples n_last - k + 1 .. n_last right after a call of on_sample at
    // n_last - k whose streak had reached min_run (so they all extend the open event), with
    // max |x| = sample_peak first reached at frame peak_at and max true-peak value = true_peak
    // over them (0 when k = 0). The same state as observe(n, ax) then on_sample(n, ...) for each
    // of them in turn; they add k samples. peak_at matters only when extend_raises(sample_peak).
    void extend_streak(std::uint64_t n_last, std::uint32_t k, float sample_peak, std::uint64_t peak_at,
                       float true_peak) noexcept {
        if (k == 0) return;
        streak_len_ += k;
        if (sample_peak > streak_sample_peak_) {
            streak_sample_peak_ = sample_peak;
            streak_peak_sample_ = peak_at;
        }
        if (true_peak > streak_true_peak_) streak_true_peak_ = true_peak;
        streak_last_ = n_last;
        event_.count += k;
        event_.end_sample = n_last;
        raise_peak(sample_peak, peak_at);
        if (true_peak > event_.true_peak) event_.true_peak = true_peak;
        if (sample_peak > gap_sample_peak_) {  // never above the event's peak (just raised): never read
            gap_sample_peak_ = sample_peak;
            gap_peak_sample_ = peak_at;
        }
        true_peak_done_ = n_last;
    }
    // Whether extend_streak's peak_at can reach an event (the open event's peak, which is at
    // least its streak's, would rise).
    bool extend_raises(float sample_peak) const noexcept { return sample_peak > event_.sample_peak; }

    // True when the last on_sample's streak had reached min_run (extend_streak may follow).
    bool in_run(std::uint32_t min_run) const noexcept { return open_ && streak_len_ >= min_run; }

    // End of a segment [seg_begin, seg_end) whose per-channel true peak was segment_true_peak: the
    // frames after the event's end become part of a later merge's span.
    template <class TruePeakAt>
    void end_segment(std::uint64_t seg_begin, std::uint64_t seg_end, float segment_true_peak,
                     const TruePeakAt& true_peak_at) noexcept {
        if (!open_) return;
        if (true_peak_done_ + 1 <= seg_begin) {
            if (segment_true_peak > gap_true_peak_) gap_true_peak_ = segment_true_peak;
        } else {
            for (std::uint64_t m = true_peak_done_ + 1; m < seg_end; ++m) {
                const float t = true_peak_at(m);
                if (t > gap_true_peak_) gap_true_peak_ = t;
            }
        }
        true_peak_done_ = seg_end - 1;
    }

    // With every frame before `pos` processed: closes the event when it can no longer grow.
    void close_if_done(std::uint64_t pos, const RunParams& rule, const EventSink& sink) noexcept {
        if (!open_) return;
        const std::uint64_t last_merge_start = event_.end_sample + rule.gap;  // a run starting after this is new
        if (pos >= last_merge_start + 1 && !(streak_len_ > 0 && streak_last_ + 1 == pos && streak_start_ <= last_merge_start)) {
            close(sink);
            return;
        }
        // Full-scale samples alone are no hot event (close()): nor is a copy of one sent.
        if (event_.count > 0) rule.provisional.maybe_emit(event_, pos, next_provisional_, sink);
    }

    // Closes the open event unconditionally (end of stream); a run going on when the stream
    // continues starts afresh.
    void finish(const EventSink& sink) noexcept {
        if (open_) close(sink);
        streak_len_ = 0;
    }

    bool open() const noexcept { return open_; }

private:
    // The open event's sample peak raised to ax at frame n (the first frame of the maximum:
    // candidates come in stream order and only a larger value moves it).
    void raise_peak(float ax, std::uint64_t n) noexcept {
        if (ax > event_.sample_peak) {
            event_.sample_peak = ax;
            event_.peak_sample = n;
        }
    }

    template <class TruePeakAt>
    void account_true_peak(std::uint64_t upto, std::uint64_t seg_begin, const TruePeakAt& true_peak_at) noexcept {
        std::uint64_t m = true_peak_done_ + 1;
        if (m < seg_begin) m = seg_begin;  // earlier frames were folded at the segment ends
        for (; m <= upto; ++m) {
            const float t = true_peak_at(m);
            if (t > gap_true_peak_) gap_true_peak_ = t;
        }
    }

    void close(const EventSink& sink) noexcept {
        MeterEvent e = event_;
        if (e.true_peak < e.sample_peak) e.true_peak = e.sample_peak;
        if (e.count > 0) sink.emit(e);  // 0: full-scale samples alone are no hot event
        open_ = false;
    }

    // The current streak of consecutive qualifying samples (a run once it reaches min_run).
    std::uint64_t streak_start_ = 0;      // its first frame
    std::uint64_t streak_last_ = 0;       // its last frame so far
    std::uint32_t streak_len_ = 0;        // its length; 0: no streak
    float streak_sample_peak_ = 0.0f;     // its max |x|
    std::uint64_t streak_peak_sample_ = 0;  // the first frame of that max
    float streak_true_peak_ = 0.0f;       // its max true-peak value
    // The open event, and what lies between its end and a run that may still merge into it.
    bool open_ = false;                   // an event is open (not yet emitted)
    MeterEvent event_{};                  // the open event as it stands
    float gap_sample_peak_ = 0.0f;        // max |x| of special samples after event_.end_sample
    std::uint64_t gap_peak_sample_ = 0;   // the first frame of that max
    float gap_true_peak_ = 0.0f;          // max true peak of frames (event_.end_sample, true_peak_done_]
    std::uint64_t true_peak_done_ = 0;    // the last frame whose true peak is in the event or the gap
    std::uint64_t next_provisional_ = 0;  // when the open event is next sent as provisional
};

class BurstTracker {
public:
    // A non-finite sample at frame n. Consecutive samples are one burst whatever the gap
    // (merge_ms 0 included), as consecutive full-scale samples are one clip run.
    void on_sample(std::uint64_t n, std::uint64_t gap, std::uint16_t channel, const EventSink& sink) noexcept {
        if (open_ && (n == event_.end_sample + 1 || n - event_.end_sample - 1 < gap)) {
            event_.end_sample = n;
            ++event_.count;
            return;
        }
        if (open_) sink.emit(event_);
        open_ = true;
        event_ = MeterEvent{};
        event_.type = EventType::NonFinite;
        event_.channel = channel;
        event_.runs = 1;
        event_.start_sample = n;
        event_.end_sample = n;
        event_.count = 1;
        next_provisional_ = n + provisional_first_;
    }
    // The delay of the first provisional copy (ProvisionalRule::first), set once at construction.
    void set_provisional_first(std::uint64_t frames) noexcept { provisional_first_ = frames; }
    // No sample at or after `pos` can merge any more: emit. Else maybe as provisional.
    void close_if_done(std::uint64_t pos, std::uint64_t gap, const EventSink& sink,
                       const ProvisionalRule& provisional = {}) noexcept {
        if (open_ && pos >= event_.end_sample + gap + 1) {
            sink.emit(event_);
            open_ = false;
        } else if (open_) {
            provisional.maybe_emit(event_, pos, next_provisional_, sink);
        }
    }
    void finish(const EventSink& sink) noexcept {
        if (open_) sink.emit(event_);
        open_ = false;
    }

    bool open() const noexcept { return open_; }

private:
    bool open_ = false;    // a burst is open (not yet emitted)
    MeterEvent event_{};   // the open burst as it stands
    std::uint64_t next_provisional_ = 0;   // when the open burst is next sent as provisional
    std::uint64_t provisional_first_ = 0;  // frames from a burst's start to its first provisional copy
};

} // namespace headroom
