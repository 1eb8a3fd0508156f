#pragma once
// The MeterBank's inner loops, as a table of plain functions: a scalar reference and a
// Highway dynamic-dispatch SIMD version (best instruction set chosen at run time).
// Both compute the same quantities; the SIMD one only reorders float additions.
//
// Data layout everywhere: interleaved float32, flat index i = frame * channels + channel.
// Every pointer given to a kernel may be read (and, for outputs, written) up to
// kKernelPad floats beyond the range named, so buffers carry that much slack.
//
// Threads: every function here is wait-free (no allocation, lock, log or system call);
// the MeterBank calls them from process(). Benchmarks may call them directly.
#include <cstddef>
#include <cstdint>

namespace headroom {

inline constexpr std::size_t kKernelPad = 256;  // floats of slack after every kernel buffer

// Sums of squares are kept in sq_slot_count(channels) float accumulators per channel, one per
// stream frame position modulo that count: independent chains a SIMD kernel runs in parallel
// (8 or more vector chains on AVX2 whatever the channel count), and an order of additions
// fixed by the stream alone. The MeterBank folds them (in double, in a fixed order) at every hop
// and tick end and clears them.
constexpr std::size_t sq_slot_count(int channels) noexcept {
    return channels <= 1 ? 64 : channels <= 2 ? 32 : channels <= 4 ? 16 : channels <= 8 ? 8 : channels <= 16 ? 4 : 2;
}

// Squares in float overflow beyond |x| = 1.8e19. A scan adds min(|x|, kSquareLimit)^2 to a
// slot (so a slot stays finite: at most 960 frames a hop, each below 2^116); every sample
// above the limit is full scale, and the MeterBank's slow path adds the rest, x^2 - limit^2,
// in double (meter_bank.hpp, "RMS").
inline constexpr float kSquareLimit = 0x1p58f;

// What a scan found (bit flags).
enum ScanFlags : unsigned {
    kScanSpecial = 1u,    // some sample of some channel c has !(|x| <= special_threshold[c])
    kScanNonFinite = 2u,  // some sample is NaN or inf (a sum of squares it met is NaN, or a peak is inf)
};

// copy_sanitize's callback: flat indices [begin, end) (relative to the source it was given) hold
// non-finite samples; called in stream order.
using NonFiniteFn = void (*)(void* ctx, std::size_t begin, std::size_t end);

struct KernelTable {
    const char* name;  // "scalar" or the Highway target name

    // dst[i] = src[i] when finite, else 0, for i < n. Calls on_nonfinite for ranges that hold
    // non-finite src samples (the handler reads src to find them).
    void (*copy_sanitize)(const float* src, float* dst, std::size_t n, NonFiniteFn on_nonfinite, void* ctx);

    // True-peak FIR over a flat range: for i < n, `factor` phases of `taps` coefficients,
    //   true_peak_values[i] = max over phases p of | sum_k coeffs[p * taps + k] * in[i - k * channels] |.
    // `in` must be readable from in - (taps - 1) * channels. The sum runs k = 0 .. taps-1 as
    // fused multiply-adds from 0 (so a SIMD target with FMA matches the scalar bit for bit).
    void (*true_peak)(const float* in, std::size_t n, int channels, const float* coeffs, int taps,
                      int factor, float* true_peak_values);

    // Per-channel fold over `frames` frames of x and true_peak_values (may be null: true peak
    // off, true_peak[c] = 0): sample_peak[c] = max |x|, true_peak[c] = max true_peak_values
    // (both overwritten). Sum of squares,
    // canonically (see sq_slot_count, S = sq_slot_count(channels)): for the frame at stream
    // position first_frame + f, sq_slots[((first_frame + f) % S) * channels + c] =
    // fma(q, q, that slot) with q = min(|x|, kSquareLimit) (NaN stays NaN), in float, rounded once. Every slot is a plain sequential sum over
    // its frames, so the result does not depend on how the frames are cut into calls; scalar
    // and SIMD agree bit for bit on targets with FMA (others emulate it: within 1e-5).
    // Returns ScanFlags. x need not be sanitized: with a non-finite sample the slots it touched
    // hold garbage and kScanNonFinite is set (the caller restores the slots and rescans a
    // sanitized copy). special_threshold has channels + kKernelPad entries.
    unsigned (*scan)(const float* x, const float* true_peak_values, std::size_t frames, int channels,
                     std::uint64_t first_frame, const float* special_threshold, float* sample_peak,
                     float* true_peak, float* sq_slots);

    // Hot spans, per channel over `frames` >= 1 frames of x (sanitized) and true_peak_values
    // (may be null): hot_throughout[c] = 1 when every frame is hot
    // (hot_threshold[c] < |x| < clip_threshold), else 0; sample_peak[c] = max |x| and
    // true_peak[c] = max true_peak_values (0 when null) over frames 1 .. frames - 1 (0 when
    // frames = 1). hot_threshold has channels + kKernelPad entries.
    void (*hot_span)(const float* x, const float* true_peak_values, std::size_t frames, int channels,
                     const float* hot_threshold, float clip_threshold, float* hot_throughout, float* sample_peak,
                     float* true_peak);
};

// normal or audio thread; wait-free. hot_span one sample at a time (the scalar table's, and
// the SIMD one's below one vector of channels).
void hot_span_plain(const float* x, const float* true_peak_values, std::size_t frames, int channels,
                    const float* hot_threshold, float clip_threshold, float* hot_throughout, float* sample_peak,
                    float* true_peak) noexcept;

// normal or audio thread; wait-free. The scalar reference.
const KernelTable& scalar_kernels() noexcept;
// normal thread (first call picks the target and may allocate inside Highway); the SIMD
// kernels of the best target the CPU supports among those compiled in.
const KernelTable& simd_kernels();

} // namespace headroom
