#pragma once
// Per-channel results of a stream, accumulated from the MeterBank's events on a normal
// thread. Used by `analyze` (offline) and by the session recorder (`record`, the window),
// so both report the same numbers the same way (DESIGN.md §4 JSON).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/meter_event.hpp"
#include "engine/presets.hpp"

namespace headroom {

struct ChannelSummary {
    std::string name;            // channel name ("In 1" when none given)
    Preset preset;
    float sample_peak = 0.0f;    // linear
    float true_peak = 0.0f;      // linear
    double sum_squares = 0.0;    // finite samples
    std::uint64_t frames = 0;    // finite samples counted in sum_squares
    float rms_window_max = 0.0f; // loudest sliding window, linear, plain
    std::uint64_t clip_events = 0;
    std::uint64_t clipped_samples = 0;
    std::uint64_t hot_events = 0;
    std::uint64_t nonfinite_samples = 0;
};

class SessionSummary {
public:
    // normal thread. presets/names: one per channel.
    SessionSummary(double sample_rate, std::vector<Preset> presets, std::vector<std::string> names);
    void add(const MeterEvent& e);                        // normal thread
    int channels() const;
    double sample_rate() const;
    std::uint64_t frames() const;                         // longest channel envelope coverage
    const ChannelSummary& channel(int c) const;
    const std::vector<MeterEvent>& clips() const;         // Clip events in arrival order
    const std::vector<MeterEvent>& hot() const;
    // DESIGN.md §3 gain advice in dB, once the channel has >= 10 s of activity.
    std::optional<double> gain_advice_db(int c) const;

    // DESIGN.md §4: the "channels" array and the "clips" array (rms convention applied).
    nlohmann::json channels_json(bool rms_aes17) const;
    nlohmann::json clips_json() const;

private:
    struct Impl;
    std::vector<ChannelSummary> ch_;
    double rate_;
    std::vector<MeterEvent> clips_, hot_;
    std::vector<std::vector<float>> tick_peaks_;  // 100 ms sample peaks per channel (gain advice)
};

// A clip or hot event as the JSON object of DESIGN.md §4 / §5 (channel 1-based, dB values,
// null for silence). Shared by analyze --json, record --json and clips.jsonl.
nlohmann::json event_json(const MeterEvent& e, double sample_rate);
// dB value or null for silence, rounded to 2 decimals as printed.
nlohmann::json db_or_null(double linear);

} // namespace headroom
