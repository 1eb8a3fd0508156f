#include "engine/soundfile/sound_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <system_error>

#include <sndfile.h>

#include "engine/base/errors.hpp"

namespace headroom {
namespace {

SNDFILE* as_sndfile(void* h) { return static_cast<SNDFILE*>(h); }

std::string format_name(int format) {
    auto name = [](int cmd, int f) -> std::string {
        SF_FORMAT_INFO fi{};
        fi.format = f;
        if (sf_command(nullptr, cmd, &fi, sizeof fi) != 0 || !fi.name) return {};
        return fi.name;
    };
    std::string major = name(SFC_GET_FORMAT_INFO, format & SF_FORMAT_TYPEMASK);
    std::string sub = name(SFC_GET_FORMAT_INFO, format & SF_FORMAT_SUBMASK);
    if (major.empty()) return sub;
    return sub.empty() ? major : major + ", " + sub;
}

// libsndfile's messages end in a full stop or newline; one line without them reads better.
std::string tidy(std::string m) {
    while (!m.empty() && (m.back() == '\n' || m.back() == '.' || m.back() == ' ')) m.pop_back();
    for (auto& c : m)
        if (c == '\n') c = ' ';
    return m;
}

// What a path that is not a regular file is, in words.
std::string not_regular(mode_t mode) {
    if (S_ISFIFO(mode)) return "is a FIFO (named pipe)";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device";
    if (S_ISSOCK(mode)) return "is a socket";
    if (S_ISDIR(mode)) return "is a directory";
    return "is not a regular file";
}

} // namespace

SoundFile::SoundFile(const std::filesystem::path& path) : path_(path) {
    const std::string p = path.string();
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(st)) {
        const int err = ec ? ec.value() : ENOENT;
        throw InputError(p + ": cannot open: " + std::strerror(err));
    }
    if (std::filesystem::is_directory(st)) throw InputError(p + ": is a directory, not a sound file");
    // Opened without blocking and checked on the descriptor itself, so a FIFO (whose open
    // waits for a writer, and whose read waits forever) or a device never reaches libsndfile,
    // even when the name is swapped after the status above.
    const int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw InputError(p + ": cannot open: " + std::strerror(errno));
    struct stat fst {};
    if (::fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
        const int err = errno;
        const mode_t mode = fst.st_mode;
        ::close(fd);
        if (mode == 0) throw InputError(p + ": cannot open: " + std::strerror(err));
        throw InputError(p + ": " + not_regular(mode) + ", not a sound file");
    }
    if (fst.st_size == 0) {
        ::close(fd);
        throw InputError(p + ": is empty (0 bytes), not a sound file");
    }
    (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);

    SF_INFO sfi{};
    SNDFILE* f = sf_open_fd(fd, SFM_READ, &sfi, SF_TRUE);  // closes fd, also on failure
    if (!f) throw InputError(p + ": not a readable sound file (" + tidy(sf_strerror(nullptr)) + ")");
    handle_ = f;
    if (sfi.channels < 1 || sfi.samplerate < 1) {
        sf_close(f);
        handle_ = nullptr;
        throw InputError(p + ": not a readable sound file (no channels or no sample rate)");
    }
    // Integer files read as x / 2^(bits-1); float files as stored. (Both are libsndfile's
    // defaults; set them anyway so the contract above does not hang on a default.)
    sf_command(f, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
    sf_command(f, SFC_SET_SCALE_FLOAT_INT_READ, nullptr, SF_FALSE);
    info_.sample_rate = sfi.samplerate;
    info_.channels = sfi.channels;
    info_.frames = sfi.frames > 0 ? static_cast<std::uint64_t>(sfi.frames) : 0;
    info_.format = format_name(sfi.format);
    // libsndfile sizes a WAV/AIFF data chunk that runs past the end of the file to what is
    // there, and notes it in its log as "data : <header size> (should be <real size>)".
    char log[4096] = {};
    sf_command(f, SFC_GET_LOG_INFO, log, sizeof log);
    for (const char* line = log; line && *line;) {
        const char* nl = std::strchr(line, '\n');
        const std::string l(line, nl ? static_cast<std::size_t>(nl - line) : std::strlen(line));
        if (l.rfind("data", 0) == 0 && l.find("(should be") != std::string::npos) truncated_ = true;
        line = nl ? nl + 1 : nullptr;
    }
}

SoundFile::~SoundFile() {
    if (handle_) sf_close(as_sndfile(handle_));
}

std::size_t SoundFile::read(float* out, std::size_t frames) {
    if (ended_ || frames == 0) return 0;
    const sf_count_t got = sf_readf_float(as_sndfile(handle_), out, static_cast<sf_count_t>(frames));
    if (got < static_cast<sf_count_t>(frames)) {
        // A short read is the end; it is a truncation when libsndfile reports an error or the
        // header promised more.
        ended_ = true;
        const std::uint64_t total = frames_read_ + static_cast<std::uint64_t>(got > 0 ? got : 0);
        if (sf_error(as_sndfile(handle_)) != SF_ERR_NO_ERROR || total < info_.frames) truncated_ = true;
    }
    if (got <= 0) return 0;
    frames_read_ += static_cast<std::uint64_t>(got);
    return static_cast<std::size_t>(got);
}

} // namespace headroom
