#pragma once
// What `headroom record` prints at the end: a readable table, or the DESIGN.md §4 JSON
// object of the session ("session": FOLDER in place of "file"). Normal thread.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/capture/capture.hpp"
#include "engine/session/session_summary.hpp"

namespace headroom {

struct RecordResult {
    std::filesystem::path folder;
    SourceInfo info;
    SessionSummary summary{48000.0, {}, {}};
    CaptureStatus status;              // the last poll, after stop
    bool rms_aes17 = false;
    std::optional<std::string> write_error;
    std::string ended_by;              // "duration", "signal", "end of file"
    const PresetTable* table = nullptr;  // for the buses' mastering verdict (master_in); null: built-in window
};

// {"session", "sample_rate", "frames", "duration_s", "channels": [...], "clips": [...],
//  "hot": [...], "buses": [...] (DESIGN.md §6), then "source", "device", "host_api", "buffer_frames", "ended_by", "xruns",
//  "device_losses", "dropped_events", "write_error"}. True peak off: "true_peak_dbtp" null
//  (the summary's own rule).
nlohmann::ordered_json record_json(const RecordResult& r);
// The table on stdout.
void print_record_summary(const RecordResult& r);

} // namespace headroom
