#include "engine/settings/presets.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include <doctest/doctest.h>

#include "engine/base/errors.hpp"

using namespace headroom;

namespace {

const std::string kSourceAssets = std::string(HEADROOM_SOURCE_DIR) + "/assets";

PresetTable shipped() { return PresetTable::load_file(kSourceAssets + "/presets.json"); }

// Sets an environment variable for one scope.
struct ScopedEnv {
    std::string name;
    std::string old;
    bool had;
    ScopedEnv(const char* n, const std::string& v) : name(n) {
        const char* o = std::getenv(n);
        had = o != nullptr;
        if (had) old = o;
        ::setenv(n, v.c_str(), 1);
    }
    ~ScopedEnv() {
        if (had) ::setenv(name.c_str(), old.c_str(), 1);
        else ::unsetenv(name.c_str());
    }
};

} // namespace

TEST_CASE("PresetTable") {
    SUBCASE("the shipped table is DESIGN.md section 3, in order") {
        const auto t = shipped();
        struct Row { const char* id; double lo, hi; };
        const Row rows[] = {{"vocals", -15, -12},   {"guitar_di", -18, -15}, {"acoustic", -20, -18},
                            {"overheads", -18, -15}, {"bass", -15, -12},      {"close_drums", -15, -12},
                            {"general", -18, -12},   {"mix_bus", -10, -6},    {"master_in", -6, -3}};
        REQUIRE(t.all().size() == std::size(rows));
        for (std::size_t i = 0; i < std::size(rows); ++i) {
            CAPTURE(rows[i].id);
            CHECK(t.all()[i].id == rows[i].id);
            CHECK(t.all()[i].lo_dbfs == rows[i].lo);
            CHECK(t.all()[i].hi_dbfs == rows[i].hi);
            CHECK_FALSE(t.all()[i].name.empty());
        }
        CHECK(t.find("vocals")->name == "Close-miked vocals");
        CHECK(t.find("nope") == nullptr);
        CHECK(t.general().id == "general");
        CHECK(t.general().centre() == -15.0);
        CHECK(t.ids_joined() ==
              "vocals, guitar_di, acoustic, overheads, bass, close_drums, general, mix_bus, master_in");
    }
    SUBCASE("load_builtin finds the folder named by HEADROOM_ASSETS_DIR") {
        ScopedEnv env("HEADROOM_ASSETS_DIR", kSourceAssets);
        CHECK(assets_dir() == std::filesystem::path(kSourceAssets));
        CHECK(asset_dir_candidates().front() == std::filesystem::path(kSourceAssets));
        CHECK(PresetTable::load_builtin().find("mix_bus")->hi_dbfs == -6.0);
    }
    SUBCASE("the search order continues next to the executable, then the prefix") {
        ScopedEnv env("HEADROOM_ASSETS_DIR", "/nonexistent/headroom-assets");
        const auto c = asset_dir_candidates();
        REQUIRE(c.size() == 4);
        CHECK(c[0] == "/nonexistent/headroom-assets");
        CHECK(c[1].filename() == "assets");
        CHECK(c[2].filename() == "headroom");
        CHECK(c[3].filename() == "headroom");
        CHECK(assets_dir() != std::filesystem::path("/nonexistent/headroom-assets"));
    }
    SUBCASE("bad tables are refused with the origin and the reason") {
        auto msg = [](const std::string& text) {
            try {
                PresetTable::from_json_text(text, "x.json");
            } catch (const InputError& e) {
                return std::string(e.what());
            }
            return std::string("accepted");
        };
        CHECK(msg("{").rfind("x.json: ", 0) == 0);
        CHECK(msg("{\"nopresets\": []}") == "x.json: no \"presets\" array");
        CHECK(msg("[]") == "x.json: the preset list is empty");
        CHECK(msg(R"([{"name":"a","lo":-1,"hi":0}])").find("no string \"id\"") != std::string::npos);
        CHECK(msg(R"([{"id":"a","lo":-1}])").find("\"hi\" is missing") != std::string::npos);
        CHECK(msg(R"([{"id":"a","lo":-1,"hi":-2}])").find("lo <= hi <= 0") != std::string::npos);
        CHECK(msg(R"([{"id":"a","lo":-1,"hi":1}])").find("lo <= hi <= 0") != std::string::npos);
        CHECK(msg(R"([{"id":"Bad Id","lo":-2,"hi":-1}])").find("id may only use") != std::string::npos);
        CHECK(msg(R"([{"id":"a","lo":-2,"hi":-1},{"id":"a","lo":-2,"hi":-1}])") ==
              "x.json: preset id 'a' appears twice");
        CHECK(msg(R"([{"id":"a","lo":-2,"hi":-1}])") == "accepted");
        CHECK_THROWS_AS(PresetTable::load_file("/nonexistent/presets.json"), InputError);
        CHECK_THROWS_AS(PresetTable::load_file(HEADROOM_SOURCE_DIR), InputError);
    }
    SUBCASE("a bare array without general still has the default general") {
        const auto t = PresetTable::from_json_text(R"([{"id":"a","lo":-2,"hi":-1}])", "x");
        CHECK(t.find("a")->name == "a");
        CHECK(t.general().lo_dbfs == -18.0);
        CHECK(t.general().hi_dbfs == -12.0);
    }
    SUBCASE("user presets replace by id in place, or append") {
        auto t = shipped();
        t.add_or_replace({"vocals", "Quiet vocals", -20.0, -16.0});
        CHECK(t.all().size() == 9);
        CHECK(t.all()[0].name == "Quiet vocals");
        CHECK(t.find("vocals")->lo_dbfs == -20.0);
        t.add_or_replace({"kick_in", "Kick inside", -12.0, -8.0});
        CHECK(t.all().size() == 10);
        CHECK(t.all().back().id == "kick_in");
        CHECK_THROWS_AS(t.add_or_replace({"x", "X", -6.0, -9.0}), UsageError);
        CHECK_THROWS_AS(t.add_or_replace({"", "X", -9.0, -6.0}), UsageError);
        CHECK(t.all().size() == 10);
    }
}

TEST_CASE("zone_of") {
    const Preset vocals{"vocals", "Close-miked vocals", -15.0, -12.0};
    const double clip = -0.1;
    const double inf = std::numeric_limits<double>::infinity();
    const double e = 1e-9;
    SUBCASE("silence") {
        CHECK(zone_of(-inf, vocals, clip) == Zone::Silent);
        CHECK(zone_of(std::nan(""), vocals, clip) == Zone::Silent);
    }
    SUBCASE("low below lo, target from lo to hi inclusive, hot above hi") {
        CHECK(zone_of(-200.0, vocals, clip) == Zone::Low);
        CHECK(zone_of(-15.0 - e, vocals, clip) == Zone::Low);
        CHECK(zone_of(-15.0, vocals, clip) == Zone::Target);
        CHECK(zone_of(-13.5, vocals, clip) == Zone::Target);
        CHECK(zone_of(-12.0, vocals, clip) == Zone::Target);
        CHECK(zone_of(-12.0 + e, vocals, clip) == Zone::Hot);
    }
    SUBCASE("danger from -3 dBFS, clip from the threshold") {
        CHECK(zone_of(-3.0 - e, vocals, clip) == Zone::Hot);
        CHECK(zone_of(-3.0, vocals, clip) == Zone::Danger);
        CHECK(zone_of(-0.1 - e, vocals, clip) == Zone::Danger);
        CHECK(zone_of(-0.1, vocals, clip) == Zone::Clip);
        CHECK(zone_of(0.0, vocals, clip) == Zone::Clip);
        CHECK(zone_of(2.4, vocals, clip) == Zone::Clip);  // float sources above full scale
    }
    SUBCASE("the clip threshold wins over danger, danger over a window reaching -3") {
        const Preset master{"master_in", "Mix delivered for mastering", -6.0, -3.0};
        CHECK(zone_of(-6.0 - e, master, clip) == Zone::Low);
        CHECK(zone_of(-6.0, master, clip) == Zone::Target);
        CHECK(zone_of(-3.0 - e, master, clip) == Zone::Target);
        CHECK(zone_of(-3.0, master, clip) == Zone::Danger);
        CHECK(zone_of(-4.0, vocals, -5.0) == Zone::Clip);
        CHECK(zone_of(-5.0 - e, vocals, -5.0) == Zone::Hot);
    }
    SUBCASE("names") {
        CHECK(std::string(zone_name(Zone::Silent)) == "silent");
        CHECK(std::string(zone_name(Zone::Target)) == "target");
        CHECK(std::string(zone_name(Zone::Clip)) == "clip");
    }
}
