#include "engine/base/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "engine/base/errors.hpp"

namespace headroom {
namespace fs = std::filesystem;

std::string errno_message(const std::string& what, int errno_value) {
    return what + ": " + std::strerror(errno_value);
}

std::size_t write_all(int fd, const char* data, std::size_t size, int& err) {
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

namespace {

void fsync_folder(const fs::path& folder) {
    const int dfd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return;  // best effort: the rename itself is atomic
    (void)::fsync(dfd);
    ::close(dfd);
}

} // namespace

void write_file_atomic(const fs::path& path, std::string_view content) {
    // One temporary name per process: two processes saving the same file (the window's config
    // while another window saves it) never write into each other's temporary file.
    fs::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw OutputError(errno_message(tmp.string(), errno));
    int err = 0;
    const std::size_t done = write_all(fd, content.data(), content.size(), err);
    if (done == content.size() && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;  // closed whatever happened before
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

} // namespace headroom
