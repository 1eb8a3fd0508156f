#pragma once
// MeterBank's private state, shared by meter_bank.cpp (stream bookkeeping) and
// meter_bank_special.cpp (the slow path: full-scale and hot samples to the trackers).
// Not part of the engine's interface: included by those two files only.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/meter/meter_bank.hpp"
#include "engine/meter/meter_kernels.hpp"
#include "engine/meter/meter_steps.hpp"
#include "engine/meter/meter_trackers.hpp"

namespace headroom {

struct MeterBank::Impl {
    MeterOptions opt;
    InterpolatorDesign design;
    const KernelTable* k = nullptr;
    const StepTable* st = nullptr;  // hop and tick bookkeeping (plain with force_scalar: the same bits)
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
    // True peak off: every block is scanned where it is (no copy, no history); in_src is the
    // block being measured, in_f0 the stream frame of its first row.
    bool scan_in_place = false;
    const float* in_src = nullptr;
    std::uint64_t in_f0 = 0;
    std::vector<float> slot_backup;  // the slots before an in-place scan, restored if it met a non-finite
    std::vector<float> seg_buf;      // a sanitized copy of such a segment
    std::vector<float> tpv;      // one segment's true-peak values (zeros when true peak is off)
    const float* tp_coeffs = nullptr;  // the phases the kernel runs (phase 0 skipped when it is
    int tp_phases = 0;                 // the identity: the sample peak covers it); 0: none
    std::vector<float> seg_sp, seg_tp;
    std::vector<float> pend_sp, pend_tp;  // segment maxima not yet folded into the tick and call
    std::vector<float> call_sp, call_tp;  // the call's maxima folded at its tick ends
    std::size_t nslots = 0;            // sq_slot_count(nc)
    std::vector<float> sq_slots;       // nslots float sums of squares per channel (meter_kernels.hpp)
    std::vector<ChannelReading> readings;
    bool counted = false;  // a reading's counter was raised since reset_counters()

    std::vector<double> hop_sum, ring, wsum;  // ring[i * nc + c], i < win
    std::vector<double> wnext;                // the ring rows written since the last re-base, summed
    std::size_t ring_idx = 0;
    double rms_norm = 1.0;                    // 1 / (W * hop)

    std::uint64_t tick_start = 0;
    std::vector<float> tick_sp, tick_tp, tick_rms_max;
    std::vector<double> tick_sq;
    std::size_t nf_slots = 0;
    std::vector<std::uint32_t> nf_ring;       // non-finite count per channel per live tick

    std::vector<RunTracker> clip, hot;
    std::vector<BurstTracker> nf;
    // Per channel, 1 when its clip or hot tracker (ev_open) or its non-finite tracker (nf_open)
    // may have an open event: set whenever a special or non-finite sample reaches them,
    // cleared at a hop end once they are closed. The per-segment and per-hop loops look at
    // these bytes instead of the trackers (two cache lines per channel).
    std::vector<std::uint8_t> ev_open, nf_open;
    std::vector<float> rms_now;  // the window RMS at the last hop end, per channel
    std::vector<float> call_rms_max;  // the largest window RMS since the last publish()
    bool hop_in_call = false;         // a hop ended since the last publish()

    std::uint64_t frames_in = 0;  // frames given to process()
    std::uint64_t scan_pos = 0;   // frames measured

    // slow-path context: the segment being measured (sanitized samples) and the source
    // copy_sanitize reports non-finite samples of
    const float* cur_src = nullptr;
    std::uint64_t cur_f0 = 0;
    std::uint64_t seg_a = 0;
    const float* seg_x = nullptr;

    // Special samples of a segment (the scan's kScanSpecial): the scalar reference walks every
    // sample (on_special); the SIMD kernels' bank walks the channels whose segment peak is
    // above their threshold (special_channel), hot runs in bulk, and when at least an eighth
    // of the channels are, the hot_span kernel first tells which are hot throughout.
    bool channel_wise = false;
    bool dense_ok = false;    // at least 8 channels for hot_span (fewer: every channel walked instead)
    std::vector<float> span_all, span_sp, span_tp;
    std::vector<std::uint32_t> flag_list;  // the channels special_segment walks (nc entries)

    Impl(const MeterOptions& o, EventQueue* q, InterpolatorDesign d);
    float* row(std::uint64_t frame) noexcept {
        return scratch.data() + static_cast<std::size_t>(static_cast<std::int64_t>(frame) - base) * nc;
    }
    void reset_counters() noexcept;
    void measure_until(std::uint64_t end) noexcept;
    void segment(std::uint64_t a, std::uint64_t b) noexcept;
    void fold_squares() noexcept;
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
