// CaptureCore: the callback path every live source runs (engine/capture/capture_core.*).
#include "engine/capture/capture_core.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "engine/capture/demo_studio.hpp"
#include "tests/support/alloc_guard.hpp"

using namespace headroom;

namespace {
MeterOptions core_options(int channels, std::size_t max_block) {
    MeterOptions o;
    o.sample_rate = 48000.0;
    o.channels = channels;
    o.max_block = max_block;
    o.hot_ceiling_dbfs.assign(static_cast<std::size_t>(channels), -12.0f);
    return o;
}
} // namespace

TEST_CASE("CaptureCore") {
    SUBCASE("the whole callback path allocates nothing and takes no lock") {
        REQUIRE(test::alloc_guard_active());
        constexpr int kChannels = 64;
        constexpr std::size_t kFrames = 256;
        EventQueue events(1u << 16);
        MeterExchange snaps;
        CaptureCore core(core_options(kChannels, kFrames), events, snaps);
        DemoStudio demo(kChannels, 48000.0);
        std::vector<float> block(kFrames * kChannels);
        std::mt19937 rng(5);
        std::uint64_t allocs = 0, locks = 0;
        // 2 s of audio, block by block, as the demo source's pacing thread runs it: synthesis,
        // then the core step with a clip, a hot sample or a NaN thrown in now and then so
        // every event kind is pushed from inside the guard.
        for (int b = 0; b < 375; ++b) {
            test::AllocGuard g;
            demo.render(block.data(), kFrames);
            if (b % 7 == 0) block[(rng() % kFrames) * kChannels + rng() % kChannels] = 1.0f;
            if (b % 11 == 0) block[(rng() % kFrames) * kChannels + rng() % kChannels] = 0.5f;
            if (b % 13 == 0) block[(rng() % kFrames) * kChannels + rng() % kChannels] = NAN;
            if (b % 17 == 0) core.count_xrun();
            core.step(block.data(), kFrames);
            allocs += g.allocations();
            locks += g.locks();
        }
        {
            test::AllocGuard g;
            core.finish();
            allocs += g.allocations();
            locks += g.locks();
        }
        CHECK(allocs == 0);
        CHECK(locks == 0);
        // ... and it did the work: events were pushed and readings published.
        std::size_t clips = 0, hot = 0, nonfinite = 0, envelope = 0;
        MeterEvent e;
        while (events.try_pop(e)) {
            clips += e.type == EventType::Clip;
            hot += e.type == EventType::Hot;
            nonfinite += e.type == EventType::NonFinite;
            envelope += e.type == EventType::Envelope;
        }
        CHECK(clips > 10);
        CHECK(hot > 5);
        CHECK(nonfinite > 5);
        CHECK(envelope >= 20 * kChannels);
        MeterSnapshot s;
        REQUIRE(snaps.take(s));
        CHECK(s.blocks == 376);  // 375 steps and the finish
        CHECK(s.frames == 375 * kFrames);
        CHECK(core.callbacks() == 375);
        CHECK(core.xruns() == 23);
        const CallbackLoad load = core.take_load();
        CHECK(load.blocks == 375);
        CHECK(load.mean > 0.0f);
        CHECK(load.max >= load.mean);
    }

    SUBCASE("with bands and buses (issue 15) the callback path still allocates nothing, resets included") {
        REQUIRE(test::alloc_guard_active());
        constexpr int kChannels = 64;
        constexpr std::size_t kFrames = 64;
        MeterOptions o = core_options(kChannels, kFrames);
        o.bands = true;
        o.buses = {parse_bus("mix=1-2").bus, parse_bus("surround=3-8").bus, parse_bus("all=1-64").bus};
        EventQueue events(1u << 16);
        MeterExchange snaps;
        CaptureCore core(o, events, snaps);
        DemoStudio demo(kChannels, 48000.0);
        std::vector<float> block(kFrames * kChannels);
        std::uint64_t allocs = 0, locks = 0;
        std::size_t bands = 0, loudness = 0;
        MeterEvent e;
        for (int b = 0; b < 3000; ++b) {  // 4 s
            {
                test::AllocGuard g;
                demo.render(block.data(), kFrames);
                if (b % 500 == 250) core.request_loudness_reset(b % 3);
                core.step(block.data(), kFrames);
                allocs += g.allocations();
                locks += g.locks();
            }
            while (events.try_pop(e)) {
                bands += e.type == EventType::Bands;
                loudness += e.type == EventType::Loudness;
            }
        }
        CHECK(allocs == 0);
        CHECK(locks == 0);
        CHECK(bands >= 39 * kChannels);
        CHECK(loudness >= 39 * 3);
        MeterSnapshot s;
        REQUIRE(snaps.take(s));
        CHECK(s.bands_on);
        CHECK(s.buses == 3);
        CHECK(s.bus[2].momentary_max_ms > 0.0f);
        CHECK(s.bus[2].resets >= 1);
        CHECK(s.band[0][0].peak > 0.0f);
    }

    SUBCASE("blocks longer than max_block are metered in pieces, nothing lost") {
        EventQueue events(1024);
        MeterExchange snaps;
        CaptureCore core(core_options(3, 64), events, snaps);
        std::vector<float> block(1000 * 3, 0.0f);
        block[999 * 3 + 2] = 0.75f;  // the last frame of a 1000-frame block, channel 3
        core.step(block.data(), 1000);
        core.finish();
        MeterSnapshot s;
        REQUIRE(snaps.take(s));
        CHECK(s.frames == 1000);
        CHECK(s.ch[2].sample_peak == 0.75f);
        CHECK(core.callbacks() == 1);
    }

    SUBCASE("FTZ/DAZ: set once on the calling thread") {
        std::thread t([] {
            const bool changed_first = ensure_denormals_flushed();
            const bool changed_again = ensure_denormals_flushed();
            CHECK_FALSE(changed_again);
            (void)changed_first;
#if defined(__x86_64__) || defined(__aarch64__)
            volatile float tiny = 1e-30f;
            volatile float denormal = tiny * 1e-10f;  // 1e-40: a denormal unless flushed
            CHECK(denormal == 0.0f);
#endif
        });
        t.join();
    }

    SUBCASE("real writer and reader: every spike shows in some take, no torn read") {
        // The writer runs the core over a long stream cut into random blocks (1..512 frames)
        // of quiet noise with random single-sample spikes of unique values; every block also
        // carries one NaN on every channel at the same frame, so a consistent take has the
        // same non-finite count on all channels. The reader takes snapshots at random
        // intervals and drains the event queue, as the window and the recorder do.
        constexpr int kChannels = 16;
        constexpr int kBlocks = 6000;
        EventQueue events(1u << 14);
        MeterExchange snaps;
        CaptureCore core(core_options(kChannels, 512), events, snaps);
        const std::uint64_t delay = static_cast<std::uint64_t>(core.bank().true_peak_delay());

        struct Spike { std::uint64_t frame; int channel; float value; };
        std::vector<Spike> spikes;
        std::vector<std::size_t> sizes(kBlocks);
        std::mt19937 wrng(2026);
        std::uint64_t total = 0;
        for (int b = 0; b < kBlocks; ++b) {
            sizes[b] = 1 + wrng() % 512;
            const std::size_t nan_at = (total * 7) % sizes[b];  // the writer's NaN frame (see below)
            const std::size_t at = wrng() % sizes[b];
            if (wrng() % 3 == 0 && at != nan_at) {
                const float v = 0.2f + static_cast<float>(spikes.size()) * 1e-4f;  // unique, < full scale
                spikes.push_back({total + at, static_cast<int>(wrng() % kChannels), v});
            }
            total += sizes[b];
        }
        REQUIRE(spikes.back().value < 0.98f);

        std::atomic<bool> done{false};
        std::thread writer([&] {
            std::vector<float> block(512 * kChannels);
            std::mt19937 nrng(7);
            std::uniform_real_distribution<float> noise(-0.01f, 0.01f);
            std::uint64_t pos = 0;
            std::size_t next = 0;
            for (int b = 0; b < kBlocks; ++b) {
                const std::size_t n = sizes[b];
                for (std::size_t i = 0; i < n * kChannels; ++i) block[i] = noise(nrng);
                const std::size_t nan_at = (pos * 7) % n;
                for (int c = 0; c < kChannels; ++c) block[nan_at * kChannels + c] = NAN;
                while (next < spikes.size() && spikes[next].frame < pos + n) {
                    const Spike& s = spikes[next++];
                    block[(s.frame - pos) * kChannels + s.channel] = s.value;
                }
                core.step(block.data(), n);
                pos += n;
            }
            core.finish();
            done.store(true, std::memory_order_release);
        });

        struct Take { std::uint64_t frames; std::vector<float> peak; };
        std::vector<Take> takes;
        std::mt19937 rrng(99);
        std::uint64_t nonfinite_total = 0;
        bool torn = false;
        MeterSnapshot snap;
        MeterEvent e;
        auto read_one = [&] {
            while (events.try_pop(e)) {
            }
            if (!snaps.take(snap)) return;
            for (int c = 1; c < kChannels; ++c)
                if (snap.ch[c].nonfinite != snap.ch[0].nonfinite) torn = true;
            nonfinite_total += snap.ch[0].nonfinite;
            Take t{snap.frames, std::vector<float>(kChannels)};
            for (int c = 0; c < kChannels; ++c) t.peak[c] = snap.ch[c].sample_peak;
            takes.push_back(std::move(t));
        };
        while (!done.load(std::memory_order_acquire)) {
            read_one();
            const auto pause = rrng() % 300;
            if (pause < 200) std::this_thread::sleep_for(std::chrono::microseconds(pause));
        }
        writer.join();
        read_one();

        CHECK_FALSE(torn);
        CHECK(nonfinite_total == static_cast<std::uint64_t>(kBlocks));  // every block exactly once
        CHECK(takes.size() > 20);
        // A spike at frame n is measured once frame n + D has arrived (meter_bank.hpp "Time
        // base"): it belongs to the first take whose stream position is past n + D (or to the
        // last take, after finish()).
        // The model: each take's peak on a channel is the largest spike attributed to it, or
        // noise (< 0.2) when none is.
        std::vector<std::vector<float>> expected(takes.size(), std::vector<float>(kChannels, 0.0f));
        std::size_t t = 0;
        for (const Spike& sp : spikes) {
            while (t + 1 < takes.size() && takes[t].frames < sp.frame + delay + 1) ++t;
            expected[t][sp.channel] = std::max(expected[t][sp.channel], sp.value);
        }
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < takes.size(); ++i)
            for (int c = 0; c < kChannels; ++c) {
                const float want = expected[i][c], got = takes[i].peak[c];
                if (want > 0.0f ? got != want : !(got < 0.2f)) ++wrong;
            }
        CHECK(wrong == 0);
        MESSAGE(takes.size() << " takes over " << kBlocks << " blocks (" << total << " frames), " << spikes.size()
                              << " spikes");
    }
}

