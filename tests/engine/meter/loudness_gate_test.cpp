// LoudnessGate against a model that keeps every value (libebur128's exact mode: sort, gate,
// rank), its fixed memory (a ten-hour session's blocks allocate nothing), values beyond the
// top bin, and reset.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "engine/meter/loudness.hpp"
#include "tests/engine/meter/loudness_harness.hpp"
#include "tests/support/alloc_guard.hpp"

using namespace headroom;
using namespace headroom::test;

namespace {

const double kGate = std::pow(10.0, (-70.0 + 0.691) / 10.0);

double energy(double lufs_value) { return std::pow(10.0, (lufs_value + 0.691) / 10.0); }

// libebur128 (exact mode) on a list of block energies.
double model_integrated(const std::vector<double>& blocks) {
    double sum = 0.0;
    std::size_t n = 0;
    for (double e : blocks)
        if (e >= kGate) sum += e, ++n;
    if (n == 0) return -1.0;
    const double threshold = sum / static_cast<double>(n) * 0.1;
    double gated = 0.0;
    std::size_t m = 0;
    for (double e : blocks)
        if (e >= kGate && e >= threshold) gated += e, ++m;
    return gated / static_cast<double>(m);
}

double model_range(const std::vector<double>& short_terms) {
    std::vector<double> v;
    for (double e : short_terms)
        if (e >= kGate) v.push_back(e);
    if (v.empty()) return -1.0;
    std::sort(v.begin(), v.end());
    double sum = 0.0;
    for (double e : v) sum += e;
    const double threshold = sum / static_cast<double>(v.size()) * 0.01;
    const auto first = std::lower_bound(v.begin(), v.end(), threshold);
    const std::vector<double> g(first, v.end());
    if (g.size() < 2) return -1.0;
    const double low = g[static_cast<std::size_t>(static_cast<double>(g.size() - 1) * 0.10 + 0.5)];
    const double high = g[static_cast<std::size_t>(static_cast<double>(g.size() - 1) * 0.95 + 0.5)];
    return lufs(high) - lufs(low);
}

} // namespace

TEST_CASE("LoudnessGate") {
    SUBCASE("empty, silent and gated-out input give no value") {
        LoudnessGate g;
        CHECK(g.integrated_ms() < 0.0);
        CHECK(g.loudness_range_lu() < 0.0);
        g.add_block(0.0);
        g.add_block(energy(-70.5));
        g.add_block(-1.0);
        g.add_block(std::nan(""));
        g.add_short_term(energy(-80.0));
        CHECK(g.block_count() == 0);
        CHECK(g.integrated_ms() < 0.0);
        CHECK(g.loudness_range_lu() < 0.0);
        g.add_short_term(energy(-23.0));
        CHECK(g.loudness_range_lu() < 0.0);  // one value: no range
        g.add_short_term(energy(-23.0));
        CHECK(g.loudness_range_lu() == doctest::Approx(0.0));
    }

    SUBCASE("random programmes match the exact model (integrated 0.01 LU, LRA 0.02 LU)") {
        std::mt19937 rng(1770);
        for (int trial = 0; trial < 40; ++trial) {
            CAPTURE(trial);
            std::normal_distribution<double> level(-25.0 + trial % 7, 2.0 + trial % 9);
            std::uniform_int_distribution<int> count(3, 3000);
            const int n = count(rng);
            std::vector<double> values;
            LoudnessGate g;
            for (int i = 0; i < n; ++i) {
                const double l = i % 13 == 0 ? -75.0 + trial : level(rng);
                const double e = energy(l);
                values.push_back(e);
                g.add_block(e);
                g.add_short_term(e);
            }
            const double mi = model_integrated(values), mr = model_range(values);
            REQUIRE(mi > 0.0);
            CHECK(std::fabs(lufs(g.integrated_ms()) - lufs(mi)) <= 0.01);
            if (mr >= 0.0) CHECK(std::fabs(g.loudness_range_lu() - mr) <= 0.02);
            else CHECK(g.loudness_range_lu() < 0.0);
        }
    }

    SUBCASE("values above the top bin count exactly") {
        LoudnessGate g;
        for (int i = 0; i < 10; ++i) g.add_block(energy(40.0));
        CHECK(lufs(g.integrated_ms()) == doctest::Approx(40.0).epsilon(1e-12));
        g.add_block(energy(35.0));
        const double expected = (10.0 * energy(40.0) + energy(35.0)) / 11.0;
        CHECK(g.integrated_ms() == doctest::Approx(expected).epsilon(1e-12));
        // Short-term values there share one bin: a range inside it reads 0, one reaching into
        // the bins reads the difference from that bin's mean.
        for (double l : {29.0, 45.0, 45.0}) g.add_short_term(energy(l));
        CHECK(g.loudness_range_lu() == doctest::Approx(16.0).epsilon(1e-6));
    }

    SUBCASE("a ten-hour session allocates nothing and reset starts over") {
        REQUIRE(alloc_guard_active());
        LoudnessGate g;
        std::mt19937 rng(7);
        std::normal_distribution<double> level(-20.0, 6.0);
        std::vector<double> e(4096);
        for (double& v : e) v = energy(level(rng));
        double smallest_integrated = 1.0, smallest_range = 100.0;
        std::uint64_t allocations = 0, locks = 0;
        {
            AllocGuard guard;
            for (std::size_t i = 0; i < 360000; ++i) {  // ten hours of 100 ms steps
                g.add_block(e[i % e.size()]);
                g.add_short_term(e[(i * 7) % e.size()]);
                if (i % 1000 == 999) {
                    smallest_integrated = std::min(smallest_integrated, g.integrated_ms());
                    smallest_range = std::min(smallest_range, g.loudness_range_lu());
                }
            }
            g.reset();
            allocations = guard.allocations();
            locks = guard.locks();
        }
        CHECK(allocations == 0);
        CHECK(locks == 0);
        CHECK(smallest_integrated > 0.0);
        CHECK(smallest_range > 10.0);
        CHECK(g.block_count() == 0);
        CHECK(g.integrated_ms() < 0.0);
        g.add_block(energy(-23.0));
        CHECK(lufs(g.integrated_ms()) == doctest::Approx(-23.0).epsilon(1e-12));
    }
}
