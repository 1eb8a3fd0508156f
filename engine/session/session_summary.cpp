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

double band_rms_of(double sum_squares, std::uint64_t frames) {
    return frames > 0 ? std::sqrt(sum_squares / static_cast<double>(frames)) : 0.0;
}

// DESIGN.md §6 low_share_db: low-band RMS - full-band RMS over the whole stream (a ratio of mean
// squares, so the RMS convention cancels); nothing for silence. Unrounded.
std::optional<double> low_share(double low_sum, std::uint64_t low_frames, double full_sum, std::uint64_t full_frames) {
    if (low_frames == 0 || full_frames == 0 || !(low_sum > 0.0) || !(full_sum > 0.0)) return std::nullopt;
    return 10.0 * std::log10((low_sum / static_cast<double>(low_frames)) / (full_sum / static_cast<double>(full_frames)));
}

std::optional<double> rounded_opt(const std::optional<double>& v) { return v ? rounded(*v) : std::nullopt; }

std::optional<double> rounded_lufs(double ms) {
    if (!(ms > 0.0)) return std::nullopt;
    return rounded(lufs_from_mean_square(ms));
}

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

void SessionSummary::set_programme(const std::vector<BusSpec>& buses, std::vector<Preset> bus_presets, bool bands) {
    bands_ = bands;
    buses_.clear();
    buses_.reserve(buses.size());
    for (std::size_t i = 0; i < buses.size(); ++i) {
        BusSummary b;
        b.spec = buses[i];
        if (i < bus_presets.size()) b.preset = std::move(bus_presets[i]);
        buses_.push_back(std::move(b));
    }
}

void SessionSummary::add(const MeterEvent& e) {
    if (e.type == EventType::Loudness) {
        if (e.channel >= buses_.size()) return;
        BusSummary& b = buses_[e.channel];
        if (e.block_ms >= 0.0) b.gate.add_block(e.block_ms);
        if (e.short_term_ms >= 0.0) b.gate.add_short_term(e.short_term_ms);
        b.momentary_max_ms = std::max(b.momentary_max_ms, e.momentary_max_ms);
        b.short_term_max_ms = std::max(b.short_term_max_ms, e.short_term_max_ms);
        return;
    }
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
    case EventType::Bands:
        for (int b = 0; b < kBandCount; ++b) {
            s.bands[b].peak = std::max(s.bands[b].peak, e.band_peak[b]);
            s.bands[b].sum_squares += e.band_sum_squares[b];
            s.bands[b].rms_window_max = std::max(s.bands[b].rms_window_max, e.band_rms_window_max[b]);
        }
        s.band_frames += e.count;
        break;
    case EventType::Loudness:
        break;  // above
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
        if (bands_) {
            BandsRecord bands;
            for (int b = 0; b < kBandCount; ++b) {
                const double band_rms = band_rms_of(s.bands[b].sum_squares, s.band_frames);
                bands[b].peak_dbfs = rounded_db(s.bands[b].peak);
                bands[b].rms_dbfs = rounded(rms_to_db(band_rms, rms_aes17));
            }
            r.bands = bands;
            r.low_share_db = rounded_opt(low_share_db(static_cast<int>(c)));
        }
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

std::vector<BusSummaryRecord> SessionSummary::bus_records(bool rms_aes17) const {
    std::vector<BusSummaryRecord> out;
    for (std::size_t i = 0; i < buses_.size(); ++i) {
        const BusSummary& b = buses_[i];
        BusSummaryRecord r;
        r.name = b.spec.name;
        for (int c : b.spec.channels) r.channels.push_back(c + 1);
        r.preset = b.preset.id;
        // Peaks, headroom and bands: the maxima (and pooled sums) over the bus's channels.
        float sample_peak = 0.0f, true_peak = 0.0f;
        std::array<ChannelSummary::Band, kBandCount> bands{};
        std::uint64_t band_frames = 0;
        for (int c : b.spec.channels) {
            if (c < 0 || static_cast<std::size_t>(c) >= ch_.size()) continue;
            const ChannelSummary& s = ch_[static_cast<std::size_t>(c)];
            sample_peak = std::max(sample_peak, s.sample_peak);
            true_peak = std::max(true_peak, s.true_peak);
            band_frames += s.band_frames;
            for (int k = 0; k < kBandCount; ++k) {
                bands[k].peak = std::max(bands[k].peak, s.bands[k].peak);
                bands[k].sum_squares += s.bands[k].sum_squares;
            }
        }
        r.sample_peak_dbfs = rounded_db(sample_peak);
        if (true_peak_measured_) r.true_peak_dbtp = rounded_db(true_peak);
        if (sample_peak > 0.0f)
            r.headroom_db = rounded(headroom_db(amplitude_to_db(sample_peak),
                                                true_peak_measured_ ? amplitude_to_db(true_peak) : amplitude_to_db(sample_peak)));
        const double integrated = b.gate.integrated_ms();
        r.integrated_lufs = rounded_lufs(integrated);
        r.momentary_max_lufs = rounded_lufs(b.momentary_max_ms);
        r.short_term_max_lufs = rounded_lufs(b.short_term_max_ms);
        if (const double lra = b.gate.loudness_range_lu(); lra >= 0.0) r.loudness_range_lu = rounded(lra);
        if (true_peak_measured_ && integrated > 0.0 && true_peak > 0.0f)
            r.plr_lu = rounded(amplitude_to_db(true_peak) - lufs_from_mean_square(integrated));
        if (bands_) {
            BandsRecord rec;
            for (int k = 0; k < kBandCount; ++k) {
                rec[k].peak_dbfs = rounded_db(bands[k].peak);
                rec[k].rms_dbfs = rounded(rms_to_db(band_rms_of(bands[k].sum_squares, band_frames), rms_aes17));
            }
            r.bands = rec;
            r.low_share_db = rounded_opt(bus_low_share_db(static_cast<int>(i)));
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<double> SessionSummary::low_share_db(int c) const {
    const ChannelSummary& s = ch_.at(static_cast<std::size_t>(c));
    if (!bands_) return std::nullopt;
    return low_share(s.bands[0].sum_squares, s.band_frames, s.sum_squares, s.frames);
}

std::optional<double> SessionSummary::bus_low_share_db(int b) const {
    if (!bands_) return std::nullopt;
    double low = 0.0, full = 0.0;
    std::uint64_t low_frames = 0, full_frames = 0;
    for (int c : buses_.at(static_cast<std::size_t>(b)).spec.channels) {
        if (c < 0 || static_cast<std::size_t>(c) >= ch_.size()) continue;
        const ChannelSummary& s = ch_[static_cast<std::size_t>(c)];
        low += s.bands[0].sum_squares;
        low_frames += s.band_frames;
        full += s.sum_squares;
        full_frames += s.frames;
    }
    return low_share(low, low_frames, full, full_frames);
}

nlohmann::ordered_json SessionSummary::buses_json(bool rms_aes17) const {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& r : bus_records(rms_aes17)) out.push_back(to_json(r));
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
