// The allocation/lock guard itself: it must see what it is meant to see, or every
// "allocates nothing" test built on it would pass vacuously.
#include <doctest/doctest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/alloc_guard.hpp"

TEST_CASE("AllocGuard") {
    using headroom::test::AllocGuard;
    SUBCASE("the hooks are live in this binary") { CHECK(headroom::test::alloc_guard_active()); }
    SUBCASE("counts allocations and locks on its own thread") {
        AllocGuard g;
        std::vector<int> v;
        v.push_back(1);
        std::string s(100, 'x');
        std::mutex m;
        { std::lock_guard<std::mutex> lock(m); }
        CHECK(g.allocations() >= 2);
        CHECK(g.locks() >= 1);
    }
    SUBCASE("ignores other threads") {
        AllocGuard g;
        std::thread t([] {
            std::vector<int> v(1000);
            std::mutex m;
            std::lock_guard<std::mutex> lock(m);
        });
        const auto a0 = g.allocations();
        t.join();
        // the std::thread start itself allocates on this thread before a0; nothing after
        CHECK(g.allocations() == a0);
    }
    SUBCASE("nothing counted when nothing happens") {
        AllocGuard g;
        int x = 0;
        for (int i = 0; i < 100; ++i) x += i;
        CHECK(x == 4950);
        CHECK(g.allocations() == 0);
        CHECK(g.locks() == 0);
    }
}
