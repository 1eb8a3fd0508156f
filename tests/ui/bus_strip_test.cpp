// Bus strips and the band view (DESIGN.md §6, issue 15): the ballistics from hand-made
// snapshots, and a drawn frame whose printed figures are read back against the shared
// loudness formatter (engine/base/decibels) and laid out at every size the bridge supports.
#include "ui/bus_strip.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <imgui.h>

#include "engine/base/decibels.hpp"
#include "tests/support/alloc_guard.hpp"
#include "ui/bridge.hpp"

using namespace headroom;
using namespace headroom::ui;

namespace {

PresetTable table() {
    return PresetTable::from_json_text(R"json([
        {"id": "vocals", "name": "Close-miked vocals", "lo": -15, "hi": -12},
        {"id": "general", "name": "General source", "lo": -18, "hi": -12},
        {"id": "mix_bus", "name": "Mix bus", "lo": -10, "hi": -6}])json", "test");
}

Bridge make_bridge(int channels, bool bands, bool compact = false) {
    std::vector<BridgeChannel> ch(static_cast<std::size_t>(channels));
    for (auto& c : ch) c.preset_id = "vocals";
    DisplaySettings d;
    d.bands = bands;
    d.compact = compact;
    return Bridge(table(), {}, std::move(ch), d, -0.1, false);
}

// The mean square whose loudness is `lufs` (BS.1770: -0.691 + 10 log10 ms).
float ms_of(double lufs) { return static_cast<float>(std::pow(10.0, (lufs + 0.691) / 10.0)); }

std::string loudness_text(double v) {
    char b[16];
    return format_loudness(v, b, sizeof b);
}

// One ImGui frame of the bridge in a viewport of w x h (no GL: draw lists only).
struct Frame {
    Fonts fonts;
    Frame(float w, float h) {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(w, h);
        io.DeltaTime = 1.0f / 60.0f;
        fonts = load_fonts(1.0f);
        io.FontDefault = fonts.normal;
        unsigned char* pixels = nullptr;
        int tw = 0, th = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &tw, &th);
    }
    ~Frame() { ImGui::DestroyContext(); }
    void draw(Bridge& b, double now) {
        ImGui::NewFrame();
        BridgeStatus st;
        st.source_kind = "device";
        st.sample_rate = 48000;
        (void)b.draw(st, fonts, now);
        ImGui::Render();
    }
};

} // namespace

TEST_CASE("bus ballistics") {
    const BallisticsOptions o;
    SUBCASE("no value is NaN; loudness from the mean square; maxima since reset; stopwatch from measured_from") {
        BusBallistics b;
        BusReading r;  // every loudness field "no value"
        b.update(r, true, 48000, 48000.0, 1.0f, 0.0, o);
        CHECK(std::isnan(b.loudness().integrated_lufs));
        CHECK(std::isnan(b.loudness().momentary_max_lufs));
        CHECK(std::isnan(b.loudness().loudness_range_lu));
        r.momentary_ms = r.momentary_max_ms = ms_of(-20.0);
        r.short_term_ms = r.short_term_max_ms = ms_of(-22.0);
        r.integrated_ms = ms_of(-23.0);
        r.loudness_range_lu = 7.25f;
        r.measured_from = 48000;
        b.update(r, true, 48000 * 91, 48000.0, 1.0f, 0.1, o);
        CHECK(b.loudness().momentary_lufs == doctest::Approx(-20.0).epsilon(1e-5));
        CHECK(b.loudness().integrated_lufs == doctest::Approx(-23.0).epsilon(1e-5));
        CHECK(b.loudness().loudness_range_lu == doctest::Approx(7.25));
        CHECK(b.loudness().measured_s == doctest::Approx(90.0));
        r.momentary_ms = r.momentary_max_ms = ms_of(-30.0);  // quieter: the maximum stays
        b.update(r, true, 48000 * 92, 48000.0, 1.0f, 0.2, o);
        CHECK(b.loudness().momentary_lufs == doctest::Approx(-30.0).epsilon(1e-5));
        CHECK(b.loudness().momentary_max_lufs == doctest::Approx(-20.0).epsilon(1e-5));
        r.resets = 1;  // the meter restarted the measurement: its maxima go with it
        b.update(r, true, 48000 * 93, 48000.0, 1.0f, 0.3, o);
        CHECK(b.loudness().momentary_max_lufs == doctest::Approx(-30.0).epsilon(1e-5));
        b.reset(0.4);
        CHECK(std::isnan(b.loudness().momentary_max_lufs));
    }
    SUBCASE("the bus's peak is a channel's: maxima, and a full-scale peak latches its clip box") {
        BusBallistics b;
        BusReading r;
        r.sample_peak = 0.5f;
        r.true_peak = 0.6f;
        b.update(r, true, 0, 48000.0, 0.9886f, 0.0, o);
        CHECK(b.peak().peak_max_db == doctest::Approx(amplitude_to_db(0.5)));
        CHECK(b.peak().true_peak_max_db == doctest::Approx(amplitude_to_db(0.6)).epsilon(1e-6));
        CHECK_FALSE(b.peak().clip_latched);
        r.sample_peak = 1.0f;
        b.update(r, true, 0, 48000.0, 0.9886f, 0.1, o);
        CHECK(b.peak().clip_latched);
    }
    SUBCASE("PLR: max true peak - integrated; no value without either") {
        CHECK(plr_lu(-1.0, -14.0) == doctest::Approx(13.0));
        CHECK(std::isnan(plr_lu(kSilenceDb, -14.0)));
        CHECK(std::isnan(plr_lu(-1.0, std::nan(""))));
    }
    SUBCASE("band view: peaks fall back, maxima hold; the low share is the session's, kept across updates and R") {
        BandBallistics b;
        BandReadings r{};
        r[0].peak = 0.5f;
        r[0].rms = 0.25f;
        r[2].peak = 0.1f;
        b.update(r, true, 0.0, o);
        CHECK(b.display().peak_max_db[0] == doctest::Approx(amplitude_to_db(0.5)));
        CHECK(std::isnan(b.display().low_share_db));  // not from the live readings
        CHECK(b.display().bar_db[1] == kSilenceDb);
        b.set_low_share(-3.25);
        b.update(BandReadings{}, true, 1.7, o);
        CHECK(b.display().bar_db[0] == doctest::Approx(amplitude_to_db(0.5) - 20.0).epsilon(1e-6));
        CHECK(b.display().peak_max_db[0] == doctest::Approx(amplitude_to_db(0.5)));
        CHECK(b.display().low_share_db == -3.25);
        b.reset();
        CHECK(b.display().low_share_db == -3.25);
        CHECK(b.display().peak_max_db[0] == kSilenceDb);
    }
    SUBCASE("stopwatch text") {
        char t[24];
        format_stopwatch(0.0, t, sizeof t);
        CHECK(std::string(t) == "0:00");
        format_stopwatch(754.9, t, sizeof t);
        CHECK(std::string(t) == "12:34");
        format_stopwatch(3600.0 * 10 + 61.0, t, sizeof t);
        CHECK(std::string(t) == "10:01:01");
    }
}

TEST_CASE("bridge with buses and bands") {
    SUBCASE("feeding buses and bands allocates nothing and takes no lock") {
        REQUIRE(test::alloc_guard_active());
        Bridge b = make_bridge(64, true);
        b.set_buses({{"mix", {0, 1}, "mix_bus"}, {"drums", {2, 3, 4}, "mix_bus"}}, 48000.0);
        MeterSnapshot s{};
        s.channels = 64;
        s.blocks = 1;
        s.bands_on = true;
        s.buses = 2;
        for (int c = 0; c < 64; ++c) {
            s.ch[c].sample_peak = 0.5f;
            s.ch[c].rms = 0.2f;
            s.band[c][0].peak = 0.3f;
            s.band[c][0].rms = 0.1f;
        }
        s.bus[0].integrated_ms = ms_of(-18.0);
        s.bus[0].bands[0].rms = 0.1f;
        test::AllocGuard g;
        for (int f = 0; f < 50; ++f) b.feed(s, f % 2 == 0, f / 60.0);
        CHECK(g.allocations() == 0);
        CHECK(g.locks() == 0);
        CHECK(b.buses()[0].ballistics.loudness().integrated_lufs == doctest::Approx(-18.0).epsilon(1e-5));
        // The band peaks arrive; the low share is the session's (set by the app from the summary),
        // never the live readings.
        CHECK(b.channels()[5].bands.display().peak_max_db[0] > kSilenceDb);
        CHECK(std::isnan(b.channels()[5].bands.display().low_share_db));
    }
    SUBCASE("the reset asks the meter for that bus, and clears the strip's loudness maxima") {
        Bridge b = make_bridge(4, false);
        b.set_buses({{"a", {0}, "mix_bus"}, {"b", {1, 2}, "mix_bus"}}, 48000.0);
        std::vector<int> asked;
        b.on_loudness_reset = [&](int bus) { asked.push_back(bus); };
        MeterSnapshot s{};
        s.channels = 4;
        s.buses = 2;
        s.bus[1].momentary_max_ms = ms_of(-12.0);
        b.feed(s, true, 0.0);
        CHECK(b.buses()[1].ballistics.loudness().momentary_max_lufs == doctest::Approx(-12.0).epsilon(1e-5));
        b.reset_loudness(1);
        b.reset_loudness(7);  // no such bus: nothing asked
        CHECK(asked == std::vector<int>{1});
        CHECK(std::isnan(b.buses()[1].ballistics.loudness().momentary_max_lufs));
    }
    SUBCASE("selection for a new bus; next_buses starts as the session's") {
        Bridge b = make_bridge(8, false);
        b.set_buses({{"mix", {0, 1}, "mix_bus"}}, 48000.0);
        b.select(3, true);
        b.select(5, true);
        b.select(99, true);  // ignored
        CHECK(b.selection() == std::vector<int>{3, 5});
        REQUIRE(b.next_buses().size() == 1);
        CHECK(b.next_buses()[0].name == "mix");
    }
}

TEST_CASE("bus strips drawn: one truth and room at every size") {
    SUBCASE("the printed figures are the shared formatter's") {
        Frame f(1600.0f, 900.0f);
        Bridge b = make_bridge(8, true);
        b.set_buses({{"mix", {0, 1}, "mix_bus"}}, 48000.0);
        MeterSnapshot s{};
        s.channels = 8;
        s.buses = 1;
        s.bands_on = true;
        s.frames = 48000 * 75;
        BusReading& r = s.bus[0];
        r.sample_peak = 0.4f;
        r.true_peak = 0.45f;
        r.momentary_ms = r.momentary_max_ms = ms_of(-15.04);
        r.short_term_ms = r.short_term_max_ms = ms_of(-16.96);
        r.integrated_ms = ms_of(-18.05);
        r.loudness_range_lu = 6.449f;
        r.bands[0].peak = 0.3f;
        b.feed(s, true, 0.0);
        f.draw(b, 0.0);
        REQUIRE(b.bus_geometry().size() == 1);
        const BusStripDrawn& d = b.bus_geometry()[0].drawn;
        const BusDisplay& l = b.buses()[0].ballistics.loudness();
        CHECK(std::string(d.integrated) == loudness_text(l.integrated_lufs));
        CHECK(std::string(d.momentary_max) == "-15.0");
        CHECK(std::string(d.short_term_max) == "-17.0");
        CHECK(std::string(d.lra) == "6.4");
        CHECK(std::string(d.plr) == loudness_text(amplitude_to_db(0.45) - l.integrated_lufs));
        CHECK(std::string(d.stopwatch) == "1:15");
        // Headroom: the channel strips' one definition.
        CHECK(std::string(d.headroom.text) ==
              headroom_readout(amplitude_to_db(0.4), amplitude_to_db(0.45), *b.presets().find("mix_bus"), -0.1, 1).text);
        CHECK(std::string(d.bands.peak[0].text) == level_readout(amplitude_to_db(0.3), *b.presets().find("mix_bus"), -0.1, 0).text);
        // The bus strip is right of every channel strip.
        for (const auto& g : b.geometry()) CHECK(g.strip.x1 <= b.bus_geometry()[0].strip.x0 + 0.5f);
    }
    SUBCASE("8 .. 256 channels, four buses, bands on, 800x600 and 3840x2160: nothing overlaps, nothing empty") {
        for (const auto size : {ImVec2(800.0f, 600.0f), ImVec2(3840.0f, 2160.0f)}) {
            for (int n : {8, 32, 64, 256}) {
                CAPTURE(size.x);
                CAPTURE(n);
                Frame f(size.x, size.y);
                Bridge b = make_bridge(n, true, n > 32);
                std::vector<BusSpec> buses;
                for (int i = 0; i < 4; ++i) buses.push_back({"bus" + std::to_string(i + 1), {2 * i, 2 * i + 1}, "mix_bus"});
                b.set_buses(buses, 48000.0);
                MeterSnapshot s{};
                s.channels = static_cast<std::uint32_t>(n);
                s.buses = 4;
                s.bands_on = true;
                b.feed(s, true, 0.0);
                f.draw(b, 0.0);
                REQUIRE(b.bus_geometry().size() == 4);
                REQUIRE_FALSE(b.geometry().empty());
                float strips_right = 0.0f;
                for (const auto& g : b.geometry()) {
                    strips_right = std::max(strips_right, g.strip.x1);
                    CHECK(g.bands.h() > 0.0f);
                    CHECK(g.bands.y0 >= g.bar.y1);  // the band view under the bar, not over it
                    CHECK(g.bar.h() >= 80.0f);  // a compact row keeps about 85 px of bar; the band view adds its own height
                }
                for (const auto& g : b.bus_geometry()) {
                    CHECK(g.strip.x0 >= strips_right - 0.5f);
                    CHECK(g.drawn.momentary_bar.h() > 20.0f);
                    CHECK(g.drawn.momentary_bar.w() >= 4.0f);
                    CHECK(g.drawn.reset_button.y1 <= g.strip.y1 + 0.5f);
                    CHECK(g.drawn.peak_bar.h() > 20.0f);
                }
            }
        }
    }
}
