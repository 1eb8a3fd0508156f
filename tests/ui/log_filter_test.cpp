#include "ui/log_filter.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.hpp"

using namespace headroom;
using namespace headroom::ui;
using headroom::test::TempDir;

namespace {

SessionEntry entry(const char* type, int channel, double start_s, double end_s, std::optional<double> peak,
                   std::optional<double> tp, std::uint64_t runs, const char* time) {
    SessionEntry e;
    e.type = type;
    e.channel = channel;
    e.start_s = start_s;
    e.end_s = end_s;
    e.sample_peak_dbfs = peak;
    e.true_peak_dbtp = tp;
    e.runs = runs;
    e.time = time;
    return e;
}

SessionLog sample_log() {
    SessionLog l;
    l.channels = 3;
    l.channel_names = {"Vocal", "Bass", "Snare"};
    l.presets = {"vocals", "bass", "close_drums"};
    l.entries = {
        entry("start", 0, 0, 0, {}, {}, 0, "2026-11-23T10:00:00.000Z"),
        entry("clip", 1, 5.0, 5.01, 0.0, 0.9, 2, "2026-11-23T10:00:05.000Z"),
        entry("hot", 3, 2.0, 4.0, -2.0, -1.5, 4, "2026-11-23T10:00:02.000Z"),
        entry("clip", 3, 9.0, 9.5, 0.0, 2.2, 7, "2026-11-23T10:00:09.000Z"),
        entry("xrun", 0, 0, 0, {}, {}, 0, "2026-11-23T10:00:07.000Z"),
        entry("nonfinite", 2, 1.0, 1.0, {}, {}, 1, "2026-11-23T10:00:01.000Z"),
    };
    return l;
}

} // namespace

TEST_CASE("log filter") {
    const SessionLog log = sample_log();

    SUBCASE("by type") {
        LogFilter f;
        CHECK(filter_entries(log, f) == std::vector<int>{1, 2, 3, 5});
        f.hot = false;
        f.nonfinite = false;
        CHECK(filter_entries(log, f) == std::vector<int>{1, 3});
        f.other = true;
        CHECK(filter_entries(log, f) == std::vector<int>{0, 1, 3, 4});
    }

    SUBCASE("by channel") {
        LogFilter f;
        f.channel = 3;
        f.other = true;  // device lines name no channel: not shown for one channel
        CHECK(filter_entries(log, f) == std::vector<int>{2, 3});
    }

    SUBCASE("sorting by each column") {
        std::vector<int> rows = filter_entries(log, LogFilter{});
        sort_entries(rows, log, LogColumn::Timecode, true);
        CHECK(rows == std::vector<int>{5, 2, 1, 3});
        sort_entries(rows, log, LogColumn::Timecode, false);
        CHECK(rows == std::vector<int>{3, 1, 2, 5});
        sort_entries(rows, log, LogColumn::TruePeak, false);
        CHECK(rows == std::vector<int>{3, 1, 2, 5});  // null last descending
        sort_entries(rows, log, LogColumn::SamplePeak, true);
        CHECK(rows.front() == 5);                    // null first ascending
        sort_entries(rows, log, LogColumn::Duration, false);
        CHECK(rows.front() == 2);                    // 2000 ms
        sort_entries(rows, log, LogColumn::Channel, true);
        CHECK(rows == std::vector<int>{1, 5, 2, 3}); // ties keep file order
        sort_entries(rows, log, LogColumn::Runs, true);
        CHECK(rows == std::vector<int>{5, 1, 2, 3});
        sort_entries(rows, log, LogColumn::Time, true);
        CHECK(rows == std::vector<int>{5, 2, 1, 3});
        sort_entries(rows, log, LogColumn::Type, true);
        CHECK(log.entries[rows.front()].type == "clip");
        sort_entries(rows, log, LogColumn::Preset, true);
        CHECK(channel_preset(log, log.entries[rows.front()].channel) == "bass");
    }

    SUBCASE("timecodes and names") {
        CHECK(session_timecode(0.0) == "00:00:00.000");
        CHECK(session_timecode(3723.4567) == "01:02:03.457");
        CHECK(session_timecode(-1.0) == "00:00:00.000");
        CHECK(channel_name(log, 2) == "Bass");
        CHECK(channel_name(log, 7) == "In 7");
        CHECK(channel_name(log, 0).empty());
        CHECK(duration_ms(log.entries[3]) == doctest::Approx(500.0));
        CHECK(loudest_moment_text(log.entries[2]).empty());  // a line without peak_sample
        SessionEntry hot = log.entries[2];
        hot.peak_sample = 592560;
        hot.peak_s = 12.345;
        CHECK(loudest_moment_text(hot) == "loudest at 00:00:12.345 (sample 592560)");
    }

    SUBCASE("per-channel summary") {
        const auto s = summarize(log, {{-15, -12}, {-15, -12}, {-15, -12}});
        REQUIRE(s.size() == 3);
        CHECK(s[0].clip_events == 1);
        CHECK(s[2].clip_events == 1);
        CHECK(s[2].hot_events == 1);
        CHECK(s[1].clip_events == 0);
        REQUIRE(s[2].max_true_peak_dbtp.has_value());
        CHECK(*s[2].max_true_peak_dbtp == doctest::Approx(2.2));
        CHECK(*s[2].max_sample_peak_dbfs == doctest::Approx(0.0));
        CHECK_FALSE(s[1].max_true_peak_dbtp.has_value());
        CHECK_FALSE(s[0].gain_advice_db.has_value());  // no envelope
    }

    SUBCASE("gain advice: the recorder's channel_summary in session.json, read as written") {
        // The session.json the recorder writes at a clean end (no levels.f32: the advice can
        // come only from the summary). The old reader looked for a "summary" key and found none.
        TempDir tmp;
        const auto folder = tmp / "2026-11-23T10-00-00";
        std::filesystem::create_directories(folder);
        SessionFileRecord file;
        file.sample_rate = 48000.0;
        file.channels = 2;
        file.channel_names = {"Vocal", "Bass"};
        file.presets = {"vocals", "bass"};
        file.frames = 960000;
        ChannelSummaryRecord vocal, bass;
        vocal.channel = 1;
        vocal.gain_advice_db = 4.25;
        bass.channel = 2;
        file.channel_summary = std::vector<ChannelSummaryRecord>{vocal, bass};
        std::ofstream(folder / "session.json") << session_json_text(file);
        const auto s = summarize(read_session(folder), {{-15, -12}, {-15, -12}});
        REQUIRE(s.size() == 2);
        REQUIRE(s[0].gain_advice_db.has_value());
        CHECK(*s[0].gain_advice_db == 4.25);
        CHECK_FALSE(s[1].gain_advice_db.has_value());
    }

    SUBCASE("the summary is the recorder's own: true peak and advice of channels without events") {
        // Channel 2 logged no event; the recorder measured its true peak and gave no advice yet.
        // The old summary showed "--" for its true peak and estimated the advice from the
        // envelope (a different rule from the strip's).
        SessionLog l = log;
        l.env_peak.assign(3, std::vector<float>(200, static_cast<float>(std::pow(10.0, -20.0 / 20.0))));
        std::vector<ChannelSummaryRecord> live(3);
        for (int c = 0; c < 3; ++c) live[c].channel = c + 1;
        live[1].sample_peak_dbfs = -3.5;
        live[1].true_peak_dbtp = -3.2;
        live[0].gain_advice_db = -0.8;
        live[2].clip_events = 3;  // the recorder has counted events the file does not hold yet
        const auto s = summarize(l, {{-15, -12}, {-15, -12}, {-15, -12}}, &live);
        REQUIRE(s[1].max_true_peak_dbtp.has_value());
        CHECK(*s[1].max_true_peak_dbtp == doctest::Approx(-3.2));
        CHECK(*s[1].max_sample_peak_dbfs == doctest::Approx(-3.5));
        CHECK_FALSE(s[1].gain_advice_db.has_value());  // the recorder's null, not an estimate
        CHECK_FALSE(s[1].estimated);
        REQUIRE(s[0].gain_advice_db.has_value());
        CHECK(*s[0].gain_advice_db == doctest::Approx(-0.8));
        CHECK(s[2].clip_events == 3);
        CHECK(s[0].clip_events == 1);                  // the logged event, the record lagging
        CHECK(*s[2].max_true_peak_dbtp == doctest::Approx(2.2));
        // Without a record (killed session): the envelope's estimate, marked as such.
        const auto e = summarize(l, {{-15, -12}, {-15, -12}, {-15, -12}});
        CHECK(e[1].estimated);
        REQUIRE(e[1].gain_advice_db.has_value());
        CHECK(*e[1].gain_advice_db == doctest::Approx(6.5).epsilon(1e-3));
    }

    SUBCASE("live reload: an event appended to clips.jsonl is read within 0.2 s") {
        LiveReload r;
        CHECK(r.due(0.0, 100));
        r.read_done(0.0, 0.002, 100);
        double t = 0.0;
        while (t < 0.5 && !r.due(t, 100)) t += 1.0 / 60.0;
        CHECK(t >= 0.5);                 // nothing new: no re-read before the full period
        // The recorder appends a line at 0.5 s; frames come every 1/60 s.
        double seen = -1.0;
        for (t = 0.5; t < 3.0; t += 1.0 / 60.0)
            if (r.due(t, 180)) {
                seen = t;
                break;
            }
        CHECK(seen >= 0.5);
        CHECK(seen - 0.5 <= 0.2);
        // A slow read (long session) spaces the reads: at most about 10 % of the time.
        r.read_done(seen, 0.05, 180);
        CHECK_FALSE(r.due(seen + 0.3, 260));
        CHECK(r.due(seen + 0.55, 260));
        // Nothing changes: still a full re-read every 2 s (the level envelope).
        LiveReload q;
        q.read_done(0.0, 0.0, 10);
        CHECK_FALSE(q.due(1.9, 10));
        CHECK(q.due(2.0, 10));
    }

    SUBCASE("gain advice from the envelope needs 10 s of activity") {
        std::vector<float> peaks(96, static_cast<float>(std::pow(10.0, -20.0 / 20.0)));  // 9.6 s
        CHECK_FALSE(gain_advice_from_envelope(peaks, -15.0, -12.0).has_value());
        peaks.resize(200, static_cast<float>(std::pow(10.0, -20.0 / 20.0)));             // 20 s at -20
        const auto g = gain_advice_from_envelope(peaks, -15.0, -12.0);
        REQUIRE(g.has_value());
        CHECK(*g == doctest::Approx(6.5).epsilon(1e-3));  // -20 -> centre -13.5
        peaks.resize(400, 0.0f);                           // silence does not count
        CHECK(*gain_advice_from_envelope(peaks, -15.0, -12.0) == doctest::Approx(6.5).epsilon(1e-3));
    }
}
