#pragma once
// SnapshotExchange<Snapshot>: one writer hands a running snapshot to one reader with
// max-since-last-read semantics: whatever the writer merges at any time appears in exactly
// one take().
//
// Two slots and one atomic control word (the shape of farbot's RealtimeObject).
// Ownership: the writer owns slot[state & 1]; the reader owns the other. The writer marks
// itself BUSY while it merges into its slot; the reader swaps the slots only while the writer
// is not BUSY, then copies and clears the slot it now owns.
//
// Who may be writer and reader: at any time, exactly one thread calls publish (the writer)
// and exactly one thread calls take (the reader); in Headroom the audio callback writes the
// meter's readings and the window reads them. A role may move to another thread only with a
// synchronising hand-over in between: the old thread is joined, or its stream is stopped or
// closed by a call that returns only after the last callback, before the new thread makes its
// first call (a device re-open, a file pacer restart). The exchange does not order two
// writers or two readers against each other: two concurrent publishes can merge into the
// same slot at once, and two takes can swap the slots twice.
//
// Snapshot must be trivially copyable and provide
//   void clear() noexcept;       // back to "nothing since the last take" (keeps what the
//                                // reader needs to carry over, e.g. a stream position)
//   bool empty() const noexcept; // nothing was merged since the last take
// Guarantees: publish is wait-free (one fetch_or, the caller's merge, one fetch_and) and
// allocates nothing; take is lock-free and may retry for the few microseconds a merge takes.
#include <array>
#include <atomic>
#include <cstdint>
#include <thread>
#include <type_traits>

namespace headroom {

template <class Snapshot>
class SnapshotExchange {
    static_assert(std::is_trivially_copyable_v<Snapshot>);
    static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

public:
    // writer thread; wait-free, no allocation (as long as `merge` allocates nothing).
    // Calls merge(Snapshot&) on the writer's slot.
    template <class Merge>
    void publish(Merge&& merge) noexcept {
        const std::uint32_t s = state_.fetch_or(kBusy, std::memory_order_acquire);
        merge(slot_[s & 1u]);
        state_.fetch_and(~kBusy, std::memory_order_release);
    }

    // reader thread (one reader); lock-free, may retry briefly while a merge is under way.
    // Copies everything merged since the previous take into `out` and clears it. Returns
    // false when nothing was published since the previous take (out.empty()).
    bool take(Snapshot& out) noexcept {
        std::uint32_t s = state_.load(std::memory_order_relaxed);
        for (int spins = 0;; ++spins) {
            if ((s & kBusy) == 0 &&
                state_.compare_exchange_weak(s, s ^ 1u, std::memory_order_acq_rel, std::memory_order_relaxed))
                break;
            if (spins > 64) std::this_thread::yield();
            s = state_.load(std::memory_order_relaxed);
        }
        // The writer has moved to the other slot; slot (s & 1) is ours until the next take.
        Snapshot& r = slot_[s & 1u];
        out = r;
        r.clear();
        return !out.empty();
    }

private:
    static constexpr std::uint32_t kBusy = 2u;
    std::atomic<std::uint32_t> state_{0};  // bit 0: writer's slot; bit 1: writer busy
    std::array<Snapshot, 2> slot_{};
};

} // namespace headroom
