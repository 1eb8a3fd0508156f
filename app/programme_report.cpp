#include "app/programme_report.hpp"

#include <cstdio>
#include <optional>

namespace headroom {
namespace {

// A rounded record value as printed: levels signed (dB, LUFS), ranges (LRA, PLR) not; "-" when null.
std::string value_text(const std::optional<double>& v, bool sign = true) {
    if (!v) return "-";
    char b[32];
    std::snprintf(b, sizeof b, sign ? "%+.2f" : "%.2f", *v);
    return b;
}

} // namespace

std::string bus_line(const BusSummaryRecord& b, const PresetTable& table) {
    const Preset* mastering = table.find("master_in");
    const double room_lo = mastering ? -mastering->hi_dbfs : 3.0, room_hi = mastering ? -mastering->lo_dbfs : 6.0;
    std::string channels;
    for (std::size_t i = 0; i < b.channels.size(); ++i) channels += (i ? "," : "") + std::to_string(b.channels[i]);
    char verdict[128] = "silent";
    if (b.headroom_db) {
        if (*b.headroom_db < room_lo)
            std::snprintf(verdict, sizeof verdict, "too hot for mastering (wants %.0f-%.0f dB): lower by %.2f dB",
                          room_lo, room_hi, room_lo - *b.headroom_db);
        else if (*b.headroom_db <= room_hi)
            std::snprintf(verdict, sizeof verdict, "ready for mastering (%.0f-%.0f dB)", room_lo, room_hi);
        else
            std::snprintf(verdict, sizeof verdict, "more than mastering needs (%.0f-%.0f dB)", room_lo, room_hi);
    }
    char line[768];
    std::snprintf(line, sizeof line,
                  "bus %s (ch %s, %s): headroom %s dB, %s; TP %s dBTP; integrated %s LUFS; LRA %s LU; PLR %s LU; "
                  "M max %s, S max %s LUFS; low share %s dB",
                  b.name.c_str(), channels.c_str(), b.preset.c_str(), value_text(b.headroom_db, false).c_str(), verdict,
                  value_text(b.true_peak_dbtp).c_str(), value_text(b.integrated_lufs).c_str(),
                  value_text(b.loudness_range_lu, false).c_str(), value_text(b.plr_lu, false).c_str(),
                  value_text(b.momentary_max_lufs).c_str(), value_text(b.short_term_max_lufs).c_str(),
                  value_text(b.low_share_db).c_str());
    return line;
}

void print_bands_table(const std::vector<ChannelSummaryRecord>& records, const char* indent) {
    std::printf("%s%3s  %17s %17s %17s %9s\n", indent, "ch", "low peak/RMS", "mid peak/RMS", "high peak/RMS",
                "low share");
    for (const auto& r : records) {
        if (!r.bands) continue;
        std::printf("%s%3d ", indent, r.channel);
        for (const auto& band : *r.bands)
            std::printf(" %8s/%-8s", value_text(band.peak_dbfs).c_str(), value_text(band.rms_dbfs).c_str());
        std::printf(" %9s\n", value_text(r.low_share_db).c_str());
    }
}

} // namespace headroom
