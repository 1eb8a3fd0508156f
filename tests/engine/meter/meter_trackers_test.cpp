// The per-channel event trackers (meter_trackers.hpp) against sequences whose events are known
// in closed form: the min-run rule, merging (a gap of `gap` - 1 frames merges, `gap` does not),
// runs and clipped-sample counts, the sample and true peak an event carries across its gaps
// and segments, when an event closes, and what finish() emits.
#include "engine/meter/meter_trackers.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

using namespace headroom;

namespace {

// One channel's RunTracker fed as the MeterBank feeds it: every special sample is observed,
// a qualifying one then goes to on_sample; true-peak values per frame in `true_peak`.
struct RunStream {
    SpscQueue<MeterEvent> queue{64};
    EventSink sink{&queue};
    RunTracker tracker;
    RunParams rule;
    std::vector<float> true_peak = std::vector<float>(1000, 0.0f);
    std::uint64_t seg_begin = 0;

    RunStream(std::uint32_t min_run, std::uint64_t gap, EventType type = EventType::Clip) {
        rule.type = type;
        rule.min_run = min_run;
        rule.gap = gap;
    }
    RunTracker::Added sample(std::uint64_t n, float ax = 1.0f) {
        tracker.observe(n, ax);
        const auto at = [this](std::uint64_t m) { return true_peak[m]; };
        return tracker.on_sample(n, ax, true_peak[n], seg_begin, at, rule, 3, sink);
    }
    // Qualifying samples at every frame of [first, last].
    void samples(std::uint64_t first, std::uint64_t last, float ax = 1.0f) {
        for (std::uint64_t n = first; n <= last; ++n) sample(n, ax);
    }
    void end_segment(std::uint64_t end, float segment_true_peak) {
        const auto at = [this](std::uint64_t m) { return true_peak[m]; };
        tracker.end_segment(seg_begin, end, segment_true_peak, at);
        seg_begin = end;
    }
    std::vector<MeterEvent> emitted() {
        std::vector<MeterEvent> v;
        MeterEvent e;
        while (queue.try_pop(e)) v.push_back(e);
        return v;
    }
    std::vector<MeterEvent> finish() {
        tracker.finish(sink);
        return emitted();
    }
};

struct BurstStream {
    SpscQueue<MeterEvent> queue{64};
    EventSink sink{&queue};
    BurstTracker tracker;
    std::uint64_t gap;
    explicit BurstStream(std::uint64_t g) : gap(g) {}
    void sample(std::uint64_t n) { tracker.on_sample(n, gap, 5, sink); }
    std::vector<MeterEvent> emitted() {
        std::vector<MeterEvent> v;
        MeterEvent e;
        while (queue.try_pop(e)) v.push_back(e);
        return v;
    }
};

void check_event(const MeterEvent& e, EventType type, std::uint64_t start, std::uint64_t end, std::uint32_t runs,
                 std::uint64_t count) {
    CHECK(e.type == type);
    CHECK(e.start_sample == start);
    CHECK(e.end_sample == end);
    CHECK(e.runs == runs);
    CHECK(e.count == count);
}

} // namespace

TEST_CASE("RunTracker") {
    SUBCASE("min-run rule: a streak shorter than min_run is no run, the min_run-th sample makes one") {
        RunStream s(3, 10);
        CHECK(s.sample(10).runs == 0);
        CHECK(s.sample(11).runs == 0);  // two in a row: not yet
        CHECK(!s.tracker.open());
        const auto a = s.sample(20);   // a new streak (20 does not follow 11)
        const auto b = s.sample(21);
        CHECK((a.runs == 0 && a.samples == 0 && b.runs == 0 && b.samples == 0));
        const auto c = s.sample(22);
        CHECK(c.runs == 1);
        CHECK(c.samples == 3);  // the whole run is counted when it becomes one
        CHECK(s.tracker.open());
        CHECK(s.tracker.in_run(3));
        const auto d = s.sample(23);
        CHECK(d.runs == 0);
        CHECK(d.samples == 1);  // the run goes on: one more sample
        const auto ev = s.finish();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::Clip, 20, 23, 1, 4);
        CHECK(ev[0].channel == 3);
    }

    SUBCASE("a streak of min_run - 1 at the end is not emitted") {
        RunStream s(2, 0);
        s.sample(5);
        CHECK(s.finish().empty());
    }

    SUBCASE("merging: a gap of gap - 1 frames merges, a gap of gap frames does not") {
        const std::uint64_t gap = 5;
        {
            RunStream s(1, gap);
            s.sample(10);
            s.sample(10 + gap);  // frames 11..14 between: 4 = gap - 1
            CHECK(s.emitted().empty());
            const auto ev = s.finish();
            REQUIRE(ev.size() == 1);
            check_event(ev[0], EventType::Clip, 10, 15, 2, 2);
        }
        {
            RunStream s(1, gap);
            s.sample(10);
            s.sample(11 + gap);  // frames 11..15 between: 5 = gap
            const auto first = s.emitted();  // the first event closed when the second run began
            REQUIRE(first.size() == 1);
            check_event(first[0], EventType::Clip, 10, 10, 1, 1);
            const auto ev = s.finish();
            REQUIRE(ev.size() == 1);
            check_event(ev[0], EventType::Clip, 16, 16, 1, 1);
        }
        {
            RunStream s(1, 0);  // gap 0: only runs that touch are one run
            s.sample(10);
            s.sample(12);
            CHECK(s.emitted().size() == 1);
            CHECK(s.finish().size() == 1);
        }
    }

    SUBCASE("runs and clipped-sample counts: min_run 2, streaks of 3, 1, 2 and 4") {
        RunStream s(2, 100);
        s.samples(0, 2);    // a run of 3
        s.sample(5);        // a single sample: no run, not counted
        s.samples(8, 9);    // a run of 2
        s.samples(20, 23);  // a run of 4
        const auto ev = s.finish();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::Clip, 0, 23, 3, 3 + 2 + 4);
    }

    SUBCASE("the event carries the largest sample, also one in a gap that a later run merges") {
        RunStream s(2, 100);
        s.samples(0, 1, 1.0f);
        s.sample(5, 1.75f);  // a lone full-scale sample inside the event's span
        s.tracker.observe(6, 1.5f);  // a special sample that does not qualify
        s.samples(8, 9, 1.25f);
        const auto ev = s.finish();
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].sample_peak == 1.75f);
        CHECK(ev[0].true_peak == 1.75f);  // never below the sample peak
    }

    SUBCASE("a gap's largest sample stays out of an event no later run merges into") {
        RunStream s(1, 3);
        s.sample(0, 1.0f);
        s.tracker.observe(2, 1.5f);
        s.tracker.close_if_done(4, s.rule, s.sink);
        const auto ev = s.emitted();
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].sample_peak == 1.0f);
    }

    SUBCASE("true peak: the runs', the merged gap's, across segments, and segments wholly in the gap") {
        RunStream s(1, 100);
        s.true_peak[3] = 1.1f;
        s.true_peak[7] = 3.0f;   // after the event, in the first segment
        s.true_peak[21] = 2.0f;  // in the last segment, before the run that merges
        s.true_peak[22] = 1.2f;
        s.sample(3);
        s.end_segment(10, 3.0f);
        s.end_segment(20, 4.0f);  // no qualifying sample: its true peak is the gap's
        s.sample(22);
        const auto ev = s.finish();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::Clip, 3, 22, 2, 2);
        CHECK(ev[0].true_peak == 4.0f);
        CHECK(ev[0].sample_peak == 1.0f);
    }

    SUBCASE("true peak of a gap that does not merge stays out") {
        RunStream s(1, 4);
        s.true_peak[0] = 1.5f;
        s.true_peak[2] = 9.0f;
        s.true_peak[10] = 1.25f;
        s.sample(0);
        s.sample(10);
        // two events, neither carries frame 2's 9.0
        auto ev = s.emitted();
        const auto last = s.finish();
        ev.insert(ev.end(), last.begin(), last.end());
        REQUIRE(ev.size() == 2);
        CHECK(ev[0].true_peak == 1.5f);
        CHECK(ev[1].true_peak == 1.25f);
    }

    SUBCASE("close_if_done: open while a run may still merge, closed from end + gap + 1 on") {
        RunStream s(1, 5);
        s.sample(10);
        s.tracker.close_if_done(11, s.rule, s.sink);
        s.tracker.close_if_done(15, s.rule, s.sink);  // frames before 15 seen: a run at 15 would merge
        CHECK(s.tracker.open());
        CHECK(s.emitted().empty());
        s.tracker.close_if_done(16, s.rule, s.sink);  // frames up to 15 seen: nothing can merge
        CHECK(!s.tracker.open());
        const auto ev = s.emitted();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::Clip, 10, 10, 1, 1);
        CHECK(s.finish().empty());  // nothing left to emit
    }

    SUBCASE("close_if_done keeps an event whose run goes on at pos") {
        RunStream s(2, 0);
        s.samples(10, 12);
        s.tracker.close_if_done(13, s.rule, s.sink);  // 13 may continue the run
        CHECK(s.tracker.open());
        s.sample(13);
        s.tracker.close_if_done(15, s.rule, s.sink);
        const auto ev = s.emitted();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::Clip, 10, 13, 1, 4);
    }

    SUBCASE("finish: emits the open event once; a run going on starts afresh") {
        RunStream s(2, 100, EventType::Hot);
        s.samples(0, 3);
        auto ev = s.finish();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::Hot, 0, 3, 1, 4);
        CHECK(!s.tracker.open());
        CHECK(s.finish().empty());
        CHECK(s.sample(4).runs == 0);  // the streak before finish() does not count
        CHECK(s.sample(5).runs == 1);
        ev = s.finish();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::Hot, 4, 5, 1, 2);
    }

    SUBCASE("extend_streak: the same event as its samples one by one") {
        RunStream one(2, 10, EventType::Hot), many(2, 10, EventType::Hot);
        for (RunStream* s : {&one, &many}) {
            s->true_peak[30] = 1.5f;
            s->samples(20, 21, 0.5f);
        }
        for (std::uint64_t n = 22; n <= 30; ++n) one.sample(n, n == 27 ? 0.875f : 0.5f);
        REQUIRE(many.tracker.in_run(2));
        many.tracker.extend_streak(30, 9, 0.875f, 27, 1.5f);
        for (RunStream* s : {&one, &many}) s->samples(35, 36, 0.5f);  // merges after the streak
        const auto a = one.finish();
        const auto b = many.finish();
        REQUIRE(a.size() == 1);
        REQUIRE(b.size() == 1);
        check_event(a[0], EventType::Hot, 20, 36, 2, 13);
        check_event(b[0], EventType::Hot, 20, 36, 2, 13);
        CHECK(a[0].sample_peak == 0.875f);
        CHECK(b[0].sample_peak == 0.875f);
        CHECK(a[0].true_peak == 1.5f);
        CHECK(b[0].true_peak == 1.5f);
        CHECK(a[0].peak_sample == 27);
        CHECK(b[0].peak_sample == 27);
    }

    SUBCASE("an event's loudest moment: peak_sample at the first frame of its max, gap samples included") {
        RunStream s(2, 10);
        CHECK(s.sample(5, 1.0f).events == 0);   // a streak below min_run begins nothing
        CHECK(s.sample(6, 1.25f).events == 1);  // the run that opens the event
        s.sample(8, 3.0f);                      // a lone full-scale sample: in the gap, not a run
        s.sample(10, 1.5f);
        CHECK(s.sample(11, 3.0f).events == 0);  // merges: same max, later frame
        s.sample(30, 2.0f);
        CHECK(s.sample(31, 2.0f).events == 1);  // too far: a new event
        const auto ev = s.finish();
        REQUIRE(ev.size() == 2);
        CHECK(ev[0].sample_peak == 3.0f);
        CHECK(ev[0].peak_sample == 8);
        CHECK(ev[1].peak_sample == 30);
    }

    SUBCASE("a full queue drops the event and counts it; a null sink swallows it") {
        RunStream s(1, 0);
        SpscQueue<MeterEvent> tiny(1);
        const EventSink full{&tiny};
        MeterEvent filler;
        while (tiny.try_push(filler)) {
        }
        const std::uint64_t before = tiny.dropped();
        s.sample(0);
        s.tracker.finish(full);
        CHECK(tiny.dropped() == before + 1);
        s.sample(5);
        s.tracker.finish(EventSink{});
        CHECK(!s.tracker.open());
    }
}

TEST_CASE("BurstTracker") {
    SUBCASE("consecutive non-finite samples are one burst, even with gap 0") {
        BurstStream s(0);
        s.sample(5);
        s.sample(6);
        s.sample(7);
        CHECK(s.emitted().empty());
        s.sample(9);  // one frame between: a new burst with gap 0
        auto ev = s.emitted();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::NonFinite, 5, 7, 1, 3);
        CHECK(ev[0].channel == 5);
        s.tracker.finish(s.sink);
        ev = s.emitted();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::NonFinite, 9, 9, 1, 1);
    }

    SUBCASE("a gap of gap - 1 frames merges, a gap of gap frames does not") {
        BurstStream s(4);
        s.sample(10);
        s.sample(14);  // 11..13 between: 3 = gap - 1
        CHECK(s.emitted().empty());
        s.sample(19);  // 15..18 between: 4 = gap
        auto ev = s.emitted();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::NonFinite, 10, 14, 1, 2);
        s.tracker.finish(s.sink);
        ev = s.emitted();
        REQUIRE(ev.size() == 1);
        check_event(ev[0], EventType::NonFinite, 19, 19, 1, 1);
    }

    SUBCASE("close_if_done: emitted once no later sample can merge") {
        BurstStream s(4);
        s.sample(10);
        s.tracker.close_if_done(14, s.gap, s.sink);  // a sample at 14 would still merge
        CHECK(s.tracker.open());
        s.tracker.close_if_done(15, s.gap, s.sink);
        CHECK(!s.tracker.open());
        REQUIRE(s.emitted().size() == 1);
        s.tracker.finish(s.sink);
        CHECK(s.emitted().empty());  // finish emits nothing twice
    }
}
