#include "engine/base/decibels.hpp"

#include <cmath>
#include <limits>
#include <string>

#include <doctest/doctest.h>

using namespace headroom;

TEST_CASE("decibels") {
    const double inf = std::numeric_limits<double>::infinity();

    SUBCASE("amplitude to dB: 20 log10, silence and NaN are -inf") {
        CHECK(amplitude_to_db(1.0) == 0.0);
        CHECK(amplitude_to_db(0.5) == doctest::Approx(-6.0206).epsilon(1e-6));
        CHECK(amplitude_to_db(2.0) == doctest::Approx(6.0206).epsilon(1e-6));
        CHECK(amplitude_to_db(1e-5) == doctest::Approx(-100.0));
        CHECK(amplitude_to_db(0.0) == -inf);
        CHECK(amplitude_to_db(-0.5) == -inf);
        CHECK(amplitude_to_db(std::nan("")) == -inf);
        CHECK(amplitude_to_db(inf) == inf);
    }

    SUBCASE("RMS: plain, or AES17 20 log10(sqrt 2) = 3.0103 dB higher") {
        const double rms_of_full_scale_sine = std::sqrt(0.5);
        CHECK(rms_to_db(rms_of_full_scale_sine, false) == doctest::Approx(-3.0103).epsilon(1e-6));
        CHECK(std::fabs(rms_to_db(rms_of_full_scale_sine, true)) < 1e-12);
        CHECK(rms_to_db(0.25, false) == amplitude_to_db(0.25));
        CHECK(rms_to_db(0.25, true) - rms_to_db(0.25, false) == doctest::Approx(3.0103).epsilon(1e-6));
        CHECK(rms_to_db(0.0, true) == -inf);
    }

    SUBCASE("dB to amplitude, in double and in float") {
        CHECK(db_to_amplitude(0.0) == 1.0);
        CHECK(db_to_amplitude(-20.0) == doctest::Approx(0.1));
        CHECK(db_to_amplitude(-0.1) == doctest::Approx(0.98855309));
        CHECK(db_to_amplitude(-6.0f) == doctest::Approx(0.501187));
        for (double db = -60.0; db <= 6.0; db += 0.25)
            CHECK(amplitude_to_db(db_to_amplitude(db)) == doctest::Approx(db).epsilon(1e-12));
        // The float version rounds as float arithmetic does (what the demo's gains always
        // used), which is not always the double version rounded to float.
        int differ = 0;
        for (int i = -40; i <= 0; ++i) {
            const float db = static_cast<float>(i);
            CHECK(db_to_amplitude(db) == std::pow(10.0f, db / 20.0f));
            if (db_to_amplitude(db) != static_cast<float>(db_to_amplitude(static_cast<double>(db)))) ++differ;
        }
        CHECK(differ > 0);
    }

    SUBCASE("headroom: 0 - the larger of max sample peak and max true peak") {
        CHECK(headroom_db(0.0, 0.9) == doctest::Approx(-0.9));   // TP +0.9 beside a 0.0 peak: -0.9, not 0.0
        CHECK(headroom_db(-0.4, -0.6) == doctest::Approx(0.4));
        CHECK(headroom_db(-12.0, -11.2) == doctest::Approx(11.2));
        CHECK(headroom_db(2.4, 3.1) == doctest::Approx(-3.1));   // above full scale: negative
        CHECK(headroom_db(-6.0, std::nan("")) == doctest::Approx(6.0));
        CHECK(headroom_db(-inf, -inf) == inf);                   // silence: nothing to say
        CHECK_FALSE(std::signbit(headroom_db(0.0, 0.0)));        // never -0.0
    }
}

TEST_CASE("decibels: loudness figures") {
    char buf[16];
    SUBCASE("one decimal, half away from zero, never -0.0") {
        CHECK(std::string(format_loudness(-23.0, buf, sizeof buf)) == "-23.0");
        CHECK(std::string(format_loudness(-23.05, buf, sizeof buf)) == "-23.1");
        CHECK(std::string(format_loudness(-14.04, buf, sizeof buf)) == "-14.0");
        CHECK(std::string(format_loudness(7.45, buf, sizeof buf)) == "7.5");
        CHECK(std::string(format_loudness(-0.04, buf, sizeof buf)) == "0.0");
        CHECK(loudness_rounded(-23.05) == -23.1);
        CHECK(loudness_rounded(7.449) == 7.4);
        CHECK(!std::signbit(loudness_rounded(-0.04)));
    }
    SUBCASE("no value prints --; the rounded value passes it through") {
        CHECK(std::string(format_loudness(std::nan(""), buf, sizeof buf)) == "--");
        CHECK(std::string(format_loudness(-std::numeric_limits<double>::infinity(), buf, sizeof buf)) == "--");
        CHECK(std::isnan(loudness_rounded(std::nan(""))));
    }
}
