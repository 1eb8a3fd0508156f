#pragma once
// MeterBank's private state, shared by meter_bank.cpp (stream bookkeeping) and
// meter_bank_special.cpp (the slow path: full-scale and hot samples to the trackers).
// Not part of the engine's interface: included by those two files only.
//
// The state is grouped in the order a sample meets it: the history the interpolator needs,
// the segment being scanned, the square slots, the RMS window, the envelope tick and the
// call's readings; beside them the event trackers and the slow path. Per-channel arrays hold
// one entry per channel (`channels`); those a kernel reads or writes carry kKernelPad
// floats of slack (meter_kernels.hpp). Everything is allocated by the constructor: the
// audio thread only reads and writes it.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/meter/bands.hpp"
#include "engine/meter/loudness.hpp"
#include "engine/meter/meter_bank.hpp"
#include "engine/meter/meter_kernels.hpp"
#include "engine/meter/meter_steps.hpp"
#include "engine/meter/meter_trackers.hpp"

namespace headroom {

struct MeterBank::Impl {
    // --- What the bank measures with: fixed at construction.
    MeterOptions options;                   // as given (validated)
    InterpolatorDesign interpolator;        // the true-peak FIR (true_peak.hpp)
    const KernelTable* kernels = nullptr;   // per-sample loops: scalar reference or SIMD
    const StepTable* steps = nullptr;       // per-channel loops at hop and tick ends: plain or SIMD (the same bits)
    EventSink events;                       // where closed events go (a null queue swallows them)
    std::size_t channels = 0;               // interleaved channels per frame
    std::uint64_t delay = 0;                // D: frame n is measured once n + D has arrived (0: true peak off)
    std::uint64_t hop_frames = 0;           // the RMS hop, floor(rate / 200): the window moves by this much
    std::uint64_t tick_frames = 0;          // the envelope tick, round(rate / 10)
    std::size_t window_hops = 0;            // W: hops in the RMS window

    // What makes a sample full scale or hot.
    struct Thresholds {
        float clip = 1.0f;                  // |x| >= clip is full scale
        std::vector<float> hot;             // per channel: |x| > hot (and not full scale) is hot; +inf: no ceiling
        std::vector<float> special;         // per channel: min(hot, just below clip); the scan flags |x| above it
    } thresholds;

    // Stream positions.
    std::uint64_t frames_given = 0;         // frames given to process() since construction
    std::uint64_t frames_measured = 0;      // frames measured: D behind frames_given until finish()

    // True peak on: the input kept for the interpolator, which reads taps - 1 frames back and
    // is D frames ahead of the frame it measures.
    struct History {
        std::vector<float> rows;            // rows of `channels` sanitized floats: [kept rows | block]
        std::size_t kept_rows = 0;          // H = max(taps - 1, D): a block's last H rows, kept for the next block
        std::int64_t first_frame = 0;       // stream frame of row 0 (negative at the start: zeros before the stream)
    } history;

    // True peak off: every block is scanned where it is (no copy, no history).
    struct InPlace {
        bool enabled = false;                // true peak off
        const float* block = nullptr;        // the block process() was given (unsanitized)
        std::uint64_t block_first_frame = 0; // stream frame of its first row
        std::vector<float> slots_before;     // the square slots before a scan, restored if it met a non-finite sample
        std::vector<float> sanitized;        // then: the segment with non-finite samples as 0, scanned instead
    } in_place;

    // The samples copy_sanitize is reading, for on_nonfinite to find its non-finite samples.
    struct SanitizeSource {
        const float* samples = nullptr;     // the unsanitized input
        std::uint64_t first_frame = 0;      // stream frame of its first row
    } sanitizing;

    // The true-peak interpolator as the kernel runs it.
    struct TruePeakFir {
        const float* coeffs = nullptr;      // phase-major; phase 0 left out when it is the identity (the sample peak)
        int phases = 0;                     // phases the kernel runs; 0: true peak off
        std::vector<float> values;          // one segment's true-peak value per sample (zeros with true peak off)
        // finish(): the frames left need samples after the stream's end, which are not known;
        // their inter-sample points are not claimed (the sample peak stands for them).
        bool past_the_end = false;
    } true_peak;

    // The segment being measured: frames with no hop or tick end inside, so one scan call.
    struct Segment {
        std::uint64_t first_frame = 0;      // stream frame of its first row
        const float* samples = nullptr;     // its sanitized samples, interleaved (the slow path walks them)
        std::vector<float> sample_peak;     // per channel, from the scan
        std::vector<float> true_peak;       // per channel, from the scan (0 with true peak off)
    } segment;

    // Peak maxima per channel.
    struct Peaks {
        std::vector<float> sample_peak;     // max |x|
        std::vector<float> true_peak;       // max true-peak value (0 with true peak off)
    };
    Peaks pending;                          // the segments' maxima not yet folded into the tick and the call

    // The sums of squares inside a hop, in float (meter_kernels.hpp, sq_slot_count).
    struct Squares {
        std::size_t slot_count = 0;         // S = sq_slot_count(channels): independent chains per channel
        std::vector<float> slots;           // slots[s * channels + c]; folded into double, cleared at hop and tick ends
        // Per channel: what the slots could not hold of samples beyond kSquareLimit (x^2 - limit^2,
        // in double, in stream order), added to the hop and tick sums with the slots.
        std::vector<double> beyond;
        bool any_beyond = false;            // some entry of `beyond` is not 0
    } squares;

    // The sliding RMS window: W hop sums in a ring, their running sum (meter_steps.hpp, hop).
    struct RmsWindow {
        std::vector<double> hop_sum;        // per channel: the current hop's sum of squares so far
        std::vector<double> ring;           // ring[i * channels + c], i < W: the last W hops' sums
        std::size_t ring_row = 0;           // the row the next hop end overwrites (the oldest hop)
        std::vector<double> sum;            // per channel: the running sum of the ring
        std::vector<double> since_rebase;   // per channel: the rows written since the last re-base, summed in order
        double norm = 1.0;                  // 1 / (W * hop_frames): mean square from the sum
        std::size_t hops_seen = 0;          // hops ended since the stream began, up to W (before: the window is what exists)
        std::vector<float> rms;             // per channel: the window RMS at the last hop end
    } window;

    // The envelope tick in progress (one Envelope event per channel at its end).
    struct EnvelopeTick {
        std::uint64_t first_frame = 0;      // stream frame where the tick began
        bool end_deferred = false;          // it ended with the frames given while no full RMS window had (measure_until)
        std::vector<float> sample_peak;     // per channel, folded from `pending` at tick ends and publish()
        std::vector<float> true_peak;       // per channel, as above
        std::vector<float> rms_max;         // per channel: largest window RMS of the hops ending in the tick
        std::vector<double> sum_squares;    // per channel: the tick's sum of squares
        std::size_t nonfinite_slots = 0;    // ticks the non-finite ring covers (more than a block plus D can span)
        // nonfinite[c * nonfinite_slots + tick % nonfinite_slots]: non-finite samples counted on arrival
        // (D frames before they are measured), taken out of their tick's frame count at its end.
        std::vector<std::uint32_t> nonfinite;
    } tick;

    // What process() or finish() publishes.
    struct CallReadings {
        std::vector<ChannelReading> readings;  // per channel: block_readings()
        bool counted = false;               // a counter in `readings` was raised since reset_counters()
        Peaks peaks;                        // the call's maxima folded at its tick ends
        std::vector<float> rms_max;         // per channel: the largest window RMS since the last publish()
        bool hop_ended = false;             // a hop ended since the last publish() (else the readings carry no RMS)
    } call;

    // The per-channel event state machines (meter_trackers.hpp).
    struct EventTrackers {
        RunParams clip_rule;                // clip runs: min run, merge gap
        RunParams hot_rule;                 // hot runs: runs of 1, hot merge gap
        std::uint64_t nonfinite_gap = 0;    // non-finite bursts merge while closer than this (frames)
        ProvisionalRule nonfinite_provisional;  // when an open burst is sent as it stands
        std::vector<RunTracker> clip;       // per channel
        std::vector<RunTracker> hot;        // per channel
        std::vector<BurstTracker> nonfinite;  // per channel
        // Per channel (+ 8 bytes of padding, read 8 at a time), 1 when the clip or hot tracker
        // (run_open) or the non-finite tracker (burst_open) may have an open event: set whenever a
        // special or non-finite sample reaches them, cleared at a hop end once they are closed.
        // The per-segment and per-hop loops look at these bytes instead of the trackers (two
        // cache lines per channel).
        std::vector<std::uint8_t> run_open;
        std::vector<std::uint8_t> burst_open;
    } trackers;

    // Special samples of a segment (the scan's kScanSpecial): the scalar reference walks every
    // sample (on_special); the SIMD kernels' bank walks the channels whose segment peak is
    // above their threshold (special_channel), hot runs in bulk, and when at least an eighth
    // of the channels are, the hot_span kernel first tells which are hot throughout.
    struct SlowPath {
        bool by_channel = false;            // SIMD kernels: walk flagged channels (scalar: every sample)
        bool dense_ok = false;              // at least 8 channels for hot_span (fewer: every channel walked instead)
        std::vector<float> hot_throughout;  // per channel, from hot_span: 1 when every frame of the segment is hot
        std::vector<float> span_sample_peak;  // per channel, from hot_span: max |x| over frames 1 ..
        std::vector<float> span_true_peak;    // per channel, from hot_span: max true-peak value over frames 1 ..
        std::vector<std::uint32_t> flagged; // the channels special_segment walks
    } slow;

    // DESIGN.md §6: bands per channel and loudness per bus, and what the bank publishes of them.
    struct Programme {
        std::unique_ptr<BandMeter> bands;       // null: bands off
        std::unique_ptr<LoudnessMeter> loudness; // null: no bus
        std::vector<BusReading> buses;          // per bus, the call's readings
    } programme;

    Impl(const MeterOptions& o, EventQueue* q, InterpolatorDesign d);
    void run_programme(const float* interleaved, std::size_t frames) noexcept;  // process()
    void finish_programme() noexcept;
    void publish_programme() noexcept;          // ticks to events, bus readings
    // The history row of stream frame `frame`.
    float* row(std::uint64_t frame) noexcept {
        return history.rows.data() +
               static_cast<std::size_t>(static_cast<std::int64_t>(frame) - history.first_frame) * channels;
    }
    void reset_counters() noexcept;
    void measure_until(std::uint64_t end) noexcept;
    void measure_segment(std::uint64_t a, std::uint64_t b) noexcept;
    void fold_squares() noexcept;
    void fold_beyond() noexcept;
    void add_beyond(std::size_t c, float ax) noexcept {
        const double x = ax, limit = kSquareLimit;
        squares.beyond[c] += x * x - limit * limit;
        squares.any_beyond = true;
    }
    void window_at_end() noexcept;
    void fold_pending() noexcept;
    void publish() noexcept;
    void hop_end(std::uint64_t b) noexcept;
    void tick_end(std::uint64_t b) noexcept;
    static void on_nonfinite(void* ctx, std::size_t begin, std::size_t end);
    static void on_special(void* ctx, std::size_t begin, std::size_t end);
    void special_channel(std::size_t c, std::size_t f_lo, std::size_t f_hi) noexcept;
    void special_segment(std::size_t frames) noexcept;
};

} // namespace headroom
