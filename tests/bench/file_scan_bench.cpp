// Whole-process file scan (issue 2 §6, last bullet): the engine's analyze path
// (engine/analyze.hpp: SoundFile -> MeterBank -> events -> SessionSummary) against a
// libebur128 sample-peak + true-peak scan of the same file (read with libsndfile), and the
// plain libsndfile read of it (the floor both share). Target: analyze <= 0.2x libebur128.
// Issue 15: the same with a 16-channel bus and bands (BM_AnalyzeProgramme) against libebur128
// computing M, S, I, LRA and true peak (BM_Ebur128Loudness). Target: <= 0.2x.
//
// The file: 16 channels, 60 s, 48 kHz, float32 WAV (tones, noise and a few clips), written
// once to $TMPDIR (or /tmp) as headroom_file_scan_16ch_60s.wav and reused. The page cache is
// warm for every run after the first, so all three read the file from memory.
//   build/tests/bench/file_scan_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <ebur128.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include "engine/analyze/analyze.hpp"
#include "tests/support/float_wav.hpp"
#include "engine/meter/programme.hpp"
#include "engine/meter/true_peak.hpp"

namespace {

constexpr int kChannels = 16;
constexpr int kRate = 48000;
constexpr std::int64_t kFrames = 60LL * kRate;
constexpr std::size_t kBlock = 4096;

// kind 0, "typical": tones and noise peaking around -18 dBFS (inside the general preset's
// window), with a 50 ms hot passage (-9 dBFS) and 3 full-scale samples on every channel
// every 7.3 s. kind 1, "loud": the same at -8 dBFS, so nearly every sample is above the
// general preset's -12 dBFS ceiling (hot) and takes the MeterBank's per-sample event path.
std::filesystem::path bench_file(int kind) {
    const char* tmp = std::getenv("TMPDIR");
    const std::filesystem::path dir = tmp && *tmp ? tmp : "/tmp";
    const auto path = dir / (std::string("headroom_file_scan_16ch_60s_") + (kind == 0 ? "typical" : "loud") + ".wav");
    std::error_code ec;
    const auto want = static_cast<std::uintmax_t>(kFrames) * kChannels * 4;
    if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > want) return path;

    const double amp = kind == 0 ? 0.1 : 0.4;
    std::vector<float> samples(static_cast<std::size_t>(kFrames) * kChannels);
    std::uint32_t rng = 12345;
    for (std::int64_t frame = 0; frame < kFrames; ++frame) {
        const double t = static_cast<double>(frame) / kRate;
        for (int c = 0; c < kChannels; ++c) {
            rng = rng * 1664525u + 1013904223u;
            const double noise = (static_cast<double>(rng >> 8) / 16777216.0 - 0.5) * amp * 0.2;
            const double tone = amp * std::sin(2.0 * M_PI * (110.0 * (c + 1)) * t);
            double x = (c % 2 == 0 ? tone : 0.7 * tone) + noise;
            const std::int64_t phase = (frame + 1000 * c) % 350400;
            if (phase < 2400) x *= 3.5;   // hot passage
            if (phase < 3) x = 1.0;       // full scale
            samples[static_cast<std::size_t>(frame) * kChannels + static_cast<std::size_t>(c)] = static_cast<float>(x);
        }
    }
    headroom::test::write_float_wav(path, kRate, kChannels, samples);
    return path;
}

const std::filesystem::path& file(int kind = 0) {
    static const std::filesystem::path p[2] = {bench_file(0), bench_file(1)};
    return p[kind];
}

void set_counters(benchmark::State& state) {
    state.SetItemsProcessed(state.iterations() * kFrames * kChannels);  // samples
    state.counters["file_s"] = 60.0;
}

// The engine's analyze path, as `headroom analyze` runs it (JSON formatting included).
void BM_Analyze(benchmark::State& state) {
    (void)file();  // written before timing starts
    const auto block = static_cast<std::size_t>(state.range(0));
    const auto kind = static_cast<int>(state.range(1));
    const bool hot = state.range(2) != 0;
    const headroom::AnalyzeConfigure configure = [hot](const headroom::SoundFileInfo& info) {
        headroom::AnalyzeSetup s;
        s.presets.assign(static_cast<std::size_t>(info.channels), headroom::Preset{});
        s.options.hot_ceiling_dbfs.assign(static_cast<std::size_t>(info.channels), -12.0f);
        s.hot_events = hot;  // headroom analyze: false
        return s;
    };
    for (auto _ : state) {
        auto a = headroom::analyze_file(file(kind), block, configure);
        std::string text = headroom::analysis_json(a, false).dump(2);
        benchmark::DoNotOptimize(text);
        if (a.frames != static_cast<std::uint64_t>(kFrames)) state.SkipWithError("short read");
    }
    set_counters(state);
}
// Args: block frames, file kind (0 typical, 1 loud), hot events tracked (headroom analyze: 0).
BENCHMARK(BM_Analyze)
    ->ArgNames({"block", "loud", "hot"})
    ->Args({4096, 0, 0})->Args({1024, 0, 0})->Args({8192, 0, 0})->Args({4096, 1, 0})
    ->Args({4096, 0, 1})->Args({4096, 1, 1})
    ->Unit(benchmark::kMillisecond);

// Issue 15: `headroom analyze --json --bus all=1-16` as it runs: the 16 channels as one bus
// (loudness M, S, I, LRA), bands on every channel (analyze always meters them), and every
// channel's meters. Target: <= 0.2x BM_Ebur128Loudness.
void BM_AnalyzeProgramme(benchmark::State& state) {
    (void)file();  // written before timing starts
    const headroom::AnalyzeConfigure configure = [](const headroom::SoundFileInfo& info) {
        headroom::AnalyzeSetup s;
        s.presets.assign(static_cast<std::size_t>(info.channels), headroom::Preset{});
        s.options.bands = true;
        s.options.buses = {headroom::parse_bus("all=1-16", info.channels).bus};
        s.bus_presets.assign(1, headroom::Preset{});
        return s;
    };
    for (auto _ : state) {
        auto a = headroom::analyze_file(file(), kBlock, configure);
        std::string text = headroom::analysis_json(a, false).dump(2);
        benchmark::DoNotOptimize(text);
        if (a.frames != static_cast<std::uint64_t>(kFrames)) state.SkipWithError("short read");
    }
    set_counters(state);
}
BENCHMARK(BM_AnalyzeProgramme)->Unit(benchmark::kMillisecond);

// libebur128 computing what BM_AnalyzeProgramme reports of loudness: momentary and short-term
// maxima (queried every `step_ms`: 10 is DESIGN.md §6's step; libebur128 sums the whole window
// at each query, so this dominates), integrated, LRA and every channel's true peak, the 16
// channels weighted 1.0 each (its default map leaves channels beyond 5 out). step_ms 0: no
// momentary/short-term queries at all (integrated, LRA and true peak only: libebur128's floor).
void BM_Ebur128Loudness(benchmark::State& state) {
    (void)file();  // written before timing starts
    const auto step_ms = static_cast<std::size_t>(state.range(0));
    const std::size_t kStep = step_ms > 0 ? kRate / 1000 * step_ms : kBlock;
    std::vector<float> buf(kBlock * kChannels);
    for (auto _ : state) {
        SF_INFO info{};
        SNDFILE* f = sf_open(file().c_str(), SFM_READ, &info);
        ebur128_state* st = ebur128_init(static_cast<unsigned>(info.channels), static_cast<unsigned long>(info.samplerate),
                                         EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_LRA |
                                             EBUR128_MODE_TRUE_PEAK);
        for (unsigned c = 0; c < static_cast<unsigned>(info.channels); ++c) ebur128_set_channel(st, c, EBUR128_LEFT);
        double m_max = -HUGE_VAL, s_max = -HUGE_VAL;
        std::size_t in_step = 0;
        sf_count_t n;
        while ((n = sf_readf_float(f, buf.data(), static_cast<sf_count_t>(kBlock))) > 0) {
            for (std::size_t off = 0; off < static_cast<std::size_t>(n);) {
                const std::size_t take = std::min(kStep - in_step, static_cast<std::size_t>(n) - off);
                ebur128_add_frames_float(st, buf.data() + off * kChannels, take);
                off += take;
                in_step += take;
                if (in_step == kStep) in_step = 0;
                if (in_step == 0 && step_ms > 0) {
                    double m = 0.0, sh = 0.0;
                    if (ebur128_loudness_momentary(st, &m) == EBUR128_SUCCESS) m_max = std::max(m_max, m);
                    if (ebur128_loudness_shortterm(st, &sh) == EBUR128_SUCCESS) s_max = std::max(s_max, sh);
                }
            }
        }
        double i = 0.0, lra = 0.0, peak = 0.0;
        ebur128_loudness_global(st, &i);
        ebur128_loudness_range(st, &lra);
        for (unsigned c = 0; c < static_cast<unsigned>(info.channels); ++c) {
            double tp = 0.0;
            ebur128_true_peak(st, c, &tp);
            peak = std::max(peak, tp);
        }
        benchmark::DoNotOptimize(m_max + s_max + i + lra + peak);
        ebur128_destroy(&st);
        sf_close(f);
    }
    set_counters(state);
}
BENCHMARK(BM_Ebur128Loudness)->ArgName("step_ms")->Arg(10)->Arg(100)->Arg(0)->Iterations(1)->Unit(benchmark::kMillisecond);

// Designing the true-peak interpolator (once per process and rate in analyze; included in
// the whole-process timing of analyze_vs_sox.sh, not in BM_Analyze after its first run).
void BM_InterpolatorDesign(benchmark::State& state) {
    for (auto _ : state) {
        auto d = headroom::design_true_peak_interpolator(static_cast<double>(state.range(0)));
        benchmark::DoNotOptimize(d.coeffs.data());
    }
}
BENCHMARK(BM_InterpolatorDesign)->Arg(44100)->Arg(48000)->Arg(96000)->Unit(benchmark::kMillisecond);

// libebur128: sample peak + true peak of every channel, the file read with libsndfile.
void BM_Ebur128Scan(benchmark::State& state) {
    (void)file();  // written before timing starts
    std::vector<float> buf(kBlock * kChannels);
    for (auto _ : state) {
        SF_INFO info{};
        SNDFILE* f = sf_open(file().c_str(), SFM_READ, &info);
        ebur128_state* st = ebur128_init(static_cast<unsigned>(info.channels), static_cast<unsigned long>(info.samplerate),
                                         EBUR128_MODE_SAMPLE_PEAK | EBUR128_MODE_TRUE_PEAK);
        sf_count_t n;
        while ((n = sf_readf_float(f, buf.data(), static_cast<sf_count_t>(kBlock))) > 0)
            ebur128_add_frames_float(st, buf.data(), static_cast<std::size_t>(n));
        double peak = 0.0;
        for (unsigned c = 0; c < static_cast<unsigned>(info.channels); ++c) {
            double sp = 0.0, tp = 0.0;
            ebur128_sample_peak(st, c, &sp);
            ebur128_true_peak(st, c, &tp);
            peak = std::max({peak, sp, tp});
        }
        benchmark::DoNotOptimize(peak);
        ebur128_destroy(&st);
        sf_close(f);
    }
    set_counters(state);
}
BENCHMARK(BM_Ebur128Scan)->Unit(benchmark::kMillisecond);

// The floor: libsndfile reading the file as float, nothing else.
void BM_ReadOnly(benchmark::State& state) {
    (void)file();  // written before timing starts
    std::vector<float> buf(kBlock * kChannels);
    for (auto _ : state) {
        SF_INFO info{};
        SNDFILE* f = sf_open(file().c_str(), SFM_READ, &info);
        float acc = 0.0f;
        while (sf_readf_float(f, buf.data(), static_cast<sf_count_t>(kBlock)) > 0) acc += buf[0];
        benchmark::DoNotOptimize(acc);
        sf_close(f);
    }
    set_counters(state);
}
BENCHMARK(BM_ReadOnly)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
