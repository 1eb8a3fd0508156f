// headroom record [--duration S] [--json] [--session-dir DIR] + source and meter options.
// Captures without a window: the session folder on disk (DESIGN.md §5) and a summary at the
// end (a table, or with --json one object of the DESIGN.md §4 shape with "session").
//
// Ends at the end of --duration, on SIGINT/SIGTERM (a clean end: the session is closed and
// the summary printed), or when a non-looping --input-file has played. A device lost in
// between is logged and reported, and re-opened by the capture; the exit code is still 0
// at the end of the duration. Exit 4 when the session folder cannot be written (before
// capture starts), or when writing failed during capture (the summary is printed anyway).
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/command.hpp"
#include "app/exit_codes.hpp"
#include "app/meter_cli.hpp"
#include "app/record_summary.hpp"
#include "app/source_cli.hpp"
#include "engine/capture/capture.hpp"
#include "engine/base/errors.hpp"
#include "engine/session/session_recorder.hpp"

namespace headroom {
namespace {

volatile std::sig_atomic_t g_stop_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }

// Installs SIGINT/SIGTERM handlers for the recording and restores the old ones after.
// SIGXFSZ (a file size limit reached) is ignored meanwhile: the write fails with EFBIG and
// the recorder reports it like a full disk, instead of the process being killed.
struct StopSignals {
    struct sigaction old_int {}, old_term {}, old_xfsz {};
    StopSignals() {
        g_stop_signal = 0;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        struct sigaction ign {};
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGXFSZ, &ign, &old_xfsz);
    }
    ~StopSignals() {
        sigaction(SIGINT, &old_int, nullptr);
        sigaction(SIGTERM, &old_term, nullptr);
        sigaction(SIGXFSZ, &old_xfsz, nullptr);
    }
};

struct RecordArgs {
    double duration = 0.0;  // 0: until a signal (or the end of the file)
    bool json = false;
    std::string session_dir;
};

int run_record(const RecordArgs& a, const SourceCli& source_cli, const MeterCli& meter_cli) {
    using clock = std::chrono::steady_clock;
    if (a.duration < 0.0 || !std::isfinite(a.duration))
        throw UsageError("--duration: must be a number of seconds above 0");
    const PresetTable table = PresetTable::load_builtin();
    meter_cli.validate(table);
    const SourceChoice choice = choose_source(source_cli);
    if (!choice.notice.empty()) std::fprintf(stderr, "headroom: %s\n", choice.notice.c_str());

    Capture capture(choice.spec);  // probes; InputError (exit 3) when the source cannot be opened
    const SourceInfo& info = capture.info();
    const std::size_t max_block =
        info.buffer_frames > 0 ? static_cast<std::size_t>(info.buffer_frames) : kMaxBlock;
    const MeterSetup setup =
        meter_cli.resolve(info.sample_rate, info.channels, max_block, table, info.suggested_presets);
    MeterOptions live = setup.options;
    live.provisional_events = true;  // the session log writes open events within 1 s (docs/sessions.md)
    capture.configure(live);

    const auto dir = a.session_dir.empty() ? default_sessions_dir() : std::filesystem::path(a.session_dir);
    StopSignals signals;
    SessionRecorder recorder(dir, info, setup.options, setup.presets);  // OutputError: exit 4

    recorder.start(capture.events(), &capture.transport());
    capture.start();
    std::fprintf(stderr, "headroom: recording %d channel%s of %s at %.0f Hz into %s%s\n", info.channels,
                 info.channels == 1 ? "" : "s", info.device.c_str(), info.sample_rate,
                 recorder.folder().string().c_str(),
                 a.duration > 0.0 ? "" : " (Ctrl-C to stop)");

    const auto t_start = clock::now();
    const auto until = t_start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(a.duration));
    CaptureStatus st;
    bool lost = false, write_error_seen = false;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        st = capture.poll_status();
        recorder.note_status(st);
        if (st.device_lost && !lost)
            std::fprintf(stderr, "headroom: device lost: %s; retrying every 2 s\n",
                         st.lost_reason.empty() ? "no reason given" : st.lost_reason.c_str());
        if (!st.device_lost && lost) std::fprintf(stderr, "headroom: device back; recording goes on\n");
        lost = st.device_lost;
        if (!write_error_seen && recorder.write_error()) write_error_seen = true;  // reported by the recorder
        if (g_stop_signal != 0) break;
        if (a.duration > 0.0 && clock::now() >= until) break;
        if (capture.finished()) break;
    }
    capture.stop();
    st = capture.poll_status();
    recorder.note_status(st);
    recorder.stop();

    RecordResult r;
    r.folder = recorder.folder();
    r.info = info;
    r.summary = recorder.summary();
    r.status = st;
    r.rms_aes17 = setup.rms_aes17;
    r.write_error = recorder.write_error();
    r.ended_by = g_stop_signal != 0 ? (g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM")
                 : capture.finished() && !(a.duration > 0.0 && std::chrono::steady_clock::now() >= until)
                     ? "end of file"
                     : "duration";
    if (a.json)
        std::printf("%s\n", record_json(r).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
    else
        print_record_summary(r);
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        throw OutputError(std::string("standard output: cannot write the summary: ") + std::strerror(errno) +
                          " (the session is on disk in " + r.folder.string() + ")");
    if (r.write_error) {
        std::fprintf(stderr, "headroom: the session on disk is incomplete: %s\n", r.write_error->c_str());
        return exit_code::output;
    }
    return exit_code::ok;
}

} // namespace

Command add_record_command(CLI::App& root) {
    auto args = std::make_shared<RecordArgs>();
    Command c;
    c.cli = root.add_subcommand("record", "Capture without a window: write the session, print a summary");
    c.cli->add_option("--duration", args->duration, "Stop after S seconds (default: at Ctrl-C / SIGTERM)")
        ->type_name("S");
    c.cli->add_flag("--json", args->json, "Print the summary as JSON (DESIGN §4 shape with \"session\")");
    c.cli->add_option("--session-dir", args->session_dir,
                      "Sessions folder (default $XDG_DATA_HOME/headroom/sessions)")
        ->type_name("DIR");
    auto source = add_source_options(*c.cli);
    auto meter = add_meter_options(*c.cli);
    c.run = [args, source, meter]() -> int { return run_record(*args, *source, *meter); };
    return c;
}

} // namespace headroom
