#pragma once
// LiveSource: what Capture needs from a source (PortAudio device, real-time file, demo
// studio). Every source delivers its blocks to the same CaptureCore::step() on its own
// producer thread (the PortAudio callback, or a pacing thread).
#include <cstddef>
#include <memory>
#include <string>

#include "engine/capture/capture.hpp"
#include "engine/capture/capture_core.hpp"

namespace headroom {

class LiveSource {
public:
    virtual ~LiveSource() = default;
    // any thread, after construction: rate, channels, buffer, names (fixed once probed).
    virtual const SourceInfo& info() const = 0;
    // any thread: the largest block the source hands to step() (a hint; larger ones are split).
    virtual std::size_t block_hint() const = 0;
    // normal thread; may block. Starts delivering blocks to `core` (which outlives the run).
    // Throws InputError when the source cannot start.
    virtual void start(CaptureCore& core) = 0;
    // normal thread; may block; idempotent. After it returns, `core` is no longer touched.
    virtual void stop() = 0;
    // normal thread (one poller); may block. Adds the source's own state (device loss,
    // re-open attempts) to `st`.
    virtual void poll(CaptureStatus& st) { (void)st; }
    // any thread: a non-looping file has delivered its last block and flushed the bank.
    virtual bool finished() const { return false; }
};

// normal thread; each probes its source and throws InputError naming it and why.
std::unique_ptr<LiveSource> open_file_source(const SourceSpec& spec);    // source_file.cpp
std::unique_ptr<LiveSource> open_demo_source(const SourceSpec& spec);    // source_demo.cpp
std::unique_ptr<LiveSource> open_device_source(const SourceSpec& spec);  // source_device.cpp
// The JACK client `device` (e.g. "system") through Headroom's own JACK client; source_jack.cpp.
std::unique_ptr<LiveSource> open_jack_source(const SourceSpec& spec, const std::string& device);
// A capture node of the running PipeWire daemon (spec.device: node name or description; empty:
// the default source) through a native capture stream; source_pipewire.cpp.
std::unique_ptr<LiveSource> open_pipewire_source(const SourceSpec& spec);

} // namespace headroom
