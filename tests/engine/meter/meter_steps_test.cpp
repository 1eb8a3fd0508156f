// The MeterBank's hop and call bookkeeping (meter_steps.hpp): the SIMD table gives exactly the
// bits of the plain one, on every instruction set compiled in and supported here, for channel
// counts around every vector width; and the plain one computes the definitions (a fold of
// known slots, a window step, a publish written out by hand).
#include "engine/meter/meter_steps.hpp"

#include <doctest/doctest.h>
#include <hwy/targets.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "engine/meter/meter_kernels.hpp"

using namespace headroom;

namespace {

constexpr int kCounts[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 31, 64, 67, 256};

// Non-negative floats over a wide range of magnitudes, so that any change in the order of
// additions changes some bits.
std::vector<float> sums(std::size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<float> v(n + kKernelPad, 0.0f);
    for (std::size_t i = 0; i < n; ++i) v[i] = u(rng) * std::pow(10.0f, 12.0f * u(rng) - 6.0f);
    return v;
}
std::vector<double> dsums(std::size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> v(n);
    for (auto& x : v) x = u(rng) * std::pow(10.0, 14.0 * u(rng) - 6.0);
    return v;
}

struct State {
    std::vector<double> hop, tick, ring, window, next;
    std::vector<float> rms, tick_max, call_max;
    HopArrays arrays() {
        return {hop.data(), tick.data(), ring.data(), window.data(), next.data(),
                rms.data(), tick_max.data(), call_max.data()};
    }
    bool operator==(const State& o) const {
        auto same = [](const auto& a, const auto& b) {
            return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0;
        };
        return same(hop, o.hop) && same(tick, o.tick) && same(ring, o.ring) && same(window, o.window) && same(next, o.next) &&
               same(rms, o.rms) && same(tick_max, o.tick_max) && same(call_max, o.call_max);
    }
};

State random_state(std::size_t nc, std::mt19937& rng) {
    State s{dsums(nc, rng), dsums(nc, rng), dsums(nc, rng), dsums(nc, rng), dsums(nc, rng), {}, {}, {}};
    for (auto* v : {&s.rms, &s.tick_max, &s.call_max}) {
        *v = sums(nc, rng);
        v->resize(nc);
    }
    s.window[0] = -1e-9;  // a running sum a hair below zero reads 0
    if (nc > 1) s.hop[1] = 1e300;  // held at kMaxSum
    return s;
}

// Every step of both tables on the same inputs; false at the first difference.
bool tables_agree(const StepTable& simd, int channels, unsigned seed) {
    const auto nc = static_cast<std::size_t>(channels);
    const std::size_t S = sq_slot_count(channels);
    std::mt19937 rng(seed);
    const std::vector<float> slots = sums(S * nc, rng);
    const StepTable& plain = plain_steps();
    const double norm = 1.0 / 14400.0;

    State a = random_state(nc, rng), b = a;
    plain.fold(slots.data(), S, nc, a.hop.data(), a.tick.data());
    simd.fold(slots.data(), S, nc, b.hop.data(), b.tick.data());
    if (!(a == b)) return false;
    for (bool rebase : {false, true, false}) {
        plain.hop(slots.data(), S, nc, a.arrays(), norm, rebase);
        simd.hop(slots.data(), S, nc, b.arrays(), norm, rebase);
        if (!(a == b)) return false;
    }

    for (bool hop_in_call : {true, false}) {
        std::vector<std::vector<float>> pa;
        for (int i = 0; i < 8; ++i) {
            pa.push_back(sums(nc, rng));
            pa.back().resize(nc);
        }
        auto pb = pa;
        auto call = [](std::vector<std::vector<float>>& v) {
            return CallArrays{v[0].data(), v[1].data(), v[2].data(), v[3].data(),
                              v[4].data(), v[5].data(), v[6].data(), v[7].data()};
        };
        std::vector<float> oa(8 * nc, 7.0f), ob = oa;
        plain.publish(nc, call(pa), hop_in_call, oa.data(), 8);
        simd.publish(nc, call(pb), hop_in_call, ob.data(), 8);
        if (pa != pb || std::memcmp(oa.data(), ob.data(), oa.size() * sizeof(float)) != 0) return false;
    }

    std::vector<float> sp = sums(nc, rng), thr = sums(nc, rng);
    for (std::size_t c = 0; c < nc; c += 3) thr[c] = 1e30f;  // some channels far below
    std::vector<std::uint32_t> la(nc, 9u), lb(nc, 9u);
    const std::size_t na = plain.above(sp.data(), thr.data(), nc, la.data());
    const std::size_t nb = simd.above(sp.data(), thr.data(), nc, lb.data());
    return na == nb && la == lb;
}

} // namespace

TEST_CASE("MeterBank steps: the SIMD table gives the plain one's bits on every target") {
    int targets = 0;
    for (std::int64_t t : hwy::SupportedAndGeneratedTargets()) {
        hwy::SetSupportedTargetsForTest(t);
        const StepTable& simd = simd_steps();
        CAPTURE(simd.name);
        for (int channels : kCounts) {
            CAPTURE(channels);
            for (unsigned seed = 1; seed <= 3; ++seed)
                CHECK(tables_agree(simd, channels, seed + 10u * static_cast<unsigned>(channels)));
        }
        ++targets;
    }
    hwy::SetSupportedTargetsForTest(0);
    CHECK(targets >= 1);
}

TEST_CASE("MeterBank steps: the plain table computes the definitions") {
    const StepTable& st = plain_steps();
    SUBCASE("fold: (p0 + p1) + (p2 + p3) per channel, slots q, q + 4, ... in order") {
        // 2 channels, S = 32: channel c's slot s holds s + 1 + 100 c; exact in double
        const std::size_t nc = 2, S = sq_slot_count(2);
        REQUIRE(S == 32);
        std::vector<float> slots(S * nc + kKernelPad, 0.0f);
        for (std::size_t s = 0; s < S; ++s)
            for (std::size_t c = 0; c < nc; ++c) slots[s * nc + c] = static_cast<float>(s + 1 + 100 * c);
        std::vector<double> hop{1.0, 2.0}, tick{10.0, 20.0};
        st.fold(slots.data(), S, nc, hop.data(), tick.data());
        CHECK(hop[0] == 1.0 + 528.0);  // 1 + 2 + ... + 32
        CHECK(hop[1] == 2.0 + 528.0 + 3200.0);
        CHECK(tick[0] == 10.0 + 528.0);
        CHECK(tick[1] == 20.0 + 3728.0);
    }
    SUBCASE("hop: the window moves by one hop and its RMS is taken") {
        const std::size_t nc = 1, S = sq_slot_count(1);
        std::vector<float> slots(S + kKernelPad, 0.0f);
        slots[0] = 3.0f;
        slots[5] = 1.0f;
        std::vector<double> hop{0.5}, tick{0.0}, ring{2.0}, window{10.0}, next{7.0};
        std::vector<float> rms{0.0f}, tick_max{0.0f}, call_max{9.0f};
        const HopArrays a{hop.data(),    tick.data(), ring.data(),     window.data(),
                          next.data(),   rms.data(),  tick_max.data(), call_max.data()};
        st.hop(slots.data(), S, nc, a, 0.25, false);
        CHECK(hop[0] == 0.0);
        CHECK(ring[0] == 4.5);
        CHECK(window[0] == 12.5);  // 10 + 4.5 - 2
        CHECK(next[0] == 11.5);    // 7 + 4.5
        CHECK(tick[0] == 4.0);
        CHECK(rms[0] == static_cast<float>(std::sqrt(12.5 * 0.25)));
        CHECK(tick_max[0] == rms[0]);
        CHECK(call_max[0] == 9.0f);
        // the ring's last row: the window becomes the rows summed as written, next starts over
        slots[0] = 1.0f;
        slots[5] = 0.0f;
        ring[0] = 100.0;  // the row that leaves: no part of a re-based window
        st.hop(slots.data(), S, nc, a, 0.25, true);
        CHECK(ring[0] == 1.0);
        CHECK(window[0] == 12.5);  // 11.5 + 1
        CHECK(next[0] == 0.0);
        CHECK(rms[0] == static_cast<float>(std::sqrt(12.5 * 0.25)));
    }
    SUBCASE("publish: the call's maxima and RMS, everything the call owns zeroed") {
        std::vector<float> psp{0.5f}, ptp{0.7f}, csp{0.6f}, ctp{0.2f}, tsp{0.1f}, ttp{0.9f}, rms{0.3f}, crm{0.4f};
        const CallArrays a{psp.data(), ptp.data(), csp.data(), ctp.data(), tsp.data(), ttp.data(), rms.data(), crm.data()};
        float out[4] = {};
        st.publish(1, a, true, out, 4);
        CHECK(out[0] == 0.6f);
        CHECK(out[1] == 0.7f);
        CHECK(out[2] == 0.3f);
        CHECK(out[3] == 0.4f);
        CHECK(tsp[0] == 0.5f);
        CHECK(ttp[0] == 0.9f);
        CHECK((psp[0] == 0.0f && ptp[0] == 0.0f && csp[0] == 0.0f && ctp[0] == 0.0f && crm[0] == 0.0f));
        st.publish(1, a, false, out, 4);
        CHECK(out[2] == -1.0f);
        CHECK(out[3] == 0.0f);
    }
}
