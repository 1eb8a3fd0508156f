#include "engine/session/session_log.hpp"

#include <cstring>
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
    R"({"type":"hot","time":"2026-11-23T10:15:03.500+00:00","channel":1,"start_sample":168000,"start_s":3.5,"end_s":3.6,"runs":4,"samples":40,"sample_peak_dbfs":-9.5,"true_peak_dbtp":-9.4})" "\n"
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
              "runs,samples,sample_peak_dbfs,true_peak_dbtp\n"
              "2026-11-23T10:15:02.000+00:00,00:00:02.000,3,Snare,close_drums,clip,96000,2.000000,2.000250,"
              "0.250,2,12,0.00,0.41\n"
              "2026-11-23T10:15:03.500+00:00,00:00:03.500,1,Vocal,vocals,hot,168000,3.500000,3.600000,"
              "100.000,4,40,-9.50,-9.40\n"
              "2026-11-23T10:15:05.000+00:00,00:00:05.000,2,\"Bass, DI\",bass,clip,240000,5.000000,5.000021,"
              "0.021,1,1,0.00,\n");
    }

    SUBCASE("Audacity labels: one per clip") {
        const std::string labels = audacity_labels(read_session(s));
        CHECK(labels ==
              "2.000000\t2.000250\tCLIP ch3 Snare +0.4 dBTP (12 samples)\n"
              "5.000000\t5.000021\tCLIP ch2 Bass, DI +0.0 dBFS (1 sample)\n");
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
