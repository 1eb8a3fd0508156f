#include "engine/meter/meter_snapshot.hpp"

#include <cstdint>
#include <limits>
#include <type_traits>

#include <doctest/doctest.h>

using namespace headroom;

TEST_CASE("ChannelReading") {
    SUBCASE("merge: maxima kept, counts summed, the latest RMS value wins") {
        ChannelReading a{}, b{};
        a.sample_peak = 0.5f; a.true_peak = 0.6f; a.rms = 0.1f; a.rms_max = 0.3f;
        a.clip_runs = 1; a.clipped_samples = 4; a.nonfinite = 2; a.hot_samples = 7;
        b.sample_peak = 0.25f; b.true_peak = 0.7f; b.rms = 0.2f; b.rms_max = 0.2f;
        b.clip_runs = 2; b.clipped_samples = 5; b.nonfinite = 1; b.hot_samples = 3;
        a.merge(b);
        CHECK(a.sample_peak == 0.5f);
        CHECK(a.true_peak == 0.7f);
        CHECK(a.rms == 0.2f);
        CHECK(a.rms_max == 0.3f);
        CHECK(a.clip_runs == 3);
        CHECK(a.clipped_samples == 9);
        CHECK(a.nonfinite == 3);
        CHECK(a.hot_samples == 10);
    }

    SUBCASE("an interval without a new RMS value keeps the previous one") {
        ChannelReading a{}, b{};
        a.rms = 0.3f;
        b.rms = -1.0f;
        a.merge(b);
        CHECK(a.rms == 0.3f);
    }

    SUBCASE("counts saturate instead of wrapping") {
        ChannelReading a{}, b{};
        a.clip_runs = std::numeric_limits<std::uint32_t>::max() - 1;
        b.clip_runs = 5;
        a.merge(b);
        CHECK(a.clip_runs == std::numeric_limits<std::uint32_t>::max());
    }
}

TEST_CASE("MeterSnapshot") {
    static_assert(std::is_trivially_copyable_v<MeterSnapshot>);
    MeterSnapshot s;
    CHECK(s.empty());

    SUBCASE("merge_block folds each channel, counts blocks, keeps the newest position") {
        ChannelReading a[2]{}, b[2]{};
        a[0].sample_peak = 0.5f; a[0].clip_runs = 1; a[0].rms = 0.1f; a[0].true_peak = 0.6f;
        b[0].sample_peak = 0.25f; b[0].clip_runs = 2; b[0].rms = 0.2f; b[1].nonfinite = 3;
        s.merge_block(a, 2, 100);
        s.merge_block(b, 2, 200);
        CHECK_FALSE(s.empty());
        CHECK(s.blocks == 2);
        CHECK(s.frames == 200);
        CHECK(s.channels == 2);
        CHECK(s.ch[0].sample_peak == 0.5f);
        CHECK(s.ch[0].true_peak == 0.6f);
        CHECK(s.ch[0].clip_runs == 3);
        CHECK(s.ch[0].rms == 0.2f);
        CHECK(s.ch[1].nonfinite == 3);
    }

    SUBCASE("clear: nothing since the last take, the stream position kept") {
        ChannelReading a[1]{};
        a[0].sample_peak = 0.5f;
        a[0].clip_runs = 1;
        s.merge_block(a, 1, 300);
        s.clear();
        CHECK(s.empty());
        CHECK(s.frames == 300);
        CHECK(s.ch[0].sample_peak == 0.0f);
        CHECK(s.ch[0].clip_runs == 0);
        CHECK(s.ch[0].rms < 0.0f);  // no RMS value yet
    }

    SUBCASE("more channels than before start from nothing; the count is clamped to kMaxChannels") {
        ChannelReading one[1]{}, three[3]{};
        one[0].sample_peak = 0.5f;
        three[2].sample_peak = 0.125f;
        s.merge_block(one, 1, 10);
        s.ch[2].sample_peak = 0.9f;  // stale data beyond the channel count is not carried in
        s.merge_block(three, 3, 20);
        CHECK(s.channels == 3);
        CHECK(s.ch[0].sample_peak == 0.5f);
        CHECK(s.ch[2].sample_peak == 0.125f);

        static ChannelReading many[kMaxChannels + 5]{};
        s.merge_block(many, kMaxChannels + 5, 30);
        CHECK(s.channels == static_cast<std::uint32_t>(kMaxChannels));
    }
}
