// The audio system (engine/capture/audio_system.*) without a sound card: the device look-up's
// errors name what was asked and what exists, and library chatter (ALSA's and JACK's message
// hooks, whatever a library writes to fd 2 while PortAudio starts) goes to the debug log, not
// the terminal. Opening a real stream needs hardware or a server: source_jack_test.cpp, run
// by tests/integration/capture_jack_test.sh, covers that.
#include "engine/capture/audio_system.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include "engine/base/errors.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::LogCapture;

namespace {


// File descriptor 2 sent to a file for one scope (what would have reached the terminal).
struct Fd2ToFile {
    std::string path;
    int saved = -1;
    explicit Fd2ToFile(std::string p) : path(std::move(p)) {
        std::fflush(stderr);
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        REQUIRE(fd >= 0);
        saved = ::dup(2);
        REQUIRE(::dup2(fd, 2) == 2);
        ::close(fd);
    }
    ~Fd2ToFile() {
        std::fflush(stderr);
        ::dup2(saved, 2);
        ::close(saved);
    }
    std::string text() const {
        std::fflush(stderr);
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

} // namespace

// Sets an environment variable for one scope, then puts the old value back.
struct ScopedEnv {
    std::string name;
    std::optional<std::string> old;
    ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
        if (const char* v = std::getenv(name.c_str())) old = v;
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old) ::setenv(name.c_str(), old->c_str(), 1);
        else ::unsetenv(name.c_str());
    }
};

TEST_CASE("AudioSystem") {
    SUBCASE("ascii_lower lowers ASCII letters only") {
        CHECK(ascii_lower("JACK Audio Connection Kit") == "jack audio connection kit");
        CHECK(ascii_lower("hw:0,0 USB-Interface 2") == "hw:0,0 usb-interface 2");
        CHECK(ascii_lower("\xC3\x84rger") == "\xC3\x84rger");  // UTF-8 bytes untouched
    }

    SUBCASE("a device or host API that does not exist: an InputError naming it and what exists") {
        // No JACK server can answer (a server name nobody runs, none started): the look-up
        // sees only the host APIs every Linux machine has, whatever its cards.
        ScopedEnv server("JACK_DEFAULT_SERVER", "headroom-test-no-server-" + std::to_string(::getpid()));
        ScopedEnv no_start("JACK_NO_START_SERVER", "1");
        const std::shared_ptr<AudioSystem> audio = AudioSystem::acquire();
        REQUIRE(audio->initialized());
        const auto apis = audio->host_apis();
        REQUIRE_FALSE(apis.empty());
        for (const auto& h : apis) CHECK_FALSE(contains(h.name, "JACK"));

        auto error_of = [&](const std::string& device, const std::string& host_api) {
            try {
                (void)audio->find_input(device, host_api);
            } catch (const InputError& e) {
                return std::string(e.what());
            }
            return std::string("(no error)");
        };
        std::string e = error_of("headroom-no-such-device", "");
        CHECK(contains(e, "--device headroom-no-such-device: no input device matches (input devices: "));
        e = error_of("99999", "");
        CHECK(contains(e, "--device 99999: no device with that index (input devices: "));
        e = error_of("", "no-such-api");
        CHECK(contains(e, "--host-api no-such-api: no such host API with devices (available: "));
        CHECK_FALSE(contains(e, "JACK server"));
        // JACK named but not there: the message says what is probably wrong.
        e = error_of("", "jack");
        CHECK(contains(e, "--host-api jack: no such host API with devices"));
        CHECK(contains(e, "; is the JACK server running?"));
        // The default input: the system's when there is one, else an error that says so.
        if (audio->has_input_device()) {
            CHECK(audio->find_input("", "").input_channels > 0);
        } else {
            e = error_of("", "");
            CHECK(contains(e, "no input device (input devices: none)"));
        }
        // Every input device is found by its index, and by its exact name.
        for (const DeviceEntry& d : audio->devices()) {
            if (d.input_channels <= 0) continue;
            CHECK(audio->find_input(std::to_string(d.index), "").index == d.index);
            CHECK(ascii_lower(audio->find_input(d.name, d.host_api).name) == ascii_lower(d.name));
        }
    }

    SUBCASE("what a library writes to fd 2 while captured goes to the debug log, not the terminal") {
        headroom::test::TempDir tmp;
        Fd2ToFile terminal((tmp / "stderr").string());
        LogCapture log;
        {
            StderrToDebugLog captured("portaudio init");
            const char text[] = "ALSA lib pcm.c:2664: Unknown PCM cards.pcm.rear\nsecond line\n";
            REQUIRE(::write(2, text, sizeof text - 1) == static_cast<ssize_t>(sizeof text - 1));
        }
        CHECK(log.count("debug portaudio init: ALSA lib pcm.c:2664: Unknown PCM cards.pcm.rear") == 1);
        CHECK(log.count("debug portaudio init: second line") == 1);
        std::fprintf(stderr, "after the capture\n");
        const std::string seen = terminal.text();
        CHECK_FALSE(contains(seen, "Unknown PCM"));
        CHECK(contains(seen, "after the capture"));  // fd 2 is back where it was
    }

    SUBCASE("ALSA's and JACK's message hooks go to the debug log (shown with --verbose only)") {
        using AlsaHandler = void (*)(const char*, int, const char*, int, const char*, ...);
        using JackHandler = void (*)(const char*);
        // libportaudio links both libraries; their hook variables are what they print through.
        auto* alsa = static_cast<AlsaHandler*>(dlsym(RTLD_DEFAULT, "snd_lib_error"));
        auto* jack = static_cast<JackHandler*>(dlsym(RTLD_DEFAULT, "jack_error_callback"));
        REQUIRE(alsa != nullptr);
        REQUIRE(jack != nullptr);
        headroom::test::TempDir tmp;
        Fd2ToFile terminal((tmp / "stderr").string());
        route_library_messages_to_debug_log();
        {
            LogCapture log;
            (*alsa)("confmisc.c", 767, "parse_card", -2, "cannot find card '%d'", 0);
            (*jack)("Cannot connect to server socket");
            CHECK(log.count("debug alsa: confmisc.c:767 (parse_card) cannot find card '0': -2") == 1);
            CHECK(log.count("debug jack: Cannot connect to server socket") == 1);
            // A hook message while fd 2 is captured is logged once, after the capture, and
            // not a second time as captured text.
            {
                StderrToDebugLog captured("portaudio init");
                (*jack)("while captured");
            }
            CHECK(log.count("jack: while captured") == 1);
        }
        {
            LogCapture log;
            spdlog::default_logger()->set_level(spdlog::level::info);  // no --verbose
            (*alsa)("confmisc.c", 767, "parse_card", -2, "cannot find card '%d'", 0);
            (*jack)("Cannot connect to server socket");
            CHECK(log.out.str().empty());
        }
        const std::string seen = terminal.text();
        CHECK_FALSE(contains(seen, "cannot find card"));
        CHECK_FALSE(contains(seen, "server socket"));
    }
}
