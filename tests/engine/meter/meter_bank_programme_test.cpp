// The MeterBank with bands and buses (DESIGN.md §6, issue 15): the BandMeter's and
// LoudnessMeter's ticks leave as Bands and Loudness events with every field, the same bits for
// blocks of 1, 37 and 4096 frames, and the bus readings are the maxima of their channels'.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "engine/meter/meter_bank.hpp"
#include "tests/engine/meter/meter_bank_harness.hpp"

using namespace headroom;

namespace {

MeterOptions programme_options() {
    MeterOptions o;
    o.sample_rate = 48000.0;
    o.channels = 7;
    o.bands = true;
    o.buses = {parse_bus("mix=1-2").bus, parse_bus("surround=2-7").bus};  // stereo and 5.1
    return o;
}

// 4 s of 7 channels: tones across the bands, noise, a level step, and a NaN.
std::vector<float> programme_signal() {
    const std::size_t frames = 4 * 48000, nc = 7;
    std::vector<float> x(frames * nc);
    std::uint32_t rng = 7;
    for (std::size_t f = 0; f < frames; ++f) {
        const double t = static_cast<double>(f) / 48000.0;
        for (std::size_t c = 0; c < nc; ++c) {
            rng = rng * 1664525u + 1013904223u;
            const double noise = (static_cast<double>(rng >> 8) / 16777216.0 - 0.5) * 0.1;
            const double tone = 0.3 * std::sin(2.0 * M_PI * (60.0 * static_cast<double>(c + 1) * (c % 3 == 2 ? 40 : 1)) * t);
            const double gain = f > 2 * 48000 ? 0.5 : 1.0;
            x[f * nc + c] = static_cast<float>((tone + noise) * gain);
        }
    }
    x[100000 * nc + 3] = NAN;
    return x;
}

bool same_programme_event(const MeterEvent& a, const MeterEvent& b) {
    return a.type == b.type && a.channel == b.channel && a.start_sample == b.start_sample &&
           a.end_sample == b.end_sample && a.count == b.count &&
           std::memcmp(a.band_peak.data(), b.band_peak.data(), sizeof a.band_peak) == 0 &&
           std::memcmp(a.band_sum_squares.data(), b.band_sum_squares.data(), sizeof a.band_sum_squares) == 0 &&
           std::memcmp(a.band_rms_window_max.data(), b.band_rms_window_max.data(), sizeof a.band_rms_window_max) == 0 &&
           std::memcmp(&a.block_ms, &b.block_ms, sizeof(double)) == 0 &&
           std::memcmp(&a.short_term_ms, &b.short_term_ms, sizeof(double)) == 0 &&
           std::memcmp(&a.momentary_max_ms, &b.momentary_max_ms, sizeof(double)) == 0 &&
           std::memcmp(&a.short_term_max_ms, &b.short_term_max_ms, sizeof(double)) == 0;
}

} // namespace

TEST_CASE("MeterBank with bands and buses: Bands and Loudness events, the same bits for any block size") {
    const MeterOptions o = programme_options();
    const std::vector<float> x = programme_signal();
    const test::BankRun ref = test::run_bank(o, x, 4096);
    const auto bands = test::events_of(ref, EventType::Bands);
    const auto loud = test::events_of(ref, EventType::Loudness);
    // 40 ticks of 100 ms per channel and per bus.
    CHECK(bands.size() == 40 * 7);
    CHECK(loud.size() == 40 * 2);
    for (const MeterEvent& e : loud) CHECK(e.channel < 2);
    // Every field carries something: the tone of channel 1 (60 Hz) is low-band, of channel 3 (7.2 kHz) high.
    const auto ch1 = test::events_of(ref, EventType::Bands, 0), ch3 = test::events_of(ref, EventType::Bands, 2);
    CHECK(ch1[20].band_peak[0] > 0.25f);
    CHECK(ch1[20].band_sum_squares[0] > 20.0 * ch1[20].band_sum_squares[2]);
    CHECK(ch3[20].band_sum_squares[2] > 20.0 * ch3[20].band_sum_squares[0]);
    CHECK(ch1[20].count == 4800);
    CHECK(loud[30].block_ms > 0.0);
    CHECK(loud[30].short_term_ms > 0.0);
    CHECK(loud[30].momentary_max_ms >= loud[30].block_ms);
    CHECK(loud[10].short_term_ms < 0.0);  // before 3 s: no short-term value
    for (std::size_t block : {std::size_t{1}, std::size_t{37}}) {
        CAPTURE(block);
        const test::BankRun r = test::run_bank(o, x, block);
        const auto b2 = test::events_of(r, EventType::Bands), l2 = test::events_of(r, EventType::Loudness);
        REQUIRE(b2.size() == bands.size());
        REQUIRE(l2.size() == loud.size());
        std::size_t differ = 0;
        for (std::size_t i = 0; i < bands.size(); ++i) differ += same_programme_event(bands[i], b2[i]) ? 0 : 1;
        for (std::size_t i = 0; i < loud.size(); ++i) differ += same_programme_event(loud[i], l2[i]) ? 0 : 1;
        CHECK(differ == 0);
    }
}

TEST_CASE("MeterBank bus readings: peaks are the maxima of the bus's channels, loudness from the meter") {
    MeterOptions o = programme_options();
    EventQueue q(1u << 16);
    MeterBank bank(o, &q);
    std::vector<float> x = programme_signal();
    x.resize(48000 * 7);  // 1 s
    x[1000 * 7 + 1] = 0.9f;   // channel 2: in both buses
    x[2000 * 7 + 6] = -0.8f;  // channel 7: only in the surround bus
    BusReading mix, surround;
    BandReadings ch2{};
    for (std::size_t f = 0; f < 48000; f += 512) {
        bank.process(x.data() + f * 7, std::min<std::size_t>(512, 48000 - f));
        mix.merge(bank.bus_readings()[0]);
        surround.merge(bank.bus_readings()[1]);
        for (int k = 0; k < kBandCount; ++k) ch2[k].merge(bank.band_readings()[1][k]);
    }
    REQUIRE(bank.bus_count() == 2);
    CHECK(mix.sample_peak == 0.9f);
    CHECK(surround.sample_peak == 0.9f);
    CHECK(mix.true_peak >= 0.9f);
    CHECK(mix.momentary_max_ms > 0.0f);
    CHECK(mix.integrated_ms > 0.0f);
    CHECK(mix.bands[0].peak >= ch2[0].peak);
    o.buses = {parse_bus("rear=7").bus};
    MeterBank rear(o, &q);
    BusReading r;
    for (std::size_t f = 0; f < 48000; f += 512) {
        rear.process(x.data() + f * 7, std::min<std::size_t>(512, 48000 - f));
        r.merge(rear.bus_readings()[0]);
    }
    CHECK(r.sample_peak == 0.8f);
}
