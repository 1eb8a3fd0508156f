// Capture: the source, the core and the hand-over structures, wired (see capture.hpp).
#include "engine/capture/capture.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "engine/capture/capture_core.hpp"
#include "engine/capture/source_live.hpp"

namespace headroom {

namespace {
// Events the recorder has not drained yet: at 256 channels the envelope alone is 2560
// events per second and the bands (--bands) as many again, so this holds ~12 s of them (the
// recorder drains at least 10 times a second).
constexpr std::size_t kEventCapacity = 1u << 16;
} // namespace

struct Capture::Impl {
    std::unique_ptr<LiveSource> source;
    EventQueue events{kEventCapacity};
    TransportTrack transport;
    MeterExchange snapshots;
    MeterOptions meter;
    std::unique_ptr<CaptureCore> core;
    bool running = false;
};

Capture::Capture(const SourceSpec& spec) : impl_(std::make_unique<Impl>()) {
    switch (spec.kind) {
    case SourceSpec::Kind::File: impl_->source = open_file_source(spec); break;
    case SourceSpec::Kind::Demo: impl_->source = open_demo_source(spec); break;
    case SourceSpec::Kind::Device: impl_->source = open_device_source(spec); break;
    }
}

Capture::~Capture() { stop(); }

const SourceInfo& Capture::info() const { return impl_->source->info(); }

void Capture::configure(const MeterOptions& meter) {
    if (impl_->running) throw std::invalid_argument("Capture::configure: already started");
    const SourceInfo& i = info();
    if (meter.sample_rate != i.sample_rate || meter.channels != i.channels)
        throw std::invalid_argument("Capture::configure: meter options (" + std::to_string(meter.channels) +
                                    " channels at " + std::to_string(meter.sample_rate) +
                                    " Hz) do not match the source (" + std::to_string(i.channels) +
                                    " channels at " + std::to_string(i.sample_rate) + " Hz)");
    MeterOptions m = meter;
    m.max_block = std::clamp<std::size_t>(std::max(m.max_block, impl_->source->block_hint()), 1, kMaxBlock);
    if (auto bad = validate_meter_options(m)) throw std::invalid_argument(*bad);
    impl_->core.reset();
    impl_->core = std::make_unique<CaptureCore>(m, impl_->events, impl_->snapshots);
    impl_->core->set_transport(&impl_->transport);
    impl_->meter = m;
    spdlog::debug("meters: {} kernel", impl_->core->bank().kernel_name());
}

const MeterOptions& Capture::meter_options() const { return impl_->meter; }

void Capture::start() {
    if (!impl_->core) throw std::logic_error("Capture::start: configure() first");
    if (impl_->running) return;
    impl_->source->start(*impl_->core);
    impl_->running = true;
}

void Capture::stop() {
    if (!impl_ || !impl_->source) return;
    impl_->source->stop();
    // The producer is gone: close the stream so events still open (a clip in the last
    // merge gap, a hot stretch) and the partial envelope tick reach the recorder.
    // A finished file source has done this already.
    if (impl_->running && impl_->core && !impl_->source->finished()) impl_->core->finish();
    impl_->running = false;
}

MeterExchange& Capture::snapshots() { return impl_->snapshots; }
void Capture::request_loudness_reset(int bus) {
    if (impl_->core) impl_->core->request_loudness_reset(bus);
}
EventQueue& Capture::events() { return impl_->events; }
TransportTrack& Capture::transport() { return impl_->transport; }

CaptureStatus Capture::poll_status() {
    CaptureStatus st;
    if (impl_->core) {
        const CaptureCore& c = *impl_->core;
        st.callbacks = c.callbacks();
        st.frames = c.frames();
        st.xruns = c.xruns();
        const CallbackLoad l = impl_->core->take_load();
        st.load_mean = l.mean;
        st.load_max = l.max;
    }
    st.dropped_events = impl_->events.dropped();
    impl_->source->poll(st);
    return st;
}

bool Capture::finished() const { return impl_->source->finished(); }

} // namespace headroom
