#pragma once
// MeterBank: every channel's meters over an interleaved float32 stream (DESIGN.md §2).
//
// Per channel: sample peak, true peak (BS.1770-4 Annex 2, see true_peak.hpp), sliding-window
// RMS, full-scale runs merged into clip events, hot events, non-finite samples counted and
// kept out of every level, and the 10 Hz envelope. Results do not depend on how the stream
// is cut into blocks: a file processed in blocks of 1, 37 or 4096 frames gives identical
// readings (folded over the stream) and events.
//
// Definitions as implemented (positions are 0-based stream frames; "rate" = sample rate):
//  - Time base. The interpolator has a delay of D = InterpolatorDesign::delay frames: the
//    oversampled output computed when input frame m arrives is attributed to frame m - D.
//    The bank therefore measures frame n (every level, every event rule) once frame n + D
//    has arrived, so that the true peak of frame n is known with its sample. Readings and
//    events lag the input by D frames (< 1 ms); finish() flushes the last D frames by
//    running the interpolator on zeros after the end.
//  - Non-finite samples (NaN, +-Inf) are counted per channel when they arrive and replaced
//    by 0 before anything else sees them: sample peak, true peak, RMS, clips, hot and the
//    envelope's sums see 0, and the envelope's `count` excludes them. NonFinite events are
//    bursts merged while the gap (finite samples between them) is < merge_ms.
//  - Sample peak: max |x|. True peak: max over the oversampled phases of |y| of the frames
//    attributed to the interval, never reported below the interval's sample peak. (Phase 0
//    is the delayed input itself, so the kernel runs the other phases and the sample peak
//    stands for it.) MeterOptions::true_peak = false skips the interpolator: true peak then
//    reads the sample peak, and there is no delay (D = 0: a call measures its own frames,
//    true_peak_delay() is 0). Events and the readings folded over a stream are the same as
//    with true peak on, apart from true peak.
//  - RMS: hops of floor(rate / 200) frames at absolute positions [k*hop, (k+1)*hop); a window
//    of W = max(1, round(rms_window_ms * rate / 1000 / hop)) hops. At each hop end the window
//    RMS is sqrt(sum of the last W hop sums of x^2 / (W * hop)), from the W-th hop end on: the
//    first W - 1 hops end no full window and give no value (no silence before the start is
//    counted, no part-window stands in for a window), so rms_max does not depend on where a
//    transient falls. A stream shorter than the window (fewer than W hops) gets one value at
//    finish(): the RMS of the whole stream, in the readings and in the last Envelope (a tick
//    that ends with the frames given in such a stream waits for more frames or finish();
//    docs/design.md, "RMS"). Squares are summed in float (fused multiply-adds) in
//    S = sq_slot_count(channels) sequential chains per channel (frame position mod S,
//    meter_kernels.hpp), folded into double in a fixed order at every hop and tick end: the
//    order of additions depends on the stream alone, so any block partition and either kernel
//    (on a target with FMA) give the same bits. The running window sum is recomputed
//    from the ring every W hops, so it cannot drift. Float squares would overflow beyond
//    |x| = 1.8e19: a slot adds min(|x|, kSquareLimit)^2 (2^116 at most) and the slow path
//    adds x^2 - kSquareLimit^2 in double for each sample beyond (all are full scale), so every
//    finite sample's level is right. A reading's `rms` is the value at
//    the last hop end inside the call (-1 if none), `rms_max` the largest in the call. The
//    partial hop at finish() gives no value (except in a stream shorter than the window, above).
//  - Full-scale sample: |x| >= 10^(clip_threshold_dbfs / 20). A clip run is >= clip_min_run
//    consecutive full-scale samples of one channel (across block boundaries). When a run
//    reaches the minimum it counts (clip_runs + 1, clipped_samples + clip_min_run, then + 1
//    per further sample); shorter streaks count nowhere. A run that begins a new clip event
//    (does not merge into the open one) adds 1 to clip_events, so the readings summed since a
//    reset count exactly the Clip events the log gets, as soon as each begins.
//  - Clip event: runs merged while gap < G = ceil(merge_ms * rate / 1000) frames, where gap =
//    next run's first frame - previous run's last frame - 1 (merge_ms 0: each run its own
//    event). start_sample = first frame of the first run, end_sample = last frame of the last
//    run (inclusive), runs, count = clipped samples, sample_peak = max |x| over
//    [start, end], peak_sample = the first frame in [start, end] where |x| = sample_peak, true_peak = max oversampled |y| attributed (see Time base) to frames
//    [start, end], at least sample_peak. Emitted when it can no longer grow: at the first
//    hop end (in measured time) at or after end + G + 1 at which no streak that could still
//    merge is in progress, at a later run that does not merge, or at finish().
//  - Hot: |x| > 10^(hot_ceiling_dbfs[c] / 20) and not full-scale; counted in hot_samples.
//    Hot events follow the clip-event rules with runs of 1 sample and G from hot_merge_ms over
//    every sample above the ceiling, full-scale ones included (a clip inside or at the edge of
//    a hot passage is in its span, sample_peak, peak_sample and true_peak); runs = merged
//    stretches of consecutive samples above the ceiling, count = hot samples (full-scale ones
//    not counted); an event whose count is 0 (full-scale samples alone) is not emitted.
//  - Envelope: ticks of round(rate / 10) frames at absolute positions. At each tick end one
//    Envelope event per channel: start/end (inclusive) of the tick, count = finite frames,
//    sample_peak, true_peak (>= sample_peak), rms_window_max = max window RMS among hops
//    whose last frame lies in the tick (0 if none), sum_squares (double). finish() emits the
//    partial tick [tick start, end of stream); if the stream goes on, the rest of that tick
//    is emitted at its absolute end as a shorter tick.
//  - Provisional copies (MeterOptions::provisional_events): a clip/hot/non-finite event still open 0.6 s after its start also
//    leaves as it stands (MeterEvent::provisional), then once a second until it closes; its
//    final copy (same type, channel and start_sample) follows. Counting consumers skip them.
//  - Bands and buses (DESIGN.md §6): a BandMeter (bands.hpp) and a LoudnessMeter
//    (loudness.hpp) see every block as given, in stream time (no true-peak delay: neither needs
//    one); their ticks leave as Bands and Loudness events through the same queue.
//  - Event order: per channel and type, events leave in stream order; the interleaving of
//    different channels and types may differ between kernels and block partitions.
//
// Threads: one thread calls process() (the audio thread live, the caller offline). The
// constructor and finish() run on a normal thread. Events leave through the SpscQueue given
// at construction (this bank is its only producer); a full queue drops and counts.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/meter/meter_event.hpp"
#include "engine/meter/meter_options.hpp"
#include "engine/meter/meter_snapshot.hpp"
#include "engine/handover/spsc_queue.hpp"
#include "engine/meter/true_peak.hpp"

namespace headroom {

using EventQueue = SpscQueue<MeterEvent>;

class MeterBank {
public:
    // normal thread; allocates every buffer the bank will ever use. `o` must be valid
    // (validate_meter_options); `events` may be null (then no events are produced).
    // The interpolator is design_true_peak_interpolator(o.sample_rate). Logs the kernel once.
    MeterBank(const MeterOptions& o, EventQueue* events);
    // normal thread; as above with a given interpolator design (tests, benchmarks).
    MeterBank(const MeterOptions& o, EventQueue* events, InterpolatorDesign design);
    ~MeterBank();
    MeterBank(const MeterBank&) = delete;
    MeterBank& operator=(const MeterBank&) = delete;

    // audio thread; wait-free: no allocation, lock, log or system call.
    // `interleaved` holds frames * channels samples; frames <= options().max_block.
    void process(const float* interleaved, std::size_t frames) noexcept;

    // audio thread (or after process); one reading per channel for the frames measured by the
    // last process() call (or by finish(): the flushed tail).
    const ChannelReading* block_readings() const noexcept;

    // processing thread, at the end of a stream: measures the last D frames, closes open
    // clip/hot/non-finite events and emits the partial envelope tick. Wait-free. Further
    // process() calls continue the same stream.
    void finish() noexcept;

    // DESIGN.md §6, after process()/finish() on the same thread (or any thread after it):
    // every channel's bands for the call (null when MeterOptions::bands is off), and every bus
    // (MeterOptions::buses order): its loudness (LoudnessMeter), peaks (the maxima of its
    // channels' readings) and bands (peak: max over its channels; rms, rms_max: their power
    // mean, < 0 while a channel has none).
    const BandReadings* band_readings() const noexcept;
    const BusReading* bus_readings() const noexcept;
    int bus_count() const noexcept;
    // any thread; wait-free. Restarts bus `bus`'s integrated loudness and LRA (the window's
    // stopwatch) at the next process() call; the session's own figures (the events) go on.
    void request_loudness_reset(int bus) noexcept;

    // processing thread; frames processed (given to process()) since construction.
    std::uint64_t frames_processed() const noexcept;
    // any thread after construction.
    const MeterOptions& options() const noexcept;
    // any thread; name of the kernel in use ("scalar", or Highway's target name such as "AVX2").
    const char* kernel_name() const noexcept;
    // any thread; the delay D in frames (see "Time base"; 0 with true peak off).
    int true_peak_delay() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace headroom
