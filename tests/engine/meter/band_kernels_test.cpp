// The band kernel (band_kernels.hpp): the SIMD table against the scalar reference on every
// instruction set compiled in and supported here, at channel counts around every vector
// width, short frame counts, odd buffer offsets, and inputs holding NaN, +-Inf, huge values
// and zeros of both signs. Exact (bit for bit) on targets with a fused multiply-add; on
// SSSE3/SSE4/EMU128/SCALAR within 1e-5 of the input's scale (the largest |sample| the
// filters saw, at least 1; squared for the sums of squares) or of the value (band_kernels.hpp).
#include "engine/meter/band_kernels.hpp"

#include <doctest/doctest.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/meter/bands.hpp"

using namespace headroom;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

bool target_has_fma(std::int64_t target) {
    return (target & (HWY_SSSE3 | HWY_SSE4 | HWY_EMU128 | HWY_SCALAR)) == 0;
}

// Everything a kernel call changes, for one implementation.
struct Run {
    std::vector<float> state, peak, squares;
    std::vector<std::uint32_t> nonfinite;
};

Run run_kernel(const BandKernelTable& k, const std::vector<float>& x, std::size_t offset, std::size_t channels,
               std::size_t frames, std::size_t chunks, double rate) {
    const std::size_t st = band_stride(channels);
    Run r{std::vector<float>(kSectionStates * st, 0.0f), std::vector<float>(3 * st, 0.0f),
          std::vector<float>(3 * st, 0.0f), std::vector<std::uint32_t>(channels, 0u)};
    // exactly the samples, at `offset` floats into its own allocation: a read past the end is a
    // read past the allocation (caught by the sanitizer build)
    std::vector<float> buf(offset + frames * channels);
    std::memcpy(buf.data() + offset, x.data(), frames * channels * sizeof(float));
    BandKernelArgs a;
    a.channels = channels;
    a.stride = st;
    a.low = design_section(kLowCrossoverHz, rate);
    a.high = design_section(kHighCrossoverHz, rate);
    a.state = r.state.data();
    a.peak = r.peak.data();
    a.sum_squares = r.squares.data();
    a.nonfinite = r.nonfinite.data();
    a.x_end = buf.data() + buf.size();
    // in `chunks` calls (state carried over)
    std::size_t f = 0;
    for (std::size_t i = 0; i < chunks; ++i) {
        const std::size_t n = i + 1 == chunks ? frames - f : frames / chunks;
        a.x = buf.data() + offset + f * channels;
        a.frames = n;
        k.run(a);
        f += n;
    }
    return r;
}

// tolerance > 0: values within tolerance * (scale + |a|) also pass.
std::string first_difference(const char* what, const std::vector<float>& a, const std::vector<float>& b,
                             std::size_t channels, std::size_t stride, double tolerance, double scale) {
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i % stride >= channels) continue;  // lanes past the last channel are never read
        std::uint32_t ua, ub;
        std::memcpy(&ua, &a[i], 4);
        std::memcpy(&ub, &b[i], 4);
        if (ua == ub) continue;
        if (tolerance > 0.0 && std::fabs(double(a[i]) - double(b[i])) <= tolerance * (scale + std::fabs(double(a[i]))))
            continue;
        return std::string(what) + "[" + std::to_string(i) + "]: scalar " + std::to_string(a[i]) + " vs SIMD " +
               std::to_string(b[i]);
    }
    return "";
}

} // namespace

TEST_CASE("band_kernels: SIMD equals the scalar reference") {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    int targets = 0;
    for (const std::int64_t t : hwy::SupportedAndGeneratedTargets()) {
        hwy::SetSupportedTargetsForTest(t);
        const BandKernelTable& simd = simd_band_kernels();
        INFO("target ", std::string(simd.name));
        REQUIRE(std::string(simd.name) == hwy::TargetName(t));
        const double tolerance = target_has_fma(t) ? 0.0 : 1e-5;
        ++targets;
        for (std::size_t channels : {1u, 2u, 3u, 7u, 8u, 9u, 16u, 17u, 45u, 67u, 256u})
            for (std::size_t frames : {1u, 2u, 31u, 173u})
                for (std::size_t offset : {0u, 1u, 3u})
                    for (int special : {0, 1}) {
                        CAPTURE(channels);
                        CAPTURE(frames);
                        CAPTURE(offset);
                        CAPTURE(special);
                        std::vector<float> x(frames * channels);
                        for (float& v : x) v = u(rng);
                        if (special != 0) {  // NaN, +-Inf, huge, -0, the limit and one ulp beyond
                            const float odd[] = {kNaN, kInf, -kInf, 3e38f, -1e30f, -0.0f,
                                                 kBandInputLimit, std::nextafter(kBandInputLimit, kInf)};
                            for (float v : odd) x[rng() % x.size()] = v;
                        }
                        for (std::size_t chunks : {std::size_t{1}, std::min<std::size_t>(frames, 3)}) {
                            const Run a = run_kernel(scalar_band_kernels(), x, offset, channels, frames, chunks, 48000.0);
                            const Run b = run_kernel(simd, x, offset, channels, frames, chunks, 48000.0);
                            const std::size_t st = band_stride(channels);
                            double scale = 1.0;
                            for (float v : x)
                                if (std::isfinite(v)) scale = std::max(scale, std::min(double(std::fabs(v)), double(kBandInputLimit)));
                            CHECK(first_difference("state", a.state, b.state, channels, st, tolerance, scale) == "");
                            CHECK(first_difference("peak", a.peak, b.peak, channels, st, tolerance, scale) == "");
                            CHECK(first_difference("sum_squares", a.squares, b.squares, channels, st, tolerance, scale * scale) == "");
                            CHECK(a.nonfinite == b.nonfinite);
                            for (float v : b.state) REQUIRE(std::isfinite(v));
                        }
                    }
    }
    hwy::SetSupportedTargetsForTest(0);
    CHECK(targets >= 1);
}

TEST_CASE("band_kernels: non-finite samples are counted and enter the filters as 0") {
    const std::size_t channels = 5, frames = 200;
    std::vector<float> x(frames * channels), zeroed;
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i));
    zeroed = x;
    const std::size_t bad[] = {3 * channels + 1, 50 * channels + 1, 51 * channels + 4, 199 * channels + 4};
    x[bad[0]] = kNaN;
    x[bad[1]] = kInf;
    x[bad[2]] = -kInf;
    x[bad[3]] = kNaN;
    for (std::size_t i : bad) zeroed[i] = 0.0f;
    for (const BandKernelTable* k : {&scalar_band_kernels(), &simd_band_kernels()}) {
        INFO(k->name);
        const Run a = run_kernel(*k, x, 0, channels, frames, 1, 48000.0);
        const Run b = run_kernel(*k, zeroed, 0, channels, frames, 1, 48000.0);
        CHECK(std::memcmp(a.state.data(), b.state.data(), a.state.size() * 4) == 0);
        CHECK(std::memcmp(a.squares.data(), b.squares.data(), a.squares.size() * 4) == 0);
        CHECK(a.nonfinite == std::vector<std::uint32_t>{0, 2, 0, 0, 2});
        CHECK(b.nonfinite == std::vector<std::uint32_t>(channels, 0u));
    }
}
