#pragma once
// What the MeterBank tells the non-real-time threads, as plain data travelling through a
// wait-free SPSC queue (DESIGN.md §1). Sample indices count frames from the start of the
// stream (0-based); `end_sample` is the last sample of the event, inclusive.
#include <array>
#include <cstdint>
#include <type_traits>

#include "engine/meter/programme.hpp"

namespace headroom {

enum class EventType : std::uint8_t {
    Clip,       // one or more clip runs merged (gap < merge_ms); emitted when closed
    Hot,        // samples above the preset ceiling but below full scale; merged (gap < hot_merge_ms)
    NonFinite,  // a burst of NaN/Inf samples (merged like clips); values excluded from meters
    Envelope,   // one 100 ms tick of one channel (10 Hz level envelope)
    Bands,      // the same tick of one channel's low/mid/high bands (MeterOptions::bands; BandMeter)
    Loudness,   // one 100 ms gating step of one bus: `channel` is the bus index (LoudnessMeter)
};

struct MeterEvent {
    EventType type = EventType::Envelope;
    bool provisional = false;           // Clip/Hot/NonFinite still open: the event as it stands so
                                        // far (at most ~1/s); its final copy follows when it closes
    std::uint16_t channel = 0;          // 0-based
    std::uint32_t runs = 0;             // Clip: number of clip runs merged into this event
    std::uint64_t start_sample = 0;
    std::uint64_t end_sample = 0;       // inclusive
    std::uint64_t peak_sample = 0;      // Clip, Hot: the first frame where |x| = sample_peak (the loudest moment)
    std::uint64_t count = 0;            // Clip: clipped samples; Hot: samples above the ceiling;
                                        // NonFinite: non-finite samples; Envelope: finite frames
    float sample_peak = 0.0f;           // linear, max |x| within the event / tick
    float true_peak = 0.0f;             // linear, max interpolated |y| within the event / tick
    float rms_window_max = 0.0f;        // Envelope: max sliding-window RMS (plain) seen in the tick
    double sum_squares = 0.0;           // Envelope: sum of x^2 over the tick's finite samples
    // Bands (count = finite frames; start/end the tick): per band (Band order) the tick's peak,
    // sum of squares and loudest sliding-window RMS, linear.
    std::array<float, kBandCount> band_peak{};
    std::array<double, kBandCount> band_sum_squares{};
    std::array<float, kBandCount> band_rms_window_max{};
    // Loudness (start/end the step): BS.1770 mean squares, < 0 where there is none (loudness.hpp
    // LoudnessTick): the 400 ms gating block and the 3 s window ending with the step, and the
    // largest momentary and short-term values at the hop ends inside it.
    double block_ms = -1.0;
    double short_term_ms = -1.0;
    double momentary_max_ms = -1.0;
    double short_term_max_ms = -1.0;
};
static_assert(std::is_trivially_copyable_v<MeterEvent>);

} // namespace headroom
