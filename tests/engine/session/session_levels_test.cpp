#include "engine/session/session_levels.hpp"

#include <string>
#include <vector>

#include <doctest/doctest.h>

using namespace headroom;

namespace {

MeterEvent envelope(int ch, std::uint64_t tick, float peak, float rms) {
    MeterEvent e;
    e.type = EventType::Envelope;
    e.channel = static_cast<std::uint16_t>(ch);
    e.start_sample = tick * 4800;
    e.end_sample = tick * 4800 + 4799;
    e.sample_peak = peak;
    e.rms_window_max = rms;
    return e;
}

} // namespace

TEST_CASE("LevelAggregator") {
    LevelAggregator agg(2, level_tick_frames(48000.0));
    std::vector<std::string> out;

    SUBCASE("a record is emitted once every channel's event arrived, as float32 LE pairs") {
        agg.add(envelope(0, 0, 0.5f, 0.25f));
        CHECK(agg.emit(false, out) == 0);
        agg.add(envelope(1, 0, 0.125f, 0.0625f));
        REQUIRE(agg.emit(false, out) == 1);
        CHECK(out[0] == encode_level_record({0.5f, 0.25f, 0.125f, 0.0625f}));
        const LevelEnvelope env = decode_levels(out[0], 2);
        CHECK(env.peak == std::vector<std::vector<float>>{{0.5f}, {0.125f}});
        CHECK(env.rms == std::vector<std::vector<float>>{{0.25f}, {0.0625f}});
        agg.add(envelope(0, 0, 1.0f, 1.0f));  // late rest of a written tick: ignored
        CHECK(agg.emit(true, out) == 0);
    }

    SUBCASE("a missing channel holds a record back at most kMaxTicksAhead ticks") {
        for (std::uint64_t k = 0; k <= LevelAggregator::kMaxTicksAhead; ++k) agg.add(envelope(0, k, 0.5f, 0.25f));
        CHECK(agg.emit(false, out) == 1);
        CHECK(agg.emit(true, out) == LevelAggregator::kMaxTicksAhead);
        CHECK(out.size() == LevelAggregator::kMaxTicksAhead + 1);
        CHECK(decode_levels(out[0], 2).peak[1][0] == 0.0f);
    }

    SUBCASE("two events of one tick and channel keep the maxima") {
        agg.add(envelope(0, 3, 0.5f, 0.1f));
        agg.add(envelope(0, 3, 0.25f, 0.2f));
        agg.add(envelope(1, 3, 0.0f, 0.0f));
        CHECK(agg.emit(false, out) == 0);  // ticks 0..2 wait for their events
        REQUIRE(agg.emit(true, out) == 4);
        CHECK(out[3] == encode_level_record({0.5f, 0.2f, 0.0f, 0.0f}));
    }
}

TEST_CASE("decode_levels ignores a torn last record") {
    const std::string bytes = encode_level_record({1.0f, 0.5f}) + std::string("\x01\x02\x03", 3);
    const LevelEnvelope env = decode_levels(bytes, 1);
    CHECK(env.peak == std::vector<std::vector<float>>{{1.0f}});
    CHECK(decode_levels(bytes, 0).peak.empty());
}
