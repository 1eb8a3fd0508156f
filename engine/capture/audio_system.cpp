#include "engine/capture/audio_system.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <portaudio.h>
#include <pa_jack.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "engine/base/errors.hpp"

namespace headroom {
namespace {

std::mutex g_stderr_mutex;           // one fd-2 redirection at a time
std::weak_ptr<AudioSystem> g_live;   // the shared instance
std::mutex g_live_mutex;

// While fd 2 is redirected, hook messages wait here (a log line written now would land in
// the redirection and be logged twice); the redirection's end logs them.
std::atomic<bool> g_redirected{false};
std::mutex g_pending_mutex;
std::vector<std::string> g_pending;

void debug_line(std::string line) {
    if (g_redirected.load(std::memory_order_acquire)) {
        std::lock_guard lk(g_pending_mutex);
        g_pending.push_back(std::move(line));
        return;
    }
    spdlog::debug("{}", line);
}

// ---- library message hooks ----------------------------------------------------------------
// JACK and ALSA print through hooks that can be replaced. libportaudio links both
// libraries, so their symbols are found at run time without linking them ourselves.
void jack_message(const char* msg) {
    if (spdlog::default_logger_raw()->should_log(spdlog::level::debug))
        debug_line(std::string("jack: ") + (msg ? msg : ""));
}

void alsa_message(const char* file, int line, const char* function, int err, const char* fmt, ...) {
    if (!spdlog::default_logger_raw()->should_log(spdlog::level::debug)) return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(text, sizeof text, fmt ? fmt : "", ap);
    va_end(ap);
    debug_line(fmt::format("alsa: {}:{} ({}) {}{}{}", file ? file : "?", line, function ? function : "?", text,
                           err ? ": " : "", err ? std::to_string(err) : std::string()));
}

// JACK's hooks are set again each time: PortAudio's JACK host API installs its own error
// hook when it initialises (it keeps the text, never prints it).
void install_library_hooks() {
    using JackSetFn = void (*)(void (*)(const char*));
    if (auto f = reinterpret_cast<JackSetFn>(dlsym(RTLD_DEFAULT, "jack_set_error_function"))) f(jack_message);
    if (auto f = reinterpret_cast<JackSetFn>(dlsym(RTLD_DEFAULT, "jack_set_info_function"))) f(jack_message);
    static std::once_flag alsa_once;
    std::call_once(alsa_once, [] {
        using AlsaHandler = void (*)(const char*, int, const char*, int, const char*, ...);
        using AlsaSetFn = int (*)(AlsaHandler);
        if (auto f = reinterpret_cast<AlsaSetFn>(dlsym(RTLD_DEFAULT, "snd_lib_error_set_handler"))) f(alsa_message);
    });
}

bool pa_init_locked() {
    install_library_hooks();
    PaJack_SetClientName("headroom");
    PaError e;
    {
        StderrToDebugLog quiet("portaudio init");
        e = Pa_Initialize();
    }
    if (e != paNoError) {
        spdlog::debug("Pa_Initialize failed: {}", Pa_GetErrorText(e));
        return false;
    }
    spdlog::debug("PortAudio {}: {} host APIs, {} devices", Pa_GetVersionText(), Pa_GetHostApiCount(),
                  Pa_GetDeviceCount());
    return true;
}

void pa_term_locked() {
    StderrToDebugLog quiet("portaudio terminate");
    Pa_Terminate();
}

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isdigit(ch) != 0; });
}

} // namespace

void route_library_messages_to_debug_log() { install_library_hooks(); }

std::string ascii_lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// ---- stderr capture -------------------------------------------------------------------------
StderrToDebugLog::StderrToDebugLog(const char* label) : label_(label) {
    g_stderr_mutex.lock();
    std::fflush(stderr);
    char path[] = "/tmp/headroom-chatter-XXXXXX";
    tmp_ = mkstemp(path);
    if (tmp_ < 0) return;
    unlink(path);
    g_redirected.store(true, std::memory_order_release);
    saved_ = dup(2);
    if (saved_ < 0 || dup2(tmp_, 2) < 0) {
        if (saved_ >= 0) close(saved_);
        saved_ = -1;
    }
}

StderrToDebugLog::~StderrToDebugLog() {
    std::fflush(stderr);
    if (saved_ >= 0) {
        dup2(saved_, 2);
        close(saved_);
    }
    g_redirected.store(false, std::memory_order_release);
    std::vector<std::string> pending;
    {
        std::lock_guard lk(g_pending_mutex);
        pending.swap(g_pending);
    }
    for (auto& line : pending) spdlog::debug("{}", line);
    if (tmp_ >= 0) {
        std::string text;
        if (lseek(tmp_, 0, SEEK_SET) == 0) {
            char buf[4096];
            for (ssize_t n; (n = read(tmp_, buf, sizeof buf)) > 0 && text.size() < (1u << 20);)
                text.append(buf, static_cast<std::size_t>(n));
        }
        close(tmp_);
        std::size_t a = 0;
        while (a < text.size()) {
            std::size_t b = text.find('\n', a);
            if (b == std::string::npos) b = text.size();
            if (b > a) spdlog::debug("{}: {}", label_, std::string_view(text).substr(a, b - a));
            a = b + 1;
        }
    }
    g_stderr_mutex.unlock();
}

// ---- AudioSystem ------------------------------------------------------------------------------
std::shared_ptr<AudioSystem> AudioSystem::acquire() {
    std::lock_guard lk(g_live_mutex);
    if (auto live = g_live.lock()) return live;
    std::shared_ptr<AudioSystem> s(new AudioSystem());
    if (!s->initialized_) throw InputError("the audio system (PortAudio) could not be initialised");
    g_live = s;
    return s;
}

AudioSystem::AudioSystem() {
    std::lock_guard lk(mutex_);
    initialized_ = pa_init_locked();
}

AudioSystem::~AudioSystem() {
    std::lock_guard lk(mutex_);
    if (initialized_) pa_term_locked();
}

bool AudioSystem::reinitialize() {
    std::lock_guard lk(mutex_);
    if (initialized_) pa_term_locked();
    initialized_ = pa_init_locked();
    return initialized_;
}

bool AudioSystem::initialized() const {
    std::lock_guard lk(mutex_);
    return initialized_;
}

std::vector<HostApiEntry> AudioSystem::host_apis() const {
    std::lock_guard lk(mutex_);
    std::vector<HostApiEntry> out;
    if (!initialized_) return out;
    const int n = Pa_GetHostApiCount();
    for (int i = 0; i < n; ++i) {
        const PaHostApiInfo* h = Pa_GetHostApiInfo(i);
        if (!h) continue;
        HostApiEntry e;
        e.index = i;
        e.name = h->name ? h->name : "";
        e.device_count = h->deviceCount;
        e.default_input = h->defaultInputDevice >= 0 ? h->defaultInputDevice : -1;
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<DeviceEntry> AudioSystem::devices() const {
    std::lock_guard lk(mutex_);
    std::vector<DeviceEntry> out;
    if (!initialized_) return out;
    const int n = Pa_GetDeviceCount();
    const PaDeviceIndex def = Pa_GetDefaultInputDevice();
    for (int i = 0; i < n; ++i) {
        const PaDeviceInfo* d = Pa_GetDeviceInfo(i);
        if (!d) continue;
        const PaHostApiInfo* h = Pa_GetHostApiInfo(d->hostApi);
        DeviceEntry e;
        e.index = i;
        e.name = d->name ? d->name : "";
        e.host_api = h && h->name ? h->name : "";
        e.input_channels = d->maxInputChannels;
        e.output_channels = d->maxOutputChannels;
        e.default_rate = d->defaultSampleRate;
        e.low_input_latency = d->defaultLowInputLatency;
        e.default_input = i == def;
        e.host_default_input = h && h->defaultInputDevice == i;
        out.push_back(std::move(e));
    }
    return out;
}

bool AudioSystem::has_input_device() const {
    for (const auto& d : devices())
        if (d.input_channels > 0) return true;
    return false;
}

DeviceEntry AudioSystem::find_input(const std::string& device, const std::string& host_api) const {
    const auto all = devices();
    const std::string want_api = ascii_lower(host_api);
    auto api_ok = [&](const DeviceEntry& d) {
        return want_api.empty() || ascii_lower(d.host_api).find(want_api) != std::string::npos;
    };
    std::string inputs;  // for messages: what exists
    for (const auto& d : all)
        if (d.input_channels > 0)
            inputs += (inputs.empty() ? "" : ", ") + std::to_string(d.index) + " '" + d.name + "' (" + d.host_api + ")";
    if (inputs.empty()) inputs = "none";

    if (!host_api.empty() && std::none_of(all.begin(), all.end(), api_ok)) {
        std::string apis;
        for (const auto& h : host_apis()) apis += (apis.empty() ? "" : ", ") + h.name;
        const bool jack = ascii_lower("JACK Audio Connection Kit").find(want_api) != std::string::npos;
        throw InputError("--host-api " + host_api + ": no such host API with devices (available: " +
                         (apis.empty() ? "none" : apis) + ")" + (jack ? "; is the JACK server running?" : ""));
    }
    const DeviceEntry* pick = nullptr;
    if (device.empty()) {
        for (const auto& d : all)
            if (d.input_channels > 0 && api_ok(d) && (host_api.empty() ? d.default_input : d.host_default_input))
                pick = &d;
        if (!pick)  // no default marked: the first input device of the host API
            for (const auto& d : all)
                if (d.input_channels > 0 && api_ok(d)) { pick = &d; break; }
        if (!pick)
            throw InputError(std::string("no input device") + (host_api.empty() ? "" : " on host API '" + host_api + "'") +
                             " (input devices: " + inputs + ")");
        return *pick;
    }
    if (all_digits(device)) {
        const long idx = std::strtol(device.c_str(), nullptr, 10);
        for (const auto& d : all)
            if (d.index == idx) pick = &d;
        if (!pick) throw InputError("--device " + device + ": no device with that index (input devices: " + inputs + ")");
        if (pick->input_channels <= 0)
            throw InputError("--device " + device + ": '" + pick->name + "' has no input channels (input devices: " + inputs + ")");
        if (!api_ok(*pick))
            throw InputError("--device " + device + ": '" + pick->name + "' is on " + pick->host_api + ", not '" + host_api + "'");
        return *pick;
    }
    const std::string want = ascii_lower(device);
    for (const auto& d : all) {
        if (d.input_channels <= 0 || !api_ok(d)) continue;
        const std::string name = ascii_lower(d.name);
        if (name == want) return d;  // an exact name wins
        if (!pick && name.find(want) != std::string::npos) pick = &d;
    }
    if (!pick)
        throw InputError("--device " + device + ": no input device matches" +
                         (host_api.empty() ? "" : " on host API '" + host_api + "'") + " (input devices: " + inputs + ")");
    return *pick;
}

} // namespace headroom
