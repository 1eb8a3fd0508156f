// LoudnessMeter: K-weighting against BS.1770's 48 kHz table; EBU Tech 3341 (cases 1-6 and 9)
// and Tech 3342 (cases 1-4) synthesised at 44.1, 48 and 96 kHz; the same bits for any block
// partition and either kernel; ticks and readings; reset; no allocation in process().
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <hwy/targets.h>

#include "engine/meter/loudness.hpp"
#include "engine/meter/loudness_kernels.hpp"
#include "tests/engine/meter/loudness_harness.hpp"
#include "tests/support/alloc_guard.hpp"

using namespace headroom;
using namespace headroom::test;

namespace {

constexpr double kRates[] = {44100.0, 48000.0, 96000.0};

std::vector<Segment> stereo(std::initializer_list<std::pair<double, double>> parts) {
    std::vector<Segment> s;
    for (auto [seconds, db] : parts) s.push_back({seconds, {db, db}});
    return s;
}

// Largest |value - expected| over the ticks' short-term values from `from_frame` on.
double short_term_deviation(const LoudnessRun& r, std::uint64_t from_frame, double expected) {
    double worst = 0.0;
    for (const LoudnessTick& t : r.ticks)
        if (t.end_frame >= from_frame && t.short_term_ms >= 0.0)
            worst = std::max({worst, std::fabs(lufs(t.short_term_ms) - expected),
                              std::fabs(lufs(t.short_term_max_ms) - expected)});
    return worst;
}

} // namespace

TEST_CASE("LoudnessMeter: K-weighting designed for the rate") {
    SUBCASE("48 kHz reproduces BS.1770's table") {
        const KWeighting k = design_k_weighting(48000.0);
        CHECK(std::fabs(k.shelf_b0 - 1.53512485958697) < 1e-8);
        CHECK(std::fabs(k.shelf_b1 - -2.69169618940638) < 1e-8);
        CHECK(std::fabs(k.shelf_b2 - 1.19839281085285) < 1e-8);
        CHECK(std::fabs(k.shelf_a1 - -1.69065929318241) < 1e-8);
        CHECK(std::fabs(k.shelf_a2 - 0.73248077421585) < 1e-8);
        CHECK(std::fabs(k.highpass_a1 - -1.99004745483398) < 1e-8);
        CHECK(std::fabs(k.highpass_a2 - 0.99007225036621) < 1e-8);
    }
    SUBCASE("every rate: +0.691 dB at 1 kHz (so a 1 kHz sine at -x dBFS on both channels reads -x LUFS)") {
        for (double rate : {44100.0, 48000.0, 88200.0, 96000.0, 176400.0, 192000.0}) {
            CAPTURE(rate);
            const auto x = tone_segments(rate, stereo({{5.0, -23.0}}));
            const LoudnessRun r = run_loudness(rate, 2, {bus_of(0, 2)}, x, 4096);
            MESSAGE(rate << ": " << lufs(r.folded[0].integrated_ms));
            CHECK(std::fabs(lufs(r.folded[0].integrated_ms) - -23.0) < 0.05);
        }
    }
}

TEST_CASE("LoudnessMeter: EBU Tech 3341 cases 1-6 and 9") {
    for (double rate : kRates) {
        CAPTURE(rate);
        struct Case {
            int number;
            std::vector<Segment> segs;
            double integrated;
            bool steady;  // M and S checked at the end too
        };
        std::vector<Case> cases{
            {1, stereo({{20.0, -23.0}}), -23.0, true},
            {2, stereo({{20.0, -33.0}}), -33.0, true},
            {3, stereo({{10.0, -36.0}, {60.0, -23.0}, {10.0, -36.0}}), -23.0, false},
            {4, stereo({{10.0, -72.0}, {10.0, -36.0}, {60.0, -23.0}, {10.0, -36.0}, {10.0, -72.0}}), -23.0, false},
            {5, stereo({{20.0, -26.0}, {20.1, -20.0}, {20.0, -26.0}}), -23.0, false},
        };
        for (const Case& c : cases) {
            CAPTURE(c.number);
            const auto x = tone_segments(rate, c.segs);
            const LoudnessRun r = run_loudness(rate, 2, {bus_of(0, 2)}, x, 1024);
            CHECK(std::fabs(lufs(r.folded[0].integrated_ms) - c.integrated) <= 0.1);
            if (c.steady) {
                CHECK(std::fabs(lufs(r.folded[0].momentary_ms) - c.integrated) <= 0.1);
                CHECK(std::fabs(lufs(r.folded[0].short_term_ms) - c.integrated) <= 0.1);
                CHECK(std::fabs(lufs(r.folded[0].momentary_max_ms) - c.integrated) <= 0.1);
            }
        }
        SUBCASE("case 6: 5.0 (a 5.1 bus, LFE silent): L R -28, C -24, Ls Rs -30 dBFS -> -23 LUFS") {
            const auto x = tone_segments(rate, {{20.0, {-28.0, -28.0, -24.0, -300.0, -30.0, -30.0}}});
            const LoudnessRun r = run_loudness(rate, 6, {bus_of(0, 6)}, x, 1024);
            CHECK(std::fabs(lufs(r.folded[0].integrated_ms) - -23.0) <= 0.1);
            CHECK(std::fabs(lufs(r.folded[0].short_term_ms) - -23.0) <= 0.1);
        }
        SUBCASE("case 9: 1.34 s at -20 and 1.66 s at -30 dBFS, 20 times: S stays -23 +-0.1 after 3 s") {
            std::vector<Segment> segs;
            for (int i = 0; i < 20; ++i) {
                segs.push_back({1.34, {-20.0, -20.0}});
                segs.push_back({1.66, {-30.0, -30.0}});
            }
            const auto x = tone_segments(rate, segs);
            const LoudnessRun r = run_loudness(rate, 2, {bus_of(0, 2)}, x, 512);
            std::size_t values = 0;
            for (const LoudnessTick& t : r.ticks) values += t.short_term_ms >= 0.0;
            CHECK(values == 571);  // every 100 ms from 3.0 s to 60.0 s
            CHECK(short_term_deviation(r, 0, -23.0) <= 0.1);
        }
    }
}

TEST_CASE("LoudnessMeter: EBU Tech 3342 cases 1-4 (LRA +-1 LU)") {
    for (double rate : kRates) {
        CAPTURE(rate);
        const std::vector<std::pair<std::vector<Segment>, double>> cases{
            {stereo({{20.0, -20.0}, {20.0, -30.0}}), 10.0},
            {stereo({{20.0, -20.0}, {20.0, -15.0}}), 5.0},
            {stereo({{20.0, -40.0}, {20.0, -20.0}}), 20.0},
            {stereo({{20.0, -50.0}, {20.0, -35.0}, {20.0, -20.0}, {20.0, -35.0}, {20.0, -50.0}}), 15.0},
        };
        for (std::size_t i = 0; i < cases.size(); ++i) {
            CAPTURE(i + 1);
            const auto x = tone_segments(rate, cases[i].first);
            const LoudnessRun r = run_loudness(rate, 2, {bus_of(0, 2)}, x, 2048);
            CHECK(std::fabs(r.folded[0].loudness_range_lu - cases[i].second) <= 1.0);
        }
    }
}

namespace {

// Noise with a changing envelope, a low tone and a silent gap: every gate and filter matters.
std::vector<float> programme(double rate, int channels, double seconds, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    const auto n = static_cast<std::size_t>(seconds * rate);
    std::vector<float> x(n * static_cast<std::size_t>(channels));
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / rate;
        const double env_db = -18.0 + 10.0 * std::sin(t * 0.9) + 6.0 * std::sin(t * 5.3) - (t > 7.0 && t < 8.5 ? 80.0 : 0.0);
        const double g = std::pow(10.0, env_db / 20.0);
        for (int c = 0; c < channels; ++c)
            x[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] =
                static_cast<float>(g * (0.3 * noise(rng) + 0.5 * std::sin(2.0 * std::numbers::pi * 40.0 * t + c)));
    }
    return x;
}

bool same_runs(const LoudnessRun& a, const LoudnessRun& b) {
    return a.folded.size() == b.folded.size() && a.ticks.size() == b.ticks.size() &&
           same_bits(a.folded.data(), b.folded.data(), a.folded.size() * sizeof(BusReading)) &&
           same_bits(a.ticks.data(), b.ticks.data(), a.ticks.size() * sizeof(LoudnessTick));
}

} // namespace

TEST_CASE("LoudnessMeter: the same bits for any block partition and either kernel") {
    for (double rate : {44100.0, 48000.0}) {
        CAPTURE(rate);
        const int channels = 7;
        auto x = programme(rate, channels, 12.05, 5);
        x[12345 * channels + 2] = std::nanf("");
        x[22222 * channels + 5] = INFINITY;
        const std::vector<BusSpec> buses{bus_of(0, 2, "mix"), bus_of(1, 6, "surround"), bus_of(6, 1, "mono")};
        const LoudnessRun ref = run_loudness(rate, channels, buses, x, 4096, true);
        REQUIRE(ref.ticks.size() == 3 * 121);  // 120 whole steps and the partial one, per bus
        for (bool scalar : {true, false})
            for (std::size_t block : {1u, 37u, 4096u}) {
                CAPTURE(scalar);
                CAPTURE(block);
                const LoudnessRun r = run_loudness(rate, channels, buses, x, block, scalar);
                CHECK(same_runs(r, ref));
            }
        CHECK(ref.kernel == std::string("scalar"));
    }
    SUBCASE("K-weighted lanes 1, 3, 9, 67 (every SIMD remainder), every target compiled in and supported") {
        const auto targets = hwy::SupportedAndGeneratedTargets();  // best first
        REQUIRE(!targets.empty());
        for (const std::int64_t target : targets) {
            hwy::SetSupportedTargetsForTest(target);
            INFO("target ", std::string(hwy::TargetName(target)));
            REQUIRE(std::string(simd_loudness_kernels().name) == hwy::TargetName(target));
            for (int lanes : {1, 3, 9, 67}) {
                CAPTURE(lanes);
                const auto x = programme(48000.0, lanes + 1, 3.33, 9);
                const std::vector<BusSpec> buses{bus_of(1, lanes, "b"), bus_of(0, 1, "first")};
                const LoudnessRun ref = run_loudness(48000.0, lanes + 1, buses, x, 4096, true);
                for (std::size_t block : {1u, 37u, 4096u}) {
                    if (block == 1 && target != targets.front()) continue;  // the long run on the dispatched one
                    CAPTURE(block);
                    const LoudnessRun r = run_loudness(48000.0, lanes + 1, buses, x, block, false);
                    CHECK(r.kernel == std::string(hwy::TargetName(target)));
                    CHECK(same_runs(r, ref));
                }
            }
        }
        hwy::SetSupportedTargetsForTest(0);
#if defined(__x86_64__)
        // This project's machines have AVX2: a build or dispatch that lost it must fail here.
        const std::string best = simd_loudness_kernels().name;
        if (__builtin_cpu_supports("avx2")) CHECK((best == "AVX2" || best.rfind("AVX3", 0) == 0));
#endif
    }
}

TEST_CASE("LoudnessMeter: ticks, readings and windows") {
    const double rate = 48000.0;
    SUBCASE("a stream shorter than 400 ms has no momentary value; ticks cover the stream") {
        const auto x = tone_segments(rate, stereo({{0.35, -20.0}}));
        const LoudnessRun r = run_loudness(rate, 2, {bus_of(0, 2)}, x, 256);
        CHECK(r.folded[0].momentary_ms < 0.0f);
        CHECK(r.folded[0].momentary_max_ms < 0.0f);
        CHECK(r.folded[0].integrated_ms < 0.0f);
        REQUIRE(r.ticks.size() == 4);
        CHECK(r.ticks[0].start_frame == 0);
        CHECK(r.ticks[0].end_frame == 4800);
        CHECK(r.ticks[3].start_frame == 14400);
        CHECK(r.ticks[3].end_frame == 16800);
        for (const auto& t : r.ticks) CHECK(t.block_ms < 0.0);
    }
    SUBCASE("maxima over windows stepped by 10 ms: a burst off the 100 ms grid is caught whole") {
        // 400 ms (3 s) at -20 dBFS starting at 1.05 s: a window stepped by 10 ms holds it all
        // (-20 LUFS); windows stepped by 100 ms would hold at most 350 ms (2.95 s) of it.
        for (double sr : kRates) {
            CAPTURE(sr);
            for (double length : {0.4, 3.0}) {
                CAPTURE(length);
                const auto x = tone_segments(sr, stereo({{1.05, -300.0}, {length, -20.0}, {1.0, -300.0}}));
                const LoudnessRun r = run_loudness(sr, 2, {bus_of(0, 2)}, x, 333);
                const double m = length < 1.0 ? r.folded[0].momentary_max_ms : r.folded[0].short_term_max_ms;
                CHECK(std::fabs(lufs(m) - -20.0) < 0.02);
                double tick_max = -1.0;
                for (const auto& t : r.ticks) tick_max = std::max(tick_max, length < 1.0 ? t.momentary_max_ms : t.short_term_max_ms);
                CHECK(static_cast<float>(tick_max) == doctest::Approx(m).epsilon(1e-6));
            }
        }
    }
    SUBCASE("ticks carry the block, the short-term value and the step's maxima") {
        const auto x = tone_segments(rate, stereo({{2.0, -40.0}, {1.5, -20.0}, {2.0, -40.0}}));
        const LoudnessRun r = run_loudness(rate, 2, {bus_of(0, 2)}, x, 480);
        REQUIRE(r.ticks.size() == 55);
        CHECK(r.ticks[2].block_ms < 0.0);  // the first block ends at 400 ms, with the fourth step
        CHECK(std::fabs(lufs(r.ticks[3].block_ms) - -40.0) < 0.05);
        CHECK(r.ticks[28].short_term_ms < 0.0);  // the first 3 s window ends with the 30th step
        // 2 s at -40 and 1 s at -20 LUFS: the mean energy.
        CHECK(std::fabs(lufs(r.ticks[29].short_term_ms) - 10.0 * std::log10((2e-4 + 1e-2) / 3.0)) < 0.1);
        for (const auto& t : r.ticks) {
            if (t.block_ms >= 0.0) CHECK(t.momentary_max_ms >= t.block_ms);
            if (t.short_term_ms >= 0.0) CHECK(t.short_term_max_ms >= t.short_term_ms);
        }
        CHECK(std::fabs(lufs(r.folded[0].momentary_max_ms) - -20.0) < 0.05);
    }
}

TEST_CASE("LoudnessMeter: reset restarts the bus's own gate") {
    const double rate = 48000.0;
    const auto x = tone_segments(rate, {{10.0, {-40.0, -40.0, -20.0, -20.0}}, {10.0, {-20.0, -20.0, -20.0, -20.0}}});
    LoudnessMeter m(rate, 4, {bus_of(0, 2, "a"), bus_of(2, 2, "b")}, 4800);
    for (std::size_t f = 0; f < x.size() / 4; f += 4800) {
        if (f == 480000) m.request_reset(0);
        m.request_reset(7);  // out of range: ignored
        m.request_reset(-1);
        m.process(x.data() + f * 4, 4800);
    }
    m.finish();
    CHECK(m.readings()[0].resets == 1);
    CHECK(m.readings()[0].measured_from == 480000);
    CHECK(m.readings()[1].resets == 0);
    CHECK(m.readings()[1].measured_from == 0);
    CHECK(std::fabs(lufs(m.readings()[0].integrated_ms) - -20.0) < 0.02);  // only the -20 part
    CHECK(std::fabs(lufs(m.readings()[1].integrated_ms) - -20.0) < 0.02);
    CHECK(m.readings()[0].loudness_range_lu == doctest::Approx(0.0).epsilon(0.01));
}

TEST_CASE("LoudnessMeter: resets requested from another thread while the audio thread runs") {
    const double rate = 48000.0;
    const auto x = tone_segments(rate, stereo({{1.0, -20.0}}));
    LoudnessMeter m(rate, 2, {bus_of(0, 2), bus_of(0, 1, "left")}, 480);
    std::atomic<bool> done{false};
    std::atomic<int> requested{0};
    std::thread requester([&] {
        for (int i = 0; i < 200; ++i) {
            m.request_reset(0);
            requested.fetch_add(1);
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        done.store(true);
    });
    std::uint32_t last_resets = 0;
    std::uint64_t last_from = 0;
    bool monotonic = true;
    std::size_t f = 0;
    while (!done.load()) {
        m.process(x.data() + f * 2, 480);
        f = (f + 480) % (x.size() / 2 - 480);
        const BusReading& r = m.readings()[0];
        monotonic = monotonic && r.resets >= last_resets && r.measured_from >= last_from &&
                    r.measured_from <= m.frames_processed();
        last_resets = r.resets;
        last_from = r.measured_from;
    }
    requester.join();
    m.process(x.data(), 480);  // takes a request left over from the last one
    CHECK(monotonic);
    CHECK(m.readings()[0].resets >= 1);
    CHECK(m.readings()[0].resets <= static_cast<std::uint32_t>(requested.load()));
    CHECK(m.readings()[1].resets == 0);  // the other bus is untouched
}

TEST_CASE("LoudnessMeter: process() allocates nothing and takes no lock") {
    REQUIRE(alloc_guard_active());
    const double rate = 48000.0;
    const int channels = 256;
    std::vector<float> block(64 * channels);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    for (float& v : block) v = u(rng);
    for (bool scalar : {true, false}) {
        LoudnessMeter m(rate, channels, {bus_of(0, 2), bus_of(10, 6, "5.1"), bus_of(200, 56, "big")}, 64, scalar);
        AllocGuard guard;
        for (int i = 0; i < 3000; ++i) {  // 4 s: momentary, short-term and the gates all run
            if (i == 2000) m.request_reset(1);
            m.process(block.data(), 64);
        }
        m.finish();
        m.process(block.data(), 17);
        CHECK(guard.allocations() == 0);
        CHECK(guard.locks() == 0);
        CHECK(m.readings()[0].integrated_ms > 0.0f);
        CHECK(m.readings()[1].resets == 1);
    }
}

TEST_CASE("LoudnessMeter: invalid configuration is refused") {
    CHECK_THROWS_AS(LoudnessMeter(8000.0, 2, {bus_of(0, 2)}, 64), std::invalid_argument);
    CHECK_THROWS_AS(LoudnessMeter(48000.0, 2, {bus_of(1, 2)}, 64), std::invalid_argument);
    CHECK_THROWS_AS(LoudnessMeter(48000.0, 0, {}, 64), std::invalid_argument);
    CHECK_THROWS_AS(LoudnessMeter(48000.0, 2, {bus_of(0, 2)}, 0), std::invalid_argument);
    BusSpec twice{"t", {0, 0}, "mix_bus"};
    CHECK_THROWS_AS(LoudnessMeter(48000.0, 2, {twice}, 64), std::invalid_argument);
    std::vector<BusSpec> many(kMaxBuses + 1, bus_of(0, 1));
    CHECK_THROWS_AS(LoudnessMeter(48000.0, 2, many, 64), std::invalid_argument);
    LoudnessMeter none(48000.0, 2, {}, 64);  // no bus: nothing to do
    std::vector<float> x(128, 0.5f);
    none.process(x.data(), 64);
    CHECK(none.tick_count() == 0);
    CHECK(none.bus_count() == 0);
}

TEST_CASE("LoudnessMeter: hostile input") {
    const double rate = 48000.0;
    SUBCASE("non-finite samples count as 0") {
        auto x = tone_segments(rate, stereo({{4.0, -20.0}}));
        auto zeros = x;
        for (std::size_t i = 1000; i < x.size(); i += 977) {
            x[i] = (i / 977) % 3 == 0 ? std::nanf("") : (i / 977) % 3 == 1 ? INFINITY : -INFINITY;
            zeros[i] = 0.0f;
        }
        CHECK(same_runs(run_loudness(rate, 2, {bus_of(0, 2)}, x, 64), run_loudness(rate, 2, {bus_of(0, 2)}, zeros, 64)));
        std::vector<float> all_nan(static_cast<std::size_t>(rate) * 4 * 2, std::nanf(""));
        const LoudnessRun r = run_loudness(rate, 2, {bus_of(0, 2)}, all_nan, 512);
        CHECK(r.folded[0].momentary_ms == 0.0f);
        CHECK(r.folded[0].integrated_ms < 0.0f);  // silence: gated out
    }
    SUBCASE("samples far beyond full scale: finite readings, the gate still exact") {
        std::vector<float> x(static_cast<std::size_t>(rate) * 5 * 2);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i / 2) % 2 ? 3e38f : -3e38f;
        const LoudnessRun r = run_loudness(rate, 2, {bus_of(0, 2)}, x, 4096);
        const BusReading& b = r.folded[0];
        for (float v : {b.momentary_ms, b.short_term_ms, b.momentary_max_ms, b.short_term_max_ms, b.integrated_ms}) {
            CHECK(std::isfinite(v));
            CHECK(v > 1e30f);
        }
        CHECK(b.loudness_range_lu >= 0.0f);
        CHECK(b.loudness_range_lu < 0.1f);
        for (const auto& t : r.ticks) CHECK((t.block_ms < 0.0 || std::isfinite(t.block_ms)));
    }
    SUBCASE("rates that are not a multiple of 100 Hz: hop = floor(rate / 100), windows rounded") {
        for (double odd : {45678.0, 96001.0, 192000.0}) {
            CAPTURE(odd);
            const auto x = tone_segments(odd, stereo({{5.0, -23.0}}));
            const LoudnessRun r = run_loudness(odd, 2, {bus_of(0, 2)}, x, 1000);
            CHECK(std::fabs(lufs(r.folded[0].integrated_ms) - -23.0) < 0.05);
            CHECK(std::fabs(lufs(r.folded[0].short_term_ms) - -23.0) < 0.05);
        }
    }
    SUBCASE("a call longer than max_block measures what fits, as the MeterBank does") {
        LoudnessMeter m(rate, 2, {bus_of(0, 2)}, 64);
        std::vector<float> x(2 * 1000, 0.1f);
        m.process(x.data(), 1000);
        CHECK(m.frames_processed() == 64);
    }
}
