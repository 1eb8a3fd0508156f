#pragma once
// What a capture is asked for (SourceSpec), what it opened (SourceInfo) and how it is doing
// (CaptureStatus): plain data, shared with the session recorder, which logs them without
// linking the audio system.
#include <cstdint>
#include <string>
#include <vector>

namespace headroom {

struct SourceSpec {
    enum class Kind { Device, File, Demo } kind = Kind::Device;
    std::string device;          // NAME (substring, case-insensitive) or INDEX; empty: default input
    std::string host_api;        // substring, case-insensitive; empty: any
    double rate = 0.0;           // 0: the device's default (file: its rate; demo: 48000)
    int buffer_frames = 0;       // 0: host default (file/demo: 256)
    std::string file;            // Kind::File
    bool loop = false;           // Kind::File
    int demo_channels = 8;       // Kind::Demo
};

struct SourceInfo {
    std::string kind;            // "device", "file", "demo"
    std::string device;          // device name / file path / "Demo studio"
    std::string host_api;        // "ALSA", "JACK Audio Connection Kit", "" for file/demo
    double sample_rate = 0.0;
    int channels = 0;
    int buffer_frames = 0;
    std::vector<std::string> channel_names;   // from the source when it has them, else "In N"
    std::vector<std::string> suggested_presets; // demo: its sources' preset ids; else empty
    std::string chosen;          // what was picked without being named (JACK's physical capture
                                 // ports, PipeWire's default source), said once on stderr; or empty
};

// What a normal thread polls (written by the audio side with relaxed atomics). Counters are
// totals since start(); a poller that logs transitions (the recorder: an `xrun` line when
// `xruns` grew, `device_lost` when `losses` grew, `device_back` when `returns` grew) keeps
// the previous value.
struct CaptureStatus {
    std::uint64_t callbacks = 0;
    std::uint64_t frames = 0;            // frames metered since start
    std::uint64_t xruns = 0;             // input overflows / underflows reported by the host
    float load_max = 0.0f;               // max callback time / buffer period since last poll
    float load_mean = 0.0f;              // mean since last poll
    bool device_lost = false;            // lost right now (re-open attempts every 2 s)
    std::string lost_reason;             // why, while lost ("JACK server went away", ...)
    std::uint32_t losses = 0;            // times the device was lost
    std::uint32_t returns = 0;           // times it came back
    std::uint64_t dropped_events = 0;    // events the full queue refused
    // What the device offers now, when it came back different from the take (a JACK server
    // restarted at another rate or with another port count); 0 when it came back the same.
    double back_rate = 0.0;
    int back_channels = 0;
};

} // namespace headroom
