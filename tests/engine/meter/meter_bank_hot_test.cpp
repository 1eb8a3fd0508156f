// MeterBank on loud material: most samples above the channel's hot ceiling. The SIMD kernels
// take the channel-wise slow path (hot runs handed to the trackers in bulk); the scalar
// reference calls the trackers sample by sample. Both must give identical hot (and clip,
// non-finite, envelope) events and readings, for any block size, and the hot counts must
// match a direct count of the material.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "engine/meter/meter_bank.hpp"
#include "tests/engine/meter/meter_bank_harness.hpp"
#include "tests/support/alloc_guard.hpp"

using namespace headroom;
using namespace headroom::test;

namespace {

// |x| uniform in 0.3 .. 0.9 with random signs (all above -12 dBFS = 0.251), broken per
// channel by quiet stretches (|x| 0.1) of 1 .. 4000 frames, full-scale runs of 1 .. 5
// samples and single NaNs.
std::vector<float> loud(int channels, std::size_t frames, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    const auto nc = static_cast<std::size_t>(channels);
    std::vector<float> x(frames * nc);
    for (auto& v : x) v = (u(rng) < 0.5f ? -1.0f : 1.0f) * (0.3f + 0.6f * u(rng));
    for (std::size_t c = 0; c < nc; ++c) {
        for (std::size_t f = 0; f < frames; ++f) {
            const float r = u(rng);
            if (r < 0.0001f) {  // quiet stretch: ends hot runs, and events when long enough
                const auto n = 1 + static_cast<std::size_t>(4000 * u(rng));
                for (std::size_t k = 0; k < n && f + k < frames; ++k) x[(f + k) * nc + c] = 0.1f;
            } else if (r < 0.0006f) {
                const auto n = 1 + static_cast<std::size_t>(5 * u(rng));
                for (std::size_t k = 0; k < n && f + k < frames; ++k) x[(f + k) * nc + c] = -1.0f;
            } else if (r < 0.0008f) {
                x[f * nc + c] = std::numeric_limits<float>::quiet_NaN();
            }
        }
    }
    return x;
}

// Ceilings -12, -6, -3 dBFS by channel (every sample, about half, about a third of the loud
// ones hot); the last channel has none when there are more than 2.
MeterOptions loud_options(int channels, bool true_peak) {
    MeterOptions o;
    o.channels = channels;
    o.clip_min_run = 2;
    o.merge_ms = 10.0;
    o.hot_merge_ms = 50.0;  // 2400 frames: the long quiet stretches split events
    o.true_peak = true_peak;
    const float ceil_db[] = {-12.0f, -6.0f, -3.0f};
    for (int c = 0; c < (channels > 2 ? channels - 1 : channels); ++c)
        o.hot_ceiling_dbfs.push_back(ceil_db[c % 3]);
    return o;
}

// Hot samples of channel c counted directly: finite, above the ceiling, below full scale.
std::uint64_t count_hot(const MeterOptions& o, const std::vector<float>& x, std::size_t c) {
    if (c >= o.hot_ceiling_dbfs.size()) return 0;
    const auto hot = static_cast<float>(std::pow(10.0, static_cast<double>(o.hot_ceiling_dbfs[c]) / 20.0));
    const auto full = static_cast<float>(std::pow(10.0, static_cast<double>(o.clip_threshold_dbfs) / 20.0));
    const auto nc = static_cast<std::size_t>(o.channels);
    std::uint64_t n = 0;
    for (std::size_t i = c; i < x.size(); i += nc) {
        const float a = std::fabs(x[i]);
        if (std::isfinite(a) && a > hot && a < full) ++n;
    }
    return n;
}

} // namespace

TEST_CASE("MeterBank hot events on loud material: SIMD (bulk hot runs) equals the scalar reference") {
    const std::size_t frames = 24000;
    for (bool true_peak : {false, true}) {
        for (int channels : {1, 2, 5, 8, 9, 16, 67}) {
            const MeterOptions o = loud_options(channels, true_peak);
            const auto x = loud(channels, frames, static_cast<unsigned>(channels * 31 + (true_peak ? 1 : 0)));
            MeterOptions os = o;
            os.force_scalar = true;
            const BankRun ref = run_bank(os, x, 4096);
            REQUIRE(ref.kernel == "scalar");
            // the material must be what it claims: many hot events, hot samples as counted
            const auto hot_ref = events_of(ref, EventType::Hot);
            CHECK(hot_ref.size() >= o.hot_ceiling_dbfs.size());
            std::uint64_t in_events = 0;
            for (const auto& e : hot_ref) in_events += e.count;
            std::uint64_t counted = 0, read = 0;
            for (std::size_t c = 0; c < static_cast<std::size_t>(channels); ++c) {
                CAPTURE(c);
                CHECK(ref.folded[c].hot_samples == count_hot(o, x, c));
                // one clip count: the readings count the events the log gets
                CHECK(ref.folded[c].clip_events == events_of(ref, EventType::Clip, static_cast<int>(c)).size());
                CHECK(ref.folded[c].clip_events <= ref.folded[c].clip_runs);
                // the loudest moment is inside the event and holds its peak
                for (const auto& e : events_of(ref, EventType::Hot, static_cast<int>(c))) {
                    REQUIRE(e.peak_sample >= e.start_sample);
                    REQUIRE(e.peak_sample <= e.end_sample);
                    CHECK(std::fabs(x[e.peak_sample * static_cast<std::size_t>(channels) + c]) == e.sample_peak);
                }
                counted += count_hot(o, x, c);
                read += ref.folded[c].hot_samples;
            }
            CHECK(in_events == read);
            CHECK(counted > frames * static_cast<std::size_t>(channels) / 4);
            CHECK(!events_of(ref, EventType::Clip).empty());
            for (std::size_t block : {1u, 37u, 256u, 4096u}) {
                CAPTURE(channels);
                CAPTURE(block);
                CAPTURE(true_peak);
                const BankRun simd = run_bank(o, x, block);
                REQUIRE(simd.kernel != "scalar");
                // positions, counts, runs and sample peaks exact; true peak bit for bit when
                // it is off (and on FMA targets), else within 1e-5
                check_same_events(simd, ref, true_peak ? 1e-5 : 0.0);
                for (std::size_t c = 0; c < ref.folded.size(); ++c)
                    CHECK(same_reading(simd.folded[c], ref.folded[c], true_peak ? 1e-5 : 0.0));
            }
        }
    }
}

// One channel of a 997 Hz sine at `level` (hot against a -12 dBFS ceiling at 0.5) over
// [0, hot_end), with 48 frames from clip_at raised to a peak of 1.1 (a clip), silence after.
std::vector<float> hot_passage_with_clip(std::size_t hot_end, std::size_t clip_at, double level = 0.5) {
    std::vector<float> x(hot_end + 24000, 0.0f);
    for (std::size_t f = 0; f < hot_end; ++f) {
        const double g = f >= clip_at && f < clip_at + 48 ? 1.1 : level;
        x[f] = static_cast<float>(g * std::sin(2.0 * std::numbers::pi * 997.0 * static_cast<double>(f) / 48000.0));
    }
    return x;
}

TEST_CASE("MeterBank: a lone clip on a quiet channel makes no hot event") {
    auto x = hot_passage_with_clip(24000, 30000, 0.05);  // -26 dBFS, no clip
    x[12000] = x[12001] = -1.0f;                           // two full-scale samples alone
    // With provisional copies on, nor is a copy of one sent (the stream runs 0.75 s past the
    // clip: past the first copy's 0.6 s, with the hot gap of 2 s still open).
    for (bool provisional : {false, true})
    for (bool scalar : {true, false}) {
        CAPTURE(provisional);
        MeterOptions o;
        o.channels = 1;
        o.hot_ceiling_dbfs = {-12.0f};
        o.force_scalar = scalar;
        o.provisional_events = provisional;
        const BankRun r = run_bank(o, x, 37);
        CHECK(events_of(r, EventType::Clip).size() == 1);
        CHECK(events_of(r, EventType::Hot).empty());
    }
}

TEST_CASE("MeterBank hot event around a clip: its maxima include the clip, its peak_sample is the clip's") {
    // the clip in the middle of the hot passage, and at its very end (the passage ends in a clip)
    for (const auto& x : {hot_passage_with_clip(24000, 12000), hot_passage_with_clip(12048, 12000)})
    for (bool true_peak : {true, false}) {
        MeterOptions o;
        o.channels = 1;
        o.true_peak = true_peak;
        o.hot_ceiling_dbfs = {-12.0f};
        o.force_scalar = true;
        const BankRun ref = run_bank(o, x, 4096);
        const auto clips = events_of(ref, EventType::Clip);
        const auto hots = events_of(ref, EventType::Hot);
        REQUIRE(clips.size() == 1);
        REQUIRE(hots.size() == 1);
        CAPTURE(describe(hots[0]));
        CAPTURE(describe(clips[0]));
        CHECK(hots[0].start_sample < clips[0].start_sample);
        CHECK(hots[0].end_sample >= clips[0].end_sample);
        CHECK(hots[0].sample_peak == clips[0].sample_peak);
        CHECK(hots[0].true_peak >= clips[0].true_peak);
        CHECK(hots[0].peak_sample == clips[0].peak_sample);
        CHECK(clips[0].peak_sample >= 12000);
        CHECK(clips[0].peak_sample < 12048);
        CHECK(ref.folded[0].clip_events == 1);
        for (std::size_t block : {1u, 37u, 4096u}) {
            CAPTURE(block);
            o.force_scalar = false;
            check_same_events(run_bank(o, x, block), ref, true_peak ? 1e-5 : 0.0);
            o.force_scalar = true;
            check_same_events(run_bank(o, x, block), ref, 0.0);
        }
    }
}

TEST_CASE("MeterBank on loud material allocates nothing and takes no lock in process() and finish()") {
    REQUIRE(alloc_guard_active());
    for (int channels : {2, 16, 67}) {  // the walked and the hot_span (dense) paths
        CAPTURE(channels);
        const MeterOptions o = loud_options(channels, true);
        const auto x = loud(channels, 20000, 7u);
        const auto nc = static_cast<std::size_t>(channels);
        EventQueue q(1u << 16);
        MeterBank bank(o, &q);
        std::uint64_t allocs = 0, locks = 0;
        {
            AllocGuard g;
            for (std::size_t f = 0; f < 20000; f += 256)
                bank.process(x.data() + f * nc, std::min<std::size_t>(256, 20000 - f));
            bank.finish();
            allocs = g.allocations();
            locks = g.locks();
        }
        CHECK(allocs == 0);
        CHECK(locks == 0);
        std::size_t hot_events = 0;
        MeterEvent e;
        while (q.try_pop(e)) hot_events += e.type == EventType::Hot ? 1 : 0;
        CHECK(hot_events >= nc);  // the hot path did run
    }
}

TEST_CASE("MeterBank true peak at the end of a stream: a take stopped mid-wave reads no over that is not in the signal") {
    // 997 Hz at -0.5 dBFS (true peak -0.49 dBTP: the continuous sine's), stopped at its
    // steepest point, at a crest and in between: the end is not followed by silence, so no
    // step's overshoot may be read (zero padding read up to +0.4 dBTP here).
    const double amplitude = std::pow(10.0, -0.5 / 20.0);
    for (std::size_t stop : {62400u, 62412u, 62418u, 62424u, 62430u}) {
        std::vector<float> x(stop);
        for (std::size_t f = 0; f < stop; ++f)
            x[f] = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * 997.0 * static_cast<double>(f) / 48000.0));
        for (bool scalar : {true, false}) {
            CAPTURE(stop);
            CAPTURE(scalar);
            MeterOptions o;
            o.channels = 1;
            o.force_scalar = scalar;
            const BankRun r = run_bank(o, x, 256);
            const double tp_db = 20.0 * std::log10(static_cast<double>(r.folded[0].true_peak));
            CHECK(tp_db <= -0.5 + 0.1);   // within 0.1 dB of the continuous peak (DESIGN.md §2)
            CHECK(tp_db >= -0.5 - 0.05);
        }
    }
}
