#include "engine/meter/meter_snapshot.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

using namespace headroom;

TEST_CASE("MeterExchange") {
    static_assert(std::is_trivially_copyable_v<MeterSnapshot>);
    MeterExchange x;
    MeterSnapshot s;

    SUBCASE("nothing published reads as nothing new") {
        CHECK_FALSE(x.take(s));
        CHECK(s.blocks == 0);
    }

    SUBCASE("max since last read, counts summed, latest rms, cleared by the take") {
        ChannelReading a[2]{}, b[2]{};
        a[0].sample_peak = 0.5f; a[0].clip_runs = 1; a[0].rms = 0.1f; a[0].true_peak = 0.6f;
        b[0].sample_peak = 0.25f; b[0].clip_runs = 2; b[0].rms = 0.2f; b[1].nonfinite = 3;
        x.publish([&](MeterSnapshot& slot) { slot.merge_block(a, 2, 100); });
        x.publish([&](MeterSnapshot& slot) { slot.merge_block(b, 2, 200); });
        REQUIRE(x.take(s));
        CHECK(s.blocks == 2);
        CHECK(s.frames == 200);
        CHECK(s.channels == 2);
        CHECK(s.ch[0].sample_peak == 0.5f);
        CHECK(s.ch[0].true_peak == 0.6f);
        CHECK(s.ch[0].clip_runs == 3);
        CHECK(s.ch[0].rms == 0.2f);
        CHECK(s.ch[1].nonfinite == 3);
        x.publish([&](MeterSnapshot& slot) { slot.merge_block(b, 2, 300); });
        REQUIRE(x.take(s));
        CHECK(s.ch[0].sample_peak == 0.25f);  // the 0.5 peak was read once, not again
        CHECK(s.ch[0].clip_runs == 2);
        CHECK(s.frames == 300);
        CHECK_FALSE(x.take(s));
        CHECK(s.blocks == 0);
    }

    SUBCASE("a block without a new RMS value keeps the previous one") {
        ChannelReading a[1]{}, b[1]{};
        a[0].rms = 0.3f;
        b[0].rms = -1.0f;
        x.publish([&](MeterSnapshot& slot) { slot.merge_block(a, 1, 10); });
        x.publish([&](MeterSnapshot& slot) { slot.merge_block(b, 1, 20); });
        REQUIRE(x.take(s));
        CHECK(s.ch[0].rms == 0.3f);
    }

    SUBCASE("real writer and reader threads: no lost peak, no torn read, no double count") {
        // The writer publishes blocks of kChannels channels. Every block adds one clip run to
        // every channel (so a consistent snapshot has equal counts on all channels, equal to
        // its block count). Now and then a block carries a spike of a unique value on one
        // channel. The reader takes at random intervals; afterwards every spike must show
        // (as the channel maximum) in the take whose frame range covers its block.
        constexpr int kChannels = 67;
        constexpr std::uint64_t kBlocks = 200000;
        struct Spike { std::uint64_t block; int channel; float value; };
        std::vector<Spike> spikes;
        spikes.reserve(kBlocks / 8 + 1);
        std::mt19937 wrng(1234);
        for (std::uint64_t b = 0; b < kBlocks; ++b)
            if (wrng() % 8 == 0)
                spikes.push_back({b, static_cast<int>(wrng() % kChannels),
                                  0.5f + static_cast<float>(wrng() % 1000000) * 1e-6f});

        std::atomic<bool> done{false};
        // The reader must get some takes in whatever the scheduler does (a loaded CI machine
        // can starve it for a whole run): every kPace blocks the writer waits, outside any
        // publish, until the reader has taken once more.
        constexpr std::uint64_t kPace = 2000;
        std::atomic<std::uint64_t> takes_done{0};
        std::thread writer([&] {
            ChannelReading block[kChannels]{};
            std::size_t next = 0;
            for (std::uint64_t b = 0; b < kBlocks; ++b) {
                if (b % kPace == 0)
                    while (takes_done.load(std::memory_order_acquire) < b / kPace) std::this_thread::yield();
                for (auto& r : block) { r = ChannelReading{}; r.clip_runs = 1; r.sample_peak = 0.1f; }
                while (next < spikes.size() && spikes[next].block == b) {
                    block[spikes[next].channel].sample_peak = spikes[next].value;
                    ++next;
                }
                x.publish([&](MeterSnapshot& slot) { slot.merge_block(block, kChannels, (b + 1) * 64); });  // 64 frames per block
            }
            done.store(true, std::memory_order_release);
        });

        struct Take { std::uint64_t frames; std::vector<float> peak; };
        std::vector<Take> takes;
        std::mt19937 rrng(99);
        std::uint64_t total_runs = 0;
        bool torn = false;
        MeterSnapshot snap;
        auto read_one = [&] {
            if (!x.take(snap)) return;
            for (int c = 0; c < kChannels; ++c) {
                if (snap.ch[c].clip_runs != snap.blocks) torn = true;
            }
            total_runs += snap.ch[0].clip_runs;
            Take t{snap.frames, std::vector<float>(kChannels)};
            for (int c = 0; c < kChannels; ++c) t.peak[c] = snap.ch[c].sample_peak;
            takes.push_back(std::move(t));
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
        CHECK(total_runs == kBlocks);  // every block counted exactly once
        CHECK(takes.size() >= kBlocks / kPace);
        std::size_t lost = 0, t = 0;
        for (const Spike& sp : spikes) {
            const std::uint64_t end = (sp.block + 1) * 64;
            while (t < takes.size() && takes[t].frames < end) ++t;
            if (t == takes.size() || takes[t].peak[sp.channel] < sp.value) ++lost;
        }
        CHECK(lost == 0);
        MESSAGE(takes.size() << " takes over " << kBlocks << " blocks, " << spikes.size() << " spikes");
    }
}
