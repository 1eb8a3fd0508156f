// LoudnessMeter (loudness.hpp): hops, windows, gating steps and readings around the K-weighting
// kernel (loudness_kernels.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "engine/meter/loudness.hpp"
#include "engine/meter/loudness_kernels.hpp"

namespace headroom {

KWeighting design_k_weighting(double rate) noexcept {
    // BS.1770's stages as analog prototypes, bilinear transform prewarped at f0 (K = tan(pi f0 / fs)).
    constexpr double kShelfF0 = 1681.974450955533, kShelfGainDb = 3.999843853973347, kShelfQ = 0.7071752369554196;
    constexpr double kHighpassF0 = 38.13547087602444, kHighpassQ = 0.5003270373238773;
    KWeighting k{};
    {
        const double K = std::tan(std::numbers::pi * kShelfF0 / rate);
        const double Vh = std::pow(10.0, kShelfGainDb / 20.0);
        const double Vb = std::pow(Vh, 0.4996667741545416);  // the band-edge gain of BS.1770's shelf
        const double a0 = 1.0 + K / kShelfQ + K * K;
        k.shelf_b0 = (Vh + Vb * K / kShelfQ + K * K) / a0;
        k.shelf_b1 = 2.0 * (K * K - Vh) / a0;
        k.shelf_b2 = (Vh - Vb * K / kShelfQ + K * K) / a0;
        k.shelf_a1 = 2.0 * (K * K - 1.0) / a0;
        k.shelf_a2 = (1.0 - K / kShelfQ + K * K) / a0;
    }
    {
        const double K = std::tan(std::numbers::pi * kHighpassF0 / rate);
        const double a0 = 1.0 + K / kHighpassQ + K * K;
        k.highpass_a1 = 2.0 * (K * K - 1.0) / a0;
        k.highpass_a2 = (1.0 - K / kHighpassQ + K * K) / a0;
    }
    return k;
}

namespace {

constexpr double kStateFloor = 1e-100;  // filter states below this are set to 0 at hop ends

std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

// A per-call or per-step maximum of a loudness (-1: none).
void raise_to(double& m, double v) noexcept { m = std::max(m, v); }

// A mean square as a reading's float: -1 stays "none"; beyond float's range (samples far
// beyond full scale) it is held at FLT_MAX rather than becoming inf.
float reading_of(double ms) noexcept {
    return ms < 0.0 ? -1.0f : static_cast<float>(std::min(ms, static_cast<double>(std::numeric_limits<float>::max())));
}

} // namespace

struct LoudnessMeter::Impl {
    struct Bus {
        std::vector<std::size_t> members;  // lane of each channel (into the K-weighted lanes)
        std::vector<double> weights;       // BS.1770 weight of each
        std::vector<double> ring;          // the last S hop energies; entry k % S: hop k
        std::unique_ptr<LoudnessGate> gate = std::make_unique<LoudnessGate>();
        // Newest values and maxima.
        double momentary = -1.0, short_term = -1.0;  // at the newest hop end (-1: none yet)
        double step_momentary_max = -1.0, step_short_term_max = -1.0;
        double call_momentary = -1.0, call_short_term = -1.0;
        double call_momentary_max = -1.0, call_short_term_max = -1.0;
        double integrated = -1.0, range = -1.0;  // the gate's values after the last step
        std::uint64_t measured_from = 0;
        std::uint32_t resets = 0;
    };

    // Configuration.
    int channels = 0;
    std::size_t max_block = 0;
    std::size_t hop = 0, momentary_hops = 0, short_term_hops = 0, step_hops = 0;
    KWeighting k{};
    const LoudnessKernelTable* kernel = nullptr;
    std::vector<int> lane_channel;  // input channel of each K-weighted lane
    std::size_t lanes = 0, stride = 0;

    // Buffers.
    std::vector<float> gathered;  // max_block * stride, frame-major, sanitized
    std::vector<double> state;    // 7 arrays of stride (KWeightState)
    KWeightState st{};
    std::vector<Bus> buses;
    std::array<std::atomic<bool>, kMaxBuses> reset_requested{};
    std::vector<BusReading> readings;
    std::vector<LoudnessTick> ticks;
    std::size_t tick_count = 0;

    // Stream position.
    std::uint64_t position = 0;    // frames processed
    std::uint64_t hops_done = 0;   // complete hops
    std::size_t hop_filled = 0;    // frames into the current hop
    std::uint64_t tick_start = 0;  // first frame of the pending tick

    void gather(const float* x, std::size_t frames) noexcept {
        const auto nc = static_cast<std::size_t>(channels);
        for (std::size_t f = 0; f < frames; ++f) {
            const float* row = x + f * nc;
            float* out = gathered.data() + f * stride;
            for (std::size_t j = 0; j < lanes; ++j) {
                const float v = row[lane_channel[j]];
                out[j] = std::isfinite(v) ? v : 0.0f;
            }
        }
    }

    void hop_end() noexcept {
        for (double* a : {st.in1, st.in2, st.shelf1, st.shelf2, st.out1, st.out2})
            for (std::size_t j = 0; j < lanes; ++j)
                if (std::fabs(a[j]) < kStateFloor) a[j] = 0.0;
        ++hops_done;
        const std::size_t S = short_term_hops;
        for (Bus& b : buses) {
            double e = 0.0;
            for (std::size_t m = 0; m < b.members.size(); ++m) e += b.weights[m] * st.hop_sum[b.members[m]];
            b.ring[(hops_done - 1) % S] = e;
            if (hops_done >= momentary_hops) b.momentary = window(b, momentary_hops);
            if (hops_done >= S) b.short_term = window(b, S);
            if (hops_done >= momentary_hops) {
                b.call_momentary = b.momentary;
                raise_to(b.call_momentary_max, b.momentary);
                raise_to(b.step_momentary_max, b.momentary);
            }
            if (hops_done >= S) {
                b.call_short_term = b.short_term;
                raise_to(b.call_short_term_max, b.short_term);
                raise_to(b.step_short_term_max, b.short_term);
            }
        }
        std::fill(st.hop_sum, st.hop_sum + stride, 0.0);
        hop_filled = 0;
        if (hops_done % step_hops == 0) step_end();
    }

    // Mean square of the last n hops (oldest first).
    double window(const Bus& b, std::size_t n) const noexcept {
        const std::size_t S = short_term_hops;
        double sum = 0.0;
        for (std::uint64_t h = hops_done - n; h < hops_done; ++h) sum += b.ring[h % S];
        return std::max(0.0, sum) / static_cast<double>(n * hop);
    }

    void step_end() noexcept {
        const std::uint64_t end = position;
        for (std::size_t i = 0; i < buses.size(); ++i) {
            Bus& b = buses[i];
            const double block = hops_done >= momentary_hops ? b.momentary : -1.0;
            const double short_term = hops_done >= short_term_hops ? b.short_term : -1.0;
            if (block >= 0.0 && end >= momentary_hops * hop + b.measured_from) b.gate->add_block(block);
            if (short_term >= 0.0 && end >= short_term_hops * hop + b.measured_from)
                b.gate->add_short_term(short_term);
            b.integrated = b.gate->integrated_ms();
            b.range = b.gate->loudness_range_lu();
            emit_tick(i, end, block, short_term);
        }
        tick_start = end;
    }

    void emit_tick(std::size_t i, std::uint64_t end, double block, double short_term) noexcept {
        Bus& b = buses[i];
        LoudnessTick& t = ticks[tick_count++];
        t.bus = static_cast<std::uint16_t>(i);
        t.start_frame = tick_start;
        t.end_frame = end;
        t.block_ms = block;
        t.short_term_ms = short_term;
        t.momentary_max_ms = b.step_momentary_max;
        t.short_term_max_ms = b.step_short_term_max;
        b.step_momentary_max = -1.0;
        b.step_short_term_max = -1.0;
    }

    void begin_call() noexcept {
        tick_count = 0;
        for (Bus& b : buses) {
            b.call_momentary = b.call_short_term = -1.0;
            b.call_momentary_max = b.call_short_term_max = -1.0;
        }
    }

    void publish() noexcept {
        for (std::size_t i = 0; i < buses.size(); ++i) {
            const Bus& b = buses[i];
            BusReading& r = readings[i];
            r = BusReading{};
            r.momentary_ms = reading_of(b.call_momentary);
            r.short_term_ms = reading_of(b.call_short_term);
            r.momentary_max_ms = reading_of(b.call_momentary_max);
            r.short_term_max_ms = reading_of(b.call_short_term_max);
            r.integrated_ms = reading_of(b.integrated);
            r.loudness_range_lu = static_cast<float>(b.range);
            r.measured_from = b.measured_from;
            r.resets = b.resets;
        }
    }
};

LoudnessMeter::LoudnessMeter(double rate, int channels, std::vector<BusSpec> buses, std::size_t max_block,
                             bool force_scalar)
    : impl_(std::make_unique<Impl>()) {
    if (!(rate >= 44100.0 && rate <= 192000.0))
        throw std::invalid_argument("loudness: sample rate " + std::to_string(rate) + " is outside 44100..192000");
    if (channels < 1) throw std::invalid_argument("loudness: no channels");
    if (max_block < 1) throw std::invalid_argument("loudness: max_block must be at least 1");
    if (buses.size() > static_cast<std::size_t>(kMaxBuses))
        throw std::invalid_argument("loudness: more than " + std::to_string(kMaxBuses) + " buses");
    Impl& m = *impl_;
    m.channels = channels;
    m.max_block = max_block;
    m.hop = static_cast<std::size_t>(std::floor(rate / 100.0));
    const double hop_seconds = static_cast<double>(m.hop) / rate;
    m.momentary_hops = static_cast<std::size_t>(std::lround(0.4 / hop_seconds));
    m.short_term_hops = static_cast<std::size_t>(std::lround(3.0 / hop_seconds));
    m.step_hops = static_cast<std::size_t>(std::lround(0.1 / hop_seconds));
    m.k = design_k_weighting(rate);
    m.kernel = force_scalar ? &scalar_loudness_kernels() : &simd_loudness_kernels();

    std::vector<int> lane_of(static_cast<std::size_t>(channels), -1);
    m.buses.reserve(buses.size());
    for (const BusSpec& spec : buses) {
        if (spec.channels.empty()) throw std::invalid_argument("loudness: bus '" + spec.name + "' has no channels");
        Impl::Bus b;
        const std::vector<float> w = bs1770_weights(spec.channels.size());
        for (std::size_t i = 0; i < spec.channels.size(); ++i) {
            const int c = spec.channels[i];
            if (c < 0 || c >= channels)
                throw std::invalid_argument("loudness: bus '" + spec.name + "' names channel " + std::to_string(c + 1) +
                                            " of " + std::to_string(channels));
            if (std::count(spec.channels.begin(), spec.channels.end(), c) > 1)
                throw std::invalid_argument("loudness: bus '" + spec.name + "' names channel " + std::to_string(c + 1) +
                                            " twice");
            auto& lane = lane_of[static_cast<std::size_t>(c)];
            if (lane < 0) {
                lane = static_cast<int>(m.lane_channel.size());
                m.lane_channel.push_back(c);
            }
            b.members.push_back(static_cast<std::size_t>(lane));
            b.weights.push_back(static_cast<double>(w[i]));
        }
        b.ring.assign(m.short_term_hops, 0.0);
        m.buses.push_back(std::move(b));
    }
    m.lanes = m.lane_channel.size();
    m.stride = round_up(std::max<std::size_t>(m.lanes, 1), kLoudnessLanePad);
    m.gathered.assign(max_block * m.stride, 0.0f);
    m.state.assign(7 * m.stride, 0.0);
    double* s = m.state.data();
    m.st = {s, s + m.stride, s + 2 * m.stride, s + 3 * m.stride, s + 4 * m.stride, s + 5 * m.stride, s + 6 * m.stride};
    m.readings.assign(m.buses.size(), BusReading{});
    // Steps ending in one call, plus the partial one of finish().
    m.ticks.assign(m.buses.size() * (max_block / (m.step_hops * m.hop) + 2), LoudnessTick{});
    m.publish();
}

LoudnessMeter::~LoudnessMeter() = default;

void LoudnessMeter::process(const float* interleaved, std::size_t frames) noexcept {
    Impl& m = *impl_;
    m.begin_call();
    for (std::size_t i = 0; i < m.buses.size(); ++i)
        if (m.reset_requested[i].exchange(false, std::memory_order_acq_rel)) {
            Impl::Bus& b = m.buses[i];
            b.gate->reset();
            b.measured_from = m.position;
            b.resets += 1;
            b.integrated = b.range = -1.0;
        }
    if (!m.buses.empty()) {
        frames = std::min(frames, m.max_block);  // contract violation: measure what fits (as MeterBank)
        m.gather(interleaved, frames);
        std::size_t f = 0;
        while (f < frames) {
            const std::size_t n = std::min(frames - f, m.hop - m.hop_filled);
            m.kernel->k_weight(m.gathered.data() + f * m.stride, n, m.stride, m.lanes, m.k, m.st);
            f += n;
            m.hop_filled += n;
            m.position += n;
            if (m.hop_filled == m.hop) m.hop_end();
        }
    } else {
        m.position += frames;
    }
    m.publish();
}

void LoudnessMeter::finish() noexcept {
    Impl& m = *impl_;
    m.begin_call();
    if (m.position > m.tick_start) {
        for (std::size_t i = 0; i < m.buses.size(); ++i) m.emit_tick(i, m.position, -1.0, -1.0);
        m.tick_start = m.position;
    }
    m.publish();
}

const BusReading* LoudnessMeter::readings() const noexcept { return impl_->readings.data(); }
const LoudnessTick* LoudnessMeter::ticks() const noexcept { return impl_->ticks.data(); }
std::size_t LoudnessMeter::tick_count() const noexcept { return impl_->tick_count; }

void LoudnessMeter::request_reset(int bus) noexcept {
    if (bus >= 0 && bus < bus_count()) impl_->reset_requested[static_cast<std::size_t>(bus)].store(true, std::memory_order_release);
}

int LoudnessMeter::bus_count() const noexcept { return static_cast<int>(impl_->buses.size()); }
std::size_t LoudnessMeter::hop_frames() const noexcept { return impl_->hop; }
std::uint64_t LoudnessMeter::frames_processed() const noexcept { return impl_->position; }
const char* LoudnessMeter::kernel_name() const noexcept { return impl_->kernel->name; }

} // namespace headroom
