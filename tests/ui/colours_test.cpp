#include "ui/colours.hpp"

#include <doctest/doctest.h>

#include "ui/meter_strip.hpp"

using namespace headroom;
using namespace headroom::ui;

TEST_CASE("zone colours") {
    const Preset vocals{"vocals", "Close-miked vocals", -15.0, -12.0};

    SUBCASE("each zone has its colour family") {
        const Rgb low = zone_rgb(Zone::Low), target = zone_rgb(Zone::Target), hot = zone_rgb(Zone::Hot),
                  danger = zone_rgb(Zone::Danger), clip = zone_rgb(Zone::Clip);
        CHECK(low.b > low.r);                      // cool
        CHECK(low.r + low.g + low.b < target.r + target.g + target.b);  // dimmer than on target
        CHECK(target.g > target.r + 100);          // green
        CHECK(target.g > target.b + 100);
        CHECK(hot.r > 200);                        // amber: red and green, no blue
        CHECK(hot.g > 150);
        CHECK(hot.b < 60);
        CHECK(danger.r > 200);                     // orange-red
        CHECK(danger.g < hot.g);
        CHECK(danger.g > clip.g);
        CHECK(clip.r > 200);                       // red
        CHECK(clip.g < 60);
        CHECK(clip.b < 60);
    }

    SUBCASE("a bar's colour follows the preset window") {
        CHECK(bar_zone(-30.0, vocals, -0.1) == Zone::Low);
        CHECK(bar_zone(-13.5, vocals, -0.1) == Zone::Target);
        CHECK(bar_zone(-15.0, vocals, -0.1) == Zone::Target);
        CHECK(bar_zone(-8.0, vocals, -0.1) == Zone::Hot);
        CHECK(bar_zone(-2.0, vocals, -0.1) == Zone::Danger);
        CHECK(bar_zone(0.0, vocals, -0.1) == Zone::Clip);
        CHECK(bar_zone(2.4, vocals, -0.1) == Zone::Clip);
    }

    SUBCASE("packing matches ImGui's IM_COL32 layout") {
        CHECK(pack({0x11, 0x22, 0x33}, 0x44) == 0x44332211u);
        CHECK(pack({70, 74, 84}) == IM_COL32(70, 74, 84, 255));
        CHECK((zone_colour(Zone::Clip) >> 24) == 0xffu);
    }

    SUBCASE("float colours: each channel / 255, opaque, the same colour ImGui packs back") {
        const ImVec4 v = to_vec4({255, 51, 0});
        CHECK(v.x == 1.0f);
        CHECK(v.y == 51 / 255.0f);
        CHECK(v.z == 0.0f);
        CHECK(v.w == 1.0f);
        CHECK(ImGui::ColorConvertFloat4ToU32(to_vec4(kTargetEdge)) == pack(kTargetEdge));
        CHECK(ImGui::ColorConvertFloat4ToU32(to_vec4(zone_rgb(Zone::Hot))) == zone_colour(Zone::Hot));
    }

    SUBCASE("numbers are never clamped") {
        CHECK(format_db(2.4) == "+2.4");
        CHECK(format_db(-12.34) == "-12.3");
        CHECK(format_db(0.0) == "0.0");
        CHECK(format_db(-0.04) == "0.0");
        CHECK(format_db(kSilenceDb) == "--");
        CHECK(format_db(-13.6, 0) == "-14");
    }
}
