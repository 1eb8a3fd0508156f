// Where sessions live (session_folder.hpp): the default sessions folder from XDG_DATA_HOME or
// HOME, a new session folder's name (its start time, -2, -3 ... within one second), and a
// parent that cannot hold it -> OutputError naming the folder.
#include "engine/session/session_folder.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "engine/base/errors.hpp"
#include "tests/support/file_contents.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::TempDir;
namespace fs = std::filesystem;

namespace {

// Sets (or, with nullopt, unsets) an environment variable; restores the old value on exit.
struct EnvVar {
    std::string name;
    std::optional<std::string> old;
    EnvVar(const char* n, std::optional<std::string> value) : name(n) {
        if (const char* v = std::getenv(n)) old = v;
        if (value) ::setenv(n, value->c_str(), 1);
        else ::unsetenv(n);
    }
    ~EnvVar() {
        if (old) ::setenv(name.c_str(), old->c_str(), 1);
        else ::unsetenv(name.c_str());
    }
};

const WallClock::time_point kStart{std::chrono::milliseconds(1795428900250LL)};

} // namespace

TEST_CASE("default_sessions_dir") {
    SUBCASE("XDG_DATA_HOME, when absolute") {
        EnvVar xdg("XDG_DATA_HOME", "/data/me");
        EnvVar home("HOME", "/home/me");
        CHECK(default_sessions_dir() == fs::path("/data/me/headroom/sessions"));
    }
    SUBCASE("HOME when XDG_DATA_HOME is unset, empty or relative") {
        EnvVar home("HOME", "/home/me");
        const fs::path want = "/home/me/.local/share/headroom/sessions";
        for (std::optional<std::string> xdg_value : {std::optional<std::string>{}, std::optional<std::string>{""},
                                                     std::optional<std::string>{"relative/data"}}) {
            EnvVar xdg("XDG_DATA_HOME", xdg_value);
            CHECK(default_sessions_dir() == want);
        }
    }
    SUBCASE("no HOME: the user's home from the password database") {
        EnvVar xdg("XDG_DATA_HOME", std::nullopt);
        EnvVar home("HOME", std::nullopt);
        const fs::path d = default_sessions_dir();
        CHECK(d.is_absolute());
        CHECK(d.string().size() > std::string("/.local/share/headroom/sessions").size());
        CHECK(d.filename() == "sessions");
        CHECK(d.parent_path().parent_path().parent_path().filename() == ".local");
    }
}

TEST_CASE("make_session_folder") {
    TempDir tmp;
    const fs::path sessions = tmp / "a" / "sessions";  // does not exist yet

    SUBCASE("named for the start time; -2, -3 for more sessions in the same second") {
        const fs::path first = make_session_folder(sessions, kStart);
        CHECK(fs::is_directory(first));
        CHECK(first.parent_path() == sessions);
        CHECK(first.filename() == folder_stamp(kStart));
        CHECK(first.filename().string().size() == 19);  // YYYY-MM-DDTHH-MM-SS
        const fs::path second = make_session_folder(sessions, kStart + std::chrono::milliseconds(500));
        const fs::path third = make_session_folder(sessions, kStart);
        CHECK(second.filename() == folder_stamp(kStart) + "-2");
        CHECK(third.filename() == folder_stamp(kStart) + "-3");
        CHECK(fs::is_directory(second));
        CHECK(fs::is_directory(third));
        const fs::path later = make_session_folder(sessions, kStart + std::chrono::seconds(1));
        CHECK(later.filename() == folder_stamp(kStart + std::chrono::seconds(1)));
    }

    SUBCASE("a sessions folder that cannot be made: OutputError naming it") {
        headroom::test::write_text(tmp / "file.txt", "x");
        const fs::path bad = tmp / "file.txt" / "sessions";
        CHECK_THROWS_WITH_AS(make_session_folder(bad, kStart),
                             doctest::Contains(("cannot create the sessions folder " + bad.string() + ": ").c_str()),
                             OutputError);
    }

    SUBCASE("a sessions folder that refuses new folders: OutputError naming the session folder") {
        // /proc is a folder no one can make folders in, root included
        const fs::path want = fs::path("/proc") / folder_stamp(kStart);
        CHECK_THROWS_WITH_AS(make_session_folder("/proc", kStart),
                             doctest::Contains(("cannot create the session folder " + want.string() + ": ").c_str()),
                             OutputError);
        if (::geteuid() != 0) {  // permissions bind everyone but root
            const fs::path ro = tmp / "read-only";
            fs::create_directories(ro);
            REQUIRE(::chmod(ro.c_str(), 0555) == 0);
            CHECK_THROWS_WITH_AS(make_session_folder(ro, kStart),
                                 doctest::Contains(((ro / folder_stamp(kStart)).string() + ": Permission denied").c_str()),
                                 OutputError);
            ::chmod(ro.c_str(), 0755);
        } else {
            MESSAGE("running as root: the read-only folder case is covered by /proc only");
        }
    }
}
