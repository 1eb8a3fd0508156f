#include "engine/session/session_summary.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace headroom {
namespace {

constexpr double kRate = 48000.0;
constexpr std::uint64_t kTick = 4800;

Preset preset(const char* id, double lo, double hi) {
    Preset p;
    p.id = id;
    p.name = id;
    p.lo_dbfs = lo;
    p.hi_dbfs = hi;
    return p;
}

float lin(double db) { return static_cast<float>(std::pow(10.0, db / 20.0)); }

MeterEvent tick(std::uint16_t ch, std::uint64_t k, float peak, double sum_sq = 0.0, float rms_max = 0.0f) {
    MeterEvent e;
    e.type = EventType::Envelope;
    e.channel = ch;
    e.start_sample = k * kTick;
    e.end_sample = (k + 1) * kTick - 1;
    e.count = kTick;
    e.sample_peak = peak;
    e.true_peak = peak;
    e.sum_squares = sum_sq;
    e.rms_window_max = rms_max;
    return e;
}

SessionSummary one_channel(const Preset& p) { return SessionSummary(kRate, {p}, {}); }

} // namespace

TEST_CASE("SessionSummary") {
    const Preset general = preset("general", -18.0, -12.0);
    const Preset vocals = preset("vocals", -15.0, -12.0);

    SUBCASE("levels fold over envelope ticks; whole-stream RMS from sum_squares / frames") {
        SessionSummary s(kRate, {general, vocals}, {"Kick"});
        // Channel 1: tick 0 at 0.5 (x^2 sum for a constant 0.5), tick 1 at 0.25.
        s.add(tick(0, 0, 0.5f, 0.25 * kTick, 0.5f));
        s.add(tick(0, 1, 0.25f, 0.0625 * kTick, 0.25f));
        CHECK(s.channel(0).name == "Kick");
        CHECK(s.channel(1).name == "In 2");
        CHECK(s.channel(0).sample_peak == 0.5f);
        CHECK(s.channel(0).frames == 2 * kTick);
        CHECK(s.frames() == 2 * kTick);
        const auto j = s.channels_json(false);
        REQUIRE(j.size() == 2);
        CHECK(j[0]["channel"] == 1);
        CHECK(j[0]["preset"] == "general");
        CHECK(j[0]["sample_peak_dbfs"].get<double>() == -6.02);
        CHECK(j[0]["true_peak_dbtp"].get<double>() == -6.02);
        // mean x^2 = (0.25 + 0.0625) / 2 = 0.15625 -> 10 log10 = -8.0618 -> -8.06
        CHECK(j[0]["rms_dbfs"].get<double>() == -8.06);
        CHECK(j[0]["rms_max_dbfs"].get<double>() == -6.02);
        // --rms aes17 adds 3.01 dB to both RMS fields, never to peaks.
        const auto a = s.channels_json(true);
        CHECK(a[0]["rms_dbfs"].get<double>() == -5.05);
        CHECK(a[0]["rms_max_dbfs"].get<double>() == -3.01);
        CHECK(a[0]["sample_peak_dbfs"].get<double>() == -6.02);
    }

    SUBCASE("JSON field names and order are exactly DESIGN.md section 4; silence is null") {
        SessionSummary s = one_channel(vocals);
        s.add(tick(0, 0, 0.0f));  // digital silence
        const auto j = s.channels_json(false);
        std::vector<std::string> keys;
        for (auto it = j[0].begin(); it != j[0].end(); ++it) keys.push_back(it.key());
        CHECK(keys == std::vector<std::string>{"channel", "preset", "sample_peak_dbfs", "true_peak_dbtp",
                                               "rms_dbfs", "rms_max_dbfs", "clip_events", "clipped_samples",
                                               "nonfinite_samples", "gain_advice_db", "bands", "low_share_db"});
        CHECK(j[0]["sample_peak_dbfs"].is_null());
        CHECK(j[0]["true_peak_dbtp"].is_null());
        CHECK(j[0]["rms_dbfs"].is_null());
        CHECK(j[0]["rms_max_dbfs"].is_null());
        CHECK(j[0]["gain_advice_db"].is_null());
        CHECK(j[0]["clip_events"] == 0);
        // No tick at all: null as well, not a division by zero.
        SessionSummary empty = one_channel(vocals);
        CHECK(empty.channels_json(false)[0]["rms_dbfs"].is_null());
        CHECK(empty.frames() == 0);
    }

    SUBCASE("clip, hot and non-finite events") {
        SessionSummary s(kRate, {general, general}, {});
        MeterEvent c;
        c.type = EventType::Clip;
        c.channel = 1;
        c.runs = 2;
        c.start_sample = 96000;
        c.end_sample = 96004;
        c.count = 5;
        c.sample_peak = 1.0f;
        c.true_peak = lin(0.6);
        s.add(c);
        MeterEvent h = c;
        h.type = EventType::Hot;
        h.count = 7;
        s.add(h);
        MeterEvent n;
        n.type = EventType::NonFinite;
        n.channel = 0;
        n.count = 3;
        s.add(n);
        n.count = 2;
        s.add(n);
        MeterEvent stray = c;
        stray.channel = 9;  // beyond the channel count: ignored, no crash
        s.add(stray);

        CHECK(s.channel(1).clip_events == 1);
        CHECK(s.channel(1).clipped_samples == 5);
        CHECK(s.channel(1).hot_events == 1);
        CHECK(s.channel(0).nonfinite_samples == 5);
        CHECK(s.channel(0).clip_events == 0);
        REQUIRE(s.clips().size() == 1);
        REQUIRE(s.hot().size() == 1);

        const auto j = s.channels_json(false);
        CHECK(j[1]["clip_events"] == 1);
        CHECK(j[1]["clipped_samples"] == 5);
        CHECK(j[0]["nonfinite_samples"] == 5);
        CHECK(j[1]["sample_peak_dbfs"].get<double>() == 0.0);

        const auto clips = s.clips_json();
        REQUIRE(clips.size() == 1);
        std::vector<std::string> keys;
        for (auto it = clips[0].begin(); it != clips[0].end(); ++it) keys.push_back(it.key());
        CHECK(keys == std::vector<std::string>{"channel", "start_sample", "start_s", "end_s", "runs",
                                               "clipped_samples", "sample_peak_dbfs", "true_peak_dbtp",
                                               "peak_sample", "peak_s"});
        CHECK(clips[0]["channel"] == 2);
        CHECK(clips[0]["start_sample"] == 96000);
        CHECK(clips[0]["start_s"].get<double>() == 2.0);
        CHECK(clips[0]["end_s"].get<double>() == 2.000104);  // 96005 / 48000 = 2.00010417
        CHECK(clips[0]["runs"] == 2);
        CHECK(clips[0]["true_peak_dbtp"].get<double>() == 0.6);
        CHECK(clips[0].dump().find("-0.0") == std::string::npos);
        const auto hot = event_json(s.hot()[0], kRate, true);
        CHECK(hot["samples"] == 7);
        CHECK_FALSE(hot.contains("clipped_samples"));
    }

    SUBCASE("gain advice: centre of the window minus the loud peaks, after 10 s of activity") {
        SessionSummary s = one_channel(vocals);  // centre -13.5
        // Constant -20 dBFS peaks: 400 ms values from the 4th tick on, all -20 dBFS.
        for (std::uint64_t k = 0; k < 102; ++k) s.add(tick(0, k, lin(-20.0)));
        CHECK(s.active_seconds(0) == doctest::Approx(9.9));
        CHECK_FALSE(s.gain_advice_db(0).has_value());  // 99 values: 9.9 s, not yet
        CHECK(s.channels_json(false)[0]["gain_advice_db"].is_null());
        s.add(tick(0, 102, lin(-20.0)));                // the 100th value: 10 s
        REQUIRE(s.gain_advice_db(0).has_value());
        CHECK(*s.gain_advice_db(0) == doctest::Approx(6.5).epsilon(1e-6));
        CHECK(s.channels_json(false)[0]["gain_advice_db"].get<double>() == 6.5);
    }

    SUBCASE("gain advice on a clipped channel: at least what brings its loudest peak to the centre, never on target") {
        SessionSummary s = one_channel(vocals);  // centre -13.5
        for (std::uint64_t k = 0; k < 120; ++k) s.add(tick(0, k, lin(-14.0)));  // the 95th percentile: +0.5
        REQUIRE(s.gain_advice_db(0).has_value());
        CHECK(*s.gain_advice_db(0) == doctest::Approx(0.5).epsilon(1e-5));
        MeterEvent clip;
        clip.type = EventType::Clip;
        clip.channel = 0;
        clip.start_sample = 5 * kTick;
        clip.count = 3;
        clip.sample_peak = 1.0f;
        clip.true_peak = lin(0.9);   // +0.9 dBTP: the loudest peak
        s.add(clip);
        REQUIRE(s.gain_advice_db(0).has_value());
        CHECK(*s.gain_advice_db(0) == doctest::Approx(-14.4).epsilon(1e-5));
        CHECK(s.channels_json(false)[0]["gain_advice_db"].get<double>() == -14.4);
        SessionSummary early = one_channel(vocals);  // a clip in the first 10 s: advice at once
        early.add(clip);
        REQUIRE(early.gain_advice_db(0).has_value());
        CHECK(*early.gain_advice_db(0) == doctest::Approx(-14.4).epsilon(1e-5));
    }

    SUBCASE("true peak not measured (--true-peak off): every true-peak figure is null") {
        SessionSummary s(kRate, {general}, {}, false);
        CHECK_FALSE(s.true_peak_measured());
        s.add(tick(0, 0, lin(-6.0)));
        MeterEvent c;
        c.type = EventType::Clip;
        c.channel = 0;
        c.runs = 1;
        c.start_sample = 100;
        c.end_sample = 100;
        c.count = 1;
        c.sample_peak = 1.0f;
        c.true_peak = 1.0f;  // the meter's stand-in: the sample peak
        s.add(c);
        const auto j = s.channels_json(false);
        CHECK(j[0]["true_peak_dbtp"].is_null());
        CHECK(j[0]["sample_peak_dbfs"].get<double>() == 0.0);
        CHECK_FALSE(s.channel_records(false)[0].true_peak_dbtp.has_value());
        const auto clips = s.clips_json();
        REQUIRE(clips.size() == 1);
        CHECK(clips[0]["true_peak_dbtp"].is_null());
        CHECK(clips[0]["sample_peak_dbfs"].get<double>() == 0.0);
        CHECK_FALSE(event_record(c, kRate, false).true_peak_dbtp.has_value());
        CHECK(event_record(c, kRate, true).true_peak_dbtp == 0.0);
        CHECK(one_channel(general).true_peak_measured());  // measured unless said otherwise
    }

    SUBCASE("gain advice: the 95th percentile by nearest rank of the 400 ms values") {
        SessionSummary s = one_channel(general);  // centre -15
        // Rising tick peaks: each 400 ms value is its newest tick, -50 + 0.2 k dBFS for k = 3..199.
        for (std::uint64_t k = 0; k < 200; ++k) s.add(tick(0, k, lin(-50.0 + 0.2 * static_cast<double>(k))));
        // n = 197 values; rank ceil(0.95 * 197) = 188 -> k = 190 -> -12 dBFS -> advice -3 dB.
        REQUIRE(s.gain_advice_db(0).has_value());
        CHECK(*s.gain_advice_db(0) == doctest::Approx(-3.0).epsilon(1e-5));
    }

    SUBCASE("gain advice: a 400 ms value is the max of 4 consecutive ticks") {
        SessionSummary s = one_channel(general);
        // A -6 dBFS tick every 4th tick, silence between: every 400 ms window holds one.
        for (std::uint64_t k = 0; k < 110; ++k) s.add(tick(0, k, k % 4 == 0 ? lin(-6.0) : 0.0f));
        REQUIRE(s.gain_advice_db(0).has_value());
        CHECK(*s.gain_advice_db(0) == doctest::Approx(-9.0).epsilon(1e-5));
        // Every 5th tick: one window in 5 holds none and is inactive, so 10 s needs more ticks.
        SessionSummary t = one_channel(general);
        for (std::uint64_t k = 0; k < 110; ++k) t.add(tick(0, k, k % 5 == 0 ? lin(-6.0) : 0.0f));
        CHECK(t.active_seconds(0) == doctest::Approx(0.1 * 85));
        CHECK_FALSE(t.gain_advice_db(0).has_value());
    }

    SUBCASE("gain advice: the -60 dBFS gate; silence never gets advice") {
        SessionSummary below = one_channel(general);
        SessionSummary above = one_channel(general);
        SessionSummary silent = one_channel(general);
        for (std::uint64_t k = 0; k < 300; ++k) {
            below.add(tick(0, k, lin(-60.01)));
            above.add(tick(0, k, lin(-59.99)));
            silent.add(tick(0, k, 0.0f));
        }
        CHECK(below.active_seconds(0) == 0.0);
        CHECK_FALSE(below.gain_advice_db(0).has_value());
        REQUIRE(above.gain_advice_db(0).has_value());
        CHECK(*above.gain_advice_db(0) == doctest::Approx(-15.0 + 59.99).epsilon(1e-5));
        CHECK_FALSE(silent.gain_advice_db(0).has_value());
        // Quiet passages below the gate do not pull the loud peaks down.
        SessionSummary mixed = one_channel(general);
        for (std::uint64_t k = 0; k < 2000; ++k)
            mixed.add(tick(0, k, k < 1000 ? lin(-70.0) : lin(-24.0)));
        REQUIRE(mixed.gain_advice_db(0).has_value());
        CHECK(*mixed.gain_advice_db(0) == doctest::Approx(9.0).epsilon(1e-5));
    }

    SUBCASE("a deliberately wrong expectation fails") {
        SessionSummary s = one_channel(vocals);
        for (std::uint64_t k = 0; k < 103; ++k) s.add(tick(0, k, lin(-20.0)));
        CHECK_FALSE(*s.gain_advice_db(0) == doctest::Approx(6.6).epsilon(1e-6));
    }
}

} // namespace headroom
