// The PortAudio device source: every input channel of the chosen device, float32
// interleaved, delivered by PortAudio's callback straight into CaptureCore::step().
//
// Device loss is detected by the poller (a normal thread), never by the audio thread
// logging anything: the stream finished on its own (PortAudio's finished callback, e.g. the
// JACK server shut down), the stream is no longer active, or no callback arrived for two
// seconds while the stream claims to run. The lost stream is closed; every 2 s the poller
// re-initialises PortAudio (a JACK server that comes back is only seen after that), looks
// the device up again by name and host API, and re-opens it with the same rate and channel
// count (the loss and re-open bookkeeping is shared with the JACK source: source_reopen.cpp).
// JACK devices are not opened here but by source_jack.cpp (see there why). The MeterBank's
// stream simply continues when the device is back (its sample positions count delivered
// frames, not wall time; the recorder logs the gap).
#include <portaudio.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>
#include <string>

#include "engine/capture/audio_system.hpp"
#include "engine/capture/capture_core.hpp"
#include "engine/base/errors.hpp"
#include "engine/capture/pipewire_graph.hpp"
#include "engine/capture/source_live.hpp"
#include "engine/capture/source_reopen.hpp"

namespace headroom {
namespace {

std::string describe(const DeviceEntry& d) { return "'" + d.name + "' (" + d.host_api + ")"; }
bool is_jack(const std::string& host_api) { return ascii_lower(host_api).find("jack") != std::string::npos; }

class DeviceSource final : public ReopeningSource {
public:
    DeviceSource(const SourceSpec& spec, std::shared_ptr<AudioSystem> audio, DeviceEntry dev)
        : ReopeningSource("no audio from the device for 2 s"), spec_(spec), audio_(std::move(audio)), dev_(std::move(dev)) {
        const int channels = std::min(dev_.input_channels, kMaxChannels);
        if (dev_.input_channels > kMaxChannels)
            spdlog::warn("{} has {} inputs; metering the first {}", describe(dev_), dev_.input_channels, kMaxChannels);
        info_.kind = "device";
        info_.device = dev_.name;
        info_.host_api = dev_.host_api;
        info_.sample_rate = spec.rate > 0.0 ? spec.rate : dev_.default_rate;
        info_.channels = channels;
        info_.buffer_frames = spec.buffer_frames;  // 0: the host's choice (JACK: its period)
        for (int c = 0; c < channels; ++c) info_.channel_names.push_back("In " + std::to_string(c + 1));
        if (auto err = open(dev_.index)) throw InputError("cannot open input device " + describe(dev_) + ": " + *err);
    }
    ~DeviceSource() override {
        stop();
        close();
    }

    const SourceInfo& info() const override { return info_; }
    std::size_t block_hint() const override {
        return info_.buffer_frames > 0 ? static_cast<std::size_t>(info_.buffer_frames) : 2048;
    }

    void start(CaptureCore& core) override {
        core_.store(&core, std::memory_order_release);
        if (auto err = start_stream())
            throw InputError("cannot start input device " + describe(dev_) + ": " + *err);
        watch_started();
    }

    void stop() override {
        close();
        watch_stopped();
        core_.store(nullptr, std::memory_order_release);
    }

private:
    // ---- audio thread ------------------------------------------------------------------
    static int on_audio(const void* input, void*, unsigned long frames, const PaStreamCallbackTimeInfo*,
                        PaStreamCallbackFlags flags, void* user) noexcept {
        auto* self = static_cast<DeviceSource*>(user);
        CaptureCore* core = self->core_.load(std::memory_order_acquire);
        if (core && input) {
            if (flags & (paInputOverflow | paInputUnderflow)) core->count_xrun();
            core->step(static_cast<const float*>(input), frames);
        }
        return paContinue;
    }
    static void on_finished(void* user) noexcept {  // PortAudio's thread: one atomic store
        static_cast<DeviceSource*>(user)->stream_finished_.store(true, std::memory_order_release);
    }

    // ---- normal threads (constructor, start/stop, the poller) ---------------------------
    std::optional<std::string> open(int index) {
        std::lock_guard lk(audio_->mutex());
        PaStreamParameters in{};
        in.device = index;
        in.channelCount = info_.channels;
        in.sampleFormat = paFloat32;  // interleaved
        const PaDeviceInfo* di = Pa_GetDeviceInfo(index);
        in.suggestedLatency = di ? di->defaultLowInputLatency : 0.0;
        stream_finished_.store(false, std::memory_order_relaxed);
        PaError e;
        {
            StderrToDebugLog quiet("portaudio open");
            e = Pa_OpenStream(&stream_, &in, nullptr, info_.sample_rate,
                              spec_.buffer_frames > 0 ? static_cast<unsigned long>(spec_.buffer_frames)
                                                      : paFramesPerBufferUnspecified,
                              paNoFlag, &DeviceSource::on_audio, this);
            if (e == paNoError) Pa_SetStreamFinishedCallback(stream_, &DeviceSource::on_finished);
        }
        if (e != paNoError) {
            stream_ = nullptr;
            std::string why = Pa_GetErrorText(e);
            if (e == paInvalidSampleRate)
                why += " (" + std::to_string(static_cast<long>(info_.sample_rate)) + " Hz; the device's default is " +
                       std::to_string(static_cast<long>(dev_.default_rate)) + " Hz)";
            if (e == paUnanticipatedHostError) {
                const PaHostErrorInfo* h = Pa_GetLastHostErrorInfo();
                if (h && h->errorText && *h->errorText) why += std::string(": ") + h->errorText;
            }
            return why;
        }
        if (const PaStreamInfo* si = Pa_GetStreamInfo(stream_))
            spdlog::debug("opened {}: {} channels at {} Hz, input latency {:.1f} ms", describe(dev_), info_.channels,
                          si->sampleRate, si->inputLatency * 1000.0);
        return std::nullopt;
    }

    std::optional<std::string> start_stream() {
        std::lock_guard lk(audio_->mutex());
        if (!stream_) return std::string("the stream is not open");
        PaError e;
        {
            StderrToDebugLog quiet("portaudio start");
            e = Pa_StartStream(stream_);
        }
        if (e != paNoError) return std::string(Pa_GetErrorText(e));
        return std::nullopt;
    }

    void close() {
        if (!audio_) return;
        std::lock_guard lk(audio_->mutex());
        if (!stream_) return;
        StderrToDebugLog quiet("portaudio close");
        // Abort, not stop: a lost device may never drain. After Pa_CloseStream returns the
        // callback is not running and never will again.
        Pa_AbortStream(stream_);
        Pa_CloseStream(stream_);
        stream_ = nullptr;
    }

    // ---- ReopeningSource hooks (the poller) ------------------------------------------------
    std::string dead_reason() override {
        bool dead = stream_finished_.load(std::memory_order_acquire);
        if (!dead) {
            std::lock_guard lk(audio_->mutex());
            dead = !stream_ || Pa_IsStreamActive(stream_) != 1;
        }
        if (!dead) return {};
        return is_jack(dev_.host_api) ? "the JACK server went away" : "the stream stopped (device disconnected?)";
    }

    void close_lost() override { close(); }

    std::string label() const override { return "input device " + describe(dev_); }

    bool reopen() override {
        if (!audio_->reinitialize()) return false;  // e.g. the JACK server is still down
        DeviceEntry again;
        try {
            again = audio_->find_input(dev_.name, dev_.host_api);
        } catch (const InputError& e) {
            spdlog::debug("re-open {}: {}", describe(dev_), e.what());
            return false;
        }
        if (ascii_lower(again.name) != ascii_lower(dev_.name) || again.input_channels < info_.channels) {
            spdlog::debug("re-open {}: found {} with {} inputs instead", describe(dev_), describe(again),
                          again.input_channels);
            return false;
        }
        if (auto err = open(again.index)) {
            spdlog::debug("re-open {}: {}", describe(dev_), *err);
            return false;
        }
        if (auto err = start_stream()) {
            spdlog::debug("re-start {}: {}", describe(dev_), *err);
            close();
            return false;
        }
        dev_ = again;
        return true;
    }

    SourceSpec spec_;
    std::shared_ptr<AudioSystem> audio_;
    DeviceEntry dev_;
    SourceInfo info_;
    PaStream* stream_ = nullptr;                // guarded by audio_->mutex()
    std::atomic<bool> stream_finished_{false};  // set by PortAudio's finished callback
};

// PipeWire's own capture stream when a PipeWire daemon runs for this user and the user named
// no other host API (and no PortAudio INDEX): the default source at its own rate and channel
// count (docs/capture.md says why not PortAudio's ALSA `default` there).
bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool use_pipewire(const SourceSpec& spec) {
    if (!spec.host_api.empty()) return std::string("pipewire").find(ascii_lower(spec.host_api)) != std::string::npos;
    if (all_digits(spec.device)) return false;  // a PortAudio device index
    if (!pipewire_running()) return false;
    if (!spec.device.empty()) return true;
    const auto sources = pipewire_sources();  // no capture node at all: PortAudio (ALSA, JACK)
    return sources && !sources->empty();
}

} // namespace

bool any_input_source() {
    if (pipewire_running()) {
        const auto sources = pipewire_sources();
        if (sources && !sources->empty()) return true;
    }
    return AudioSystem::acquire()->has_input_device();
}

std::unique_ptr<LiveSource> open_device_source(const SourceSpec& spec) {
    if (use_pipewire(spec)) return open_pipewire_source(spec);
    // --host-api jack with a name or nothing: JACK itself is asked (physical capture ports by
    // default; client names and port aliases matched), so an error lists JACK's clients only.
    if (is_jack(spec.host_api) && !all_digits(spec.device)) return open_jack_source(spec, spec.device);
    auto audio = AudioSystem::acquire();
    DeviceEntry dev = audio->find_input(spec.device, spec.host_api);
    if (is_jack(dev.host_api)) {
        // JACK devices are captured by Headroom's own JACK client (source_jack.cpp); PortAudio,
        // whose JACK client would otherwise hold the name "headroom", is shut down first.
        audio.reset();
        return open_jack_source(spec, dev.name);
    }
    return std::make_unique<DeviceSource>(spec, std::move(audio), std::move(dev));
}

} // namespace headroom
