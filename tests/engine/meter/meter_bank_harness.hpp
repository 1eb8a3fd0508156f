#pragma once
// Test harness of the MeterBank tests: run a stream through a bank in blocks, collect the
// per-call readings and the events, and compare two runs (exactly or within a tolerance).
// Header-only test code, shared by meter_bank_test.cpp and meter_bank_events_test.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "engine/meter/meter_bank.hpp"

namespace headroom::test {

struct BankRun {
    std::vector<std::vector<ChannelReading>> calls;  // readings of each process() call, then finish()
    std::vector<ChannelReading> folded;              // every call's readings merged, per channel
    std::vector<MeterEvent> events;                  // in the order they left the queue
    std::string kernel;
};

// Runs `x` (interleaved, o.channels wide) through a fresh bank in blocks of `block` frames,
// then finish(). The queue is drained after every call and must never drop.
inline BankRun run_bank(const MeterOptions& o, const std::vector<float>& x, std::size_t block) {
    const auto nc = static_cast<std::size_t>(o.channels);
    const std::size_t frames = x.size() / nc;
    EventQueue q(1u << 16);
    MeterBank bank(o, &q);
    BankRun r;
    r.kernel = bank.kernel_name();
    r.folded.assign(nc, ChannelReading{});
    auto collect = [&] {
        const ChannelReading* rd = bank.block_readings();
        r.calls.emplace_back(rd, rd + nc);
        for (std::size_t c = 0; c < nc; ++c) r.folded[c].merge(rd[c]);
        MeterEvent e;
        while (q.try_pop(e)) r.events.push_back(e);
    };
    for (std::size_t f = 0; f < frames; f += block) {
        bank.process(x.data() + f * nc, std::min(block, frames - f));
        collect();
    }
    bank.finish();
    collect();
    REQUIRE(q.dropped() == 0);
    return r;
}

// Events of one type (and channel, when >= 0), sorted by channel then start.
inline std::vector<MeterEvent> events_of(const BankRun& r, EventType t, int channel = -1) {
    std::vector<MeterEvent> out;
    for (const auto& e : r.events)
        if (e.type == t && (channel < 0 || e.channel == channel)) out.push_back(e);
    std::stable_sort(out.begin(), out.end(), [](const MeterEvent& a, const MeterEvent& b) {
        return std::tie(a.channel, a.start_sample) < std::tie(b.channel, b.start_sample);
    });
    return out;
}

// All events in a canonical order: type, channel, start.
inline std::vector<MeterEvent> sorted_events(const BankRun& r) {
    std::vector<MeterEvent> out = r.events;
    std::stable_sort(out.begin(), out.end(), [](const MeterEvent& a, const MeterEvent& b) {
        return std::tie(a.type, a.channel, a.start_sample) < std::tie(b.type, b.channel, b.start_sample);
    });
    return out;
}

inline bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }
inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// |a - b| <= rel * max(|a|, |b|) (equal values, including both 0, always pass).
inline bool rel_close(double a, double b, double rel) {
    return a == b || std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

// rel == 0: every field bit-identical. Otherwise positions, counts and runs exact, sample
// peaks bit-identical, true peak, RMS and sums within `rel`.
inline bool same_event(const MeterEvent& a, const MeterEvent& b, double rel) {
    if (a.type != b.type || a.channel != b.channel || a.runs != b.runs || a.start_sample != b.start_sample ||
        a.end_sample != b.end_sample || a.peak_sample != b.peak_sample || a.count != b.count ||
        !same_bits(a.sample_peak, b.sample_peak))
        return false;
    if (rel == 0.0)
        return same_bits(a.true_peak, b.true_peak) && same_bits(a.rms_window_max, b.rms_window_max) &&
               same_bits(a.sum_squares, b.sum_squares);
    return rel_close(a.true_peak, b.true_peak, rel) && rel_close(a.rms_window_max, b.rms_window_max, rel) &&
           rel_close(a.sum_squares, b.sum_squares, rel);
}

// Same contract as same_event for readings (rms < 0 means "no value" and must match).
inline bool same_reading(const ChannelReading& a, const ChannelReading& b, double rel) {
    if (!same_bits(a.sample_peak, b.sample_peak) || a.clip_events != b.clip_events || a.clip_runs != b.clip_runs ||
        a.clipped_samples != b.clipped_samples || a.nonfinite != b.nonfinite || a.hot_samples != b.hot_samples ||
        (a.rms < 0.0f) != (b.rms < 0.0f))
        return false;
    if (rel == 0.0)
        return same_bits(a.true_peak, b.true_peak) && same_bits(a.rms, b.rms) && same_bits(a.rms_max, b.rms_max);
    return rel_close(a.true_peak, b.true_peak, rel) && rel_close(a.rms, b.rms, rel) &&
           rel_close(a.rms_max, b.rms_max, rel);
}

inline std::string describe(const MeterEvent& e) {
    return "type " + std::to_string(int(e.type)) + " ch " + std::to_string(e.channel) + " [" +
           std::to_string(e.start_sample) + ", " + std::to_string(e.end_sample) + "] peak at " + std::to_string(e.peak_sample) + " runs " +
           std::to_string(e.runs) + " count " + std::to_string(e.count) + " sp " + std::to_string(e.sample_peak) +
           " tp " + std::to_string(e.true_peak) + " sq " + std::to_string(e.sum_squares);
}

// Every event of `a` matches the one of `b` at the same place in the canonical order.
inline void check_same_events(const BankRun& a, const BankRun& b, double rel) {
    const auto ea = sorted_events(a), eb = sorted_events(b);
    REQUIRE(ea.size() == eb.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < ea.size(); ++i) {
        if (same_event(ea[i], eb[i], rel)) continue;
        if (++bad <= 5) FAIL_CHECK("event differs: " << describe(ea[i]) << " vs " << describe(eb[i]));
    }
    CHECK(bad == 0);
}

} // namespace headroom::test
