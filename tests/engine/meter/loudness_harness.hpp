#pragma once
// Test harness of the loudness tests: run a stream through a LoudnessMeter in blocks, fold the
// per-call readings, collect the ticks; synthesise EBU-style tone sequences. Header-only test code.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

#include "engine/meter/loudness.hpp"

namespace headroom::test {

struct LoudnessRun {
    std::vector<BusReading> folded;   // every call's readings merged, per bus
    std::vector<LoudnessTick> ticks;  // every call's ticks, in order
    std::string kernel;
};

inline LoudnessRun run_loudness(double rate, int channels, const std::vector<BusSpec>& buses,
                                const std::vector<float>& x, std::size_t block, bool scalar = false) {
    const auto nc = static_cast<std::size_t>(channels);
    const std::size_t frames = x.size() / nc;
    LoudnessMeter m(rate, channels, buses, block, scalar);
    LoudnessRun r;
    r.kernel = m.kernel_name();
    r.folded.assign(buses.size(), BusReading{});
    auto collect = [&] {
        for (std::size_t b = 0; b < buses.size(); ++b) r.folded[b].merge(m.readings()[b]);
        r.ticks.insert(r.ticks.end(), m.ticks(), m.ticks() + m.tick_count());
    };
    for (std::size_t f = 0; f < frames; f += block) {
        m.process(x.data() + f * nc, std::min(block, frames - f));
        collect();
    }
    m.finish();
    collect();
    return r;
}

inline double lufs(double ms) { return ms > 0.0 ? -0.691 + 10.0 * std::log10(ms) : -HUGE_VAL; }

inline BusSpec bus_of(int first, int count, std::string name = "programme") {
    BusSpec b;
    b.name = std::move(name);
    for (int c = 0; c < count; ++c) b.channels.push_back(first + c);
    return b;
}

// A 1 kHz sine in segments of (seconds, dBFS peak per channel), phase-continuous, interleaved.
struct Segment {
    double seconds;
    std::vector<double> dbfs;  // per channel; <= -200: silent
};
inline std::vector<float> tone_segments(double rate, const std::vector<Segment>& segs, double hz = 1000.0) {
    const std::size_t nc = segs.front().dbfs.size();
    std::vector<float> x;
    std::uint64_t n = 0;
    for (const Segment& s : segs) {
        const auto len = static_cast<std::uint64_t>(std::llround(s.seconds * rate));
        for (std::uint64_t i = 0; i < len; ++i, ++n) {
            const double v = std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(n) / rate);
            for (std::size_t c = 0; c < nc; ++c)
                x.push_back(s.dbfs[c] <= -200.0 ? 0.0f : static_cast<float>(std::pow(10.0, s.dbfs[c] / 20.0) * v));
        }
    }
    return x;
}

inline bool same_bits(const void* a, const void* b, std::size_t n) { return std::memcmp(a, b, n) == 0; }

} // namespace headroom::test
