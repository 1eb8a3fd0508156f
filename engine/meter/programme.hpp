#pragma once
// Buses, loudness and bands (DESIGN.md §6): what every part of Headroom shares about them.
// The meters themselves are LoudnessMeter (loudness.hpp) and BandMeter (bands.hpp); this file
// holds the plain data they are configured with and publish.
//
// Linear throughout: a peak is |x| (1.0 = 0 dBFS); a loudness is the K-weighted, channel-weighted
// mean square of ITU-R BS.1770 (LUFS = -0.691 + 10 log10(ms)); negative means "no value".
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace headroom {

inline constexpr int kMaxBuses = 16;

// The three bands (DESIGN.md §6): LR4 crossovers at 150 Hz and 5 kHz.
enum class Band : std::uint8_t { Low, Mid, High };
inline constexpr int kBandCount = 3;
inline constexpr std::array<std::string_view, kBandCount> kBandNames{"low", "mid", "high"};
inline constexpr double kLowCrossoverHz = 150.0;
inline constexpr double kHighCrossoverHz = 5000.0;

// A named group of channels metered as one programme.
struct BusSpec {
    std::string name;               // as the user gave it ("programme" for analyze's default)
    std::vector<int> channels;      // 0-based, in the order given (the BS.1770 weights follow it)
    std::string preset = "mix_bus"; // the preset whose window the bus's peak bar shows
};

// ITU-R BS.1770 channel weights for a bus of n channels: 1.0 each, except n == 6, which is 5.1
// in the order L R C LFE Ls Rs: LFE 0, Ls and Rs 1.41.
std::vector<float> bs1770_weights(std::size_t n);

// A bus name is 1..32 characters (UTF-8 code points), with no '=' and no control character
// (it is printed to terminals and files). Returns what is wrong, or "" when the name is good.
// Any thread.
std::string bus_name_problem(std::string_view name);

// normal thread. Parses "NAME=CHANNELS" (CHANNELS: "1-2", "3,4", "1-6", mixed "1,3-4"; 1-based)
// into a BusSpec with 0-based channels. Returns a message naming what is wrong, or nothing.
// NAME: 1..32 characters, not empty, no '='. Channels: each once, within 1..channel_count when
// channel_count > 0 (0: not checked yet).
struct BusParse {
    BusSpec bus;
    std::string error;  // empty: ok
};
BusParse parse_bus(std::string_view text, int channel_count = 0);

// LUFS of a mean square (ms > 0); the caller handles "no value".
double lufs_from_mean_square(double ms) noexcept;

// One band of one channel over an interval, as the MeterBank's full-band reading.
struct BandReading {
    float peak = 0.0f;     // max |band signal|
    float rms = -1.0f;     // sliding-window RMS at the end of the interval; < 0: no new value
    float rms_max = 0.0f;  // max sliding-window RMS in the interval
    void merge(const BandReading& b) noexcept;
};
using BandReadings = std::array<BandReading, kBandCount>;
static_assert(std::is_trivially_copyable_v<BandReadings>);

// One bus over an interval (what the window shows). Peaks are the maxima over its channels.
struct BusReading {
    float sample_peak = 0.0f;
    float true_peak = 0.0f;
    float momentary_ms = -1.0f;        // 400 ms loudness at the newest step in the interval
    float short_term_ms = -1.0f;       // 3 s loudness at the newest step in the interval
    float momentary_max_ms = -1.0f;    // largest momentary in the interval (steps <= 10 ms)
    float short_term_max_ms = -1.0f;   // largest short-term in the interval
    float integrated_ms = -1.0f;       // gated, since the bus's start or its last reset
    float loudness_range_lu = -1.0f;   // LRA (Tech 3342), same span
    std::uint64_t measured_from = 0;   // stream frame where the integrated measurement began
    std::uint32_t resets = 0;          // resets of the integrated measurement so far
    BandReadings bands{};              // peak: max over its channels; rms: power mean over them
    void merge(const BusReading& b) noexcept;
};
static_assert(std::is_trivially_copyable_v<BusReading>);

} // namespace headroom
