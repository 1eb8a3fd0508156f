#pragma once
// The BandMeter's inner loop (bands.hpp), as a table of plain functions: a scalar reference
// (band_kernels_scalar.cpp) and a Highway dynamic-dispatch SIMD version (band_kernels_hwy.cpp)
// that runs one vector of adjacent channels through the same operations.
//
// The filter section (Zavalishin's TPT state-variable filter, Q = 1/sqrt 2), per sample u:
//   v3 = u - s2;  t = v3 - (g + k) s1;  hp = a1 t;  v1 = g hp + s1 = (g a1) t + s1;
//   v2 = g v1 + s2;  s1 = 2 v1 - s1;  s2 = 2 v2 - s2;  lp = v2
// with g = tan(pi fc / rate), k = sqrt 2, a1 = 1 / (1 + g (g + k)). Every line but the first
// is one fused multiply-add; a section fed by a high-pass takes its input as a1' t' (the
// previous section's t) in one fused multiply-add, v3 = a1' t' - s2.
//
// Threads: every function here is wait-free (no allocation, lock, log or system call).
#include <cstddef>
#include <cstdint>

namespace headroom {

// One crossover's section coefficients (both sections of an LR4 are the same Butterworth).
struct SectionCoeffs {
    float g = 0.0f;         // tan(pi fc / rate)
    float g_plus_k = 0.0f;  // g + sqrt 2
    float g_a1 = 0.0f;      // g * a1
    float a1 = 0.0f;        // 1 / (1 + g (g + sqrt 2))
};
// normal thread: the coefficients for a crossover at fc (0 < fc < rate / 2).
SectionCoeffs design_section(double fc, double rate) noexcept;

// Filter state per channel: kSectionStates floats, state[s * stride + c]: sections A..F, two
// states each (s1, s2): A = the 150 Hz first section (low-pass and high-pass of x), B = the
// second low-pass (low band), C = the second high-pass; D = the 5 kHz first section on C's
// output, E = its second low-pass (mid band), F = its second high-pass (high band).
inline constexpr std::size_t kSectionStates = 12;

// Bands are laid out band-major in every per-band array: value[band * stride + channel].
// stride = band_stride(channels): channels rounded up to a whole number of the widest vector,
// so a kernel may read and write whole vectors of channels past the last one.
constexpr std::size_t band_stride(std::size_t channels) noexcept { return (channels + 63) / 64 * 64; }

struct BandKernelArgs {
    const float* x = nullptr;      // frames * channels interleaved samples (unsanitized)
    const float* x_end = nullptr;  // end of the readable memory x lies in (a kernel never reads past it)
    std::size_t frames = 0;
    std::size_t channels = 0;
    std::size_t stride = 0;        // band_stride(channels)
    SectionCoeffs low, high;       // the 150 Hz and 5 kHz crossovers
    float* state = nullptr;        // kSectionStates * stride: advanced by the frames
    float* peak = nullptr;         // 3 * stride: raised to max |band signal|
    float* sum_squares = nullptr;  // 3 * stride: + band signal^2 per frame (fma, in stream order)
    std::uint32_t* nonfinite = nullptr;  // channels: + the non-finite samples met
};

struct BandKernelTable {
    const char* name;  // "scalar" or the Highway target name
    // Runs every channel's frames through its six sections (non-finite samples as 0, finite
    // ones held within +-kBandInputLimit), band statistics as above. Lanes past the last
    // channel (up to stride) may be computed from any finite values and are never read.
    void (*run)(const BandKernelArgs& a);
};

// normal or audio thread; wait-free. The scalar reference.
const BandKernelTable& scalar_band_kernels() noexcept;
// normal thread (first call picks the target); the best target the CPU supports.
const BandKernelTable& simd_band_kernels();

} // namespace headroom
