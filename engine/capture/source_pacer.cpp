#include "engine/capture/source_pacer.hpp"

#include <pthread.h>
#include <time.h>

#include <cerrno>
#include <cstdint>

#include "engine/capture/capture_core.hpp"

namespace headroom {
namespace {
timespec to_timespec(std::int64_t ns) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(ns / 1000000000);
    ts.tv_nsec = static_cast<long>(ns % 1000000000);
    return ts;
}
} // namespace

Pacer::~Pacer() { stop(); }

void Pacer::start(double rate, std::size_t frames, std::function<bool()> step) {
    stop();
    step_ = std::move(step);
    stop_.store(false, std::memory_order_relaxed);
    ended_.store(false, std::memory_order_relaxed);
    thread_ = std::thread([this, rate, frames] { run(rate, frames); });
}

void Pacer::stop() {
    stop_.store(true, std::memory_order_release);
    if (thread_.joinable()) thread_.join();
}

void Pacer::run(double rate, std::size_t frames) {
    // Best effort: real-time priority when the user may have it (audio group); else normal.
    sched_param sp{};
    sp.sched_priority = 10;
    (void)pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);

    const double period_ns = static_cast<double>(frames) * 1e9 / rate;
    std::int64_t t0 = monotonic_ns();
    std::uint64_t k = 0;
    while (!stop_.load(std::memory_order_acquire)) {
        if (!step_()) {
            ended_.store(true, std::memory_order_release);
            return;
        }
        ++k;
        std::int64_t due = t0 + static_cast<std::int64_t>(static_cast<double>(k) * period_ns);
        const std::int64_t now = monotonic_ns();
        if (now - due > 1000000000) {  // a stall of over a second: restart the schedule
            t0 = now;
            k = 0;
            continue;
        }
        const timespec ts = to_timespec(due);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
        }
    }
}

} // namespace headroom
