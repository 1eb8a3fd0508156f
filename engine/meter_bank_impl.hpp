#pragma once
// MeterBank's private state, shared by meter_bank.cpp (stream bookkeeping) and
// meter_bank_special.cpp (the slow path: full-scale and hot samples to the trackers).
// Not part of the engine's interface: included by those two files only.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/meter_bank.hpp"
#include "engine/meter_kernels.hpp"
#include "engine/meter_trackers.hpp"

namespace headroom {

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

} // namespace headroom
