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
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/command.hpp"
#include "app/exit_codes.hpp"
#include "app/meter_cli.hpp"
#include "app/record_summary.hpp"
#include "app/settings_cli.hpp"
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
    std::string duration;  // as typed; empty: until a signal (or the end of the file)
    bool json = false;
};

// The longest --duration: a year. Longer (and nan, inf, 0, negative) is refused rather than
// cut short; without --duration the recording runs until stopped.
constexpr double kMaxDurationS = 365.0 * 24 * 3600;

// --duration S: seconds, above 0 and at most kMaxDurationS; 0 for "not given".
double parse_duration(const std::string& text, bool given) {
    if (!given) return 0.0;
    const std::string range = " (valid: above 0 up to 31536000 s, a year; leave --duration out to record until stopped)";
    if (text.empty()) throw UsageError("--duration: the value is empty" + range);
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || text.find_first_not_of("0123456789.eE+-") != std::string::npos)
        throw UsageError("--duration: '" + text + "' is not a number of seconds" + range);
    if (errno == ERANGE || !(v > 0.0) || v > kMaxDurationS)
        throw UsageError("--duration: " + text + " is out of range" + range);
    return v;
}

int run_record(const RecordArgs& a, bool duration_given, const CommonOptions& common) {
    using clock = std::chrono::steady_clock;
    const double duration = parse_duration(a.duration, duration_given);
    CommandSettings settings = read_settings(common.config, common.meter);
    const SourceChoice choice = choose_source(common.source);
    if (!choice.notice.empty()) std::fprintf(stderr, "headroom: %s\n", choice.notice.c_str());

    Capture capture(choice.spec);  // probes; InputError (exit 3) when the source cannot be opened
    // config.json's channel names and presets for this source, as the window uses them.
    const ChannelDefaults channels = channel_settings(capture.info(), settings);
    const SourceInfo& info = channels.info;
    const std::size_t max_block =
        info.buffer_frames > 0 ? static_cast<std::size_t>(info.buffer_frames) : kMaxBlock;
    const MeterSetup setup =
        resolve_meters(settings, info, max_block, channels.presets);
    MeterOptions live = setup.options;
    live.provisional_events = true;  // the session log writes open events within 1 s (docs/sessions.md)
    capture.configure(live);

    const auto dir = common.session_dir.empty() ? default_sessions_dir() : std::filesystem::path(common.session_dir);
    StopSignals signals;
    SessionRecorder recorder(dir, info, setup.options, setup.presets, setup.bus_presets);  // OutputError: exit 4

    recorder.start(capture.events(), &capture.transport());
    capture.start();
    std::fprintf(stderr, "headroom: recording %d channel%s of %s at %.0f Hz into %s%s\n", info.channels,
                 info.channels == 1 ? "" : "s", info.device.c_str(), info.sample_rate,
                 recorder.folder().string().c_str(),
                 duration > 0.0 ? "" : " (Ctrl-C to stop)");
    if (!info.chosen.empty()) std::fprintf(stderr, "headroom: %s\n", info.chosen.c_str());

    const auto t_start = clock::now();
    const auto until = t_start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(duration));
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
        if (duration > 0.0 && clock::now() >= until) break;
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
    r.table = &settings.table;
    r.write_error = recorder.write_error();
    r.ended_by = g_stop_signal != 0 ? (g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM")
                 : capture.finished() && !(duration > 0.0 && std::chrono::steady_clock::now() >= until)
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

Command add_record_command(CLI::App& root, CommonCli& common) {
    auto args = std::make_shared<RecordArgs>();
    Command c;
    c.cli = root.add_subcommand("record", "Capture without a window: write the session, print a summary");
    c.bit = kRecordCommand;
    CLI::Option* duration =
        c.cli->add_option("--duration", args->duration, "Stop after S seconds, up to a year (default: at Ctrl-C / SIGTERM)")
            ->type_name("S");
    c.cli->add_flag("--json", args->json, "Print the summary as JSON (DESIGN §4 shape with \"session\")");
    common.add_to(*c.cli, kRecordCommand);
    c.run = [args, duration, options = common.options]() -> int {
        return run_record(*args, duration->count() > 0, *options);
    };
    return c;
}

} // namespace headroom
