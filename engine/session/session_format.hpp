#pragma once
// The session folder's file format (DESIGN.md §5, docs/sessions.md), defined once: the keys of
// session.json and of every clips.jsonl line type, as plain records with a to_json for the
// writer (SessionRecorder; keys in the order written) and a from_json for every reader
// (read_session, and through it `headroom log` and the window's log view). The levels.f32
// layout is in session_levels.hpp.
//
// Readers are tolerant: a missing, null or mistyped key reads as the record's default, never
// an exception (a session may be torn, or written by another version).
//
// Threads: any thread (plain values and pure functions; they allocate).
#include <cstdint>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/meter/programme.hpp"
#include "engine/settings/presets.hpp"

namespace headroom {

// The three files of a session folder.
inline constexpr const char* kSessionJsonFile = "session.json";
inline constexpr const char* kClipsFile = "clips.jsonl";
inline constexpr const char* kLevelsFile = "levels.f32";

// ---- session.json ----------------------------------------------------------------------

// "meter": the options the session was metered with.
struct MeterRecord {
    double clip_threshold_dbfs = -0.1;
    int clip_min_run = 1;
    double merge_ms = 500.0;
    double hot_merge_ms = 2000.0;
    double rms_window_ms = 300.0;
    bool true_peak = true;  // false (--true-peak off): no true-peak figure anywhere in the session
    bool bands = false;     // --bands: channels and buses carry their bands (DESIGN.md §6)
    bool operator==(const MeterRecord&) const = default;
};

// "levels": where the 10 Hz envelope is and how it is laid out (session_levels.hpp).
struct LevelsRecord {
    std::string file = kLevelsFile;
    int rate_hz = 10;
    std::uint64_t tick_frames = 0;   // frames per record
    int channels = 0;
    int buses = 0;                   // DESIGN.md §6: pairs after the channels' (session_levels.hpp)
    std::string layout = "peak,rms per channel; float32 LE; linear";
    bool operator==(const LevelsRecord&) const = default;
};

// One band's levels (DESIGN.md §6): dB rounded to 2 decimals; null for silence.
struct BandLevelRecord {
    std::optional<double> peak_dbfs, rms_dbfs;
    bool operator==(const BandLevelRecord&) const = default;
};
// "bands": {"low": {..}, "mid": {..}, "high": {..}} (kBandNames order).
using BandsRecord = std::array<BandLevelRecord, kBandCount>;

// One item of "channel_summary": the DESIGN.md §4 "channels" object (also printed by
// `analyze --json` and `record --json`). dB values rounded to 2 decimals; null for silence.
struct ChannelSummaryRecord {
    int channel = 0;                                // 1-based
    std::string preset;                             // preset id
    std::optional<double> sample_peak_dbfs, true_peak_dbtp, rms_dbfs, rms_max_dbfs;
    std::uint64_t clip_events = 0;
    std::uint64_t clipped_samples = 0;
    std::uint64_t nonfinite_samples = 0;
    std::optional<double> gain_advice_db;           // null until 10 s of activity
    std::optional<BandsRecord> bands;               // DESIGN.md §6; null when bands were not metered
    std::optional<double> low_share_db;             // low-band RMS - full-band RMS, whole stream
    bool operator==(const ChannelSummaryRecord&) const = default;
};

// One item of "buses" (DESIGN.md §6 JSON; analyze --json, record --json, session.json's
// "bus_summary"). dB, LUFS and LU rounded to 2 decimals; null when not measurable.
struct BusSummaryRecord {
    std::string name;
    std::vector<int> channels;                      // 1-based
    std::string preset;
    std::optional<double> sample_peak_dbfs, true_peak_dbtp, headroom_db, integrated_lufs,
        momentary_max_lufs, short_term_max_lufs, loudness_range_lu, plr_lu;
    std::optional<BandsRecord> bands;               // null when bands were not metered
    std::optional<double> low_share_db;
    bool operator==(const BusSummaryRecord&) const = default;
};

// A bus as session.json names it (at start): name, 1-based channels, preset id.
struct BusRecord {
    std::string name;
    std::vector<int> channels;
    std::string preset;
    bool operator==(const BusRecord&) const = default;
};

// session.json. Written when the recorder is created, at start (start_time) and at a clean end
// (end_time, frames, channel_summary).
struct SessionFileRecord {
    std::string headroom_version;
    std::string source;                             // "device", "file", "demo"
    std::string device;
    std::string host_api;
    double sample_rate = 0.0;                       // written rounded to whole Hz
    int buffer_frames = 0;
    int channels = 0;
    std::vector<std::string> channel_names;         // one per channel
    std::vector<std::string> presets;               // preset id per channel
    std::vector<Preset> preset_windows;             // the presets themselves, per channel
    std::optional<std::string> start_time, end_time;  // ISO 8601 with milliseconds; null until known
    MeterRecord meter;
    LevelsRecord levels;
    std::optional<std::uint64_t> frames;            // at the clean end only
    std::optional<std::vector<ChannelSummaryRecord>> channel_summary;  // at the clean end only
    std::vector<BusRecord> buses;                   // DESIGN.md §6 (empty: none)
    std::optional<std::vector<BusSummaryRecord>> bus_summary;  // at the clean end only
};

// ---- clips.jsonl: one JSON object per line, each with "type" and "time" ---------------------

// The "type" of each line.
namespace line_type {
inline constexpr std::string_view start = "start";
inline constexpr std::string_view clip = "clip";
inline constexpr std::string_view hot = "hot";
inline constexpr std::string_view nonfinite = "nonfinite";
inline constexpr std::string_view xrun = "xrun";
inline constexpr std::string_view device_lost = "device_lost";
inline constexpr std::string_view device_back = "device_back";
inline constexpr std::string_view dropped = "dropped";
inline constexpr std::string_view write_error = "write_error";
inline constexpr std::string_view stop = "stop";
} // namespace line_type

struct StartLine {
    std::string time;
    std::string session;          // the folder's name
    std::string source, device;
    double sample_rate = 0.0;     // written rounded to whole Hz
    int channels = 0;
    bool operator==(const StartLine&) const = default;
};

// clip, hot, nonfinite: the DESIGN.md §4 clip object between "time" and "channel_name", the
// same keys in every event type (kEventKeys), then the log's own keys.
struct EventLine {
    std::string type;             // line_type::clip, hot or nonfinite
    std::string time;             // wall clock of the event's first sample
    int channel = 0;              // 1-based
    std::uint64_t start_sample = 0;
    double start_s = 0.0;         // seconds from the stream start
    double end_s = 0.0;           // end of the last sample
    std::uint64_t runs = 0;
    std::uint64_t samples = 0;    // "samples" in every event type; a clip also "clipped_samples" (§4)
    std::optional<double> sample_peak_dbfs, true_peak_dbtp;
    // Clip, hot: the first frame where |x| equals the event's sample peak (its loudest moment),
    // from the stream start, and the same in seconds (peak_sample / rate); null for nonfinite.
    std::optional<std::uint64_t> peak_sample;
    std::optional<double> peak_s;
    std::string channel_name;     // not in the §4 object
    std::string id;               // event_id(): the same in a provisional line and its final line
    bool provisional = false;     // the event was still open when written; a later line replaces it
    // Where the event started on the JACK transport (null when the transport was not rolling).
    std::optional<std::uint64_t> transport_frame;
    std::optional<double> transport_s;
    bool operator==(const EventLine&) const = default;
};

// The keys every event line (clip, hot, nonfinite) carries, in the order written; the CSV
// export's columns use the same names.
inline constexpr const char* kEventKeys[] = {"type", "time", "id", "provisional", "channel", "start_sample",
                                             "start_s", "end_s", "runs", "samples", "sample_peak_dbfs",
                                             "true_peak_dbtp", "peak_sample", "peak_s", "transport_frame", "transport_s", "channel_name"};

// "clip-3-96000": type, 1-based channel and first sample identify an event in its session.
std::string event_id(std::string_view type, int channel, std::uint64_t start_sample);

struct XrunLine {
    std::string time;
    std::uint64_t count = 0;      // new since the last xrun line
    std::uint64_t total = 0;
    bool operator==(const XrunLine&) const = default;
};

struct DeviceLostLine {
    std::string time;
    std::string reason;
    std::uint64_t frames = 0;     // frames metered so far
    bool operator==(const DeviceLostLine&) const = default;
};

struct DeviceBackLine {
    std::string time;
    std::uint64_t frames = 0;     // where the stream resumed
    // The server as it came back when it differs from the take (CaptureStatus::back_rate,
    // back_channels: a JACK server with another port count); 0: came back the same.
    double sample_rate = 0.0;
    int channels = 0;
    bool operator==(const DeviceBackLine&) const = default;
};

struct DroppedLine {
    std::string time;
    std::uint64_t count = 0;      // events the full hand-over queue refused since the last line
    std::uint64_t total = 0;
    bool operator==(const DroppedLine&) const = default;
};

struct WriteErrorLine {
    std::string time;
    std::string error;            // the first failure
    std::uint64_t records_lost = 0;
    bool operator==(const WriteErrorLine&) const = default;
};

struct StopLine {
    std::string time;
    std::uint64_t frames = 0;
    double duration_s = 0.0;
    std::uint64_t dropped_events = 0;
    bool operator==(const StopLine&) const = default;
};

// A line of a type this version does not know: its type and time only.
struct OtherLine {
    std::string type;
    std::string time;
    bool operator==(const OtherLine&) const = default;
};

using ClipsLine = std::variant<OtherLine, StartLine, EventLine, XrunLine, DeviceLostLine, DeviceBackLine,
                               DroppedLine, WriteErrorLine, StopLine>;

// ---- writing (key order as on disk) ------------------------------------------------------

nlohmann::ordered_json to_json(const SessionFileRecord& r);
nlohmann::ordered_json to_json(const ChannelSummaryRecord& r);
nlohmann::ordered_json to_json(const BusSummaryRecord& r);
nlohmann::ordered_json to_json(const StartLine& l);
nlohmann::ordered_json to_json(const EventLine& l);
nlohmann::ordered_json to_json(const XrunLine& l);
nlohmann::ordered_json to_json(const DeviceLostLine& l);
nlohmann::ordered_json to_json(const DeviceBackLine& l);
nlohmann::ordered_json to_json(const DroppedLine& l);
nlohmann::ordered_json to_json(const WriteErrorLine& l);
nlohmann::ordered_json to_json(const StopLine& l);
nlohmann::ordered_json to_json(const OtherLine& l);  // its type and time
// The DESIGN.md §4 clip object of an event: "channel" .. "peak_s" (no type, time or channel
// name).
nlohmann::ordered_json event_object(const EventLine& l);

// session.json's text: indented by 2, a final newline.
std::string session_json_text(const SessionFileRecord& r);
// One clips.jsonl line with its newline. Bytes that are not UTF-8 (device names) are replaced
// by U+FFFD, never an exception on the writer thread.
std::string clips_line_text(const nlohmann::ordered_json& line);
template <class Line>
std::string clips_line_text(const Line& l) { return clips_line_text(to_json(l)); }

// ---- reading (tolerant) ------------------------------------------------------------------

SessionFileRecord session_file_from_json(const nlohmann::json& j);
ChannelSummaryRecord channel_summary_from_json(const nlohmann::json& j);
BusSummaryRecord bus_summary_from_json(const nlohmann::json& j);
// A parsed clips.jsonl line as its typed record (OtherLine for an unknown type).
ClipsLine clips_line_from_json(const nlohmann::json& j);
// Whether a parsed line is one the writer could have written: an object with a string "type"
// and "time", and for a known type every key of it present with its type (counts and sample
// positions non-negative integers, seconds finite and non-negative, dB a number or null).
// Readers skip and count the lines that are not (`headroom log`: "N malformed lines skipped").
bool clips_line_well_formed(const nlohmann::json& j);

} // namespace headroom
