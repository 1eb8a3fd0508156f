#include "app/record_summary.hpp"

#include <cmath>
#include <cstdio>

#include "app/programme_report.hpp"
#include "engine/meter/meter_options.hpp"
#include "engine/base/decibels.hpp"
#include "engine/session/session_log.hpp"

namespace headroom {
namespace {

std::string db_cell(double linear, const char* fmt = "%+.1f") {
    if (!(linear > 0.0)) return "-inf";
    char b[32];
    std::snprintf(b, sizeof b, fmt, amplitude_to_db(linear));
    return b;
}

} // namespace

nlohmann::ordered_json record_json(const RecordResult& r) {
    const auto& s = r.summary;
    nlohmann::ordered_json j;
    j["session"] = r.folder.string();
    j["sample_rate"] = static_cast<std::int64_t>(std::llround(s.sample_rate()));
    j["frames"] = s.frames();
    j["duration_s"] = std::round(static_cast<double>(s.frames()) / s.sample_rate() * 1e6) / 1e6;
    j["channels"] = s.channels_json(r.rms_aes17);
    j["clips"] = s.clips_json();
    j["hot"] = s.hot_json();
    j["buses"] = s.buses_json(r.rms_aes17);
    j["source"] = r.info.kind;
    j["device"] = r.info.device;
    j["host_api"] = r.info.host_api;
    j["buffer_frames"] = r.info.buffer_frames;
    j["ended_by"] = r.ended_by;
    j["xruns"] = r.status.xruns;
    j["device_losses"] = r.status.losses;
    j["dropped_events"] = r.status.dropped_events;
    j["write_error"] = r.write_error ? nlohmann::ordered_json(*r.write_error) : nlohmann::ordered_json(nullptr);
    return j;
}

void print_record_summary(const RecordResult& r) {
    const bool true_peak = r.summary.true_peak_measured();
    const auto& s = r.summary;
    const double secs = static_cast<double>(s.frames()) / s.sample_rate();
    std::printf("Session %s: %.1f s of %s, %.0f Hz, %d channel%s (ended by %s)\n",
                r.folder.filename().string().c_str(), secs, r.info.device.c_str(), s.sample_rate(), s.channels(),
                s.channels() == 1 ? "" : "s", r.ended_by.c_str());
    std::printf("  folder: %s\n\n", r.folder.string().c_str());
    std::printf("%3s  %-14s %-12s %-10s %11s %11s %8s %8s %9s %6s %8s %9s\n", "ch", "name", "preset", "window",
                "sample peak", "true peak", "rms", "rms max", "headroom", "clips", "clipped", "advice");
    for (int c = 0; c < s.channels(); ++c) {
        const ChannelSummary& ch = s.channel(c);
        char window[32];
        std::snprintf(window, sizeof window, "%.0f..%.0f", ch.preset.lo_dbfs, ch.preset.hi_dbfs);
        const double rms = ch.frames > 0 ? std::sqrt(ch.sum_squares / static_cast<double>(ch.frames)) : 0.0;
        std::string rms_txt = rms > 0.0 ? db_cell(rms) : "-inf", rmsmax_txt = db_cell(ch.rms_window_max);
        if (r.rms_aes17) {
            char b[32];
            if (rms > 0.0) std::snprintf(b, sizeof b, "%+.1f", rms_to_db(rms, true)), rms_txt = b;
            if (ch.rms_window_max > 0.0f) std::snprintf(b, sizeof b, "%+.1f", rms_to_db(ch.rms_window_max, true)), rmsmax_txt = b;
        }
        // Headroom from the larger of sample and true peak (with true peak off the true-peak
        // field carries the sample peak), as the window shows it.
        std::string headroom = "-";
        if (const double hr = headroom_db(amplitude_to_db(ch.sample_peak),
                                          true_peak ? amplitude_to_db(ch.true_peak) : -INFINITY);
            hr != INFINITY) {
            char b[32];
            std::snprintf(b, sizeof b, "%.1f dB", hr);
            if (std::string(b) == "-0.0 dB") std::snprintf(b, sizeof b, "0.0 dB");  // never "-0.0"
            headroom = b;
        }
        std::string advice = "-";
        if (const auto a = s.gain_advice_db(c)) {
            char b[32];
            std::snprintf(b, sizeof b, "%+.1f dB", *a);
            advice = b;
        }
        char tp_txt[32] = "off";  // true peak off: not measured
        if (true_peak) std::snprintf(tp_txt, sizeof tp_txt, "%6s dBTP", db_cell(ch.true_peak).c_str());
        std::printf("%3d  %-14.14s %-12.12s %-10s %6s dBFS %11s %8s %8s %9s %6llu %8llu %9s\n", c + 1,
                    ch.name.c_str(), ch.preset.id.c_str(), window, db_cell(ch.sample_peak).c_str(),
                    tp_txt, rms_txt.c_str(), rmsmax_txt.c_str(), headroom.c_str(),
                    static_cast<unsigned long long>(ch.clip_events),
                    static_cast<unsigned long long>(ch.clipped_samples), advice.c_str());
    }
    std::printf("\n");
    if (s.clips().empty()) {
        std::printf("No clips.\n");
    } else {
        std::printf("Clips (%zu):\n", s.clips().size());
        for (const auto& e : s.clips()) {
            const int c = e.channel;
            const std::string name = c < s.channels() ? s.channel(c).name : "";
            // True peak off: the clip's sample peak, labelled as such.
            std::printf("  %s  ch%d %-14.14s %s %s  %llu sample%s in %u run%s\n",
                        session_timecode(static_cast<double>(e.start_sample) / s.sample_rate()).c_str(), c + 1,
                        name.c_str(), db_cell(true_peak ? e.true_peak : e.sample_peak, "%+.2f").c_str(),
                        true_peak ? "dBTP" : "dBFS", static_cast<unsigned long long>(e.count),
                        e.count == 1 ? "" : "s", e.runs, e.runs == 1 ? "" : "s");
        }
    }
    if (s.bands_measured()) {
        std::printf("Bands:\n");
        print_bands_table(s.channel_records(r.rms_aes17), "  ");
    }
    if (s.buses() > 0) {
        const PresetTable built_in;
        std::printf("Buses:\n");
        for (const auto& b : s.bus_records(r.rms_aes17))
            std::printf("  %s\n", bus_line(b, r.table ? *r.table : built_in).c_str());
    }
    if (!true_peak)
        std::printf("True peak off (--true-peak off): not measured; headroom and clips read the sample peak.\n");
    std::printf("Hot events: %zu · xruns: %llu · device lost: %u time%s · dropped events: %llu\n", s.hot().size(),
                static_cast<unsigned long long>(r.status.xruns), r.status.losses, r.status.losses == 1 ? "" : "s",
                static_cast<unsigned long long>(r.status.dropped_events));
    bool any_advice = false;
    for (int c = 0; c < s.channels(); ++c) any_advice = any_advice || s.gain_advice_db(c).has_value();
    if (!any_advice)
        std::printf("Gain advice appears once a channel has had %.0f s of signal: record longer.\n", kGainMinActiveS);
    std::printf("Read the clip log: headroom log %s\n", r.folder.string().c_str());
}

} // namespace headroom
