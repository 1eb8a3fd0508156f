// DurableAppender (session_files.hpp): records appended and flushed whole, in order; with
// RLIMIT_FSIZE made small (SIGXFSZ ignored, as in atomic_file_test.cpp) the unwritten records
// are kept and written by a later flush once the limit is lifted, none torn; backlog overflow
// drops whole oldest records (never one partly on disk) and counts them.
#include "engine/session/session_files.hpp"

#include <csignal>
#include <filesystem>
#include <string>
#include <sys/resource.h>

#include <doctest/doctest.h>

#include "engine/base/errors.hpp"
#include "tests/support/file_contents.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::slurp;
using headroom::test::TempDir;
using headroom::test::write_text;
namespace fs = std::filesystem;

namespace {

std::string record(int i) { return "record " + std::to_string(10 + i) + "\n"; }  // 10 bytes each

// RLIMIT_FSIZE at `bytes` (SIGXFSZ ignored, so write(2) fails with EFBIG) until lift().
struct FileSizeLimit {
    rlimit old{};
    void (*old_handler)(int) = nullptr;
    bool set = false;
    explicit FileSizeLimit(rlim_t bytes) {
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
        old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old;
        small.rlim_cur = bytes;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        set = true;
    }
    void lift() {
        if (!set) return;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
        std::signal(SIGXFSZ, old_handler);
        set = false;
    }
    ~FileSizeLimit() {
        if (set) {
            ::setrlimit(RLIMIT_FSIZE, &old);
            std::signal(SIGXFSZ, old_handler);
        }
    }
};

} // namespace

TEST_CASE("DurableAppender") {
    TempDir tmp;
    const fs::path p = tmp / "clips.jsonl";

    SUBCASE("records are written whole, in order, on flush") {
        DurableAppender a(p, 1 << 20);
        CHECK(a.path() == p);
        CHECK(fs::exists(p));
        a.append("first line\n");
        a.append("");  // nothing to queue
        a.append("second\n");
        CHECK(!a.empty());
        CHECK(slurp(p).empty());  // nothing written before the flush
        CHECK(!a.flush(false).has_value());
        CHECK(slurp(p) == "first line\nsecond\n");
        CHECK(a.empty());
        CHECK(a.bytes_written() == 18);
        a.append("third\n");
        CHECK(!a.flush(true).has_value());
        CHECK(!a.flush(true).has_value());  // nothing new: nothing to do
        CHECK(slurp(p) == "first line\nsecond\nthird\n");
        CHECK(a.records_dropped() == 0);
    }

    SUBCASE("an existing file is appended to") {
        write_text(p, "old\n");
        DurableAppender a(p, 1 << 20);
        a.append("new\n");
        CHECK(!a.flush(true).has_value());
        CHECK(slurp(p) == "old\nnew\n");
    }

    SUBCASE("a file that cannot be opened: OutputError naming it") {
        const fs::path bad = tmp / "no-such-folder" / "clips.jsonl";
        CHECK_THROWS_WITH_AS(DurableAppender(bad, 100), doctest::Contains((bad.string() + ": ").c_str()),
                             OutputError);
    }

    SUBCASE("a full disk: records kept, written in order and whole once it has room") {
        DurableAppender a(p, 1 << 20);
        a.append("header\n");
        REQUIRE(!a.flush(true).has_value());
        std::string want = "header\n";
        {
            FileSizeLimit limit(7 + 25);  // two records and half of a third fit
            for (int i = 0; i < 5; ++i) {
                a.append(record(i));
                want += record(i);
            }
            const auto err = a.flush(true);
            REQUIRE(err.has_value());
            CHECK(err->find(p.string() + ": ") == 0);
            CHECK(!a.empty());
            const std::string on_disk = slurp(p);
            CHECK(on_disk.size() == 7 + 25);
            CHECK(want.compare(0, on_disk.size(), on_disk) == 0);  // a prefix: nothing reordered
            // more records while the disk is full; a second flush still fails, writes nothing
            for (int i = 5; i < 8; ++i) {
                a.append(record(i));
                want += record(i);
            }
            CHECK(a.flush(false).has_value());
            CHECK(slurp(p).size() == 7 + 25);
            limit.lift();
        }
        CHECK(!a.flush(true).has_value());
        CHECK(slurp(p) == want);  // every record once, whole, in order: the torn one completed
        CHECK(a.empty());
        CHECK(a.bytes_written() == want.size());
        CHECK(a.records_dropped() == 0);
    }

    SUBCASE("backlog overflow drops whole records, oldest first, and counts them") {
        DurableAppender a(p, 30);  // three records
        for (int i = 0; i < 5; ++i) a.append(record(i));
        CHECK(a.records_dropped() == 2);
        CHECK(!a.flush(false).has_value());
        CHECK(slurp(p) == record(2) + record(3) + record(4));
    }

    SUBCASE("a record larger than the backlog is kept alone") {
        DurableAppender a(p, 5);
        a.append(record(0));
        a.append(record(1));
        CHECK(a.records_dropped() == 1);
        CHECK(!a.flush(false).has_value());
        CHECK(slurp(p) == record(1));
    }

    SUBCASE("overflow while a record is partly on disk: that record is kept and completed") {
        DurableAppender a(p, 30);
        a.append("header\n");
        REQUIRE(!a.flush(false).has_value());
        {
            FileSizeLimit limit(7 + 4);  // the first record is cut after 4 bytes
            a.append(record(0));
            REQUIRE(a.flush(false).has_value());
            CHECK(slurp(p) == "header\n" + record(0).substr(0, 4));
            for (int i = 1; i < 6; ++i) a.append(record(i));  // 1, 2, 3 dropped
            limit.lift();
        }
        CHECK(a.records_dropped() == 3);
        CHECK(!a.flush(true).has_value());
        CHECK(slurp(p) == "header\n" + record(0) + record(4) + record(5));
    }
}
