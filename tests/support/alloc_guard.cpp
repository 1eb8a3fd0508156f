// Counting hooks behind AllocGuard (see alloc_guard.hpp). Linked into test binaries only.
#include "tests/support/alloc_guard.hpp"

#include <dlfcn.h>
#include <pthread.h>

#include <cstddef>
#include <cstdlib>
#include <new>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {
thread_local bool t_armed = false;
thread_local std::uint64_t t_allocs = 0;
thread_local std::uint64_t t_locks = 0;

inline void count_alloc() noexcept {
    if (t_armed) ++t_allocs;
}
inline void count_lock() noexcept {
    if (t_armed) ++t_locks;
}

template <class Fn>
Fn next_symbol(const char* name) noexcept {
    return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}
} // namespace

namespace headroom::test {

AllocGuard::AllocGuard() noexcept : alloc0_(t_allocs), lock0_(t_locks) { t_armed = true; }
AllocGuard::~AllocGuard() { t_armed = false; }
std::uint64_t AllocGuard::allocations() const noexcept { return t_allocs - alloc0_; }
std::uint64_t AllocGuard::locks() const noexcept { return t_locks - lock0_; }

bool alloc_guard_active() noexcept {
    std::uint64_t a = 0, l = 0;
    {
        AllocGuard g;
        void* volatile p = std::malloc(16);
        std::free(p);
        int* volatile q = new int(1);
        delete q;
        pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
        a = g.allocations();
        l = g.locks();
    }
    return a >= 2 && l >= 1;
}

} // namespace headroom::test

// ---- C allocation functions -------------------------------------------------------------
extern "C" {
void* malloc(std::size_t n) {
    count_alloc();
    return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
    count_alloc();
    return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
    count_alloc();
    return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
void* aligned_alloc(std::size_t al, std::size_t n) {
    count_alloc();
    return __libc_memalign(al, n);
}
int posix_memalign(void** out, std::size_t al, std::size_t n) {
    count_alloc();
    void* p = __libc_memalign(al, n);
    if (!p) return 12;  // ENOMEM
    *out = p;
    return 0;
}

// ---- locks --------------------------------------------------------------------------------
int pthread_mutex_lock(pthread_mutex_t* m) {
    static auto real = next_symbol<int (*)(pthread_mutex_t*)>("pthread_mutex_lock");
    count_lock();
    return real(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
    static auto real = next_symbol<int (*)(pthread_mutex_t*)>("pthread_mutex_trylock");
    count_lock();
    return real(m);
}
int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
    static auto real = next_symbol<int (*)(pthread_rwlock_t*)>("pthread_rwlock_rdlock");
    count_lock();
    return real(l);
}
int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
    static auto real = next_symbol<int (*)(pthread_rwlock_t*)>("pthread_rwlock_wrlock");
    count_lock();
    return real(l);
}
int pthread_spin_lock(pthread_spinlock_t* l) {
    static auto real = next_symbol<int (*)(pthread_spinlock_t*)>("pthread_spin_lock");
    count_lock();
    return real(l);
}
} // extern "C"

// ---- C++ allocation functions -------------------------------------------------------------
void* operator new(std::size_t n) {
    count_alloc();
    if (void* p = __libc_malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    count_alloc();
    if (void* p = __libc_malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    count_alloc();
    return __libc_malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    count_alloc();
    return __libc_malloc(n ? n : 1);
}
void* operator new(std::size_t n, std::align_val_t al) {
    count_alloc();
    if (void* p = __libc_memalign(static_cast<std::size_t>(al), n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t al) {
    count_alloc();
    if (void* p = __libc_memalign(static_cast<std::size_t>(al), n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { __libc_free(p); }
void operator delete[](void* p) noexcept { __libc_free(p); }
void operator delete(void* p, std::size_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::size_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { __libc_free(p); }
