#include "engine/capture/transport_track.hpp"

#include <doctest/doctest.h>

#include "tests/support/alloc_guard.hpp"

using namespace headroom;

TEST_CASE("TransportTrack") {
    TransportTrack t;

    SUBCASE("nothing known: no position") {
        t.update();
        CHECK(!t.frame_at(0));
    }

    SUBCASE("rolling in step with the stream: one segment; stopped and relocated: new ones") {
        // Blocks of 256: stopped for 2 blocks, rolling from transport 4,800,000 for 3 blocks,
        // relocated to 96,000 for 2, stopped again.
        t.note(0, false, 0);
        t.note(256, false, 0);
        t.note(512, true, 4800000);
        t.note(768, true, 4800256);
        t.note(1024, true, 4800512);
        t.note(1280, true, 96000);
        t.note(1536, true, 96256);
        t.note(1792, false, 96512);
        t.update();
        CHECK(!t.frame_at(100));                 // stopped
        CHECK(t.frame_at(512) == 4800000u);
        CHECK(t.frame_at(1100) == 4800588u);     // inside the rolling stretch
        CHECK(t.frame_at(1279) == 4800767u);
        CHECK(t.frame_at(1280) == 96000u);       // the relocation
        CHECK(t.frame_at(1700) == 96420u);
        CHECK(!t.frame_at(1792));                // stopped again
        CHECK(!t.frame_at(5000));
    }

    SUBCASE("the audio thread's note() never allocates, even with the queue full") {
        REQUIRE(test::alloc_guard_active());
        std::uint64_t frame = 0;
        {
            test::AllocGuard guard;
            for (int i = 0; i < 1000; ++i, frame += 256) t.note(frame, i % 2 == 0, frame * 3);  // a break every block
            CHECK(guard.allocations() == 0);
            CHECK(guard.locks() == 0);
        }
        t.update();
        CHECK(t.frame_at(0) == 0u);
    }
}
