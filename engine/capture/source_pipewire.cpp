// The PipeWire source: a native capture stream (pw_stream) on one capture node of the graph
// (the default source, or the one --device names), at the node's own rate and with its own
// channel count and positions, with remixing off (stream.dont-remix): every channel of the
// source is linked to the stream's port of the same position, nothing is up- or down-mixed,
// and since the stream asks for the source's own rate, nothing is resampled.
//
// The process callback runs on PipeWire's real-time data thread (PW_STREAM_FLAG_RT_PROCESS):
// it dequeues the buffer (interleaved float32), hands it to CaptureCore::step() in pieces of at
// most kMaxBlock frames and queues it back: no allocation, lock, log or system call.
//
// Loss (ReopeningSource, polled on a normal thread): the node leaves the graph (unplugged,
// removed), a link into the stream is removed, the stream errors, the daemon goes away, or no buffer for 2 s.
// The stream does not follow WirePlumber to another source (node.dont-reconnect): metering a
// different source under the same name would be wrong data. Every 2 s the poller looks for a
// capture node of the same node.name with at least as many channels at the same rate, and
// connects a new stream to it (a new daemon connection when the old one broke).
#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/param/audio/raw-types.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "engine/base/errors.hpp"
#include "engine/capture/audio_system.hpp"
#include "engine/capture/capture_core.hpp"
#include "engine/capture/pipewire_graph.hpp"
#include "engine/capture/source_live.hpp"
#include "engine/capture/source_reopen.hpp"

namespace headroom {
namespace {

std::uint32_t spa_position(const std::string& short_name) {
    for (const spa_type_info* t = spa_type_audio_channel; t->name; ++t) {
        const char* colon = std::strrchr(t->name, ':');
        if (colon && short_name == colon + 1) return t->type;
    }
    return SPA_AUDIO_CHANNEL_UNKNOWN;
}

std::string describe(const PwSourceEntry& s) { return "'" + s.description + "' (" + s.name + ")"; }

// The source `device` names (empty: the default source). Throws InputError listing the
// PipeWire sources only (the one host API searched).
PwSourceEntry pick_source(const std::vector<PwSourceEntry>& all, const std::string& device) {
    std::string list;
    for (const auto& s : all)
        list += (list.empty() ? "" : ", ") + describe(s) + (s.is_default ? " [default]" : "");
    if (list.empty()) list = "none";
    if (device.empty()) {
        for (const auto& s : all)
            if (s.is_default) return s;
        if (!all.empty()) return all.front();
        throw InputError("no PipeWire capture source (PipeWire sources: none)");
    }
    const std::string want = ascii_lower(device);
    for (const auto& s : all)
        if (pipewire_source_matches(s, want, true)) return s;
    for (const auto& s : all)
        if (pipewire_source_matches(s, want, false)) return s;
    throw InputError("--device " + device + ": no PipeWire source matches (PipeWire sources: " + list +
                     "; --host-api alsa or jack searches those instead)");
}

class PipeWireSource final : public ReopeningSource {
public:
    PipeWireSource(const SourceSpec& spec, std::unique_ptr<PwConnection> conn)
        : ReopeningSource("no audio from PipeWire for 2 s (the source was unlinked or stopped)"),
          spec_(spec), conn_(std::move(conn)) {
        src_ = pick_source(conn_->sources(), spec.device);
        if (src_.channels <= 0) throw InputError("cannot open PipeWire source " + describe(src_) + ": it says no channel count");
        // WirePlumber links a dont-remix stream port by port by position: a source that names
        // none (or more than a PipeWire 0.3 format carries) would never be linked.
        if (src_.positions.size() != static_cast<std::size_t>(src_.channels) || src_.channels > static_cast<int>(SPA_AUDIO_MAX_CHANNELS))
            throw InputError("cannot open PipeWire source " + describe(src_) + ": its " + std::to_string(src_.channels) +
                             " channels have no channel positions (audio.position) to link them by; set audio.position "
                             "on the node, or capture it through JACK (pw-jack headroom --host-api jack)");
        // A PipeWire 0.3 stream has at most SPA_AUDIO_MAX_CHANNELS (64) positions: every
        // channel of the source is metered, so the stream's frames are the meters' frames.
        static_assert(SPA_AUDIO_MAX_CHANNELS <= kMaxChannels);
        const int channels = src_.channels;
        if (spec.rate > 0.0 && spec.rate != src_.rate)
            throw InputError("cannot open PipeWire source " + describe(src_) + " at " +
                             std::to_string(static_cast<long>(spec.rate)) + " Hz: it runs at " +
                             std::to_string(static_cast<long>(src_.rate)) +
                             " Hz (Headroom does not resample; omit --rate, or change the source's rate in PipeWire)");
        info_.kind = "device";
        info_.device = src_.description;
        info_.host_api = kPipeWireHostApi;
        info_.sample_rate = src_.rate;
        info_.channels = channels;
        info_.buffer_frames = spec.buffer_frames;  // 0: the graph's quantum
        for (int c = 0; c < channels; ++c)
            info_.channel_names.push_back(pipewire_channel_name(
                static_cast<std::size_t>(c) < src_.positions.size() ? src_.positions[static_cast<std::size_t>(c)] : "", c + 1));
        if (spec.device.empty())
            info_.chosen = "PipeWire: no --device given, capturing the default source " + describe(src_) + ", " +
                           std::to_string(src_.channels) + " channels at " + std::to_string(static_cast<long>(src_.rate)) + " Hz";
        nc_ = static_cast<std::size_t>(channels);
        spdlog::debug("PipeWire source {}: {} channels at {} Hz", describe(src_), src_.channels, src_.rate);
    }
    ~PipeWireSource() override { stop(); }

    const SourceInfo& info() const override { return info_; }
    std::size_t block_hint() const override {
        return info_.buffer_frames > 0 ? static_cast<std::size_t>(info_.buffer_frames) : 1024;
    }

    void start(CaptureCore& core) override {
        core_.store(&core, std::memory_order_release);
        std::string why;
        if (!connect_stream(why)) throw InputError("cannot start PipeWire source " + describe(src_) + ": " + why);
        watch_started();
    }

    void stop() override {
        destroy_stream();
        watch_stopped();
        core_.store(nullptr, std::memory_order_release);
    }

private:
    // ---- PipeWire's real-time data thread -------------------------------------------------
    static void on_process(void* data) noexcept {
        auto* self = static_cast<PipeWireSource*>(data);
        pw_buffer* b = pw_stream_dequeue_buffer(self->stream_);
        if (!b) return;
        CaptureCore* core = self->core_.load(std::memory_order_acquire);
        const spa_data& d = b->buffer->datas[0];
        if (core && d.data && d.chunk) {
            const std::uint32_t offset = std::min(d.chunk->offset, d.maxsize);
            const std::uint32_t size = std::min(d.chunk->size, d.maxsize - offset);
            const std::size_t frames = size / (self->nc_ * sizeof(float));
            const auto* in = reinterpret_cast<const float*>(static_cast<const char*>(d.data) + offset);
            core->step(in, frames);  // split into kMaxBlock pieces by the core
        }
        pw_stream_queue_buffer(self->stream_, b);
    }

    // ---- the loop thread (not real time) --------------------------------------------------
    static void on_state(void* data, pw_stream_state, pw_stream_state state, const char* error) {
        auto* self = static_cast<PipeWireSource*>(data);
        if (state == PW_STREAM_STATE_STREAMING) self->conn_->watch_links_into(pw_stream_get_node_id(self->stream_));
        if (state == PW_STREAM_STATE_ERROR || state == PW_STREAM_STATE_UNCONNECTED) {
            self->stream_dead_.store(true, std::memory_order_release);
            if (error) spdlog::debug("pipewire stream: {}", error);
        }
    }

    // ---- normal threads -------------------------------------------------------------------
    bool connect_stream(std::string& why) {
        conn_->watch(src_.id);
        conn_->watch_links_into(0xffffffffu);
        stream_dead_.store(false, std::memory_order_release);
        const std::string rate = std::to_string(static_cast<long>(src_.rate));
        pw_properties* props = pw_properties_new(
            PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture", PW_KEY_MEDIA_ROLE, "Production",
            PW_KEY_APP_NAME, "Headroom", PW_KEY_NODE_NAME, "headroom", PW_KEY_NODE_DESCRIPTION, "Headroom meter",
            PW_KEY_TARGET_OBJECT, src_.name.c_str(), PW_KEY_NODE_DONT_RECONNECT, "true", PW_KEY_STREAM_DONT_REMIX, "true",
            PW_KEY_NODE_RATE, ("1/" + rate).c_str(), nullptr);
        if (spec_.buffer_frames > 0)
            pw_properties_set(props, PW_KEY_NODE_LATENCY, (std::to_string(spec_.buffer_frames) + "/" + rate).c_str());
        StderrToDebugLog quiet("pipewire stream");
        conn_->lock();
        stream_ = pw_stream_new(conn_->core(), "headroom", props);  // takes props
        if (!stream_) {
            conn_->unlock();
            why = "pw_stream_new failed";
            return false;
        }
        static const pw_stream_events events = [] {
            pw_stream_events e{};
            e.version = PW_VERSION_STREAM_EVENTS;
            e.state_changed = &PipeWireSource::on_state;
            e.process = &PipeWireSource::on_process;
            return e;
        }();
        pw_stream_add_listener(stream_, &stream_listener_, &events, this);
        spa_audio_info_raw raw{};
        raw.format = SPA_AUDIO_FORMAT_F32;
        raw.rate = static_cast<std::uint32_t>(src_.rate);
        raw.channels = static_cast<std::uint32_t>(nc_);
        for (std::size_t c = 0; c < nc_; ++c) raw.position[c] = spa_position(src_.positions[c]);  // <= 64: checked
        std::uint8_t pod_buffer[4096];
        spa_pod_builder b = SPA_POD_BUILDER_INIT(pod_buffer, sizeof pod_buffer);
        const spa_pod* params[1] = {spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &raw)};
        const int r = pw_stream_connect(stream_, PW_DIRECTION_INPUT, PW_ID_ANY,
                                        static_cast<pw_stream_flags>(PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                                                                     PW_STREAM_FLAG_RT_PROCESS),
                                        params, 1);
        conn_->unlock();
        if (r < 0) {
            why = std::string("pw_stream_connect: ") + std::strerror(-r);
            destroy_stream();
            return false;
        }
        return true;
    }

    void destroy_stream() {
        if (!stream_) return;
        StderrToDebugLog quiet("pipewire stream close");
        conn_->watch_links_into(0xffffffffu);  // our own links go with the stream
        conn_->lock();
        spa_hook_remove(&stream_listener_);
        pw_stream_destroy(stream_);  // after this the process callback never runs again
        stream_ = nullptr;
        conn_->unlock();
    }

    // ---- ReopeningSource hooks (the poller) ------------------------------------------------
    std::string dead_reason() override {
        if (conn_->unlinked()) conn_->sync();  // a removed node loses its links first: see whether it went too
        if (conn_->broken()) return "the PipeWire daemon went away";
        if (conn_->watched_gone()) return "the PipeWire source " + describe(src_) + " was removed (unplugged?)";
        if (stream_dead_.load(std::memory_order_acquire)) return "PipeWire disconnected the capture stream";
        if (conn_->unlinked()) return "the PipeWire source " + describe(src_) + " was unlinked from Headroom";
        return {};
    }

    void close_lost() override { destroy_stream(); }

    std::string label() const override { return "PipeWire source " + describe(src_); }

    bool reopen() override {
        if (conn_->broken()) {
            std::string why;
            auto fresh = PwConnection::open(why);
            if (!fresh) {
                spdlog::debug("re-open {}: {}", label(), why);
                return false;
            }
            conn_ = std::move(fresh);
        } else {
            conn_->sync();
        }
        for (const auto& s : conn_->sources()) {
            if (s.name != src_.name) continue;
            if (s.channels < static_cast<int>(nc_) || s.rate != src_.rate) {
                spdlog::debug("re-open {}: back with {} channels at {} Hz, need {} at {} Hz", label(), s.channels, s.rate,
                              nc_, src_.rate);
                return false;
            }
            const auto id = s.id;
            src_.id = id;
            std::string why;
            if (connect_stream(why)) return true;
            spdlog::debug("re-open {}: {}", label(), why);
            return false;
        }
        return false;
    }

    SourceSpec spec_;
    std::unique_ptr<PwConnection> conn_;
    PwSourceEntry src_;
    SourceInfo info_;
    std::size_t nc_ = 0;                     // channels metered: every channel of the stream
    pw_stream* stream_ = nullptr;            // created/destroyed under the loop lock
    spa_hook stream_listener_{};
    std::atomic<bool> stream_dead_{false};   // set on the loop thread
};

} // namespace

std::unique_ptr<LiveSource> open_pipewire_source(const SourceSpec& spec) {
    std::string why;
    auto conn = PwConnection::open(why);
    if (!conn) throw InputError("--host-api pipewire: " + why);
    return std::make_unique<PipeWireSource>(spec, std::move(conn));
}

} // namespace headroom
