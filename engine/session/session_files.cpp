#include "engine/session/session_files.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "engine/base/atomic_file.hpp"
#include "engine/base/errors.hpp"

namespace headroom {
namespace fs = std::filesystem;

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
        const std::size_t n = write_all(fd_, r.data() + started_, r.size() - started_, err);
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
