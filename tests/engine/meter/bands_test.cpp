// BandMeter (bands.hpp): block-size independence, the RMS window rules, ticks, non-finite
// samples, the closed-form responses of DESIGN.md §6's LR4 bands, no allocation. The outside
// oracle (sox) is bands_vs_sox_test.cpp.
#include "engine/meter/bands.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "engine/meter/band_kernels.hpp"
#include "tests/support/alloc_guard.hpp"

using namespace headroom;
using headroom::test::AllocGuard;
using headroom::test::alloc_guard_active;

namespace {

constexpr double kPi = 3.14159265358979323846;

// What a stream gives: every tick, and the readings folded over the calls (peak and rms_max:
// max; rms: the last value given).
struct Result {
    std::vector<BandTick> ticks;
    std::vector<BandReadings> folded;
    std::vector<BandReadings> at_finish;
    std::uint64_t first_rms_call_end = 0;  // stream frame at the end of the first process() that gave an RMS
};

Result run(const std::vector<float>& x, int channels, double rate, std::size_t block, bool scalar = false,
           double window_ms = 300.0) {
    const auto nc = static_cast<std::size_t>(channels);
    const std::size_t frames = x.size() / nc;
    BandMeter m(rate, channels, window_ms, block, scalar);
    Result r;
    r.folded.assign(nc, BandReadings{});
    bool finishing = false;
    auto fold = [&] {
        for (std::size_t i = 0; i < m.tick_count(); ++i) r.ticks.push_back(m.ticks()[i]);
        for (std::size_t c = 0; c < nc; ++c)
            for (int b = 0; b < kBandCount; ++b) {
                const BandReading& g = m.readings()[c][static_cast<std::size_t>(b)];
                BandReading& f = r.folded[c][static_cast<std::size_t>(b)];
                f.peak = std::max(f.peak, g.peak);
                f.rms_max = std::max(f.rms_max, g.rms_max);
                if (g.rms >= 0.0f) {
                    f.rms = g.rms;
                    if (r.first_rms_call_end == 0 && !finishing) r.first_rms_call_end = m.frames_processed();
                }
            }
    };
    for (std::size_t f = 0; f < frames; f += block) {
        m.process(x.data() + f * nc, std::min(block, frames - f));
        fold();
    }
    finishing = true;
    m.finish();
    fold();
    r.at_finish.assign(m.readings(), m.readings() + nc);
    return r;
}

// Music-like material: tones low, mid and high, noise, a NaN and an Inf.
std::vector<float> material(int channels, std::size_t frames, double rate, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    const auto nc = static_cast<std::size_t>(channels);
    std::vector<float> x(frames * nc);
    for (std::size_t f = 0; f < frames; ++f)
        for (std::size_t c = 0; c < nc; ++c) {
            const double t = static_cast<double>(f) / rate;
            x[f * nc + c] = static_cast<float>(0.3 * std::sin(2 * kPi * (60.0 + 7.0 * double(c)) * t) +
                                               0.2 * std::sin(2 * kPi * 1000.0 * t) +
                                               0.1 * std::sin(2 * kPi * 9000.0 * t)) +
                            noise(rng);
        }
    x[(frames / 3) * nc] = std::numeric_limits<float>::quiet_NaN();
    x[(frames / 2) * nc + nc - 1] = std::numeric_limits<float>::infinity();
    return x;
}

// Field by field (BandTick has padding after `channel`), every float and double by its bits.
bool same_tick(const BandTick& a, const BandTick& b) {
    return a.channel == b.channel && a.start_frame == b.start_frame && a.end_frame == b.end_frame &&
           a.frames == b.frames && std::memcmp(a.peak.data(), b.peak.data(), sizeof a.peak) == 0 &&
           std::memcmp(a.sum_squares.data(), b.sum_squares.data(), sizeof a.sum_squares) == 0 &&
           std::memcmp(a.rms_window_max.data(), b.rms_window_max.data(), sizeof a.rms_window_max) == 0;
}

bool same_bits(const Result& a, const Result& b) {
    return a.ticks.size() == b.ticks.size() &&
           std::equal(a.ticks.begin(), a.ticks.end(), b.ticks.begin(), same_tick) &&
           std::memcmp(a.folded.data(), b.folded.data(), a.folded.size() * sizeof(BandReadings)) == 0 &&
           std::memcmp(a.at_finish.data(), b.at_finish.data(), a.at_finish.size() * sizeof(BandReadings)) == 0;
}

// Whole-stream band RMS of channel c from the ticks.
double stream_rms(const Result& r, std::size_t c, int band, std::uint64_t from_frame = 0) {
    double sum = 0.0;
    std::uint64_t n = 0;
    for (const BandTick& t : r.ticks)
        if (t.channel == c && t.start_frame >= from_frame) {
            sum += t.sum_squares[static_cast<std::size_t>(band)];
            n += t.end_frame - t.start_frame;
        }
    return std::sqrt(sum / static_cast<double>(n));
}

// The closed-form bands at frequency f: DESIGN.md §6 with the bilinear transform prewarped at
// each crossover (s = j tan(w/2) / tan(pi fc / rate)).
struct Response {
    std::complex<double> low, mid, high;
};
Response closed_form(double f, double rate) {
    auto s_at = [&](double fc) {
        return std::complex<double>(0.0, std::tan(kPi * f / rate) / std::tan(kPi * fc / rate));
    };
    auto lp = [](std::complex<double> s) { auto h = 1.0 / (s * s + std::sqrt(2.0) * s + 1.0); return h * h; };
    auto hp = [](std::complex<double> s) { auto h = s * s / (s * s + std::sqrt(2.0) * s + 1.0); return h * h; };
    const auto sl = s_at(kLowCrossoverHz), sh = s_at(kHighCrossoverHz);
    return {lp(sl), hp(sl) * lp(sh), hp(sl) * hp(sh)};
}

double db(double v) { return 20.0 * std::log10(v); }

} // namespace

TEST_CASE("BandMeter: block sizes 1, 37 and 4096 give the same bits") {
    for (bool scalar : {false, true})
        for (int channels : {1, 3, 67}) {
            CAPTURE(scalar);
            CAPTURE(channels);
            const std::size_t frames = 62000;  // 1.29 s at 48 kHz: ticks and hops that do not divide it
            const auto x = material(channels, frames, 48000.0, 3);
            const Result a = run(x, channels, 48000.0, 1, scalar);
            const Result b = run(x, channels, 48000.0, 37, scalar);
            const Result c = run(x, channels, 48000.0, 4096, scalar);
            CHECK(a.ticks.size() == 13u * static_cast<std::size_t>(channels));
            CHECK(same_bits(a, b));
            CHECK(same_bits(a, c));
            CHECK(a.folded[0][0].rms > 0.0f);
        }
}

TEST_CASE("BandMeter: SIMD equals the scalar reference within 1e-5") {
    for (int channels : {2, 9, 67}) {
        CAPTURE(channels);
        const auto x = material(channels, 30000, 44100.0, 9);
        const Result a = run(x, channels, 44100.0, 512, true);
        const Result b = run(x, channels, 44100.0, 512, false);
        REQUIRE(a.ticks.size() == b.ticks.size());
        for (std::size_t i = 0; i < a.ticks.size(); ++i)
            for (std::size_t k = 0; k < 3; ++k) {
                CHECK(b.ticks[i].peak[k] == doctest::Approx(a.ticks[i].peak[k]).epsilon(1e-5));
                CHECK(b.ticks[i].sum_squares[k] == doctest::Approx(a.ticks[i].sum_squares[k]).epsilon(1e-5));
                CHECK(b.ticks[i].rms_window_max[k] == doctest::Approx(a.ticks[i].rms_window_max[k]).epsilon(1e-5));
            }
    }
}

TEST_CASE("BandMeter: ticks, windows and non-finite samples") {
    const double rate = 48000.0;  // hop 240, tick 4800; a 300 ms window is W = 60 hops
    const auto x = material(2, 20000, rate, 5);  // NaN at frame 6666 ch 0, Inf at frame 10000 ch 1

    SUBCASE("ticks at absolute positions, finite frames counted, the partial tick at finish") {
        const Result r = run(x, 2, rate, 1000);
        REQUIRE(r.ticks.size() == 10u);
        for (std::size_t i = 0; i < r.ticks.size(); ++i) {
            const BandTick& t = r.ticks[i];
            CHECK(t.channel == i % 2);
            CHECK(t.start_frame == 4800 * (i / 2));
            CHECK(t.end_frame == std::min<std::uint64_t>(4800 * (i / 2 + 1), 20000));
            const std::uint64_t bad = (i == 2 || i == 5) ? 1 : 0;  // tick 1 ch 0, tick 2 ch 1
            CHECK(t.frames == t.end_frame - t.start_frame - bad);
            for (std::size_t k = 0; k < 3; ++k) {
                CHECK(t.peak[k] > 0.0f);
                CHECK(t.sum_squares[k] > 0.0);
            }
            // the first full window ends at frame 14400 (hop 60), in the tick [9600, 14400): only the ticks after give values
            CHECK((t.rms_window_max[0] > 0.0f) == (t.end_frame >= 14400));
        }
    }

    SUBCASE("the first RMS value comes at the W-th hop end, none before") {
        const Result r = run(x, 2, rate, 1);
        CHECK(r.first_rms_call_end == 60u * 240u);
    }

    SUBCASE("a stream shorter than the window: the whole-stream RMS at finish, in the last tick") {
        std::vector<float> shortx(x.begin(), x.begin() + 2 * 7000);  // 146 ms < 300 ms
        for (std::size_t block : {1u, 64u, 7000u}) {
            const Result r = run(shortx, 2, rate, block);
            CHECK(r.first_rms_call_end == 0u);  // no value before finish()
            REQUIRE(r.ticks.size() == 4u);      // [0, 4800) and [4800, 7000) per channel
            CHECK(r.ticks[0].end_frame == 4800u);
            for (std::size_t c = 0; c < 2; ++c)
                for (int b = 0; b < 3; ++b) {
                    const double whole = stream_rms(r, c, b);
                    const float at_finish = r.at_finish[c][static_cast<std::size_t>(b)].rms;
                    CHECK(at_finish == doctest::Approx(whole).epsilon(1e-6));
                    CHECK(r.ticks[2 + c].rms_window_max[static_cast<std::size_t>(b)] == at_finish);
                    CHECK(r.ticks[c].rms_window_max[static_cast<std::size_t>(b)] == 0.0f);
                }
        }
    }

    SUBCASE("a steady tone reads its band's RMS") {
        std::vector<float> tone(48000);
        for (std::size_t f = 0; f < tone.size(); ++f)
            tone[f] = static_cast<float>(0.5 * std::sin(2 * kPi * 1000.0 * double(f) / rate));
        const Result r = run(tone, 1, rate, 64);
        const double expect = 0.5 / std::sqrt(2.0) * std::abs(closed_form(1000.0, rate).mid);
        CHECK(db(r.folded[0][1].rms) == doctest::Approx(db(expect)).epsilon(0.0005));
        CHECK(db(r.folded[0][1].rms_max) == doctest::Approx(db(expect)).epsilon(0.0005));
        float settled_peak = 0.0f;  // past the onset's overshoot
        for (const BandTick& t : r.ticks)
            if (t.start_frame >= 24000) settled_peak = std::max(settled_peak, t.peak[1]);
        CHECK(db(settled_peak) == doctest::Approx(db(0.5 * std::abs(closed_form(1000.0, rate).mid))).epsilon(0.001));
    }

    SUBCASE("huge and infinite input leaves every figure finite") {
        std::vector<float> wild(2 * 10000, 3e38f);
        for (std::size_t i = 1; i < wild.size(); i += 3) wild[i] = -std::numeric_limits<float>::infinity();
        const Result r = run(wild, 2, rate, 256);
        for (const BandTick& t : r.ticks)
            for (std::size_t k = 0; k < 3; ++k) {
                CHECK(std::isfinite(t.peak[k]));
                CHECK(std::isfinite(t.sum_squares[k]));
            }
        CHECK(r.folded[0][0].peak > 1e14f);  // held at 2^48: still far beyond full scale
    }
}

TEST_CASE("BandMeter: LR4 crossovers, closed form") {
    SUBCASE("a sine at a crossover reads -6.02 dB in each of the two adjacent bands") {
        for (double rate : {44100.0, 48000.0, 96000.0})
            for (double fc : {kLowCrossoverHz, kHighCrossoverHz}) {
                CAPTURE(rate);
                CAPTURE(fc);
                const auto n = static_cast<std::size_t>(rate * 1.5);
                std::vector<float> x(n);
                for (std::size_t f = 0; f < n; ++f) x[f] = static_cast<float>(0.5 * std::sin(2 * kPi * fc * double(f) / rate));
                const Result r = run(x, 1, rate, 256);
                const auto settled = static_cast<std::uint64_t>(std::llround(rate / 10.0)) * 5;  // ticks from 0.5 s on
                const int lower = fc == kLowCrossoverHz ? 0 : 1;
                for (int b : {lower, lower + 1})
                    CHECK(db(stream_rms(r, 0, b, settled) / (0.5 / std::sqrt(2.0))) == doctest::Approx(-6.0206).epsilon(0.0015));
            }
    }

    SUBCASE("the kernel's bands have the closed-form responses, and sum to a flat magnitude") {
        // Impulse responses read off the scalar kernel's states, one frame at a time:
        // low = v2 of section B = (s2 + s2') / 2, mid likewise of E, high = a1 t of F with
        // t = (s1' - s1) / (2 g a1).
        const double rate = 48000.0;
        const std::size_t n = 24000;
        BandKernelArgs a;
        std::vector<float> state(kSectionStates * 64, 0.0f), peak(3 * 64, 0.0f), sq(3 * 64, 0.0f);
        std::uint32_t bad = 0;
        a.channels = 1;
        a.stride = 64;
        a.low = design_section(kLowCrossoverHz, rate);
        a.high = design_section(kHighCrossoverHz, rate);
        a.state = state.data();
        a.peak = peak.data();
        a.sum_squares = sq.data();
        a.nonfinite = &bad;
        std::vector<double> y[3];
        for (auto& v : y) v.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const float x = i == 0 ? 1.0f : 0.0f;
            a.x = &x;
            a.x_end = &x + 1;
            a.frames = 1;
            const std::vector<float> before = state;
            scalar_band_kernels().run(a);
            auto st = [&](const std::vector<float>& s, std::size_t k) { return double(s[k * 64]); };
            y[0][i] = (st(state, 3) + st(before, 3)) / 2.0;
            y[1][i] = (st(state, 9) + st(before, 9)) / 2.0;
            y[2][i] = double(a.high.a1) * (st(state, 10) - st(before, 10)) / (2.0 * double(a.high.g_a1));
        }
        double worst_band = 0.0, worst_sum = 0.0;
        for (double f = 20.0; f < 20000.0; f *= 1.05) {
            std::complex<double> h[3];
            for (int b = 0; b < 3; ++b)
                for (std::size_t i = 0; i < n; ++i)
                    h[b] += y[b][i] * std::polar(1.0, -2 * kPi * f * double(i) / rate);
            const Response c = closed_form(f, rate);
            const std::complex<double> want[3] = {c.low, c.mid, c.high};
            for (int b = 0; b < 3; ++b)
                if (std::abs(want[b]) > 1e-3)  // above -60 dB
                    worst_band = std::max(worst_band, std::fabs(db(std::abs(h[b])) - db(std::abs(want[b]))));
            worst_sum = std::max(worst_sum, std::fabs(db(std::abs(h[0] + h[1] + h[2]))));
        }
        MESSAGE("largest band deviation from the closed form ", worst_band, " dB; of the sum from 0 dB ", worst_sum, " dB");
        CHECK(worst_band < 0.005);
        // low is not delayed by the 5 kHz all-pass (DESIGN.md §6), so the sum is flat to 0.01 dB
        CHECK(worst_sum < 0.02);
    }
}

TEST_CASE("BandMeter: process() and finish() allocate nothing and take no lock") {
    REQUIRE(alloc_guard_active());
    for (bool scalar : {false, true})
        for (int channels : {1, 9, 256})
            for (std::size_t block : {1u, 64u, 4096u}) {
                CAPTURE(channels);
                CAPTURE(block);
                const auto x = material(channels, 6000, 48000.0, 1);
                const auto nc = static_cast<std::size_t>(channels);
                BandMeter m(48000.0, channels, 300.0, block, scalar);
                std::uint64_t allocs = 0, locks = 0, ticks = 0;
                {
                    AllocGuard g;
                    for (std::size_t f = 0; f < 6000; f += block) {
                        m.process(x.data() + f * nc, std::min<std::size_t>(block, 6000 - f));
                        ticks += m.tick_count();
                    }
                    m.finish();
                    ticks += m.tick_count();
                    allocs = g.allocations();
                    locks = g.locks();
                }
                CHECK(allocs == 0);
                CHECK(locks == 0);
                CHECK(ticks == 2 * nc);
            }
}

TEST_CASE("BandMeter: bad construction arguments throw") {
    CHECK_THROWS_AS(BandMeter(0.0, 2, 300.0, 64), std::invalid_argument);
    CHECK_THROWS_AS(BandMeter(48000.0, 0, 300.0, 64), std::invalid_argument);
    CHECK_THROWS_AS(BandMeter(48000.0, 2, std::nan(""), 64), std::invalid_argument);
    CHECK_THROWS_AS(BandMeter(48000.0, 2, 300.0, 0), std::invalid_argument);
}
