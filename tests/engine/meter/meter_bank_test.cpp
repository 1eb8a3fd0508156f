// MeterBank as a whole: the SIMD kernels against the scalar reference, on every instruction
// set compiled in and supported here; block-size invariance; no allocation and no lock in
// process()/finish(); true peak through the bank on EBU Tech 3341's cases; and a proof that
// the comparisons used here can fail. (Exact events and levels: meter_bank_events_test.cpp.)
#include "engine/meter/meter_bank.hpp"

#include <doctest/doctest.h>
#include <hwy/targets.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/meter/meter_kernels.hpp"
#include "tests/engine/meter/meter_bank_harness.hpp"
#include "tests/engine/meter/tech3341_signals.hpp"
#include "tests/support/alloc_guard.hpp"

using namespace headroom;
using namespace headroom::test;

namespace {

// Random material: per channel a different character (noise at a random level, a sine,
// silence with spikes, hot noise, clipped bursts), plus everywhere single-sample spikes,
// full-scale runs of 1-6 samples, NaN / +Inf / -Inf, and stretches of exact silence.
std::vector<float> material(int channels, std::size_t frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    const auto nc = static_cast<std::size_t>(channels);
    std::vector<float> x(frames * nc, 0.0f);
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    for (std::size_t c = 0; c < nc; ++c) {
        const int mode = static_cast<int>(c % 5);
        const float level = std::pow(10.0f, -40.0f * u(rng) / 20.0f);
        const double w = 0.01 + 0.3 * u(rng);
        for (std::size_t f = 0; f < frames; ++f) {
            float v = 0.0f;
            switch (mode) {
                case 0: v = level * (2.0f * u(rng) - 1.0f); break;
                case 1: v = level * static_cast<float>(std::sin(w * static_cast<double>(f))); break;
                case 2: v = 0.0f; break;
                case 3: v = 0.3f * (2.0f * u(rng) - 1.0f); break;       // above a -12 dBFS ceiling
                default: v = 0.97f * static_cast<float>(std::sin(w * static_cast<double>(f))); break;
            }
            x[f * nc + c] = v;
        }
        for (std::size_t f = 0; f < frames; ++f) {
            const float r = u(rng);
            float& v = x[f * nc + c];
            if (r < 0.001f) {
                v = (u(rng) < 0.5f ? -1.0f : 1.0f) * (0.9f + 0.6f * u(rng));  // spike, may clip
            } else if (r < 0.0015f) {  // a full-scale run
                const float s = (u(rng) < 0.5f ? -1.0f : 1.0f) * (0.99f + 0.2f * u(rng));
                const auto n = 1 + static_cast<std::size_t>(6 * u(rng));
                for (std::size_t k = 0; k < n && f + k < frames; ++k) x[(f + k) * nc + c] = s;
            } else if (r < 0.0018f) {
                const float k = u(rng);
                v = k < 0.33f ? nan : k < 0.66f ? inf : -inf;
            } else if (r < 0.0019f) {  // silence
                for (std::size_t k = 0; k < 300 && f + k < frames; ++k) x[(f + k) * nc + c] = 0.0f;
            }
        }
    }
    return x;
}

MeterOptions options_for(int channels, int min_run) {
    MeterOptions o;
    o.channels = channels;
    o.clip_min_run = min_run;
    o.merge_ms = 20.0;
    o.hot_merge_ms = 50.0;
    o.hot_ceiling_dbfs.assign(static_cast<std::size_t>(channels), -12.0f);
    return o;
}

// SIMD against scalar on one stream, the two banks in lockstep: every call's readings, then
// the events. Returns the number of readings whose true peak / RMS were not bit-identical.
std::size_t compare_kernels(int channels, std::size_t block, std::size_t frames, unsigned seed) {
    MeterOptions o = options_for(channels, 1 + static_cast<int>(seed % 3));
    const auto x = material(channels, frames, seed);
    const auto nc = static_cast<std::size_t>(channels);
    EventQueue qs(1u << 16), qr(1u << 16);
    MeterBank simd(o, &qs);
    o.force_scalar = true;
    MeterBank ref(o, &qr);
    REQUIRE(std::string(ref.kernel_name()) == "scalar");
    REQUIRE(std::string(simd.kernel_name()) != "scalar");
    BankRun rs, rr;
    std::size_t bad = 0, inexact = 0, call = 0;
    auto compare = [&] {
        for (std::size_t c = 0; c < nc; ++c) {
            const auto& a = simd.block_readings()[c];
            const auto& b = ref.block_readings()[c];
            if (!same_reading(a, b, 1e-5) && ++bad <= 5)
                FAIL_CHECK("call " << call << " channel " << c << ": simd sp " << a.sample_peak << " tp "
                                   << a.true_peak << " rms " << a.rms << " vs scalar sp " << b.sample_peak
                                   << " tp " << b.true_peak << " rms " << b.rms);
            if (!same_reading(a, b, 0.0)) ++inexact;
        }
        ++call;
        MeterEvent e;
        while (qs.try_pop(e)) rs.events.push_back(e);
        while (qr.try_pop(e)) rr.events.push_back(e);
    };
    for (std::size_t f = 0; f < frames; f += block) {
        const std::size_t n = std::min(block, frames - f);
        simd.process(x.data() + f * nc, n);
        ref.process(x.data() + f * nc, n);
        compare();
    }
    simd.finish();
    ref.finish();
    compare();
    CHECK(bad == 0);
    check_same_events(rs, rr, 1e-5);
    // the material must exercise every event type
    CHECK(!events_of(rr, EventType::Clip).empty());
    CHECK(!events_of(rr, EventType::NonFinite).empty());
    CHECK(!events_of(rr, EventType::Envelope).empty());
    if (channels > 3) CHECK(!events_of(rr, EventType::Hot).empty());
    return inexact;
}

std::string target_list(const std::vector<std::int64_t>& ts) {
    std::string s;
    for (auto t : ts) s += std::string(s.empty() ? "" : ", ") + hwy::TargetName(t);
    return s;
}

} // namespace

TEST_CASE("MeterBank") {
    SUBCASE("the SIMD kernel is a real instruction set, the best one compiled in and supported") {
        const auto targets = hwy::SupportedAndGeneratedTargets();  // best first
        REQUIRE(!targets.empty());
        const std::string name = simd_kernels().name;
        MESSAGE("SIMD kernel dispatched: ", name, " (compiled in and supported here: ", target_list(targets), ")");
        CHECK(name != "scalar");
        CHECK(name == hwy::TargetName(targets.front()));
#if defined(__x86_64__)
        // This project's machines have AVX2: a build or dispatch that lost it must fail here.
        if (__builtin_cpu_supports("avx2")) CHECK((name == "AVX2" || name.rfind("AVX3", 0) == 0));
#endif
        CHECK(std::string(scalar_kernels().name) == "scalar");
    }

    SUBCASE("SIMD equals the scalar reference: channels 1..256, blocks 1, 2, 31, 4096, every target") {
        const auto targets = hwy::SupportedAndGeneratedTargets();
        for (const std::int64_t target : targets) {
            hwy::SetSupportedTargetsForTest(target);
            const bool best = target == targets.front();
            std::size_t inexact = 0, readings = 0;
            for (int channels : {1, 2, 3, 7, 8, 9, 16, 45, 64, 67, 256}) {
                // every target gets the full matrix on the channel counts that exercise its
                // layouts; the long stream and 256 channels on the dispatched target
                if (!best && channels > 67) continue;
                for (std::size_t block : {1u, 2u, 31u, 4096u}) {
                    const std::size_t frames = best ? 10000 : 5000;
                    CAPTURE(channels);
                    CAPTURE(block);
                    INFO("target ", std::string(hwy::TargetName(target)));
                    inexact += compare_kernels(channels, block, frames, static_cast<unsigned>(channels * 7 + block));
                    readings += (frames / block + 2) * static_cast<std::size_t>(channels);
                }
            }
            MESSAGE(std::string(hwy::TargetName(target)), ": SIMD vs scalar, ", inexact, " of ~", readings,
                    " readings not bit-identical (all within 1e-5)");
        }
        hwy::SetSupportedTargetsForTest(0);
        CHECK(std::string(simd_kernels().name) == hwy::TargetName(targets.front()));
    }

    SUBCASE("block-size invariance: blocks of 1, 37 and 4096 give identical events and readings") {
        for (bool scalar : {false, true}) {
            for (int channels : {3, 67}) {
                MeterOptions o = options_for(channels, 2);
                o.force_scalar = scalar;
                const auto x = material(channels, 30000, 99);
                const BankRun b4096 = run_bank(o, x, 4096);
                for (std::size_t block : {1u, 37u}) {
                    CAPTURE(block);
                    CAPTURE(channels);
                    CAPTURE(scalar);
                    const BankRun r = run_bank(o, x, block);
                    check_same_events(r, b4096, 0.0);
                    for (std::size_t c = 0; c < r.folded.size(); ++c)
                        CHECK(same_reading(r.folded[c], b4096.folded[c], 0.0));
                    // per channel and type the events leave in stream order
                    for (std::size_t i = 1; i < r.events.size(); ++i)
                        for (std::size_t j = i; j-- > 0;)
                            if (r.events[j].type == r.events[i].type && r.events[j].channel == r.events[i].channel) {
                                CHECK(r.events[j].start_sample < r.events[i].start_sample);
                                break;
                            }
                }
                CHECK(events_of(b4096, EventType::Clip).size() > 5);
            }
        }
    }

    SUBCASE("process() and finish() allocate nothing and take no lock, events flowing") {
        REQUIRE(alloc_guard_active());
        for (bool scalar : {false, true})
            for (bool true_peak : {true, false})  // off: the in-place scan and its rescan of NaN segments
                for (int channels : {1, 2, 9, 67, 256})
                    for (std::size_t block : {1u, 64u, 4096u}) {
                        CAPTURE(channels);
                        CAPTURE(block);
                        CAPTURE(true_peak);
                        MeterOptions o = options_for(channels, 1);
                        o.force_scalar = scalar;
                        o.true_peak = true_peak;
                        o.max_block = block;
                        const std::size_t frames = 6000;
                        const auto x = material(channels, frames, 5);
                        const auto nc = static_cast<std::size_t>(channels);
                        EventQueue q(1u << 16);
                        MeterBank bank(o, &q);
                        std::uint64_t allocs = 0, locks = 0;
                        {
                            AllocGuard g;
                            for (std::size_t f = 0; f < frames; f += block)
                                bank.process(x.data() + f * nc, std::min(block, frames - f));
                            bank.finish();
                            allocs = g.allocations();
                            locks = g.locks();
                        }
                        CHECK(allocs == 0);
                        CHECK(locks == 0);
                        CHECK(q.size_approx() > static_cast<std::size_t>(channels));  // events did flow
                    }
    }

    SUBCASE("true peak through the bank equals TruePeakScalar on EBU Tech 3341 cases 15-23") {
        for (double rate : {48000.0, 96000.0, 192000.0}) {
            for (const Case& cs : tech3341_cases(rate, {0, 1, 2, 3}, false)) {
                const double want = headroom_true_peak(cs.x, rate);
                for (bool scalar : {false, true}) {
                    MeterOptions o;
                    o.sample_rate = rate;
                    o.channels = 2;  // the signal and its negation
                    o.force_scalar = scalar;
                    std::vector<float> x;
                    for (float v : cs.x) {
                        x.push_back(v);
                        x.push_back(-v);
                    }
                    const BankRun r = run_bank(o, x, 256);
                    INFO("case ", cs.number, " at ", rate, " Hz, ", r.kernel, ": bank ", r.folded[0].true_peak,
                         ", TruePeakScalar ", want);
                    CHECK(rel_close(r.folded[0].true_peak, want, 1e-6));
                    CHECK(r.folded[1].true_peak == r.folded[0].true_peak);
                    CHECK(r.folded[0].true_peak >= r.folded[0].sample_peak);
                    if (rate >= 176400.0) CHECK(r.folded[0].true_peak == r.folded[0].sample_peak);
                    if (rate == 48000.0) {  // inside Tech 3341's tolerance
                        CHECK(db(r.folded[0].true_peak) <= cs.expected_dbtp + 0.2);
                        CHECK(db(r.folded[0].true_peak) >= cs.expected_dbtp - 0.4);
                    }
                }
            }
        }
    }

    SUBCASE("true peak off: true peak reads the sample peak, everything else unchanged") {
        MeterOptions o = options_for(9, 1);
        const auto x = material(9, 12000, 3);
        const BankRun on = run_bank(o, x, 256);
        o.true_peak = false;
        const BankRun off = run_bank(o, x, 256);
        for (std::size_t c = 0; c < 9; ++c) {
            CHECK(off.folded[c].true_peak == off.folded[c].sample_peak);
            CHECK(off.folded[c].sample_peak == on.folded[c].sample_peak);
            CHECK(off.folded[c].rms_max == on.folded[c].rms_max);
            CHECK(off.folded[c].clipped_samples == on.folded[c].clipped_samples);
        }
        CHECK(sorted_events(off).size() == sorted_events(on).size());
    }

    SUBCASE("true peak off measures without delay: a call's readings are its own frames") {
        // With true peak on, the last D frames of a call are measured in the next one; off,
        // there is no interpolator and so no delay: a peak in a call's last frame is in that
        // call's reading, and finish() has nothing left to measure.
        for (bool true_peak : {true, false}) {
            CAPTURE(true_peak);
            MeterOptions o = options_for(2, 1);
            o.true_peak = true_peak;
            MeterBank bank(o, nullptr);
            const int d = bank.true_peak_delay();
            CHECK((d == 0) == !true_peak);
            std::vector<float> x(2 * 64, 0.0f);
            x[2 * 63 + 1] = 0.5f;  // channel 1, the call's last frame
            bank.process(x.data(), 64);
            CHECK(bank.block_readings()[1].sample_peak == (true_peak ? 0.0f : 0.5f));
            bank.finish();
            CHECK(bank.block_readings()[1].sample_peak == (true_peak ? 0.5f : 0.0f));
        }
    }

    SUBCASE("the RMS window is re-based on its ring: after loud noise, a window of silence reads exactly 0") {
        // The running window sum adds each hop and takes away the one that leaves: after loud
        // material it keeps a rounding residue. Every W hops it is re-based on the ring's rows,
        // so once a whole window of silence has passed the RMS is exactly 0, not a residue's root.
        for (bool scalar : {false, true}) {
            CAPTURE(scalar);
            MeterOptions o = options_for(2, 1);
            o.true_peak = false;
            o.force_scalar = scalar;
            MeterBank bank(o, nullptr);
            std::mt19937 rng(5);
            std::uniform_real_distribution<float> u(-1.0f, 1.0f);
            // levels 70 dB apart from one call to the next: the hop sums span more than a
            // double's 53 bits with the window's, so adding them rounds
            const float level[] = {0.9f, 3e-4f, 0.05f, 1e-4f, 0.7f};
            std::vector<float> x(2 * 256);
            for (int call = 0; call < 750; ++call) {  // 2 s of noise at 48 kHz, then 2 s of silence
                for (auto& v : x) v = call < 375 ? level[call % 5] * u(rng) : 0.0f;
                bank.process(x.data(), 256);
                if (call == 374) REQUIRE(bank.block_readings()[0].rms > 0.1f);
            }
            for (int c = 0; c < 2; ++c) {
                CHECK(bank.block_readings()[c].rms == 0.0f);
                CHECK(bank.block_readings()[c].rms_max == 0.0f);
            }
        }
    }

    SUBCASE("true peak off scans blocks in place: same results as the copying path, any block, NaN included") {
        // True peak off, every block is scanned where it is (a segment holding a non-finite
        // sample is restored and rescanned from a sanitized copy), without the delay D.
        // Everything but true peak must equal the true-peak-on run, which copies and delays:
        // bit for bit, events and the readings folded over the stream.
        auto without_tp = [](BankRun r) {
            for (auto& e : r.events) e.true_peak = 0.0f;
            for (auto& f : r.folded) f.true_peak = 0.0f;
            return r;
        };
        for (bool scalar : {false, true}) {
            for (int channels : {1, 2, 3, 9, 16, 67}) {
                MeterOptions o = options_for(channels, 2);
                o.force_scalar = scalar;
                const auto x = material(channels, 20000, 7u + static_cast<unsigned>(channels));
                const BankRun on = without_tp(run_bank(o, x, 4096));
                o.true_peak = false;
                for (std::size_t block : {1u, 7u, 8u, 9u, 37u, 256u, 4096u}) {
                    CAPTURE(scalar);
                    CAPTURE(channels);
                    CAPTURE(block);
                    const BankRun off = without_tp(run_bank(o, x, block));
                    check_same_events(off, on, 0.0);
                    for (std::size_t c = 0; c < on.folded.size(); ++c)
                        CHECK(same_reading(off.folded[c], on.folded[c], 0.0));
                    CHECK(!events_of(on, EventType::NonFinite).empty());
                }
            }
        }
    }

    SUBCASE("the harness can fail: every comparison rejects a deliberately wrong value") {
        MeterEvent e;
        e.type = EventType::Clip;
        e.start_sample = 100;
        e.end_sample = 104;
        e.runs = 2;
        e.count = 4;
        e.sample_peak = 1.0f;
        e.true_peak = 1.1f;
        e.sum_squares = 4.0;
        CHECK(same_event(e, e, 0.0));
        MeterEvent w = e;
        w.start_sample += 1;
        CHECK_FALSE(same_event(e, w, 1e-5));
        w = e;
        w.sample_peak = std::nextafter(e.sample_peak, 2.0f);  // one ulp: sample peaks are exact
        CHECK_FALSE(same_event(e, w, 1e-5));
        w = e;
        w.true_peak = e.true_peak * (1.0f + 3e-5f);
        CHECK_FALSE(same_event(e, w, 1e-5));
        w = e;
        w.true_peak = std::nextafter(e.true_peak, 2.0f);
        CHECK(same_event(e, w, 1e-5));
        CHECK_FALSE(same_event(e, w, 0.0));
        ChannelReading a, b;
        a.sample_peak = b.sample_peak = 0.5f;
        a.rms = 0.25f;
        b.rms = -1.0f;
        CHECK_FALSE(same_reading(a, b, 1e-5));
        CHECK_FALSE(rel_close(1.0, 1.0 + 2e-5, 1e-5));
    }
}

// A deliberately wrong expectation on a real reading must fail (doctest counts this test
// as passed only because it fails): a DC of 0.5 does not read 0.5001.
TEST_CASE("MeterBank: a wrong expectation fails" * doctest::should_fail()) {
    MeterOptions o;
    o.channels = 1;
    const BankRun r = run_bank(o, std::vector<float>(48000, 0.5f), 512);
    CHECK(r.folded[0].sample_peak == 0.5001f);
}
