#include "engine/session/session_recorder.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/errors.hpp"
#include "engine/session/session_files.hpp"
#include "engine/session/wall_time.hpp"
#include "headroom_version.hpp"

namespace headroom {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using namespace std::chrono_literals;

fs::path default_sessions_dir() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x == '/')
        return fs::path(x) / "headroom" / "sessions";
    const char* home = std::getenv("HOME");
    std::string h = home && *home ? home : "";
    if (h.empty()) {
        if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) h = pw->pw_dir;
    }
    if (h.empty()) h = ".";
    return fs::path(h) / ".local" / "share" / "headroom" / "sessions";
}

namespace {

constexpr auto kDrainPeriod = 25ms;        // how often the writer wakes
constexpr auto kRetryPeriod = 1000ms;      // after a write error: retry this often
constexpr auto kLevelsPeriod = 1000ms;     // levels.f32 is written (and synced) this often
constexpr std::size_t kClipsBacklog = 4u << 20;   // bytes kept for retry while the disk refuses
constexpr std::size_t kLevelsBacklog = 8u << 20;
constexpr std::size_t kMaxTicksAhead = 50;        // 5 s: an incomplete tick is written anyway

// Creates sessions_dir and a fresh <stamp>[-N] folder in it; throws OutputError naming it.
fs::path make_session_folder(const fs::path& sessions_dir, WallClock::time_point now) {
    std::error_code ec;
    fs::create_directories(sessions_dir, ec);
    if (ec || !fs::is_directory(sessions_dir))
        throw OutputError("cannot create the sessions folder " + sessions_dir.string() + ": " +
                          (ec ? ec.message() : std::string("not a folder")));
    const std::string stamp = folder_stamp(now);
    for (int n = 1; n < 10000; ++n) {
        fs::path p = sessions_dir / (n == 1 ? stamp : stamp + "-" + std::to_string(n));
        if (::mkdir(p.c_str(), 0755) == 0) return p;
        if (errno != EEXIST)
            throw OutputError(errno_message("cannot create the session folder " + p.string(), errno));
    }
    throw OutputError("cannot create a session folder in " + sessions_dir.string() +
                      ": too many sessions named " + stamp);
}

void append_le_float(std::string& out, float v) {
    std::uint32_t u = std::bit_cast<std::uint32_t>(v);
    if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap32(u);
    char b[4];
    std::memcpy(b, &u, 4);
    out.append(b, 4);
}

// One line of clips.jsonl. Names from devices may hold bytes that are not UTF-8: replaced
// (U+FFFD), never an exception on the writer thread.
std::string line_of(const ojson& j) {
    return j.dump(-1, ' ', false, ojson::error_handler_t::replace) + "\n";
}

} // namespace

struct SessionRecorder::Impl {
    // Fixed after construction.
    fs::path folder;
    SourceInfo info;
    MeterOptions meter;
    std::vector<Preset> presets;
    std::vector<std::string> names;
    int channels = 0;
    double rate = 48000.0;
    std::uint64_t tick_frames = 4800;
    WallClock::time_point t0;            // wall clock of stream frame 0 (start())

    // Guarded by mu.
    mutable std::mutex mu;
    SessionSummary summary;
    std::vector<std::string> status_lines;    // from note_status(), for the writer
    std::optional<std::string> error;          // first write error
    CaptureStatus prev;
    std::uint64_t loss_frame = 0;              // frames metered when the device was lost
    std::vector<std::pair<std::uint64_t, double>> offsets;  // from frame on: + seconds (gaps)
    bool running = false, stop_requested = false, stopped = false;
    std::condition_variable cv;

    // Writer thread only (and the constructor / stop() around it).
    std::unique_ptr<DurableAppender> clips, levels;
    EventQueue* events = nullptr;
    std::thread thread;
    struct Tick {
        explicit Tick(std::size_t ch) : v(ch * 2, 0.0f), seen(ch, 0) {}
        std::vector<float> v;                  // peak, rms per channel
        std::vector<std::uint8_t> seen;        // channels whose event arrived
        int filled = 0;
    };
    std::deque<Tick> ticks;                    // pending level records, front = tick `tick_base`
    std::uint64_t tick_base = 0;
    bool failing = false;                      // the last flush failed
    std::uint64_t lost_before = 0;             // records dropped when the failure began
    WallClock::time_point last_retry{}, last_levels{};

    Impl(const SourceInfo& i, const MeterOptions& m, std::vector<Preset> p)
        : info(i), meter(m), presets(std::move(p)), channels(i.channels), rate(i.sample_rate),
          summary(i.sample_rate, presets, channel_names(i)) {
        names = channel_names(i);
        tick_frames = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(rate / 10.0)));
    }

    static std::vector<std::string> channel_names(const SourceInfo& i) {
        std::vector<std::string> n;
        for (int c = 0; c < i.channels; ++c)
            n.push_back(static_cast<std::size_t>(c) < i.channel_names.size() && !i.channel_names[c].empty()
                            ? i.channel_names[c]
                            : "In " + std::to_string(c + 1));
        return n;
    }

    std::string session_json(const std::optional<std::string>& start, const std::optional<std::string>& end,
                             bool with_summary) const {
        ojson j;
        j["headroom_version"] = HEADROOM_VERSION;
        j["source"] = info.kind;
        j["device"] = info.device;
        j["host_api"] = info.host_api;
        j["sample_rate"] = std::llround(rate);
        j["buffer_frames"] = info.buffer_frames;
        j["channels"] = channels;
        j["channel_names"] = names;
        ojson ids = ojson::array(), windows = ojson::array();
        for (const auto& p : presets) {
            ids.push_back(p.id);
            windows.push_back({{"id", p.id}, {"name", p.name}, {"lo_dbfs", p.lo_dbfs}, {"hi_dbfs", p.hi_dbfs}});
        }
        j["presets"] = ids;
        j["preset_windows"] = windows;
        j["start_time"] = start ? ojson(*start) : ojson(nullptr);
        j["end_time"] = end ? ojson(*end) : ojson(nullptr);
        j["meter"] = {{"clip_threshold_dbfs", meter.clip_threshold_dbfs},
                      {"clip_min_run", meter.clip_min_run},
                      {"merge_ms", meter.merge_ms},
                      {"hot_merge_ms", meter.hot_merge_ms},
                      {"rms_window_ms", meter.rms_window_ms},
                      {"true_peak", meter.true_peak}};
        j["levels"] = {{"file", "levels.f32"},
                       {"rate_hz", 10},
                       {"tick_frames", tick_frames},
                       {"channels", channels},
                       {"layout", "peak,rms per channel; float32 LE; linear"}};
        if (with_summary) {
            std::lock_guard lk(mu);
            j["frames"] = summary.frames();
            j["channel_summary"] = summary.channels_json(false);
        }
        return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
    }

    // Wall-clock stamp of a stream frame: session start + frame / rate + the gaps the
    // device losses left in the stream. Caller holds mu.
    std::string stamp_of_frame(std::uint64_t frame) const {
        double extra = 0.0;
        for (const auto& [from, off] : offsets)
            if (frame >= from) extra = off;
        const double s = static_cast<double>(frame) / rate + extra;
        return iso8601_ms(t0 + std::chrono::duration_cast<WallClock::duration>(std::chrono::duration<double>(s)));
    }

    std::string event_line(const MeterEvent& e) const {
        ojson j;
        j["type"] = e.type == EventType::Clip ? "clip" : e.type == EventType::Hot ? "hot" : "nonfinite";
        j["time"] = stamp_of_frame(e.start_sample);
        const ojson ev = event_json(e, rate);  // (a temporary's items() would dangle)
        for (auto it = ev.begin(); it != ev.end(); ++it) j[it.key()] = *it;
        j["channel_name"] = e.channel < names.size() ? names[e.channel] : "In " + std::to_string(e.channel + 1);
        return line_of(j);
    }

    void on_envelope(const MeterEvent& e) {
        const std::uint64_t k = e.start_sample / tick_frames;
        if (k < tick_base || e.channel >= channels) return;  // already written (a tick's late rest)
        if (k - tick_base > 100000) return;                  // nonsense; never allocate for it
        const auto ch = static_cast<std::size_t>(e.channel);
        while (ticks.size() <= k - tick_base) ticks.emplace_back(static_cast<std::size_t>(channels));
        Tick& t = ticks[k - tick_base];
        t.v[ch * 2] = std::max(t.v[ch * 2], e.sample_peak);
        t.v[ch * 2 + 1] = std::max(t.v[ch * 2 + 1], e.rms_window_max);
        if (!t.seen[ch]) {
            t.seen[ch] = 1;
            ++t.filled;
        }
    }

    // A record is written once every channel's event for it arrived (or, if one never comes
    // because the queue dropped it, once the writer is kMaxTicksAhead ticks further).
    void emit_ticks(bool all) {
        while (!ticks.empty() && (all || ticks.front().filled >= channels || ticks.size() > kMaxTicksAhead)) {
            std::string rec;
            rec.reserve(ticks.front().v.size() * 4);
            for (float v : ticks.front().v) append_le_float(rec, v);
            levels->append(rec);
            ticks.pop_front();
            ++tick_base;
        }
    }

    // Pops what the queue holds; returns whether clip lines were appended.
    bool drain() {
        bool lines = false;
        std::array<MeterEvent, 256> batch;
        for (;;) {
            std::size_t n = 0;
            while (n < batch.size() && events && events->try_pop(batch[n])) ++n;
            std::vector<std::string> out;
            {
                std::lock_guard lk(mu);
                for (std::size_t i = 0; i < n; ++i) {
                    summary.add(batch[i]);
                    if (batch[i].type != EventType::Envelope) out.push_back(event_line(batch[i]));
                }
                for (auto& s : status_lines) out.push_back(std::move(s));
                status_lines.clear();
            }
            for (std::size_t i = 0; i < n; ++i)
                if (batch[i].type == EventType::Envelope) on_envelope(batch[i]);
            for (const auto& l : out) clips->append(l);
            lines = lines || !out.empty();
            if (n < batch.size()) return lines;
        }
    }

    void report(const std::string& what) {
        std::lock_guard lk(mu);
        if (!error) {
            error = what;
            spdlog::error("session {}: cannot write: {}; metering goes on, the session on disk is "
                          "incomplete from here",
                          folder.string(), what);
        }
    }

    // Writes what is queued. clips.jsonl is fsynced whenever it got lines (so an event is on
    // disk within one writer period); levels.f32 once a second. After a failure, retries once
    // a second; when writing works again, a `write_error` line records what was lost.
    void flush_files(bool new_lines, bool force) {
        const auto now = WallClock::now();
        if (failing && !force && now - last_retry < kRetryPeriod) return;
        const bool levels_due = force || now - last_levels >= kLevelsPeriod;
        std::optional<std::string> err;
        if (new_lines || !clips->empty() || force) err = clips->flush(true);
        if (!err && levels_due) {
            last_levels = now;
            err = levels->flush(true);
        }
        last_retry = now;
        if (err) {
            if (!failing) lost_before = clips->records_dropped() + levels->records_dropped();
            failing = true;
            report(*err);
            return;
        }
        if (failing) {
            failing = false;
            const auto lost = clips->records_dropped() + levels->records_dropped() - lost_before;
            std::optional<std::string> first;
            {
                std::lock_guard lk(mu);
                first = error;
            }
            ojson j{{"type", "write_error"}, {"time", iso8601_ms(now)},
                    {"error", first.value_or("")}, {"records_lost", lost}};
            clips->append(line_of(j));
            (void)clips->flush(true);
            spdlog::warn("session {}: writing works again ({} records lost)", folder.string(), lost);
        }
    }

    void run() {
        for (;;) {
            bool stopping;
            {
                std::unique_lock lk(mu);
                cv.wait_for(lk, kDrainPeriod, [&] { return stop_requested; });
                stopping = stop_requested;
            }
            try {
                const bool lines = drain();
                emit_ticks(false);
                if (stopping) return;
                flush_files(lines, false);
            } catch (const std::exception& e) {  // never take the process down from here
                report(std::string("recorder: ") + e.what());
                if (stopping) return;
            }
        }
    }
};

SessionRecorder::SessionRecorder(const fs::path& sessions_dir, const SourceInfo& info,
                                 const MeterOptions& meter, std::vector<Preset> presets) {
    if (info.channels < 1 || info.sample_rate <= 0.0)
        throw std::invalid_argument("SessionRecorder: the source has no channels or no rate");
    while (presets.size() < static_cast<std::size_t>(info.channels)) presets.push_back(Preset{"general", "General source"});
    impl_ = std::make_unique<Impl>(info, meter, std::move(presets));
    impl_->folder = make_session_folder(sessions_dir, WallClock::now());
    write_file_atomic(impl_->folder / "session.json", impl_->session_json(std::nullopt, std::nullopt, false));
    impl_->clips = std::make_unique<DurableAppender>(impl_->folder / "clips.jsonl", kClipsBacklog);
    impl_->levels = std::make_unique<DurableAppender>(impl_->folder / "levels.f32", kLevelsBacklog);
}

SessionRecorder::~SessionRecorder() {
    try {
        stop();
    } catch (...) {
        // stop() reports its errors through write_error(); nothing may escape a destructor.
    }
}

const fs::path& SessionRecorder::folder() const { return impl_->folder; }

void SessionRecorder::start(EventQueue& events) {
    Impl& m = *impl_;
    {
        std::lock_guard lk(m.mu);
        if (m.running || m.stopped) return;
        m.running = true;
        m.t0 = WallClock::now();
    }
    m.events = &events;
    const std::string start = iso8601_ms(m.t0);
    try {
        write_file_atomic(m.folder / "session.json", m.session_json(start, std::nullopt, false));
    } catch (const OutputError& e) {
        m.report(e.what());
    }
    ojson line{{"type", "start"}, {"time", start}, {"session", m.folder.filename().string()},
               {"source", m.info.kind}, {"device", m.info.device}, {"sample_rate", std::llround(m.rate)},
               {"channels", m.channels}};
    m.clips->append(line_of(line));
    m.last_levels = WallClock::now();
    m.flush_files(true, true);
    m.thread = std::thread([&m] { m.run(); });
}

void SessionRecorder::note_status(const CaptureStatus& s) {
    Impl& m = *impl_;
    std::lock_guard lk(m.mu);
    if (!m.running) return;
    const auto now = WallClock::now();
    const std::string t = iso8601_ms(now);
    if (s.xruns > m.prev.xruns)
        m.status_lines.push_back(line_of(ojson{{"type", "xrun"}, {"time", t}, {"count", s.xruns - m.prev.xruns},
                                       {"total", s.xruns}}));
    if (s.losses > m.prev.losses) {
        m.loss_frame = s.frames;
        m.status_lines.push_back(line_of(ojson{{"type", "device_lost"}, {"time", t}, {"reason", s.lost_reason},
                                       {"frames", s.frames}}));
    }
    if (s.returns > m.prev.returns) {
        // Frames after the loss were metered later than frame / rate says: note the gap.
        const double elapsed = std::chrono::duration<double>(now - m.t0).count();
        const double off = elapsed - static_cast<double>(m.loss_frame) / m.rate;
        if (off > 0.0) m.offsets.emplace_back(m.loss_frame, off);
        m.status_lines.push_back(line_of(ojson{{"type", "device_back"}, {"time", t}, {"frames", m.loss_frame}}));
    }
    if (s.dropped_events > m.prev.dropped_events)
        m.status_lines.push_back(line_of(ojson{{"type", "dropped"}, {"time", t},
                                       {"count", s.dropped_events - m.prev.dropped_events},
                                       {"total", s.dropped_events}}));
    m.prev = s;
    m.cv.notify_one();
}

void SessionRecorder::stop() {
    Impl& m = *impl_;
    {
        std::lock_guard lk(m.mu);
        if (!m.running) return;
        m.running = false;
        m.stop_requested = true;
        m.stopped = true;
    }
    m.cv.notify_one();
    if (m.thread.joinable()) m.thread.join();
    // The writer has drained everything the queue held; the capture stopped before us.
    m.drain();
    m.emit_ticks(true);
    m.flush_files(true, true);  // a recovered write error logs its line before "stop"
    const auto end = WallClock::now();
    std::uint64_t frames = 0, dropped = 0;
    {
        std::lock_guard lk(m.mu);
        frames = m.summary.frames();
        dropped = m.prev.dropped_events;
    }
    ojson line{{"type", "stop"}, {"time", iso8601_ms(end)}, {"frames", frames},
               {"duration_s", static_cast<double>(frames) / m.rate}, {"dropped_events", dropped}};
    m.clips->append(line_of(line));
    m.flush_files(true, true);
    try {
        write_file_atomic(m.folder / "session.json", m.session_json(iso8601_ms(m.t0), iso8601_ms(end), true));
    } catch (const OutputError& e) {
        m.report(e.what());
    }
}

SessionSummary SessionRecorder::summary() const {
    std::lock_guard lk(impl_->mu);
    return impl_->summary;
}

std::optional<std::string> SessionRecorder::write_error() const {
    std::lock_guard lk(impl_->mu);
    return impl_->error;
}

} // namespace headroom
