#include "engine/handover/spsc_queue.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>

#include <doctest/doctest.h>

using namespace headroom;

namespace {
struct Item { std::uint64_t seq; std::uint64_t check; };
}

TEST_CASE("SpscQueue") {
    SUBCASE("capacity rounds up to a power of two and a full queue refuses and counts") {
        SpscQueue<Item> q(5);
        CHECK(q.capacity() == 8);
        for (std::uint64_t i = 0; i < 8; ++i) CHECK(q.try_push({i, ~i}));
        CHECK_FALSE(q.try_push({8, 0}));
        CHECK(q.dropped() == 1);
        Item it{};
        for (std::uint64_t i = 0; i < 8; ++i) {
            REQUIRE(q.try_pop(it));
            CHECK(it.seq == i);
        }
        CHECK_FALSE(q.try_pop(it));
    }

    SUBCASE("real producer and consumer threads: in order, intact, nothing lost that was accepted") {
        SpscQueue<Item> q(1024);
        constexpr std::uint64_t kItems = 2000000;
        std::atomic<std::uint64_t> gave_up{0};
        std::atomic<bool> finished{false};
        std::thread producer([&] {
            std::mt19937 rng(7);
            for (std::uint64_t i = 0; i < kItems; ++i) {
                while (!q.try_push({i, i * 0x9E3779B97F4A7C15ull})) {
                    if (rng() % 4 == 0) {  // sometimes give up, like the audio thread
                        gave_up.fetch_add(1, std::memory_order_relaxed);
                        break;
                    }
                    std::this_thread::yield();
                }
            }
            finished.store(true, std::memory_order_release);
        });
        std::uint64_t last = 0, received = 0;
        bool in_order = true, intact = true, first = true;
        Item it{};
        for (;;) {
            if (q.try_pop(it)) {
                if (!first && it.seq <= last) in_order = false;
                if (it.check != it.seq * 0x9E3779B97F4A7C15ull) intact = false;
                last = it.seq; first = false; ++received;
                if (it.seq == kItems - 1) break;
            } else if (finished.load(std::memory_order_acquire)) {
                break;
            }
        }
        producer.join();
        while (q.try_pop(it)) ++received;
        CHECK(in_order);
        CHECK(intact);
        CHECK(received == kItems - gave_up.load());  // every accepted item arrives once
        CHECK(q.dropped() >= gave_up.load());        // every refusal was counted
    }

    SUBCASE("size_approx from other threads while both sides run: never above capacity") {
        // A small ring kept busy from both ends, and two observers calling size_approx as
        // fast as they can: four busy threads, so the scheduler often stops an observer
        // between its two loads while the others run on. Loaded tail first, a pop in such a
        // pause makes head > tail and the unsigned difference wraps to nearly 2^64; loaded
        // head first but not clamped, the difference can exceed the capacity.
        SpscQueue<Item> q(8);
        std::atomic<bool> stop{false};
        std::thread producer([&] {
            std::uint64_t i = 0;
            while (!stop.load(std::memory_order_relaxed))
                if (q.try_push({i, ~i})) ++i;
        });
        std::thread consumer([&] {
            Item it{};
            while (!stop.load(std::memory_order_relaxed)) (void)q.try_pop(it);
        });
        struct Seen { std::size_t largest = 0; std::uint64_t calls = 0, nonzero = 0; };
        auto observe = [&q](Seen& seen) {
            // Long enough for the old tail-first order to fail in most runs (half of 300 ms
            // runs failed on a loaded 2-core machine); the clamp makes the check certain.
            const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            while (std::chrono::steady_clock::now() < until) {
                for (int k = 0; k < 1000; ++k) {
                    const std::size_t n = q.size_approx();
                    seen.largest = std::max(seen.largest, n);
                    seen.nonzero += n > 0 ? 1 : 0;
                }
                seen.calls += 1000;
            }
        };
        Seen a, b;
        std::thread observer([&] { observe(b); });
        observe(a);
        observer.join();
        stop.store(true, std::memory_order_relaxed);
        producer.join();
        consumer.join();
        CHECK(a.largest <= q.capacity());
        CHECK(b.largest <= q.capacity());
        CHECK(a.nonzero + b.nonzero > 0);  // the observers did see items in flight
        MESSAGE((a.calls + b.calls) << " size_approx calls, largest " << std::max(a.largest, b.largest));
    }
}
