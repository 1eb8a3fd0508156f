// Capture's own contract (engine/capture/capture.*): configure() checks the meter options
// against what the source opened and sizes the bank for its blocks; start() needs
// configure(); stop() closes the stream once. The sources themselves have their own tests
// (source_file_test.cpp, source_demo_test.cpp, source_jack_test.cpp); the callback path is
// capture_core_test.cpp.
#include "engine/capture/capture.hpp"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/engine/capture/capture_helpers.hpp"
#include "tests/support/float_wav.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::options_for;
using headroom::test::TempDir;
using headroom::test::write_float_wav;
namespace fs = std::filesystem;

TEST_CASE("Capture") {
    // 0.25 s at 48 kHz, one channel held at 0.5: above a -12 dBFS hot ceiling all the way.
    TempDir tmp;
    const fs::path path = tmp / "hot.wav";
    write_float_wav(path, 48000, 1, std::vector<float>(12000, 0.5f));
    SourceSpec spec;
    spec.kind = SourceSpec::Kind::File;
    spec.file = path.string();

    SUBCASE("configure refuses options for another stream") {
        Capture cap(spec);
        MeterOptions o = options_for(cap.info());
        o.channels = 2;
        CHECK_THROWS_AS(cap.configure(o), std::invalid_argument);
        o = options_for(cap.info());
        o.sample_rate = 44100.0;
        CHECK_THROWS_AS(cap.configure(o), std::invalid_argument);
        CHECK_THROWS(cap.start());  // not configured
    }

    SUBCASE("configure raises max_block to the largest block the source delivers") {
        spec.buffer_frames = 1024;
        Capture cap(spec);
        MeterOptions o = options_for(cap.info());
        o.max_block = 64;
        cap.configure(o);
        CHECK(cap.meter_options().max_block == 1024);
        CHECK(cap.meter_options().channels == 1);
    }

    SUBCASE("configure after start is refused; stop closes the stream once") {
        spec.loop = true;  // never ends by itself: only stop() can close the hot stretch
        Capture cap(spec);
        MeterOptions o = options_for(cap.info());
        o.hot_ceiling_dbfs.assign(1, -12.0f);
        cap.configure(o);
        cap.start();
        CHECK_THROWS_AS(cap.configure(o), std::invalid_argument);
        const auto t0 = std::chrono::steady_clock::now();
        while (cap.poll_status().frames < 4096) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
        }
        auto hot_events = [&](std::uint64_t& count) {
            int n = 0;
            MeterEvent e;
            while (cap.events().try_pop(e))
                if (e.type == EventType::Hot) {
                    ++n;
                    count = e.count;
                }
            return n;
        };
        std::uint64_t count = 0;
        CHECK(hot_events(count) == 0);  // still open while the stream runs
        cap.stop();
        const std::uint64_t frames = cap.poll_status().frames;
        CHECK_FALSE(cap.finished());
        CHECK(hot_events(count) == 1);  // stop() closed the stream: the stretch is emitted
        CHECK(count == frames);         // every sample was hot
        MeterSnapshot s;
        REQUIRE(cap.snapshots().take(s));
        CHECK(s.frames == frames);      // the tail was published
        cap.stop();                     // idempotent: no second close
        CHECK(hot_events(count) == 0);
        CHECK_FALSE(cap.snapshots().take(s));
    }
}
