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
#include <utility>
#include <vector>

namespace headroom {

using WallClock = std::chrono::system_clock;

// "YYYY-MM-DDTHH:MM:SS.mmm+hh:mm" in local time.
std::string iso8601_ms(WallClock::time_point t);
// "YYYY-MM-DDTHH-MM-SS" in local time (a session folder's name).
std::string folder_stamp(WallClock::time_point t);
// Milliseconds since the Unix epoch of an iso8601_ms() stamp (also accepts "Z" and no
// fraction); nothing when it does not parse.
std::optional<std::int64_t> parse_iso8601_ms(const std::string& s);

// The wall clock of stream frames: frame 0's wall time + frame / rate + the gaps lost devices
// left in the stream (frames after a loss were metered later than frame / rate says).
// Threads: a plain value; the owner serialises access.
class StreamClock {
public:
    explicit StreamClock(double sample_rate) : rate_(sample_rate) {}
    void start(WallClock::time_point frame0) { frame0_ = frame0; }   // at stream frame 0
    WallClock::time_point frame0() const { return frame0_; }
    // The stream resumed at `frame` (where the device was lost) at `now`: frames from there on
    // are stamped by how late they came.
    void resume(std::uint64_t frame, WallClock::time_point now);
    // iso8601_ms() of `frame`.
    std::string stamp(std::uint64_t frame) const;

private:
    double rate_;
    WallClock::time_point frame0_{};
    std::vector<std::pair<std::uint64_t, double>> gaps_;  // from frame on: + seconds
};

} // namespace headroom
