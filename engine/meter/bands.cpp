// BandMeter: the stream bookkeeping around the band kernel (band_kernels.hpp) — segments cut
// at hop and tick ends, the RMS windows moved by the MeterBank's own step functions
// (meter_steps.hpp) over 3 * stride sums, ticks and readings. Definitions: bands.hpp.
#include "engine/meter/bands.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "engine/meter/band_kernels.hpp"
#include "engine/meter/meter_steps.hpp"

namespace headroom {

namespace {

// Flush-to-zero and denormals-are-zero while alive; the caller's mode restored after. No
// system call: a register write.
class DenormalsFlushed {
public:
    DenormalsFlushed() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        const unsigned csr = _mm_getcsr();
        saved_ = csr;
        _mm_setcsr(csr | 0x8040u);  // FTZ (bit 15) | DAZ (bit 6)
#elif defined(__aarch64__)
        std::uint64_t fpcr = 0;
        asm volatile("mrs %0, fpcr" : "=r"(fpcr));
        saved_ = fpcr;
        asm volatile("msr fpcr, %0" : : "r"(fpcr | (1ull << 24)));  // FZ
#endif
    }
    ~DenormalsFlushed() {
#if defined(__x86_64__) || defined(__i386__)
        _mm_setcsr(static_cast<unsigned>(saved_));
#elif defined(__aarch64__)
        asm volatile("msr fpcr, %0" : : "r"(saved_));
#endif
    }
    DenormalsFlushed(const DenormalsFlushed&) = delete;
    DenormalsFlushed& operator=(const DenormalsFlushed&) = delete;

private:
    std::uint64_t saved_ = 0;
};

constexpr float max_of(float a, float b) { return a > b ? a : b; }

} // namespace

struct BandMeter::Impl {
    // --- Fixed at construction.
    const BandKernelTable* kernels = nullptr;  // the per-sample loop: scalar reference or SIMD
    const StepTable* steps = nullptr;          // hop and tick bookkeeping (the MeterBank's)
    std::size_t channels = 0;
    std::size_t stride = 0;                    // band_stride(channels): per-band arrays are [band * stride + c]
    std::size_t sums = 0;                      // 3 * stride: the "channels" the step functions see
    std::size_t max_block = 0;
    std::uint64_t hop_frames = 0;              // floor(rate / 200)
    std::uint64_t tick_frames = 0;             // round(rate / 10)
    std::size_t window_hops = 0;               // W
    SectionCoeffs low_crossover, high_crossover;

    // --- Stream positions.
    std::uint64_t frames_given = 0;            // frames given to process() (all measured: no delay)

    // --- Per sample (the kernel's).
    std::vector<float> state;                  // kSectionStates * stride: the six sections' states
    std::vector<float> pending_peak;           // 3 * stride: segments' peaks not yet folded into tick and call
    // The hop's sums of squares so far, in float: 3 * stride, then as many zeros, so the step
    // functions see them as two slots a channel (they take slot counts >= 2; + 0 adds nothing).
    std::vector<float> squares;
    std::vector<std::uint32_t> nonfinite;      // channels: non-finite samples in the tick so far

    // --- The sliding RMS windows (meter_steps.hpp, hop), one per channel and band.
    struct RmsWindow {
        std::vector<double> hop_sum;           // this hop's sum of squares (the folds so far)
        std::vector<double> ring;              // ring[i * sums + v], i < W: the last W hops' sums
        std::size_t ring_row = 0;              // the row the next hop end overwrites
        std::vector<double> sum;               // running sum of the ring
        std::vector<double> since_rebase;      // ring rows written since the last re-base, summed in order
        double norm = 1.0;                     // 1 / (W * hop_frames)
        std::size_t hops_seen = 0;             // hops ended, up to W
        std::vector<float> rms;                // the window RMS at the last hop end
    } window;

    // --- The tick in progress.
    struct Tick {
        std::uint64_t first_frame = 0;
        bool end_deferred = false;             // it ended with the frames given while no full window had
        std::vector<float> peak;               // 3 * stride
        std::vector<float> rms_max;            // 3 * stride
        std::vector<double> sum_squares;       // 3 * stride
    } tick;

    // --- What the last call publishes.
    struct Call {
        std::vector<float> peak;               // 3 * stride: peaks folded at its tick ends
        std::vector<float> rms_max;            // 3 * stride: largest window RMS since the last publish
        bool hop_ended = false;                // a full window ended since the last publish
        std::vector<BandReadings> readings;    // channels
        std::vector<BandTick> ticks;           // capacity: every tick a call can end, times channels
        std::size_t tick_count = 0;
    } call;

    Impl(double rate, int ch, double rms_window_ms, std::size_t block, bool force_scalar);
    void measure(const float* block, std::size_t frames) noexcept;
    void fold_squares() noexcept;
    void hop_end() noexcept;
    void fold_pending() noexcept;
    void tick_end(std::uint64_t b) noexcept;
    void window_at_end() noexcept;
    void publish() noexcept;
};

BandMeter::Impl::Impl(double rate, int ch, double rms_window_ms, std::size_t block, bool force_scalar) {
    if (!(rate >= 8000.0 && rate <= 768000.0)) throw std::invalid_argument("band meter: sample rate out of range");
    if (ch < 1 || ch > 4096) throw std::invalid_argument("band meter: channel count out of range");
    if (!(rms_window_ms > 0.0 && rms_window_ms <= 10000.0))
        throw std::invalid_argument("band meter: RMS window out of range");
    if (block == 0) throw std::invalid_argument("band meter: max_block is 0");
    kernels = force_scalar ? &scalar_band_kernels() : &simd_band_kernels();
    steps = force_scalar ? &plain_steps() : &simd_steps();
    channels = static_cast<std::size_t>(ch);
    stride = band_stride(channels);
    sums = kBandCount * stride;
    max_block = block;
    hop_frames = static_cast<std::uint64_t>(std::floor(rate / 200.0));
    tick_frames = static_cast<std::uint64_t>(std::llround(rate / 10.0));
    window_hops = static_cast<std::size_t>(
        std::max(1.0, std::round(rms_window_ms * rate / 1000.0 / static_cast<double>(hop_frames))));
    window.norm = 1.0 / (static_cast<double>(window_hops) * static_cast<double>(hop_frames));
    low_crossover = design_section(kLowCrossoverHz, rate);
    high_crossover = design_section(std::min(kHighCrossoverHz, 0.45 * rate), rate);

    state.assign(kSectionStates * stride, 0.0f);
    pending_peak.assign(sums, 0.0f);
    squares.assign(2 * sums, 0.0f);
    nonfinite.assign(channels, 0u);
    window.hop_sum.assign(sums, 0.0);
    window.ring.assign(window_hops * sums, 0.0);
    window.sum.assign(sums, 0.0);
    window.since_rebase.assign(sums, 0.0);
    window.rms.assign(sums, 0.0f);
    tick.peak.assign(sums, 0.0f);
    tick.rms_max.assign(sums, 0.0f);
    tick.sum_squares.assign(sums, 0.0);
    call.peak.assign(sums, 0.0f);
    call.rms_max.assign(sums, 0.0f);
    call.readings.assign(channels, BandReadings{});
    // A call of max_block frames ends at most max_block / tick + 1 ticks, plus one deferred.
    call.ticks.assign((max_block / static_cast<std::size_t>(tick_frames) + 2) * channels, BandTick{});
}

// The frames of `block` (the stream's frames [frames_given - frames, frames_given)), in
// segments cut at every hop and tick end.
void BandMeter::Impl::measure(const float* block, std::size_t frames) noexcept {
    const std::uint64_t f0 = frames_given - frames;
    std::uint64_t a = f0;
    if (tick.end_deferred && frames > 0) {  // the stream goes on: the tick ends where it did
        tick.end_deferred = false;
        tick_end(a);
    }
    BandKernelArgs args;
    args.x_end = block + frames * channels;
    args.channels = channels;
    args.stride = stride;
    args.low = low_crossover;
    args.high = high_crossover;
    args.state = state.data();
    args.peak = pending_peak.data();
    args.sum_squares = squares.data();
    args.nonfinite = nonfinite.data();
    while (a < frames_given) {
        const std::uint64_t next_hop_end = (a / hop_frames + 1) * hop_frames;
        const std::uint64_t next_tick_end = (a / tick_frames + 1) * tick_frames;
        const std::uint64_t b = std::min({frames_given, next_hop_end, next_tick_end});
        args.x = block + static_cast<std::size_t>(a - f0) * channels;
        args.frames = static_cast<std::size_t>(b - a);
        kernels->run(args);
        a = b;
        if (b == next_hop_end)
            hop_end();
        else if (b == next_tick_end)
            fold_squares();
        if (b != next_tick_end) continue;
        if (b == frames_given && window.hops_seen < window_hops)
            tick.end_deferred = true;
        else
            tick_end(b);
    }
}

// The float sums into the hop's and the tick's doubles; cleared.
void BandMeter::Impl::fold_squares() noexcept {
    steps->fold(squares.data(), 2, sums, window.hop_sum.data(), tick.sum_squares.data());
    std::fill_n(squares.begin(), sums, 0.0f);
}

// A hop end: as the MeterBank's (the first W - 1 hops give no value).
void BandMeter::Impl::hop_end() noexcept {
    const HopArrays arrays{window.hop_sum.data(), tick.sum_squares.data(), window.ring.data() + window.ring_row * sums,
                           window.sum.data(),     window.since_rebase.data(), window.rms.data(),
                           tick.rms_max.data(),   call.rms_max.data()};
    const bool rebase = ++window.ring_row == window_hops;
    if (rebase) window.ring_row = 0;
    const bool full = window.hops_seen + 1 >= window_hops;
    if (window.hops_seen < window_hops) ++window.hops_seen;
    steps->hop(squares.data(), 2, sums, arrays, full ? window.norm : 0.0, rebase);
    std::fill_n(squares.begin(), sums, 0.0f);
    if (full) call.hop_ended = true;
}

void BandMeter::Impl::fold_pending() noexcept {
    for (std::size_t v = 0; v < sums; ++v) {
        tick.peak[v] = max_of(tick.peak[v], pending_peak[v]);
        call.peak[v] = max_of(call.peak[v], pending_peak[v]);
        pending_peak[v] = 0.0f;
    }
}

// A tick end at b: one BandTick per channel, the tick reset.
void BandMeter::Impl::tick_end(std::uint64_t b) noexcept {
    fold_pending();
    for (std::size_t c = 0; c < channels; ++c) {
        if (call.tick_count < call.ticks.size()) {
            BandTick& t = call.ticks[call.tick_count++];
            t.channel = static_cast<std::uint16_t>(c);
            t.start_frame = tick.first_frame;
            t.end_frame = b;
            t.frames = (b - tick.first_frame) - nonfinite[c];
            for (std::size_t k = 0; k < kBandCount; ++k) {
                const std::size_t v = k * stride + c;
                t.peak[k] = tick.peak[v];
                t.sum_squares[k] = tick.sum_squares[v];
                t.rms_window_max[k] = tick.rms_max[v];
            }
        }
        nonfinite[c] = 0;
    }
    std::fill(tick.peak.begin(), tick.peak.end(), 0.0f);
    std::fill(tick.rms_max.begin(), tick.rms_max.end(), 0.0f);
    std::fill(tick.sum_squares.begin(), tick.sum_squares.end(), 0.0);
    tick.first_frame = b;
}

// finish() of a stream shorter than the window: the whole stream is its one window.
void BandMeter::Impl::window_at_end() noexcept {
    if (window.hops_seen >= window_hops || frames_given == 0) return;
    fold_squares();
    const double norm = 1.0 / static_cast<double>(frames_given);
    for (std::size_t v = 0; v < sums; ++v) {
        const double sum = std::max(window.sum[v] + window.hop_sum[v], 0.0);
        const auto r = static_cast<float>(std::min(std::sqrt(sum * norm), 3.4028234663852886e38));
        window.rms[v] = r;
        tick.rms_max[v] = max_of(tick.rms_max[v], r);
        call.rms_max[v] = max_of(call.rms_max[v], r);
    }
    call.hop_ended = true;
}

// The end of a call: its maxima and RMS into the readings; the call's maxima cleared.
void BandMeter::Impl::publish() noexcept {
    for (std::size_t k = 0; k < kBandCount; ++k) {
        const std::size_t base = k * stride;
        for (std::size_t c = 0; c < channels; ++c) {
            const std::size_t v = base + c;
            const float p = pending_peak[v];
            BandReading& r = call.readings[c][k];
            r.peak = max_of(call.peak[v], p);
            r.rms = call.hop_ended ? window.rms[v] : -1.0f;
            r.rms_max = call.hop_ended ? call.rms_max[v] : 0.0f;
            tick.peak[v] = max_of(tick.peak[v], p);
            pending_peak[v] = call.peak[v] = call.rms_max[v] = 0.0f;
        }
    }
    call.hop_ended = false;
}

BandMeter::BandMeter(double rate, int channels, double rms_window_ms, std::size_t max_block, bool force_scalar)
    : impl_(std::make_unique<Impl>(rate, channels, rms_window_ms, max_block, force_scalar)) {}

BandMeter::~BandMeter() = default;

void BandMeter::process(const float* interleaved, std::size_t frames) noexcept {
    Impl& s = *impl_;
    const DenormalsFlushed ftz;
    s.call.tick_count = 0;
    if (frames > s.max_block) frames = s.max_block;  // contract violation: measure what fits
    s.frames_given += frames;
    s.measure(interleaved, frames);
    s.publish();
}

void BandMeter::finish() noexcept {
    Impl& s = *impl_;
    const DenormalsFlushed ftz;
    s.call.tick_count = 0;
    s.window_at_end();
    s.publish();
    s.tick.end_deferred = false;
    if (s.frames_given > s.tick.first_frame) {
        s.fold_squares();
        s.tick_end(s.frames_given);
    }
}

const BandReadings* BandMeter::readings() const noexcept { return impl_->call.readings.data(); }
const BandTick* BandMeter::ticks() const noexcept { return impl_->call.ticks.data(); }
std::size_t BandMeter::tick_count() const noexcept { return impl_->call.tick_count; }
const char* BandMeter::kernel_name() const noexcept { return impl_->kernels->name; }
std::uint64_t BandMeter::frames_processed() const noexcept { return impl_->frames_given; }

} // namespace headroom
