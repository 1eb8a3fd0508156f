#pragma once
// Capture: one live source (PortAudio device, real-time file, demo studio) feeding a
// MeterBank from its callback, and the hand-over to the window (SnapshotExchange) and the
// recorder (EventQueue). Same code path for every source (DESIGN.md §1).
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/meter_bank.hpp"
#include "engine/meter_options.hpp"

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
};

// Counters a normal thread polls (written by the audio thread with relaxed atomics).
struct CaptureStatus {
    std::uint64_t callbacks = 0;
    std::uint64_t xruns = 0;             // input overflows / underflows reported by the host
    float load_max = 0.0f;               // max callback time / buffer period since last poll
    float load_mean = 0.0f;              // mean since last poll
    bool device_lost = false;
    std::string lost_reason;
    std::uint64_t dropped_events = 0;
};

class Capture {
public:
    // normal thread. Opens the source (throws InputError naming the device/file and why);
    // `meter` supplies thresholds/windows; rate and channels are taken from the source.
    Capture(const SourceSpec& spec, MeterOptions meter);
    ~Capture();
    const SourceInfo& info() const;
    const MeterOptions& meter_options() const;
    void start();                        // normal thread
    void stop();                         // normal thread; idempotent
    SnapshotExchange& snapshots();       // the window is the one reader
    EventQueue& events();                // the recorder is the one consumer
    CaptureStatus poll_status();         // normal thread; also drives re-open after device loss
    bool finished() const;               // a non-looping file reached its end

    struct Impl;
private:
    std::unique_ptr<Impl> impl_;
};

} // namespace headroom
