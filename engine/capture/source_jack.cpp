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
// preallocated block and calls CaptureCore::step(). JACK's notification callbacks (shutdown,
// client unregistered, port (dis)connected, port unregistered) only set atomic flags; the
// poller (a normal thread) turns them into device_lost:
//  - the server went away: our client is closed; every 2 s a new one is tried;
//  - the source client went away (killed player, removed node): the same;
//  - all of our input ports lost their links (for 300 ms) while the source is there: our
//    client stays; device_back as soon as any link to our inputs is back (whoever made it),
//    or, after a port unregistration (the source re-created its ports), when we could link
//    the source's ports again. A deliberate disconnect is not fought.
// device_back when the device is there again with the same rate and at least as many ports
// (that bookkeeping is shared: source_reopen.cpp).
#include <jack/jack.h>
#include <jack/metadata.h>
#include <jack/uuid.h>
#include <jack/transport.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
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

// One audio output port of the graph, with the names a user may call it by.
struct PortEntry {
    std::string name;                  // "system:capture_1"
    std::string client;                // "system"
    std::vector<std::string> aliases;  // "alsa_pcm:hw:1:in1", "Scarlett 2i2:capture_FL", ...
    bool physical = false;
};

std::vector<PortEntry> output_ports(jack_client_t* c) {
    std::vector<PortEntry> out;
    const char** ports = jack_get_ports(c, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    if (!ports) return out;
    const auto size = static_cast<std::size_t>(jack_port_name_size());
    std::vector<char> a0(size), a1(size);
    for (int i = 0; ports[i]; ++i) {
        PortEntry e;
        e.name = ports[i];
        e.client = e.name.substr(0, e.name.find(':'));
        if (jack_port_t* p = jack_port_by_name(c, ports[i])) {
            e.physical = (jack_port_flags(p) & JackPortIsPhysical) != 0;
            char* al[2] = {a0.data(), a1.data()};
            const int n = jack_port_get_aliases(p, al);
            for (int k = 0; k < n && k < 2; ++k) e.aliases.emplace_back(al[k]);
        }
        out.push_back(std::move(e));
    }
    jack_free(ports);
    return out;
}

// The client part of an alias ("Scarlett 2i2:capture_FL" -> "Scarlett 2i2"; "alsa_pcm:hw:1:in1"
// -> "alsa_pcm").
std::string alias_client(const std::string& alias) { return alias.substr(0, alias.find(':')); }

// The ports `device` names: empty -> the physical capture ports; else the ports of the client
// whose name, or whose ports' alias client part, is `device` (case-insensitive; an exact match
// wins over a substring). Empty when nothing matches.
std::vector<std::string> select_ports(const std::vector<PortEntry>& all, const std::string& device) {
    std::vector<std::string> out;
    if (device.empty()) {
        for (const auto& p : all)
            if (p.physical) out.push_back(p.name);
        return out;
    }
    const std::string want = ascii_lower(device);
    for (const bool exact : {true, false}) {
        auto hit = [&](const std::string& n) {
            const std::string l = ascii_lower(n);
            return exact ? l == want : l.find(want) != std::string::npos;
        };
        std::string client;  // the first client matched by name
        for (const auto& p : all)
            if (hit(p.client)) { client = p.client; break; }
        if (!client.empty()) {
            for (const auto& p : all)
                if (p.client == client) out.push_back(p.name);
            return out;
        }
        for (const auto& p : all)  // by alias: the ports whose alias matches, in JACK's order
            if (std::any_of(p.aliases.begin(), p.aliases.end(), [&](const std::string& a) { return hit(alias_client(a)) || hit(a); }))
                out.push_back(p.name);
        if (!out.empty()) return out;
    }
    return out;
}

// What --device can name on this JACK server, for messages.
std::string jack_clients(const std::vector<PortEntry>& all) {
    std::vector<std::string> names;
    for (const auto& p : all) {
        if (std::find(names.begin(), names.end(), p.client) == names.end()) names.push_back(p.client);
        for (const auto& a : p.aliases)
            if (std::find(names.begin(), names.end(), alias_client(a)) == names.end()) names.push_back(alias_client(a));
    }
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
    return s.empty() ? "none" : s;
}

// A channel's name: the port's JACK pretty-name metadata (as set by a session manager, PipeWire
// or `jack_property`), else the port part of an alias that names the interface's input
// ("Scarlett 18i8:Input 2" -> "Input 2"; the backends' own "alsa_pcm:…", "dummy_pcm:…" are
// not names), else its short name ("capture_1").
std::string port_label(jack_client_t* c, const std::string& port) {
    std::string label = port.substr(port.find(':') + 1);
    jack_port_t* p = jack_port_by_name(c, port.c_str());
    if (!p) return label;
    if (std::vector<char> buf(2 * static_cast<std::size_t>(jack_port_name_size())); !buf.empty()) {
        char* al[2] = {buf.data(), buf.data() + buf.size() / 2};
        const int n = jack_port_get_aliases(p, al);
        for (int k = n - 1; k >= 0; --k) {  // the later alias is the more specific one
            const std::string a = al[k];
            const std::string client = alias_client(a);
            const std::string rest = a.find(':') == std::string::npos ? std::string() : a.substr(a.find(':') + 1);
            const bool backend = client.size() >= 4 && client.compare(client.size() - 4, 4, "_pcm") == 0;
            if (!backend && !rest.empty() && rest != label && client != port.substr(0, port.find(':'))) {
                label = rest;
                break;
            }
        }
    }
    char* value = nullptr;
    char* type = nullptr;
    if (jack_get_property(jack_port_uuid(p), JACK_METADATA_PRETTY_NAME, &value, &type) == 0 && value) {
        if (*value) label = value;
        jack_free(value);
        if (type) jack_free(type);
    }
    return label;
}

// "system:capture_1 … system:capture_8" (first and last; every one when three or fewer).
std::string port_span(const std::vector<std::string>& ports) {
    if (ports.empty()) return "";
    if (ports.size() <= 3) {
        std::string s;
        for (const auto& p : ports) s += (s.empty() ? "" : ", ") + p;
        return s;
    }
    return ports.front() + " … " + ports.back();
}

class JackSource final : public ReopeningSource {
public:
    JackSource(const SourceSpec& spec, const std::string& device)
        : ReopeningSource("no audio from JACK for 2 s (server stalled or our client was dropped)"), device_(device) {
        std::string why;
        jack_client_t* c = open_client(why);
        if (!c) throw InputError("cannot open " + asked() + ": " + why);
        const auto all = output_ports(c);
        ports_ = select_ports(all, device_);
        if (ports_.empty()) {
            close_client(c);
            if (device_.empty())
                throw InputError("JACK has no physical capture ports; name a client with --device (JACK clients with outputs: " +
                                 jack_clients(all) + ")");
            throw InputError("--device " + device_ + ": no JACK client or port alias matches (JACK clients with outputs: " +
                             jack_clients(all) + ")");
        }
        if (device_.empty()) {
            physical_ = true;
            info_.chosen = "JACK: no --device given, capturing the physical capture ports " + port_span(ports_);
        }
        if (ports_.size() > static_cast<std::size_t>(kMaxChannels)) {
            spdlog::warn("{} has {} ports; metering the first {}", asked(), ports_.size(), kMaxChannels);
            ports_.resize(static_cast<std::size_t>(kMaxChannels));
        }
        const double rate = jack_get_sample_rate(c);
        const auto period = static_cast<int>(jack_get_buffer_size(c));
        if (spec.rate > 0.0 && spec.rate != rate) {
            close_client(c);
            throw InputError("cannot open " + asked() + " at " + std::to_string(static_cast<long>(spec.rate)) +
                             " Hz: the JACK server runs at " + std::to_string(static_cast<long>(rate)) + " Hz");
        }
        if (spec.buffer_frames > 0 && spec.buffer_frames != period)
            spdlog::warn("--buffer {}: JACK's period is {} frames (set by the server); using it", spec.buffer_frames, period);
        info_.kind = "device";
        info_.device = ports_.front().substr(0, ports_.front().find(':'));  // the client captured
        info_.host_api = kHostApi;
        info_.sample_rate = rate;
        info_.channels = static_cast<int>(ports_.size());
        info_.buffer_frames = period;
        for (const auto& p : ports_) info_.channel_names.push_back(port_label(c, p));
        nc_ = ports_.size();
        interleaved_.assign(kMaxBlock * nc_, 0.0f);
        in_.assign(nc_, nullptr);
        client_ = c;
        if (!register_ports(why)) {
            close_client(client_);
            client_ = nullptr;
            throw InputError("cannot open " + asked() + ": " + why);
        }
    }
    ~JackSource() override { stop(); }

    const SourceInfo& info() const override { return info_; }
    std::size_t block_hint() const override { return static_cast<std::size_t>(std::max(info_.buffer_frames, 1)); }

    void start(CaptureCore& core) override {
        core_.store(&core, std::memory_order_release);
        std::string why;
        if (!activate(why)) throw InputError("cannot start " + asked() + ": " + why);
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
        if (!core || self->unlinked_pause_.load(std::memory_order_acquire)) return 0;
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
    // JACK's notification thread: a string compare and one atomic store (source_client_ is only
    // written while our client is closed or not yet active).
    static void on_client_registration(const char* name, int registered, void* arg) noexcept {
        auto* self = static_cast<JackSource*>(arg);
        if (!registered && name && std::strcmp(name, self->source_client_.c_str()) == 0)
            self->client_gone_.store(true, std::memory_order_release);
    }
    static void on_port_connect(jack_port_id_t, jack_port_id_t, int, void* arg) noexcept {  // one atomic store
        static_cast<JackSource*>(arg)->links_changed_.store(true, std::memory_order_release);
    }
    static void on_port_registration(jack_port_id_t, int registered, void* arg) noexcept {  // one atomic store
        if (!registered) static_cast<JackSource*>(arg)->port_unregistered_.store(true, std::memory_order_release);
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
        client_gone_.store(false, std::memory_order_relaxed);
        port_unregistered_.store(false, std::memory_order_relaxed);
        unlinked_ = false;
        unlinked_pause_.store(false, std::memory_order_relaxed);
        unlinked_since_ns_ = 0;
        source_client_ = ports_.empty() ? std::string() : ports_.front().substr(0, ports_.front().find(':'));
        jack_set_process_callback(client_, &JackSource::on_process, this);
        jack_set_xrun_callback(client_, &JackSource::on_xrun, this);
        jack_on_info_shutdown(client_, &JackSource::on_shutdown, this);
        jack_set_client_registration_callback(client_, &JackSource::on_client_registration, this);
        jack_set_port_connect_callback(client_, &JackSource::on_port_connect, this);
        jack_set_port_registration_callback(client_, &JackSource::on_port_registration, this);
        return true;
    }

    bool activate(std::string& why) {
        StderrToDebugLog quiet("jack activate");
        if (jack_activate(client_) != 0) {
            why = "jack_activate failed";
            return false;
        }
        for (std::size_t i = 0; i < nc_ && i < ports_.size(); ++i) {
            const int r = jack_connect(client_, ports_[i].c_str(), jack_port_name(ports_in_[i]));
            if (r != 0 && r != EEXIST) spdlog::debug("jack_connect {} -> {} failed ({})", ports_[i], jack_port_name(ports_in_[i]), r);
        }
        links_changed_.store(true, std::memory_order_release);  // the poller counts them once
        return true;
    }

    // poller: how many links our input ports have.
    int links() const {
        int n = 0;
        for (jack_port_t* p : ports_in_)
            if (p) n += jack_port_connected(p);
        return n;
    }
    // poller: whether any of the source's ports is still registered.
    bool source_present() const {
        return std::any_of(ports_.begin(), ports_.end(),
                           [&](const std::string& p) { return jack_port_by_name(client_, p.c_str()) != nullptr; });
    }
    std::string client_gone_reason() const { return "JACK client '" + source_client_ + "' went away"; }

    std::string asked() const {
        return device_.empty() ? std::string("JACK's physical capture ports") : "JACK device '" + device_ + "'";
    }

    // ---- ReopeningSource hooks (the poller) ------------------------------------------------
    std::string dead_reason() override {
        if (server_gone_.load(std::memory_order_acquire)) return "the JACK server went away";
        if (client_gone_.load(std::memory_order_acquire)) return client_gone_reason();
        if (!client_) return {};
        const std::int64_t now = monotonic_ns();
        if (links_changed_.exchange(false, std::memory_order_acq_rel))
            unlinked_since_ns_ = links() > 0 ? 0 : (unlinked_since_ns_ != 0 ? unlinked_since_ns_ : now);
        // A dying client's links go before its unregistration notice: wait a little so the
        // reason names what happened.
        if (unlinked_since_ns_ == 0 || now - unlinked_since_ns_ < kUnlinkGraceNs) return {};
        if (!source_present()) return client_gone_reason();
        unlinked_ = true;
        return "JACK ports unlinked: nothing is connected to headroom:in_1" +
               (nc_ > 1 ? std::string("…in_") + std::to_string(nc_) : std::string());
    }

    void close_lost() override {
        if (unlinked_) {  // our client stays; reopen() waits for a link
            // No frames while lost, as when the client is closed: the recorder stamps the
            // frames after device_back from where the loss began.
            unlinked_pause_.store(true, std::memory_order_release);
            return;
        }
        if (client_) close_client(client_);
        client_ = nullptr;
    }

    std::string label() const override { return "JACK device '" + info_.device + "'"; }

    bool reopen() override {
        if (client_ && unlinked_) {
            if (!server_gone_.load(std::memory_order_acquire) && !client_gone_.load(std::memory_order_acquire))
                return relinked();
            close_client(client_);  // the server or the source went away meanwhile: start afresh
            client_ = nullptr;
            unlinked_ = false;
        }
        std::string why;
        jack_client_t* c = open_client(why);
        if (!c) {
            spdlog::debug("re-open JACK device '{}': {}", info_.device, why);
            return false;
        }
        // The same selection as at the start: the physical ports, or the client/alias named.
        auto ports = select_ports(output_ports(c), physical_ ? std::string() : device_);
        const double rate = jack_get_sample_rate(c);
        if (ports.empty() || rate != info_.sample_rate) {
            if (!ports.empty()) say_back_different(rate, ports.size());
            spdlog::debug("re-open JACK device '{}': {} ports at {} Hz, need {} Hz", info_.device, ports.size(), rate,
                          info_.sample_rate);
            close_client(c);
            return false;
        }
        if (ports.size() != nc_) say_back_different(rate, ports.size());
        else back_rate_ = 0.0, back_channels_ = 0;
        if (ports.size() > nc_) ports.resize(nc_);
        client_ = c;
        ports_ = std::move(ports);  // fewer than nc_: our remaining ports stay unconnected (silence)
        if (!register_ports(why) || !activate(why)) {
            spdlog::debug("re-open JACK device '{}': {}", info_.device, why);
            close_client(client_);
            client_ = nullptr;
            return false;
        }
        return true;
    }

    // Lost by unlinking, our client still open: back when anything links to our inputs again,
    // or when the source's ports were unregistered meanwhile (re-created) and we link them.
    bool relinked() {
        if (links() == 0 && port_unregistered_.load(std::memory_order_acquire) && source_present()) {
            port_unregistered_.store(false, std::memory_order_release);
            for (std::size_t i = 0; i < nc_ && i < ports_.size(); ++i)
                jack_connect(client_, ports_[i].c_str(), jack_port_name(ports_in_[i]));
        }
        if (links() == 0) return false;
        unlinked_ = false;
        unlinked_pause_.store(false, std::memory_order_release);
        unlinked_since_ns_ = 0;
        links_changed_.store(true, std::memory_order_release);  // recount at the next poll
        return true;
    }

    // The server is back but not as the take began: said once per difference on stderr, and
    // kept for the recorder's device_back line (CaptureStatus::back_rate / back_channels).
    void say_back_different(double rate, std::size_t ports) {
        if (rate == back_rate_ && static_cast<int>(ports) == back_channels_) return;
        back_rate_ = rate;
        back_channels_ = static_cast<int>(ports);
        const long was = static_cast<long>(info_.sample_rate);
        if (rate != info_.sample_rate)
            spdlog::warn("the JACK server is back at {:.0f} Hz with {} capture ports, but this take runs at {} Hz: "
                         "not metering (Headroom does not resample); restart the server at {} Hz, or restart "
                         "headroom to meter at {:.0f} Hz",
                         rate, ports, was, was, rate);
        else if (ports < nc_)
            spdlog::warn("the JACK server is back with {} capture ports (this take has {}): channels {}-{} read silence",
                         ports, nc_, ports + 1, nc_);
        else
            spdlog::warn("the JACK server is back with {} capture ports (this take has {}): metering the first {}", ports,
                         nc_, nc_);
    }

    std::string device_;                     // as the user named it (empty: physical ports)
    bool physical_ = false;                  // no --device: JACK's physical capture ports
    SourceInfo info_;
    jack_client_t* client_ = nullptr;
    std::vector<std::string> ports_;         // the device's ports we connect from
    std::vector<jack_port_t*> ports_in_;     // ours
    std::size_t nc_ = 0;
    std::vector<float> interleaved_;         // process thread only
    std::vector<const float*> in_;           // process thread only
    std::string source_client_;              // the client of ports_ (written while no callback runs)
    std::atomic<bool> server_gone_{false};   // set by JACK's shutdown callback
    std::atomic<bool> client_gone_{false};   // set when source_client_ unregisters
    std::atomic<bool> links_changed_{false}; // set on any port (dis)connection; the poller counts
    std::atomic<bool> port_unregistered_{false};  // set when any port unregisters
    std::atomic<bool> unlinked_pause_{false};     // poller: lost by unlinking, deliver no frames
    // poller state
    bool unlinked_ = false;                  // lost because our inputs lost every link
    std::int64_t unlinked_since_ns_ = 0;     // when the poller first saw no links (0: linked)
    static constexpr std::int64_t kUnlinkGraceNs = 300'000'000;
};

} // namespace

std::unique_ptr<LiveSource> open_jack_source(const SourceSpec& spec, const std::string& device) {
    return std::make_unique<JackSource>(spec, device);
}

} // namespace headroom
