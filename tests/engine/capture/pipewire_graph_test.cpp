// PipeWire's naming and detection (engine/capture/pipewire_graph.*) without a daemon: channel
// positions become readable names numbered from 1, --device matches node name and description,
// and a runtime dir without a live PipeWire socket is "not running" (PortAudio is used then).
// Capture from a real graph: tests/integration/pipewire_record_test.sh.
#include "engine/capture/pipewire_graph.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::TempDir;

namespace {
// Sets an environment variable for the scope of the object.
struct EnvVar {
    EnvVar(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old, had_ = true;
        ::setenv(name, value.c_str(), 1);
    }
    ~EnvVar() { had_ ? ::setenv(name_, old_.c_str(), 1) : ::unsetenv(name_); }
    const char* name_;
    std::string old_;
    bool had_ = false;
};
} // namespace

TEST_CASE("pipewire_channel_name") {
    SUBCASE("positions read as words") {
        CHECK(pipewire_channel_name("FL", 1) == "Front Left");
        CHECK(pipewire_channel_name("FR", 2) == "Front Right");
        CHECK(pipewire_channel_name("LFE", 4) == "LFE");
        CHECK(pipewire_channel_name("MONO", 1) == "Mono");
    }
    SUBCASE("AUX positions are numbered from 1") {
        CHECK(pipewire_channel_name("AUX0", 1) == "Aux 1");
        CHECK(pipewire_channel_name("AUX7", 8) == "Aux 8");
        CHECK(pipewire_channel_name("AUX63", 64) == "Aux 64");
    }
    SUBCASE("no position: In N; an unknown one as it is") {
        CHECK(pipewire_channel_name("", 3) == "In 3");
        CHECK(pipewire_channel_name("UNK", 5) == "In 5");
        CHECK(pipewire_channel_name("AUXX", 2) == "AUXX");
        CHECK(pipewire_channel_name("CUSTOM", 2) == "CUSTOM");
    }
}

TEST_CASE("pipewire_source_matches") {
    PwSourceEntry s;
    s.name = "alsa_input.usb-Focusrite_Scarlett_18i20-00.pro-input-0";
    s.description = "Scarlett 18i20 USB Pro";
    SUBCASE("node name and description, exactly") {
        CHECK(pipewire_source_matches(s, "alsa_input.usb-focusrite_scarlett_18i20-00.pro-input-0", true));
        CHECK(pipewire_source_matches(s, "scarlett 18i20 usb pro", true));
        CHECK_FALSE(pipewire_source_matches(s, "scarlett", true));
    }
    SUBCASE("or a part of either") {
        CHECK(pipewire_source_matches(s, "scarlett", false));
        CHECK(pipewire_source_matches(s, "pro-input", false));
        CHECK_FALSE(pipewire_source_matches(s, "built-in", false));
        CHECK_FALSE(pipewire_source_matches(s, "", false));
    }
}

TEST_CASE("pipewire_running") {
    TempDir dir;
    EnvVar runtime("XDG_RUNTIME_DIR", dir.dir.string());
    EnvVar remote("PIPEWIRE_REMOTE", "pipewire-0");
    SUBCASE("no socket: not running") { CHECK_FALSE(pipewire_running()); }
    SUBCASE("a stale socket file nobody listens on: not running") {
        const std::string path = (dir / "pipewire-0").string();
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        ::close(fd);  // the file stays, nobody listens
        CHECK_FALSE(pipewire_running());
    }
    SUBCASE("a listening socket: running") {
        const std::string path = (dir / "pipewire-0").string();
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd, 1) == 0);
        CHECK(pipewire_running());
        ::close(fd);
    }
    SUBCASE("no pipewire_sources() without a daemon") { CHECK_FALSE(pipewire_sources().has_value()); }
}
