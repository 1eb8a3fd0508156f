#pragma once
// The session on disk (DESIGN.md §5), written by a normal thread of its own: session.json
// (atomic rewrite), clips.jsonl (typed lines, appended, fsynced within 1 s of an event) and
// the 10 Hz level envelope. Fed by a Capture's EventQueue (the recorder is its consumer).
// File formats: session_format.hpp and session_levels.hpp (docs/sessions.md); the folder:
// session_folder.hpp; the append-only files: session_files.hpp.
//
// Order of use: construct (creates the folder; OutputError before any capture) ->
// start(capture.events()) -> capture.start() -> note_status(capture.poll_status()) from the
// poller -> capture.stop() -> stop(). The writer thread wakes every 25 ms, drains the queue
// into a SessionSummary, appends event lines and fsyncs clips.jsonl when it got lines;
// levels.f32 is written once a second. A write error never stops the draining: the first
// one is kept (write_error()) and logged once (spdlog error), the unwritten bytes are kept
// (bounded) and retried once a second, and a `write_error` line is added when it works again.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/capture/source_info.hpp"
#include "engine/capture/transport_track.hpp"
#include "engine/meter/meter_bank.hpp"
#include "engine/session/session_folder.hpp"
#include "engine/session/session_summary.hpp"

namespace headroom {

class SessionRecorder {
public:
    // normal thread; may block. Creates <sessions_dir>/<YYYY-MM-DDTHH-MM-SS>/ and writes
    // session.json; throws OutputError naming the folder when it cannot.
    SessionRecorder(const std::filesystem::path& sessions_dir, const SourceInfo& info,
                    const MeterOptions& meter, std::vector<Preset> presets,
                    std::vector<Preset> bus_presets = {});
    ~SessionRecorder();  // stops if running
    const std::filesystem::path& folder() const;  // any thread
    // normal thread, once; may block (writes session.json). Notes the wall clock of stream frame 0, writes the `start` line and
    // starts the writer thread (the events' only consumer from now on). Call it right before
    // the capture starts. With `transport` (Capture::transport(); the recorder becomes its one
    // reader), every event that started while the JACK transport rolled carries its position.
    void start(EventQueue& events, TransportTrack* transport = nullptr);
    // any normal thread; takes a lock, never blocks on the disk: capture faults and status,
    // queued as typed lines for the writer.
    void note_status(const CaptureStatus& s);
    // normal thread; may block (joins the writer, fsyncs). After capture.stop(): drains, writes
    // the last level records and "stop", rewrites session.json with the end time. Idempotent.
    void stop();
    SessionSummary summary() const;   // any normal thread; takes a lock. A copy
    std::optional<std::string> write_error() const;  // any normal thread; takes a lock. First disk error

    struct Impl;
private:
    std::unique_ptr<Impl> impl_;
};

} // namespace headroom
