#pragma once
// Test support: proves a code path allocates nothing and takes no lock.
//
// The test binary replaces the global operator new/delete family and interposes malloc,
// calloc, realloc, free, aligned_alloc, posix_memalign, pthread_mutex_lock,
// pthread_mutex_trylock, pthread_rwlock_{rd,wr}lock and pthread_spin_lock. While an
// AllocGuard is alive on a thread, every such call made *on that thread* is counted.
// Calls on other threads are never counted, so a guard can be armed inside a real-time
// callback running next to a busy reader thread.
//
//   {
//       headroom::test::AllocGuard g;   // arm
//       bank.process(buf, frames);
//       CHECK(g.allocations() == 0);
//       CHECK(g.locks() == 0);
//   }                                   // disarm
//
// Threads: the guard counts on the thread that created it; create and destroy it there.
#include <cstdint>

namespace headroom::test {

class AllocGuard {
public:
    AllocGuard() noexcept;
    ~AllocGuard();
    AllocGuard(const AllocGuard&) = delete;
    AllocGuard& operator=(const AllocGuard&) = delete;

    std::uint64_t allocations() const noexcept;  // heap allocations (new, malloc, ...) since arming
    std::uint64_t locks() const noexcept;        // mutex / rwlock / spinlock acquisitions since arming

private:
    std::uint64_t alloc0_, lock0_;
};

// True when the interposition is live in this binary (a self-check the tests assert, so a
// build that silently lost the hooks fails instead of passing vacuously).
bool alloc_guard_active() noexcept;

} // namespace headroom::test
