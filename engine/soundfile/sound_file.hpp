#pragma once
// A sound file read as interleaved float32 in blocks, for `analyze` (and the real-time file
// source). Any format libsndfile reads (WAV, WAV64, RF64, AIFF, FLAC, Ogg, CAF, ...).
//
// Sample values: libsndfile's normalised float reading: an integer sample is divided by
// 2^(bits-1) (int16: /32768, as sox does), so the most negative integer reads -1.0 and the
// largest positive one just under +1.0; float files are read as stored, values beyond
// +-1.0 included (never clamped; libsndfile clips float->int only when writing).
//
// Errors are InputError with one line "<path>: <why>": missing, a directory, empty (0
// bytes), not a sound file (libsndfile's reason), unreadable. A truncated file (its header
// promises more data than there is) is read as far as it goes: libsndfile sizes the data
// from the file length (and notes the mismatch in its log), and a read that fails part-way
// ends the stream early; truncated() then says so. A header-only file (0 frames) opens and
// reads nothing.
//
// Threads: one normal thread at a time (the object owns a libsndfile handle).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace headroom {

struct SoundFileInfo {
    double sample_rate = 0.0;
    int channels = 0;
    std::uint64_t frames = 0;      // as libsndfile reports from the header and file length
    std::string format;            // e.g. "WAV (Microsoft), Signed 24 bit PCM"
};

class SoundFile {
public:
    // normal thread. Opens `path` for reading; throws InputError "<path>: <why>".
    explicit SoundFile(const std::filesystem::path& path);
    ~SoundFile();
    SoundFile(const SoundFile&) = delete;
    SoundFile& operator=(const SoundFile&) = delete;

    const SoundFileInfo& info() const { return info_; }  // any thread
    const std::filesystem::path& path() const { return path_; }

    // normal thread. Reads up to `frames` frames into `out` (room for frames * channels
    // floats). Returns the frames read; 0 at the end. After a read error the stream ends
    // (0 from then on) and truncated() is true.
    std::size_t read(float* out, std::size_t frames);

    // normal thread. True when the file ended before the frame count its header promised.
    bool truncated() const { return truncated_; }
    std::uint64_t frames_read() const { return frames_read_; }

private:
    std::filesystem::path path_;
    void* handle_ = nullptr;  // SNDFILE*
    SoundFileInfo info_;
    std::uint64_t frames_read_ = 0;
    bool truncated_ = false;
    bool ended_ = false;
};

} // namespace headroom
