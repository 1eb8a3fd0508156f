// MeterBank throughput, samples per second on one core, blocks of 256 frames at 48 kHz,
// 2 / 8 / 64 / 256 channels (issue 2, §6). In one run:
//   floor          the plain vectorised read of the same buffer: max |x| with Highway,
//                  dynamic dispatch (the best instruction set here, as the MeterBank uses)
//   peak_rms_clips MeterBank::process with MeterOptions::true_peak = false: sample peak,
//                  RMS windows, clip/hot/non-finite tracking, envelope (no delay: D = 0)
//   kernels_only   the SIMD scan kernel peak_rms_clips runs, in place, one call per block, timed
//                  directly, without the bank's bookkeeping (segments, hop and tick ends, events)
//   full_chain     MeterBank::process, everything including the x4 true-peak interpolator
//   scalar_chain   the same with force_scalar (the scalar reference kernels)
//   loud_peak_rms_clips, loud_full_chain
//                  peak_rms_clips and full_chain on loud material: every sample above the
//                  -12 dBFS hot ceiling (|x| in 0.3 .. 0.9), so every sample is a hot sample
//   ebur128_tp     libebur128 1.2.6, EBUR128_MODE_TRUE_PEAK, ebur128_add_frames_float on the
//                  same blocks (its true peak as shipped: it also runs its K-weighting filter)
// Every benchmark reports items_per_second = samples (frames x channels) per second. At the
// end a Markdown table prints Msamples/s and the ratios (to the floor, to libebur128).
//
//   cmake -S . -B build -G Ninja -DHEADROOM_BUILD_BENCH=ON && cmake --build build --target meter_bank_bench
//   ./build/tests/bench/meter_bank_bench --benchmark_repetitions=5   (the table: medians of 5)
#include <cstddef>
#include <cstdint>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "tests/bench/meter_bank_bench.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace bench_floor {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// max |x| over n floats, four independent accumulators.
float MaxAbs(const float* x, std::size_t n) {
    const hn::ScalableTag<float> d;
    const std::size_t L = hn::Lanes(d);
    auto m0 = hn::Zero(d), m1 = hn::Zero(d), m2 = hn::Zero(d), m3 = hn::Zero(d);
    std::size_t i = 0;
    for (; i + 4 * L <= n; i += 4 * L) {
        m0 = hn::Max(m0, hn::Abs(hn::LoadU(d, x + i)));
        m1 = hn::Max(m1, hn::Abs(hn::LoadU(d, x + i + L)));
        m2 = hn::Max(m2, hn::Abs(hn::LoadU(d, x + i + 2 * L)));
        m3 = hn::Max(m3, hn::Abs(hn::LoadU(d, x + i + 3 * L)));
    }
    for (; i + L <= n; i += L) m0 = hn::Max(m0, hn::Abs(hn::LoadU(d, x + i)));
    float m = hn::GetLane(hn::MaxOfLanes(d, hn::Max(hn::Max(m0, m1), hn::Max(m2, m3))));
    for (; i < n; ++i) m = x[i] > m ? x[i] : (-x[i] > m ? -x[i] : m);
    return m;
}

// The scan's arithmetic and nothing else, a lower bound for any meter of peak and RMS: per
// vector one fused multiply-add into one of 8 sums of squares, and max |x| into one of 2
// maxima, over the whole block in memory order; the sums stored at the end. No channel is
// told apart beyond what the lanes give, no hop or call bookkeeping.
float IdealScan(const float* x, std::size_t n, float* sums) {
    const hn::ScalableTag<float> d;
    const std::size_t L = hn::Lanes(d);
    auto a0 = hn::Zero(d), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    auto m0 = hn::Zero(d), m1 = m0;
    std::size_t i = 0;
    for (; i + 8 * L <= n; i += 8 * L) {
        const auto v0 = hn::LoadU(d, x + i), v1 = hn::LoadU(d, x + i + L), v2 = hn::LoadU(d, x + i + 2 * L),
                   v3 = hn::LoadU(d, x + i + 3 * L), v4 = hn::LoadU(d, x + i + 4 * L), v5 = hn::LoadU(d, x + i + 5 * L),
                   v6 = hn::LoadU(d, x + i + 6 * L), v7 = hn::LoadU(d, x + i + 7 * L);
        a0 = hn::MulAdd(v0, v0, a0);
        a1 = hn::MulAdd(v1, v1, a1);
        a2 = hn::MulAdd(v2, v2, a2);
        a3 = hn::MulAdd(v3, v3, a3);
        a4 = hn::MulAdd(v4, v4, a4);
        a5 = hn::MulAdd(v5, v5, a5);
        a6 = hn::MulAdd(v6, v6, a6);
        a7 = hn::MulAdd(v7, v7, a7);
        m0 = hn::Max(m0, hn::Max(hn::Max(hn::Abs(v0), hn::Abs(v2)), hn::Max(hn::Abs(v4), hn::Abs(v6))));
        m1 = hn::Max(m1, hn::Max(hn::Max(hn::Abs(v1), hn::Abs(v3)), hn::Max(hn::Abs(v5), hn::Abs(v7))));
    }
    for (; i + L <= n; i += L) {
        const auto v = hn::LoadU(d, x + i);
        a0 = hn::MulAdd(v, v, a0);
        m0 = hn::Max(m0, hn::Abs(v));
    }
    hn::StoreU(a0, d, sums);
    hn::StoreU(a1, d, sums + L);
    hn::StoreU(a2, d, sums + 2 * L);
    hn::StoreU(a3, d, sums + 3 * L);
    hn::StoreU(a4, d, sums + 4 * L);
    hn::StoreU(a5, d, sums + 5 * L);
    hn::StoreU(a6, d, sums + 6 * L);
    hn::StoreU(a7, d, sums + 7 * L);
    return hn::GetLane(hn::MaxOfLanes(d, hn::Max(m0, m1)));
}

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

} // namespace HWY_NAMESPACE
} // namespace bench_floor
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <benchmark/benchmark.h>
#include <ebur128.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/meter/meter_bank.hpp"
#include "engine/meter/meter_kernels.hpp"

namespace bench_floor {
HWY_EXPORT(MaxAbs);
HWY_EXPORT(IdealScan);
HWY_EXPORT(TargetName);
} // namespace bench_floor

namespace {

using headroom::EventQueue;
using headroom::MeterBank;
using headroom::MeterEvent;
using headroom::MeterOptions;

constexpr std::size_t kBlock = 256;
constexpr std::size_t kBlocks = 8;  // the buffer cycled through: 8 blocks (2048 frames)
constexpr int kChannelCounts[] = {2, 8, 64, 256};

// Noise at about -12 dBFS peak with a rare full-scale sample, interleaved.
const std::vector<float>& buffer(int channels) {
    static std::map<int, std::vector<float>> cache;
    auto& x = cache[channels];
    if (x.empty()) {
        std::mt19937 rng(static_cast<unsigned>(channels));
        std::uniform_real_distribution<float> u(-0.25f, 0.25f);
        x.resize(kBlock * kBlocks * static_cast<std::size_t>(channels));
        for (auto& v : x) v = u(rng);
        for (std::size_t i = 997; i < x.size(); i += 100003) x[i] = 1.0f;
    }
    return x;
}

// Loud material: every sample hot (|x| in 0.3 .. 0.9 against a -12 dBFS ceiling, 0.251), none
// full scale; one long hot event per channel.
const std::vector<float>& loud_buffer(int channels) {
    static std::map<int, std::vector<float>> cache;
    auto& x = cache[channels];
    if (x.empty()) {
        std::mt19937 rng(static_cast<unsigned>(channels) + 1000u);
        std::uniform_real_distribution<float> u(0.3f, 0.9f);
        std::bernoulli_distribution neg(0.5);
        x.resize(kBlock * kBlocks * static_cast<std::size_t>(channels));
        for (auto& v : x) v = neg(rng) ? -u(rng) : u(rng);
    }
    return x;
}

void set_items(benchmark::State& state, int channels) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kBlock) *
                            channels);
}

// A MeterBank and its event queue as the benchmarks call it: one block per call, the events
// drained after it (the recorder's side, kept small).
struct BankRig {
    EventQueue q{1u << 14};
    MeterBank bank;
    MeterEvent e;
    static MeterOptions options(int channels, bool true_peak, bool scalar) {
        MeterOptions o;
        o.channels = channels;
        o.max_block = kBlock;
        o.true_peak = true_peak;
        o.force_scalar = scalar;
        o.hot_ceiling_dbfs.assign(static_cast<std::size_t>(channels), -12.0f);
        return o;
    }
    BankRig(int channels, bool true_peak, bool scalar) : bank(options(channels, true_peak, scalar), &q) {}
    void call(const float* block) {
        bank.process(block, kBlock);
        benchmark::DoNotOptimize(bank.block_readings());
        while (q.try_pop(e)) benchmark::DoNotOptimize(e);
    }
};

// The SIMD scan kernel alone, in place, one call per block: what MeterBank::process runs with
// true peak off, minus its bookkeeping. What the scan found is only collected.
struct ScanRig {
    int channels;
    const headroom::KernelTable& k = headroom::simd_kernels();
    std::vector<float> thr, sp, tp, slots;
    unsigned found = 0;
    std::uint64_t first = 0;
    explicit ScanRig(int ch)
        : channels(ch),
          thr(static_cast<std::size_t>(ch) + headroom::kKernelPad, 0.8f),
          sp(static_cast<std::size_t>(ch) + headroom::kKernelPad),
          tp(static_cast<std::size_t>(ch) + headroom::kKernelPad),
          slots(headroom::sq_slot_count(ch) * static_cast<std::size_t>(ch) + headroom::kKernelPad) {}
    void call(const float* block) {
        found |= k.scan(block, nullptr, kBlock, channels, first, thr.data(), sp.data(), tp.data(), slots.data());
        benchmark::DoNotOptimize(sp.data());
        first += kBlock;
    }
};

void run_bank(benchmark::State& state, bool true_peak, bool scalar, bool loud = false) {
    const int channels = static_cast<int>(state.range(0));
    const auto& x = loud ? loud_buffer(channels) : buffer(channels);
    BankRig rig(channels, true_peak, scalar);
    std::size_t b = 0;
    for (auto _ : state) {
        rig.call(x.data() + b * kBlock * static_cast<std::size_t>(channels));
        b = (b + 1) % kBlocks;
    }
    set_items(state, channels);
    state.SetLabel(rig.bank.kernel_name());
}

void floor_read(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    const auto& x = buffer(channels);
    const std::size_t n = kBlock * static_cast<std::size_t>(channels);
    std::size_t b = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(HWY_DYNAMIC_DISPATCH(bench_floor::MaxAbs)(x.data() + b * n, n));
        b = (b + 1) % kBlocks;
    }
    set_items(state, channels);
    state.SetLabel(HWY_DYNAMIC_DISPATCH(bench_floor::TargetName)());
}

void peak_rms_clips(benchmark::State& state) { run_bank(state, false, false); }

// Against the floor, paired: rounds of a batch of floor reads and a batch of `work` calls on
// the same blocks, one right after the other (the order swapped every round), each batch timed
// on the steady clock. Benchmarks run one after the other are seconds apart, and on this VM
// the machine's speed drifts by a third in that time; within a round both halves see the same
// machine. Counters: per-call times and this / floor, medians over the rounds.
template <class Work>
void paired_with_floor(benchmark::State& state, Work&& work) {
    using Clock = std::chrono::steady_clock;
    const int channels = static_cast<int>(state.range(0));
    const auto& x = buffer(channels);
    const std::size_t n = kBlock * static_cast<std::size_t>(channels);
    // a batch holds about 2^20 samples (30 - 100 us of floor reads), whole passes over the blocks
    const std::size_t calls = std::max<std::size_t>(kBlocks, (std::size_t{1} << 20) / n / kBlocks * kBlocks);
    auto floor_batch = [&] {
        const auto t0 = Clock::now();
        for (std::size_t i = 0; i < calls; ++i)
            benchmark::DoNotOptimize(HWY_DYNAMIC_DISPATCH(bench_floor::MaxAbs)(x.data() + (i % kBlocks) * n, n));
        return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    };
    auto work_batch = [&] {
        const auto t0 = Clock::now();
        for (std::size_t i = 0; i < calls; ++i) work(x.data() + (i % kBlocks) * n);
        return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    };
    std::vector<double> tf, tw, ratio;
    bool floor_first = true;
    for (auto _ : state) {
        double f = 0.0, w = 0.0;
        if (floor_first) {
            f = floor_batch();
            w = work_batch();
        } else {
            w = work_batch();
            f = floor_batch();
        }
        floor_first = !floor_first;
        tf.push_back(f / static_cast<double>(calls));
        tw.push_back(w / static_cast<double>(calls));
        ratio.push_back(w / f);
    }
    auto median = [](std::vector<double>& v) {
        if (v.empty()) return 0.0;
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    state.counters["floor_ns"] = median(tf);
    state.counters["this_ns"] = median(tw);
    state.counters["ratio"] = median(ratio);
    state.counters["rounds"] = static_cast<double>(ratio.size());
}

// (a) paired with the floor: MeterBank::process, true peak off, as peak_rms_clips.
void paired_peak_rms_clips(benchmark::State& state) {
    BankRig rig(static_cast<int>(state.range(0)), false, false);
    paired_with_floor(state, [&](const float* block) { rig.call(block); });
    state.SetLabel(rig.bank.kernel_name());
}

// The same work as peak_rms_clips minus the bank's bookkeeping (segments, hop and tick ends,
// event trackers, the history of D frames): its scan kernel on each block in place.
void kernels_only(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    const auto& x = buffer(channels);
    ScanRig rig(channels);
    std::size_t b = 0;
    for (auto _ : state) {
        rig.call(x.data() + b * kBlock * static_cast<std::size_t>(channels));
        b = (b + 1) % kBlocks;
    }
    benchmark::DoNotOptimize(rig.found);
    set_items(state, channels);
    state.SetLabel(rig.k.name);
}

// (a') paired with the floor: the scan kernel alone, as kernels_only.
void paired_kernels_only(benchmark::State& state) {
    ScanRig rig(static_cast<int>(state.range(0)));
    paired_with_floor(state, [&](const float* block) { rig.call(block); });
    benchmark::DoNotOptimize(rig.found);
    state.SetLabel(rig.k.name);
}

// (h) paired with the floor: IdealScan, the scan's arithmetic with no bookkeeping (the least
// any meter of peak and RMS costs on this machine).
void paired_ideal_scan(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    std::vector<float> sums(8 * 64);
    paired_with_floor(state, [&](const float* block) {
        benchmark::DoNotOptimize(HWY_DYNAMIC_DISPATCH(bench_floor::IdealScan)(
            block, kBlock * static_cast<std::size_t>(channels), sums.data()));
        benchmark::DoNotOptimize(sums.data());
    });
    state.SetLabel(HWY_DYNAMIC_DISPATCH(bench_floor::TargetName)());
}
void full_chain(benchmark::State& state) { run_bank(state, true, false); }
void scalar_chain(benchmark::State& state) { run_bank(state, true, true); }
void loud_peak_rms_clips(benchmark::State& state) { run_bank(state, false, false, true); }
void loud_full_chain(benchmark::State& state) { run_bank(state, true, false, true); }

// libebur128 takes at most 64 channels per state: more channels run as states of 64 over
// the same data split beforehand into interleaved 64-channel blocks (the split not timed).
void ebur128_tp(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    const auto& x = buffer(channels);
    const int per = std::min(channels, 64);
    const auto nstates = static_cast<std::size_t>((channels + per - 1) / per);
    std::vector<ebur128_state*> st(nstates, nullptr);
    std::vector<std::vector<float>> part(nstates);
    const auto nc = static_cast<std::size_t>(channels);
    for (std::size_t s = 0; s < nstates; ++s) {
        st[s] = ebur128_init(static_cast<unsigned>(per), 48000, EBUR128_MODE_TRUE_PEAK);
        if (st[s] == nullptr) {
            state.SkipWithError("ebur128_init failed");
            return;
        }
        for (std::size_t f = 0; f < kBlock * kBlocks; ++f)
            for (std::size_t c = 0; c < static_cast<std::size_t>(per); ++c)
                part[s].push_back(x[f * nc + s * static_cast<std::size_t>(per) + c]);
    }
    const std::size_t stride = kBlock * static_cast<std::size_t>(per);
    std::size_t b = 0;
    for (auto _ : state) {
        for (std::size_t s = 0; s < nstates; ++s) ebur128_add_frames_float(st[s], part[s].data() + b * stride, kBlock);
        b = (b + 1) % kBlocks;
    }
    double tp = 0.0;
    ebur128_true_peak(st[0], 0, &tp);
    benchmark::DoNotOptimize(tp);
    for (auto* p : st) ebur128_destroy(&p);
    set_items(state, channels);
    state.SetLabel(nstates > 1 ? "libebur128, states of 64 ch" : "libebur128");
}

void channel_args(benchmark::internal::Benchmark* b) {
    for (int c : kChannelCounts) b->Arg(c);
}

BENCHMARK(floor_read)->Apply(channel_args);
BENCHMARK(peak_rms_clips)->Apply(channel_args);
BENCHMARK(paired_peak_rms_clips)->Apply(channel_args);
BENCHMARK(paired_kernels_only)->Apply(channel_args);
BENCHMARK(paired_ideal_scan)->Apply(channel_args);
BENCHMARK(kernels_only)->Apply(channel_args);
BENCHMARK(full_chain)->Apply(channel_args);
BENCHMARK(scalar_chain)->Apply(channel_args);
BENCHMARK(loud_peak_rms_clips)->Apply(channel_args);
BENCHMARK(loud_full_chain)->Apply(channel_args);
BENCHMARK(ebur128_tp)->Apply(channel_args);

// Console output as usual, and every run's samples/s kept for the summary table: with
// --benchmark_repetitions=N the median of the N runs (this VM's run-to-run spread is +-15 %),
// else the one run. A benchmark's aggregates are reported after its runs, so the median,
// when there is one, is the value that stays.
class TableReporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> rate;  // "name/channels" -> samples/s
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) {
            const auto it = r.counters.find("items_per_second");
            const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
            if (!median && r.run_type != Run::RT_Iteration) continue;
            if (it != r.counters.end()) rate[r.run_name.str()] = it->second.value;  // run_name: without the aggregate's suffix
            for (const char* k : {"ratio", "this_ns"}) {  // the paired benchmarks' counters
                const auto c = r.counters.find(k);
                if (c != r.counters.end()) rate[r.run_name.str() + ":" + k] = c->second.value;
            }
        }
    }
};

void print_table(const TableReporter& rep) {
    auto get = [&](const char* name, int c) {
        const auto it = rep.rate.find(std::string(name) + "/" + std::to_string(c));
        return it == rep.rate.end() ? 0.0 : it->second;
    };
    std::printf("\n| measure (block 256, 48 kHz, Msamples/s per core) |");
    for (int c : kChannelCounts) std::printf(" %d ch |", c);
    std::printf("\n|---|");
    for (std::size_t i = 0; i < std::size(kChannelCounts); ++i) std::printf("---:|");
    struct Row {
        const char* name;
        const char* label;
        const char* ratio_to;  // nullptr: none
        bool inverse;          // ratio = other / this (e.g. floor / this) instead of this / other
    };
    const Row rows[] = {
        {"floor_read", "(c) floor: plain vectorised read (max abs)", nullptr, false},
        {"peak_rms_clips", "(a) peak + RMS + clips (MeterBank, true peak off); floor / this", "floor_read", true},
        {"kernels_only", "(a') its scan kernel alone, in place; floor / this", "floor_read", true},
        {"full_chain", "(b) full chain with true peak; this / libebur128", "ebur128_tp", false},
        {"scalar_chain", "(d) scalar reference, full chain; this / libebur128", "ebur128_tp", false},
        {"ebur128_tp", "(e) libebur128 true peak", nullptr, false},
        {"loud_peak_rms_clips", "(f) (a) on loud material, every sample hot; (a) / this", "peak_rms_clips", true},
        {"loud_full_chain", "(g) (b) on loud material, every sample hot; (b) / this", "full_chain", true},
    };
    auto paired_row = [&](const char* name, const char* label) {
        std::printf("\n| %s |", label);
        for (int c : kChannelCounts) {
            const std::string key = std::string(name) + "/" + std::to_string(c);
            const auto ns = rep.rate.find(key + ":this_ns");
            const auto ratio = rep.rate.find(key + ":ratio");
            if (ns == rep.rate.end() || ratio == rep.rate.end() || ns->second <= 0.0)
                std::printf(" – |");
            else
                std::printf(" %.0f (%.2f×) |", static_cast<double>(kBlock) * c / ns->second * 1e3, ratio->second);
        }
    };
    paired_row("paired_peak_rms_clips", "(a) paired with the floor, round by round: this / floor (median of the rounds)");
    paired_row("paired_kernels_only", "(a') its scan kernel alone, paired the same way: this / floor");
    paired_row("paired_ideal_scan", "(h) the scan's arithmetic alone, no bookkeeping (lower bound), paired: this / floor");
    for (const Row& r : rows) {
        std::printf("\n| %s |", r.label);
        for (int c : kChannelCounts) {
            const double v = get(r.name, c);
            if (r.ratio_to == nullptr) {
                std::printf(" %.0f |", v / 1e6);
            } else {
                const double o = get(r.ratio_to, c);
                const double ratio = r.inverse ? (v > 0 ? o / v : 0.0) : (o > 0 ? v / o : 0.0);
                std::printf(" %.0f (%.2f×) |", v / 1e6, ratio);
            }
        }
    }
    std::printf("\n");
}

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    std::printf("meter_bank_bench: Highway target %s\n", HWY_DYNAMIC_DISPATCH(bench_floor::TargetName)());
    TableReporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    print_table(rep);
    benchmark::Shutdown();
    return 0;
}
#endif  // HWY_ONCE
