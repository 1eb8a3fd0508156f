#include "engine/session/session_summary.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "engine/base/decibels.hpp"

namespace headroom {
namespace {

double round_to(double v, double scale) { return std::round(v * scale) / scale; }

// The linear level of the -60 dBFS gate: a 400 ms value must be strictly above it.
const double kGateLinear = db_to_amplitude(kGainGateDbfs);

// A dB value rounded to 2 decimals as printed; nothing for -inf/NaN; never -0.0.
std::optional<double> rounded(double db) {
    if (!std::isfinite(db)) return std::nullopt;
    const double r = round_to(db, 100.0);
    return r == 0.0 ? 0.0 : r;
}
std::optional<double> rounded_db(double linear) { return rounded(amplitude_to_db(linear)); }

std::size_t min_active_values() {
    return static_cast<std::size_t>(std::llround(kGainMinActiveS * 10.0));  // 100 ms per value
}

} // namespace

SessionSummary::SessionSummary(double sample_rate, std::vector<Preset> presets,
                               std::vector<std::string> names, bool true_peak_measured)
    : rate_(sample_rate), true_peak_measured_(true_peak_measured) {
    ch_.resize(presets.size());
    gain_.resize(presets.size());
    for (std::size_t c = 0; c < presets.size(); ++c) {
        ch_[c].preset = std::move(presets[c]);
        ch_[c].name = c < names.size() && !names[c].empty() ? std::move(names[c])
                                                            : "In " + std::to_string(c + 1);
    }
}

void SessionSummary::add(const MeterEvent& e) {
    if (e.channel >= ch_.size() || e.provisional) return;  // an open event is counted when it closes
    ChannelSummary& s = ch_[e.channel];
    switch (e.type) {
    case EventType::Envelope: {
        s.sample_peak = std::max(s.sample_peak, e.sample_peak);
        s.true_peak = std::max(s.true_peak, e.true_peak);
        s.rms_window_max = std::max(s.rms_window_max, e.rms_window_max);
        s.sum_squares += e.sum_squares;
        s.frames += e.count;
        s.end_sample = std::max(s.end_sample, e.end_sample + 1);

        GainState& g = gain_[e.channel];
        float v = e.sample_peak;
        for (float p : g.last) v = std::max(v, p);
        constexpr int kPrev = kGainTicksPerValue - 1;
        for (int i = 0; i + 1 < kPrev; ++i) g.last[i] = g.last[i + 1];
        g.last[kPrev - 1] = e.sample_peak;
        ++g.ticks;
        if (g.ticks >= static_cast<std::uint64_t>(kGainTicksPerValue) && v > kGateLinear)
            g.active.push_back(v);
        break;
    }
    case EventType::Clip:
        ++s.clip_events;
        s.clipped_samples += e.count;
        s.sample_peak = std::max(s.sample_peak, e.sample_peak);
        s.true_peak = std::max(s.true_peak, e.true_peak);
        clips_.push_back(e);
        break;
    case EventType::Hot:
        ++s.hot_events;
        hot_.push_back(e);
        break;
    case EventType::NonFinite:
        s.nonfinite_samples += e.count;
        break;
    }
}

int SessionSummary::channels() const { return static_cast<int>(ch_.size()); }
double SessionSummary::sample_rate() const { return rate_; }

std::uint64_t SessionSummary::frames() const {
    std::uint64_t f = 0;
    for (const auto& s : ch_) f = std::max(f, s.end_sample);
    return f;
}

const ChannelSummary& SessionSummary::channel(int c) const { return ch_.at(static_cast<std::size_t>(c)); }
const std::vector<MeterEvent>& SessionSummary::clips() const { return clips_; }
const std::vector<MeterEvent>& SessionSummary::hot() const { return hot_; }

double SessionSummary::active_seconds(int c) const {
    return 0.1 * static_cast<double>(gain_.at(static_cast<std::size_t>(c)).active.size());
}

std::optional<double> SessionSummary::gain_advice_db(int c) const {
    const std::optional<double> advice = loud_peak_advice_db(c);
    const ChannelSummary& s = ch_.at(static_cast<std::size_t>(c));
    if (s.clip_events == 0) return advice;
    const float loudest = true_peak_measured_ ? std::max(s.sample_peak, s.true_peak) : s.sample_peak;
    const double to_centre = s.preset.centre() - amplitude_to_db(loudest);
    return advice ? std::min(*advice, to_centre) : to_centre;
}

std::optional<double> SessionSummary::loud_peak_advice_db(int c) const {
    const GainState& g = gain_.at(static_cast<std::size_t>(c));
    const std::size_t n = g.active.size();
    if (n < min_active_values()) return std::nullopt;
    // Nearest rank: the value at 1-based rank ceil(0.95 n) (nth_element on a copy).
    const auto rank = static_cast<std::size_t>(std::ceil(kGainPercentile * static_cast<double>(n) - 1e-9));
    std::vector<float> v = g.active;
    const auto k = static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(v.begin(), v.begin() + k, v.end());
    const double loud_db = amplitude_to_db(v[static_cast<std::size_t>(k)]);
    return ch_[static_cast<std::size_t>(c)].preset.centre() - loud_db;
}

std::vector<ChannelSummaryRecord> SessionSummary::channel_records(bool rms_aes17) const {
    std::vector<ChannelSummaryRecord> out;
    for (std::size_t c = 0; c < ch_.size(); ++c) {
        const ChannelSummary& s = ch_[c];
        const double rms = s.frames > 0 ? std::sqrt(s.sum_squares / static_cast<double>(s.frames)) : 0.0;
        const auto advice = gain_advice_db(static_cast<int>(c));
        ChannelSummaryRecord r;
        r.channel = static_cast<int>(c + 1);
        r.preset = s.preset.id;
        r.sample_peak_dbfs = rounded_db(s.sample_peak);
        if (true_peak_measured_) r.true_peak_dbtp = rounded_db(s.true_peak);
        r.rms_dbfs = rounded(rms_to_db(rms, rms_aes17));
        r.rms_max_dbfs = rounded(rms_to_db(s.rms_window_max, rms_aes17));
        r.clip_events = s.clip_events;
        r.clipped_samples = s.clipped_samples;
        r.nonfinite_samples = s.nonfinite_samples;
        if (advice) r.gain_advice_db = round_to(*advice, 100.0);
        out.push_back(std::move(r));
    }
    return out;
}

nlohmann::ordered_json SessionSummary::channels_json(bool rms_aes17) const {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& r : channel_records(rms_aes17)) out.push_back(to_json(r));
    return out;
}

nlohmann::ordered_json SessionSummary::clips_json() const {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& e : clips_) out.push_back(event_json(e, rate_, true_peak_measured_));
    return out;
}

nlohmann::ordered_json SessionSummary::hot_json() const {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& e : hot_) out.push_back(event_json(e, rate_, true_peak_measured_));
    return out;
}

EventLine event_record(const MeterEvent& e, double sample_rate, bool true_peak_measured) {
    EventLine l;
    l.type = e.type == EventType::Clip ? line_type::clip
             : e.type == EventType::Hot ? line_type::hot
                                        : line_type::nonfinite;
    l.channel = e.channel + 1;
    l.start_sample = e.start_sample;
    l.start_s = round_to(static_cast<double>(e.start_sample) / sample_rate, 1e6);
    l.end_s = round_to(static_cast<double>(e.end_sample + 1) / sample_rate, 1e6);
    l.runs = e.runs;
    l.samples = e.count;
    l.provisional = e.provisional;
    l.id = event_id(l.type, l.channel, l.start_sample);
    l.sample_peak_dbfs = rounded_db(e.sample_peak);
    if (true_peak_measured) l.true_peak_dbtp = rounded_db(e.true_peak);
    if (e.type == EventType::Clip || e.type == EventType::Hot) {
        l.peak_sample = e.peak_sample;
        l.peak_s = round_to(static_cast<double>(e.peak_sample) / sample_rate, 1e6);
    }
    return l;
}

nlohmann::ordered_json event_json(const MeterEvent& e, double sample_rate, bool true_peak_measured) {
    return event_object(event_record(e, sample_rate, true_peak_measured));
}

nlohmann::ordered_json round_db_or_null(double db) {
    const auto r = rounded(db);
    return r ? nlohmann::ordered_json(*r) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json db_or_null(double linear) { return round_db_or_null(amplitude_to_db(linear)); }

} // namespace headroom
