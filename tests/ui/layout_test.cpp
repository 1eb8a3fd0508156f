#include "ui/layout.hpp"

#include <algorithm>
#include <initializer_list>
#include <tuple>

#include <doctest/doctest.h>

using namespace headroom::ui;

TEST_CASE("layout") {
    const LayoutLimits lim;

    SUBCASE("8 channels fit in one row of a 1600 x 800 area") {
        const BridgeLayout l = compute_layout(8, 1600, 800, 1.0f, false);
        CHECK(l.rows == 1);
        CHECK(l.per_row == 8);
        CHECK_FALSE(l.compact);
        CHECK_FALSE(l.scrolls);
        CHECK(l.strip_w >= lim.min_strip_w);
        CHECK(l.strip_w <= lim.max_strip_w);
    }

    SUBCASE("strips never get narrower than the minimum: 64 channels wrap into rows") {
        const BridgeLayout l = compute_layout(64, 1600, 800, 1.0f, false);
        CHECK(l.rows >= 2);
        CHECK(l.per_row * l.rows >= 64);
        CHECK(l.strip_w >= (l.compact ? lim.min_strip_w_compact : lim.min_strip_w));
        CHECK(static_cast<float>(l.per_row) * l.strip_w + l.scale_w <= 1600.0f + 0.01f);
    }

    SUBCASE("rows are spread evenly") {
        const BridgeLayout l = compute_layout(25, 1600, 800, 1.0f, true);
        // 25 strips of at least 34 px in 1560 px: one row of 25 (45 fit).
        CHECK(l.rows == 1);
        const BridgeLayout m = compute_layout(50, 1000, 800, 1.0f, true);
        CHECK(m.rows == 2);
        CHECK(m.per_row == 25);
    }

    SUBCASE("256 channels: compact, and scrolling when the rows do not fit") {
        const BridgeLayout l = compute_layout(256, 1600, 800, 1.0f, false);
        CHECK(l.compact);
        CHECK(l.strip_w >= lim.min_strip_w_compact);
        CHECK(l.row_h >= lim.min_row_h_compact);
        CHECK(l.scrolls);
        CHECK(l.content_h > 800.0f);
        CHECK(l.per_row * l.rows >= 256);
    }

    SUBCASE("every channel fits before anything scrolls while compact rows stay readable") {
        // 256 channels in a 1920 x 900 area: 5 rows of compact strips, no scrolling.
        const BridgeLayout l = compute_layout(256, 1920, 900, 1.0f, false);
        CHECK(l.compact);
        CHECK_FALSE(l.scrolls);
        CHECK(l.rows == 5);
        CHECK(l.row_h >= 150.0f);
        const StripRects r = strip_rects(0, 0, l.strip_w, l.row_h, 1.0f, true);
        CHECK(r.bar.h() >= 80.0f);  // at least 1.2 px per dB over the 66 dB scale
    }

    SUBCASE("the clip log: docked beside the bridge, or floating over at most half of it") {
        for (const auto& [w, h, s] : {std::tuple{800.0f, 600.0f, 1.0f}, std::tuple{1600.0f, 900.0f, 1.0f},
                                      std::tuple{3840.0f, 2160.0f, 2.0f}}) {
            CAPTURE(w);
            const LogPlacement d = place_log(true, w, h, s);
            CHECK(d.bridge_w + d.log.w() == doctest::Approx(w));
            CHECK(d.bridge_w >= 0.5f * w);
            CHECK(d.log.h() == doctest::Approx(h));
            const LogPlacement f = place_log(false, w, h, s);
            CHECK(f.bridge_w == doctest::Approx(w));
            CHECK(f.log.w() * f.log.h() <= 0.6f * w * h);
            CHECK(f.log.w() >= std::min(w, kMinLogWidth * s));
            CHECK(f.log.x0 >= 0.0f);
            CHECK(f.log.x1 <= w);
            CHECK(f.log.y1 <= h);
        }
    }

    SUBCASE("HiDPI doubles the minimum sizes") {
        const BridgeLayout a = compute_layout(64, 1600, 800, 1.0f, false);
        const BridgeLayout b = compute_layout(64, 3200, 1600, 2.0f, false);
        CHECK(a.rows == b.rows);
        CHECK(a.per_row == b.per_row);
        CHECK(b.strip_w == doctest::Approx(2.0f * a.strip_w));
    }

    SUBCASE("strips at their widest are centred with their scale; strips that fill the width are not") {
        // 2 channels in 1600 px: two strips of 220 px and the 40 px scale, 1100 px to spare
        const BridgeLayout two = compute_layout(2, 1600, 800, 1.0f, false);
        CHECK(two.strip_w == doctest::Approx(lim.max_strip_w));
        CHECK(two.left == doctest::Approx((1600.0f - lim.scale_w - 2.0f * lim.max_strip_w) / 2.0f));
        float x = 0, y = 0;
        strip_origin(two, 1, x, y);
        const float right_edge = x + two.strip_w;
        CHECK(1600.0f - right_edge == doctest::Approx(two.left));  // as much room right as left
        const BridgeLayout full = compute_layout(64, 1600, 800, 1.0f, false);
        CHECK(full.left < full.strip_w);  // rounding only: the row fills the width
    }

    SUBCASE("strip origins walk rows left to right") {
        const BridgeLayout l = compute_layout(10, 700, 800, 1.0f, false);
        float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        strip_origin(l, 0, x0, y0);
        strip_origin(l, l.per_row, x1, y1);
        CHECK(x0 == doctest::Approx(l.left + l.scale_w));
        CHECK(x1 == doctest::Approx(l.left + l.scale_w));
        CHECK(y1 == doctest::Approx(l.row_h));
    }

    SUBCASE("the parts of a strip do not overlap, top to bottom") {
        for (bool compact : {false, true}) {
            const StripRects r = strip_rects(10, 20, 80, 400, 1.0f, compact);
            CHECK(r.header.y1 <= r.clip.y0);
            CHECK(r.clip.y1 <= r.peak_text.y0);
            CHECK(r.peak_text.y1 <= r.bar.y0);
            CHECK(r.bar.y1 <= r.readouts.y0 + 0.01f);
            CHECK(r.bar.h() > 150.0f);
            CHECK(r.readouts.y1 <= 420.0f);
        }
    }

    SUBCASE("dB scale: room above full scale, marks every 6 dB to -60") {
        DbScale s;
        s.y_top = 100;
        s.y_bottom = 760;
        CHECK(s.y_of(6.0) == doctest::Approx(100));
        CHECK(s.y_of(-60.0) == doctest::Approx(760));
        CHECK(s.y_of(0.0) == doctest::Approx(160));  // 10 px per dB
        CHECK(s.y_of(2.4) < s.y_of(0.0));            // +2.4 above the 0 dBFS line, not clamped to it
        CHECK(s.y_of(-120.0) == doctest::Approx(760));
        double marks[32];
        const int n = scale_marks(s, marks, 32);
        REQUIRE(n == 12);
        CHECK(marks[0] == 6.0);
        CHECK(marks[1] == 0.0);
        CHECK(marks[n - 1] == -60.0);
        for (int i = 1; i < n; ++i) CHECK(marks[i - 1] - marks[i] == 6.0);
    }
}
