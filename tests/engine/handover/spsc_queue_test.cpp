#include "engine/handover/spsc_queue.hpp"

#include <atomic>
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
}
