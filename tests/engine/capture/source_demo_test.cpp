// The demo source (engine/capture/source_demo.cpp): DemoStudio on a pacing thread, through
// Capture. What it adds to DemoStudio (demo_studio_test.cpp): the channel-count check, the
// defaults it reports, real-time pacing, and a stream delivered whole and in order.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "engine/base/errors.hpp"
#include "engine/capture/capture.hpp"
#include "engine/capture/demo_studio.hpp"
#include "tests/engine/capture/capture_helpers.hpp"

using namespace headroom;
using headroom::test::options_for;

TEST_CASE("DemoSource") {
    SourceSpec spec;
    spec.kind = SourceSpec::Kind::Demo;

    SUBCASE("channel count outside 1..256: a UsageError naming the option") {
        for (int bad : {0, -1, kMaxChannels + 1}) {
            spec.demo_channels = bad;
            CHECK_THROWS_AS(Capture{spec}, UsageError);
            try {
                Capture c(spec);
            } catch (const UsageError& e) {
                CHECK(std::string(e.what()).find("--demo-channels " + std::to_string(bad)) != std::string::npos);
            }
        }
        spec.demo_channels = kMaxChannels;
        CHECK(Capture(spec).info().channels == kMaxChannels);
    }

    SUBCASE("what it reports: defaults, and the rate and buffer asked for") {
        {
            Capture cap(spec);
            const SourceInfo& i = cap.info();
            CHECK(i.kind == "demo");
            CHECK(i.device == "Demo studio");
            CHECK(i.host_api.empty());
            CHECK(i.sample_rate == 48000.0);
            CHECK(i.channels == 8);
            CHECK(i.buffer_frames == 256);
            const DemoStudio studio(8, 48000.0);
            CHECK(i.channel_names == studio.names());
            CHECK(i.suggested_presets == studio.presets());
        }
        spec.demo_channels = 3;
        spec.rate = 96000.0;
        spec.buffer_frames = 64;
        Capture cap(spec);
        CHECK(cap.info().channels == 3);
        CHECK(cap.info().sample_rate == 96000.0);
        CHECK(cap.info().buffer_frames == 64);
        CHECK(cap.info().channel_names.size() == 3);
    }

    SUBCASE("plays the studio in real time, every frame once and in order") {
        // 3 channels (vocal, bass, kick) at 48 kHz, 256-frame blocks, for about 0.3 s.
        spec.demo_channels = 3;
        Capture cap(spec);
        cap.configure(options_for(cap.info()));
        std::vector<ChannelReading> total(3);
        std::vector<MeterEvent> ticks;  // the envelope: one event per channel per tick
        std::uint64_t seen_frames = 0;
        auto drain = [&] {
            MeterSnapshot s;
            if (cap.snapshots().take(s)) {
                for (std::size_t c = 0; c < 3; ++c) total[c].merge(s.ch[c]);
                seen_frames = s.frames;
            }
            MeterEvent e;
            while (cap.events().try_pop(e))
                if (e.type == EventType::Envelope) ticks.push_back(e);
        };
        const auto t0 = std::chrono::steady_clock::now();
        cap.start();
        while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(300)) {
            drain();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        cap.stop();
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        drain();
        const CaptureStatus st = cap.poll_status();

        // Paced by the sample clock: no more frames than the wall time allows (one block of
        // slack for the first, due at once), and at least some (ten times slower would fail).
        CHECK(st.frames % 256 == 0);
        CHECK(st.frames <= static_cast<std::uint64_t>(wall * 48000.0) + 256);
        CHECK(st.frames >= static_cast<std::uint64_t>(0.3 * 48000.0 / 10.0));
        CHECK(seen_frames == st.frames);

        // The same studio rendered offline over the same frames: the same peaks overall, and
        // in every envelope tick the same peak over the tick's own sample range. So the
        // source delivered its stream unbroken, each block once, in order.
        const std::size_t frames = static_cast<std::size_t>(st.frames);
        DemoStudio offline(3, 48000.0);
        std::vector<float> x(frames * 3);
        offline.render(x.data(), frames);
        auto peak_of = [&](std::size_t c, std::uint64_t from, std::uint64_t to) {
            float p = 0.0f;
            for (std::uint64_t n = from; n <= to && n < frames; ++n) p = std::max(p, std::fabs(x[n * 3 + c]));
            return p;
        };
        for (std::size_t c = 0; c < 3; ++c) {
            CHECK(peak_of(c, 0, frames - 1) > 0.0f);
            CHECK(total[c].sample_peak == peak_of(c, 0, frames - 1));
        }
        CHECK(ticks.size() >= 3);  // at least one tick (the partial one at stop) per channel
        std::uint64_t covered = 0;
        for (const MeterEvent& e : ticks) {
            REQUIRE(e.end_sample < frames);
            CHECK(e.sample_peak == peak_of(e.channel, e.start_sample, e.end_sample));
            if (e.channel == 0) covered += e.end_sample - e.start_sample + 1;
        }
        CHECK(covered == frames);  // channel 0's ticks tile the stream
    }
}
