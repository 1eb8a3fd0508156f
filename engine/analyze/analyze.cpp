#include "engine/analyze/analyze.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/base/errors.hpp"
#include "engine/meter/meter_bank.hpp"
#include "engine/meter/true_peak.hpp"

namespace headroom {
namespace {

// Events one process() call of `frames` frames on `channels` channels can emit at most:
// per channel, every clip/hot/non-finite event that opens in the call covers >= 1 of its
// measured frames (as many as given, shifted by the interpolator delay D); add the events
// open from before (one per type), the envelope and band ticks ending in the call (<= F / 4410
// + 1 each) and, for finish(), the D flushed frames (D <= 4 * taps, well under the margin); and
// per bus the loudness steps ending in the call (100 ms each: <= F / 4410 + 2).
constexpr std::size_t kEventMargin = 64;
std::size_t worst_events(std::size_t channels, std::size_t frames) {
    return channels * (frames + 2 * (frames / 4410) + kEventMargin) +
           static_cast<std::size_t>(kMaxBuses) * (frames / 4410 + 2);
}

// process() slice length: the block, unless its worst case would not fit the largest queue.
std::size_t slice_for(std::size_t channels, std::size_t block) {
    if (worst_events(channels, block) <= kAnalyzeQueueCap) return block;
    const std::size_t per_channel = (kAnalyzeQueueCap - static_cast<std::size_t>(kMaxBuses) * 4) / channels;
    return std::max<std::size_t>(1, (per_channel - kEventMargin) * 4410 / 4420);
}

// The true-peak interpolator for a rate, designed once per process: the design costs about
// 0.1 s of CPU at 44.1/48 kHz, more than metering a minute of stereo, and several files of
// one rate share it.
InterpolatorDesign interpolator_for(double rate) {
    static std::mutex m;
    static std::map<double, InterpolatorDesign> cache;
    const std::lock_guard<std::mutex> lock(m);
    auto it = cache.find(rate);
    if (it == cache.end()) it = cache.emplace(rate, design_true_peak_interpolator(rate)).first;
    return it->second;
}

void drain(EventQueue& q, SessionSummary& s) {
    MeterEvent e;
    while (q.try_pop(e)) s.add(e);
}

} // namespace

FileAnalysis analyze_file(const std::filesystem::path& path, std::size_t block,
                          const AnalyzeConfigure& configure) {
    if (block < 1 || block > kMaxBlock)
        throw std::invalid_argument("analyze: block " + std::to_string(block) + " outside 1..8192");
    SoundFile file(path);
    const SoundFileInfo& info = file.info();
    const std::string where = path.string();
    if (info.sample_rate < 44100.0 || info.sample_rate > 192000.0)
        throw InputError(where + ": sample rate " + std::to_string(static_cast<long>(info.sample_rate)) +
                         " Hz is outside what Headroom meters (44100..192000 Hz)");
    if (info.channels > kMaxChannels)
        throw InputError(where + ": " + std::to_string(info.channels) +
                         " channels is more than Headroom meters (1..256)");

    AnalyzeSetup setup = configure(info);
    const auto channels = static_cast<std::size_t>(info.channels);
    if (setup.presets.size() != channels)
        throw std::logic_error("analyze: configure gave " + std::to_string(setup.presets.size()) +
                               " presets for " + std::to_string(channels) + " channels");
    const std::size_t slice = slice_for(channels, block);
    setup.options.sample_rate = info.sample_rate;
    setup.options.channels = info.channels;
    setup.options.max_block = slice;
    if (!setup.hot_events) setup.options.hot_ceiling_dbfs.clear();
    if (auto bad = validate_meter_options(setup.options)) throw InputError(where + ": " + *bad);

    std::size_t cap = 1;
    while (cap < worst_events(channels, slice)) cap <<= 1;
    EventQueue queue(cap);
    MeterBank bank(setup.options, &queue, interpolator_for(info.sample_rate));
    FileAnalysis a{path, info, 0, false, bank.kernel_name(),
                   SessionSummary(info.sample_rate, std::move(setup.presets), {}, setup.options.true_peak)};
    a.summary.set_programme(setup.options.buses, std::move(setup.bus_presets), setup.options.bands);

    std::vector<float> buf(block * channels);
    for (;;) {
        const std::size_t got = file.read(buf.data(), block);
        if (got == 0) break;
        for (std::size_t off = 0; off < got; off += slice) {
            bank.process(buf.data() + off * channels, std::min(slice, got - off));
            drain(queue, a.summary);
        }
        a.frames += got;
        if (got < block) break;
    }
    bank.finish();
    drain(queue, a.summary);
    if (queue.dropped() != 0)
        throw std::logic_error(where + ": " + std::to_string(queue.dropped()) +
                               " meter events were dropped (event queue too small); results would be wrong");
    a.truncated = file.truncated();
    if (a.truncated && a.frames == 0)
        throw InputError(where + ": truncated: no audio data left to analyse");
    return a;
}

nlohmann::ordered_json analysis_json(const FileAnalysis& a, bool rms_aes17) {
    nlohmann::ordered_json j;
    j["file"] = a.path.string();
    j["sample_rate"] = static_cast<std::int64_t>(std::llround(a.info.sample_rate));
    j["frames"] = a.frames;
    j["duration_s"] = std::round(static_cast<double>(a.frames) / a.info.sample_rate * 1e6) / 1e6;
    j["channels"] = a.summary.channels_json(rms_aes17);
    j["clips"] = a.summary.clips_json();
    j["buses"] = a.summary.buses_json(rms_aes17);
    return j;
}

} // namespace headroom
