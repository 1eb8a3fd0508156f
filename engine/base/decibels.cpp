#include "engine/base/decibels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace headroom {

double amplitude_to_db(double linear) noexcept {
    if (!(linear > 0.0)) return -std::numeric_limits<double>::infinity();
    return 20.0 * std::log10(linear);
}

double rms_to_db(double linear_rms, bool aes17) noexcept {
    const double db = amplitude_to_db(linear_rms);
    return aes17 ? db + 20.0 * std::log10(std::sqrt(2.0)) : db;
}

double db_to_amplitude(double db) noexcept { return std::pow(10.0, db / 20.0); }

float db_to_amplitude(float db) noexcept { return std::pow(10.0f, db / 20.0f); }

double headroom_db(double sample_peak_db, double true_peak_db) noexcept {
    double loudest = -std::numeric_limits<double>::infinity();
    if (!std::isnan(sample_peak_db)) loudest = std::max(loudest, sample_peak_db);
    if (!std::isnan(true_peak_db)) loudest = std::max(loudest, true_peak_db);
    if (loudest == -std::numeric_limits<double>::infinity()) return std::numeric_limits<double>::infinity();
    return loudest == 0.0 ? 0.0 : -loudest;  // never -0.0
}

double loudness_rounded(double lu) noexcept {
    if (!std::isfinite(lu)) return lu;
    const double r = std::round(lu * 10.0) / 10.0;  // std::round: half away from zero
    return r == 0.0 ? 0.0 : r;                      // never -0.0
}

const char* format_loudness(double lu, char* out, std::size_t size) noexcept {
    if (!std::isfinite(lu)) std::snprintf(out, size, "--");
    else std::snprintf(out, size, "%.1f", loudness_rounded(lu));
    return out;
}

} // namespace headroom
