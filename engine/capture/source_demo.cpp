// The demo source: DemoStudio synthesised on a pacing thread, block by block, into a
// preallocated buffer that goes through the same CaptureCore::step() as a device callback.
#include <string>
#include <vector>

#include "engine/capture/demo_studio.hpp"
#include "engine/base/errors.hpp"
#include "engine/capture/source_live.hpp"
#include "engine/capture/source_pacer.hpp"

namespace headroom {
namespace {

class DemoSource final : public LiveSource {
public:
    explicit DemoSource(const SourceSpec& spec)
        : frames_(spec.buffer_frames > 0 ? static_cast<std::size_t>(spec.buffer_frames) : 256),
          studio_(spec.demo_channels, spec.rate > 0.0 ? spec.rate : 48000.0) {
        info_.kind = "demo";
        info_.device = "Demo studio";
        info_.sample_rate = spec.rate > 0.0 ? spec.rate : 48000.0;
        info_.channels = studio_.channels();
        info_.buffer_frames = static_cast<int>(frames_);
        info_.channel_names = studio_.names();
        info_.suggested_presets = studio_.presets();
        buffer_.assign(frames_ * static_cast<std::size_t>(info_.channels), 0.0f);
    }
    ~DemoSource() override { stop(); }

    const SourceInfo& info() const override { return info_; }
    std::size_t block_hint() const override { return frames_; }

    void start(CaptureCore& core) override {
        pacer_.start(info_.sample_rate, frames_, [this, &core] {
            // pacing thread = this source's audio thread: no allocation from here on.
            studio_.render(buffer_.data(), frames_);
            core.step(buffer_.data(), frames_);
            return true;
        });
    }
    void stop() override { pacer_.stop(); }

private:
    std::size_t frames_;
    DemoStudio studio_;
    SourceInfo info_;
    std::vector<float> buffer_;
    Pacer pacer_;
};

} // namespace

std::unique_ptr<LiveSource> open_demo_source(const SourceSpec& spec) {
    if (spec.demo_channels < 1 || spec.demo_channels > kMaxChannels)
        throw UsageError("--demo-channels " + std::to_string(spec.demo_channels) + " is outside 1.." +
                         std::to_string(kMaxChannels));
    return std::make_unique<DemoSource>(spec);
}

} // namespace headroom
