#pragma once
// AudioSystem: PortAudio, initialised on demand only (device capture, `headroom devices`);
// file, demo, analyze and log never create one, so they never touch ALSA or JACK.
//
// Library chatter stays off the terminal: ALSA's and JACK's message hooks are routed to
// spdlog's debug level (shown with --verbose), and while PortAudio initialises or opens a
// stream, file descriptor 2 is redirected to a temporary file whose text is forwarded to the
// debug log as well (for whatever a library prints directly).
// The JACK client is named "headroom" (PaJack_SetClientName, before Pa_Initialize).
//
// Threads: normal threads only; every member may block. One object at a time exists
// (acquire() shares it); its methods serialise on an internal mutex.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace headroom {

struct HostApiEntry {
    int index = 0;
    std::string name;            // "ALSA", "JACK Audio Connection Kit", ...
    int device_count = 0;
    int default_input = -1;      // global device index, -1 when none
};

struct DeviceEntry {
    int index = 0;               // PortAudio's global device index (what --device INDEX takes)
    std::string name;
    std::string host_api;
    int input_channels = 0;
    int output_channels = 0;
    double default_rate = 0.0;
    double low_input_latency = 0.0;  // seconds
    bool default_input = false;      // the system's default input device
    bool host_default_input = false; // its host API's default input device
};

class AudioSystem {
public:
    // normal thread; may block. Initialises PortAudio (or shares the live instance).
    // Throws InputError when PortAudio cannot be initialised.
    static std::shared_ptr<AudioSystem> acquire();
    ~AudioSystem();  // Pa_Terminate
    AudioSystem(const AudioSystem&) = delete;
    AudioSystem& operator=(const AudioSystem&) = delete;

    std::vector<HostApiEntry> host_apis() const;   // normal thread
    std::vector<DeviceEntry> devices() const;      // normal thread
    bool has_input_device() const;                 // normal thread: any device with inputs

    // normal thread. The input device `device` names (INDEX, or a case-insensitive substring
    // of the name; an exact name wins over a substring) on a host API whose name contains
    // `host_api` (case-insensitive; empty: any). Empty `device`: the default input (of that
    // host API when one is named). Throws InputError naming what was asked and what exists.
    DeviceEntry find_input(const std::string& device, const std::string& host_api) const;

    // normal thread. Pa_Terminate + Pa_Initialize: the device list is read again (a JACK
    // server that went away and came back is only seen after this). Every stream must be
    // closed first. Returns false (and logs at debug) when initialisation failed; the
    // object is then unusable until a later reinitialize() succeeds.
    bool reinitialize();
    bool initialized() const;

    // The mutex every PortAudio call on a normal thread holds (streams open/close too).
    std::mutex& mutex() const { return mutex_; }

private:
    AudioSystem();
    mutable std::mutex mutex_;
    bool initialized_ = false;
};

// normal thread. Runs `what` with file descriptor 2 captured; what was written there goes to
// spdlog's debug log, each line prefixed with `label`.
class StderrToDebugLog {
public:
    explicit StderrToDebugLog(const char* label);
    ~StderrToDebugLog();
    StderrToDebugLog(const StderrToDebugLog&) = delete;
    StderrToDebugLog& operator=(const StderrToDebugLog&) = delete;

private:
    const char* label_;
    int saved_ = -1;
    int tmp_ = -1;
};

// normal thread; idempotent. Routes ALSA's and JACK's message hooks to spdlog's debug log
// (called before PortAudio or a JACK client is opened).
void route_library_messages_to_debug_log();

// normal thread; may block ~2 s. Is there anything live to meter: a capture source of a running
// PipeWire daemon, else a PortAudio device with inputs (source_device.cpp). Throws InputError
// when PortAudio cannot be initialised and no PipeWire source exists.
bool any_input_source();

// Lower-case copy (ASCII), for the case-insensitive matches.
std::string ascii_lower(std::string s);

} // namespace headroom
