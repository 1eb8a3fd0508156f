#pragma once
// ReopeningSource: the loss detection and re-open bookkeeping shared by the live device
// sources (source_device.cpp: a PortAudio stream; source_jack.cpp: Headroom's JACK client).
//
// The poller (one normal thread) calls poll(). While the source runs and is not lost, it
// asks the source whether its stream died (dead_reason()) and otherwise watches the
// callback counter: no callback for 2 s is a loss too. A lost source is closed
// (close_lost()) and every 2 s the poller calls reopen() until it succeeds. The state
// (lost, reason, losses, returns) goes into CaptureStatus. The audio thread never touches
// any of this; it only reads core_.
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "engine/capture/source_live.hpp"

namespace headroom {

class ReopeningSource : public LiveSource {
public:
    // normal thread (one poller); may block (the hooks close and open streams).
    void poll(CaptureStatus& st) final;

protected:
    // `silence_reason`: the lost_reason when no callback arrived for 2 s.
    explicit ReopeningSource(std::string silence_reason) : silence_reason_(std::move(silence_reason)) {}

    // normal thread (start(), once the stream runs): begin watching for loss.
    void watch_started();
    // normal thread (stop()): stop watching; poll() only reports the counters.
    void watch_stopped() { running_ = false; }

    // ---- hooks, all called by the poller (normal thread; may block) ----------------------
    // Why the stream died (finished, inactive, server gone), or empty when it looks alive.
    virtual std::string dead_reason() = 0;
    // Close the lost stream (it may never drain).
    virtual void close_lost() = 0;
    // Open and start the stream again; true when it runs. On false the source stays closed.
    virtual bool reopen() = 0;
    // How the debug log names the source, e.g. "JACK device 'system'".
    virtual std::string label() const = 0;

    // Set by reopen() (the poller) when the device is there again but differs from the take;
    // copied into CaptureStatus::back_rate / back_channels.
    double back_rate_ = 0.0;
    int back_channels_ = 0;

    // Stored by start()/stop() (normal thread), read by the audio callback and the poller.
    std::atomic<CaptureCore*> core_{nullptr};

private:
    void check_loss();
    void try_reopen();

    std::string silence_reason_;
    // poller state
    bool running_ = false, lost_ = false;
    std::string reason_;
    std::uint32_t losses_ = 0, returns_ = 0;
    std::int64_t next_retry_ns_ = 0, seen_at_ns_ = 0;
    std::uint64_t seen_callbacks_ = 0;
};

} // namespace headroom
