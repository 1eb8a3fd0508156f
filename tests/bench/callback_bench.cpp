// Callback cost: CaptureCore::step() — the whole path a PortAudio/JACK callback runs (meter
// every channel, publish the snapshot, push events, load bookkeeping) — at 8, 64 and 256
// channels and buffers of 64 and 256 frames at 48 kHz. Reported as a share of the buffer
// period (64 frames = 1.333 ms, 256 frames = 5.333 ms): load_mean_pct and load_max_pct
// (max over the run's callbacks, so it includes whatever the OS did to the thread: on a
// shared, loaded machine it measures preemption, not the code), and load_p99_pct, the 99th
// percentile of the per-callback times (the bench's own clock reads around the step), and
// cpu_mean_pct: the thread's CPU time per callback (CLOCK_THREAD_CPUTIME_ID), the code's
// own cost whatever else the machine is doing.
// Target: mean <= 5 % at 256 channels / 64 frames.
// BM_CallbackBandsBus: with bands on every channel and a stereo bus (issue 15, DESIGN.md §6);
// the same 5 % target.
// BM_CallbackTruePeakOff: the same rows with MeterOptions::true_peak = false, the option
// `--true-peak off` sets (docs/true_peak.md): what a large bridge saves without the interpolator.
//
//   ./build/tests/bench/callback_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/capture/capture_core.hpp"
#include "engine/capture/demo_studio.hpp"

using namespace headroom;

namespace {

std::int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// programme: bands on every channel and a stereo bus on channels 1-2 (issue 15: the window meters
// bands always; target <= 5 % at 256 channels / 64 frames with them).
void run_callback(benchmark::State& state, bool true_peak, bool programme = false) {
    const int channels = static_cast<int>(state.range(0));
    const auto frames = static_cast<std::size_t>(state.range(1));
    constexpr double kRate = 48000.0;

    MeterOptions o;
    o.sample_rate = kRate;
    o.channels = channels;
    o.max_block = frames;
    o.hot_ceiling_dbfs.assign(static_cast<std::size_t>(channels), -12.0f);  // hot events live
    o.true_peak = true_peak;
    if (programme) {
        o.bands = true;
        o.buses = {parse_bus("mix=1-2", channels).bus};
    }
    EventQueue events(1u << 16);
    MeterExchange snaps;
    CaptureCore core(o, events, snaps);

    // One second of the demo studio (music-like levels, clips, hot samples) played in a loop.
    DemoStudio demo(channels, kRate);
    const std::size_t total = static_cast<std::size_t>(kRate) / frames * frames;
    std::vector<float> audio(total * static_cast<std::size_t>(channels));
    demo.render(audio.data(), total);
    std::mt19937 rng(3);
    for (int i = 0; i < 20; ++i) audio[rng() % audio.size()] = 1.0f;  // a few clips as well

    std::size_t pos = 0;
    MeterEvent e;
    MeterSnapshot snap;
    std::uint64_t steps = 0;
    std::vector<std::int64_t> times;
    times.reserve(1u << 20);
    core.take_load();
    const std::int64_t cpu0 = thread_cpu_ns();
    for (auto _ : state) {
        const std::int64_t t0 = monotonic_ns();
        core.step(audio.data() + pos * static_cast<std::size_t>(channels), frames);
        if (times.size() < times.capacity()) times.push_back(monotonic_ns() - t0);
        pos += frames;
        if (pos >= total) pos = 0;
        ++steps;
        // The consumers, as the recorder and the window would be (cheap next to the step).
        while (events.try_pop(e)) benchmark::DoNotOptimize(e);
        if ((steps & 15) == 0) benchmark::DoNotOptimize(snaps.take(snap));
    }
    const std::int64_t cpu = thread_cpu_ns() - cpu0;
    const CallbackLoad load = core.take_load();
    const double period_us = static_cast<double>(frames) / kRate * 1e6;
    state.counters["period_us"] = period_us;
    state.counters["load_mean_pct"] = 100.0 * load.mean;
    state.counters["cpu_mean_pct"] =
        steps ? 100.0 * static_cast<double>(cpu) / static_cast<double>(steps) / (period_us * 1000.0) : 0.0;
    state.counters["load_max_pct"] = 100.0 * load.max;
    if (!times.empty()) {
        const auto k = times.begin() + static_cast<std::ptrdiff_t>(times.size() * 99 / 100);
        std::nth_element(times.begin(), k, times.end());
        state.counters["load_p99_pct"] = 100.0 * static_cast<double>(*k) / (period_us * 1000.0);
    }
    state.counters["us_per_callback"] = load.mean * period_us;
    state.counters["dropped_events"] = static_cast<double>(events.dropped());
    state.SetItemsProcessed(static_cast<std::int64_t>(steps * frames) * channels);  // samples
    state.SetLabel(core.bank().kernel_name());
}

void BM_Callback(benchmark::State& state) { run_callback(state, true); }
void BM_CallbackTruePeakOff(benchmark::State& state) { run_callback(state, false); }
void BM_CallbackBandsBus(benchmark::State& state) { run_callback(state, true, true); }

// The demo source's synthesis (on its pacing thread, before the same step): its cost as a
// share of the period, so `--demo --demo-channels N` is known to keep up in real time.
void BM_DemoRender(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    constexpr std::size_t kFrames = 256;
    constexpr double kRate = 48000.0;
    DemoStudio demo(channels, kRate);
    std::vector<float> block(kFrames * static_cast<std::size_t>(channels));
    const std::int64_t cpu0 = thread_cpu_ns();
    std::uint64_t steps = 0;
    for (auto _ : state) {
        demo.render(block.data(), kFrames);
        benchmark::DoNotOptimize(block.data());
        ++steps;
    }
    const double period_ns = static_cast<double>(kFrames) / kRate * 1e9;
    state.counters["cpu_mean_pct"] =
        steps ? 100.0 * static_cast<double>(thread_cpu_ns() - cpu0) / static_cast<double>(steps) / period_ns : 0.0;
}

} // namespace

BENCHMARK(BM_DemoRender)->ArgNames({"channels"})->Arg(8)->Arg(64)->Arg(256)->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_Callback)
    ->ArgNames({"channels", "frames"})
    ->Args({8, 64})->Args({8, 256})
    ->Args({64, 64})->Args({64, 256})
    ->Args({256, 64})->Args({256, 256})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CallbackTruePeakOff)
    ->ArgNames({"channels", "frames"})
    ->Args({8, 64})->Args({8, 256})
    ->Args({64, 64})->Args({64, 256})
    ->Args({256, 64})->Args({256, 256})
    ->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_CallbackBandsBus)
    ->ArgNames({"channels", "frames"})
    ->Args({8, 64})->Args({64, 64})->Args({256, 64})->Args({256, 256})
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
