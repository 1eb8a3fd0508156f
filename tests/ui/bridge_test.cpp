#include "ui/bridge.hpp"

#include <doctest/doctest.h>

#include "tests/support/alloc_guard.hpp"

using namespace headroom;
using namespace headroom::ui;

namespace {

PresetTable table() {
    return PresetTable::from_json_text(R"json([
        {"id": "vocals", "name": "Close-miked vocals", "lo": -15, "hi": -12},
        {"id": "general", "name": "General source", "lo": -18, "hi": -12}])json", "test");
}

Bridge make_bridge(int channels) {
    std::vector<BridgeChannel> ch(static_cast<std::size_t>(channels));
    for (auto& c : ch) c.preset_id = "vocals";
    return Bridge(table(), {{"mine", "Mine", -9.0, -6.0}}, std::move(ch), DisplaySettings{}, -0.1, false);
}

} // namespace

TEST_CASE("bridge") {
    SUBCASE("feeding snapshots allocates nothing and takes no lock") {
        REQUIRE(test::alloc_guard_active());
        Bridge b = make_bridge(64);
        MeterSnapshot s{};
        s.channels = 64;
        s.blocks = 1;
        for (int c = 0; c < 64; ++c) {
            s.ch[c].sample_peak = 0.5f;
            s.ch[c].true_peak = 0.55f;
            s.ch[c].rms = 0.2f;
            s.ch[c].clip_runs = c == 3 ? 1u : 0u;
        }
        test::AllocGuard g;
        for (int f = 0; f < 100; ++f) b.feed(s, f % 2 == 0, f / 60.0);
        CHECK(g.allocations() == 0);
        CHECK(g.locks() == 0);
        CHECK(b.channels()[3].ballistics.display().clip_latched);
        CHECK_FALSE(b.channels()[2].ballistics.display().clip_latched);
    }

    SUBCASE("reset all clears every latch") {
        Bridge b = make_bridge(4);
        MeterSnapshot s{};
        s.channels = 4;
        for (int c = 0; c < 4; ++c) s.ch[c].clip_runs = 1;
        b.feed(s, true, 0.0);
        for (auto& c : b.channels()) CHECK(c.ballistics.display().clip_latched);
        b.reset_all(1.0);
        for (auto& c : b.channels()) CHECK_FALSE(c.ballistics.display().clip_latched);
    }

    SUBCASE("true peak: on unless set; the menu's choice starts as what the meters run") {
        Bridge b = make_bridge(2);
        CHECK(b.true_peak());
        CHECK(b.true_peak_next());
        b.set_true_peak(false);
        CHECK_FALSE(b.true_peak());
        CHECK_FALSE(b.true_peak_next());
        CHECK_FALSE(b.true_peak_toggled());  // nothing to save until the menu changes it
    }

    SUBCASE("user presets join the table") {
        Bridge b = make_bridge(1);
        REQUIRE(b.presets().find("mine") != nullptr);
        CHECK(b.presets().find("mine")->hi_dbfs == doctest::Approx(-6.0));
        CHECK(b.user_presets().size() == 1);
    }
}
