#include "engine/settings/config.hpp"

#include <cstdlib>
#include <sys/stat.h>
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "engine/base/errors.hpp"
#include "tests/support/file_contents.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::slurp;
using headroom::test::TempDir;
using headroom::test::write_text;

TEST_CASE("config") {
    SUBCASE("line of an offset") {
        const std::string t = "{\n  \"a\": 1,\n  oops\n}\n";
        CHECK(line_of_offset(t, 0) == 1);
        CHECK(line_of_offset(t, 2) == 2);
        CHECK(line_of_offset(t, t.find("oops")) == 3);
        CHECK(line_of_offset(t, 10000) == 4);
    }

    SUBCASE("a missing file gives defaults and no error") {
        TempDir d;
        const auto r = load_config(d / "none.json");
        CHECK_FALSE(r.existed);
        CHECK_FALSE(r.error.has_value());
        CHECK(r.writable());
        CHECK(r.config.devices.empty());
        CHECK(r.config.display.peak_hold_s == doctest::Approx(1.0));
        CHECK(r.config.display.clip_auto_reset_s == 0.0);
    }

    SUBCASE("round trip through disk") {
        TempDir d;
        Config c;
        c.devices["demo"] = {{"Lead vox", "vocals"}, {"", "bass"}};
        c.devices["device:Scarlett 18i20"] = {{"Kick", "close_drums"}};
        c.user_presets.push_back({"loud_synth", "Loud synth", -10.0, -6.0});
        c.display.peak_hold_s = 2.0;
        c.display.peak_hold_infinite = true;
        c.display.clip_auto_reset_s = 5.0;
        c.display.compact = true;
        c.meter.clip_threshold = "-0.5";
        const auto path = d / "sub" / "config.json";
        save_config(c, path);
        const auto r = load_config(path);
        REQUIRE_FALSE(r.error.has_value());
        CHECK(r.existed);
        REQUIRE(r.config.devices.size() == 2);
        const auto& demo = r.config.devices.at("demo");
        REQUIRE(demo.size() == 2);
        CHECK(demo[0].name == "Lead vox");
        CHECK(demo[0].preset == "vocals");
        CHECK(demo[1].preset == "bass");
        REQUIRE(r.config.user_presets.size() == 1);
        CHECK(r.config.user_presets[0].id == "loud_synth");
        CHECK(r.config.user_presets[0].lo_dbfs == doctest::Approx(-10.0));
        CHECK(r.config.user_presets[0].hi_dbfs == doctest::Approx(-6.0));
        CHECK(r.config.display.peak_hold_s == doctest::Approx(2.0));
        CHECK(r.config.display.peak_hold_infinite);
        CHECK(r.config.display.clip_auto_reset_s == doctest::Approx(5.0));
        CHECK(r.config.display.compact);
        CHECK(r.config.meter.clip_threshold == "-0.5");
        // No temporary file is left behind.
        int files = 0;
        for (const auto& e : std::filesystem::directory_iterator(path.parent_path())) {
            (void)e;
            ++files;
        }
        CHECK(files == 1);
    }

    SUBCASE("a corrupt file is reported with its line, left untouched, defaults used") {
        TempDir d;
        const auto path = d / "config.json";
        const std::string text =
            "{\n"
            "  \"devices\": {\n"
            "    \"demo\": {\"channels\": [{\"name\": \"Kick\" \"preset\": \"bass\"}]}\n"
            "  }\n"
            "}\n";
        write_text(path, text);
        const auto r = load_config(path);
        REQUIRE(r.error.has_value());
        CHECK_FALSE(r.writable());
        CHECK(r.error->find(path.string() + ":3: ") == 0);
        CHECK(r.error->find("parse error") == std::string::npos);  // our line, not nlohmann's prefix
        CHECK(r.config.devices.empty());
        CHECK(slurp(path) == text);
    }

    SUBCASE("a truncated file names its last line") {
        try {
            (void)config_from_text("{\n  \"display\": {\n    \"compact\": true,\n", "cfg.json");
            FAIL("no error");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).rfind("cfg.json:3: ", 0) == 0);
        }
    }

    SUBCASE("buses per device and the band view round-trip; bad buses are named") {
        TempDir d;
        Config c;
        c.devices["demo"] = {{"Kick", "close_drums"}};
        c.buses["demo"] = {{"mix", {1, 2}, ""}, {"surround", {3, 4, 5, 6, 7, 8}, "master_in"}};
        c.buses["device:Only buses"] = {{"drums", {2, 1}, "mix_bus"}};
        c.display.bands = true;
        const auto path = d / "config.json";
        save_config(c, path);
        const auto r = load_config(path);
        REQUIRE_FALSE(r.error.has_value());
        CHECK(r.config.display.bands);
        REQUIRE(r.config.buses.size() == 2);
        const auto& demo = r.config.buses.at("demo");
        REQUIRE(demo.size() == 2);
        CHECK(demo[0].name == "mix");
        CHECK(demo[0].channels == std::vector<int>{1, 2});
        CHECK(demo[0].preset.empty());
        CHECK(demo[1].channels.size() == 6);
        CHECK(demo[1].preset == "master_in");
        CHECK(r.config.buses.at("device:Only buses")[0].channels == std::vector<int>{2, 1});
        CHECK(r.config.devices.at("demo").size() == 1);  // the channels beside the buses are kept
        const char* bad_buses[][2] = {
            {R"({"devices": {"demo": {"buses": {}}}})", "\"buses\" is not an array"},
            {R"({"devices": {"demo": {"buses": [{"name": "", "channels": [1]}]}}})", "bus 1: \"name\""},
            {R"({"devices": {"demo": {"buses": [{"name": "a=b", "channels": [1]}]}}})", "must not contain '='"},
            {R"({"devices": {"demo": {"buses": [{"name": "m", "channels": []}]}}})", "non-empty array"},
            {R"({"devices": {"demo": {"buses": [{"name": "m", "channels": [0]}]}}})", "0 is not a channel number"},
            {R"({"devices": {"demo": {"buses": [{"name": "m", "channels": [1.5]}]}}})", "1.5 is not a channel number"},
            {R"({"devices": {"demo": {"buses": [{"name": "m", "channels": [1, 1]}]}}})", "1 is given twice"},
            {R"({"devices": {"demo": {"buses": [{"name": "m", "channels": [1], "preset": 3}]}}})", "\"preset\" is not a string"},
            {R"({"devices": {"demo": {"buses": [{"name": "m", "channels": [1]}, {"name": "m", "channels": [2]}]}}})",
             "bus 2: \"name\": 'm' is given twice"},
        };
        for (const auto& b : bad_buses) {
            CAPTURE(b[0]);
            CHECK_THROWS_WITH_AS(config_from_text(b[0], "c.json"), doctest::Contains(b[1]), InputError);
        }
    }

    SUBCASE("bad fields are named") {
        CHECK_THROWS_WITH_AS(config_from_text(R"({"display": {"peak_hold_s": 99}})", "c.json"),
                             doctest::Contains("peak_hold_s"), InputError);
        CHECK_THROWS_WITH_AS(config_from_text(R"({"presets": [{"id": "x", "lo": -3, "hi": -9}]})", "c.json"),
                             doctest::Contains("presets[0]"), InputError);
        CHECK_THROWS_WITH_AS(config_from_text(R"({"devices": {"demo": {"channels": [{"name": 3}]}}})", "c.json"),
                             doctest::Contains("\"name\" is not a string"), InputError);
        CHECK_THROWS_AS(config_from_text("[1, 2]", "c.json"), InputError);
        const auto r = load_config(std::filesystem::path("/nonexistent-dir/for/sure.json"));
        CHECK_FALSE(r.error.has_value());
    }

    SUBCASE("meter.true_peak: a boolean in the file, on/off as --true-peak spells it") {
        CHECK(config_from_text("{}", "c.json").meter.true_peak.empty());  // not set: on
        CHECK(config_from_text(R"({"meter": {"true_peak": false}})", "c.json").meter.true_peak == "off");
        CHECK(config_from_text(R"({"meter": {"true_peak": true}})", "c.json").meter.true_peak == "on");
        // Not a boolean: kept as its JSON text for the command to report (one key, default used),
        // and written back as it was.
        const Config maybe = config_from_text(R"({"meter": {"true_peak": "maybe"}})", "c.json");
        CHECK(maybe.meter.true_peak == "\"maybe\"");
        CHECK(config_to_json(maybe)["meter"]["true_peak"] == "maybe");
        Config c;
        CHECK_FALSE(config_to_json(c)["meter"].contains("true_peak"));  // unset stays unset
        c.meter.true_peak = "off";
        const nlohmann::json j = config_to_json(c);
        CHECK(j["meter"]["true_peak"] == false);
        CHECK(config_from_text(j.dump(), "c.json").meter.true_peak == "off");
        c.meter.true_peak = "on";
        CHECK(config_to_json(c)["meter"]["true_peak"] == true);
    }

    SUBCASE("a meter value of the wrong type is kept as its JSON text, not a whole-file error") {
        const Config c = config_from_text(R"({"meter": {"clip_threshold": "banana", "merge_ms": -5,
                                                        "rms_window": [1], "clip_min_run": true}})", "c.json");
        CHECK(c.meter.clip_threshold == "banana");
        CHECK(c.meter.merge_ms == "-5");
        CHECK(c.meter.rms_window == "[1]");
        CHECK(c.meter.clip_min_run == "true");
    }

    SUBCASE("version: 1 or absent is read; any other is the file's error, naming the key") {
        CHECK_NOTHROW(config_from_text(R"({"version": 1})", "c.json"));
        CHECK_NOTHROW(config_from_text(R"({})", "c.json"));
        CHECK_THROWS_WITH_AS(config_from_text(R"({"version": 2})", "c.json"),
                             doctest::Contains("c.json: \"version\" is 2; this headroom reads version 1"), InputError);
        CHECK_THROWS_WITH_AS(config_from_text(R"({"version": "one"})", "c.json"),
                             doctest::Contains("\"version\" is \"one\""), InputError);
        CHECK(config_to_json(Config{})["version"] == kConfigVersion);
    }

    SUBCASE("a folder or a FIFO given as the config: its error, never read (a FIFO would block)") {
        TempDir d;
        const auto dir_load = load_config(d.dir);
        REQUIRE(dir_load.error.has_value());
        CHECK(dir_load.error->find("not a regular file (a folder)") != std::string::npos);
        CHECK_FALSE(dir_load.writable());
        const auto fifo = d / "fifo.json";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        const auto fifo_load = load_config(fifo);  // returns at once (no writer would ever come)
        REQUIRE(fifo_load.error.has_value());
        CHECK(fifo_load.error->find("fifo.json: not a regular file") != std::string::npos);
    }

    SUBCASE("window: size, position, UI scale and the log's place round-trip; bad values are named") {
        const Config d = config_from_text("{}", "c.json");
        CHECK(d.window.width == 0);
        CHECK_FALSE(d.window.has_position);
        CHECK(d.window.ui_scale == 0.0);  // follow the monitor
        Config c;
        c.window = {1200, 700, true, -30, 40, 1.5, true};
        const Config r = config_from_text(config_to_json(c).dump(), "c.json");
        CHECK(r.window.width == 1200);
        CHECK(r.window.height == 700);
        CHECK(r.window.has_position);
        CHECK(r.window.x == -30);
        CHECK(r.window.y == 40);
        CHECK(r.window.ui_scale == 1.5);
        CHECK(r.window.log_docked);
    }

    SUBCASE("a bad window value is that key's problem: reported, its default used, the rest read") {
        auto read = [](const std::string& window, std::vector<std::string>& problems) {
            return config_from_text(R"({"devices": {"demo": {"channels": [{"name": "Vox", "preset": "vocals"}]}},
                                        "meter": {"clip_threshold": "-3"}, "window": )" + window + "}",
                                    "c.json", &problems);
        };
        std::vector<std::string> p;
        Config c = read(R"({"width": 1200, "height": 700, "ui_scale": "big", "log_docked": true})", p);
        REQUIRE(p.size() == 1);
        CHECK(p[0] == "c.json: window.\"ui_scale\" is not a number; the default is used");
        CHECK(c.window.ui_scale == 0.0);
        CHECK(c.window.width == 1200);
        CHECK(c.window.height == 700);
        CHECK(c.window.log_docked);
        REQUIRE(c.devices.count("demo") == 1);
        CHECK(c.devices["demo"][0].name == "Vox");
        CHECK(c.meter.clip_threshold == "-3");

        p.clear();
        c = read(R"({"ui_scale": 9, "x": "left", "y": 10, "log_docked": "yes", "width": -5})", p);
        REQUIRE(p.size() == 4);
        CHECK(p[0] == "c.json: window.\"width\" is -5, outside 0..32768; the default is used");
        CHECK(p[1] == "c.json: window.\"x\" is not a number; the default is used");
        CHECK(p[2] == "c.json: window.\"ui_scale\" is 9, outside 0..4; the default is used");
        CHECK(p[3] == "c.json: window.\"log_docked\" is not true or false; the default is used");
        CHECK_FALSE(c.window.has_position);
        CHECK(c.window.ui_scale == 0.0);
        CHECK(c.devices["demo"][0].name == "Vox");

        p.clear();
        c = read(R"({"ui_scale": 0.2})", p);
        REQUIRE(p.size() == 1);
        CHECK(p[0].find("window.\"ui_scale\" is 0.2, not 0 (follow the monitor) or 0.5 .. 4") != std::string::npos);
        p.clear();
        c = read("3", p);
        REQUIRE(p.size() == 1);
        CHECK(p[0] == "c.json: \"window\" is not an object; the defaults are used");
        CHECK(c.devices["demo"][0].name == "Vox");

        // Through load_config: no file error (it stays writable), the problem listed.
        TempDir t;
        write_text(t / "config.json", R"({"devices": {"demo": {"channels": [{"name": "Vox"}]}}, "window": {"ui_scale": "big"}})");
        const ConfigLoad l = load_config(t / "config.json");
        CHECK_FALSE(l.error.has_value());
        REQUIRE(l.problems.size() == 1);
        CHECK(l.problems[0] == (t / "config.json").string() + ": window.\"ui_scale\" is not a number; the default is used");
        CHECK(l.config.devices.at("demo")[0].name == "Vox");
    }

    SUBCASE("atomic write replaces the whole file") {
        TempDir d;
        const auto path = d / "f.txt";
        write_text_atomically(path, "first, a long line of text\n");
        write_text_atomically(path, "second\n");
        CHECK(slurp(path) == "second\n");
        CHECK_THROWS_AS(write_text_atomically("/proc/headroom-cannot/x.txt", "x"), OutputError);
    }

    SUBCASE("default path follows XDG_CONFIG_HOME") {
        const char* old = std::getenv("XDG_CONFIG_HOME");
        const std::string saved = old ? old : "";
        ::setenv("XDG_CONFIG_HOME", "/tmp/xdg-test", 1);
        CHECK(default_config_path() == std::filesystem::path("/tmp/xdg-test/headroom/config.json"));
        if (old) ::setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
        else ::unsetenv("XDG_CONFIG_HOME");
    }

    SUBCASE("device keys") {
        CHECK(device_key("demo", "Demo studio") == "demo");
        CHECK(device_key("file", "/tmp/take.wav") == "file:take.wav");
        CHECK(device_key("device", "Scarlett 18i20 USB") == "device:Scarlett 18i20 USB");
    }
}
