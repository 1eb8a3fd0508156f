#pragma once
// The clip log window: the current session or any past one, read through the engine's
// session_log functions. A sortable, filterable table (time, timecode, channel name, preset,
// type, sample peak, true peak, duration, runs); selecting a row highlights its channel on
// the bridge; a per-channel summary (clip events, max sample peak, max true peak, gain
// advice); the level history of one channel from the 10 Hz envelope with its clips marked;
// exports to CSV and Audacity labels into the session folder.
//
// The per-channel summary is the recorder's own (ui/log_filter.hpp summarize): the running
// recorder's records for the session being recorded (set_live_summary), session.json's
// "channel_summary" for a past one.
//
// Threads: UI thread (ImGui). Reading a session blocks briefly; the current session is
// re-read as soon as clips.jsonl grows (checked every 0.1 s) and every 2 s for the envelope,
// at most ~10 % of the UI thread's time (LiveReload).
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/settings/presets.hpp"
#include "engine/session/session_log.hpp"
#include "ui/fonts.hpp"
#include "ui/layout.hpp"
#include "ui/log_filter.hpp"

namespace headroom::ui {

class LogView {
public:
    // Where past sessions are listed from; the session being recorded (may be empty).
    void set_sessions(const std::filesystem::path& sessions_dir, const std::filesystem::path& current);
    // The preset table resolves a session's preset ids to windows (summary, history).
    void set_presets(const PresetTable* table) { presets_ = table; }

    bool open = false;
    bool docked = false;          // a side pane beside the bridge (else a floating window)
    // The running recorder's per-channel records (SessionSummary::channel_records), UI thread.
    void set_live_summary(std::vector<ChannelSummaryRecord> records);
    // Draws the window when open, at `place` (ui/layout.hpp place_log: the pane when docked,
    // the first position when floating). `now` in seconds (reload cadence).
    void draw(const Fonts& fonts, double now, const Rect& place);
    // Where the window was drawn in the last frame (logical px); empty when closed.
    const Rect& drawn() const { return drawn_; }
    // The export buttons as drawn in the last frame (both CSV and Audacity), and the summary
    // table's header row (tests: they stay inside the window at 800x600).
    const Rect& export_buttons() const { return export_rect_; }
    const Rect& summary_header() const { return summary_header_; }
    // 1-based channel of the selected row, 0 when none (the bridge highlights it).
    int highlighted_channel() const { return open ? highlighted_ : 0; }
    // The loaded session (tests and screenshots).
    const SessionLog& log() const { return log_; }
    void load(const std::filesystem::path& folder);  // reads a session now

private:
    void reload_if_due(double now);
    void draw_session_picker();
    void draw_table(const Fonts& fonts);
    void draw_summary();
    void draw_history(const Fonts& fonts);
    void export_to(bool csv);
    std::vector<std::pair<double, double>> windows() const;

    std::filesystem::path sessions_dir_, current_, shown_;
    const PresetTable* presets_ = nullptr;
    SessionLog log_;
    std::string error_, export_message_;
    std::vector<std::filesystem::path> past_;
    LogFilter filter_;
    LogColumn sort_column_ = LogColumn::Timecode;
    bool sort_ascending_ = true;
    std::vector<int> rows_;
    bool rows_dirty_ = true;
    int selected_ = -1;           // index into log_.entries
    int highlighted_ = 0;
    int history_channel_ = 1;
    LiveReload reload_;
    std::vector<ChannelLogSummary> summary_;
    std::vector<ChannelSummaryRecord> live_;
    bool have_live_ = false;
    bool was_docked_ = false;     // the last frame's mode (re-place the window when it changes)
    Rect drawn_, export_rect_, summary_header_;
};

} // namespace headroom::ui
