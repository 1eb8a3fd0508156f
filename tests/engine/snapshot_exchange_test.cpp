#include "engine/snapshot_exchange.hpp"

#include <doctest/doctest.h>

using namespace headroom;

TEST_CASE("SnapshotExchange") {
    SnapshotExchange x;
    MeterSnapshot s;
    SUBCASE("nothing published reads as nothing new") {
        CHECK_FALSE(x.take(s));
        CHECK(s.blocks == 0);
    }
    SUBCASE("max since last read, counts summed, cleared by the take") {
        ChannelReading a[2]{}, b[2]{};
        a[0].sample_peak = 0.5f; a[0].clip_runs = 1; a[0].rms = 0.1f;
        b[0].sample_peak = 0.25f; b[0].clip_runs = 2; b[0].rms = 0.2f;
        x.publish(a, 2, 100);
        x.publish(b, 2, 200);
        REQUIRE(x.take(s));
        CHECK(s.blocks == 2);
        CHECK(s.frames == 200);
        CHECK(s.ch[0].sample_peak == 0.5f);
        CHECK(s.ch[0].clip_runs == 3);
        CHECK(s.ch[0].rms == 0.2f);
        x.publish(b, 2, 300);
        REQUIRE(x.take(s));
        CHECK(s.ch[0].sample_peak == 0.25f);
        CHECK(s.ch[0].clip_runs == 2);
        CHECK_FALSE(x.take(s));
    }
}
