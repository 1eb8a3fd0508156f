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
    std::optional<std::uint64_t> peak_sample;  // clip/hot: the loudest moment's frame (null: nonfinite)
    std::optional<double> peak_s;     // the same in seconds from session start
    bool provisional = false;         // an event still open when last written (killed before it closed)
    std::optional<double> transport_s;  // where it started on the JACK transport, when rolling
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
    // clips.jsonl, in file order, each event once: a provisional line (an event still open
    // when written) is replaced by the event's later lines (event_id), the final one winning.
    std::vector<SessionEntry> entries;
    bool torn_tail = false;                    // the last line was incomplete and was ignored
    std::size_t bad_lines = 0;                 // other lines that did not parse or were malformed (skipped)
    // Files of the folder that are there but could not be read (not a regular file, no
    // permission, I/O error, session.json not JSON): "<path>: <why>", one per file.
    std::vector<std::string> problems;
    // 10 Hz envelope: env_peak[c][k], env_rms[c][k] for tick k (linear). Empty when absent.
    std::vector<std::vector<float>> env_peak, env_rms;
    // Per bus (session.json "buses"), per tick: short-term loudness at its end and the loudest
    // momentary in it, BS.1770 mean squares (0: none). Empty when absent.
    std::vector<std::vector<float>> bus_short_term, bus_momentary_max;
};

// normal thread. Reads a session folder; throws InputError "<folder>: <why>" when it is not a
// session (no session.json and no clips.jsonl).
SessionLog read_session(const std::filesystem::path& folder);

// normal thread. Session folders under `sessions_dir`, oldest first (names sort by time). Only
// folders named as the recorder names them (YYYY-MM-DDTHH-MM-SS, optionally -N) count.
std::vector<std::filesystem::path> list_sessions(const std::filesystem::path& sessions_dir);

// normal thread. `arg` empty: the newest session; otherwise a folder path, or a name under
// `sessions_dir`. Throws InputError naming what was looked for when there is none.
std::filesystem::path resolve_session(const std::string& arg, const std::filesystem::path& sessions_dir);

// Where marker exports place events: seconds from the session's start, or the JACK transport
// position (events without one are left out: see marker_events()).
enum class Timeline { session, transport };

// normal thread. The clip/hot/nonfinite entries in time order (start_sample, then channel).
std::vector<const SessionEntry*> session_events(const SessionLog& log);
// normal thread. Whether every event carries a transport position (and there is at least one).
bool has_transport_timeline(const SessionLog& log);

// normal thread. CSV of the clip/hot/nonfinite entries in time order, header row first:
// time,timecode,channel,channel_name,preset,type,start_sample,start_s,end_s,duration_ms,
// runs,samples,sample_peak_dbfs,true_peak_dbtp,peak_sample,peak_s,transport_s,id,provisional
// (empty cell for null)
std::string session_csv(const SessionLog& log);
// normal thread. Audacity label track: "start<TAB>end<TAB>label" per clip, seconds on the
// timeline with 6 decimals; label "CLIP ch3 Snare +0.4 dBTP (12 samples)" ("(1 sample)"
// for one; the true peak, or the sample peak in dBFS when a line has no true peak).
std::string audacity_labels(const SessionLog& log, Timeline t = Timeline::session);
// normal thread. REAPER Region/Marker Manager CSV ("#,Name,Start,End,Length"): a marker M<n>
// per clip and non-finite burst, a region R<n> per hot event; times as M:SS.mmm (H:MM:SS.mmm
// past an hour), REAPER's Minutes:Seconds format. docs/sessions.md says how to import it.
std::string reaper_markers(const SessionLog& log, Timeline t = Timeline::session);
// normal thread. Events the marker exports leave out on the transport timeline (no position).
std::size_t events_without_transport(const SessionLog& log);

// any thread. "HH:MM:SS.mmm" for seconds from the session start (the CSV's timecode column).
std::string session_timecode(double seconds);

} // namespace headroom
