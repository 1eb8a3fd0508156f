#include "engine/session/session_recorder.hpp"

#include <cstdio>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "engine/base/atomic_file.hpp"
#include "engine/base/errors.hpp"
#include "engine/session/session_files.hpp"
#include "engine/session/session_format.hpp"
#include "engine/session/session_levels.hpp"
#include "engine/session/wall_time.hpp"
#include "headroom_version.hpp"

namespace headroom {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kDrainPeriod = 25ms;        // how often the writer wakes
constexpr auto kRetryPeriod = 1000ms;      // after a write error: retry this often
constexpr auto kLevelsPeriod = 1000ms;     // levels.f32 is written (and synced) this often
constexpr std::size_t kClipsBacklog = 4u << 20;   // bytes kept for retry while the disk refuses
constexpr std::size_t kLevelsBacklog = 8u << 20;
// Lines waiting past this many bytes are written (not yet synced) while the drain goes on: a
// flood of events that keeps the queue full must reach the file, not the retry backlog.
constexpr std::size_t kWriteThrough = 256u << 10;

std::vector<std::string> channel_names(const SourceInfo& i) {
    std::vector<std::string> n;
    for (int c = 0; c < i.channels; ++c)
        n.push_back(static_cast<std::size_t>(c) < i.channel_names.size() && !i.channel_names[c].empty()
                        ? i.channel_names[c]
                        : "In " + std::to_string(c + 1));
    return n;
}

// Events that are clips.jsonl lines (the rest are levels and summary).
bool is_logged(EventType t) { return t == EventType::Clip || t == EventType::Hot || t == EventType::NonFinite; }

// session.json without times or summary: what is known when the recorder is created.
SessionFileRecord session_file(const SourceInfo& info, const MeterOptions& meter, const std::vector<Preset>& presets,
                               const std::vector<Preset>& bus_presets) {
    SessionFileRecord r;
    r.headroom_version = HEADROOM_VERSION;
    r.source = info.kind;
    r.device = info.device;
    r.host_api = info.host_api;
    r.sample_rate = info.sample_rate;
    r.buffer_frames = info.buffer_frames;
    r.channels = info.channels;
    r.channel_names = channel_names(info);
    for (const auto& p : presets) r.presets.push_back(p.id);
    r.preset_windows = presets;
    r.meter = {meter.clip_threshold_dbfs, meter.clip_min_run, meter.merge_ms, meter.hot_merge_ms,
               meter.rms_window_ms, meter.true_peak, meter.bands};
    for (std::size_t i = 0; i < meter.buses.size(); ++i) {
        BusRecord b{meter.buses[i].name, {}, i < bus_presets.size() ? bus_presets[i].id : meter.buses[i].preset};
        for (int c : meter.buses[i].channels) b.channels.push_back(c + 1);
        r.buses.push_back(std::move(b));
    }
    r.levels.tick_frames = level_tick_frames(info.sample_rate);
    r.levels.channels = info.channels;
    r.levels.buses = static_cast<int>(meter.buses.size());
    if (!meter.buses.empty())
        r.levels.layout = "peak,rms per channel, then short_term,momentary_max per bus (BS.1770 mean squares, 0: none); float32 LE; linear";
    return r;
}

} // namespace

// The recorder's state. Three owners, written next to each member group: fixed after
// construction; guarded by `mu` (shared with note_status(), summary(), write_error()); the
// writer thread's own (the constructor, start() and stop() use them only while no writer runs).
struct SessionRecorder::Impl {
    // Fixed after construction.
    fs::path folder;
    SourceInfo info;
    SessionFileRecord file;              // session.json as first written
    double rate = 48000.0;

    // Guarded by mu.
    mutable std::mutex mu;
    std::condition_variable cv;
    SessionSummary summary;
    std::vector<std::string> status_lines;    // from note_status(), for the writer
    std::optional<std::string> error;          // first write error
    CaptureStatus prev;                        // the last status noted
    std::uint64_t loss_frame = 0;              // frames metered when the device was lost
    StreamClock clock;                         // stream frames to wall clock (start(), gaps)
    bool running = false, stop_requested = false, stopped = false;

    // The writer thread's.
    std::unique_ptr<DurableAppender> clips, levels;
    EventQueue* events = nullptr;
    TransportTrack* transport = nullptr;
    std::thread thread;
    LevelAggregator level_records;
    bool failing = false;                      // the last flush failed
    std::uint64_t lost_before = 0;             // records dropped when the failure began
    WallClock::time_point last_retry{}, last_levels{};

    Impl(const SourceInfo& i, const MeterOptions& m, const std::vector<Preset>& presets,
         const std::vector<Preset>& bus_presets)
        : info(i), file(session_file(i, m, presets, bus_presets)), rate(i.sample_rate),
          summary(i.sample_rate, presets, file.channel_names, m.true_peak), clock(i.sample_rate),
          level_records(i.channels + static_cast<int>(m.buses.size()), file.levels.tick_frames) {
        summary.set_programme(m.buses, bus_presets, m.bands);
    }

    // A clip, hot or nonfinite event as its clips.jsonl line. Caller holds mu.
    std::string event_line(const MeterEvent& e) const {
        EventLine l = event_record(e, rate, summary.true_peak_measured());
        l.time = clock.stamp(e.start_sample);
        if (transport)
            if (const auto f = transport->frame_at(e.start_sample)) {
                l.transport_frame = *f;
                l.transport_s = std::round(static_cast<double>(*f) / rate * 1e6) / 1e6;
            }
        l.channel_name = e.channel < file.channel_names.size() ? file.channel_names[e.channel]
                                                               : "In " + std::to_string(e.channel + 1);
        return clips_line_text(l);
    }

    // Pops what the queue holds; returns whether clip lines were appended.
    bool drain() {
        bool lines = false;
        std::array<MeterEvent, 256> batch;
        for (;;) {
            std::size_t n = 0;
            while (n < batch.size() && events && events->try_pop(batch[n])) ++n;
            if (transport) transport->update();  // after the events: their blocks' segments are in
            std::vector<std::string> out;
            {
                std::lock_guard lk(mu);
                for (std::size_t i = 0; i < n; ++i) {
                    summary.add(batch[i]);
                    if (is_logged(batch[i].type)) out.push_back(event_line(batch[i]));
                }
                for (auto& s : status_lines) out.push_back(std::move(s));
                status_lines.clear();
            }
            for (std::size_t i = 0; i < n; ++i) {
                const MeterEvent& e = batch[i];
                if (e.type == EventType::Envelope) level_records.add(e);
                if (e.type == EventType::Loudness)
                    level_records.add(static_cast<std::size_t>(info.channels) + e.channel, e.start_sample,
                                      static_cast<float>(e.short_term_ms), static_cast<float>(e.momentary_max_ms));
            }
            for (const auto& l : out) clips->append(l);
            lines = lines || !out.empty();
            if (!failing && clips->pending_bytes() >= kWriteThrough) {
                if (const auto err = clips->flush(false)) fail(*err);
            }
            if (n < batch.size()) return lines;
        }
    }

    // Queues the finished level records (all of them with `all`) for levels.f32.
    void emit_levels(bool all) {
        std::vector<std::string> records;
        level_records.emit(all, records);
        for (const auto& r : records) levels->append(r);
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

    void write_session_json(const SessionFileRecord& r) {
        try {
            write_file_atomic(folder / kSessionJsonFile, session_json_text(r));
        } catch (const OutputError& e) {
            report(e.what());
        }
    }

    // A write failed: from now on retry once a second (flush_files) and count what is lost.
    void fail(const std::string& err) {
        if (!failing) {
            lost_before = clips->records_dropped() + levels->records_dropped();
            last_retry = WallClock::now();
        }
        failing = true;
        report(err);
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
            fail(*err);
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
            clips->append(clips_line_text(WriteErrorLine{iso8601_ms(now), first.value_or(""), lost}));
            (void)clips->flush(true);
            spdlog::warn("session {}: writing works again ({} records lost)", folder.string(), lost);
        }
    }

    // The writer thread: wakes every kDrainPeriod (or at stop), drains, writes.
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
                emit_levels(false);
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
                                 const MeterOptions& meter, std::vector<Preset> presets,
                                 std::vector<Preset> bus_presets) {
    if (info.channels < 1 || info.sample_rate <= 0.0)
        throw std::invalid_argument("SessionRecorder: the source has no channels or no rate");
    while (presets.size() < static_cast<std::size_t>(info.channels)) presets.push_back(Preset{"general", "General source"});
    impl_ = std::make_unique<Impl>(info, meter, presets, bus_presets);
    impl_->folder = make_session_folder(sessions_dir, WallClock::now());
    write_file_atomic(impl_->folder / kSessionJsonFile, session_json_text(impl_->file));
    impl_->clips = std::make_unique<DurableAppender>(impl_->folder / kClipsFile, kClipsBacklog);
    impl_->levels = std::make_unique<DurableAppender>(impl_->folder / kLevelsFile, kLevelsBacklog);
}

SessionRecorder::~SessionRecorder() {
    try {
        stop();
    } catch (...) {
        // stop() reports its errors through write_error(); nothing may escape a destructor.
    }
}

const fs::path& SessionRecorder::folder() const { return impl_->folder; }

void SessionRecorder::start(EventQueue& events, TransportTrack* transport) {
    Impl& m = *impl_;
    {
        std::lock_guard lk(m.mu);
        if (m.running || m.stopped) return;
        m.running = true;
        m.clock.start(WallClock::now());
    }
    m.events = &events;
    m.transport = transport;
    const std::string start = iso8601_ms(m.clock.frame0());
    SessionFileRecord started = m.file;
    started.start_time = start;
    m.write_session_json(started);
    m.clips->append(clips_line_text(StartLine{start, m.folder.filename().string(), m.info.kind, m.info.device,
                                              m.rate, m.info.channels}));
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
    if (s.xruns > m.prev.xruns) m.status_lines.push_back(clips_line_text(XrunLine{t, s.xruns - m.prev.xruns, s.xruns}));
    if (s.losses > m.prev.losses) {
        m.loss_frame = s.frames;
        m.status_lines.push_back(clips_line_text(DeviceLostLine{t, s.lost_reason, s.frames}));
    }
    // The server is back but not as the take began (another rate: the meters do not
    // resample, so the take stays lost): the log says why, once per difference.
    if (s.device_lost && s.back_rate > 0.0 && s.returns == m.prev.returns &&
        (s.back_rate != m.prev.back_rate || s.back_channels != m.prev.back_channels)) {
        char why[192];
        std::snprintf(why, sizeof why,
                      "the server is back at %.0f Hz with %d capture ports; this take runs at %.0f Hz: not metering",
                      s.back_rate, s.back_channels, m.rate);
        m.status_lines.push_back(clips_line_text(DeviceLostLine{t, why, s.frames}));
    }
    if (s.returns > m.prev.returns) {
        m.clock.resume(m.loss_frame, now);
        m.status_lines.push_back(
            clips_line_text(DeviceBackLine{t, m.loss_frame, s.back_rate, s.back_channels}));
    }
    if (s.dropped_events > m.prev.dropped_events)
        m.status_lines.push_back(
            clips_line_text(DroppedLine{t, s.dropped_events - m.prev.dropped_events, s.dropped_events}));
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
    m.emit_levels(true);
    m.flush_files(true, true);  // a recovered write error logs its line before "stop"
    const auto end = WallClock::now();
    SessionFileRecord ended = m.file;
    std::uint64_t dropped = 0;
    {
        std::lock_guard lk(m.mu);
        ended.frames = m.summary.frames();
        ended.channel_summary = m.summary.channel_records(false);
        if (m.summary.buses() > 0) ended.bus_summary = m.summary.bus_records(false);
        dropped = m.prev.dropped_events;
    }
    const std::uint64_t frames = *ended.frames;
    m.clips->append(clips_line_text(StopLine{iso8601_ms(end), frames, static_cast<double>(frames) / m.rate, dropped}));
    m.flush_files(true, true);
    ended.start_time = iso8601_ms(m.clock.frame0());
    ended.end_time = iso8601_ms(end);
    m.write_session_json(ended);
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
