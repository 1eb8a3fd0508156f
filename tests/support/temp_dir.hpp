#pragma once
// TempDir: a fresh, empty folder for one test, removed with everything in it when the
// TempDir goes out of scope. Unique per process (pid) and per instance (a counter), so
// tests running in parallel processes or one after another never share files.
#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

namespace headroom::test {

struct TempDir {
    std::filesystem::path dir;

    TempDir() {
        static std::atomic<unsigned> counter{0};
        dir = std::filesystem::temp_directory_path() /
              ("headroom_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1)));
        std::filesystem::remove_all(dir);  // a leftover from a crashed run with the same pid
        std::filesystem::create_directories(dir);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::filesystem::path operator/(const std::filesystem::path& name) const { return dir / name; }
};

} // namespace headroom::test
