#pragma once
// Whole files written atomically, and the system-call helpers the engine's file writers
// share: a write(2) loop that continues partial writes, and "<what>: <strerror>" messages.
// Used by the session folder (session.json), the config (config.json) and the window's
// exports.
//
// Threads: normal threads only (system calls, may block, allocate).
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace headroom {

// normal thread; may block. Writes `content` to `path` atomically: `path`.tmp-<pid> in the same
// folder, fsync, rename over `path`, fsync the folder. A failure leaves the old file whole and
// no temporary file behind. Throws OutputError "<file>: <why>" (the temporary file's name when
// writing it failed, `path` when the rename failed).
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// normal thread; may block. Writes all of `data` to `fd`, continuing partial writes and
// retrying EINTR; returns the bytes written and sets `err` (errno) when it stopped early,
// 0 when it did not.
std::size_t write_all(int fd, const char* data, std::size_t size, int& err);

// any thread. "<what>: <strerror(errno_value)>".
std::string errno_message(const std::string& what, int errno_value);

} // namespace headroom
