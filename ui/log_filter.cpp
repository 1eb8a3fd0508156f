#include "ui/log_filter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/base/decibels.hpp"

namespace headroom::ui {
namespace {

bool is_channel_event(const std::string& t) { return t == line_type::clip || t == line_type::hot || t == line_type::nonfinite; }

bool keeps(const LogFilter& f, const SessionEntry& e) {
    if (f.channel != 0 && e.channel != f.channel) return false;
    if (e.type == line_type::clip) return f.clip;
    if (e.type == line_type::hot) return f.hot;
    if (e.type == line_type::nonfinite) return f.nonfinite;
    return f.other && f.channel == 0;
}

// -inf for a missing value, so that it sorts first ascending.
double or_lowest(const std::optional<double>& v) { return v ? *v : -INFINITY; }

} // namespace

std::vector<int> filter_entries(const SessionLog& log, const LogFilter& f) {
    std::vector<int> rows;
    for (std::size_t i = 0; i < log.entries.size(); ++i)
        if (keeps(f, log.entries[i])) rows.push_back(static_cast<int>(i));
    return rows;
}

void sort_entries(std::vector<int>& rows, const SessionLog& log, LogColumn column, bool ascending) {
    auto key_less = [&](int a, int b) -> bool {
        const SessionEntry& x = log.entries[a];
        const SessionEntry& y = log.entries[b];
        switch (column) {
            case LogColumn::Time: return x.time < y.time;
            case LogColumn::Timecode: return x.start_s < y.start_s;
            case LogColumn::Channel: return x.channel < y.channel;
            case LogColumn::Preset: return channel_preset(log, x.channel) < channel_preset(log, y.channel);
            case LogColumn::Type: return x.type < y.type;
            case LogColumn::SamplePeak: return or_lowest(x.sample_peak_dbfs) < or_lowest(y.sample_peak_dbfs);
            case LogColumn::TruePeak: return or_lowest(x.true_peak_dbtp) < or_lowest(y.true_peak_dbtp);
            case LogColumn::Duration: return duration_ms(x) < duration_ms(y);
            case LogColumn::Runs: return x.runs < y.runs;
        }
        return false;
    };
    std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) {
        return ascending ? key_less(a, b) : key_less(b, a);
    });
}

std::string channel_name(const SessionLog& log, int channel) {
    if (channel <= 0) return {};
    if (channel <= static_cast<int>(log.channel_names.size()) && !log.channel_names[channel - 1].empty())
        return log.channel_names[channel - 1];
    return "In " + std::to_string(channel);
}

std::string channel_preset(const SessionLog& log, int channel) {
    if (channel <= 0 || channel > static_cast<int>(log.presets.size())) return {};
    return log.presets[channel - 1];
}

double duration_ms(const SessionEntry& e) { return std::max(0.0, (e.end_s - e.start_s) * 1000.0); }

std::string loudest_moment_text(const SessionEntry& e) {
    if (!e.peak_s || !e.peak_sample) return {};
    return "loudest at " + session_timecode(*e.peak_s) + " (sample " + std::to_string(*e.peak_sample) + ")";
}

std::optional<double> gain_advice_from_envelope(const std::vector<float>& peaks, double lo, double hi) {
    // 400 ms peaks: the max of 4 consecutive 100 ms ticks, hopping by 4.
    std::vector<double> loud;
    const double floor_lin = db_to_amplitude(-60.0);
    std::size_t active_ticks = 0;
    for (std::size_t i = 0; i + 4 <= peaks.size(); i += 4) {
        float m = 0.0f;
        for (std::size_t k = i; k < i + 4; ++k) m = std::max(m, peaks[k]);
        if (m > floor_lin) {
            loud.push_back(amplitude_to_db(static_cast<double>(m)));
            active_ticks += 4;
        }
    }
    if (active_ticks < 100 || loud.empty()) return std::nullopt;  // < 10 s active
    std::sort(loud.begin(), loud.end());
    const std::size_t idx = std::min(loud.size() - 1, static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(loud.size()))) - 1);
    return 0.5 * (lo + hi) - loud[idx];
}

std::vector<ChannelLogSummary> summarize(const SessionLog& log,
                                         const std::vector<std::pair<double, double>>& windows,
                                         const std::vector<ChannelSummaryRecord>* live) {
    std::vector<ChannelLogSummary> out(static_cast<std::size_t>(std::max(0, log.channels)));
    auto raise = [](std::optional<double>& to, const std::optional<double>& v) {
        if (v && (!to || *v > *to)) to = v;
    };
    for (const auto& e : log.entries) {
        if (!is_channel_event(e.type) || e.channel < 1 || e.channel > log.channels) continue;
        auto& s = out[e.channel - 1];
        if (e.type == line_type::clip) ++s.clip_events;
        if (e.type == line_type::hot) ++s.hot_events;
        raise(s.max_sample_peak_dbfs, e.sample_peak_dbfs);
        raise(s.max_true_peak_dbtp, e.true_peak_dbtp);
    }
    const std::vector<ChannelSummaryRecord>* recorded =
        live ? live : (log.session.channel_summary ? &*log.session.channel_summary : nullptr);
    if (recorded) {
        for (const auto& r : *recorded) {
            if (r.channel < 1 || r.channel > log.channels) continue;
            auto& s = out[r.channel - 1];
            s.clip_events = std::max(s.clip_events, static_cast<int>(r.clip_events));
            raise(s.max_sample_peak_dbfs, r.sample_peak_dbfs);
            raise(s.max_true_peak_dbtp, r.true_peak_dbtp);
            s.gain_advice_db = r.gain_advice_db;
        }
        return out;
    }
    // No recorder figures (a session that did not end cleanly): the envelope knows the
    // loudest peak even where no event was logged, and gives an estimate of the advice.
    for (std::size_t c = 0; c < out.size(); ++c) {
        out[c].estimated = true;
        if (c >= log.env_peak.size()) continue;
        float m = 0.0f;
        for (float v : log.env_peak[c]) m = std::max(m, v);
        if (m > 0.0f) raise(out[c].max_sample_peak_dbfs, amplitude_to_db(static_cast<double>(m)));
        if (c < windows.size())
            out[c].gain_advice_db = gain_advice_from_envelope(log.env_peak[c], windows[c].first, windows[c].second);
    }
    return out;
}

bool LiveReload::due(double now, std::uintmax_t clips_bytes) {
    if (now < not_before) return false;
    if (now >= next_full) return true;
    if (now < next_check) return false;
    next_check = now + check_period;
    return clips_bytes != seen_bytes;
}

void LiveReload::read_done(double now, double seconds, std::uintmax_t clips_bytes) {
    seen_bytes = clips_bytes;
    not_before = now + 10.0 * std::max(0.0, seconds);
    next_check = std::max(now + check_period, not_before);
    next_full = std::max(now + full_period, not_before);
}

} // namespace headroom::ui
