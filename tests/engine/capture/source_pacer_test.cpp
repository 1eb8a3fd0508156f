// Pacer (engine/capture/source_pacer.*): the thread that runs a source's block step at the
// pace of its sample clock. Timing checks are lower bounds the schedule guarantees (block k
// never runs before t0 + k * period: clock_nanosleep on an absolute time) and upper bounds
// of ten times the expected figure or more, so a loaded machine cannot fail them.
#include "engine/capture/source_pacer.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

using namespace headroom;

namespace {
using Clock = std::chrono::steady_clock;
double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
} // namespace

TEST_CASE("Pacer") {
    SUBCASE("one step per block, in order, on one thread, at the stream's rate") {
        // 480 frames at 48 kHz: a 10 ms period; the step ends the run after 20 blocks.
        constexpr int kBlocks = 20;
        constexpr double kPeriod = 0.010;
        std::vector<Clock::time_point> when;
        std::vector<std::thread::id> who;
        when.reserve(kBlocks);
        who.reserve(kBlocks);
        Pacer pacer;
        const auto t0 = Clock::now();
        pacer.start(48000.0, 480, [&] {
            when.push_back(Clock::now());
            who.push_back(std::this_thread::get_id());
            return when.size() < kBlocks;
        });
        while (!pacer.ended()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            REQUIRE(Clock::now() - t0 < std::chrono::seconds(20));
        }
        pacer.stop();
        REQUIRE(when.size() == kBlocks);  // the step that returned false was the last
        for (int k = 0; k < kBlocks; ++k) {
            CHECK(who[k] == who[0]);
            // Block k is due k periods after the start, never earlier.
            CHECK(seconds(when[k] - t0) >= k * kPeriod - 1e-4);
            if (k > 0) CHECK(when[k] >= when[k - 1]);
        }
        CHECK(who[0] != std::this_thread::get_id());
        // 190 ms of blocks: paced, not run as fast as possible, and not ten times too slow.
        CHECK(seconds(when.back() - t0) >= 0.19 - 1e-4);
        CHECK(seconds(when.back() - t0) < 1.9);
    }

    SUBCASE("a late step is followed at once by the steps already due") {
        // 20 ms period; block 2 takes 200 ms, so blocks 3..11 (due at 60..220 ms) are all
        // overdue when it returns: they run back to back rather than a period apart.
        std::vector<Clock::time_point> when;
        when.reserve(16);
        Pacer pacer;
        pacer.start(1000.0, 20, [&] {
            when.push_back(Clock::now());
            if (when.size() == 3) std::this_thread::sleep_for(std::chrono::milliseconds(200));
            return when.size() < 13;
        });
        const auto t0 = Clock::now();
        while (!pacer.ended()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            REQUIRE(Clock::now() - t0 < std::chrono::seconds(20));
        }
        pacer.stop();
        REQUIRE(when.size() == 13);
        // Eight gaps a period each (160 ms) if the schedule slipped; about nothing if not.
        CHECK(seconds(when[11] - when[3]) < 0.08);
    }

    SUBCASE("stop joins: the step in progress completes, no step runs after it") {
        std::atomic<int> begun{0}, done{0};
        Pacer pacer;
        pacer.start(48000.0, 48, [&] {  // 1 ms period; each step takes 20 ms
            begun.fetch_add(1);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            done.fetch_add(1);
            return true;
        });
        const auto t0 = Clock::now();
        while (begun.load() == done.load()) {  // until a step is in progress
            std::this_thread::yield();
            REQUIRE(Clock::now() - t0 < std::chrono::seconds(20));
        }
        pacer.stop();
        CHECK(begun.load() >= 1);
        CHECK(done.load() == begun.load());  // the step in progress was waited for
        CHECK_FALSE(pacer.ended());          // stopped, not ended by the step
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        CHECK(begun.load() == done.load());  // and nothing ran since
        pacer.stop();                        // idempotent
    }

    SUBCASE("started again after a run ended: a fresh run") {
        std::atomic<int> steps{0};
        Pacer pacer;
        pacer.stop();  // before any start: nothing to join
        for (int run = 1; run <= 2; ++run) {
            steps.store(0);
            pacer.start(48000.0, 48, [&] { return steps.fetch_add(1) < 2; });  // three steps
            const auto t0 = Clock::now();
            while (!pacer.ended()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                REQUIRE(Clock::now() - t0 < std::chrono::seconds(20));
            }
            CHECK(steps.load() == 3);
        }
        pacer.start(48000.0, 48, [&] { return true; });
        CHECK_FALSE(pacer.ended());  // reset by start()
    }

    SUBCASE("the destructor stops a running pacer") {
        std::atomic<int> steps{0};
        {
            Pacer p;
            p.start(48000.0, 48, [&] { steps.fetch_add(1); return true; });
            const auto t0 = Clock::now();
            while (steps.load() < 3) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                REQUIRE(Clock::now() - t0 < std::chrono::seconds(20));
            }
        }
        const int at_end = steps.load();
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        CHECK(steps.load() == at_end);
    }
}
