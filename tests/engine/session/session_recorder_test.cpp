#include "engine/session/session_recorder.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "engine/base/errors.hpp"
#include "engine/session/session_files.hpp"
#include "engine/session/session_log.hpp"
#include "engine/session/wall_time.hpp"
#include "tests/support/file_contents.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::LogCapture;
using headroom::test::slurp;
using headroom::test::TempDir;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

SourceInfo two_channels() {
    SourceInfo i;
    i.kind = "file";
    i.device = "take.wav";
    i.sample_rate = 48000.0;
    i.channels = 2;
    i.buffer_frames = 256;
    i.channel_names = {"Kick", "Snare"};
    return i;
}

std::vector<Preset> two_presets() {
    return {Preset{"close_drums", "Close-miked drums", -15, -12}, Preset{"close_drums", "Close-miked drums", -15, -12}};
}

MeterEvent envelope(int ch, std::uint64_t tick, float peak, float rms) {
    MeterEvent e;
    e.type = EventType::Envelope;
    e.channel = static_cast<std::uint16_t>(ch);
    e.start_sample = tick * 4800;
    e.end_sample = tick * 4800 + 4799;
    e.count = 4800;
    e.sample_peak = peak;
    e.true_peak = peak;
    e.rms_window_max = rms;
    e.sum_squares = 4800.0 * rms * rms;
    return e;
}

MeterEvent event(EventType t, int ch, std::uint64_t start, std::uint64_t count) {
    MeterEvent e;
    e.type = t;
    e.channel = static_cast<std::uint16_t>(ch);
    e.runs = 1;
    e.start_sample = start;
    e.end_sample = start + count - 1;
    e.count = count;
    e.sample_peak = 1.0f;
    e.true_peak = 1.2f;
    return e;
}

std::vector<json> lines_of(const fs::path& p) {
    std::ifstream in(p);
    std::vector<json> out;
    for (std::string l; std::getline(in, l);) out.push_back(json::parse(l));
    return out;
}


} // namespace

TEST_CASE("SessionRecorder") {
    TempDir tmp;

    SUBCASE("typed lines in order, event times from the sample clock, flushed before stop") {
        EventQueue q(4096);
        SessionRecorder rec(tmp.dir, two_channels(), MeterOptions{}, two_presets());
        const fs::path folder = rec.folder();
        CHECK(folder.parent_path() == tmp.dir);
        CHECK(folder.filename().string().size() >= 19);
        const json at_start = json::parse(slurp(folder / "session.json"));
        CHECK(at_start["end_time"].is_null());
        CHECK(at_start["channel_names"] == json({"Kick", "Snare"}));

        rec.start(q);
        for (std::uint64_t k = 0; k < 10; ++k) {
            q.try_push(envelope(0, k, 0.5f, 0.25f));
            q.try_push(envelope(1, k, 0.1f * static_cast<float>(k), 0.05f));
        }
        q.try_push(event(EventType::Clip, 1, 24000, 12));        // 0.5 s
        q.try_push(event(EventType::Hot, 0, 36000, 3));
        q.try_push(event(EventType::NonFinite, 0, 40000, 2));
        CaptureStatus s;
        s.frames = 48000;
        s.xruns = 2;
        rec.note_status(s);
        s.losses = 1;
        s.device_lost = true;
        s.lost_reason = "JACK server went away";
        rec.note_status(s);
        s.back_rate = 44100.0;  // back at another rate: still lost, and the log says why
        s.back_channels = 2;
        rec.note_status(s);
        rec.note_status(s);     // once per difference
        s.back_rate = 0.0;      // then back as the take began
        s.back_channels = 0;
        s.returns = 1;
        s.device_lost = false;
        rec.note_status(s);

        // On disk within a second, before stop() (the SIGKILL guarantee).
        std::vector<json> early;
        for (int i = 0; i < 40; ++i) {
            std::this_thread::sleep_for(25ms);
            early = lines_of(folder / "clips.jsonl");
            if (early.size() >= 8) break;
        }
        REQUIRE(early.size() == 8);
        rec.stop();

        const auto lines = lines_of(folder / "clips.jsonl");
        REQUIRE(lines.size() == 9);
        std::vector<std::string> types;
        for (const auto& l : lines) {
            types.push_back(l["type"]);
            CHECK(parse_iso8601_ms(l["time"].get<std::string>()).has_value());
        }
        CHECK(types == std::vector<std::string>{"start", "clip", "hot", "nonfinite", "xrun", "device_lost",
                                                "device_lost", "device_back", "stop"});
        CHECK(lines[6]["reason"] ==
              "the server is back at 44100 Hz with 2 capture ports; this take runs at 48000 Hz: not metering");
        const json& clip = lines[1];
        CHECK(clip["channel"] == 2);
        CHECK(clip["channel_name"] == "Snare");
        CHECK(clip["start_sample"] == 24000);
        CHECK(clip["clipped_samples"] == 12);
        const auto t_start = *parse_iso8601_ms(lines[0]["time"]);
        const auto dt = *parse_iso8601_ms(clip["time"]) - t_start;  // 24000 / 48000 s
        CHECK(dt >= 499);
        CHECK(dt <= 501);
        CHECK(lines[3]["samples"] == 2);
        CHECK(lines[4]["count"] == 2);
        CHECK(lines[5]["reason"] == "JACK server went away");
        CHECK(lines[8]["frames"] == 48000);

        // session.json rewritten atomically at the clean end.
        const json at_end = json::parse(slurp(folder / "session.json"));
        CHECK(at_end["start_time"] == lines[0]["time"]);
        CHECK(at_end["end_time"].is_string());
        CHECK(at_end["levels"]["file"] == "levels.f32");
        for (const auto& entry : fs::directory_iterator(folder))
            CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);

        // The envelope reads back: 10 records of 2 channels x (peak, rms).
        CHECK(fs::file_size(folder / "levels.f32") == 10 * 2 * 2 * 4);
        const SessionLog log = read_session(folder);
        REQUIRE(log.env_peak.size() == 2);
        REQUIRE(log.env_peak[1].size() == 10);
        CHECK(log.env_peak[0][3] == 0.5f);
        CHECK(log.env_rms[0][9] == 0.25f);
        CHECK(log.env_peak[1][7] == doctest::Approx(0.7f));
        CHECK(log.env_rms[1][0] == 0.05f);

        const SessionSummary sum = rec.summary();
        CHECK(sum.clips().size() == 1);
        CHECK(!rec.write_error());

        // What the recorder wrote, read back through the reader: the summary as the recorder
        // had it, the stream facts, and every line typed.
        CHECK(log.session.channel_summary == sum.channel_records(false));
        CHECK(log.session.frames == sum.frames());
        CHECK(log.session.levels.tick_frames == 4800);
        CHECK(log.session.start_time == lines[0]["time"].get<std::string>());
        REQUIRE(log.entries.size() == 9);
        const auto& read_clip = std::get<EventLine>(log.entries[1].line);
        CHECK(read_clip.channel_name == "Snare");
        CHECK(read_clip.samples == 12);
        CHECK(std::get<DeviceLostLine>(log.entries[5].line).reason == "JACK server went away");
        CHECK(std::get<StopLine>(log.entries[8].line).frames == 48000);
    }

    SUBCASE("an event still open is on disk within 1 s of its start, provisional; its final line replaces it") {
        // A real MeterBank: a full-scale sample every 100 ms on channel 1 merges (500 ms) into
        // one clip event that stays open while the samples go on (3 s here).
        MeterOptions o;
        o.provisional_events = true;  // as record and the window ask for them
        EventQueue q(4096);
        MeterBank bank(o, &q);
        SessionRecorder rec(tmp.dir, two_channels(), o, two_presets());
        rec.start(q);
        std::vector<float> block(2 * 480, 0.0f);  // 10 ms
        auto play = [&](int blocks, int& k) {
            for (int b = 0; b < blocks; ++b, ++k) {
                std::fill(block.begin(), block.end(), 0.0f);
                if (k % 10 == 5) block[0] = 1.0f;  // frame k * 480 on channel 1
                bank.process(block.data(), 480);
            }
        };
        int k = 0;
        play(100, k);  // 1.0 s: the event opened at 0.05 s, still open (next sample at 1.05 s)
        const std::uint64_t start = 5 * 480;
        std::vector<json> provisional;
        for (int i = 0; i < 40 && provisional.empty(); ++i) {
            std::this_thread::sleep_for(25ms);
            for (const auto& l : lines_of(rec.folder() / "clips.jsonl"))
                if (l["type"] == "clip") provisional.push_back(l);
        }
        REQUIRE(provisional.size() == 1);
        CHECK(provisional[0]["provisional"] == true);
        CHECK(provisional[0]["id"] == "clip-1-" + std::to_string(start));
        CHECK(provisional[0]["start_sample"] == start);
        CHECK(provisional[0]["runs"].get<int>() >= 6);  // as it stood at 0.65 s
        play(200, k);  // to 3.0 s: one more copy a second, no more
        bank.finish();
        rec.stop();
        int copies = 0, finals = 0;
        for (const auto& l : lines_of(rec.folder() / "clips.jsonl")) {
            if (l["type"] != "clip") continue;
            CHECK(l["id"] == "clip-1-" + std::to_string(start));
            (l["provisional"] == true ? copies : finals) += 1;
        }
        CHECK(copies >= 2);
        CHECK(copies <= 4);  // at most ~1/s over 3 s
        CHECK(finals == 1);
        CHECK(rec.summary().channel(0).clip_events == 1);  // counted once
        const SessionLog log = read_session(rec.folder());
        int seen = 0;
        for (const auto& e : log.entries)
            if (e.type == "clip") {
                ++seen;
                CHECK(!e.provisional);
                CHECK(e.runs == 30);
            }
        CHECK(seen == 1);
    }

    SUBCASE("a hot event around a clip: the clip's peak and its loudest moment, in the log and the summary") {
        // A real MeterBank: channel 1 a 997 Hz sine at 0.5 (hot against -12 dBFS) for 0.5 s,
        // 48 frames of it at 1.1 from frame 12000 (a clip). The loudest sample is in the clip.
        MeterOptions o;
        o.channels = 2;
        o.hot_ceiling_dbfs = {-12.0f, -12.0f};
        EventQueue q(4096);
        MeterBank bank(o, &q);
        SessionRecorder rec(tmp.dir, two_channels(), o, two_presets());
        rec.start(q);
        std::vector<float> x(48000 * 2, 0.0f);
        std::uint64_t loudest = 0;
        for (std::size_t f = 0; f < 24000; ++f) {
            const double g = f >= 12000 && f < 12048 ? 1.1 : 0.5;
            x[2 * f] = static_cast<float>(g * std::sin(2.0 * 3.141592653589793 * 997.0 * static_cast<double>(f) / 48000.0));
            if (std::fabs(x[2 * f]) > std::fabs(x[2 * loudest])) loudest = f;  // the first of the largest
        }
        REQUIRE(loudest >= 12000);
        REQUIRE(loudest < 12048);
        for (std::size_t f = 0; f < 48000; f += 480) bank.process(x.data() + 2 * f, 480);
        bank.finish();
        rec.stop();
        std::vector<json> clip, hot;
        for (const auto& l : lines_of(rec.folder() / "clips.jsonl")) {
            if (l["type"] == "clip") clip.push_back(l);
            if (l["type"] == "hot") hot.push_back(l);
        }
        REQUIRE(clip.size() == 1);
        REQUIRE(hot.size() == 1);
        CHECK(hot[0]["start_sample"].get<std::uint64_t>() < clip[0]["start_sample"].get<std::uint64_t>());
        CHECK(hot[0]["sample_peak_dbfs"] == clip[0]["sample_peak_dbfs"]);
        CHECK(hot[0]["sample_peak_dbfs"].get<double>() > 0.5);  // 1.1 is +0.83 dBFS
        CHECK(hot[0]["peak_sample"] == loudest);
        CHECK(clip[0]["peak_sample"] == loudest);
        const double loudest_s = std::round(static_cast<double>(loudest) / 48000.0 * 1e6) / 1e6;
        CHECK(hot[0]["peak_s"].get<double>() == loudest_s);
        const auto summary_hot = rec.summary().hot_json();
        REQUIRE(summary_hot.size() == 1);
        CHECK(summary_hot[0]["peak_sample"] == loudest);
        CHECK(summary_hot[0]["peak_s"].get<double>() == loudest_s);
        CHECK(rec.summary().clips_json()[0]["peak_sample"] == loudest);
        const SessionLog log = read_session(rec.folder());
        for (const auto& e : log.entries)
            if (e.type == "hot") CHECK(e.peak_sample == loudest);
    }

    SUBCASE("a flood of events that keeps the queue full: every event the summary counts is a line") {
        // 192,000 clip events a second (8 channels, --merge-ms 0) keep the queue full, so the
        // writer's drain never finds it empty; the lines it formats must reach the file as it
        // goes, never pile up past the retry backlog and vanish.
        EventQueue q(1u << 16);
        SessionRecorder rec(tmp.dir, two_channels(), MeterOptions{}, two_presets());
        rec.start(q);
        constexpr std::uint64_t kEvents = 120000;  // about 25 MB of lines: far over the 4 MB backlog
        std::thread producer([&] {
            for (std::uint64_t k = 0; k < kEvents;) {
                if (q.try_push(event(EventType::Clip, static_cast<int>(k % 2), 2 * k, 1))) ++k;
            }
        });
        producer.join();
        rec.stop();
        std::uint64_t clip_lines = 0, dropped_lines = 0;
        for (const auto& l : lines_of(rec.folder() / "clips.jsonl")) {
            if (l["type"] == "clip") ++clip_lines;
            if (l["type"] == "dropped") ++dropped_lines;
        }
        const SessionSummary sum = rec.summary();
        CHECK(sum.channel(0).clip_events + sum.channel(1).clip_events == kEvents);
        CHECK(clip_lines == kEvents);
        CHECK(dropped_lines == 0);
        CHECK(!rec.write_error());
    }

    SUBCASE("a channel name that is not UTF-8 is written, replaced, never thrown") {
        EventQueue q(64);
        SourceInfo info = two_channels();
        info.channel_names = {"Kick\xff", "Sn\xc3"};
        SessionRecorder rec(tmp.dir, info, MeterOptions{}, two_presets());
        rec.start(q);
        q.try_push(event(EventType::Clip, 0, 100, 2));
        rec.stop();
        const auto lines = lines_of(rec.folder() / "clips.jsonl");
        REQUIRE(lines.size() == 3);
        CHECK(lines[1]["channel_name"] == "Kick\xef\xbf\xbd");
        CHECK(json::parse(slurp(rec.folder() / "session.json"))["channel_names"][1] == "Sn\xef\xbf\xbd");
    }

    SUBCASE("a second session in the same second gets a suffix") {
        SessionRecorder a(tmp.dir, two_channels(), MeterOptions{}, two_presets());
        SessionRecorder b(tmp.dir, two_channels(), MeterOptions{}, two_presets());
        const std::string na = a.folder().filename().string(), nb = b.folder().filename().string();
        CHECK(na != nb);
        if (nb.substr(0, 19) == na.substr(0, 19)) CHECK(nb == na + "-2");
        CHECK(list_sessions(tmp.dir).size() == 2);
    }

    SUBCASE("an unwritable sessions folder throws OutputError naming it") {
        std::ofstream(tmp.dir / "file.txt") << "x";
        const fs::path bad = tmp.dir / "file.txt" / "sub";
        try {
            SessionRecorder r(bad, two_channels(), MeterOptions{}, two_presets());
            FAIL("no error");
        } catch (const OutputError& e) {
            CHECK(std::string(e.what()).find(bad.string()) != std::string::npos);
        }
    }

    SUBCASE("disk full: metering goes on, the error is reported once, writing resumes") {
        EventQueue q(4096);
        LogCapture logs;
        SessionRecorder rec(tmp.dir, two_channels(), MeterOptions{}, two_presets());
        rec.start(q);
        std::this_thread::sleep_for(60ms);
        const auto used = fs::file_size(rec.folder() / "clips.jsonl");

        rlimit old{};
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
        auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old;
        small.rlim_cur = used + 100;  // the first clip line is cut part-way
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        for (int i = 0; i < 20; ++i) {
            q.try_push(event(EventType::Clip, i % 2, 48000u * static_cast<unsigned>(i), 3));
            std::this_thread::sleep_for(10ms);
        }
        std::this_thread::sleep_for(1200ms);  // several retries
        const auto err = rec.write_error();
        const SessionSummary during = rec.summary();
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
        std::signal(SIGXFSZ, old_handler);

        REQUIRE(err.has_value());
        CHECK(err->find("clips.jsonl") != std::string::npos);
        CHECK(during.clips().size() == 20);               // metering went on
        CHECK(logs.count("cannot write") == 1);           // reported once
        CHECK(fs::file_size(rec.folder() / "clips.jsonl") <= used + 100);

        rec.stop();
        // The backlog was kept: every clip line is on disk, whole, and the gap is logged.
        const auto lines = lines_of(rec.folder() / "clips.jsonl");
        std::size_t clips = 0, gaps = 0;
        for (const auto& l : lines) {
            clips += l["type"] == "clip";
            gaps += l["type"] == "write_error";
        }
        CHECK(clips == 20);
        CHECK(gaps == 1);
        CHECK(lines.back()["type"] == "stop");
        CHECK(logs.count("cannot write") == 1);
    }
}
