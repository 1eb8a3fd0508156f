// The real-time file source (engine/capture/source_file.cpp), driven through Capture as the
// command line drives it: paced playback, --loop, bad input.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "engine/base/errors.hpp"
#include "engine/capture/capture.hpp"
#include "tests/engine/capture/capture_helpers.hpp"
#include "tests/support/float_wav.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::options_for;
using headroom::test::Seen;
using headroom::test::TempDir;
using headroom::test::write_float_wav;
namespace fs = std::filesystem;

TEST_CASE("FileSource") {
    // 0.5 s at 48 kHz, 3 channels: a quiet sine with one spike, silence with one clip run of
    // 5 full-scale samples, a louder sine.
    constexpr double kRate = 48000.0;
    constexpr std::size_t kFrames = 24000;
    std::vector<float> x(kFrames * 3, 0.0f);
    for (std::size_t n = 0; n < kFrames; ++n) {
        const double ph = 2.0 * M_PI * 997.0 * static_cast<double>(n) / kRate;
        x[n * 3 + 0] = static_cast<float>(0.125 * std::sin(ph));
        x[n * 3 + 2] = static_cast<float>(0.5 * std::sin(ph * 1.3));
    }
    x[12345 * 3 + 0] = -0.875f;                                  // the spike
    for (std::size_t n = 20000; n < 20005; ++n) x[n * 3 + 1] = 1.0f;  // the clip run
    float peak2 = 0.0f;
    for (std::size_t n = 0; n < kFrames; ++n) peak2 = std::max(peak2, std::fabs(x[n * 3 + 2]));
    TempDir tmp;
    const fs::path path = tmp / "file.wav";
    write_float_wav(path, static_cast<int>(kRate), 3, x);

    SUBCASE("plays in real time and meters every frame exactly") {
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::File;
        spec.file = path.string();
        Capture cap(spec);
        CHECK(cap.info().kind == "file");
        CHECK(cap.info().channels == 3);
        CHECK(cap.info().sample_rate == kRate);
        CHECK(cap.info().buffer_frames == 256);
        REQUIRE(cap.info().channel_names.size() == 3);
        CHECK(cap.info().channel_names[1] == "In 2");
        cap.configure(options_for(cap.info()));

        Seen seen;
        const auto t0 = std::chrono::steady_clock::now();
        cap.start();
        while (!cap.finished()) {
            seen.take(cap);
            std::this_thread::sleep_for(std::chrono::milliseconds(7));
            REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
        }
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        seen.take(cap);
        const CaptureStatus st = cap.poll_status();
        cap.stop();

        // Paced, not read as fast as possible (0.5 s of audio): loose bounds, not a timing test.
        CHECK(wall > 0.4);
        CHECK(wall < 3.0);
        CHECK(seen.takes > 10);
        CHECK(st.frames == kFrames);
        CHECK(st.callbacks == (kFrames + 255) / 256);
        CHECK(seen.frames == kFrames);
        REQUIRE(seen.total.size() == 3);
        CHECK(seen.total[0].sample_peak == 0.875f);
        CHECK(seen.total[1].sample_peak == 1.0f);
        CHECK(seen.total[2].sample_peak == peak2);
        CHECK(seen.total[1].clip_runs == 1);
        CHECK(seen.total[1].clipped_samples == 5);
        CHECK(seen.total[0].clip_runs == 0);
        REQUIRE(seen.clips.size() == 1);
        CHECK(seen.clips[0].channel == 1);
        CHECK(seen.clips[0].start_sample == 20000);
        CHECK(seen.clips[0].end_sample == 20004);
        CHECK(seen.clips[0].count == 5);
        CHECK(st.dropped_events == 0);
    }

    SUBCASE("--loop plays the file again") {
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::File;
        spec.file = path.string();
        spec.loop = true;
        spec.buffer_frames = 1024;
        Capture cap(spec);
        MeterOptions o = options_for(cap.info());
        o.merge_ms = 0.0;  // the two passes' runs are 0.5 s apart: keep them separate events
        cap.configure(o);
        Seen seen;
        cap.start();
        const auto t0 = std::chrono::steady_clock::now();
        while (cap.poll_status().frames < kFrames * 2 + 4096) {
            seen.take(cap);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
        }
        cap.stop();
        seen.take(cap);
        CHECK_FALSE(cap.finished());
        // The clip run came twice: once per pass, at the file position plus the file length.
        REQUIRE(seen.clips.size() >= 2);
        CHECK(seen.clips[0].start_sample == 20000);
        CHECK(seen.clips[1].start_sample == 20000 + kFrames);
    }

    SUBCASE("--loop of a 3-frame file: whole blocks filled from the loop, in order") {
        const fs::path tiny = tmp / "tiny.wav";
        write_float_wav(tiny, static_cast<int>(kRate), 1, {0.25f, 1.0f, -0.5f});  // a clip at frame 1 of 3
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::File;
        spec.file = tiny.string();
        spec.loop = true;
        spec.buffer_frames = 64;  // not a multiple of 3: a block wraps the loop mid-way
        Capture cap(spec);
        MeterOptions o = options_for(cap.info());
        o.merge_ms = 0.0;
        cap.configure(o);
        Seen seen;
        cap.start();
        const auto t0 = std::chrono::steady_clock::now();
        while (cap.poll_status().frames < 4800) {
            seen.take(cap);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
        }
        cap.stop();
        seen.take(cap);
        CHECK(cap.poll_status().callbacks * 64 == cap.poll_status().frames);  // whole blocks only
        REQUIRE(seen.clips.size() >= 20);
        for (std::size_t k = 0; k < 20; ++k) CHECK(seen.clips[k].start_sample == 1 + 3 * k);
        REQUIRE(seen.total.size() == 1);
        CHECK(seen.total[0].sample_peak == 1.0f);
    }

    SUBCASE("bad input: one InputError naming the file") {
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::File;
        spec.file = (tmp / "missing.wav").string();
        CHECK_THROWS_AS(Capture{spec}, InputError);
        try {
            Capture c(spec);
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find("missing.wav") != std::string::npos);
        }
    }
}
