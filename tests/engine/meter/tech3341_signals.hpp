#pragma once
// Test signals of EBU Tech 3341's true-peak cases 15-23, synthesised, and an oracle for a
// signal's continuous (band-limited) peak. Shared by true_peak_test.cpp and the MeterBank
// tests (header-only, test code).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "engine/meter/true_peak.hpp"

namespace headroom::test {

constexpr double kPi = std::numbers::pi;

inline double db(double v) { return 20.0 * std::log10(v); }

inline double sinc(double x) { return std::fabs(x) < 1e-12 ? 1.0 : std::sin(kPi * x) / (kPi * x); }

inline double kaiser(double u, double beta) {  // u in [-1, 1]
    if (std::fabs(u) > 1.0) return 0.0;
    auto i0 = [](double x) {
        double s = 1.0, t = 1.0;
        for (int k = 1; k < 60; ++k) {
            t *= (x / 2.0) / k;
            s += t * t;
        }
        return s;
    };
    return i0(beta * std::sqrt(1.0 - u * u)) / i0(beta);
}

// amp * sin(2 pi n / div + phase), raised-cosine fades of 10 ms at both ends so that the
// onset adds no overshoot: the continuous peak is `amp`.
inline std::vector<float> tone(double rate, double div, double amp, double phase_deg, double seconds) {
    const auto n = static_cast<std::size_t>(rate * seconds);
    const double fade = rate * 0.01;
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double di = static_cast<double>(i);
        const double edge = std::min(di, static_cast<double>(n - 1 - i));
        const double g = edge < fade ? 0.5 - 0.5 * std::cos(kPi * edge / fade) : 1.0;
        x[i] = static_cast<float>(g * amp * std::sin(2.0 * kPi * di / div + phase_deg * kPi / 180.0));
    }
    return x;
}

// Tech 3341 cases 20-23: a sine at fs/6, 0.50 FS, containing one period of fs/4 at 1.00 FS
// (inserted at a rising zero crossing, so both joins are phase-continuous), generated at
// 4 fs, low-pass filtered (Kaiser-windowed sinc, cutoff 0.46 fs, stop band from ~0.485 fs)
// and decimated to fs starting at `offset` (0..3) samples of the 4 fs signal.
inline std::vector<float> burst(int offset) {
    constexpr int up = 4, per6 = 6 * up, per4 = 4 * up, periods = 200, fade_periods = 20;
    std::vector<double> hi;
    for (int p = 0; p < periods; ++p)
        for (int i = 0; i < per6; ++i)
            hi.push_back(0.5 * std::min(1.0, double(p) / fade_periods) * std::sin(2.0 * kPi * i / per6));
    for (int i = 0; i < per4; ++i) hi.push_back(std::sin(2.0 * kPi * i / per4));
    for (int p = periods - 1; p >= 0; --p)
        for (int i = 0; i < per6; ++i)
            hi.push_back(0.5 * std::min(1.0, double(p) / fade_periods) * std::sin(2.0 * kPi * i / per6));
    constexpr int half = 256;
    const double fc = 0.46 / up;  // cycles per 4 fs sample
    std::vector<double> h(2 * half + 1);
    for (int k = -half; k <= half; ++k)
        h[static_cast<std::size_t>(k + half)] = 2.0 * fc * sinc(2.0 * fc * k) * kaiser(double(k) / half, 10.0);
    std::vector<float> x;
    const auto len = static_cast<long>(hi.size());
    for (long n = offset; n < len; n += up) {
        double y = 0.0;
        for (long k = -half; k <= half; ++k)
            if (n - k >= 0 && n - k < len)
                y += h[static_cast<std::size_t>(k + half)] * hi[static_cast<std::size_t>(n - k)];
        x.push_back(static_cast<float>(y));
    }
    return x;
}

// Continuous peak by x64 reconstruction (Kaiser-windowed sinc, 512 taps, flat to ~0.49 fs),
// evaluated wherever the samples come within 3 dB of their peak (the crest of these
// signals lies there).
inline double continuous_peak(const std::vector<float>& x) {
    constexpr int half = 256, over = 64;
    static const std::vector<double> kernel = [] {  // kernel[u * 2 half + j]: weight of x[n + j - half + 1]
        std::vector<double> k(std::size_t(over) * 2 * half);
        for (int u = 0; u < over; ++u)
            for (int j = 0; j < 2 * half; ++j) {
                const double d = double(u) / over - double(j - half + 1);
                k[std::size_t(u * 2 * half + j)] = sinc(d) * kaiser(d / half, 10.0);
            }
        return k;
    }();
    float smax = 0.0f;
    for (float v : x) smax = std::max(smax, std::fabs(v));
    const auto len = static_cast<long>(x.size());
    double peak = 0.0;
    for (long n = 0; n + 1 < len; ++n) {
        if (std::fabs(x[std::size_t(n)]) < 0.7f * smax && std::fabs(x[std::size_t(n + 1)]) < 0.7f * smax)
            continue;
        for (int u = 0; u < over; ++u) {
            double y = 0.0;
            for (int j = 0; j < 2 * half; ++j) {
                const long k = n + j - half + 1;
                if (k >= 0 && k < len) y += x[std::size_t(k)] * kernel[std::size_t(u * 2 * half + j)];
            }
            peak = std::max(peak, std::fabs(y));
        }
    }
    return peak;
}

// The scalar reference interpolator over a whole signal, with its flushed tail.
inline double headroom_true_peak(const std::vector<float>& x, double rate) {
    TruePeakScalar tp(design_true_peak_interpolator(rate));
    float peak = 0.0f;
    for (float v : x) peak = std::max(peak, tp.process(v));
    return std::max(peak, tp.flush());
}

struct Case {
    int number;              // Tech 3341 case number
    std::string what;
    std::vector<float> x;
    double expected_dbtp;    // Tech 3341's value
    double continuous;       // linear
};

// The Tech 3341 true-peak cases at `rate` (frequencies relative to the rate); the bursts
// (cases 20-23) at the given offsets.
// with_continuous = false skips the (slow) continuous-peak oracle of the bursts (0 there).
inline std::vector<Case> tech3341_cases(double rate, const std::vector<int>& burst_offsets,
                                        bool with_continuous = true) {
    std::vector<Case> cs;
    cs.push_back({15, "fs/4 0.50 FS 0 deg", tone(rate, 4, 0.5, 0.0, 0.1), -6.0, 0.5});
    cs.push_back({16, "fs/4 0.50 FS 45 deg", tone(rate, 4, 0.5, 45.0, 0.1), -6.0, 0.5});
    cs.push_back({17, "fs/6 0.50 FS 60 deg", tone(rate, 6, 0.5, 60.0, 0.1), -6.0, 0.5});
    cs.push_back({18, "fs/8 0.50 FS 67.5 deg", tone(rate, 8, 0.5, 67.5, 0.1), -6.0, 0.5});
    cs.push_back({19, "fs/4 1.41 FS 45 deg", tone(rate, 4, 1.41, 45.0, 0.1), 3.0, 1.41});
    for (int off : burst_offsets) {
        auto x = burst(off);
        const double c = with_continuous ? continuous_peak(x) : 0.0;
        cs.push_back({20 + off, "fs/6 + fs/4 burst, offset " + std::to_string(off), std::move(x), 0.0, c});
    }
    return cs;
}

} // namespace headroom::test
