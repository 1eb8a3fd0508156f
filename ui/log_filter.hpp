#pragma once
// The clip log's table logic, apart from drawing: which entries a filter keeps, how a column
// sorts them, and the per-channel summary of a session. (Timecodes: session_timecode in
// engine/session/session_log.hpp.)
//
// Threads: any normal thread (pure functions over a SessionLog; they allocate).
#include <optional>
#include <string>
#include <vector>

#include "engine/session/session_log.hpp"

namespace headroom::ui {

enum class LogColumn { Time, Timecode, Channel, Preset, Type, SamplePeak, TruePeak, Duration, Runs };

struct LogFilter {
    int channel = 0;            // 1-based; 0: every channel
    bool clip = true;
    bool hot = true;
    bool nonfinite = true;
    bool other = false;         // xrun, device_lost, device_back, start, stop
};

// Indices into log.entries that pass the filter, in file order.
std::vector<int> filter_entries(const SessionLog& log, const LogFilter& f);
// Sorts `rows` (indices into log.entries) by `column`; ties keep file order. Missing values
// (null peaks) sort first ascending.
void sort_entries(std::vector<int>& rows, const SessionLog& log, LogColumn column, bool ascending);

// The channel's name as the session recorded it ("In N" beyond the known names), "" for 0.
std::string channel_name(const SessionLog& log, int channel);
std::string channel_preset(const SessionLog& log, int channel);
double duration_ms(const SessionEntry& e);

struct ChannelLogSummary {
    int clip_events = 0;
    int hot_events = 0;
    std::optional<double> max_sample_peak_dbfs, max_true_peak_dbtp;
    std::optional<double> gain_advice_db;
};
// One per channel. Gain advice: session.json's "channel_summary" when the recorder wrote one,
// otherwise from the 10 Hz envelope with DESIGN.md §3's rule (95th percentile of the 400 ms
// peaks above -60 dBFS, >= 10 s of activity) against the window of `windows[c]` (lo, hi).
std::vector<ChannelLogSummary> summarize(const SessionLog& log,
                                         const std::vector<std::pair<double, double>>& windows);

// DESIGN.md §3 gain advice from 10 Hz peak values (linear); nothing below 10 s of activity.
std::optional<double> gain_advice_from_envelope(const std::vector<float>& peaks_10hz, double lo, double hi);

} // namespace headroom::ui
