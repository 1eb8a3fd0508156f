// MeterBank events and levels on constructed signals, checked sample-exact against what
// DESIGN.md §2 and meter_bank.hpp define: clip runs and their merging, hot events, non-finite
// samples, RMS against closed forms, the 10 Hz envelope. Each case runs in blocks of 1, 7 and
// 4096 frames (and both kernels), which must all agree.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "engine/base/decibels.hpp"
#include "engine/meter/meter_bank.hpp"
#include "engine/settings/presets.hpp"
#include "tests/engine/meter/meter_bank_harness.hpp"
#include "tests/engine/meter/tech3341_signals.hpp"

using namespace headroom;
using namespace headroom::test;

namespace {

// Runs a mono (or interleaved multichannel) signal in blocks of 1, 7 and 4096 with both
// kernels; checks they all give the same events and folded readings; returns the 4096 run.
BankRun run_all(const MeterOptions& base, const std::vector<float>& x) {
    MeterOptions o = base;
    const BankRun ref = run_bank(o, x, 4096);
    for (bool scalar : {false, true})
        for (std::size_t block : {1u, 7u, 4096u}) {
            o.force_scalar = scalar;
            const BankRun r = run_bank(o, x, block);
            INFO("block ", block, scalar ? " scalar" : " simd");
            check_same_events(r, ref, 0.0);
            for (std::size_t c = 0; c < r.folded.size(); ++c) CHECK(same_reading(r.folded[c], ref.folded[c], 0.0));
        }
    return ref;
}

MeterOptions mono() {
    MeterOptions o;
    o.channels = 1;
    return o;
}

// The true peak the scalar interpolator attributes to frames [a, b] of x (at 48 kHz).
float tp_over(const std::vector<float>& x, std::uint64_t a, std::uint64_t b) {
    TruePeakScalar tp(design_true_peak_interpolator(48000));
    const auto delay = static_cast<std::uint64_t>(tp.design().delay);
    float m = 0.0f;
    for (std::uint64_t n = 0; n < x.size() + delay; ++n) {
        const float y = tp.process(n < x.size() ? x[n] : 0.0f);
        if (n >= a + delay && n <= b + delay) m = std::max(m, y);
    }
    return m;
}

void check_clip(const MeterEvent& e, std::uint64_t start, std::uint64_t end, std::uint32_t runs, std::uint64_t count,
                float sp) {
    CHECK(e.type == EventType::Clip);
    CHECK(e.start_sample == start);
    CHECK(e.end_sample == end);
    CHECK(e.runs == runs);
    CHECK(e.count == count);
    CHECK(e.sample_peak == sp);
    CHECK(e.true_peak >= e.sample_peak);
}

} // namespace

TEST_CASE("MeterBank: events and levels") {
    SUBCASE("single-sample spikes, both polarities, at the clip threshold's edge") {
        std::vector<float> x(20000, 0.0f);
        x[1000] = 1.0f;
        x[5000] = -1.0f;
        x[9000] = -0.9886f;  // -0.0997 dBFS: full scale at the default -0.1 dBFS
        x[13000] = 0.9885f;  // -0.1006 dBFS: not full scale
        MeterOptions o = mono();
        o.merge_ms = 10.0;
        const BankRun r = run_all(o, x);
        const auto clips = events_of(r, EventType::Clip);
        REQUIRE(clips.size() == 3);
        check_clip(clips[0], 1000, 1000, 1, 1, 1.0f);
        check_clip(clips[1], 5000, 5000, 1, 1, 1.0f);
        check_clip(clips[2], 9000, 9000, 1, 1, 0.9886f);
        CHECK(clips[0].true_peak == doctest::Approx(tp_over(x, 1000, 1000)).epsilon(1e-6));
        CHECK(r.folded[0].clip_runs == 3);
        CHECK(r.folded[0].clipped_samples == 3);
        CHECK(r.folded[0].sample_peak == 1.0f);
    }

    SUBCASE("runs merge while the gap is < merge_ms, and not from gap >= merge_ms") {
        // merge_ms 10 at 48 kHz: G = 480 frames; gap = next start - previous end - 1.
        std::vector<float> x(40000, 0.0f);
        for (int i = 1000; i <= 1002; ++i) x[std::size_t(i)] = 1.0f;  // run 1: 3 samples
        x[1100] = -1.2f;                                              // run 2, merges
        x[1100 + 480] = 0.995f;                                       // gap 479: merges
        x[1580 + 481] = 1.0f;                                         // gap 480: a new event
        x[1580 + 481 + 300] = 0.5f;                                   // not full scale: no run
        MeterOptions o = mono();
        o.merge_ms = 10.0;
        const BankRun r = run_all(o, x);
        const auto clips = events_of(r, EventType::Clip);
        REQUIRE(clips.size() == 2);
        check_clip(clips[0], 1000, 1580, 3, 5, 1.2f);
        check_clip(clips[1], 2061, 2061, 1, 1, 1.0f);
        // the merged event's true peak covers the whole span, gaps included
        CHECK(clips[0].true_peak == doctest::Approx(tp_over(x, 1000, 1580)).epsilon(1e-6));
        CHECK(r.folded[0].clip_runs == 4);
        CHECK(r.folded[0].clipped_samples == 6);
    }

    SUBCASE("clip_min_run: shorter runs count nowhere; merge_ms 0: every run its own event") {
        std::vector<float> x(20000, 0.0f);
        auto run = [&](int at, int len) {
            for (int i = 0; i < len; ++i) x[std::size_t(at + i)] = (i % 2 ? -1.0f : 1.0f);
        };
        run(1000, 2);  // too short
        run(2000, 3);  // exactly the minimum
        run(2004, 5);  // gap 1: would merge, but merge_ms is 0
        run(3000, 1);
        MeterOptions o = mono();
        o.clip_min_run = 3;
        o.merge_ms = 0.0;
        const BankRun r = run_all(o, x);
        const auto clips = events_of(r, EventType::Clip);
        REQUIRE(clips.size() == 2);
        check_clip(clips[0], 2000, 2002, 1, 3, 1.0f);
        check_clip(clips[1], 2004, 2008, 1, 5, 1.0f);
        CHECK(r.folded[0].clip_runs == 2);
        CHECK(r.folded[0].clipped_samples == 8);
        // min run 1, merge 0: the same runs are 4 events; a run of consecutive samples is one
        o.clip_min_run = 1;
        const auto all = events_of(run_all(o, x), EventType::Clip);
        REQUIRE(all.size() == 4);
        check_clip(all[0], 1000, 1001, 1, 2, 1.0f);
        check_clip(all[3], 3000, 3000, 1, 1, 1.0f);
    }

    SUBCASE("a run straddling block boundaries is one run; the threshold is settable") {
        std::vector<float> x(20000, 0.0f);
        for (int i = 4090; i < 4110; ++i) x[std::size_t(i)] = 0.6f;  // across 4096 and many 7-blocks
        x[8000] = 0.5f;
        MeterOptions o = mono();
        o.clip_threshold_dbfs = -6.0f;  // 0.501187
        const BankRun r = run_all(o, x);
        const auto clips = events_of(r, EventType::Clip);
        REQUIRE(clips.size() == 1);
        check_clip(clips[0], 4090, 4109, 1, 20, 0.6f);
        CHECK(clips[0].true_peak == doctest::Approx(tp_over(x, 4090, 4109)).epsilon(1e-6));
        CHECK(clips[0].true_peak > 0.6f);  // the step overshoots between samples
    }

    SUBCASE("clips on one channel do not leak into another") {
        std::vector<float> x(2 * 10000, 0.0f);
        x[2 * 3000 + 1] = 1.0f;
        MeterOptions o = mono();
        o.channels = 2;
        const BankRun r = run_all(o, x);
        CHECK(events_of(r, EventType::Clip, 0).empty());
        REQUIRE(events_of(r, EventType::Clip, 1).size() == 1);
        CHECK(r.folded[0].sample_peak == 0.0f);
        CHECK(r.folded[1].clipped_samples == 1);
    }

    SUBCASE("hot events: above the preset ceiling, below full scale, merged with a 2 s gap") {
        std::vector<float> x(300000, 0.0f);
        x[100] = 0.3f;      // ceiling -12 dBFS = 0.2512
        x[200] = -0.4f;
        x[201] = 0.35f;
        x[300] = 1.0f;      // a clip: in the hot event's span and maxima, not in its count
        x[201 + 96000] = 0.26f;      // gap 95999 < 96000: merges
        x[201 + 96000 + 96001] = 0.3f;  // gap 96000: a new event
        x[250000] = 0.25f;  // below the ceiling
        // the ceiling is the shipped "vocals" preset's window top
        const auto presets = PresetTable::load_file(HEADROOM_SOURCE_DIR "/assets/presets.json");
        REQUIRE(presets.find("vocals") != nullptr);
        REQUIRE(presets.find("vocals")->hi_dbfs == -12.0);
        MeterOptions o = mono();
        o.hot_ceiling_dbfs = {static_cast<float>(presets.find("vocals")->hi_dbfs)};
        const BankRun r = run_all(o, x);
        const auto hot = events_of(r, EventType::Hot);
        REQUIRE(hot.size() == 2);
        CHECK(hot[0].start_sample == 100);
        CHECK(hot[0].end_sample == 96201);
        CHECK(hot[0].runs == 4);  // stretches above the ceiling, the clip's among them
        CHECK(hot[0].count == 4);
        CHECK(hot[0].sample_peak == 1.0f);  // the span's max |x|, the clip inside it included
        CHECK(hot[1].start_sample == 192202);
        CHECK(hot[1].count == 1);
        CHECK(r.folded[0].hot_samples == 5);
        CHECK(events_of(r, EventType::Clip).size() == 1);
        // "master_in" (-6 .. -3 dBFS): 0.5 is on target, 0.8 is hot; per channel ceilings
        REQUIRE(presets.find("master_in") != nullptr);
        std::vector<float> y(2 * 10000, 0.0f);
        y[2 * 100] = y[2 * 100 + 1] = 0.5f;
        y[2 * 200] = y[2 * 200 + 1] = 0.8f;
        o.channels = 2;
        o.hot_ceiling_dbfs.push_back(static_cast<float>(presets.find("master_in")->hi_dbfs));
        const BankRun r2 = run_all(o, y);
        CHECK(r2.folded[0].hot_samples == 2);
        CHECK(r2.folded[1].hot_samples == 1);
        REQUIRE(events_of(r2, EventType::Hot, 1).size() == 1);
        CHECK(events_of(r2, EventType::Hot, 1)[0].start_sample == 200);
    }

    SUBCASE("non-finite samples: counted per channel, never part of a level, bursts merged") {
        const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
        std::vector<float> x(2 * 20000, 0.0f);
        auto at = [&](int f, int c) -> float& { return x[std::size_t(2 * f + c)]; };
        at(100, 0) = nan;
        at(101, 0) = inf;
        at(102, 0) = -inf;
        at(103, 0) = 0.5f;  // a NaN next to a 0.5 peak reads 0.5
        at(400, 0) = nan;   // gap 297 < 480: same burst
        at(5000, 0) = inf;  // a new burst
        at(50, 1) = nan;
        MeterOptions o = mono();
        o.channels = 2;
        o.merge_ms = 10.0;
        const BankRun r = run_all(o, x);
        CHECK(r.folded[0].nonfinite == 5);
        CHECK(r.folded[1].nonfinite == 1);
        CHECK(r.folded[0].sample_peak == 0.5f);
        CHECK(r.folded[0].true_peak == doctest::Approx(tp_over({0.5f}, 0, 0)).epsilon(1e-6));
        CHECK(std::isfinite(r.folded[0].rms_max));
        CHECK(r.folded[1].sample_peak == 0.0f);
        CHECK(r.folded[1].rms_max == 0.0f);
        CHECK(r.folded[0].clip_runs == 0);
        const auto nf0 = events_of(r, EventType::NonFinite, 0);
        REQUIRE(nf0.size() == 2);
        CHECK(nf0[0].start_sample == 100);
        CHECK(nf0[0].end_sample == 400);
        CHECK(nf0[0].count == 4);
        CHECK(nf0[1].start_sample == 5000);
        CHECK(nf0[1].count == 1);
        const auto nf1 = events_of(r, EventType::NonFinite, 1);
        REQUIRE(nf1.size() == 1);
        CHECK(nf1[0].start_sample == 50);
        // the envelope counts finite frames only
        const auto env = events_of(r, EventType::Envelope, 0);
        REQUIRE(env.size() >= 2);
        CHECK(env[0].count == 4800 - 4);
        CHECK(env[0].sample_peak == 0.5f);
        CHECK(env[0].sum_squares == 0.25);
        CHECK(env[1].count == 4800 - 1);
    }

    SUBCASE("non-finite with merge_ms 0: consecutive samples are one burst") {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> x(10000, 0.1f);
        for (int i = 100; i < 110; ++i) x[std::size_t(i)] = nan;
        x[111] = nan;
        MeterOptions o = mono();
        o.merge_ms = 0.0;
        const auto nf = events_of(run_all(o, x), EventType::NonFinite);
        REQUIRE(nf.size() == 2);
        CHECK(nf[0].start_sample == 100);
        CHECK(nf[0].end_sample == 109);
        CHECK(nf[0].count == 10);
        CHECK(nf[1].start_sample == 111);
    }
}

TEST_CASE("MeterBank: RMS and envelope") {
    SUBCASE("a 1 kHz sine reads amplitude / sqrt 2 within 0.001 dB over a full window: 50, 300, 3000 ms") {
        for (double window : {50.0, 300.0, 3000.0}) {
            const double amp = 0.5;
            const auto frames = static_cast<std::size_t>(48000 * (window / 1000.0 + 0.5));
            std::vector<float> x(frames);
            for (std::size_t n = 0; n < frames; ++n)
                x[n] = static_cast<float>(amp * std::sin(2.0 * std::numbers::pi * 1000.0 * double(n) / 48000.0));
            MeterOptions o = mono();
            o.rms_window_ms = window;
            const BankRun r = run_all(o, x);
            const double want = db(amp / std::sqrt(2.0));
            INFO("window ", window, " ms: rms ", db(r.folded[0].rms), " max ", db(r.folded[0].rms_max));
            CHECK(std::fabs(db(r.folded[0].rms) - want) < 0.001);
            CHECK(std::fabs(db(r.folded[0].rms_max) - want) < 0.001);
            // AES17 convention: a full-scale sine reads 0 dBFS, i.e. this one -6.02
            CHECK(std::fabs(rms_to_db(r.folded[0].rms, true) - db(amp)) < 0.001);
        }
    }

    SUBCASE("DC reads its level from the first full window on (W = 60 hops of 240), none before") {
        std::vector<float> x(48000, 0.25f);
        MeterOptions o = mono();
        EventQueue q(1 << 12);
        MeterBank bank(o, &q);
        const auto delay = static_cast<std::uint64_t>(bank.true_peak_delay());
        std::vector<std::pair<std::uint64_t, float>> values;  // (hop end, rms)
        for (std::size_t n = 0; n < x.size(); ++n) {
            bank.process(&x[n], 1);
            if (bank.block_readings()[0].rms >= 0.0f) values.emplace_back(n + 1 - delay, bank.block_readings()[0].rms);
        }
        REQUIRE(values.size() == 140);  // hop ends 14400 .. 47760 measured by frame 47999
        for (std::size_t k = 0; k < values.size(); ++k) {
            CHECK(values[k].first == 240 * (k + 60));
            CHECK(values[k].second == doctest::Approx(0.25).epsilon(1e-6));
        }
        CHECK(values[0].second == 0.25f);  // first full window: exact
    }

    SUBCASE("rms_max keeps the loudest window; rms is the latest") {
        std::vector<float> x(3 * 48000);
        for (std::size_t n = 0; n < x.size(); ++n) x[n] = n < 48000 ? 0.5f : 0.05f;
        const BankRun r = run_all(mono(), x);
        CHECK(r.folded[0].rms_max == 0.5f);
        CHECK(r.folded[0].rms == doctest::Approx(0.05).epsilon(1e-6));
    }

    SUBCASE("envelope ticks of 100 ms at absolute positions; the partial last tick at finish") {
        std::vector<float> x(48000 + 1000, 0.125f);
        x[4800 * 3 + 17] = -0.75f;
        const BankRun r = run_all(mono(), x);
        const auto env = events_of(r, EventType::Envelope);
        REQUIRE(env.size() == 11);
        for (std::size_t j = 0; j < env.size(); ++j) {
            CHECK(env[j].start_sample == 4800 * j);
            CHECK(env[j].end_sample == std::min<std::uint64_t>(4800 * (j + 1), x.size()) - 1);
            const double n = double(env[j].end_sample - env[j].start_sample + 1);
            CHECK(env[j].count == std::uint64_t(n));
            const double sq = j == 3 ? (n - 1) * 0.015625 + 0.5625 : n * 0.015625;
            CHECK(env[j].sum_squares == doctest::Approx(sq).epsilon(1e-7));
            CHECK(env[j].sample_peak == (j == 3 ? 0.75f : 0.125f));
            CHECK(env[j].true_peak >= env[j].sample_peak);
        }
        CHECK(env[10].count == 1000);
        // tick 5's windows (300 ms) still hold the -0.75 sample; from tick 7 on, only the DC
        const double with_spike = std::sqrt((14399 * 0.015625 + 0.5625) / 14400);
        CHECK(env[5].rms_window_max == doctest::Approx(with_spike).epsilon(1e-6));
        CHECK(env[7].rms_window_max == doctest::Approx(0.125).epsilon(1e-6));
        CHECK(env[0].rms_window_max == 0.0f);  // no full window yet (300 ms: the end of tick 2)
        CHECK(env[1].rms_window_max == 0.0f);
        CHECK(env[2].rms_window_max == doctest::Approx(0.125).epsilon(1e-6));
    }
}
