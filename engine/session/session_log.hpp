#pragma once
// Reading a session folder back (DESIGN.md §5): session.json, clips.jsonl (tolerant of a
// torn last line) and the 10 Hz level envelope, through the same definitions the
// SessionRecorder writes with (session_format.hpp, session_levels.hpp); and the exports of
// `headroom log` and the window's log view (CSV, Audacity labels), and the timecode they show.
//
// Threads: normal threads only (reads files, allocates).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/session/session_format.hpp"

namespace headroom {

// One line of clips.jsonl: its type and time, the event columns (filled for clip, hot and
// nonfinite lines), and the line as its typed record.
struct SessionEntry {
    std::string type;                 // start, clip, hot, nonfinite, xrun, device_lost, device_back, stop, ...
    std::string time;                 // wall clock, ISO 8601 with milliseconds
    int channel = 0;                  // 1-based; 0 when the line names none
    std::uint64_t start_sample = 0;   // clip/hot/nonfinite
    double start_s = 0.0;             // seconds from session start
    double end_s = 0.0;
    std::uint64_t runs = 0;
    std::uint64_t samples = 0;        // clipped samples (clip), samples (hot/nonfinite)
    std::optional<double> sample_peak_dbfs, true_peak_dbtp;
    ClipsLine line;                   // the typed record (session_format.hpp)
    nlohmann::json raw;               // the whole line as read (printed by `log --json`)
};

struct SessionLog {
    std::filesystem::path folder;
    std::string name;                          // the folder's name, e.g. 2026-11-23T10-15-00
    SessionFileRecord session;                 // session.json as read (defaults when missing/unreadable)
    double sample_rate = 0.0;
    int channels = 0;
    std::vector<std::string> channel_names;    // one per channel ("In N" when unknown)
    std::vector<std::string> presets;          // preset id per channel
    std::vector<SessionEntry> entries;         // clips.jsonl, in file order
    bool torn_tail = false;                    // the last line was incomplete and was ignored
    std::size_t bad_lines = 0;                 // other lines that did not parse (skipped)
    // 10 Hz envelope: env_peak[c][k], env_rms[c][k] for tick k (linear). Empty when absent.
    std::vector<std::vector<float>> env_peak, env_rms;
};

// normal thread. Reads a session folder; throws InputError "<folder>: <why>" when it is not a
// session (no session.json and no clips.jsonl).
SessionLog read_session(const std::filesystem::path& folder);

// normal thread. Session folders under `sessions_dir`, oldest first (names sort by time).
std::vector<std::filesystem::path> list_sessions(const std::filesystem::path& sessions_dir);

// normal thread. `arg` empty: the newest session; otherwise a folder path, or a name under
// `sessions_dir`. Throws InputError naming what was looked for when there is none.
std::filesystem::path resolve_session(const std::string& arg, const std::filesystem::path& sessions_dir);

// normal thread. CSV of the clip/hot/nonfinite entries, header row first:
// time,timecode,channel,channel_name,preset,type,start_sample,start_s,end_s,duration_ms,
// runs,samples,sample_peak_dbfs,true_peak_dbtp   (empty cell for null)
std::string session_csv(const SessionLog& log);
// normal thread. Audacity label track: "start<TAB>end<TAB>label" per clip, seconds from the
// session start with 6 decimals; label "CLIP ch3 Snare +0.4 dBTP (12 samples)" ("(1 sample)"
// for one; the true peak, or the sample peak in dBFS when a line has no true peak).
std::string audacity_labels(const SessionLog& log);

// any thread. "HH:MM:SS.mmm" for seconds from the session start (the CSV's timecode column).
std::string session_timecode(double seconds);

} // namespace headroom
