#include "engine/capture/capture_core.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define HEADROOM_X86_CSR 1
#endif

namespace headroom {

bool ensure_denormals_flushed() noexcept {
#if defined(HEADROOM_X86_CSR)
    constexpr unsigned kFtz = 0x8000u;  // MXCSR bit 15: flush to zero
    constexpr unsigned kDaz = 0x0040u;  // MXCSR bit 6: denormals are zero
    const unsigned csr = _mm_getcsr();
    if ((csr & (kFtz | kDaz)) == (kFtz | kDaz)) return false;
    _mm_setcsr(csr | kFtz | kDaz);
    return true;
#elif defined(__aarch64__)
    std::uint64_t fpcr = 0;
    asm volatile("mrs %0, fpcr" : "=r"(fpcr));
    constexpr std::uint64_t kFz = 1ull << 24;  // FPCR.FZ: flush denormal inputs and results
    if (fpcr & kFz) return false;
    asm volatile("msr fpcr, %0" : : "r"(fpcr | kFz));
    return true;
#else
    return false;
#endif
}

std::int64_t monotonic_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no system call on Linux
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

CaptureCore::CaptureCore(const MeterOptions& o, EventQueue& events, MeterExchange& snapshots)
    : bank_(o, &events),
      snapshots_(snapshots),
      channels_(static_cast<std::size_t>(o.channels)),
      max_block_(o.max_block),
      ns_per_frame_(1e9 / o.sample_rate) {}

CaptureCore::~CaptureCore() = default;

void CaptureCore::meter(const float* interleaved, std::size_t frames) noexcept {
    bank_.process(interleaved, frames);
    const std::uint64_t end = frames_.load(std::memory_order_relaxed) + frames;
    snapshots_.publish([&](MeterSnapshot& snap) noexcept {
        snap.merge_block(bank_.block_readings(), static_cast<int>(channels_), end);
        snap.merge_programme(bank_.band_readings(), bank_.bus_readings(), bank_.bus_count());
    });
    frames_.store(end, std::memory_order_relaxed);
}

void CaptureCore::step(const float* interleaved, std::size_t frames) noexcept {
    const std::int64_t t0 = monotonic_ns();
    ensure_denormals_flushed();
    std::size_t done = 0;
    while (done < frames) {
        const std::size_t n = std::min(max_block_, frames - done);
        meter(interleaved + done * channels_, n);
        done += n;
    }
    const std::int64_t t1 = monotonic_ns();

    callbacks_.store(callbacks_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    last_step_ns_.store(t1, std::memory_order_relaxed);
    if (frames == 0) return;
    const double period = static_cast<double>(frames) * ns_per_frame_;
    const double share = static_cast<double>(t1 - t0) / period;
    const auto ppm = static_cast<std::uint32_t>(std::clamp(share * 1e6, 0.0, 4.0e9));
    load_sum_ppm_.store(load_sum_ppm_.load(std::memory_order_relaxed) + ppm, std::memory_order_relaxed);
    load_blocks_.store(load_blocks_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    std::uint32_t cur = load_max_ppm_.load(std::memory_order_relaxed);
    // At most one other agent (the poller's exchange) can interfere: bounded retries.
    while (ppm > cur && !load_max_ppm_.compare_exchange_weak(cur, ppm, std::memory_order_relaxed)) {
    }
}

void CaptureCore::finish() noexcept {
    ensure_denormals_flushed();
    bank_.finish();
    const std::uint64_t end = frames_.load(std::memory_order_relaxed);
    snapshots_.publish([&](MeterSnapshot& snap) noexcept {
        snap.merge_block(bank_.block_readings(), static_cast<int>(channels_), end);
        snap.merge_programme(bank_.band_readings(), bank_.bus_readings(), bank_.bus_count());
    });
}

void CaptureCore::count_xrun() noexcept {
    xruns_.fetch_add(1, std::memory_order_relaxed);  // also called from a host's notification thread
}

CallbackLoad CaptureCore::take_load() noexcept {
    const std::uint64_t blocks = load_blocks_.load(std::memory_order_relaxed);
    const std::uint64_t sum = load_sum_ppm_.load(std::memory_order_relaxed);
    const std::uint32_t mx = load_max_ppm_.exchange(0, std::memory_order_relaxed);
    CallbackLoad l;
    l.blocks = blocks - poll_blocks_;
    if (l.blocks > 0)
        l.mean = static_cast<float>(static_cast<double>(sum - poll_sum_) / static_cast<double>(l.blocks) * 1e-6);
    l.max = static_cast<float>(static_cast<double>(mx) * 1e-6);
    poll_blocks_ = blocks;
    poll_sum_ = sum;
    return l;
}

} // namespace headroom
