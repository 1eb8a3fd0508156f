// ReopeningSource (engine/capture/source_reopen.*): loss detection and re-open bookkeeping,
// driven through a fake source whose hooks the test controls. The 2 s silence limit and the
// 2 s between re-open attempts run on the real CLOCK_MONOTONIC (the class has no clock
// seam), so this test waits about 8 s in all; its timing checks are lower bounds the code
// guarantees (nothing happens before 2 s) and upper bounds of many times that.
#include "engine/capture/source_reopen.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "engine/capture/capture_core.hpp"

using namespace headroom;

namespace {

using Clock = std::chrono::steady_clock;

// A source whose stream is a flag: the test says when it is dead and whether re-opening
// works, and counts the hooks the poller called.
class FakeSource final : public ReopeningSource {
public:
    FakeSource() : ReopeningSource("no audio for 2 s") {
        info_.kind = "device";
        info_.sample_rate = 48000.0;
        info_.channels = 1;
    }
    const SourceInfo& info() const override { return info_; }
    std::size_t block_hint() const override { return 64; }
    void start(CaptureCore& core) override {
        core_.store(&core);
        watch_started();
    }
    void stop() override {
        watch_stopped();
        core_.store(nullptr);
    }

    std::string dead;            // what dead_reason() answers
    bool reopen_works = false;   // what reopen() answers
    int dead_asked = 0, closed = 0, reopen_tries = 0;
    std::vector<Clock::time_point> tried_at;  // when each reopen() was called

private:
    std::string dead_reason() override {
        ++dead_asked;
        return dead;
    }
    void close_lost() override { ++closed; }
    bool reopen() override {
        ++reopen_tries;
        tried_at.push_back(Clock::now());
        return reopen_works;
    }
    std::string label() const override { return "fake device"; }

    SourceInfo info_;
};

MeterOptions one_channel() {
    MeterOptions o;
    o.sample_rate = 48000.0;
    o.channels = 1;
    o.max_block = 64;
    return o;
}

// Polls (every 10 ms) until `done` or `limit` seconds; the status of the last poll in `st`.
bool poll_until(FakeSource& src, CaptureStatus& st, const std::function<bool()>& done, double limit,
                const std::function<void()>& between = {}) {
    const auto end = Clock::now() + std::chrono::duration<double>(limit);
    while (Clock::now() < end) {
        src.poll(st);
        if (done()) return true;
        if (between) between();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

} // namespace

TEST_CASE("ReopeningSource") {
    EventQueue events(1024);
    MeterExchange snaps;
    CaptureCore core(one_channel(), events, snaps);
    std::vector<float> block(64, 0.0f);
    FakeSource src;
    CaptureStatus st;

    SUBCASE("not started: poll reports the counters and watches nothing") {
        src.dead = "gone";
        src.poll(st);
        CHECK_FALSE(st.device_lost);
        CHECK(st.losses == 0);
        CHECK(src.dead_asked == 0);
        CHECK(src.closed == 0);
    }

    SUBCASE("a dead stream: lost at once, closed, re-opened every 2 s until it works") {
        src.start(core);
        core.step(block.data(), 64);
        src.poll(st);
        CHECK(src.dead_asked == 1);
        CHECK_FALSE(st.device_lost);
        CHECK(st.lost_reason.empty());

        src.dead = "the server went away";
        const auto lost_at = Clock::now();
        src.poll(st);
        CHECK(st.device_lost);
        CHECK(st.lost_reason == "the server went away");
        CHECK(st.losses == 1);
        CHECK(st.returns == 0);
        CHECK(src.closed == 1);
        CHECK(src.reopen_tries == 0);  // the first attempt waits 2 s

        // While lost, the stream is not asked again; the first attempt (it fails) comes 2 s on.
        const int asked = src.dead_asked;
        REQUIRE(poll_until(src, st, [&] { return src.reopen_tries == 1; }, 20.0));
        const double first_try = seconds_since(lost_at);
        CHECK(first_try >= 2.0);
        CHECK(src.dead_asked == asked);
        CHECK(st.device_lost);
        CHECK(st.lost_reason == "the server went away");
        CHECK(st.returns == 0);
        CHECK(st.losses == 1);
        CHECK(src.closed == 1);

        // The second attempt, 2 s after the first, works: back, counted once.
        src.dead.clear();
        src.reopen_works = true;
        REQUIRE(poll_until(src, st, [&] { return src.reopen_tries == 2; }, 20.0));
        // 2 s after the first try (less the moment between the poller's clock read and the hook)
        CHECK(std::chrono::duration<double>(src.tried_at[1] - src.tried_at[0]).count() >= 1.99);
        CHECK(seconds_since(lost_at) >= 4.0);
        CHECK_FALSE(st.device_lost);
        CHECK(st.lost_reason.empty());
        CHECK(st.returns == 1);
        CHECK(st.losses == 1);

        // Lost a second time: the counters keep counting.
        src.dead = "again";
        src.poll(st);
        CHECK(st.device_lost);
        CHECK(st.lost_reason == "again");
        CHECK(st.losses == 2);
        CHECK(st.returns == 1);
        CHECK(src.closed == 2);
    }

    SUBCASE("no callback for 2 s is a loss; callbacks arriving keep it alive") {
        src.start(core);
        const auto t0 = Clock::now();
        // 2.5 s of callbacks every 10 ms: never lost.
        REQUIRE(poll_until(src, st, [&] { return st.device_lost || seconds_since(t0) > 2.5; }, 30.0,
                           [&] { core.step(block.data(), 64); }));
        CHECK_FALSE(st.device_lost);
        CHECK(st.losses == 0);
        // Then silence: lost with the silence reason, not before 2 s.
        const auto quiet_from = Clock::now();
        REQUIRE(poll_until(src, st, [&] { return st.device_lost; }, 20.0));
        CHECK(seconds_since(quiet_from) >= 2.0);
        CHECK(st.lost_reason == "no audio for 2 s");
        CHECK(st.losses == 1);
        CHECK(src.closed == 1);
    }

    SUBCASE("stopped: poll keeps reporting the counters, detects nothing") {
        src.start(core);
        src.dead = "gone";
        src.poll(st);
        REQUIRE(st.losses == 1);
        src.stop();
        const int asked = src.dead_asked;
        src.poll(st);
        CHECK(st.losses == 1);
        CHECK(st.device_lost);  // the state at stop() stays visible
        CHECK(src.dead_asked == asked);
        CHECK(src.reopen_tries == 0);
    }
}
