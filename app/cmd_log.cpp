// headroom log [SESSION] [--json|--csv|--markers audacity|reaper [--timeline session|transport]]
//              [--session-dir DIR]
// Prints a session's clip log (DESIGN.md §4, §5): the newest session by default. Reads files
// only; never opens the audio system.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "app/command.hpp"
#include "app/exit_codes.hpp"
#include "app/programme_report.hpp"
#include "engine/base/errors.hpp"
#include "engine/session/session_log.hpp"
#include "engine/session/session_folder.hpp"
#include "engine/session/wall_time.hpp"
#include "engine/settings/presets.hpp"

namespace headroom {
namespace {

struct LogArgs {
    std::string session;
    bool json = false;
    bool csv = false;
    std::string markers;
    std::string timeline;
};

// "10:15:02.345" from an ISO 8601 stamp; the stamp itself when it is not one.
std::string clock_of(const std::string& iso) {
    return iso.size() >= 23 && iso[10] == 'T' ? iso.substr(11, 12) : iso;
}

std::string db_text(const std::optional<double>& v, const char* unit) {
    if (!v) return "";
    char b[32];
    std::snprintf(b, sizeof b, "%+.2f %s", *v, unit);
    return b;
}

std::string duration_text(double s) {
    char b[32];
    const double ms = s * 1000.0;
    if (ms < 10.0) std::snprintf(b, sizeof b, "%.3f ms", ms);
    else if (ms < 1000.0) std::snprintf(b, sizeof b, "%.1f ms", ms);
    else std::snprintf(b, sizeof b, "%.2f s", s);
    return b;
}

// Recorded with --true-peak off (session.json's meter.true_peak false).
bool true_peak_off(const SessionLog& log) { return !log.session.meter.true_peak; }

// DESIGN.md §6: one line per bus, from session.json's bus_summary (written at a clean end).
void print_buses(const SessionLog& log) {
    if (log.session.bus_summary) {
        PresetTable table;  // the mastering window of the built-in table; without assets, 3-6 dB
        try {
            table = PresetTable::load_builtin();
        } catch (const InputError&) {
        }
        for (const auto& b : *log.session.bus_summary) std::printf("%s\n", bus_line(b, table).c_str());
    } else if (!log.session.buses.empty()) {
        const std::size_t n = log.session.buses.size();
        std::printf("%zu bus%s metered; %s loudness summary is written at a clean end, and this session has none\n", n,
                    n == 1 ? "" : "es", n == 1 ? "its" : "their");
    }
}

void print_text(const SessionLog& log) {
    const SessionFileRecord& sj = log.session;
    std::string device = sj.device;
    const std::string& host = sj.host_api;
    if (!host.empty()) device += " (" + host + ")";
    std::printf("Session %s\n", log.name.c_str());
    std::printf("  folder:   %s\n", log.folder.string().c_str());
    if (!device.empty()) std::printf("  source:   %s\n", device.c_str());
    std::printf("  stream:   %.0f Hz, %d channel%s\n", log.sample_rate, log.channels, log.channels == 1 ? "" : "s");
    const std::string start = sj.start_time.value_or(""), end = sj.end_time.value_or("");
    if (!start.empty()) {
        std::printf("  started:  %s\n", start.c_str());
        if (!end.empty()) {
            const auto a = parse_iso8601_ms(start), b = parse_iso8601_ms(end);
            std::printf("  ended:    %s", end.c_str());
            if (a && b) std::printf("  (%.1f s)", static_cast<double>(*b - *a) / 1000.0);
            std::printf("\n");
        }
    }
    if (true_peak_off(log)) std::printf("  meters:   true peak off (recorded with --true-peak off): sample peaks only\n");
    std::printf("\n");

    std::optional<std::int64_t> t0;
    for (const auto& e : log.entries)
        if (e.type == line_type::start) {
            t0 = parse_iso8601_ms(e.time);
            break;
        }
    std::printf("%-12s  %-12s  %3s  %-14s %-11s %11s  %11s  %10s  %5s  %7s\n", "time", "timecode", "ch", "name",
                "event", "sample peak", "true peak", "duration", "runs", "samples");
    std::map<std::string, std::map<int, int>> counts;  // type -> channel -> events
    std::uint64_t xruns = 0;
    bool stopped = false;
    // Lines are written when an event closes (after its merge gap); the table is in stream
    // time: events at their start, other lines at their wall-clock time.
    std::vector<std::pair<double, const SessionEntry*>> rows;
    for (const auto& e : log.entries) {
        const bool ev = std::holds_alternative<EventLine>(e.line);
        double tc = e.start_s;
        if (!ev) {
            const auto t = parse_iso8601_ms(e.time);
            tc = t && t0 ? static_cast<double>(*t - *t0) / 1000.0 : 0.0;
        }
        if (e.type == line_type::stop) tc += 1e9;  // last, whatever the clocks say
        rows.emplace_back(tc, &e);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [sort_tc, ep] : rows) {
        const SessionEntry& e = *ep;
        const bool ev = std::holds_alternative<EventLine>(e.line);
        double tc = e.start_s;
        if (!ev) {
            const auto t = parse_iso8601_ms(e.time);
            tc = t && t0 ? static_cast<double>(*t - *t0) / 1000.0 : 0.0;
        }
        if (ev) {
            ++counts[e.type][e.channel];
            const auto c = static_cast<std::size_t>(e.channel - 1);
            const std::string name = e.channel >= 1 && c < log.channel_names.size() ? log.channel_names[c] : "";
            // A hot event can last seconds: say where its loudest sample is (seconds from the start).
            char loudest[48] = "";
            if (e.type == line_type::hot && e.peak_s) std::snprintf(loudest, sizeof loudest, "  loudest at %.3f s", *e.peak_s);
            std::printf("%-12s  %-12s  %3d  %-14.14s %-11s %11s  %11s  %10s  %5llu  %7llu%s\n", clock_of(e.time).c_str(),
                        session_timecode(tc).c_str(), e.channel, name.c_str(), e.type.c_str(),
                        db_text(e.sample_peak_dbfs, "dBFS").c_str(), db_text(e.true_peak_dbtp, "dBTP").c_str(),
                        duration_text(e.end_s - e.start_s).c_str(), static_cast<unsigned long long>(e.runs),
                        static_cast<unsigned long long>(e.samples), loudest);
            continue;
        }
        std::string detail;
        if (const auto* x = std::get_if<XrunLine>(&e.line)) {
            xruns += x->count;
            detail = std::to_string(x->count) + " overflow" + (x->count == 1 ? "" : "s") + " reported by the host";
        } else if (const auto* lost = std::get_if<DeviceLostLine>(&e.line)) {
            detail = "device lost: " + lost->reason;
        } else if (const auto* back = std::get_if<DeviceBackLine>(&e.line)) {
            detail = "device back";
            if (back->sample_rate > 0.0 && back->channels > 0)
                detail += " at " + std::to_string(std::llround(back->sample_rate)) + " Hz, " +
                          std::to_string(back->channels) + " channel" + (back->channels == 1 ? "" : "s");
        } else if (const auto* d = std::get_if<DroppedLine>(&e.line)) {
            detail = std::to_string(d->count) + " events dropped (queue full)";
        } else if (const auto* w = std::get_if<WriteErrorLine>(&e.line)) {
            detail = "disk write failed: " + w->error + " (" + std::to_string(w->records_lost) + " records lost)";
        } else if (std::holds_alternative<StartLine>(e.line)) {
            detail = "recording started";
        } else if (std::holds_alternative<StopLine>(e.line)) {
            stopped = true;
            detail = "recording stopped";
        }
        std::printf("%-12s  %-12s  %3s  %-14s %-11s %s\n", clock_of(e.time).c_str(), session_timecode(tc).c_str(), "",
                    "", e.type.c_str(), detail.c_str());
    }

    auto summary = [&](const char* type, const char* label) {
        const auto it = counts.find(type);
        int total = 0;
        std::string per;
        if (it != counts.end()) {
            for (const auto& [ch, n] : it->second) {
                total += n;
                const auto c = static_cast<std::size_t>(ch - 1);
                per += (per.empty() ? "" : ", ") +
                       (ch >= 1 && c < log.channel_names.size() ? log.channel_names[c] : "ch" + std::to_string(ch)) +
                       " " + std::to_string(n);
            }
        }
        std::printf("%d %s%s%s%s%s", total, label, total == 1 ? "" : "s", per.empty() ? "" : " (", per.c_str(),
                    per.empty() ? "" : ")");
    };
    std::printf("\n");
    summary("clip", "clip event");
    std::printf(" · ");
    summary("hot", "hot event");
    std::printf(" · ");
    summary("nonfinite", "non-finite burst");
    std::printf(" · %llu xrun%s\n", static_cast<unsigned long long>(xruns), xruns == 1 ? "" : "s");
    print_buses(log);

    if (log.torn_tail)
        std::printf("note: the last line of clips.jsonl was incomplete (the session was killed while writing it); "
                    "it was ignored\n");
    if (log.bad_lines > 0)
        std::printf("note: %zu line%s of clips.jsonl did not parse and %s skipped\n", log.bad_lines,
                    log.bad_lines == 1 ? "" : "s", log.bad_lines == 1 ? "was" : "were");
    std::size_t open = 0;
    for (const auto& e : log.entries) open += e.provisional ? 1 : 0;
    if (open > 0)
        std::printf("note: %zu event%s still open when last written (provisional: the session ended before %s closed)\n",
                    open, open == 1 ? " was" : "s were", open == 1 ? "it" : "they");
    if (!stopped)
        std::printf("note: no stop line: the session did not end cleanly (killed, crashed) or is still recording\n");
}

} // namespace

Command add_log_command(CLI::App& root, CommonCli& common) {
    auto args = std::make_shared<LogArgs>();
    Command c;
    c.cli = root.add_subcommand("log", "Print a session's clip log (the newest session by default)");
    c.bit = kLogCommand;
    c.cli->add_option("SESSION", args->session, "Session folder, or its name under the sessions folder");
    auto* j = c.cli->add_flag("--json", args->json, "Print the log as JSON: its entries, and the lines skipped (malformed_lines, torn_last_line, unreadable)");
    auto* v = c.cli->add_flag("--csv", args->csv, "Print the clip, hot and non-finite events as CSV (header row)");
    auto* m = c.cli->add_option("--markers", args->markers,
                                "Print markers: audacity (label track .txt) or reaper (Region/Marker Manager CSV)")
                  ->type_name("audacity|reaper");
    auto* tl = c.cli->add_option("--timeline", args->timeline,
                      "Where markers go: session (seconds from the start) or transport (JACK transport time); "
                      "default: transport when every event has a transport position")
        ->type_name("session|transport");
    j->excludes(v)->excludes(m);
    v->excludes(m);
    common.add_to(*c.cli, kLogCommand);  // --session-dir, --verbose (before or after `log`)
    c.run = [args, m, tl, options = common.options]() -> int {
        if (m->count() > 0 && args->markers != "audacity" && args->markers != "reaper")
            throw UsageError("--markers: '" + args->markers + "' is not a marker format (valid: audacity, reaper)");
        if (tl->count() > 0 && args->timeline != "session" && args->timeline != "transport")
            throw UsageError("--timeline: '" + args->timeline + "' is not a timeline (valid: session, transport)");
        if (tl->count() > 0 && m->count() == 0)
            throw UsageError("--timeline: only with --markers audacity|reaper");
        const auto dir = options->session_dir.empty() ? default_sessions_dir() : std::filesystem::path(options->session_dir);
        const auto folder = resolve_session(args->session, dir);
        SessionLog log = read_session(folder);
        for (const auto& p : log.problems) std::fprintf(stderr, "headroom: warning: %s\n", p.c_str());
        if (log.bad_lines > 0)
            std::fprintf(stderr, "headroom: warning: %s: %zu malformed line%s skipped\n",
                         (log.folder / kClipsFile).string().c_str(), log.bad_lines, log.bad_lines == 1 ? "" : "s");
        if (args->json) {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& e : log.entries) a.push_back(e.raw);
            nlohmann::json out = {{"session", log.name},
                                  {"folder", log.folder.string()},
                                  {"entries", std::move(a)},
                                  {"malformed_lines", log.bad_lines},
                                  {"torn_last_line", log.torn_tail},
                                  {"unreadable", log.problems}};
            // DESIGN.md §6: the buses' results as session.json holds them (null: not written, the
            // session did not end cleanly; [] when it had no bus).
            if (log.session.bus_summary) {
                nlohmann::json buses = nlohmann::json::array();
                for (const auto& b : *log.session.bus_summary) buses.push_back(nlohmann::json::parse(to_json(b).dump()));
                out["buses"] = std::move(buses);
            } else {
                out["buses"] = log.session.buses.empty() ? nlohmann::json::array() : nlohmann::json(nullptr);
            }
            std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        } else if (args->csv) {
            std::fputs(session_csv(log).c_str(), stdout);
        } else if (!args->markers.empty()) {
            const Timeline t = args->timeline == "transport" ? Timeline::transport
                               : args->timeline == "session" ? Timeline::session
                               : has_transport_timeline(log) ? Timeline::transport
                                                             : Timeline::session;
            if (t == Timeline::transport)
                if (const auto n = events_without_transport(log); n > 0)
                    std::fprintf(stderr,
                                 "headroom: warning: %zu event%s without a transport position (the JACK transport "
                                 "was not rolling) left out of the markers\n",
                                 n, n == 1 ? "" : "s");
            std::fputs((args->markers == "reaper" ? reaper_markers(log, t) : audacity_labels(log, t)).c_str(), stdout);
        } else {
            print_text(log);
        }
        if (std::fflush(stdout) != 0 || std::ferror(stdout))
            throw OutputError(std::string("standard output: cannot write: ") + std::strerror(errno));
        return log.problems.empty() ? exit_code::ok : exit_code::input;
    };
    return c;
}

} // namespace headroom
