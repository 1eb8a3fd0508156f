#include "engine/base/atomic_file.hpp"

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "engine/base/errors.hpp"
#include "tests/support/file_contents.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::slurp;
using headroom::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("write_file_atomic") {
    TempDir tmp;
    const fs::path p = tmp / "session.json";
    write_file_atomic(p, "first\n");
    CHECK(slurp(p) == "first\n");
    write_file_atomic(p, "second\n");
    CHECK(slurp(p) == "second\n");

    SUBCASE("a failed write leaves the old file whole and no temporary file") {
        rlimit old{};
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
        auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old;
        small.rlim_cur = 64;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        std::string what;
        try {
            write_file_atomic(p, std::string(1000, 'x'));
        } catch (const OutputError& e) {
            what = e.what();
        }
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
        std::signal(SIGXFSZ, old_handler);
        const std::string tmp_name = "session.json.tmp-" + std::to_string(::getpid());
        CHECK(what.find(tmp_name + ": ") != std::string::npos);
        CHECK(slurp(p) == "second\n");
        CHECK(!fs::exists(tmp / tmp_name));
        for (const auto& entry : fs::directory_iterator(tmp.dir)) CHECK(entry.path().filename() == "session.json");
    }

    SUBCASE("a folder that does not exist: OutputError naming the file") {
        CHECK_THROWS_WITH_AS(write_file_atomic(tmp / "no-such-folder" / "x.json", "x"),
                             doctest::Contains(("x.json.tmp-" + std::to_string(::getpid()) + ": No such file or directory").c_str()), OutputError);
    }
}

TEST_CASE("errno_message") {
    CHECK(errno_message("/x", ENOSPC) == "/x: No space left on device");
}
