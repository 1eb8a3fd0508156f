#include "ui/readout.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

#include <doctest/doctest.h>

#include "ui/ballistics.hpp"
#include "ui/colours.hpp"
#include "ui/meter_strip.hpp"

using namespace headroom;
using namespace headroom::ui;

namespace {

const Preset kVocals{"vocals", "Close-miked vocals", -15.0, -12.0};
const Preset kMaster{"master_in", "Mix delivered for mastering", -6.0, -3.0};
constexpr double kThr = -0.1;

// The zone of the printed text, read back as a number: what a viewer would take it for.
Zone zone_of_text(const char* text, const Preset& p, double thr) { return zone_of(std::strtod(text, nullptr), p, thr); }

} // namespace

TEST_CASE("level readout: zone-true text and colour") {
    struct Case {
        double level;
        int decimals;
        const char* text;
        Zone zone;
    };
    const Case cases[] = {
        {-12.04, 1, "-12.0", Zone::Target},    // -12.0 is on target too: one decimal is enough
        {-11.96, 1, "-11.96", Zone::Hot},      // never "-12.0" in amber
        {-12.34, 1, "-12.3", Zone::Target},    // one decimal where that is safe
        {-11.7, 0, "-11.7", Zone::Hot},        // compact: not "-12" in amber
        {-12.5, 0, "-13", Zone::Target},       // compact: whole dB where that stays in the zone
        {-11.6, 0, "-11.6", Zone::Hot},        // compact: not "-12" in amber
        {-15.4, 0, "-15.4", Zone::Low},        // compact: not "-15" in blue
        {-13.6, 0, "-14", Zone::Target},       // compact: whole dB where that is safe
        {-15.04, 1, "-15.04", Zone::Low},      // just below the window
        {-15.004, 1, "-15.004", Zone::Low},
        {-14.96, 1, "-15.0", Zone::Target},
        {-15.0, 1, "-15.0", Zone::Target},     // the edge itself belongs to the window
        {-3.04, 1, "-3.04", Zone::Hot},
        {-2.96, 1, "-3.0", Zone::Danger},
        {-3.0, 0, "-3", Zone::Danger},
        {-0.14, 1, "-0.14", Zone::Danger},     // below the clip threshold: not "-0.1" (a clip)
        {-0.1, 1, "-0.1", Zone::Clip},
        {-0.06, 1, "-0.1", Zone::Clip},        // -0.1 is a clip too
        {-0.16, 1, "-0.2", Zone::Danger},
        {2.4, 1, "+2.4", Zone::Clip},          // never clamped
        {-30.0, 1, "-30.0", Zone::Low},
    };
    for (const Case& c : cases) {
        const Readout r = level_readout(c.level, kVocals, kThr, c.decimals);
        CAPTURE(c.level);
        CAPTURE(c.decimals);
        CHECK(std::string(r.text) == c.text);
        CHECK(r.zone == c.zone);
        CHECK(zone_of_text(r.text, kVocals, kThr) == r.zone);
    }

    SUBCASE("the issue's edges, -12.05 and -11.95: the text's zone is the value's") {
        for (int d = 0; d <= 1; ++d) {
            const Readout in = level_readout(-12.05, kVocals, kThr, d), hot = level_readout(-11.95, kVocals, kThr, d);
            CAPTURE(in.text);
            CAPTURE(hot.text);
            CHECK(in.zone == Zone::Target);
            CHECK(hot.zone == Zone::Hot);
            CHECK(zone_of_text(in.text, kVocals, kThr) == Zone::Target);   // "-12.1" or "-12.05", never "-12"
            CHECK(zone_of_text(hot.text, kVocals, kThr) == Zone::Hot);     // "-11.9" or "-11.95", never "-12.0"
            CHECK(std::string(hot.text) != "-12.0");
            CHECK(std::string(hot.text) != "-12");
        }
    }

    SUBCASE("within a hair of an edge the last digit is rounded towards the value's zone") {
        const Readout r = level_readout(-11.99999, kVocals, kThr, 1);
        CHECK(r.zone == Zone::Hot);
        CHECK(std::string(r.text) == "-11.999");
        CHECK(level_readout(-12.000001, kVocals, kThr, 1).zone == Zone::Target);
    }

    SUBCASE("a window reaching -3 dBFS: -3 itself is danger") {
        CHECK(level_readout(-3.0, kMaster, kThr, 1).zone == Zone::Danger);
        CHECK(std::string(level_readout(-3.04, kMaster, kThr, 1).text) == "-3.04");
        CHECK(level_readout(-3.04, kMaster, kThr, 1).zone == Zone::Target);
    }

    SUBCASE("every printed level reads back in its own zone (sweep, normal and compact)") {
        for (int d = 0; d <= 1; ++d)
            for (double v = -20.0; v <= 3.0; v += 0.0037) {
                const Readout r = level_readout(v, kVocals, kThr, d);
                CAPTURE(v);
                CHECK(zone_of_text(r.text, kVocals, kThr) == r.zone);
                CHECK(std::fabs(std::strtod(r.text, nullptr) - v) <= 0.5 + 1e-9);
            }
    }

    SUBCASE("silence") {
        CHECK(std::string(level_readout(kSilenceDb, kVocals, kThr, 1).text) == "--");
        CHECK(level_readout(kSilenceDb, kVocals, kThr, 1).zone == Zone::Silent);
        CHECK(std::string(level_readout(std::nan(""), kVocals, kThr, 1).text) == "--");
    }

    SUBCASE("a too-quiet number is the cool zone's colour, not white") {
        CHECK(number_colour(Zone::Low) == zone_colour(Zone::Low));
        CHECK(number_colour(Zone::Low) != pack(kText));
        CHECK(number_colour(Zone::Hot) == zone_colour(Zone::Hot));
    }
}

TEST_CASE("headroom readout") {
    SUBCASE("from the larger of sample peak and true peak") {
        const Readout r = headroom_readout(0.0, 0.9, kVocals, kThr, 1);  // issue 13: HR 0.0 beside TP +0.9
        CHECK(std::string(r.text) == "-0.9");
        CHECK(r.zone == Zone::Clip);
        CHECK(std::string(headroom_readout(-6.0, -5.2, kVocals, kThr, 1).text) == "5.2");
    }
    SUBCASE("a leading zero, never \".0\"") {
        CHECK(std::string(headroom_readout(-0.4, -0.4, kVocals, kThr, 1).text) == "0.4");
        CHECK(std::string(headroom_readout(-0.04, -0.04, kVocals, kThr, 1).text) == "0.0");
        CHECK(std::string(headroom_readout(-0.14, -0.14, kVocals, kThr, 1).text) == "0.14");
    }
    SUBCASE("the decimals and zone of the level it comes from") {
        const Readout r = headroom_readout(-11.96, -11.96, kVocals, kThr, 1);
        CHECK(std::string(r.text) == "11.96");
        CHECK(r.zone == Zone::Hot);
    }
    SUBCASE("silence; true peak off (passed as silence) uses the sample peak") {
        CHECK(std::string(headroom_readout(kSilenceDb, kSilenceDb, kVocals, kThr, 1).text) == "--");
        CHECK(std::string(headroom_readout(-8.0, kSilenceDb, kVocals, kThr, 1).text) == "8.0");
    }
}

TEST_CASE("gain advice") {
    SUBCASE("a clipped channel never reads on target: it says how much to lower, in the clip colour") {
        // The issue: a clipped vocal showed a green "gain -0.6".
        const Advice a = gain_advice(-0.6, true, 0.0, 0.9, kVocals);
        CHECK(a.kind == AdviceKind::Clipped);
        CHECK(std::string(a.text) == "lower \xe2\x89\xa5 14.4 dB");  // +0.9 dBTP - centre -13.5
        CHECK(std::string(a.text).find("gain") == std::string::npos);
    }
    SUBCASE("the larger of the clip's overshoot and the session's advice, rounded up") {
        CHECK(std::string(gain_advice(-20.0, true, 0.0, 0.2, kVocals).text) == "lower \xe2\x89\xa5 20.0 dB");
        CHECK(std::string(gain_advice(std::nullopt, true, -0.05, -0.04, kVocals).text) == "lower \xe2\x89\xa5 13.5 dB");
        CHECK(std::string(gain_advice(std::nullopt, true, -0.03, -0.03, kVocals).text) == "lower \xe2\x89\xa5 13.5 dB");
    }
    SUBCASE("unclipped channels") {
        CHECK(gain_advice(-0.6, false, -12.0, -12.0, kVocals).kind == AdviceKind::OnTarget);
        CHECK(std::string(gain_advice(-0.6, false, -12.0, -12.0, kVocals).text) == "gain -0.6");
        CHECK(gain_advice(4.0, false, -20.0, -20.0, kVocals).kind == AdviceKind::Raise);
        CHECK(gain_advice(-4.0, false, -6.0, -6.0, kVocals).kind == AdviceKind::Lower);
        CHECK(std::string(gain_advice(0.04, false, -13.0, -13.0, kVocals).text) == "gain 0.0");
        CHECK(gain_advice(std::nullopt, false, -13.0, -13.0, kVocals).kind == AdviceKind::None);
        CHECK(std::string(gain_advice(std::nullopt, false, -13.0, -13.0, kVocals).text) == "gain --");
    }
}

TEST_CASE("numbers grow with the strip, within limits, times the UI scale") {
    CHECK(peak_number_px(72.0f, 400.0f, 1.0f, false) == 22.0f);     // narrow: the minimum
    CHECK(peak_number_px(160.0f, 800.0f, 1.0f, false) == doctest::Approx(32.0f));
    CHECK(peak_number_px(220.0f, 900.0f, 1.0f, false) == 44.0f);    // the maximum
    CHECK(peak_number_px(220.0f, 300.0f, 1.0f, false) == 22.0f);    // a short strip keeps it small
    CHECK(peak_number_px(440.0f, 1800.0f, 2.0f, false) == 88.0f);   // UI scale 2: twice
    CHECK(peak_number_px(72.0f, 400.0f, 2.0f, false) == 44.0f);
    CHECK(peak_number_px(40.0f, 300.0f, 1.0f, true) == 13.0f);
    CHECK(peak_number_px(64.0f, 600.0f, 1.0f, true) == doctest::Approx(19.2f));
    CHECK(readout_number_px(72.0f, 400.0f, 1.0f) == 13.0f);
    CHECK(readout_number_px(220.0f, 900.0f, 1.0f) == doctest::Approx(19.8f));
    CHECK(readout_number_px(220.0f, 900.0f, 1.5f) == doctest::Approx(19.8f));
    CHECK(readout_number_px(440.0f, 1800.0f, 1.5f) == 30.0f);
}

TEST_CASE("fine ticks near 0 dBFS") {
    DbScale s;
    s.y_top = 0.0f;
    s.y_bottom = 66.0f * 5.0f;  // 5 px per dB
    double m[16];
    const int n = fine_marks(s, m, 16);
    CHECK(n == 8);  // +5 +4 +2 +1 -1 -2 -4 -5 (0, +-3, +-6 are drawn as marks)
    CHECK(m[0] == 5.0);
    CHECK(m[n - 1] == -5.0);
    s.y_bottom = 66.0f * 3.0f;  // 3 px per dB: no room
    CHECK(fine_marks(s, m, 16) == 0);
}

TEST_CASE("the help overlay says what the numbers are") {
    std::string legend;
    for (const char* line : strip_legend()) legend += std::string(line) + "\n";
    CHECK(legend.find(kRmsLabel) != std::string::npos);            // the RMS number's own label
    CHECK(legend.find("RMS max: the loudest RMS window") != std::string::npos);
    CHECK(legend.find("running RMS") != std::string::npos);        // the bar
    CHECK(legend.find("larger of the two") != std::string::npos);  // headroom
    CHECK(legend.find("clip events") != std::string::npos);        // the one clip count
    CHECK(legend.find("Every number is a maximum since the last reset") != std::string::npos);
    CHECK(std::string(kRmsLabel) == "RMS max");
}

TEST_CASE("clip details for the tooltip") {
    ChannelDisplay d;
    d.clip_events = 1;
    d.clip_runs = 104;
    d.clipped_samples = 380;
    CHECK(clip_details(d) == "1 clip event (104 runs, 380 full-scale samples) since reset");
}
