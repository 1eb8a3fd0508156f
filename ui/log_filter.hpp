#pragma once
// The clip log's table logic, apart from drawing: which entries a filter keeps, how a column
// sorts them, and the per-channel summary of a session. (Timecodes: session_timecode in
// engine/session/session_log.hpp.)
//
// Threads: any normal thread (pure functions over a SessionLog; they allocate).
#include <cstdint>
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
// Where a clip or hot event was loudest, for the log's tooltip: "loudest at 00:00:12.345
// (sample 592560)" (session timecode, as the Timecode column); empty when the line has none.
std::string loudest_moment_text(const SessionEntry& e);

struct ChannelLogSummary {
    int clip_events = 0;
    int hot_events = 0;
    std::optional<double> max_sample_peak_dbfs, max_true_peak_dbtp;
    std::optional<double> gain_advice_db;
    bool estimated = false;     // no recorder figures: from the events and the envelope
};
// One per channel: the recorder's own figures (one truth with the strips, `record` and
// `analyze`), from `live` (the running recorder's SessionSummary::channel_records, for the
// session being recorded) or else session.json's "channel_summary" (written at a clean end).
// The events in clips.jsonl can be newer than a live record (it is taken every few hundred
// ms), so counts and maxima are the larger of the record and the logged events. Only a
// session without either (killed before a clean end, read from disk) falls back to the
// events and the 10 Hz envelope, with the gain advice estimated by DESIGN.md §3's rule (95th
// percentile of the 400 ms peaks above -60 dBFS, >= 10 s of activity) against `windows[c]`
// (lo, hi); `estimated` says so.
std::vector<ChannelLogSummary> summarize(const SessionLog& log,
                                         const std::vector<std::pair<double, double>>& windows,
                                         const std::vector<ChannelSummaryRecord>* live = nullptr);

// When the clip log re-reads the session being recorded. The recorder appends an event line
// within 25 ms; the log looks at the size of clips.jsonl every `check_period` s and re-reads
// as soon as it grew (an event shows within about 0.15 s), and every `full_period` s anyway
// (the level envelope). A read never costs more than about 10 % of the UI thread: after a
// read that took t s, the next waits at least 10 t.
struct LiveReload {
    double check_period = 0.1;
    double full_period = 2.0;
    double next_check = 0.0, next_full = 0.0, not_before = 0.0;
    std::uintmax_t seen_bytes = 0;
    // Whether to re-read now, given the time and the current size of clips.jsonl (any thread).
    bool due(double now, std::uintmax_t clips_bytes);
    // After a read at `now` that took `seconds`.
    void read_done(double now, double seconds, std::uintmax_t clips_bytes);
};

// DESIGN.md §3 gain advice from 10 Hz peak values (linear); nothing below 10 s of activity.
std::optional<double> gain_advice_from_envelope(const std::vector<float>& peaks_10hz, double lo, double hi);

} // namespace headroom::ui
