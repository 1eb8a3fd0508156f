// The MeterBank's kernels (meter_kernels.hpp), each entry of the SIMD table against the scalar
// reference, on every instruction set compiled in and supported here: channel counts around
// every vector width, short frame counts, buffers that start at odd offsets (STYLE.md §6), and
// inputs holding full-scale samples, values at and one ulp either side of the thresholds, and
// NaN/Inf where the kernel is specified to see them (copy_sanitize, scan).
//
// Exact means bit for bit. On a target without a fused multiply-add (SSSE3, SSE4) the kernel
// header allows the sums of products (true-peak values, sums of squares) to differ within 1e-5;
// everything else (copies, maxima, flags, hot spans) is exact on every target.
#include "engine/meter/meter_kernels.hpp"

#include <doctest/doctest.h>
#include <hwy/targets.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/meter/true_peak.hpp"

using namespace headroom;

namespace {

constexpr int kChannelCounts[] = {1, 2, 3, 7, 8, 9, 16, 45, 67, 256};
constexpr std::size_t kFrameCounts[] = {1, 2, 31, 64, 173};
constexpr std::size_t kOffsets[] = {0, 1, 3};  // floats a buffer starts past its allocation
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kClip = 0.98855310f;  // -0.1 dBFS, the default clip threshold

float up(float x) { return std::nextafter(x, kInf); }
float down(float x) { return std::nextafter(x, -kInf); }

std::uint32_t bits(float x) {
    std::uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

// A buffer of n floats (plus kKernelPad of slack) starting `offset` floats past its
// allocation, so that its data() is as misaligned as the offset makes it.
struct Buffer {
    std::vector<float> storage;
    std::size_t offset;
    Buffer(std::size_t n, std::size_t off, float fill = 0.0f) : storage(off + n + kKernelPad, fill), offset(off) {}
    float* data() { return storage.data() + offset; }
    float& operator[](std::size_t i) { return storage[offset + i]; }
};

// "" when a[0..n) and b[0..n) hold the same bits; else where and what the first difference is.
// tolerance > 0: values within tolerance * (1 + |a|) also pass.
std::string first_difference(const char* what, const float* a, const float* b, std::size_t n, double tolerance = 0.0) {
    for (std::size_t i = 0; i < n; ++i) {
        if (bits(a[i]) == bits(b[i])) continue;
        if (tolerance > 0.0 && std::fabs(double(a[i]) - double(b[i])) <= tolerance * (1.0 + std::fabs(double(a[i]))))
            continue;
        return std::string(what) + "[" + std::to_string(i) + "]: scalar " + std::to_string(a[i]) + " vs SIMD " +
               std::to_string(b[i]);
    }
    return "";
}

// Highway targets that emulate MulAdd with a multiply and an add.
bool target_has_fma(std::int64_t target) {
    return (target & (HWY_SSSE3 | HWY_SSE4 | HWY_EMU128 | HWY_SCALAR)) == 0;
}

// Runs f(simd table, target) with every target compiled in and supported here.
template <class F>
void for_each_target(F&& f) {
    int targets = 0;
    for (const std::int64_t t : hwy::SupportedAndGeneratedTargets()) {
        hwy::SetSupportedTargetsForTest(t);
        const KernelTable& simd = simd_kernels();
        INFO("target ", std::string(simd.name));
        REQUIRE(std::string(simd.name) == hwy::TargetName(t));
        f(simd, t);
        ++targets;
    }
    hwy::SetSupportedTargetsForTest(0);
    CHECK(targets >= 1);
}

// Samples in [-1, 1] with full-scale ones, zeros of both signs, a subnormal, and values just
// either side of the clip threshold sprinkled in.
std::vector<float> audio(std::size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::uniform_int_distribution<int> pick(0, 15);
    std::vector<float> v(n);
    for (auto& x : v) {
        switch (pick(rng)) {
            case 0: x = 1.0f; break;
            case 1: x = -1.0f; break;
            case 2: x = kClip; break;
            case 3: x = -down(kClip); break;
            case 4: x = up(kClip); break;
            case 5: x = -0.0f; break;
            case 6: x = 1e-40f; break;
            default: x = u(rng); break;
        }
    }
    return v;
}

// ---- copy_sanitize ----------------------------------------------------------------------

struct Ranges {
    std::vector<std::pair<std::size_t, std::size_t>> seen;
    static void record(void* ctx, std::size_t b, std::size_t e) { static_cast<Ranges*>(ctx)->seen.emplace_back(b, e); }
};

// The scalar table reports each non-finite sample as [i, i + 1); the SIMD one may report wider
// ranges (the handler reads src to find them): in order, inside [0, n), together holding
// exactly the non-finite samples. "" when so.
std::string check_ranges(const Ranges& simd, const Ranges& scalar, const float* src, std::size_t n) {
    std::vector<std::size_t> expected, found;
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(src[i])) expected.push_back(i);
    for (const auto& [b, e] : scalar.seen) {
        if (e != b + 1) return "scalar range wider than one sample";
        found.push_back(b);
    }
    if (found != expected) return "scalar ranges are not the non-finite samples";
    found.clear();
    std::size_t last_end = 0;
    for (const auto& [b, e] : simd.seen) {
        if (b < last_end || e <= b || e > n) return "SIMD range out of order or outside [0, n)";
        last_end = e;
        const std::size_t before = found.size();
        for (std::size_t i = b; i < e; ++i)
            if (!std::isfinite(src[i])) found.push_back(i);
        if (found.size() == before) return "SIMD range with no non-finite sample";
    }
    if (found != expected) return "SIMD ranges miss a non-finite sample";
    return "";
}

void compare_copy_sanitize(const KernelTable& simd, int channels, std::size_t frames, std::size_t offset,
                           int nonfinite_count, std::mt19937& rng) {
    const std::size_t n = frames * static_cast<std::size_t>(channels);
    Buffer src(n, offset);
    const std::vector<float> a = audio(n, rng);
    std::copy(a.begin(), a.end(), src.data());
    const float specials[] = {kNaN, kInf, -kInf, -kNaN};
    std::uniform_int_distribution<std::size_t> where(0, n - 1);
    for (int k = 0; k < nonfinite_count; ++k) src[where(rng)] = specials[k % 4];
    if (nonfinite_count > 0) src[n - 1] = kNaN;  // the very last sample (a tail on every target)

    Buffer out_scalar(n, offset, 7.0f), out_simd(n, offset, 7.0f);
    Ranges r_scalar, r_simd;
    scalar_kernels().copy_sanitize(src.data(), out_scalar.data(), n, &Ranges::record, &r_scalar);
    simd.copy_sanitize(src.data(), out_simd.data(), n, &Ranges::record, &r_simd);
    CHECK(first_difference("dst", out_scalar.data(), out_simd.data(), n) == "");
    CHECK(check_ranges(r_simd, r_scalar, src.data(), n) == "");
    for (std::size_t i = 0; i < n; ++i) {  // the reference itself: finite copied, the rest +0
        const float want = std::isfinite(src[i]) ? src[i] : 0.0f;
        if (bits(out_scalar[i]) != bits(want)) {
            CHECK(bits(out_scalar[i]) == bits(want));
            break;
        }
    }
}

// ---- true_peak --------------------------------------------------------------------------

struct Fir {
    int factor;
    int taps;
    std::vector<float> coeffs;
};

std::vector<Fir> firs(std::mt19937& rng) {
    std::vector<Fir> v;
    for (double rate : {48000.0, 96000.0, 192000.0}) {  // the interpolators the product uses
        const InterpolatorDesign d = design_true_peak_interpolator(rate);
        v.push_back({d.factor, d.taps, d.coeffs});
    }
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (auto [factor, taps] : {std::pair{3, 7}, std::pair{5, 3}, std::pair{2, 1}}) {  // other shapes
        Fir f{factor, taps, std::vector<float>(static_cast<std::size_t>(factor * taps))};
        for (auto& c : f.coeffs) c = u(rng);
        v.push_back(f);
    }
    return v;
}

void compare_true_peak(const KernelTable& simd, bool exact, int channels, std::size_t frames, std::size_t offset,
                       const Fir& fir, std::mt19937& rng) {
    const auto nc = static_cast<std::size_t>(channels);
    const std::size_t n = frames * nc;
    const std::size_t history = static_cast<std::size_t>(fir.taps - 1) * nc;  // readable before `in`
    Buffer in(history + n, offset);
    const std::vector<float> a = audio(history + n, rng);  // sanitized: finite, full scale and more
    std::copy(a.begin(), a.end(), in.data());
    in[history] = 1.0f;
    in[history + n - 1] = -1.0f;
    Buffer out_scalar(n, offset, 7.0f), out_simd(n, offset, 7.0f);
    scalar_kernels().true_peak(in.data() + history, n, channels, fir.coeffs.data(), fir.taps, fir.factor,
                               out_scalar.data());
    simd.true_peak(in.data() + history, n, channels, fir.coeffs.data(), fir.taps, fir.factor, out_simd.data());
    CHECK(first_difference("true_peak_values", out_scalar.data(), out_simd.data(), n, exact ? 0.0 : 1e-5) == "");
}

// ---- scan -------------------------------------------------------------------------------

struct ScanResult {
    unsigned flags = 0;
    std::vector<float> sample_peak, true_peak, slots;
};

struct ScanInput {
    int channels;
    std::size_t frames;
    std::uint64_t first_frame;
    Buffer x;
    Buffer true_peak_values;
    bool true_peak_on;
    std::vector<float> special_threshold;  // channels + kKernelPad
    std::vector<float> slots_before;       // S * channels + kKernelPad
};

ScanResult run_scan(const KernelTable& k, const ScanInput& in, std::size_t split = 0) {
    const auto nc = static_cast<std::size_t>(in.channels);
    ScanResult r;
    r.sample_peak.assign(nc + kKernelPad, 7.0f);
    r.true_peak.assign(nc + kKernelPad, 7.0f);
    r.slots = in.slots_before;
    auto* x = const_cast<float*>(in.x.storage.data() + in.x.offset);
    auto* tpv = in.true_peak_on ? const_cast<float*>(in.true_peak_values.storage.data() + in.true_peak_values.offset)
                                : nullptr;
    if (split == 0) {
        r.flags = k.scan(x, tpv, in.frames, in.channels, in.first_frame, in.special_threshold.data(),
                         r.sample_peak.data(), r.true_peak.data(), r.slots.data());
        return r;
    }
    // Two calls: the slots must not depend on how the frames are cut; the maxima are the
    // larger of the two calls'.
    std::vector<float> sp2(nc + kKernelPad), tp2(nc + kKernelPad);
    r.flags = k.scan(x, tpv, split, in.channels, in.first_frame, in.special_threshold.data(), r.sample_peak.data(),
                     r.true_peak.data(), r.slots.data());
    r.flags |= k.scan(x + split * nc, tpv ? tpv + split * nc : nullptr, in.frames - split, in.channels,
                      in.first_frame + split, in.special_threshold.data(), sp2.data(), tp2.data(), r.slots.data());
    for (std::size_t c = 0; c < nc; ++c) {
        r.sample_peak[c] = std::fmax(r.sample_peak[c], sp2[c]);
        r.true_peak[c] = std::fmax(r.true_peak[c], tp2[c]);
    }
    return r;
}

ScanInput scan_input(int channels, std::size_t frames, std::size_t offset, std::uint64_t first_frame, bool true_peak_on,
                     std::mt19937& rng) {
    const auto nc = static_cast<std::size_t>(channels);
    const std::size_t n = frames * nc;
    ScanInput in{channels, frames, first_frame, Buffer(n, offset), Buffer(n, offset + 2), true_peak_on, {}, {}};
    const std::vector<float> a = audio(n, rng);
    std::copy(a.begin(), a.end(), in.x.data());
    std::uniform_real_distribution<float> u(0.0f, 1.2f);
    for (std::size_t i = 0; i < n; ++i) in.true_peak_values[i] = u(rng);
    // Thresholds per channel: above everything, at full scale, at the clip level, mid-scale.
    const float levels[] = {kInf, 1.0f, kClip, 0.5f, 3.0f};
    in.special_threshold.assign(nc + kKernelPad, kInf);  // the pad as the MeterBank fills it
    for (std::size_t c = 0; c < nc; ++c) in.special_threshold[c] = levels[c % 5];
    std::uniform_real_distribution<float> s(0.0f, 50.0f);
    in.slots_before.assign(sq_slot_count(channels) * nc + kKernelPad, 0.0f);
    for (std::size_t i = 0; i < sq_slot_count(channels) * nc; ++i) in.slots_before[i] = s(rng);
    return in;
}

// Every |x| at or below its channel's threshold (ties included): no special sample.
void quiet_down(ScanInput& in) {
    const auto nc = static_cast<std::size_t>(in.channels);
    for (std::size_t f = 0; f < in.frames; ++f)
        for (std::size_t c = 0; c < nc; ++c) {
            float& x = in.x[f * nc + c];
            const float t = in.special_threshold[c];
            if (std::fabs(x) > t) x = std::copysign(t, x);
        }
    for (std::size_t c = 0; c < nc; ++c)  // exactly at the threshold, in the last frame
        if (std::isfinite(in.special_threshold[c])) in.x[(in.frames - 1) * nc + c] = -in.special_threshold[c];
}

void compare_scan(const KernelTable& simd, bool exact, const ScanInput& in, const char* what) {
    INFO(std::string(what));
    const auto nc = static_cast<std::size_t>(in.channels);
    const std::size_t slot_floats = sq_slot_count(in.channels) * nc;
    const double tol = exact ? 0.0 : 1e-5;
    const ScanResult ref = run_scan(scalar_kernels(), in);
    const ScanResult got = run_scan(simd, in);
    CHECK(ref.flags == got.flags);
    CHECK(first_difference("sample_peak", ref.sample_peak.data(), got.sample_peak.data(), nc) == "");
    CHECK(first_difference("true_peak", ref.true_peak.data(), got.true_peak.data(), nc) == "");
    CHECK(first_difference("sq_slots", ref.slots.data(), got.slots.data(), slot_floats, tol) == "");
    if (in.frames >= 2) {  // the SIMD table cut in two calls, against the scalar in one
        const ScanResult cut = run_scan(simd, in, in.frames / 2 + 1 == in.frames ? 1 : in.frames / 2 + 1);
        CHECK(ref.flags == cut.flags);
        CHECK(first_difference("sample_peak (two calls)", ref.sample_peak.data(), cut.sample_peak.data(), nc) == "");
        CHECK(first_difference("true_peak (two calls)", ref.true_peak.data(), cut.true_peak.data(), nc) == "");
        CHECK(first_difference("sq_slots (two calls)", ref.slots.data(), cut.slots.data(), slot_floats, tol) == "");
    }
}

void check_scan(const KernelTable& simd, bool exact, int channels, std::size_t frames,
                std::size_t offset, std::mt19937& rng) {
    const auto nc = static_cast<std::size_t>(channels);
    const std::size_t n = frames * nc;
    for (std::uint64_t first : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{37}, (std::uint64_t{1} << 33) + 5}) {
        for (bool tp : {true, false}) {
            CAPTURE(first);
            CAPTURE(tp);
            ScanInput in = scan_input(channels, frames, offset, first, tp, rng);
            compare_scan(simd, exact, in, "full-scale samples over mixed thresholds");

            quiet_down(in);
            REQUIRE(run_scan(scalar_kernels(), in).flags == 0u);
            compare_scan(simd, exact, in, "every sample at or below its threshold: no flag");

            // one ulp above the threshold at the first, a middle and the last sample
            for (std::size_t i : {std::size_t{0}, n / 2, n - 1}) {
                const std::size_t c = i % nc;
                if (!std::isfinite(in.special_threshold[c])) continue;
                const float keep = in.x[i];
                in.x[i] = up(in.special_threshold[c]);
                REQUIRE(run_scan(scalar_kernels(), in).flags == kScanSpecial);
                compare_scan(simd, exact, in, "one sample one ulp above its threshold");
                in.x[i] = keep;
            }
        }
    }
    // Non-finite samples (x need not be sanitized): only the flag is specified, the slots and
    // maxima are then garbage the caller throws away.
    // Finite samples whose float square overflows: each adds kSquareLimit^2 to its slot (the
    // bank adds the rest), the same bits in every kernel, the slots finite, no non-finite flag.
    for (float big : {1e20f, -1e20f, std::numeric_limits<float>::max(), std::nextafter(kSquareLimit, 0.0f)}) {
        for (std::size_t i : {std::size_t{0}, n / 2, n - 1}) {
            ScanInput in = scan_input(channels, frames, offset, 3, true, rng);
            in.x[i] = big;
            CAPTURE(big);
            CAPTURE(i);
            const auto ref = run_scan(scalar_kernels(), in);
            REQUIRE((ref.flags & kScanNonFinite) == 0u);
            compare_scan(simd, exact, in, "a sample whose square overflows float");
        }
    }
    for (float bad : {kNaN, kInf, -kInf}) {
        for (std::size_t i : {std::size_t{0}, n / 2, n - 1}) {
            ScanInput in = scan_input(channels, frames, offset, 3, true, rng);
            in.x[i] = bad;
            const unsigned ref = run_scan(scalar_kernels(), in).flags;
            const unsigned got = run_scan(simd, in).flags;
            CAPTURE(bad);
            CAPTURE(i);
            REQUIRE((ref & kScanNonFinite) != 0u);
            CHECK((got & kScanNonFinite) != 0u);
        }
    }
}

// ---- hot_span ---------------------------------------------------------------------------

void compare_hot_span(const KernelTable& simd, int channels, std::size_t frames, std::size_t offset, bool tp_on,
                      std::mt19937& rng) {
    const auto nc = static_cast<std::size_t>(channels);
    const std::size_t n = frames * nc;
    std::vector<float> hot(nc + kKernelPad, kInf);
    for (std::size_t c = 0; c < nc; ++c) hot[c] = 0.25f + 0.01f * static_cast<float>(c % 7);
    Buffer x(n, offset), tpv(n, offset + 1);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::bernoulli_distribution sign(0.5);
    for (std::size_t f = 0; f < frames; ++f) {
        for (std::size_t c = 0; c < nc; ++c) {
            const float h = hot[c];
            float a = h + (kClip - h) * (0.01f + 0.98f * u(rng));  // strictly inside: hot
            switch (c % 6) {
                case 1: if (f == (3 * c) % frames) a = h; break;                 // at the ceiling: not hot
                case 2: if (f == (5 * c + 1) % frames) a = kClip; break;         // at full scale: not hot
                case 3: a = f % 2 ? up(h) : down(kClip); break;                  // the edges, inside: hot
                case 4: a = u(rng); if (f % 4 == 0) a = 1.0f; break;             // full-scale content
                case 5: if (f == frames - 1) a = down(h); break;                 // the last frame below
                default: break;
            }
            x[f * nc + c] = sign(rng) ? -a : a;
            tpv[f * nc + c] = 1.3f * u(rng);
        }
    }
    struct Out {
        std::vector<float> all, sp, tp;
    };
    auto run = [&](const KernelTable& k) {
        Out o{std::vector<float>(nc + kKernelPad, 7.0f), std::vector<float>(nc + kKernelPad, 7.0f),
              std::vector<float>(nc + kKernelPad, 7.0f)};
        k.hot_span(x.data(), tp_on ? tpv.data() : nullptr, frames, channels, hot.data(), kClip, o.all.data(),
                   o.sp.data(), o.tp.data());
        return o;
    };
    const Out ref = run(scalar_kernels());
    const Out got = run(simd);
    CHECK(first_difference("hot_throughout", ref.all.data(), got.all.data(), nc) == "");
    CHECK(first_difference("sample_peak", ref.sp.data(), got.sp.data(), nc) == "");
    CHECK(first_difference("true_peak", ref.tp.data(), got.tp.data(), nc) == "");
    // the reference itself, on the channels whose answer is known in closed form
    for (std::size_t c = 0; c < nc; ++c) {
        CAPTURE(c);
        if (c % 6 == 0 || c % 6 == 3) CHECK(ref.all[c] == 1.0f);
        if (c % 6 == 1 || c % 6 == 2 || c % 6 == 5) CHECK(ref.all[c] == 0.0f);
    }
    if (frames == 1) {
        for (std::size_t c = 0; c < nc; ++c) CHECK((ref.sp[c] == 0.0f && ref.tp[c] == 0.0f));
    }
}

} // namespace

TEST_CASE("meter_kernels: the scalar table is the one named scalar") {
    CHECK(std::string(scalar_kernels().name) == "scalar");
    CHECK(std::string(simd_kernels().name) != "scalar");
}

TEST_CASE("meter_kernels: copy_sanitize, SIMD against scalar on every target") {
    std::mt19937 rng(12);
    for_each_target([&](const KernelTable& simd, std::int64_t) {
        for (int channels : kChannelCounts)
            for (std::size_t frames : kFrameCounts)
                for (std::size_t offset : kOffsets)
                    for (int nonfinite : {0, 1, 7}) {
                        CAPTURE(channels);
                        CAPTURE(frames);
                        CAPTURE(offset);
                        CAPTURE(nonfinite);
                        compare_copy_sanitize(simd, channels, frames, offset, nonfinite, rng);
                    }
    });
}

TEST_CASE("meter_kernels: true_peak, SIMD against scalar on every target") {
    std::mt19937 rng(13);
    const std::vector<Fir> filters = firs(rng);
    for_each_target([&](const KernelTable& simd, std::int64_t target) {
        const bool exact = target_has_fma(target);
        for (const Fir& fir : filters)
            for (int channels : kChannelCounts)
                for (std::size_t frames : kFrameCounts)
                    for (std::size_t offset : kOffsets) {
                        CAPTURE(fir.factor);
                        CAPTURE(fir.taps);
                        CAPTURE(channels);
                        CAPTURE(frames);
                        CAPTURE(offset);
                        compare_true_peak(simd, exact, channels, frames, offset, fir, rng);
                    }
    });
}

TEST_CASE("meter_kernels: scan, SIMD against scalar on every target") {
    std::mt19937 rng(14);
    for_each_target([&](const KernelTable& simd, std::int64_t target) {
        for (int channels : kChannelCounts)
            for (std::size_t frames : kFrameCounts)
                for (std::size_t offset : kOffsets) {
                    CAPTURE(channels);
                    CAPTURE(frames);
                    CAPTURE(offset);
                    check_scan(simd, target_has_fma(target), channels, frames, offset, rng);
                }
    });
}

// 2..4 channels on HWY_SCALAR (one lane) keep 16 or 32 slots per channel: ScanT once sent every
// slot count above 8 to ScanGroups<8>, summing frames into slots modulo 8.
TEST_CASE("meter_kernels: scan's sums of squares on the HWY_SCALAR target, 2..4 channels") {
    bool ran = false;
    std::mt19937 rng(16);
    for_each_target([&](const KernelTable& simd, std::int64_t target) {
        if (target != HWY_SCALAR) return;
        ran = true;
        for (int channels : {2, 3, 4}) {
            CAPTURE(channels);
            ScanInput in = scan_input(channels, 64, 0, 0, false, rng);
            compare_scan(simd, target_has_fma(target), in, "HWY_SCALAR");
        }
    });
    if (!ran) MESSAGE("HWY_SCALAR is not among the targets compiled in and supported here");
}

TEST_CASE("meter_kernels: hot_span, SIMD against scalar on every target") {
    std::mt19937 rng(15);
    for_each_target([&](const KernelTable& simd, std::int64_t) {
        for (int channels : kChannelCounts)
            for (std::size_t frames : kFrameCounts)
                for (std::size_t offset : kOffsets)
                    for (bool tp : {true, false}) {
                        CAPTURE(channels);
                        CAPTURE(frames);
                        CAPTURE(offset);
                        CAPTURE(tp);
                        compare_hot_span(simd, channels, frames, offset, tp, rng);
                    }
    });
}

TEST_CASE("meter_kernels: the comparison can fail") {
    // a deliberately wrong value is caught (STYLE.md §12)
    const float a[] = {1.0f, 0.5f, -0.0f};
    const float b[] = {1.0f, 0.5f, 0.0f};
    const float c[] = {1.0f, std::nextafter(0.5f, 1.0f), -0.0f};
    CHECK(first_difference("v", a, a, 3) == "");
    CHECK(first_difference("v", a, b, 3) != "");
    CHECK(first_difference("v", a, c, 3) != "");
    CHECK(first_difference("v", a, c, 3, 1e-5) == "");
}
