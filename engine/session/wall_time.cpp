#include "engine/session/wall_time.hpp"

#include <cstdio>
#include <ctime>

namespace headroom {
namespace {

std::tm local_tm(std::time_t s) {
    std::tm tm{};
    ::localtime_r(&s, &tm);
    return tm;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

} // namespace

std::string iso8601_ms(WallClock::time_point t) {
    using namespace std::chrono;
    const auto ms_total = duration_cast<milliseconds>(t.time_since_epoch()).count();
    std::int64_t secs = ms_total / 1000;
    std::int64_t ms = ms_total % 1000;
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    const std::tm tm = local_tm(static_cast<std::time_t>(secs));
    const long off_min = tm.tm_gmtoff / 60;
    const long aoff = off_min < 0 ? -off_min : off_min;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02ld:%02ld", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms),
                  off_min < 0 ? '-' : '+', aoff / 60, aoff % 60);
    return buf;
}

std::string folder_stamp(WallClock::time_point t) {
    const std::tm tm = local_tm(WallClock::to_time_t(t));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::optional<std::int64_t> parse_iso8601_ms(const std::string& s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, used = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &used) != 6)
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
    std::size_t i = static_cast<std::size_t>(used);
    std::int64_t ms = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (digits < 3) ms = ms * 10 + (s[i] - '0');
            ++digits;
            ++i;
        }
        if (digits == 0) return std::nullopt;
        for (; digits < 3; ++digits) ms *= 10;
    }
    std::int64_t offset_s = 0;
    if (i < s.size() && s[i] == 'Z') {
        ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int oh = 0, om = 0, n = 0;
        if (std::sscanf(s.c_str() + i + 1, "%2d:%2d%n", &oh, &om, &n) != 2) return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 1 + static_cast<std::size_t>(n);
    } else {
        return std::nullopt;  // a stamp without a zone is ambiguous
    }
    if (i != s.size()) return std::nullopt;
    const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
    return secs * 1000 + ms;
}

void StreamClock::resume(std::uint64_t frame, WallClock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - frame0_).count();
    const double late = elapsed - static_cast<double>(frame) / rate_;
    if (late > 0.0) gaps_.emplace_back(frame, late);
}

std::string StreamClock::stamp(std::uint64_t frame) const {
    double extra = 0.0;
    for (const auto& [from, late] : gaps_)
        if (frame >= from) extra = late;
    const double s = static_cast<double>(frame) / rate_ + extra;
    return iso8601_ms(frame0_ + std::chrono::duration_cast<WallClock::duration>(std::chrono::duration<double>(s)));
}

} // namespace headroom
