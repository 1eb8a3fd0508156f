// Wall-clock stamps of the session files (wall_time.hpp): ISO 8601 with milliseconds and the
// offset, the session folder's name, parsing back, and StreamClock (stream frames to wall time
// across the gaps device losses leave).
#include "engine/session/wall_time.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>

using namespace headroom;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kT0 = 1795428900250LL;  // 2026-11-23T10:15:00.250Z, in ms
const WallClock::time_point t0{std::chrono::milliseconds(kT0)};

// The ms since the epoch a stamp says (-1 when it does not parse).
std::int64_t ms_of(const std::string& stamp) { return parse_iso8601_ms(stamp).value_or(-1); }

} // namespace

TEST_CASE("wall_time stamps") {
    const auto t = WallClock::time_point(std::chrono::milliseconds(1795428900250LL));
    const std::string s = iso8601_ms(t);
    CHECK(s.size() == 29);
    CHECK(s[10] == 'T');
    CHECK(s.substr(19, 4) == ".250");
    CHECK(parse_iso8601_ms(s) == 1795428900250LL);
    CHECK(parse_iso8601_ms("2026-11-23T10:15:00.250Z") == 1795428900250LL);
    CHECK(parse_iso8601_ms("2026-11-23T11:15:00.250+01:00") == 1795428900250LL);
    CHECK(!parse_iso8601_ms("2026-11-23T10:15:00").has_value());
    CHECK(!parse_iso8601_ms("garbage").has_value());
    CHECK(folder_stamp(t).size() == 19);

    SUBCASE("the folder name is the stamp's local date and time, with '-' for ':'") {
        std::string want = s.substr(0, 19);
        want[13] = '-';
        want[16] = '-';
        CHECK(folder_stamp(t) == want);
    }
    SUBCASE("milliseconds are truncated; a time before 1970 keeps a positive fraction") {
        CHECK(ms_of(iso8601_ms(t + 999us)) == 1795428900250LL);
        const auto before = WallClock::time_point(std::chrono::milliseconds(-250));
        CHECK(iso8601_ms(before).substr(19, 4) == ".750");
        CHECK(ms_of(iso8601_ms(before)) == -250);
    }
    SUBCASE("parse: fractions of 1..3 digits and more, offsets both ways; junk refused") {
        CHECK(parse_iso8601_ms("2026-11-23T10:15:00Z") == 1795428900000LL);
        CHECK(parse_iso8601_ms("2026-11-23T10:15:00.2Z") == 1795428900200LL);
        CHECK(parse_iso8601_ms("2026-11-23T10:15:00.25Z") == 1795428900250LL);
        CHECK(parse_iso8601_ms("2026-11-23T10:15:00.2509Z") == 1795428900250LL);
        CHECK(parse_iso8601_ms("2026-11-23T09:45:00.250-00:30") == 1795428900250LL);
        CHECK(!parse_iso8601_ms("2026-11-23T10:15:00.Z").has_value());
        CHECK(!parse_iso8601_ms("2026-11-23T10:15:00.250Zjunk").has_value());
        CHECK(!parse_iso8601_ms("2026-13-23T10:15:00.250Z").has_value());
    }
}

TEST_CASE("StreamClock") {
    StreamClock clock(48000.0);
    clock.start(t0);
    CHECK(clock.frame0() == t0);

    SUBCASE("without a loss: frame 0's wall time + frame / rate") {
        CHECK(ms_of(clock.stamp(0)) == kT0);
        CHECK(ms_of(clock.stamp(48000)) == kT0 + 1000);
        CHECK(ms_of(clock.stamp(24000)) == kT0 + 500);
        CHECK(ms_of(clock.stamp(47999)) == kT0 + 999);  // 999.979 ms, truncated
        CHECK(ms_of(clock.stamp(48000ULL * 3600 * 24)) == kT0 + 86400000LL);
    }

    SUBCASE("across device losses: frames from where the stream resumed are stamped by how late they came") {
        // the device was lost at frame 96000 (2 s of stream); metering resumed 5 s after frame 0
        clock.resume(96000, t0 + 5s);
        CHECK(ms_of(clock.stamp(95999)) == kT0 + 1999);  // before the gap: unchanged
        CHECK(ms_of(clock.stamp(96000)) == kT0 + 5000);
        CHECK(ms_of(clock.stamp(120000)) == kT0 + 5500);
        // a second loss at frame 144000 (3 s of stream), resumed 10 s after frame 0
        clock.resume(144000, t0 + 10s);
        CHECK(ms_of(clock.stamp(143999)) == kT0 + 5999);  // still 3 s late
        CHECK(ms_of(clock.stamp(144000)) == kT0 + 10000);
        CHECK(ms_of(clock.stamp(192000)) == kT0 + 11000);
        CHECK(ms_of(clock.stamp(100)) == kT0 + 2);  // 2.083 ms: the first frames are never shifted
    }

    SUBCASE("a resume that is not late adds no gap") {
        clock.resume(96000, t0 + 2s);           // exactly on time
        clock.resume(144000, t0 + 2500ms);      // earlier than frame / rate says
        CHECK(ms_of(clock.stamp(96000)) == kT0 + 2000);
        CHECK(ms_of(clock.stamp(144000)) == kT0 + 3000);
    }

    SUBCASE("another rate") {
        StreamClock c(44100.0);
        c.start(t0);
        CHECK(ms_of(c.stamp(44100 * 60)) == kT0 + 60000);
        c.resume(44100, t0 + 1500ms);
        CHECK(ms_of(c.stamp(44100)) == kT0 + 1500);
        CHECK(ms_of(c.stamp(88200)) == kT0 + 2500);
    }
}
