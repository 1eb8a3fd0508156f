#include "engine/capture/demo_studio.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <doctest/doctest.h>

using namespace headroom;

namespace {
constexpr double kRate = 48000.0;
constexpr float kClip = 0.98855309f;  // -0.1 dBFS

std::vector<float> render(DemoStudio& s, std::size_t frames, std::size_t block) {
    std::vector<float> out(frames * static_cast<std::size_t>(s.channels()));
    for (std::size_t f = 0; f < frames; f += block)
        s.render(out.data() + f * s.channels(), std::min(block, frames - f));
    return out;
}

// The 95th percentile of a channel's 400 ms peaks while it is active (> -60 dBFS), in dBFS,
// leaving out the windows that clip (DESIGN.md §3's gain-advice statistic).
double loud_peak_db(const std::vector<float>& x, int nc, int c) {
    const std::size_t win = static_cast<std::size_t>(0.4 * kRate);
    std::vector<double> peaks;
    const std::size_t frames = x.size() / nc;
    for (std::size_t a = 0; a + win <= frames; a += win) {
        float p = 0.0f;
        for (std::size_t n = a; n < a + win; ++n) p = std::max(p, std::fabs(x[n * nc + c]));
        if (p >= kClip || p < 0.001f) continue;
        peaks.push_back(20.0 * std::log10(p));
    }
    REQUIRE(peaks.size() > 10);
    std::sort(peaks.begin(), peaks.end());
    return peaks[static_cast<std::size_t>(0.95 * static_cast<double>(peaks.size() - 1))];
}
} // namespace

TEST_CASE("DemoStudio") {
    SUBCASE("eight named sources on their presets") {
        DemoStudio s(8, kRate);
        const std::vector<std::string> names{"Vocal", "Bass DI", "Kick", "Snare", "OH L", "OH R", "Guitar DI", "Acoustic"};
        const std::vector<std::string> presets{"vocals", "bass", "close_drums", "close_drums",
                                               "overheads", "overheads", "guitar_di", "acoustic"};
        CHECK(s.names() == names);
        CHECK(s.presets() == presets);
    }

    SUBCASE("deterministic: same seed, same stream, whatever the block size") {
        DemoStudio a(8, kRate, 7), b(8, kRate, 7), c(8, kRate, 8);
        const auto xa = render(a, 3 * 48000, 256);
        const auto xb = render(b, 3 * 48000, 37);
        const auto xc = render(c, 3 * 48000, 256);
        CHECK(xa == xb);
        CHECK(xa != xc);
    }

    SUBCASE("levels below, inside and above the windows; a clip in the first 8 s, more later") {
        DemoStudio s(8, kRate);
        const auto x = render(s, static_cast<std::size_t>(60 * kRate), 256);
        // Preset windows (DESIGN.md §3) and where each source is meant to sit.
        struct Expect { double lo, hi; int zone; };  // zone: -1 below, 0 inside, +1 above
        const Expect e[8] = {{-15, -12, 0}, {-15, -12, -1}, {-15, -12, +1}, {-15, -12, 0},
                             {-18, -15, 0}, {-18, -15, 0},  {-18, -15, +1}, {-20, -18, -1}};
        for (int c = 0; c < 8; ++c) {
            const double p = loud_peak_db(x, 8, c);
            const int zone = p < e[c].lo ? -1 : (p > e[c].hi ? +1 : 0);
            INFO("channel " << s.names()[c] << " loud peak " << p << " dBFS");
            CHECK(zone == e[c].zone);
            CHECK(p < -3.0);  // only the scheduled clips reach full scale
        }
        // Clips: where they are.
        std::vector<std::pair<int, double>> clips;  // channel, first clipped second of an episode
        for (int c = 0; c < 8; ++c) {
            double last = -10.0;
            for (std::size_t n = 0; n < x.size() / 8; ++n)
                if (std::fabs(x[n * 8 + c]) >= kClip) {
                    const double t = static_cast<double>(n) / kRate;
                    if (t - last > 1.0) clips.push_back({c, t});
                    last = t;
                }
        }
        for (auto& [c, t] : clips) INFO("clip on " << s.names()[c] << " at " << t << " s");
        REQUIRE(!clips.empty());
        CHECK(std::any_of(clips.begin(), clips.end(), [](auto& p) { return p.first == 0 && p.second < 8.0; }));
        CHECK(clips.size() >= 3);   // ~ every 20-40 s over a minute, plus the early one
        CHECK(clips.size() <= 6);
        for (auto& [c, t] : clips) CHECK((c == 0 || c == 3));  // vocal shouts, snare rimshots
    }

    SUBCASE("64 channels: the eight sources repeated with other names and levels") {
        DemoStudio s(64, kRate);
        CHECK(s.channels() == 64);
        CHECK(s.names()[8] == "Vocal 2");
        CHECK(s.names()[63] == "Acoustic 8");
        CHECK(s.presets()[63] == "acoustic");
        const auto x = render(s, 48000, 512);
        for (int c = 0; c < 64; ++c) {
            float p = 0.0f;
            for (std::size_t n = 0; n < 48000; ++n) p = std::max(p, std::fabs(x[n * 64 + c]));
            CHECK(p > 0.0f);
            CHECK(p < 1.0f);
        }
    }
}
