// Headroom's JACK client (engine/capture/source_jack.cpp) against a real JACK server, through
// Capture and its re-open bookkeeping.
#include <chrono>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "engine/capture/capture.hpp"
#include "tests/engine/capture/capture_helpers.hpp"

using namespace headroom;
using headroom::test::options_for;

// Skipped in the normal run (it needs a server): tests/integration/capture_jack_test.sh starts
// jackd with the dummy driver (8 capture ports, 48 kHz, period 256), runs this test with
// --no-skip, kills the server ~2 s in and starts it again ~3 s later. Without a server this
// test fails; it never passes by doing nothing.
TEST_CASE("Capture JACK device: capture, server killed, server back" * doctest::skip()) {
    using clock = std::chrono::steady_clock;
    SourceSpec spec;
    spec.kind = SourceSpec::Kind::Device;
    spec.host_api = "jack";
    Capture cap(spec);
    const SourceInfo& info = cap.info();
    CHECK(info.kind == "device");
    CHECK(info.device == "system");
    CHECK(info.host_api == "JACK Audio Connection Kit");
    CHECK(info.sample_rate == 48000.0);
    CHECK(info.channels == 8);
    CHECK(info.buffer_frames == 256);
    REQUIRE(info.channel_names.size() == 8);
    CHECK(info.channel_names[0] == "capture_1");
    cap.configure(options_for(info));
    cap.start();

    auto wait_for = [&](auto pred, double seconds) {
        const auto end = clock::now() + std::chrono::duration<double>(seconds);
        while (clock::now() < end) {
            if (pred(cap.poll_status())) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    };
    // Running: frames arrive at the server's pace.
    const auto t0 = clock::now();
    REQUIRE(wait_for([](const CaptureStatus& s) { return s.frames >= 48000; }, 5.0));
    const double took = std::chrono::duration<double>(clock::now() - t0).count();
    CHECK(took > 0.5);  // paced by the server, not free-running
    // The script kills the server: lost, with a reason, no crash.
    CaptureStatus st;
    REQUIRE(wait_for([&](const CaptureStatus& s) { st = s; return s.device_lost; }, 10.0));
    CHECK(st.losses == 1);
    CHECK(st.lost_reason.find("JACK") != std::string::npos);
    const std::uint64_t frames_at_loss = st.frames;
    // ... and starts it again: back within a few re-open attempts, frames flow again.
    REQUIRE(wait_for([&](const CaptureStatus& s) { st = s; return !s.device_lost && s.returns == 1; }, 15.0));
    REQUIRE(wait_for([&](const CaptureStatus& s) { return s.frames > frames_at_loss + 24000; }, 5.0));
    cap.stop();
    CHECK(cap.poll_status().losses == 1);
}
