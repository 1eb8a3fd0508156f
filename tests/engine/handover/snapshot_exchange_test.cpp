#include "engine/handover/snapshot_exchange.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>
#include <type_traits>
#include <vector>

#include <doctest/doctest.h>

using namespace headroom;

namespace {

// A small snapshot of the shape SnapshotExchange asks for: a carried-over position, a count
// of merges, per-lane counters every merge raises together (a consistent copy has them all
// equal to `merges`), and per-lane maxima since the last take.
struct Tally {
    static constexpr int kLanes = 13;
    std::uint64_t position = 0;                 // carried over by clear(), like a stream position
    std::uint32_t merges = 0;                   // publishes since the last take (0: nothing new)
    std::array<std::uint32_t, kLanes> count{};  // +1 on every lane per merge
    std::array<float, kLanes> peak{};           // max since the last take

    void merge(std::uint64_t new_position, const float* lane_peak) noexcept {
        position = new_position;
        ++merges;
        for (int i = 0; i < kLanes; ++i) {
            ++count[i];
            peak[i] = std::max(peak[i], lane_peak[i]);
        }
    }
    void clear() noexcept {
        merges = 0;
        count = {};
        peak = {};
    }
    bool empty() const noexcept { return merges == 0; }
};
static_assert(std::is_trivially_copyable_v<Tally>);

} // namespace

TEST_CASE("SnapshotExchange") {
    SnapshotExchange<Tally> x;
    Tally t;
    float peaks[Tally::kLanes]{};

    SUBCASE("nothing published reads as nothing new") {
        CHECK_FALSE(x.take(t));
        CHECK(t.empty());
    }

    SUBCASE("everything merged since the last take, once; the position carries over") {
        peaks[0] = 0.5f;
        x.publish([&](Tally& slot) { slot.merge(100, peaks); });
        peaks[0] = 0.25f;
        peaks[3] = 0.75f;
        x.publish([&](Tally& slot) { slot.merge(200, peaks); });
        REQUIRE(x.take(t));
        CHECK(t.merges == 2);
        CHECK(t.position == 200);
        CHECK(t.count[5] == 2);
        CHECK(t.peak[0] == 0.5f);
        CHECK(t.peak[3] == 0.75f);

        CHECK_FALSE(x.take(t));  // nothing since: the reader's slot was cleared
        CHECK(t.merges == 0);

        peaks[0] = 0.125f;
        peaks[3] = 0.0f;
        x.publish([&](Tally& slot) { slot.merge(300, peaks); });
        REQUIRE(x.take(t));
        CHECK(t.merges == 1);
        CHECK(t.peak[0] == 0.125f);  // the 0.5 peak was read once, not again
        CHECK(t.peak[3] == 0.0f);
        CHECK(t.position == 300);
    }

    SUBCASE("a cleared slot keeps what clear() keeps") {
        x.publish([&](Tally& slot) { slot.merge(64, peaks); });
        REQUIRE(x.take(t));
        // The writer is now on the other slot; two takes later it is back on the first one,
        // whose position clear() left at 64.
        x.publish([&](Tally& slot) { CHECK(slot.position == 0); });
        CHECK_FALSE(x.take(t));
        x.publish([&](Tally& slot) { CHECK(slot.position == 64); });
    }

    SUBCASE("real writer and reader threads: no lost peak, no torn read, no double count") {
        // The writer publishes kMerges merges. Every merge raises every lane's count by one
        // (so a consistent copy has all counts equal to its merge count). Now and then a
        // merge carries a spike of a unique value on one lane. The reader takes at random
        // intervals; afterwards every spike must show (as that lane's maximum) in the take
        // whose position range covers its merge.
        constexpr std::uint64_t kMerges = 200000;
        struct Spike { std::uint64_t merge; int lane; float value; };
        std::vector<Spike> spikes;
        spikes.reserve(kMerges / 8 + 1);
        std::mt19937 wrng(1234);
        for (std::uint64_t m = 0; m < kMerges; ++m)
            if (wrng() % 8 == 0)
                spikes.push_back({m, static_cast<int>(wrng() % Tally::kLanes),
                                  0.5f + static_cast<float>(wrng() % 1000000) * 1e-6f});

        std::atomic<bool> done{false};
        // The reader must get some takes in whatever the scheduler does (a loaded CI machine
        // can starve it for a whole run): every kPace merges the writer waits, outside any
        // publish, until the reader has taken once more.
        constexpr std::uint64_t kPace = 2000;
        std::atomic<std::uint64_t> takes_done{0};
        std::thread writer([&] {
            float lane_peak[Tally::kLanes];
            std::size_t next = 0;
            for (std::uint64_t m = 0; m < kMerges; ++m) {
                if (m % kPace == 0)
                    while (takes_done.load(std::memory_order_acquire) < m / kPace) std::this_thread::yield();
                std::fill(std::begin(lane_peak), std::end(lane_peak), 0.1f);
                while (next < spikes.size() && spikes[next].merge == m) {
                    lane_peak[spikes[next].lane] = spikes[next].value;
                    ++next;
                }
                x.publish([&](Tally& slot) { slot.merge(m + 1, lane_peak); });
            }
            done.store(true, std::memory_order_release);
        });

        struct Take { std::uint64_t position; std::array<float, Tally::kLanes> peak; };
        std::vector<Take> takes;
        std::mt19937 rrng(99);
        std::uint64_t total_merges = 0;
        bool torn = false;
        Tally snap;
        auto read_one = [&] {
            if (!x.take(snap)) return;
            for (int i = 0; i < Tally::kLanes; ++i)
                if (snap.count[i] != snap.merges) torn = true;
            total_merges += snap.count[0];
            takes.push_back({snap.position, snap.peak});
            takes_done.fetch_add(1, std::memory_order_release);
        };
        while (!done.load(std::memory_order_acquire)) {
            read_one();
            const auto pause = rrng() % 200;
            if (pause < 150) std::this_thread::sleep_for(std::chrono::microseconds(pause));
        }
        writer.join();
        read_one();

        CHECK_FALSE(torn);
        CHECK(total_merges == kMerges);  // every merge taken exactly once
        CHECK(takes.size() >= kMerges / kPace);
        std::size_t lost = 0, k = 0;
        for (const Spike& sp : spikes) {
            while (k < takes.size() && takes[k].position < sp.merge + 1) ++k;
            if (k == takes.size() || takes[k].peak[sp.lane] < sp.value) ++lost;
        }
        CHECK(lost == 0);
        MESSAGE(takes.size() << " takes over " << kMerges << " merges, " << spikes.size() << " spikes");
    }
}
