#include "engine/session/session_log.hpp"

#include <cstring>
#include <sys/stat.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/base/errors.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::TempDir;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

const char* kSessionJson = R"({"sample_rate": 48000, "channels": 3,
  "channel_names": ["Vocal", "Bass, DI", "Snare"], "presets": ["vocals", "bass", "close_drums"],
  "levels": {"file": "levels.f32", "rate_hz": 10, "channels": 3}})";

// Two clips, one hot event, status lines, a garbage line in the middle and a torn tail.
const char* kClips =
    R"({"type":"start","time":"2026-11-23T10:15:00.000+00:00","sample_rate":48000,"channels":3})" "\n"
    R"({"type":"clip","time":"2026-11-23T10:15:02.000+00:00","channel":3,"start_sample":96000,"start_s":2.0,"end_s":2.00025,"runs":2,"clipped_samples":12,"sample_peak_dbfs":0.0,"true_peak_dbtp":0.41,"channel_name":"Snare"})" "\n"
    "this is not json\n"
    R"({"type":"hot","time":"2026-11-23T10:15:03.500+00:00","channel":1,"start_sample":168000,"start_s":3.5,"end_s":3.6,"runs":4,"samples":40,"sample_peak_dbfs":-9.5,"true_peak_dbtp":-9.4,"peak_sample":170400,"peak_s":3.55})" "\n"
    R"({"type":"xrun","time":"2026-11-23T10:15:04.000+00:00","count":1,"total":1})" "\n"
    R"({"type":"clip","time":"2026-11-23T10:15:05.000+00:00","channel":2,"start_sample":240000,"start_s":5.0,"end_s":5.0000208333,"runs":1,"clipped_samples":1,"sample_peak_dbfs":0.0,"true_peak_dbtp":null})" "\n"
    R"({"type":"clip","time":"2026-11-23T10:15:0)";

} // namespace

TEST_CASE("read_session") {
    TempDir tmp;
    const fs::path s = tmp.dir / "2026-11-23T10-15-00";
    fs::create_directories(s);
    write_text(s / "session.json", kSessionJson);
    write_text(s / "clips.jsonl", kClips);

    SUBCASE("entries in file order; torn tail and bad lines tolerated") {
        const SessionLog log = read_session(s);
        CHECK(log.name == "2026-11-23T10-15-00");
        CHECK(log.sample_rate == 48000.0);
        CHECK(log.channels == 3);
        CHECK(log.channel_names == std::vector<std::string>{"Vocal", "Bass, DI", "Snare"});
        CHECK(log.presets == std::vector<std::string>{"vocals", "bass", "close_drums"});
        REQUIRE(log.entries.size() == 5);
        CHECK(log.torn_tail);
        CHECK(log.bad_lines == 1);
        const SessionEntry& c = log.entries[1];
        CHECK(c.type == "clip");
        CHECK(c.channel == 3);
        CHECK(c.start_sample == 96000);
        CHECK(c.runs == 2);
        CHECK(c.samples == 12);
        CHECK(*c.true_peak_dbtp == 0.41);
        CHECK(log.entries[2].samples == 40);
        CHECK(!log.entries[4].true_peak_dbtp.has_value());
        CHECK(log.env_peak.empty());
    }

    SUBCASE("a complete file has no torn tail") {
        std::string whole = kClips;
        whole.resize(whole.rfind('\n') + 1);
        write_text(s / "clips.jsonl", whole);
        const SessionLog log = read_session(s);
        CHECK(!log.torn_tail);
        CHECK(log.entries.size() == 5);
    }

    SUBCASE("levels.f32 read back; a torn last record is ignored") {
        std::string bytes;
        for (int k = 0; k < 4; ++k)
            for (int c = 0; c < 3; ++c)
                for (int w = 0; w < 2; ++w) {
                    const float v = static_cast<float>(k) + 0.1f * static_cast<float>(c) + (w ? 0.01f : 0.0f);
                    char b[4];
                    std::memcpy(b, &v, 4);  // this machine is little-endian (x86, arm64)
                    bytes.append(b, 4);
                }
        bytes.append("\x01\x02\x03\x04\x05", 5);  // torn
        write_text(s / "levels.f32", bytes);
        const SessionLog log = read_session(s);
        REQUIRE(log.env_peak.size() == 3);
        REQUIRE(log.env_peak[0].size() == 4);
        CHECK(log.env_peak[2][3] == 3.2f);
        CHECK(log.env_rms[1][2] == 2.1f + 0.01f);
    }

    SUBCASE("CSV: header row, exact cells, quoted names") {
        const std::string csv = session_csv(read_session(s));
        CHECK(csv ==
              "time,timecode,channel,channel_name,preset,type,start_sample,start_s,end_s,duration_ms,"
              "runs,samples,sample_peak_dbfs,true_peak_dbtp,peak_sample,peak_s,transport_s,id,provisional\n"
              "2026-11-23T10:15:02.000+00:00,00:00:02.000,3,Snare,close_drums,clip,96000,2.000000,2.000250,"
              "0.250,2,12,0.00,0.41,,,,clip-3-96000,false\n"
              "2026-11-23T10:15:03.500+00:00,00:00:03.500,1,Vocal,vocals,hot,168000,3.500000,3.600000,"
              "100.000,4,40,-9.50,-9.40,170400,3.550000,,hot-1-168000,false\n"
              "2026-11-23T10:15:05.000+00:00,00:00:05.000,2,\"Bass, DI\",bass,clip,240000,5.000000,5.000021,"
              "0.021,1,1,0.00,,,,,clip-2-240000,false\n");
    }

    SUBCASE("Audacity labels: one per clip") {
        const std::string labels = audacity_labels(read_session(s));
        CHECK(labels ==
              "2.000000\t2.000250\tCLIP ch3 Snare +0.4 dBTP (12 samples)\n"
              "5.000000\t5.000021\tCLIP ch2 Bass, DI +0.0 dBFS (1 sample)\n");
    }

    SUBCASE("malformed lines (negative, mistyped, missing fields) are skipped and counted, never printed") {
        std::string text = kClips;
        text.resize(text.rfind('\n') + 1);
        text += R"({"type":"clip","time":"2026-11-23T10:15:06.000+00:00","channel":1,"start_sample":-5,"start_s":6.0,"end_s":6.1,"runs":1,"clipped_samples":1,"sample_peak_dbfs":0.0,"true_peak_dbtp":null})" "\n"
                R"({"type":"hot","time":"2026-11-23T10:15:07.000+00:00","channel":"two","start_sample":5,"start_s":6.0,"end_s":6.1,"runs":1,"samples":1,"sample_peak_dbfs":0.0})" "\n"
                R"({"type":"clip","time":"2026-11-23T10:15:08.000+00:00","channel":1,"start_s":6.0,"end_s":6.1,"runs":1,"clipped_samples":1})" "\n"
                R"(["an","array"])" "\n";
        write_text(s / "clips.jsonl", text);
        const SessionLog log = read_session(s);
        CHECK(log.bad_lines == 5);  // the garbage line, the three events, the array
        CHECK(log.entries.size() == 5);
        for (const auto& e : log.entries) CHECK(e.start_sample < 1000000);
    }

    SUBCASE("an event on a channel the session does not have, or a line of an unknown type, is malformed") {
        std::string text = kClips;
        text.resize(text.rfind('\n') + 1);
        text += R"({"type":"clip","time":"2026-11-23T10:15:06.000+00:00","channel":99,"start_sample":5,"start_s":6.0,"end_s":6.1,"runs":1,"clipped_samples":1,"sample_peak_dbfs":0.0,"true_peak_dbtp":null})" "\n"
                R"({"type":"weird","time":"x"})" "\n";
        write_text(s / "clips.jsonl", text);
        const SessionLog log = read_session(s);
        CHECK(log.bad_lines == 3);  // the garbage line, channel 99 of 3, the unknown type
        CHECK(log.entries.size() == 5);
    }

    SUBCASE("a provisional line is replaced by its final line: each event once, wherever it is read") {
        std::string text = kClips;
        text.resize(text.rfind('\n') + 1);
        // A hot event on channel 1 still open after 0.6 s and 1.6 s, then closed; a clip on
        // channel 2 still open when the session was killed.
        text += R"({"type":"hot","time":"2026-11-23T10:15:06.000+00:00","id":"hot-1-288000","provisional":true,"channel":1,"start_sample":288000,"start_s":6.0,"end_s":6.5,"runs":3,"samples":30,"sample_peak_dbfs":-9.0,"true_peak_dbtp":-8.9})" "\n"
                R"({"type":"hot","time":"2026-11-23T10:15:06.000+00:00","id":"hot-1-288000","provisional":true,"channel":1,"start_sample":288000,"start_s":6.0,"end_s":7.5,"runs":9,"samples":90,"sample_peak_dbfs":-8.0,"true_peak_dbtp":-7.9})" "\n"
                R"({"type":"clip","time":"2026-11-23T10:15:07.000+00:00","id":"clip-2-336000","provisional":true,"channel":2,"start_sample":336000,"start_s":7.0,"end_s":7.6,"runs":5,"samples":5,"clipped_samples":5,"sample_peak_dbfs":0.0,"true_peak_dbtp":0.2})" "\n"
                R"({"type":"hot","time":"2026-11-23T10:15:06.000+00:00","id":"hot-1-288000","provisional":false,"channel":1,"start_sample":288000,"start_s":6.0,"end_s":8.0,"runs":12,"samples":120,"sample_peak_dbfs":-7.0,"true_peak_dbtp":-6.9})" "\n";
        write_text(s / "clips.jsonl", text);
        const SessionLog log = read_session(s);
        CHECK(log.bad_lines == 1);
        REQUIRE(log.entries.size() == 7);
        int hot = 0, open = 0;
        for (const auto& e : log.entries) {
            if (e.type == "hot" && e.channel == 1 && e.start_sample == 288000) {
                ++hot;
                CHECK(!e.provisional);
                CHECK(e.samples == 120);
            }
            open += e.provisional ? 1 : 0;
        }
        CHECK(hot == 1);
        CHECK(open == 1);  // the clip killed while open stays, marked
        const std::string csv = session_csv(log);
        CHECK(csv.find("hot-1-288000,false") != std::string::npos);
        CHECK(csv.find("clip-2-336000,true") != std::string::npos);
        CHECK(csv.find("hot-1-288000,true") == std::string::npos);
    }

    SUBCASE("CSV and markers in time order, whatever the order of the lines") {
        // Lines are written when events close: a long hot event comes after the clips inside it.
        std::string text =
            R"({"type":"clip","time":"t","channel":2,"start_sample":96000,"start_s":2.0,"end_s":2.1,"runs":1,"samples":3,"sample_peak_dbfs":0.0,"true_peak_dbtp":0.5})" "\n"
            R"({"type":"hot","time":"t","channel":1,"start_sample":48000,"start_s":1.0,"end_s":4.0,"runs":9,"samples":900,"sample_peak_dbfs":-3.0,"true_peak_dbtp":-2.5})" "\n"
            R"({"type":"clip","time":"t","channel":1,"start_sample":96000,"start_s":2.0,"end_s":2.0001,"runs":1,"samples":1,"sample_peak_dbfs":0.0,"true_peak_dbtp":null})" "\n";
        write_text(s / "clips.jsonl", text);
        const SessionLog log = read_session(s);
        const auto events = session_events(log);
        REQUIRE(events.size() == 3);
        CHECK(events[0]->type == "hot");
        CHECK(events[1]->channel == 1);
        CHECK(events[2]->channel == 2);
        const std::string csv = session_csv(log);
        CHECK(csv.find(",hot,48000,") < csv.find(",clip,96000,"));
        CHECK(reaper_markers(log) ==
              "#,Name,Start,End,Length\n"
              "R1,HOT ch1 Vocal -2.5 dBTP (900 samples),0:01.000,0:04.000,0:03.000\n"
              "M1,CLIP ch1 Vocal +0.0 dBFS (1 sample),0:02.000,,\n"
              "M2,\"CLIP ch2 Bass, DI +0.5 dBTP (3 samples)\",0:02.000,,\n");
        CHECK(!has_transport_timeline(log));
        CHECK(audacity_labels(log, Timeline::transport).empty());  // no positions: nothing to place
    }

    SUBCASE("markers at transport time when the events carry it") {
        const std::string text =
            R"({"type":"clip","time":"t","channel":1,"start_sample":96000,"start_s":2.0,"end_s":2.5,"runs":1,"samples":3,"sample_peak_dbfs":0.0,"true_peak_dbtp":null,"transport_frame":5856000,"transport_s":122.0})" "\n"
            R"({"type":"hot","time":"t","channel":3,"start_sample":192000,"start_s":4.0,"end_s":6.0,"runs":1,"samples":3,"sample_peak_dbfs":-6.0,"true_peak_dbtp":null,"transport_frame":172800000,"transport_s":3600.0})" "\n";
        write_text(s / "clips.jsonl", text);
        const SessionLog log = read_session(s);
        CHECK(has_transport_timeline(log));
        CHECK(audacity_labels(log, Timeline::transport) == "122.000000\t122.500000\tCLIP ch1 Vocal +0.0 dBFS (3 samples)\n");
        CHECK(audacity_labels(log, Timeline::session) == "2.000000\t2.500000\tCLIP ch1 Vocal +0.0 dBFS (3 samples)\n");
        CHECK(reaper_markers(log, Timeline::transport) ==
              "#,Name,Start,End,Length\n"
              "M1,CLIP ch1 Vocal +0.0 dBFS (3 samples),2:02.000,,\n"
              "R1,HOT ch3 Snare -6.0 dBFS (3 samples),1:00:00.000,1:00:02.000,0:02.000\n");
    }

    SUBCASE("a clips.jsonl that is a FIFO or a folder is named, never read (no hang)") {
        fs::remove(s / "clips.jsonl");
        REQUIRE(::mkfifo((s / "clips.jsonl").c_str(), 0644) == 0);
        const SessionLog log = read_session(s);  // would block forever on a plain open + read
        REQUIRE(log.problems.size() == 1);
        CHECK(log.problems[0].find("clips.jsonl: not a regular file") != std::string::npos);
        CHECK(log.entries.empty());
        fs::remove(s / "clips.jsonl");
        fs::create_directories(s / "clips.jsonl");
        CHECK(read_session(s).problems.size() == 1);
    }

    SUBCASE("a session.json that is not JSON is named") {
        write_text(s / "session.json", "\x7f\x45\x4c\x46 binary");
        const SessionLog log = read_session(s);
        REQUIRE(log.problems.size() == 1);
        CHECK(log.problems[0].find("session.json") != std::string::npos);
        CHECK(log.entries.size() == 5);
    }

    SUBCASE("not a session") {
        fs::create_directories(tmp.dir / "empty");
        CHECK_THROWS_AS(read_session(tmp.dir / "empty"), InputError);
        CHECK_THROWS_AS(read_session(tmp.dir / "missing"), InputError);
    }
}

TEST_CASE("list_sessions and resolve_session") {
    TempDir tmp;
    SUBCASE("no sessions: the message says where it looked") {
        try {
            (void)resolve_session("", tmp.dir);
            FAIL("no error");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find(tmp.dir.string()) != std::string::npos);
        }
    }
    for (const char* n : {"2026-11-23T10-15-00-10", "2026-11-22T09-00-00", "2026-11-23T10-15-00",
                          "2026-11-23T10-15-00-2"}) {
        fs::create_directories(tmp.dir / n);
        write_text(tmp.dir / n / "clips.jsonl", "");
    }
    fs::create_directories(tmp.dir / "not-a-session");
    // Folders that hold session files but are not named as sessions are never the newest.
    for (const char* n : {"zzz-backup", "2026-11-23T10-15-00-x", "2099-99-99T99-99-9", "2026-11-23T10-15-00-"}) {
        fs::create_directories(tmp.dir / n);
        write_text(tmp.dir / n / "clips.jsonl", "");
    }
    const auto all = list_sessions(tmp.dir);
    REQUIRE(all.size() == 4);
    CHECK(all[0].filename() == "2026-11-22T09-00-00");
    CHECK(all[1].filename() == "2026-11-23T10-15-00");
    CHECK(all[2].filename() == "2026-11-23T10-15-00-2");
    CHECK(all[3].filename() == "2026-11-23T10-15-00-10");
    CHECK(resolve_session("", tmp.dir).filename() == "2026-11-23T10-15-00-10");
    CHECK(resolve_session("2026-11-22T09-00-00", tmp.dir) == tmp.dir / "2026-11-22T09-00-00");
    CHECK(resolve_session((tmp.dir / "2026-11-23T10-15-00").string(), "/nonexistent") ==
          tmp.dir / "2026-11-23T10-15-00");
    CHECK_THROWS_AS((void)resolve_session("2020-01-01T00-00-00", tmp.dir), InputError);
}

TEST_CASE("session_timecode") {
    CHECK(session_timecode(3723.4567) == "01:02:03.457");
}
