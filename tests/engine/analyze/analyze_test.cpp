#include "engine/analyze/analyze.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "engine/base/errors.hpp"
#include "tests/support/float_wav.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::TempDir;
using headroom::test::write_float_wav;
namespace fs = std::filesystem;

namespace {

// Every event type, no merging, general preset's ceiling on every channel.
AnalyzeConfigure no_merge() {
    return [](const SoundFileInfo& info) {
        AnalyzeSetup s;
        s.presets.assign(static_cast<std::size_t>(info.channels), Preset{"general", "General", -18.0, -12.0});
        s.options.merge_ms = 0.0;
        s.options.hot_merge_ms = 0.0;
        s.options.hot_ceiling_dbfs.assign(static_cast<std::size_t>(info.channels), -12.0f);
        s.hot_events = true;
        return s;
    };
}

} // namespace

TEST_CASE("analyze_file") {
    TempDir tmp;

    SUBCASE("the worst event rate loses nothing: one event per sample on 64 channels") {
        // Per channel, period 3: full scale, NaN, hot (-6 dBFS): with no merging every sample
        // closes an event of its own (clip, non-finite, hot).
        constexpr int kCh = 64;
        constexpr std::size_t kFrames = 9600;
        std::vector<float> x(kFrames * kCh);
        for (std::size_t i = 0; i < kFrames; ++i)
            for (std::size_t c = 0; c < kCh; ++c)
                x[i * kCh + c] = (i + c) % 3 == 0   ? -1.0f
                                 : (i + c) % 3 == 1 ? std::numeric_limits<float>::quiet_NaN()
                                                    : 0.5f;
        const auto path = tmp / "dense.wav";
        write_float_wav(path, 48000, kCh, x);
        for (std::size_t block : {std::size_t{8192}, std::size_t{4096}, std::size_t{1}}) {
            CAPTURE(block);
            FileAnalysis a = analyze_file(path, block, no_merge());  // throws on a dropped event
            CHECK(a.frames == kFrames);
            std::uint64_t clips = 0, nonfinite = 0, hot = 0;
            for (int c = 0; c < kCh; ++c) {
                clips += a.summary.channel(c).clip_events;
                nonfinite += a.summary.channel(c).nonfinite_samples;
                hot += a.summary.channel(c).hot_events;
                CHECK(a.summary.channel(c).clipped_samples == a.summary.channel(c).clip_events);
            }
            CHECK(clips == kFrames * kCh / 3);
            CHECK(nonfinite == kFrames * kCh / 3);
            CHECK(hot == kFrames * kCh / 3);
            CHECK(a.summary.clips().size() == clips);
            if (block == 1) break;  // enough: block 1 is slow on 64 channels
        }
    }

    SUBCASE("results do not depend on the block size") {
        constexpr int kCh = 3;
        constexpr std::size_t kFrames = 48000 * 2 + 77;
        std::vector<float> x(kFrames * kCh);
        std::uint32_t rng = 1;
        for (auto& v : x) {
            rng = rng * 1664525u + 1013904223u;
            v = (static_cast<float>(rng >> 8) / 16777216.0f - 0.5f) * 0.4f;
        }
        x[1000 * kCh] = 1.0f;
        x[50000 * kCh + 2] = -1.0f;
        const auto path = tmp / "noise.wav";
        write_float_wav(path, 44100, kCh, x);
        const std::string ref = analysis_json(analyze_file(path, 4096, no_merge()), false).dump();
        for (std::size_t block : {std::size_t{1}, std::size_t{37}, std::size_t{8192}}) {
            CAPTURE(block);
            CHECK(analysis_json(analyze_file(path, block, no_merge()), false).dump() == ref);
        }
        const auto j = nlohmann::json::parse(ref);
        CHECK(j["frames"] == kFrames);
        CHECK(j["sample_rate"] == 44100);
        CHECK(j["clips"].size() == 2);
    }

    SUBCASE("hot events only when asked for") {
        const auto path = tmp / "hot.wav";
        write_float_wav(path, 48000, 1, std::vector<float>(4800, 0.5f));  // -6 dBFS: above -12
        CHECK(analyze_file(path, 4096, no_merge()).summary.channel(0).hot_events == 1);
        const AnalyzeConfigure plain = [](const SoundFileInfo& info) {
            AnalyzeSetup s = no_merge()(info);
            s.hot_events = false;
            return s;
        };
        const FileAnalysis a = analyze_file(path, 4096, plain);
        CHECK(a.summary.channel(0).hot_events == 0);
        CHECK(a.summary.channel(0).sample_peak == 0.5f);
    }

    SUBCASE("files the engine cannot meter are InputErrors naming the file") {
        const auto low = tmp / "low_rate.wav";
        write_float_wav(low, 22050, 1, std::vector<float>(1000, 0.1f));
        CHECK_THROWS_WITH_AS(analyze_file(low, 4096, no_merge()),
                             doctest::Contains("low_rate.wav: sample rate 22050 Hz"), InputError);
        CHECK_THROWS_AS(analyze_file(tmp / "missing.wav", 4096, no_merge()), InputError);
        CHECK_THROWS_AS(analyze_file(low, 0, no_merge()), std::invalid_argument);
    }
}
