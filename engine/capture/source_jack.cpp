// The JACK source: a JACK device (a client with audio output ports, e.g. "system") captured
// by Headroom's own JACK client named "headroom", with one input port per channel
// (headroom:in_1 .. in_N) connected to the device's ports.
//
// Why not a PortAudio stream: once the JACK server has died, PortAudio's JACK stream can be
// neither stopped, closed nor terminated without waiting ten minutes for a process callback
// that never comes, so it could not be re-opened when the server is back. Devices are still
// listed and chosen through PortAudio (`headroom devices`, --device, --host-api); when the
// chosen device is on JACK, PortAudio is shut down and this source takes over.
//
// The process callback (JACK's real-time thread) interleaves the port buffers into a
// preallocated block and calls CaptureCore::step(). JACK's shutdown callback sets a flag;
// the poller (a normal thread) turns it into device_lost, closes the dead client and tries
// to open a new one every 2 s; device_back when the device is there again with the same
// rate and at least as many ports (that bookkeeping is shared: source_reopen.cpp).
#include <jack/jack.h>
#include <jack/transport.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "engine/capture/audio_system.hpp"
#include "engine/capture/capture_core.hpp"
#include "engine/base/errors.hpp"
#include "engine/capture/source_live.hpp"
#include "engine/capture/source_reopen.hpp"

namespace headroom {
namespace {

constexpr const char* kHostApi = "JACK Audio Connection Kit";

// The audio output ports of JACK client `device` (in JACK's order), or empty.
std::vector<std::string> device_ports(jack_client_t* c, const std::string& device) {
    std::vector<std::string> out;
    const char** ports = jack_get_ports(c, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    if (!ports) return out;
    const std::string prefix = device + ":";
    for (int i = 0; ports[i]; ++i)
        if (std::strncmp(ports[i], prefix.c_str(), prefix.size()) == 0) out.emplace_back(ports[i]);
    jack_free(ports);
    return out;
}

class JackSource final : public ReopeningSource {
public:
    JackSource(const SourceSpec& spec, const std::string& device)
        : ReopeningSource("no audio from JACK for 2 s (server stalled or our client was dropped)"), device_(device) {
        std::string why;
        jack_client_t* c = open_client(why);
        if (!c) throw InputError("cannot open JACK device '" + device_ + "': " + why);
        ports_ = device_ports(c, device_);
        if (ports_.empty()) {
            close_client(c);
            throw InputError("cannot open JACK device '" + device_ + "': it has no audio output ports");
        }
        if (ports_.size() > static_cast<std::size_t>(kMaxChannels)) {
            spdlog::warn("JACK device '{}' has {} ports; metering the first {}", device_, ports_.size(), kMaxChannels);
            ports_.resize(static_cast<std::size_t>(kMaxChannels));
        }
        const double rate = jack_get_sample_rate(c);
        const auto period = static_cast<int>(jack_get_buffer_size(c));
        if (spec.rate > 0.0 && spec.rate != rate) {
            close_client(c);
            throw InputError("cannot open JACK device '" + device_ + "' at " + std::to_string(static_cast<long>(spec.rate)) +
                             " Hz: the JACK server runs at " + std::to_string(static_cast<long>(rate)) + " Hz");
        }
        if (spec.buffer_frames > 0 && spec.buffer_frames != period)
            spdlog::warn("--buffer {}: JACK's period is {} frames (set by the server); using it", spec.buffer_frames, period);
        info_.kind = "device";
        info_.device = device_;
        info_.host_api = kHostApi;
        info_.sample_rate = rate;
        info_.channels = static_cast<int>(ports_.size());
        info_.buffer_frames = period;
        for (const auto& p : ports_) info_.channel_names.push_back(p.substr(device_.size() + 1));
        nc_ = ports_.size();
        interleaved_.assign(kMaxBlock * nc_, 0.0f);
        in_.assign(nc_, nullptr);
        client_ = c;
        if (!register_ports(why)) {
            close_client(client_);
            client_ = nullptr;
            throw InputError("cannot open JACK device '" + device_ + "': " + why);
        }
    }
    ~JackSource() override { stop(); }

    const SourceInfo& info() const override { return info_; }
    std::size_t block_hint() const override { return static_cast<std::size_t>(std::max(info_.buffer_frames, 1)); }

    void start(CaptureCore& core) override {
        core_.store(&core, std::memory_order_release);
        std::string why;
        if (!activate(why)) throw InputError("cannot start JACK device '" + device_ + "': " + why);
        watch_started();
    }

    void stop() override {
        if (client_) {
            close_client(client_);
            client_ = nullptr;
        }
        watch_stopped();
        core_.store(nullptr, std::memory_order_release);
    }

private:
    // ---- JACK's threads ---------------------------------------------------------------
    // Real-time process thread: wait-free, no allocation (the block is preallocated; a
    // period longer than kMaxBlock is delivered in pieces).
    static int on_process(jack_nframes_t frames, void* arg) noexcept {
        auto* self = static_cast<JackSource*>(arg);
        CaptureCore* core = self->core_.load(std::memory_order_acquire);
        if (!core) return 0;
        const std::size_t nc = self->nc_;
        for (std::size_t c = 0; c < nc; ++c)
            self->in_[c] = static_cast<const float*>(jack_port_get_buffer(self->ports_in_[c], frames));
        if (TransportTrack* t = core->transport()) {  // jack_transport_query is real-time safe
            jack_position_t pos;
            t->note(core->frames(), jack_transport_query(self->client_, &pos) == JackTransportRolling, pos.frame);
        }
        float* out = self->interleaved_.data();
        for (std::size_t done = 0; done < frames;) {
            const std::size_t n = std::min<std::size_t>(kMaxBlock, frames - done);
            for (std::size_t f = 0; f < n; ++f)
                for (std::size_t c = 0; c < nc; ++c) out[f * nc + c] = self->in_[c][done + f];
            core->step(out, n);
            done += n;
        }
        return 0;
    }
    static int on_xrun(void* arg) noexcept {  // JACK's notification thread
        auto* self = static_cast<JackSource*>(arg);
        if (CaptureCore* core = self->core_.load(std::memory_order_acquire)) core->count_xrun();
        return 0;
    }
    static void on_shutdown(jack_status_t, const char*, void* arg) noexcept {  // one atomic store
        static_cast<JackSource*>(arg)->server_gone_.store(true, std::memory_order_release);
    }

    // ---- normal threads -----------------------------------------------------------------
    static jack_client_t* open_client(std::string& why) {
        route_library_messages_to_debug_log();
        jack_status_t status{};
        jack_client_t* c;
        {
            StderrToDebugLog quiet("jack open");
            c = jack_client_open("headroom", JackNoStartServer, &status);
        }
        if (!c) why = (status & JackServerFailed) ? "the JACK server is not running" : "JACK refused the client (status " + std::to_string(static_cast<int>(status)) + ")";
        return c;
    }
    static void close_client(jack_client_t* c) {
        StderrToDebugLog quiet("jack close");
        jack_deactivate(c);
        jack_client_close(c);
    }

    bool register_ports(std::string& why) {
        ports_in_.assign(nc_, nullptr);
        for (std::size_t i = 0; i < nc_; ++i) {
            const std::string name = "in_" + std::to_string(i + 1);
            ports_in_[i] = jack_port_register(client_, name.c_str(), JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
            if (!ports_in_[i]) {
                why = "cannot register port " + name;
                return false;
            }
        }
        server_gone_.store(false, std::memory_order_relaxed);
        jack_set_process_callback(client_, &JackSource::on_process, this);
        jack_set_xrun_callback(client_, &JackSource::on_xrun, this);
        jack_on_info_shutdown(client_, &JackSource::on_shutdown, this);
        return true;
    }

    bool activate(std::string& why) {
        StderrToDebugLog quiet("jack activate");
        if (jack_activate(client_) != 0) {
            why = "jack_activate failed";
            return false;
        }
        for (std::size_t i = 0; i < nc_; ++i) {
            const int r = jack_connect(client_, ports_[i].c_str(), jack_port_name(ports_in_[i]));
            if (r != 0 && r != EEXIST) spdlog::debug("jack_connect {} -> {} failed ({})", ports_[i], jack_port_name(ports_in_[i]), r);
        }
        return true;
    }

    // ---- ReopeningSource hooks (the poller) ------------------------------------------------
    std::string dead_reason() override {
        return server_gone_.load(std::memory_order_acquire) ? "the JACK server went away" : std::string();
    }

    void close_lost() override {
        if (client_) close_client(client_);
        client_ = nullptr;
    }

    std::string label() const override { return "JACK device '" + device_ + "'"; }

    bool reopen() override {
        std::string why;
        jack_client_t* c = open_client(why);
        if (!c) {
            spdlog::debug("re-open JACK device '{}': {}", device_, why);
            return false;
        }
        const auto ports = device_ports(c, device_);
        if (ports.size() < nc_ || jack_get_sample_rate(c) != info_.sample_rate) {
            spdlog::debug("re-open JACK device '{}': {} ports at {} Hz, need {} at {} Hz", device_, ports.size(),
                          jack_get_sample_rate(c), nc_, info_.sample_rate);
            close_client(c);
            return false;
        }
        client_ = c;
        ports_.assign(ports.begin(), ports.begin() + static_cast<std::ptrdiff_t>(nc_));
        if (!register_ports(why) || !activate(why)) {
            spdlog::debug("re-open JACK device '{}': {}", device_, why);
            close_client(client_);
            client_ = nullptr;
            return false;
        }
        return true;
    }

    std::string device_;
    SourceInfo info_;
    jack_client_t* client_ = nullptr;
    std::vector<std::string> ports_;         // the device's ports we connect from
    std::vector<jack_port_t*> ports_in_;     // ours
    std::size_t nc_ = 0;
    std::vector<float> interleaved_;         // process thread only
    std::vector<const float*> in_;           // process thread only
    std::atomic<bool> server_gone_{false};   // set by JACK's shutdown callback
};

} // namespace

std::unique_ptr<LiveSource> open_jack_source(const SourceSpec& spec, const std::string& device) {
    return std::make_unique<JackSource>(spec, device);
}

} // namespace headroom
