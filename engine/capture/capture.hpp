#pragma once
// Capture: one live source (PortAudio device, real-time file, demo studio) feeding a
// MeterBank from its callback, and the hand-over to the window (MeterExchange) and the
// recorder (EventQueue). Same code path for every source (DESIGN.md §1).
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/capture/source_info.hpp"
#include "engine/capture/transport_track.hpp"
#include "engine/meter/meter_bank.hpp"
#include "engine/meter/meter_options.hpp"

namespace headroom {

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
    MeterExchange& snapshots();       // the window is the one reader
    // any normal thread, after configure(): restarts a bus's integrated loudness and LRA as the
    // window shows them (MeterBank::request_loudness_reset); the session's figures go on.
    void request_loudness_reset(int bus);
    EventQueue& events();                // the recorder is the one consumer
    TransportTrack& transport();         // the recorder is the one reader (JACK sources note it)
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
