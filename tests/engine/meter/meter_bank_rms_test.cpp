// MeterBank RMS at the edges of its range, against closed forms: samples whose float square
// overflows (every finite sample's level is right), and streams shorter than the RMS window
// (rms_max is the loudest FULL window; a stream shorter than one window gets its own RMS at
// finish(), so no figure depends on where a transient falls). Both kernels, true peak on and
// off, blocks of 1, 37 and 4096 frames: the same bits.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/meter/meter_bank.hpp"
#include "engine/meter/meter_kernels.hpp"
#include "tests/engine/meter/meter_bank_harness.hpp"

using namespace headroom;
using namespace headroom::test;

namespace {

MeterOptions mono(bool true_peak, bool scalar) {
    MeterOptions o;
    o.channels = 1;
    o.true_peak = true_peak;
    o.force_scalar = scalar;
    return o;
}

// The stream's readings folded, from every kernel and block size; checks they agree bit for
// bit (true peak within 1e-5 when on: the interpolator's sums on a target without FMA).
BankRun run_all(const MeterOptions& o, const std::vector<float>& x) {
    MeterOptions os = o;
    os.force_scalar = true;
    const BankRun ref = run_bank(os, x, 4096);
    for (bool scalar : {true, false})
        for (std::size_t block : {1u, 37u, 4096u}) {
            CAPTURE(scalar);
            CAPTURE(block);
            os.force_scalar = scalar;
            const BankRun r = run_bank(os, x, block);
            check_same_events(r, ref, o.true_peak ? 1e-5 : 0.0);
            CHECK(same_reading(r.folded[0], ref.folded[0], o.true_peak ? 1e-5 : 0.0));
        }
    return ref;
}

double envelope_sum_squares(const BankRun& r) {
    double s = 0.0;
    for (const auto& e : events_of(r, EventType::Envelope)) s += e.sum_squares;
    return s;
}

float envelope_rms_max(const BankRun& r) {
    float m = 0.0f;
    for (const auto& e : events_of(r, EventType::Envelope)) m = std::max(m, e.rms_window_max);
    return m;
}

} // namespace

TEST_CASE("MeterBank RMS of samples whose float square overflows") {
    // 1 s of silence at 48 kHz with one sample of 1e20 (or the largest float) in its middle:
    // the 300 ms window (60 hops of 240) holding it reads big / sqrt(14400); the stream's sum of
    // squares is big^2 (1e40: 2953 dBFS came out of an overflowed float sum before).
    for (float big : {1e20f, -1e20f, std::numeric_limits<float>::max(), 2.0f * kSquareLimit}) {
        for (bool true_peak : {false, true}) {
            if (true_peak && std::fabs(big) > 1e30f) continue;  // the interpolator's own float range
            CAPTURE(big);
            CAPTURE(true_peak);
            std::vector<float> x(48000, 0.0f);
            x[24000] = big;
            const BankRun r = run_all(mono(true_peak, true), x);
            const double b = std::fabs(static_cast<double>(big));
            CHECK(rel_close(r.folded[0].rms_max, b / std::sqrt(14400.0), 1e-6));
            CHECK(rel_close(envelope_rms_max(r), b / std::sqrt(14400.0), 1e-6));
            CHECK(rel_close(envelope_sum_squares(r), b * b, 1e-6));
            CHECK(r.folded[0].sample_peak == std::fabs(big));
            CHECK(r.folded[0].nonfinite == 0);
        }
    }
    // Below the limit, beside it and in the same hop: the float part and the double part add up.
    std::vector<float> x(4800, 0.25f);
    x[100] = 1e20f;
    x[101] = 3e19f;
    x[102] = 0.5f * kSquareLimit;
    const BankRun r = run_all(mono(false, true), x);
    const double expect = 1e40 + 9e38 + 0.25 * 0x1p116 + (4800 - 3) * 0.0625;
    CHECK(rel_close(envelope_sum_squares(r), expect, 1e-6));
}

TEST_CASE("MeterBank rms_max of a stream shorter than the RMS window: the RMS of the whole stream") {
    for (bool true_peak : {false, true}) {
        CAPTURE(true_peak);
        SUBCASE("1000 frames of DC 0.5 read -6.02 dBFS, not -17.78") {
            const BankRun r = run_all(mono(true_peak, true), std::vector<float>(1000, 0.5f));
            CHECK(rel_close(r.folded[0].rms_max, 0.5, 1e-6));
            CHECK(rel_close(envelope_rms_max(r), 0.5, 1e-6));
        }
        SUBCASE("100 frames (less than one hop) of DC 0.5: the finish gives the whole stream's RMS") {
            const BankRun r = run_all(mono(true_peak, true), std::vector<float>(100, 0.5f));
            CHECK(rel_close(r.folded[0].rms_max, 0.5, 1e-6));
            CHECK(rel_close(envelope_rms_max(r), 0.5, 1e-6));
        }
        SUBCASE("a loud first hop is not a window of its own: 240 frames of 0.5, then 760 of silence") {
            std::vector<float> x(1000, 0.0f);
            std::fill_n(x.begin(), 240, 0.5f);
            const BankRun r = run_all(mono(true_peak, true), x);
            const double whole = 0.5 * std::sqrt(240.0 / 1000.0);  // -18.41 dBFS, not the first hop's -6.02
            CHECK(rel_close(r.folded[0].rms_max, whole, 1e-6));
            CHECK(rel_close(envelope_rms_max(r), whole, 1e-6));
        }
        SUBCASE("silence stays 0 (null in the reports)") {
            const BankRun r = run_all(mono(true_peak, true), std::vector<float>(1000, 0.0f));
            CHECK(r.folded[0].rms_max == 0.0f);
        }
    }
    SUBCASE("huge.wav: one sample of 1e20 in 4800 frames reads 363.19 dBFS (the stream's RMS), not 376.2") {
        std::vector<float> x(4800, 0.0f);
        x[100] = 1e20f;
        const BankRun r = run_all(mono(false, true), x);
        const double whole = 1e20 / std::sqrt(4800.0);
        CHECK(rel_close(r.folded[0].rms_max, whole, 1e-6));
        CHECK(rel_close(envelope_rms_max(r), whole, 1e-6));
        CHECK(std::fabs(20.0 * std::log10(r.folded[0].rms_max) - 363.19) < 0.005);
    }
}

TEST_CASE("MeterBank rms_max: the loudest full window, wherever a transient falls") {
    // One full-scale sample in 10 s of silence at 48 kHz: every 300 ms window (60 hops of 240)
    // holding it reads 1 / sqrt(14400), -41.58 dBFS, at frame 100 as at frame 100000 (the first
    // hop taken as a window read -23.80 at frame 100).
    const double want = 1.0 / std::sqrt(14400.0);
    for (std::size_t at : {std::size_t{0}, std::size_t{100}, std::size_t{239}, std::size_t{240}, std::size_t{14399},
                           std::size_t{14400}, std::size_t{100000}, std::size_t{479999}}) {
        for (bool true_peak : {false, true}) {
            CAPTURE(at);
            CAPTURE(true_peak);
            std::vector<float> x(480000, 0.0f);
            x[at] = 1.0f;
            const BankRun r = run_all(mono(true_peak, true), x);
            CHECK(rel_close(r.folded[0].rms_max, want, 1e-6));
            CHECK(rel_close(envelope_rms_max(r), want, 1e-6));
            CHECK(std::fabs(20.0 * std::log10(r.folded[0].rms_max) - -41.58) < 0.005);
        }
    }
    SUBCASE("a constant stream reads its level at every full window; none before the first is full") {
        const BankRun r = run_all(mono(false, true), std::vector<float>(48000, 0.5f));
        std::size_t values = 0;
        for (const auto& call : r.calls)
            if (call[0].rms >= 0.0f) {
                ++values;
                CHECK(rel_close(call[0].rms, 0.5, 1e-6));
                CHECK(rel_close(call[0].rms_max, 0.5, 1e-6));
            }
        CHECK(values > 2);
    }
}
