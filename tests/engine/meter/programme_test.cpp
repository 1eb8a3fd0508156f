// programme.hpp: --bus parsing, BS.1770 channel weights, the readings' merge rules, and
// validate_meter_options on buses (DESIGN.md §6).
#include "engine/meter/programme.hpp"

#include <doctest/doctest.h>

#include "engine/meter/meter_options.hpp"

using namespace headroom;

TEST_CASE("parse_bus: the channel lists DESIGN §6 names, 1-based in, 0-based out") {
    CHECK(parse_bus("mix=1-2").bus.channels == std::vector<int>{0, 1});
    CHECK(parse_bus("drums=3,4").bus.channels == std::vector<int>{2, 3});
    CHECK(parse_bus("surround=1-6").bus.channels == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(parse_bus("odd=5,1-2").bus.channels == std::vector<int>{4, 0, 1});  // order kept: weights follow it
    const BusParse p = parse_bus("mix=1-2");
    CHECK(p.error.empty());
    CHECK(p.bus.name == "mix");
    CHECK(p.bus.preset == "mix_bus");
}

TEST_CASE("parse_bus: every malformed spec is refused with a message") {
    for (const char* bad : {"mix", "=1-2", "mix=", "mix=0", "mix=2-1", "mix=1,", "mix=,1", "mix=a", "mix=1-",
                            "mix=-2", "mix=1--2", "mix=1,1", "mix=1-3,2", "mix=1.5", "mix= 1"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_bus(bad).error.empty());
    }
    CHECK(parse_bus("abcdefghijabcdefghijabcdefghijab=1").error.empty());  // 32 characters
    CHECK_FALSE(parse_bus("abcdefghijabcdefghijabcdefghijabc=1").error.empty());
    // Characters, not bytes: 32 two-byte letters are a good name, 33 are not.
    std::string e32;
    for (int i = 0; i < 32; ++i) e32 += "\xc3\xa9";  // é
    CHECK(parse_bus(e32 + "=1").error.empty());
    CHECK(parse_bus(e32 + "\xc3\xa9=1").error.find("1 to 32 characters") != std::string::npos);
    // Control characters would reach terminals and files as they are.
    CHECK(parse_bus("\x1b[31mred=1").error.find("control characters") != std::string::npos);
    CHECK(parse_bus("a\nb=1").error.find("control characters") != std::string::npos);
    CHECK(bus_name_problem("Drums bus").empty());
    CHECK_FALSE(bus_name_problem("").empty());
    CHECK(parse_bus("mix=1-2", 2).error.empty());
    CHECK(parse_bus("mix=1-3", 2).error.find("channel 3 is beyond the 2 channels") != std::string::npos);
}

TEST_CASE("bs1770_weights: 1.0 each; a 6-channel bus is 5.1 with the LFE out and the surrounds at 1.41") {
    CHECK(bs1770_weights(2) == std::vector<float>{1.0f, 1.0f});
    CHECK(bs1770_weights(5) == std::vector<float>(5, 1.0f));
    CHECK(bs1770_weights(6) == std::vector<float>{1.0f, 1.0f, 1.0f, 0.0f, 1.41f, 1.41f});
    CHECK(bs1770_weights(16) == std::vector<float>(16, 1.0f));
}

TEST_CASE("BusReading::merge: interval maxima fold, the newest running values stand") {
    BusReading a, b;
    a.sample_peak = 0.5f;
    a.momentary_max_ms = 0.01f;
    a.momentary_ms = 0.01f;
    a.integrated_ms = 0.02f;
    b.sample_peak = 0.25f;
    b.momentary_max_ms = 0.005f;
    b.momentary_ms = -1.0f;  // no new value in b
    b.integrated_ms = 0.03f;
    b.bands[0].peak = 0.7f;
    a.merge(b);
    CHECK(a.sample_peak == 0.5f);
    CHECK(a.momentary_max_ms == 0.01f);
    CHECK(a.momentary_ms == 0.01f);
    CHECK(a.integrated_ms == 0.03f);
    CHECK(a.bands[0].peak == 0.7f);
}

TEST_CASE("validate_meter_options: buses within the channels, at most kMaxBuses") {
    MeterOptions o;
    o.channels = 2;
    o.buses = {parse_bus("mix=1-2").bus};
    CHECK_FALSE(validate_meter_options(o));
    o.buses = {parse_bus("mix=1-3").bus};
    CHECK(validate_meter_options(o).value_or("").find("channel 3 is beyond") != std::string::npos);
    o.buses.assign(kMaxBuses + 1, parse_bus("mix=1-2").bus);
    CHECK(validate_meter_options(o).value_or("").find("at most") != std::string::npos);
}

TEST_CASE("lufs_from_mean_square: BS.1770's -0.691 offset") {
    CHECK(lufs_from_mean_square(1.0) == doctest::Approx(-0.691));
    CHECK(lufs_from_mean_square(0.01) == doctest::Approx(-20.691));
}
