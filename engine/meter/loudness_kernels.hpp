#pragma once
// LoudnessMeter's inner loop (K-weighting and sums of squares), as a table of plain functions:
// a scalar reference (loudness_kernels_scalar.cpp) and a Highway dynamic-dispatch SIMD version
// across channels (loudness_kernels_hwy.cpp). Both compute, for every channel, the same double
// operations in the same order (the files are compiled without FMA contraction), so they give
// the same bits.
//
// Layout: `in` is frame-major over the bus member channels, in[f * stride + j] (sanitized
// float32); every per-channel array has `stride` entries, stride a multiple of
// kLoudnessLanePad; lanes j >= count hold zeros and are computed or not, as the kernel likes.
//
// Threads: wait-free (no allocation, lock, log or system call).
#include <cstddef>

#include "engine/meter/loudness.hpp"

namespace headroom {

inline constexpr std::size_t kLoudnessLanePad = 32;  // doubles in the widest vector Highway has (2048-bit SVE)

// Per channel: the K-weighting filter's direct-form-I history and the hop's sum of squares.
struct KWeightState {
    double* in1;      // x[n-1]
    double* in2;      // x[n-2]
    double* shelf1;   // shelf output s[n-1] (the high-pass's input history)
    double* shelf2;   // s[n-2]
    double* out1;     // high-pass output z[n-1]
    double* out2;     // z[n-2]
    double* hop_sum;  // sum of z^2 since the hop began
};

struct LoudnessKernelTable {
    const char* name;  // "scalar" or the Highway target name
    // For f < frames, per channel j < count, with x = double(in[f * stride + j]):
    //   s = (((b0 x + b1 x1) + b2 x2) - a1 s1) - a2 s2
    //   z = (((s - 2 s1) + s2) - c1 z1) - c2 z2
    //   hop_sum += z * z;  x2 = x1, x1 = x, s2 = s1, s1 = s, z2 = z1, z1 = z
    void (*k_weight)(const float* in, std::size_t frames, std::size_t stride, std::size_t count,
                     const KWeighting& k, const KWeightState& st);
};

// any thread; wait-free.
const LoudnessKernelTable& scalar_loudness_kernels() noexcept;
// normal thread (the first call picks the target); the best target the CPU supports.
const LoudnessKernelTable& simd_loudness_kernels();

} // namespace headroom
