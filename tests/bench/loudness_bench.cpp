// LoudnessMeter cost (engine/meter/loudness.hpp).
//  - BM_LoudnessCallback/<channels>/<frames>/<scalar>: one process() per buffer at 48 kHz with a
//    stereo bus (only its two channels are K-weighted), as a share of the buffer period:
//    cpu_mean_pct (the thread's CPU time per call), load_p99_pct and load_max_pct (99th
//    percentile and slowest wall time of a call: calls that end a 100 ms step update the gate;
//    the maximum also holds whatever the OS did to the thread on a shared machine).
//  - BM_LoudnessScan/<channels>/<scalar>: a bus of every channel in blocks of 4096 frames, as
//    analyze runs it; frames per second, and BM_Ebur128Scan the same stream through libebur128
//    (M, S, I, LRA) for scale.
//  - BM_GateAdd / BM_GateReset: one block and short-term value into a gate holding ten hours
//    of them; a reset (what a bus's reset key costs the audio thread).
//
//   ./build/tests/bench/loudness_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <ebur128.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include <time.h>

#include "engine/meter/loudness.hpp"

using namespace headroom;

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::vector<float> noise(std::size_t frames, int channels, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 0.1f);
    std::vector<float> x(frames * static_cast<std::size_t>(channels));
    for (float& v : x) v = n(rng);
    return x;
}

BusSpec bus(int first, int count) {
    BusSpec b;
    b.name = "bus";
    for (int c = 0; c < count; ++c) b.channels.push_back(first + c);
    return b;
}

void BM_LoudnessCallback(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    const auto frames = static_cast<std::size_t>(state.range(1));
    const bool scalar = state.range(2) != 0;
    constexpr double kRate = 48000.0;
    LoudnessMeter m(kRate, channels, {bus(0, 2)}, frames, scalar);
    const std::size_t total = static_cast<std::size_t>(kRate) / frames * frames;
    const auto audio = noise(total, channels, 1);
    // Three seconds first: every window and gate is live.
    for (std::size_t f = 0; f < 3 * total; f += frames) m.process(audio.data() + (f % total) * channels, frames);
    std::size_t pos = 0;
    std::vector<double> times;
    times.reserve(1u << 22);
    const double cpu0 = thread_cpu_seconds();
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        m.process(audio.data() + pos * static_cast<std::size_t>(channels), frames);
        if (times.size() < times.capacity())
            times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        benchmark::DoNotOptimize(m.readings());
        pos += frames;
        if (pos >= total) pos = 0;
    }
    const double cpu = thread_cpu_seconds() - cpu0;
    const double period = static_cast<double>(frames) / kRate;
    std::sort(times.begin(), times.end());
    state.counters["cpu_mean_pct"] = 100.0 * cpu / static_cast<double>(state.iterations()) / period;
    if (!times.empty()) {
        state.counters["load_p99_pct"] = 100.0 * times[times.size() * 99 / 100] / period;
        state.counters["load_max_pct"] = 100.0 * times.back() / period;
    }
    state.SetLabel(m.kernel_name());
}
BENCHMARK(BM_LoudnessCallback)->Args({256, 64, 0})->Args({256, 64, 1})->Args({64, 64, 0})->Args({256, 256, 0});

void BM_LoudnessScan(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    const bool scalar = state.range(1) != 0;
    constexpr std::size_t kBlock = 4096, kFrames = 48000 * 10;
    const auto audio = noise(kFrames, channels, 2);
    for (auto _ : state) {
        LoudnessMeter m(48000.0, channels, {bus(0, channels)}, kBlock, scalar);
        for (std::size_t f = 0; f < kFrames; f += kBlock)
            m.process(audio.data() + f * static_cast<std::size_t>(channels), std::min(kBlock, kFrames - f));
        m.finish();
        benchmark::DoNotOptimize(m.readings());
        state.SetLabel(m.kernel_name());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kFrames));
}
BENCHMARK(BM_LoudnessScan)->Args({16, 0})->Args({16, 1})->Args({2, 0})->Unit(benchmark::kMillisecond);

void BM_Ebur128Scan(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    constexpr std::size_t kBlock = 4096, kFrames = 48000 * 10;
    const auto audio = noise(kFrames, channels, 2);
    for (auto _ : state) {
        ebur128_state* st = ebur128_init(static_cast<unsigned>(channels), 48000,
                                         EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_LRA);
        for (std::size_t f = 0; f < kFrames; f += kBlock)
            ebur128_add_frames_float(st, audio.data() + f * static_cast<std::size_t>(channels),
                                     std::min(kBlock, kFrames - f));
        double v = 0;
        ebur128_loudness_global(st, &v);
        ebur128_loudness_range(st, &v);
        benchmark::DoNotOptimize(v);
        ebur128_destroy(&st);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kFrames));
}
BENCHMARK(BM_Ebur128Scan)->Arg(16)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_GateAdd(benchmark::State& state) {
    LoudnessGate g;
    std::mt19937 rng(4);
    std::normal_distribution<double> level(-20.0, 8.0);
    std::vector<double> e(4096);
    for (double& v : e) v = std::pow(10.0, (level(rng) + 0.691) / 10.0);
    for (std::size_t i = 0; i < 360000; ++i) g.add_block(e[i % e.size()]), g.add_short_term(e[(i * 3) % e.size()]);
    std::size_t i = 0;
    for (auto _ : state) {
        g.add_block(e[i % e.size()]);
        g.add_short_term(e[(i * 7) % e.size()]);
        benchmark::DoNotOptimize(g.integrated_ms());
        benchmark::DoNotOptimize(g.loudness_range_lu());
        ++i;
    }
}
BENCHMARK(BM_GateAdd);

void BM_GateReset(benchmark::State& state) {
    LoudnessGate g;
    for (auto _ : state) {
        g.add_block(0.01);
        g.reset();
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_GateReset);

} // namespace

BENCHMARK_MAIN();
