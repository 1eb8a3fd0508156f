#pragma once
// Per-channel results of a stream, accumulated from the MeterBank's events on a normal
// thread. Used by `analyze` (offline) and by the session recorder (`record`, the window),
// so both report the same numbers the same way (DESIGN.md §4 JSON).
//
// How the events fold (exact; see meter_bank.hpp for the events themselves):
//  - Envelope ticks carry every level: sample_peak and true_peak are the maxima over all
//    ticks of the channel, rms_window_max the largest sliding-window RMS, sum_squares and
//    frames the sums of the ticks' sum_squares and finite-frame counts. The whole-stream RMS
//    is sqrt(sum_squares / frames) (non-finite samples excluded, as everywhere).
//  - Clip events: counted (clip_events, clipped_samples += count) and kept in order; their
//    peaks also raise the channel's maxima (they cover frames the ticks cover too).
//  - Hot events: counted and kept. NonFinite events: nonfinite_samples += count.
//
// Gain advice (DESIGN.md §3), defined here precisely:
//  - 400 ms peak values: one per Envelope tick of the channel from its 4th tick on, the
//    maximum sample peak of that tick and the 3 ticks before it (a 400 ms window stepped by
//    100 ms, i.e. BS.1770's 400 ms blocks with 75 % overlap). Ticks are taken in arrival
//    order, which is stream order per channel.
//  - Active: a 400 ms value strictly above -60 dBFS (kGainGateDbfs). Each active value
//    stands for 100 ms of activity.
//  - Known once the channel has >= 100 active values (10 s of activity, kGainMinActiveS);
//    before that, and for silence, there is no advice (JSON null).
//  - Loud peaks: the 95th percentile of the active values by nearest rank: sorted
//    ascending, the value at 1-based rank ceil(0.95 * n).
//  - Advice = centre of the preset window (dBFS) - 20*log10(loud peaks), in dB: positive
//    means "turn the input gain up by this much".
//  Memory: every active 400 ms value is kept (4 bytes per channel per 100 ms: 144 KB per
//  channel-hour).
//
// Threads: a plain value, used by one normal thread at a time (copy it to hand it over).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/meter/loudness.hpp"
#include "engine/meter/meter_event.hpp"
#include "engine/session/session_format.hpp"
#include "engine/settings/presets.hpp"

namespace headroom {

inline constexpr double kGainGateDbfs = -60.0;       // 400 ms values at or below: inactive
inline constexpr double kGainMinActiveS = 10.0;      // activity needed before advice is known
inline constexpr int kGainTicksPerValue = 4;         // 400 ms = 4 envelope ticks of 100 ms
inline constexpr double kGainPercentile = 0.95;

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
    std::uint64_t end_sample = 0;  // one past the last frame covered by an Envelope tick
    // DESIGN.md §6 bands (when metered): per band the maxima and the whole-stream sum of squares
    // over band_frames finite frames, from the Bands ticks.
    struct Band {
        float peak = 0.0f;
        double sum_squares = 0.0;
        float rms_window_max = 0.0f;
    };
    std::array<Band, kBandCount> bands{};
    std::uint64_t band_frames = 0;
};

// One bus's results (DESIGN.md §6), folded from the Loudness steps. Its peaks and bands are
// its channels' (SessionSummary::bus_records). Memory is fixed: the gate's histograms.
struct BusSummary {
    BusSpec spec;
    Preset preset;
    LoudnessGate gate;                  // integrated and LRA over the whole stream
    double momentary_max_ms = -1.0;     // < 0: none
    double short_term_max_ms = -1.0;
};

class SessionSummary {
public:
    // normal thread. presets/names: one per channel (names may be shorter or empty: the
    // missing ones are "In N"). true_peak_measured false (--true-peak off): every true-peak
    // figure this summary gives (channels and clips) is null, never the sample peak standing in.
    SessionSummary(double sample_rate, std::vector<Preset> presets, std::vector<std::string> names,
                   bool true_peak_measured = true);
    void add(const MeterEvent& e);                        // normal thread; events of unknown channels
                                                          // (buses) and provisional copies are ignored
    // normal thread, before the first add(): the buses metered (DESIGN.md §6), one preset each,
    // and whether the channels' bands are metered (else "bands" and "low_share_db" are null).
    void set_programme(const std::vector<BusSpec>& buses, std::vector<Preset> bus_presets, bool bands);
    bool bands_measured() const { return bands_; }
    int buses() const { return static_cast<int>(buses_.size()); }
    const BusSummary& bus(int i) const { return buses_.at(static_cast<std::size_t>(i)); }
    int channels() const;                                 // any thread (of the owner)
    double sample_rate() const;
    bool true_peak_measured() const { return true_peak_measured_; }
    std::uint64_t frames() const;                         // longest channel envelope coverage
    const ChannelSummary& channel(int c) const;           // 0-based
    const std::vector<MeterEvent>& clips() const;         // Clip events in arrival order
    const std::vector<MeterEvent>& hot() const;
    // DESIGN.md §3 gain advice in dB, once the channel has >= 10 s of activity (see above).
    // On a channel that clipped (DESIGN.md §2: never "on target"), at least what brings its
    // loudest peak (the larger of sample and true peak) to the window's centre, at once: the
    // same figure as the strip's "lower ≥ X dB".
    std::optional<double> gain_advice_db(int c) const;
    // Seconds of activity so far (active 400 ms values x 0.1 s).
    double active_seconds(int c) const;

    // DESIGN.md §4: the "channels" array (as records, and as JSON) and the "clips" array
    // (rms convention applied), fields in the order DESIGN.md lists them.
    std::vector<ChannelSummaryRecord> channel_records(bool rms_aes17) const;
    nlohmann::ordered_json channels_json(bool rms_aes17) const;
    nlohmann::ordered_json clips_json() const;
    // The "hot" array (after "clips" in record --json; analyze does not track hot events): the
    // hot events as the same objects, with "samples" and the loudest moment (peak_sample, peak_s).
    nlohmann::ordered_json hot_json() const;
    // DESIGN.md §6: the "buses" array (records and JSON), fields in the order DESIGN.md lists them.
    // DESIGN.md §6 low_share_db, unrounded (the records round it): a channel's, a bus's (its
    // channels' pooled sums). Nothing without bands or for silence.
    std::optional<double> low_share_db(int c) const;
    std::optional<double> bus_low_share_db(int b) const;
    // rms_aes17: the bands' RMS convention, as channel_records.
    std::vector<BusSummaryRecord> bus_records(bool rms_aes17) const;
    nlohmann::ordered_json buses_json(bool rms_aes17) const;

private:
    // The 95th-percentile rule alone (DESIGN.md §3), before the clipped-channel floor.
    std::optional<double> loud_peak_advice_db(int c) const;
    struct GainState {
        float last[kGainTicksPerValue - 1] = {};  // the previous ticks' sample peaks, newest last
        std::uint64_t ticks = 0;
        std::vector<float> active;                // active 400 ms values, linear
    };
    std::vector<ChannelSummary> ch_;
    double rate_;
    bool true_peak_measured_;
    std::vector<MeterEvent> clips_, hot_;
    std::vector<GainState> gain_;
    std::vector<BusSummary> buses_;
    bool bands_ = false;
};

// A clip or hot event as the JSON object of DESIGN.md §4 / §5 (channel 1-based, dB values,
// null for silence; start_s = start_sample / rate, end_s = (end_sample + 1) / rate, i.e. the
// end of the last sample, both rounded to 6 decimals). Clip events carry "clipped_samples";
// Hot and NonFinite events carry the same count as "samples"; true_peak_dbtp is null when true
// peak was not measured. Shared by analyze --json, record --json and clips.jsonl. Any thread.
nlohmann::ordered_json event_json(const MeterEvent& e, double sample_rate, bool true_peak_measured);
// The same as a clips.jsonl record, without its time and channel name. Any thread.
EventLine event_record(const MeterEvent& e, double sample_rate, bool true_peak_measured);
// dB value or null for silence, rounded to 2 decimals as printed. Any thread.
nlohmann::ordered_json db_or_null(double linear);
// dB already computed (may be -inf/NaN: null), rounded to 2 decimals. Any thread.
nlohmann::ordered_json round_db_or_null(double db);

} // namespace headroom
