// validate_meter_options (meter_options.hpp): every field's range edges are accepted, a value
// just outside is refused with a message naming the field.
#include "engine/meter/meter_options.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

using namespace headroom;

namespace {

// Applies `set` to default options: "" when valid, else the message.
std::string verdict(const std::function<void(MeterOptions&)>& set) {
    MeterOptions o;
    set(o);
    return validate_meter_options(o).value_or("");
}

template <class T>
void check_field(T MeterOptions::*field, T low, T high, T below, T above, const char* name) {
    INFO("field: ", std::string(name));
    CHECK(verdict([&](MeterOptions& o) { o.*field = low; }) == "");
    CHECK(verdict([&](MeterOptions& o) { o.*field = high; }) == "");
    for (T bad : {below, above}) {
        const std::string m = verdict([&](MeterOptions& o) { o.*field = bad; });
        CAPTURE(m);
        CHECK(m.find(name) != std::string::npos);
    }
}

} // namespace

TEST_CASE("validate_meter_options") {
    SUBCASE("the defaults are valid") { CHECK(!validate_meter_options(MeterOptions{}).has_value()); }

    SUBCASE("every field: its edges accepted, just outside refused, the message naming it") {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        check_field(&MeterOptions::sample_rate, 44100.0, 192000.0, std::nextafter(44100.0, 0.0),
                    std::nextafter(192000.0, 1e9), "sample rate");
        check_field(&MeterOptions::channels, 1, kMaxChannels, 0, kMaxChannels + 1, "channel count");
        check_field(&MeterOptions::max_block, std::size_t{1}, kMaxBlock, std::size_t{0}, kMaxBlock + 1, "block size");
        // just above 0: the smallest normal number, not a subnormal (which an FTZ/DAZ thread,
        // as the capture leaves its own, would read as 0)
        check_field(&MeterOptions::clip_threshold_dbfs, -20.0f, 0.0f, std::nextafter(-20.0f, -100.0f),
                    std::numeric_limits<float>::min(), "clip threshold");
        check_field(&MeterOptions::clip_min_run, 1, 16, 0, 17, "clip minimum run");
        check_field(&MeterOptions::merge_ms, 0.0, 60000.0, -std::numeric_limits<double>::min(),
                    std::nextafter(60000.0, 1e9), "merge gap");
        check_field(&MeterOptions::hot_merge_ms, 0.0, 60000.0, -1e-9, 60000.001, "hot merge gap");
        check_field(&MeterOptions::rms_window_ms, 50.0, 3000.0, std::nextafter(50.0, 0.0),
                    std::nextafter(3000.0, 1e9), "RMS window");
        // NaN is outside every range
        check_field(&MeterOptions::sample_rate, 48000.0, 96000.0, nan, nan, "sample rate");
        check_field(&MeterOptions::merge_ms, 1.0, 2.0, nan, nan, "merge gap");
        check_field(&MeterOptions::rms_window_ms, 300.0, 400.0, nan, nan, "RMS window");
        check_field(&MeterOptions::clip_threshold_dbfs, -1.0f, -0.1f, std::numeric_limits<float>::quiet_NaN(),
                    std::numeric_limits<float>::quiet_NaN(), "clip threshold");
    }

    SUBCASE("a rate is printed as a user gives it: 8000 Hz, not 8000.000000 Hz") {
        CHECK(verdict([](MeterOptions& o) { o.sample_rate = 8000.0; }) == "sample rate 8000 Hz is outside 44100..192000");
        CHECK(verdict([](MeterOptions& o) { o.sample_rate = 22050.5; }) ==
              "sample rate 22050.5 Hz is outside 44100..192000");
    }

    SUBCASE("the merge gap's message is not the hot merge gap's") {
        const std::string m = verdict([](MeterOptions& o) { o.merge_ms = -1.0; });
        CHECK(m.rfind("merge gap", 0) == 0);
        const std::string h = verdict([](MeterOptions& o) { o.hot_merge_ms = -1.0; });
        CHECK(h.rfind("hot merge gap", 0) == 0);
    }

    SUBCASE("the message says the value and the range") {
        CHECK(verdict([](MeterOptions& o) { o.channels = 300; }) == "channel count 300 is outside 1..256");
        CHECK(verdict([](MeterOptions& o) { o.clip_min_run = 0; }) == "clip minimum run 0 is outside 1..16");
        CHECK(verdict([](MeterOptions& o) { o.max_block = 9000; }) == "block size 9000 is outside 1..8192");
    }

    SUBCASE("fields without a range: any value") {
        CHECK(verdict([](MeterOptions& o) {
                  o.hot_ceiling_dbfs = {-3.0f, 0.0f, 10.0f};
                  o.force_scalar = true;
                  o.true_peak = false;
              }) == "");
    }
}
