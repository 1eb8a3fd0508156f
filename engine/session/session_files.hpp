#pragma once
// The session folder's append-only files (DESIGN.md §5: clips.jsonl, levels.f32): appended
// bytes are written and fsynced on request, and write errors are survived. (session.json is
// rewritten whole with write_file_atomic, engine/base/atomic_file.hpp.)
//
// DurableAppender keeps what it could not write (disk full, EFBIG, EIO) and retries it on the
// next flush, so a line is either on disk whole, or completed later, or (after the bounded
// backlog overflowed) dropped whole and counted; bytes are never reordered. A partial
// write(2) is continued from where it stopped.
//
// Threads: normal threads; one thread per object at a time (the owner serialises).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace headroom {

class DurableAppender {
public:
    // normal thread. Opens (creates) `path` for appending; throws OutputError "<path>: <why>".
    // `max_backlog` bounds the bytes kept for retry while the disk refuses them.
    DurableAppender(std::filesystem::path path, std::size_t max_backlog);
    ~DurableAppender();
    DurableAppender(const DurableAppender&) = delete;
    DurableAppender& operator=(const DurableAppender&) = delete;

    // normal thread. Queues a record (a whole line, a whole level record) for the next flush.
    // When the backlog is full the oldest unstarted records are dropped and counted.
    void append(std::string_view record);
    // normal thread; may block. Writes the backlog; with `sync`, fsyncs after writing.
    // Returns the error ("<path>: <why>") when something could not be written or synced;
    // what was not written stays queued for the next flush.
    std::optional<std::string> flush(bool sync);

    bool empty() const { return pending_.empty(); }      // nothing waits to be written
    std::size_t pending_bytes() const { return pending_bytes_; }  // bytes waiting to be written
    std::uint64_t bytes_written() const { return written_; }
    std::uint64_t records_dropped() const { return dropped_; }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::size_t max_backlog_;
    std::deque<std::string> pending_;  // records not yet (wholly) written, oldest first
    std::size_t started_ = 0;          // bytes of the front record already on disk
    std::size_t pending_bytes_ = 0;
    std::uint64_t written_ = 0;
    std::uint64_t dropped_ = 0;
    bool unsynced_ = false;          // written since the last successful fsync
};

} // namespace headroom
