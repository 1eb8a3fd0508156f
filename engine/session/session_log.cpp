#include "engine/session/session_log.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/atomic_file.hpp"
#include "engine/base/errors.hpp"
#include "engine/session/session_levels.hpp"

namespace headroom {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxLine = 1u << 20;  // a longer line is no line the recorder writes

// The whole file, or nothing when it is missing. A file that is there but cannot be read (not
// a regular file: a FIFO, a device, a folder; no permission; an I/O error) adds one line to
// `problems` naming it; it is opened without blocking and never read when not regular.
std::optional<std::string> read_file(const fs::path& p, std::vector<std::string>& problems) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int err = errno;
        if (err != ENOENT) problems.push_back(errno_message(p.string(), err));
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        problems.push_back(p.string() + ": not a regular file");
        return std::nullopt;
    }
    std::string out;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            problems.push_back(errno_message(p.string(), errno));
            ::close(fd);
            return std::nullopt;
        }
        break;
    }
    ::close(fd);
    return out;
}

SessionEntry to_entry(json raw) {
    SessionEntry e;
    e.line = clips_line_from_json(raw);
    if (const auto* ev = std::get_if<EventLine>(&e.line)) {
        e.type = ev->type;
        e.time = ev->time;
        e.channel = ev->channel;
        e.start_sample = ev->start_sample;
        e.start_s = ev->start_s;
        e.end_s = ev->end_s;
        e.runs = ev->runs;
        e.samples = ev->samples;
        e.sample_peak_dbfs = ev->sample_peak_dbfs;
        e.true_peak_dbtp = ev->true_peak_dbtp;
        e.peak_sample = ev->peak_sample;
        e.peak_s = ev->peak_s;
        e.provisional = ev->provisional;
        e.transport_s = ev->transport_s;
    } else {
        e.type = raw["type"].get<std::string>();  // parse_line checked it
        e.time = std::visit([](const auto& l) { return l.time; }, e.line);
    }
    e.raw = std::move(raw);
    return e;
}

// Parses one clips.jsonl line; nothing when it is not JSON (a torn line, garbage).
std::optional<json> parse_line(const std::string& text) {
    if (text.size() > kMaxLine) return std::nullopt;
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

// Each event once: a provisional line gives way to a later line of the same event (its update
// or its final line); a final line is never replaced by a provisional one.
void keep_each_event_once(std::vector<SessionEntry>& entries) {
    std::map<std::string, std::size_t> seen;  // event id -> index of the entry that stands
    std::vector<bool> gone(entries.size(), false);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto* ev = std::get_if<EventLine>(&entries[i].line);
        if (!ev) continue;
        const auto [it, fresh] = seen.emplace(ev->id, i);
        if (fresh) continue;
        if (!entries[it->second].provisional) {
            if (ev->provisional) gone[i] = true;  // a late update of a closed event
            continue;                             // (two final lines: both stand, as written)
        }
        gone[it->second] = true;
        it->second = i;
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < entries.size(); ++i)
        if (!gone[i]) {
            if (k != i) entries[k] = std::move(entries[i]);  // (never a self-move: it empties strings)
            ++k;
        }
    entries.resize(k);
}

// YYYY-MM-DDTHH-MM-SS, optionally -N: the names make_session_folder gives.
bool is_session_name(const std::string& name) {
    static constexpr const char* shape = "dddd-dd-ddTdd-dd-dd";
    if (name.size() < 19) return false;
    for (std::size_t i = 0; i < 19; ++i) {
        const char want = shape[i];
        const bool ok = want == 'd' ? (name[i] >= '0' && name[i] <= '9') : name[i] == want;
        if (!ok) return false;
    }
    if (name.size() == 19) return true;
    const std::string n = name.substr(20);
    return name[19] == '-' && !n.empty() && n.size() < 9 && n.find_first_not_of("0123456789") == std::string::npos;
}

void read_levels(SessionLog& log) {
    if (log.channels <= 0) return;
    const std::string& file = log.session.levels.file;
    if (file.find('/') != std::string::npos) return;  // only files inside the folder
    const auto data = read_file(log.folder / file, log.problems);
    if (!data) return;
    const int buses = std::clamp(log.session.levels.buses, 0, kMaxBuses);
    LevelEnvelope env = decode_levels(*data, log.channels + buses);
    const auto n = static_cast<std::size_t>(log.channels);
    // The bus pairs after the channels' (session_levels.hpp).
    log.bus_short_term.assign(env.peak.begin() + static_cast<std::ptrdiff_t>(n), env.peak.end());
    log.bus_momentary_max.assign(env.rms.begin() + static_cast<std::ptrdiff_t>(n), env.rms.end());
    env.peak.resize(n);
    env.rms.resize(n);
    log.env_peak = std::move(env.peak);
    log.env_rms = std::move(env.rms);
}

// Session folder names sort by time; a "-N" suffix (same second) sorts by N.
std::pair<std::string, long> sort_key(const std::string& name) {
    constexpr std::size_t stamp = 19;  // YYYY-MM-DDTHH-MM-SS
    if (name.size() > stamp + 1 && name[stamp] == '-') {
        const std::string n = name.substr(stamp + 1);
        if (n.find_first_not_of("0123456789") == std::string::npos && n.size() < 9)
            return {name.substr(0, stamp), std::stol(n)};
    }
    return {name, 1};
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) {
        if (ch == '"') q += '"';
        q += ch;
    }
    return q + "\"";
}

bool is_event(const SessionEntry& e) {
    return e.type == line_type::clip || e.type == line_type::hot || e.type == line_type::nonfinite;
}

// The channel name an event line carries ("" for other lines).
std::string line_channel_name(const SessionEntry& e) {
    const auto* ev = std::get_if<EventLine>(&e.line);
    return ev ? ev->channel_name : std::string();
}

} // namespace

std::string session_timecode(double seconds) {
    if (!(seconds >= 0.0)) seconds = 0.0;
    const auto ms = static_cast<std::uint64_t>(std::llround(seconds * 1000.0));
    char buf[48];
    std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu.%03llu",
                  static_cast<unsigned long long>(ms / 3600000), static_cast<unsigned long long>(ms / 60000 % 60),
                  static_cast<unsigned long long>(ms / 1000 % 60), static_cast<unsigned long long>(ms % 1000));
    return buf;
}

SessionLog read_session(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw InputError(folder.string() + ": no such session folder");
    const bool has_json = fs::exists(folder / kSessionJsonFile, ec);
    const bool has_clips = fs::exists(folder / kClipsFile, ec);
    if (!has_json && !has_clips)
        throw InputError(folder.string() + ": not a session folder (no session.json or clips.jsonl)");

    SessionLog log;
    log.folder = folder;
    log.name = folder.filename().string();
    if (log.name.empty()) log.name = folder.parent_path().filename().string();  // "dir/"
    if (const auto text = read_file(folder / kSessionJsonFile, log.problems)) {
        const json j = json::parse(*text, nullptr, false);
        if (!j.is_discarded() && j.is_object()) log.session = session_file_from_json(j);
        else log.problems.push_back((folder / kSessionJsonFile).string() + ": not a JSON object (corrupt); ignored");
    }

    if (const auto text = read_file(folder / kClipsFile, log.problems)) {
        std::size_t pos = 0;
        while (pos < text->size()) {
            const std::size_t nl = text->find('\n', pos);
            const bool last = nl == std::string::npos;
            std::string line = text->substr(pos, last ? std::string::npos : nl - pos);
            pos = last ? text->size() : nl + 1;
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            auto j = parse_line(line);
            if (j && clips_line_well_formed(*j)) log.entries.push_back(to_entry(std::move(*j)));
            else if (last) log.torn_tail = true;  // killed mid-line: the writer ends every line with \n
            else ++log.bad_lines;
        }
        keep_each_event_once(log.entries);
    }

    // Stream facts: session.json, else the start line.
    const StartLine* start = nullptr;
    for (const auto& e : log.entries)
        if ((start = std::get_if<StartLine>(&e.line))) break;
    log.sample_rate = log.session.sample_rate > 0.0 ? log.session.sample_rate : start ? start->sample_rate : 0.0;
    log.channels = log.session.channels != 0 ? log.session.channels : start ? start->channels : 0;
    if (log.channels < 0 || log.channels > 4096) log.channels = 0;
    // An event on a channel the session does not have, or a line of a type this headroom does
    // not write, is malformed too: skipped and counted, never shown as a row.
    const auto before = log.entries.size();
    std::erase_if(log.entries, [&](const SessionEntry& e) {
        if (std::holds_alternative<OtherLine>(e.line)) return true;
        const auto* ev = std::get_if<EventLine>(&e.line);
        return ev && log.channels > 0 && ev->channel > log.channels;
    });
    log.bad_lines += before - log.entries.size();
    const auto& names = log.session.channel_names;
    const auto& presets = log.session.presets;
    for (int c = 0; c < log.channels; ++c) {
        const auto i = static_cast<std::size_t>(c);
        log.channel_names.push_back(i < names.size() && !names[i].empty() ? names[i] : "In " + std::to_string(c + 1));
        log.presets.push_back(i < presets.size() && !presets[i].empty() ? presets[i] : "general");
    }
    read_levels(log);
    return log;
}

std::vector<fs::path> list_sessions(const fs::path& sessions_dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(sessions_dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (!it->is_directory(e2) || !is_session_name(it->path().filename().string())) continue;
        if (fs::exists(it->path() / kSessionJsonFile, e2) || fs::exists(it->path() / kClipsFile, e2))
            out.push_back(it->path());
    }
    std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
        return sort_key(a.filename().string()) < sort_key(b.filename().string());
    });
    return out;
}

fs::path resolve_session(const std::string& arg, const fs::path& sessions_dir) {
    if (arg.empty()) {
        const auto all = list_sessions(sessions_dir);
        if (all.empty()) throw InputError("no sessions in " + sessions_dir.string());
        return all.back();
    }
    std::error_code ec;
    if (fs::is_directory(arg, ec)) return fs::path(arg);
    const fs::path under = sessions_dir / arg;
    if (fs::path(arg).is_relative() && fs::is_directory(under, ec)) return under;
    throw InputError("session '" + arg + "' not found (looked for the folder " + arg + " and " +
                     under.string() + ")");
}

std::vector<const SessionEntry*> session_events(const SessionLog& log) {
    std::vector<const SessionEntry*> out;
    for (const auto& e : log.entries)
        if (is_event(e)) out.push_back(&e);
    std::stable_sort(out.begin(), out.end(), [](const SessionEntry* a, const SessionEntry* b) {
        return std::pair(a->start_sample, a->channel) < std::pair(b->start_sample, b->channel);
    });
    return out;
}

bool has_transport_timeline(const SessionLog& log) {
    const auto events = session_events(log);
    return !events.empty() && events_without_transport(log) == 0;
}

std::size_t events_without_transport(const SessionLog& log) {
    std::size_t n = 0;
    for (const auto* e : session_events(log)) n += e->transport_s ? 0 : 1;
    return n;
}

std::string session_csv(const SessionLog& log) {
    std::string out =
        "time,timecode,channel,channel_name,preset,type,start_sample,start_s,end_s,duration_ms,"
        "runs,samples,sample_peak_dbfs,true_peak_dbtp,peak_sample,peak_s,transport_s,id,provisional\n";
    for (const SessionEntry* ep : session_events(log)) {
        const SessionEntry& e = *ep;
        const auto c = static_cast<std::size_t>(e.channel - 1);
        const bool known = e.channel >= 1 && c < log.channel_names.size();
        const std::string name = known ? log.channel_names[c] : line_channel_name(e);
        const std::string preset = known ? log.presets[c] : "";
        auto db = [](const std::optional<double>& v) { return v ? fixed(*v, 2) : std::string(); };
        const auto* ev = std::get_if<EventLine>(&e.line);
        out += csv_cell(e.time) + ',' + session_timecode(e.start_s) + ',' + std::to_string(e.channel) + ',' +
               csv_cell(name) + ',' + csv_cell(preset) + ',' + e.type + ',' + std::to_string(e.start_sample) +
               ',' + fixed(e.start_s, 6) + ',' + fixed(e.end_s, 6) + ',' +
               fixed((e.end_s - e.start_s) * 1000.0, 3) + ',' + std::to_string(e.runs) + ',' +
               std::to_string(e.samples) + ',' + db(e.sample_peak_dbfs) + ',' + db(e.true_peak_dbtp) + ',' +
               (e.peak_sample ? std::to_string(*e.peak_sample) : std::string()) + ',' +
               (e.peak_s ? fixed(*e.peak_s, 6) : std::string()) + ',' + (e.transport_s ? fixed(*e.transport_s, 6) : std::string()) + ',' + csv_cell(ev ? ev->id : "") + ',' +
               (e.provisional ? "true" : "false") + '\n';
    }
    return out;
}

namespace {

// An event's start on the chosen timeline; nothing on the transport timeline without a position.
std::optional<double> marker_start(const SessionEntry& e, Timeline t) {
    if (t == Timeline::session) return e.start_s;
    return e.transport_s;
}

// "CLIP ch3 Snare +0.4 dBTP (12 samples)": what a marker says about an event.
std::string marker_label(const SessionLog& log, const SessionEntry& e) {
    const auto c = static_cast<std::size_t>(e.channel - 1);
    std::string name = e.channel >= 1 && c < log.channel_names.size() ? log.channel_names[c] : line_channel_name(e);
    for (char& ch : name)
        if (ch == '\t' || ch == '\n' || ch == '\r') ch = ' ';
    std::string kind = e.type == line_type::clip ? "CLIP" : e.type == line_type::hot ? "HOT" : "NONFINITE";
    std::string label = kind + " ch" + std::to_string(e.channel);
    if (!name.empty()) label += " " + name;
    const auto peak = e.true_peak_dbtp ? e.true_peak_dbtp : e.sample_peak_dbfs;
    if (peak) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " %+.1f %s", *peak, e.true_peak_dbtp ? "dBTP" : "dBFS");
        label += buf;
    }
    label += " (" + std::to_string(e.samples) + (e.samples == 1 ? " sample)" : " samples)");
    if (e.provisional) label += " (still open when last written)";
    return label;
}

// REAPER's Minutes:Seconds time: "1:02.345", "1:01:02.345" past an hour.
std::string reaper_time(double seconds) {
    if (!(seconds >= 0.0)) seconds = 0.0;
    const auto ms = static_cast<std::uint64_t>(std::llround(seconds * 1000.0));
    const auto h = ms / 3600000, m = ms / 60000 % 60, sec = ms / 1000 % 60, milli = ms % 1000;
    char buf[64];
    if (h > 0)
        std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu.%03llu", static_cast<unsigned long long>(h),
                      static_cast<unsigned long long>(m), static_cast<unsigned long long>(sec),
                      static_cast<unsigned long long>(milli));
    else
        std::snprintf(buf, sizeof buf, "%llu:%02llu.%03llu", static_cast<unsigned long long>(m),
                      static_cast<unsigned long long>(sec), static_cast<unsigned long long>(milli));
    return buf;
}

} // namespace

std::string audacity_labels(const SessionLog& log, Timeline t) {
    std::string out;
    for (const SessionEntry* e : session_events(log)) {
        if (e->type != line_type::clip) continue;
        const auto start = marker_start(*e, t);
        if (!start) continue;
        out += fixed(*start, 6) + '\t' + fixed(*start + (e->end_s - e->start_s), 6) + '\t' + marker_label(log, *e) + '\n';
    }
    return out;
}

std::string reaper_markers(const SessionLog& log, Timeline t) {
    std::string out = "#,Name,Start,End,Length\n";
    std::size_t markers = 0, regions = 0;
    for (const SessionEntry* e : session_events(log)) {
        const auto start = marker_start(*e, t);
        if (!start) continue;
        const std::string name = csv_cell(marker_label(log, *e));
        if (e->type == line_type::hot) {
            const double length = e->end_s - e->start_s;
            out += "R" + std::to_string(++regions) + ',' + name + ',' + reaper_time(*start) + ',' +
                   reaper_time(*start + length) + ',' + reaper_time(length) + '\n';
        } else {
            out += "M" + std::to_string(++markers) + ',' + name + ',' + reaper_time(*start) + ",,\n";
        }
    }
    return out;
}

} // namespace headroom
