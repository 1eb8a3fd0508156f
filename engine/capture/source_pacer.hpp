#pragma once
// Pacer: a thread that runs a block step at the pace of a sample clock, as an interface
// would deliver blocks: block k is due at t0 + k * frames / rate on CLOCK_MONOTONIC, and
// the thread sleeps until then with clock_nanosleep(TIMER_ABSTIME), so the schedule never
// drifts. A step that runs late is followed at once by the next one due; after a stall of
// more than a second (machine suspended) the schedule restarts from now.
//
// Threads: start()/stop() on a normal thread. The step runs on the pacer thread, which is
// the source's audio thread; it returns false to end the run.
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>

namespace headroom {

class Pacer {
public:
    Pacer() = default;
    ~Pacer();  // stops
    Pacer(const Pacer&) = delete;
    Pacer& operator=(const Pacer&) = delete;

    // normal thread. `step` is called once per block of `frames` frames at `rate`.
    void start(double rate, std::size_t frames, std::function<bool()> step);
    // normal thread; idempotent; joins the thread (the step in progress completes).
    void stop();
    // any thread: the step returned false (the run ended by itself).
    bool ended() const { return ended_.load(std::memory_order_acquire); }

private:
    void run(double rate, std::size_t frames);
    std::function<bool()> step_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> ended_{false};
    std::thread thread_;
};

} // namespace headroom
