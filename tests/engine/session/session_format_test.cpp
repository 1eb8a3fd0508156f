#include "engine/session/session_format.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include <doctest/doctest.h>

#include "engine/session/session_levels.hpp"
#include "engine/session/session_log.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::TempDir;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Every field away from its default.
SessionFileRecord full_session_file() {
    SessionFileRecord r;
    r.headroom_version = "9.8.7";
    r.source = "device";
    r.device = "Scarlett 18i20";
    r.host_api = "ALSA";
    r.sample_rate = 96000.0;
    r.buffer_frames = 128;
    r.channels = 2;
    r.channel_names = {"Kick", "Snare, top"};
    r.presets = {"close_drums", "vocals"};
    r.preset_windows = {Preset{"close_drums", "Close-miked drums", -15.0, -12.0},
                        Preset{"vocals", "Close-miked vocals", -16.5, -11.25}};
    r.start_time = "2026-11-23T10:15:00.000+01:00";
    r.end_time = "2026-11-23T10:20:00.250+01:00";
    r.meter = {-0.5, 3, 250.0, 1500.0, 400.0, false, true};
    r.levels = {"levels.f32", 10, 9600, 2, 1, "peak,rms per channel; float32 LE; linear"};
    r.frames = 28824000;
    const BandsRecord bands{BandLevelRecord{-3.5, -12.25}, BandLevelRecord{-6.0, std::nullopt},
                            BandLevelRecord{std::nullopt, std::nullopt}};
    ChannelSummaryRecord a{1, "close_drums", -0.12, 0.41, -18.5, -10.25, 3, 17, 2, 4.75, bands, -1.5};
    ChannelSummaryRecord b{2, "vocals", std::nullopt, std::nullopt, std::nullopt, std::nullopt, 0, 0, 0, std::nullopt,
                           std::nullopt, std::nullopt};
    r.channel_summary = std::vector<ChannelSummaryRecord>{a, b};
    r.buses = {BusRecord{"kit", {1, 2}, "mix_bus"}};
    r.bus_summary = std::vector<BusSummaryRecord>{
        BusSummaryRecord{"kit", {1, 2}, "mix_bus", -0.12, 0.41, -0.41, -14.25, -9.5, -11.75, 6.5, 14.66, bands, -2.25}};
    return r;
}

// One line of every type, every field away from its default.
std::vector<ClipsLine> every_line() {
    EventLine clip{"clip", "2026-11-23T10:15:02.000+01:00", 2, 96000, 1.0, 1.00025, 2, 12, 0.0, 0.41, 96003, 1.0000625,
                   "Snare, top",
                   "clip-2-96000", false, 4896000, 51.0};
    EventLine hot{"hot", "2026-11-23T10:15:03.500+01:00", 1, 336000, 3.5, 3.6, 4, 40, -9.5, -9.4, 340800, 3.55, "Kick",
                  "hot-1-336000", true, std::nullopt, std::nullopt};
    EventLine nonfinite{"nonfinite", "2026-11-23T10:15:04.000+01:00", 1, 384000, 4.0, 4.00001, 1, 1,
                        std::nullopt, std::nullopt, std::nullopt, std::nullopt, "Kick", "nonfinite-1-384000", false, 0, 0.0};
    return {
        StartLine{"2026-11-23T10:15:00.000+01:00", "2026-11-23T10-15-00", "device", "Scarlett 18i20", 96000.0, 2},
        clip,
        hot,
        nonfinite,
        XrunLine{"2026-11-23T10:15:05.000+01:00", 2, 5},
        DeviceLostLine{"2026-11-23T10:15:06.000+01:00", "JACK server went away", 576000},
        DeviceBackLine{"2026-11-23T10:15:09.000+01:00", 576000, 44100.0, 6},
        DroppedLine{"2026-11-23T10:15:10.000+01:00", 7, 9},
        WriteErrorLine{"2026-11-23T10:15:11.000+01:00", "/x/levels.f32: No space left on device", 12},
        StopLine{"2026-11-23T10:20:00.250+01:00", 28824000, 300.25, 9},
    };
}

void check_equal(const SessionFileRecord& got, const SessionFileRecord& want) {
    CHECK(got.headroom_version == want.headroom_version);
    CHECK(got.source == want.source);
    CHECK(got.device == want.device);
    CHECK(got.host_api == want.host_api);
    CHECK(got.sample_rate == want.sample_rate);
    CHECK(got.buffer_frames == want.buffer_frames);
    CHECK(got.channels == want.channels);
    CHECK(got.channel_names == want.channel_names);
    CHECK(got.presets == want.presets);
    REQUIRE(got.preset_windows.size() == want.preset_windows.size());
    for (std::size_t i = 0; i < want.preset_windows.size(); ++i) {
        CHECK(got.preset_windows[i].id == want.preset_windows[i].id);
        CHECK(got.preset_windows[i].name == want.preset_windows[i].name);
        CHECK(got.preset_windows[i].lo_dbfs == want.preset_windows[i].lo_dbfs);
        CHECK(got.preset_windows[i].hi_dbfs == want.preset_windows[i].hi_dbfs);
    }
    CHECK(got.start_time == want.start_time);
    CHECK(got.end_time == want.end_time);
    CHECK(got.meter == want.meter);
    CHECK(got.levels == want.levels);
    CHECK(got.frames == want.frames);
    CHECK(got.channel_summary == want.channel_summary);
    CHECK(got.buses == want.buses);
    CHECK(got.bus_summary == want.bus_summary);
}

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

} // namespace

TEST_CASE("session format") {
    SUBCASE("session.json: every field written is read back equal") {
        const SessionFileRecord want = full_session_file();
        check_equal(session_file_from_json(json::parse(session_json_text(want))), want);
    }

    SUBCASE("session.json before the end: null times, no frames, no channel summary") {
        SessionFileRecord early = full_session_file();
        early.start_time.reset();
        early.end_time.reset();
        early.frames.reset();
        early.channel_summary.reset();
        const json j = json::parse(session_json_text(early));
        CHECK(j["start_time"].is_null());
        CHECK(j["end_time"].is_null());
        CHECK(!j.contains("frames"));
        CHECK(!j.contains("channel_summary"));
        check_equal(session_file_from_json(j), early);
    }

    SUBCASE("clips.jsonl: every line type written is read back equal") {
        for (const ClipsLine& want : every_line()) {
            const std::string text = std::visit([](const auto& l) { return clips_line_text(l); }, want);
            REQUIRE(text.back() == '\n');
            CHECK(text.find('\n') == text.size() - 1);
            const ClipsLine got = clips_line_from_json(json::parse(text));
            CHECK(got.index() == want.index());
            CHECK(got == want);
        }
    }

    SUBCASE("every event type has the same keys; a clip also clipped_samples (the §4 clip object)") {
        const auto lines = every_line();
        for (int i : {1, 2, 3}) {
            const json j = json::parse(clips_line_text(std::get<EventLine>(lines[static_cast<std::size_t>(i)])));
            for (const char* key : kEventKeys) CHECK_MESSAGE(j.contains(key), key);
        }
        const json clip = json::parse(clips_line_text(std::get<EventLine>(lines[1])));
        CHECK(clip["samples"] == 12);
        CHECK(clip["clipped_samples"] == 12);
        CHECK(clip["id"] == "clip-2-96000");
        CHECK(clip["transport_frame"] == 4896000);
        const json hot = json::parse(clips_line_text(std::get<EventLine>(lines[2])));
        CHECK(hot["samples"] == 40);
        CHECK(hot["provisional"] == true);
        CHECK(hot["transport_s"].is_null());
        CHECK(hot["peak_sample"] == 340800);
        CHECK(hot["peak_s"] == 3.55);
        CHECK(clip["peak_sample"] == 96003);
        const json nonfinite = json::parse(clips_line_text(std::get<EventLine>(lines[3])));
        CHECK(nonfinite["peak_sample"].is_null());
        CHECK(nonfinite["peak_s"].is_null());
        CHECK(!hot.contains("clipped_samples"));
        const json back = json::parse(clips_line_text(std::get<DeviceBackLine>(lines[6])));
        CHECK(back["sample_rate"] == 44100);
        CHECK(back["channels"] == 6);
        CHECK(event_id("hot", 3, 96000) == "hot-3-96000");
    }

    SUBCASE("well-formed: what the writer writes; malformed: missing, negative, mistyped keys") {
        for (const ClipsLine& l : every_line()) {
            const std::string text = std::visit([](const auto& x) { return clips_line_text(x); }, l);
            CHECK_MESSAGE(clips_line_well_formed(json::parse(text)), text);
        }
        const json clip = json::parse(clips_line_text(std::get<EventLine>(every_line()[1])));
        auto with = [&](const char* key, const json& v) {
            json j = clip;
            j[key] = v;
            return j;
        };
        auto without = [&](const char* key) {
            json j = clip;
            j.erase(key);
            return j;
        };
        CHECK(!clips_line_well_formed(with("start_sample", -5)));
        CHECK(!clips_line_well_formed(with("start_sample", "96000")));
        CHECK(!clips_line_well_formed(with("start_sample", 1.5)));
        CHECK(!clips_line_well_formed(with("channel", 0)));
        CHECK(!clips_line_well_formed(with("channel", -1)));
        CHECK(!clips_line_well_formed(with("start_s", -1.0)));
        CHECK(!clips_line_well_formed(with("end_s", 0.5)));  // before start_s
        CHECK(!clips_line_well_formed(with("runs", nullptr)));
        CHECK(!clips_line_well_formed(with("sample_peak_dbfs", "loud")));
        CHECK(!clips_line_well_formed(with("provisional", "yes")));
        CHECK(!clips_line_well_formed(with("peak_sample", -3)));
        CHECK(!clips_line_well_formed(with("peak_s", "soon")));
        CHECK(clips_line_well_formed(with("peak_sample", nullptr)));
        CHECK(clips_line_well_formed(without("peak_s")));  // an older line
        CHECK(!clips_line_well_formed(with("time", 5)));
        CHECK(!clips_line_well_formed(without("start_sample")));
        CHECK(!clips_line_well_formed(without("end_s")));
        CHECK(!clips_line_well_formed(json::array({1, 2})));
        CHECK(!clips_line_well_formed(json::parse(R"({"type":"xrun","time":"t","count":-2,"total":1})")));
        CHECK(!clips_line_well_formed(json::parse(R"({"type":"stop","time":"t","frames":"all"})")));
        CHECK(clips_line_well_formed(json::parse(R"({"type":"start","time":"t"})")));  // hand-made: keys may be left out
        CHECK(clips_line_well_formed(json::parse(R"({"type":"future","time":"t","x":-1})")));
        CHECK(clips_line_well_formed(with("sample_peak_dbfs", nullptr)));
    }

    SUBCASE("an unknown line type keeps its type and time") {
        const ClipsLine l = clips_line_from_json(json::parse(R"({"type":"future","time":"t","x":1})"));
        CHECK(std::get<OtherLine>(l) == OtherLine{"future", "t"});
    }

    SUBCASE("mistyped keys read as defaults, never throw") {
        const json bad = json::parse(R"({"sample_rate":"fast","channels":[1],"channel_names":[1,"B"],
                                         "levels":7,"meter":{"merge_ms":"x"},"channel_summary":[{"channel":"one"}]})");
        const SessionFileRecord r = session_file_from_json(bad);
        CHECK(r.sample_rate == 0.0);
        CHECK(r.channels == 0);
        CHECK(r.channel_names == std::vector<std::string>{"", "B"});
        CHECK(r.levels == LevelsRecord{});
        CHECK(r.meter == MeterRecord{});
        REQUIRE(r.channel_summary.has_value());
        CHECK(r.channel_summary->at(0).channel == 0);
        const ClipsLine l = clips_line_from_json(json::parse(R"({"type":"xrun","time":"t","count":"many"})"));
        CHECK(std::get<XrunLine>(l).count == 0);
    }
}

TEST_CASE("a session written with the format reads back through read_session, every field equal") {
    TempDir tmp;
    const fs::path folder = tmp / "2026-11-23T10-15-00";
    fs::create_directories(folder);
    const SessionFileRecord file = full_session_file();
    write_text(folder / kSessionJsonFile, session_json_text(file));
    std::string clips;
    for (const ClipsLine& l : every_line()) clips += std::visit([](const auto& x) { return clips_line_text(x); }, l);
    write_text(folder / kClipsFile, clips);
    // Two channels, then the one bus's pair (short-term, momentary max): session_levels.hpp.
    const std::vector<float> tick0{0.5f, 0.25f, 0.125f, 0.0625f, 0.0f, 0.02f},
        tick1{1.0f, 0.75f, 0.01f, 0.005f, 0.004f, 0.03f};
    write_text(folder / kLevelsFile, encode_level_record(tick0) + encode_level_record(tick1));

    const SessionLog log = read_session(folder);
    check_equal(log.session, file);
    CHECK(log.sample_rate == 96000.0);
    CHECK(log.channels == 2);
    CHECK(log.channel_names == file.channel_names);
    CHECK(log.presets == file.presets);
    CHECK(!log.torn_tail);
    CHECK(log.bad_lines == 0);
    const auto want = every_line();
    REQUIRE(log.entries.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        CHECK(log.entries[i].line == want[i]);
        CHECK(log.entries[i].type == log.entries[i].raw["type"].get<std::string>());
        CHECK(log.entries[i].time == std::visit([](const auto& l) { return l.time; }, want[i]));
    }
    const SessionEntry& clip = log.entries[1];
    CHECK(clip.channel == 2);
    CHECK(clip.start_sample == 96000);
    CHECK(clip.start_s == 1.0);
    CHECK(clip.end_s == 1.00025);
    CHECK(clip.runs == 2);
    CHECK(clip.samples == 12);
    CHECK(clip.sample_peak_dbfs == 0.0);
    CHECK(clip.true_peak_dbtp == 0.41);
    REQUIRE(log.env_peak.size() == 2);
    CHECK(log.env_peak[0] == std::vector<float>{0.5f, 1.0f});
    CHECK(log.env_rms[0] == std::vector<float>{0.25f, 0.75f});
    CHECK(log.env_peak[1] == std::vector<float>{0.125f, 0.01f});
    CHECK(log.env_rms[1] == std::vector<float>{0.0625f, 0.005f});
    REQUIRE(log.bus_short_term.size() == 1);
    CHECK(log.bus_short_term[0] == std::vector<float>{0.0f, 0.004f});
    CHECK(log.bus_momentary_max[0] == std::vector<float>{0.02f, 0.03f});
}
