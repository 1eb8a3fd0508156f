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
};

class Capture {
public:
    // normal thread. Opens (probes) the source: after this, info() has its rate, channel
    // count, buffer and channel names. Throws InputError naming the device/file and why.
    // Opens no audio system for File and Demo sources.
    explicit Capture(const SourceSpec& spec);
    ~Capture();                          // stops if running
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    const SourceInfo& info() const;      // any normal thread
    // normal thread, once, before start(): builds the MeterBank. meter.sample_rate and
    // meter.channels must equal info()'s; meter.max_block >= the largest block the source
    // delivers (the capture raises it when needed). Throws std::invalid_argument otherwise.
    void configure(const MeterOptions& meter);
    const MeterOptions& meter_options() const;
    void start();                        // normal thread; after configure()
    // normal thread; idempotent. Stops the source, then closes the stream (MeterBank::finish:
    // events still open and the partial envelope tick are emitted).
    void stop();
    SnapshotExchange& snapshots();       // the window is the one reader
    EventQueue& events();                // the recorder is the one consumer
    // normal thread (one poller); also drives re-open after device loss (every 2 s).
    // The status lines a recorder must log (xrun counts, device_lost / device_back) are
    // reported through the returned counters and flags; see CaptureStatus.
    CaptureStatus poll_status();
    bool finished() const;               // a non-looping file reached its end (all delivered)

    struct Impl;
private:
    std::unique_ptr<Impl> impl_;
};

} // namespace headroom
