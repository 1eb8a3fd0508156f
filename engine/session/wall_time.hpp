#pragma once
// Wall-clock stamps of the session files (DESIGN.md §5): ISO 8601 local time with
// milliseconds and the UTC offset ("2026-11-23T10:15:00.250+01:00"), the session folder
// name ("2026-11-23T10-15-00", local time), and the way back from a stamp to a time point.
//
// Threads: any normal thread (uses localtime_r; allocates).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace headroom {

using WallClock = std::chrono::system_clock;

// "YYYY-MM-DDTHH:MM:SS.mmm+hh:mm" in local time.
std::string iso8601_ms(WallClock::time_point t);
// "YYYY-MM-DDTHH-MM-SS" in local time (a session folder's name).
std::string folder_stamp(WallClock::time_point t);
// Milliseconds since the Unix epoch of an iso8601_ms() stamp (also accepts "Z" and no
// fraction); nothing when it does not parse.
std::optional<std::int64_t> parse_iso8601_ms(const std::string& s);

} // namespace headroom
