#pragma once
// The session on disk (DESIGN.md §5), written by a normal thread of its own: session.json
// (atomic rewrite), clips.jsonl (typed lines, appended, fsynced within 1 s of an event) and
// the 10 Hz level envelope. Fed by a Capture's EventQueue (the recorder is its consumer).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/capture.hpp"
#include "engine/session_summary.hpp"

namespace headroom {

// $XDG_DATA_HOME/headroom/sessions (or ~/.local/share/headroom/sessions).
std::filesystem::path default_sessions_dir();

class SessionRecorder {
public:
    // normal thread. Creates <sessions_dir>/<YYYY-MM-DDTHH-MM-SS>/ and writes session.json;
    // throws OutputError naming the folder when it cannot.
    SessionRecorder(const std::filesystem::path& sessions_dir, const SourceInfo& info,
                    const MeterOptions& meter, std::vector<Preset> presets);
    ~SessionRecorder();  // stops if running
    const std::filesystem::path& folder() const;
    void start(EventQueue& events);   // starts the writer thread
    // any normal thread: capture faults and status, logged as typed lines.
    void note_status(const CaptureStatus& s);
    void stop();                      // drains, writes "stop", rewrites session.json with the end time
    SessionSummary summary() const;   // a copy; any normal thread
    std::optional<std::string> write_error() const;  // first disk error, for the window

    struct Impl;
private:
    std::unique_ptr<Impl> impl_;
};

} // namespace headroom
