#include "ui/colours.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "tests/ui/colour_science.hpp"
#include "ui/meter_strip.hpp"

using namespace headroom;
using namespace headroom::ui;

TEST_CASE("zone colours") {
    const Preset vocals{"vocals", "Close-miked vocals", -15.0, -12.0};

    SUBCASE("each zone has its colour family") {
        const Rgb low = zone_rgb(Zone::Low), target = zone_rgb(Zone::Target), hot = zone_rgb(Zone::Hot),
                  danger = zone_rgb(Zone::Danger), clip = zone_rgb(Zone::Clip);
        CHECK(low.b > low.r + 100);                // cool blue
        // Lightness orders the zones too (what a colour-blind viewer still sees): hot the lightest,
        // then on target, danger, and too quiet and clip the darkest.
        using headroom::test::seen_lab;
        using headroom::test::Vision;
        const double l_low = seen_lab(low.r, low.g, low.b, Vision::Normal).l, l_target = seen_lab(target.r, target.g, target.b, Vision::Normal).l,
                     l_hot = seen_lab(hot.r, hot.g, hot.b, Vision::Normal).l, l_danger = seen_lab(danger.r, danger.g, danger.b, Vision::Normal).l,
                     l_clip = seen_lab(clip.r, clip.g, clip.b, Vision::Normal).l;
        CHECK(l_hot > l_target);
        CHECK(l_target > l_danger);
        CHECK(l_danger > l_low);
        CHECK(l_danger > l_clip);
        CHECK(target.g > target.r + 100);          // green
        CHECK(target.g > target.b + 100);
        CHECK(hot.r > 200);                        // yellow-amber: red and green, no blue
        CHECK(hot.g > 150);
        CHECK(hot.b < 60);
        CHECK(danger.r > 200);                     // orange
        CHECK(danger.g < hot.g);
        CHECK(danger.g > clip.g);
        CHECK(clip.r > 200);                       // red
        CHECK(clip.g < 80);
        CHECK(pack(clip) == pack(kClipOn));        // the clip box is the clip zone
    }

    SUBCASE("the colour science helper agrees with known values") {
        using namespace headroom::test;
        const Lab white = seen_lab(255, 255, 255, Vision::Normal);
        CHECK(white.l == doctest::Approx(100.0).epsilon(1e-3));
        CHECK(std::fabs(white.a) < 0.01);
        CHECK(std::fabs(white.b) < 0.01);
        const Lab red = seen_lab(255, 0, 0, Vision::Normal);  // sRGB red: L 53.24, a 80.09, b 67.20
        CHECK(red.l == doctest::Approx(53.24).epsilon(1e-3));
        CHECK(red.a == doctest::Approx(80.09).epsilon(1e-3));
        CHECK(red.b == doctest::Approx(67.20).epsilon(1e-3));
        // Grey is grey for every viewer (each Machado matrix keeps white: rows sum to 1).
        for (Vision v : kVisions) CHECK(delta_e76(seen_lab(128, 128, 128, v), seen_lab(128, 128, 128, Vision::Normal)) < 0.5);
        // The palette before issue 13: on target {40,205,70} and hot {245,180,20} under
        // protanopia were only about 10 apart, which this test must catch.
        const double old = delta_e76(seen_lab(40, 205, 70, Vision::Protanopia), seen_lab(245, 180, 20, Vision::Protanopia));
        CHECK(old == doctest::Approx(9.84).epsilon(0.01));
        CHECK(old < 15.0);
    }

    SUBCASE("the five zones stay >= 15 apart (CIE76) for every viewer, simulated (Machado 2009)") {
        using namespace headroom::test;
        const Zone zones[] = {Zone::Low, Zone::Target, Zone::Hot, Zone::Danger, Zone::Clip};
        for (Vision v : kVisions) {
            double worst = 1e9;
            for (int i = 0; i < 5; ++i)
                for (int j = i + 1; j < 5; ++j) {
                    const Rgb a = zone_rgb(zones[i]), b = zone_rgb(zones[j]);
                    const double d = delta_e76(seen_lab(a.r, a.g, a.b, v), seen_lab(b.r, b.g, b.b, v));
                    const std::string vn = vision_name(v);
                    CAPTURE(vn);
                    const std::string za = zone_name(zones[i]), zb = zone_name(zones[j]);
                    CAPTURE(za);
                    CAPTURE(zb);
                    CHECK(d >= 15.0);
                    worst = std::min(worst, d);
                }
            MESSAGE(std::string(vision_name(v)) << ": closest zones " << worst << " apart");
        }
    }

    SUBCASE("zone colours read as text on the background for every viewer (contrast >= 3.5:1)") {
        // The issue: under deuteranopia the clip colour became the least visible one.
        using namespace headroom::test;
        auto lum = [](Rgb c, Vision v) {
            const auto s = simulate_linear({srgb_to_linear(c.r / 255.0), srgb_to_linear(c.g / 255.0), srgb_to_linear(c.b / 255.0)}, v);
            return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
        };
        for (Vision v : kVisions)
            for (Zone z : {Zone::Low, Zone::Target, Zone::Hot, Zone::Danger, Zone::Clip}) {
                const std::string vn = vision_name(v), zn = zone_name(z);
                CAPTURE(vn);
                CAPTURE(zn);
                CHECK((lum(zone_rgb(z), v) + 0.05) / (lum(kBackground, v) + 0.05) >= 3.5);
            }
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

TEST_CASE("bus strip colours") {
    using namespace headroom::test;
    auto lum = [](Rgb c, Vision v) {
        const auto s = simulate_linear({srgb_to_linear(c.r / 255.0), srgb_to_linear(c.g / 255.0), srgb_to_linear(c.b / 255.0)}, v);
        return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
    };
    auto de = [](Rgb a, Rgb b, Vision v) { return delta_e76(seen_lab(a.r, a.g, a.b, v), seen_lab(b.r, b.g, b.b, v)); };
    for (Vision v : kVisions) {
        const std::string vn = vision_name(v);
        CAPTURE(vn);
        SUBCASE("the -23 and -14 LUFS marks differ for every viewer (they are labelled too)") {
            CHECK(de(kLufsMarkBroadcast, kLufsMarkStreaming, v) >= 15.0);
        }
        SUBCASE("the marks stand out on the loudness bars and their background") {
            for (Rgb mark : {kLufsMarkBroadcast, kLufsMarkStreaming})
                for (Rgb under : {kLoudnessMomentary, kLoudnessShortTerm, kBarBackground})
                    CHECK((lum(mark, v) + 0.05) / (lum(under, v) + 0.05) >= 1.8);
        }
        SUBCASE("the M and S bars show against the bar background (contrast >= 2:1)") {
            for (Rgb bar : {kLoudnessMomentary, kLoudnessShortTerm})
                CHECK((lum(bar, v) + 0.05) / (lum(kBarBackground, v) + 0.05) >= 2.0);
        }
        SUBCASE("strips chosen for a bus are outlined in a colour apart from the log's highlight") {
            CHECK(de(kSelected, kHighlight, v) >= 15.0);
        }
    }
}
