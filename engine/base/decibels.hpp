#pragma once
// Levels between linear amplitude (1.0 = full scale = 0 dBFS) and decibels: the one
// definition every stage uses (the meter's thresholds, the session summary, the command
// line's tables, the window's bars and log).
//
// Threads: any thread; pure functions, no allocation.
#include <cstddef>

namespace headroom {

// 20 log10(linear). Silence (<= 0) and NaN give -inf; callers print null, "-inf" or "--".
double amplitude_to_db(double linear) noexcept;

// RMS in dB under a convention: plain (a full-scale sine reads -3.01 dBFS) or AES17
// (3.01 dB higher: a full-scale sine reads 0 dBFS). Silence gives -inf.
double rms_to_db(double linear_rms, bool aes17) noexcept;

// 10^(db / 20): the linear amplitude of a level in dB.
double db_to_amplitude(double db) noexcept;
// The same in float arithmetic throughout (as std::pow(float, float)), for float gains.
float db_to_amplitude(float db) noexcept;

// Headroom (DESIGN.md §2): 0 − the larger of the max sample peak and the max true peak (dB),
// the room left before either the converter or a reconstruction filter clips. Negative above
// full scale. Silence on both (-inf or NaN) gives +inf (callers print "--"). Every place that
// shows headroom (window, record summary) uses this.
double headroom_db(double sample_peak_db, double true_peak_db) noexcept;

// Loudness figures (DESIGN.md §6: LUFS, LU for LRA and PLR) as every report shows them: one
// decimal, rounded half away from zero, never "-0.0". The window's numbers, `record --json`,
// session.json and `headroom log` all print loudness through these two, so the same
// measurement reads the same everywhere.
// The value to print or to write as a JSON number; NaN and +-inf pass through (no value).
double loudness_rounded(double lu) noexcept;
// "-23.0", "7.4", "0.0" into out (at least 16 bytes); "--" when `lu` is not finite. Returns out.
const char* format_loudness(double lu, char* out, std::size_t size) noexcept;

} // namespace headroom
