#include "engine/base/decibels.hpp"

#include <cmath>
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

} // namespace headroom
