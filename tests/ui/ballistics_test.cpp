#include "ui/ballistics.hpp"

#include <cmath>

#include <initializer_list>

#include <doctest/doctest.h>

#include "engine/base/decibels.hpp"

using namespace headroom;
using namespace headroom::ui;

namespace {

ChannelReading reading(double peak_db, double rms_db = -100.0, std::uint32_t clip_runs = 0) {
    ChannelReading r;
    r.sample_peak = static_cast<float>(std::pow(10.0, peak_db / 20.0));
    r.true_peak = r.sample_peak;
    r.rms = static_cast<float>(std::pow(10.0, rms_db / 20.0));
    r.rms_max = r.rms;
    r.clip_runs = clip_runs;
    r.clipped_samples = clip_runs;
    return r;
}

const ChannelReading kNone{};

// Runs the ballistics at `fps` from t0 to t1 with no new readings; returns the time reached.
double idle(ChannelBallistics& b, double t0, double t1, double fps, const BallisticsOptions& o) {
    double t = t0;
    const double dt = 1.0 / fps;
    while (t + dt <= t1 + 1e-12) {
        t += dt;
        b.update(kNone, false, t, o);
    }
    return t;
}

} // namespace

TEST_CASE("ballistics") {
    BallisticsOptions o;

    SUBCASE("the bar rises at once and falls 20 dB in 1.7 s") {
        ChannelBallistics b;
        b.update(reading(-6.0), true, 0.0, o);
        CHECK(b.display().bar_db == doctest::Approx(-6.0).epsilon(1e-4));
        idle(b, 0.0, 1.7, 100.0, o);
        CHECK(b.display().bar_db == doctest::Approx(-26.0).epsilon(1e-3));
    }

    SUBCASE("the fall does not depend on the frame rate") {
        for (double fps : {24.0, 60.0, 144.0, 1000.0}) {
            ChannelBallistics b;
            b.update(reading(0.0), true, 0.0, o);
            idle(b, 0.0, 0.85, fps, o);
            CAPTURE(fps);
            // 0.85 s at 20 dB / 1.7 s: 10 dB down (within one frame of the rounding of t).
            CHECK(b.display().bar_db == doctest::Approx(-10.0).epsilon(0.02));
        }
    }

    SUBCASE("the hold line holds 1 s, then falls at the return rate") {
        ChannelBallistics b;
        b.update(reading(-3.0), true, 0.0, o);
        double t = idle(b, 0.0, 0.9, 100.0, o);
        CHECK(b.display().hold_db == doctest::Approx(-3.0));
        t = idle(b, t, 1.0 + 0.85, 100.0, o);
        CHECK(b.display().hold_db == doctest::Approx(-13.0).epsilon(0.02));
        CHECK(b.display().hold_db >= b.display().bar_db);
    }

    SUBCASE("a settable hold time, and hold until reset") {
        BallisticsOptions two = o;
        two.hold_s = 2.0;
        ChannelBallistics b;
        b.update(reading(-3.0), true, 0.0, two);
        idle(b, 0.0, 1.9, 50.0, two);
        CHECK(b.display().hold_db == doctest::Approx(-3.0));

        BallisticsOptions inf = o;
        inf.hold_infinite = true;
        ChannelBallistics c;
        c.update(reading(-3.0), true, 0.0, inf);
        const double t = idle(c, 0.0, 30.0, 10.0, inf);
        CHECK(c.display().hold_db == doctest::Approx(-3.0));
        CHECK(c.display().bar_db == kSilenceDb);
        c.reset(t);
        CHECK(c.display().hold_db == kSilenceDb);
    }

    SUBCASE("a snapshot's peak shows even when it lasted one sample between frames") {
        ChannelBallistics b;
        b.update(reading(-40.0), true, 0.0, o);
        b.update(reading(-1.0), true, 1.0 / 60.0, o);  // max since last read
        CHECK(b.display().bar_db == doctest::Approx(-1.0).epsilon(1e-4));
    }

    SUBCASE("numbers show the maximum since reset, a new maximum at once") {
        ChannelBallistics b;
        b.update(reading(-20.0), true, 0.0, o);
        CHECK(b.display().peak_max_db == doctest::Approx(-20.0).epsilon(1e-4));
        b.update(reading(-10.0), true, 0.05, o);  // 50 ms later: shows now, not at the next refresh
        CHECK(b.display().peak_max_db == doctest::Approx(-10.0).epsilon(1e-4));
        b.update(reading(-30.0), true, 0.21, o);
        CHECK(b.display().peak_max_db == doctest::Approx(-10.0).epsilon(1e-4));  // the maximum, not the last
        idle(b, 0.21, 5.0, 60.0, o);
        CHECK(b.display().peak_max_db == doctest::Approx(-10.0).epsilon(1e-4));  // held until reset
        b.reset(5.0);
        CHECK(b.display().peak_max_db == kSilenceDb);
        CHECK(b.display().bar_db == kSilenceDb);   // bar and hold start again with the numbers
        CHECK(b.display().hold_db == kSilenceDb);
    }

    SUBCASE("a number never reads lower than the bar or hold line beside it") {
        // Random levels at random frame times; after every update the numbers are >= the bar
        // and the hold line (the issue: an amber bar over a green -12.3 for up to 200 ms).
        std::uint32_t seed = 12345;
        auto next = [&] { seed = seed * 1664525u + 1013904223u; return (seed >> 8) / 16777216.0; };
        ChannelBallistics b;
        double t = 0.0;
        int checked = 0;
        for (int i = 0; i < 5000; ++i) {
            t += 0.004 + 0.03 * next();
            ChannelReading r = reading(-40.0 + 42.0 * next(), -30.0 + 25.0 * next());
            r.true_peak = static_cast<float>(r.sample_peak * (1.0 + 0.1 * next()));
            const bool fresh = next() < 0.8;
            b.update(r, fresh, t, o);
            if (i % 997 == 0) b.reset(t);
            const ChannelDisplay& d = b.display();
            if (d.bar_db != kSilenceDb) {
                CHECK(d.peak_max_db >= d.bar_db);
                CHECK(d.true_peak_max_db >= d.bar_db);
                ++checked;
            }
            if (d.hold_db != kSilenceDb) CHECK(d.peak_max_db >= d.hold_db);
            if (d.rms_db != kSilenceDb) CHECK(d.rms_max_db >= d.rms_db - 1e-9);
        }
        CHECK(checked > 4000);
    }

    SUBCASE("RMS max: the loudest RMS window since reset; the bar keeps the running RMS") {
        ChannelBallistics b;
        ChannelReading r = reading(-10.0, -20.0);
        r.rms_max = static_cast<float>(std::pow(10.0, -16.0 / 20.0));
        b.update(r, true, 0.0, o);
        b.update(reading(-10.0, -25.0), true, 0.5, o);
        idle(b, 0.5, 3.0, 30.0, o);
        CHECK(b.display().rms_max_db == doctest::Approx(-16.0).epsilon(1e-4));
        CHECK(b.display().rms_db == doctest::Approx(-25.0).epsilon(1e-4));
        b.reset(3.0);
        CHECK(b.display().rms_max_db == kSilenceDb);
    }

    SUBCASE("levels above full scale are shown as they are") {
        ChannelBallistics b;
        ChannelReading r = reading(2.4);
        r.true_peak = static_cast<float>(std::pow(10.0, 3.1 / 20.0));
        b.update(r, true, 0.0, o);
        CHECK(b.display().bar_db == doctest::Approx(2.4).epsilon(1e-4));
        CHECK(b.display().peak_max_db == doctest::Approx(2.4).epsilon(1e-4));
        CHECK(b.display().true_peak_max_db == doctest::Approx(3.1).epsilon(1e-4));
    }

    SUBCASE("the clip indicator latches until reset and counts clip events, not runs") {
        ChannelBallistics b;
        ChannelReading r = reading(0.0, -10.0, 3);  // 3 runs, one event (merged)
        r.clip_events = 1;
        r.clipped_samples = 104;
        b.update(r, true, 0.0, o);
        CHECK(b.display().clip_latched);
        CHECK(b.display().clip_events == 1);        // "CLIP 1", as the log says
        CHECK(b.display().clip_runs == 3);          // details
        CHECK(b.display().clipped_samples == 104);
        ChannelReading more = reading(0.0, -10.0, 2);  // 2 more runs of the same event
        b.update(more, true, 0.1, o);
        CHECK(b.display().clip_events == 1);
        CHECK(b.display().clip_runs == 5);
        idle(b, 0.1, 600.0, 5.0, o);
        CHECK(b.display().clip_latched);
        b.reset_clip();
        CHECK_FALSE(b.display().clip_latched);
        CHECK(b.display().clip_events == 1);        // the count is kept until a full reset
        b.reset(601.0);
        CHECK(b.display().clip_events == 0);
        CHECK(b.display().clip_runs == 0);
    }

    SUBCASE("the clip indicator resets itself after the set time since the last clip") {
        BallisticsOptions a = o;
        a.clip_auto_reset_s = 5.0;
        ChannelBallistics b;
        b.update(reading(0.0, -10.0, 1), true, 0.0, a);
        b.update(reading(0.0, -10.0, 1), true, 3.0, a);  // a later clip restarts the time
        double t = idle(b, 3.0, 7.9, 10.0, a);
        CHECK(b.display().clip_latched);
        idle(b, t, 8.1, 10.0, a);
        CHECK_FALSE(b.display().clip_latched);
    }

    SUBCASE("RMS keeps its last value when a snapshot brings none") {
        ChannelBallistics b;
        b.update(reading(-10.0, -20.0), true, 0.0, o);
        ChannelReading r = reading(-12.0);
        r.rms = -1.0f;
        b.update(r, true, 0.02, o);
        CHECK(b.display().rms_db == doctest::Approx(-20.0).epsilon(1e-4));
    }

    SUBCASE("silence shows no bar") {
        ChannelBallistics b;
        b.update(kNone, true, 0.0, o);
        CHECK(b.display().bar_db == kSilenceDb);
        CHECK(b.display().hold_db == kSilenceDb);
        CHECK(b.display().peak_max_db == kSilenceDb);
        CHECK(amplitude_to_db(0.0) == kSilenceDb);
    }
}
