#pragma once
// write_float_wav: a 32-bit float WAV file from interleaved samples, written as they are
// (values beyond full scale and NaN/Inf included), for tests and benchmarks that need a
// sound file. Throws std::runtime_error naming the file when it cannot be written.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <sndfile.h>

namespace headroom::test {

inline void write_float_wav(const std::filesystem::path& path, int sample_rate, int channels,
                            const std::vector<float>& interleaved) {
    SF_INFO info{};
    info.samplerate = sample_rate;
    info.channels = channels;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!f) throw std::runtime_error("cannot write " + path.string() + ": " + sf_strerror(nullptr));
    sf_command(f, SFC_SET_CLIPPING, nullptr, SF_FALSE);
    const auto items = static_cast<sf_count_t>(interleaved.size());
    const sf_count_t written = sf_write_float(f, interleaved.data(), items);
    sf_close(f);
    if (written != items) throw std::runtime_error("cannot write " + path.string() + ": short write");
}

} // namespace headroom::test
