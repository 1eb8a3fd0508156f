#include "engine/session/session_files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "engine/base/errors.hpp"

namespace headroom {
namespace fs = std::filesystem;

std::string errno_message(const std::string& what, int errno_value) {
    return what + ": " + std::strerror(errno_value);
}

namespace {

// Writes all of `data` to `fd`, continuing partial writes; returns bytes written and sets
// `err` (errno) when it stopped early.
std::size_t write_some(int fd, const char* data, std::size_t size, int& err) {
    std::size_t done = 0;
    err = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        if (n == 0) {
            err = EIO;
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    return done;
}

void fsync_folder(const fs::path& folder) {
    const int dfd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return;  // best effort: the rename itself is atomic
    (void)::fsync(dfd);
    ::close(dfd);
}

} // namespace

void write_file_atomic(const fs::path& path, std::string_view content) {
    fs::path tmp = path;
    tmp += ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw OutputError(errno_message(tmp.string(), errno));
    int err = 0;
    const std::size_t done = write_some(fd, content.data(), content.size(), err);
    if (done == content.size() && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
        ::unlink(tmp.c_str());
        throw OutputError(errno_message(tmp.string(), err));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        err = errno;
        ::unlink(tmp.c_str());
        throw OutputError(errno_message(path.string(), err));
    }
    fsync_folder(path.parent_path());
}

DurableAppender::DurableAppender(fs::path path, std::size_t max_backlog)
    : path_(std::move(path)), max_backlog_(max_backlog) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw OutputError(errno_message(path_.string(), errno));
}

DurableAppender::~DurableAppender() {
    if (fd_ >= 0) ::close(fd_);
}

void DurableAppender::append(std::string_view record) {
    if (record.empty()) return;
    pending_.emplace_back(record);
    pending_bytes_ += record.size();
    // Over the bound: drop whole records, oldest first, but never the one partly on disk
    // (its tail must follow its head) and never the one just queued.
    std::size_t i = started_ > 0 ? 1 : 0;
    while (pending_bytes_ > max_backlog_ && pending_.size() > i + 1) {
        pending_bytes_ -= pending_[i].size();
        pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
        ++dropped_;
    }
}

std::optional<std::string> DurableAppender::flush(bool sync) {
    while (!pending_.empty()) {
        const std::string& r = pending_.front();
        int err = 0;
        const std::size_t n = write_some(fd_, r.data() + started_, r.size() - started_, err);
        if (n > 0) unsynced_ = true;
        written_ += n;
        started_ += n;
        if (started_ < r.size()) return errno_message(path_.string(), err);
        pending_bytes_ -= r.size();
        pending_.pop_front();
        started_ = 0;
    }
    if (sync && unsynced_) {
        if (::fsync(fd_) != 0) return errno_message(path_.string() + " (fsync)", errno);
        unsynced_ = false;
    }
    return std::nullopt;
}

} // namespace headroom
