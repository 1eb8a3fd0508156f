#pragma once
// Wait-free single-producer / single-consumer ring of trivially copyable items.
//
// Who may be producer and consumer: at any time, exactly one thread calls try_push (the
// producer) and exactly one thread calls try_pop (the consumer); in Headroom the audio
// callback produces meter events and the session recorder's thread consumes them. A role may
// move to another thread only with a synchronising hand-over in between: the old thread is
// joined, or its stream is stopped or closed by a call that returns only after the last
// callback, before the new thread makes its first call (a device re-open, a file pacer
// restart). The queue does not order two producers or two consumers against each other.
// One thread in both roles is fine. size_approx, dropped and capacity: any thread.
//
// Ownership: the producer owns `tail_` (it alone writes it), the consumer owns `head_`.
// Each side reads the other's index with acquire and publishes its own with release, so
// an item is fully written before the consumer can see it. Capacity is fixed at
// construction (a power of two); nothing allocates after that.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

namespace headroom {

template <class T>
class SpscQueue {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    // normal thread; allocates. capacity is rounded up to a power of two (>= 2).
    explicit SpscQueue(std::size_t capacity) {
        std::size_t c = 2;
        while (c < capacity) c <<= 1;
        mask_ = c - 1;
        items_ = std::make_unique<T[]>(c);
    }
    SpscQueue(const SpscQueue&) = delete;
    SpscQueue& operator=(const SpscQueue&) = delete;

    // producer thread; wait-free, no allocation. Returns false (and counts a drop) when full.
    bool try_push(const T& item) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_cache_ > mask_) {
            head_cache_ = head_.load(std::memory_order_acquire);
            if (tail - head_cache_ > mask_) {
                dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
                return false;
            }
        }
        items_[tail & mask_] = item;
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    // consumer thread; wait-free. Returns false when empty.
    bool try_pop(T& out) noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_cache_) {
            tail_cache_ = tail_.load(std::memory_order_acquire);
            if (head == tail_cache_) return false;
        }
        out = items_[head & mask_];
        head_.store(head + 1, std::memory_order_release);
        return true;
    }

    // any thread; wait-free. Failed try_push calls (the queue was full); a retried item counts each time.
    std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
    // any thread; wait-free. Exact when neither side is active, otherwise a value between 0
    // and capacity(). head_ is loaded first: both indices only grow and head_ never passes
    // tail_, so the tail_ loaded after it is at least that head_ and the unsigned difference
    // cannot wrap (loaded the other way round, a pop in between could make head_ > tail_ and
    // the difference nearly 2^64). Pops and pushes between the two loads can still make the
    // difference exceed what the ring holds: it is clamped to capacity().
    std::size_t size_approx() const noexcept {
        const std::size_t head = head_.load(std::memory_order_acquire);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        return std::min(tail - head, capacity());
    }
    // any thread; wait-free.
    std::size_t capacity() const noexcept { return mask_ + 1; }

private:
    static constexpr std::size_t kLine = 64;
    std::unique_ptr<T[]> items_;
    std::size_t mask_ = 0;
    alignas(kLine) std::atomic<std::size_t> tail_{0};   // producer writes
    std::size_t head_cache_ = 0;                         // producer's view of head_
    alignas(kLine) std::atomic<std::size_t> head_{0};   // consumer writes
    std::size_t tail_cache_ = 0;                         // consumer's view of tail_
    alignas(kLine) std::atomic<std::uint64_t> dropped_{0};
    static_assert(std::atomic<std::size_t>::is_always_lock_free);
    static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
};

} // namespace headroom
