#include "engine/soundfile/sound_file.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sndfile.h>

#include "engine/base/errors.hpp"
#include "tests/support/file_contents.hpp"
#include "tests/support/float_wav.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;
using headroom::test::slurp;
using headroom::test::TempDir;
using headroom::test::write_float_wav;
using headroom::test::write_text;
namespace fs = std::filesystem;

namespace {

void write_short_wav(const fs::path& p, int channels, const std::vector<short>& interleaved) {
    SF_INFO i{};
    i.samplerate = 48000;
    i.channels = channels;
    i.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* f = sf_open(p.c_str(), SFM_WRITE, &i);
    REQUIRE(f);
    sf_write_short(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size()));
    sf_close(f);
}

std::string error_of(const fs::path& p) {
    try {
        SoundFile f(p);
    } catch (const InputError& e) {
        return e.what();
    }
    return "opened";
}

std::vector<float> read_all(SoundFile& f, std::size_t block) {
    std::vector<float> all, buf(block * static_cast<std::size_t>(f.info().channels));
    while (std::size_t n = f.read(buf.data(), block))
        all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n * f.info().channels));
    return all;
}

} // namespace

TEST_CASE("SoundFile") {
    TempDir tmp;
    SUBCASE("int16 reads as x / 32768, interleaved, with the header's rate and channels") {
        write_short_wav(tmp / "s16.wav", 2, {-32768, 32767, 16384, -1, 0, 1});
        SoundFile f(tmp / "s16.wav");
        CHECK(f.info().sample_rate == 48000.0);
        CHECK(f.info().channels == 2);
        CHECK(f.info().frames == 3);
        CHECK(f.info().format.find("16 bit") != std::string::npos);
        const auto v = read_all(f, 2);
        REQUIRE(v.size() == 6);
        CHECK(v[0] == -1.0f);
        CHECK(v[1] == 32767.0f / 32768.0f);
        CHECK(v[2] == 0.5f);
        CHECK(v[3] == -1.0f / 32768.0f);
        CHECK(v[4] == 0.0f);
        CHECK(v[5] == 1.0f / 32768.0f);
        CHECK(f.frames_read() == 3);
        CHECK_FALSE(f.truncated());
    }
    SUBCASE("float files are read as stored, above full scale too") {
        write_float_wav(tmp / "f32.wav", 96000, 1, {2.0f, -1.5f, 0.25f});
        SoundFile f(tmp / "f32.wav");
        CHECK(f.info().sample_rate == 96000.0);
        const auto v = read_all(f, 1);
        REQUIRE(v.size() == 3);
        CHECK(v[0] == 2.0f);
        CHECK(v[1] == -1.5f);
        CHECK(v[2] == 0.25f);
    }
    SUBCASE("block size does not change what is read") {
        std::vector<short> s(3 * 1001);
        for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<short>((i * 7919) % 65536 - 32768);
        write_short_wav(tmp / "b.wav", 3, s);
        SoundFile a(tmp / "b.wav"), b(tmp / "b.wav");
        const auto va = read_all(a, 1), vb = read_all(b, 37);
        CHECK(va.size() == s.size());
        CHECK(va == vb);
    }
    SUBCASE("a header-only file opens with 0 frames and reads nothing") {
        write_short_wav(tmp / "zero.wav", 2, {});
        SoundFile f(tmp / "zero.wav");
        CHECK(f.info().frames == 0);
        float buf[8];
        CHECK(f.read(buf, 4) == 0);
        CHECK_FALSE(f.truncated());
    }
    SUBCASE("a truncated file reads as far as it goes") {
        std::vector<short> s(2 * 48000, 1000);
        write_short_wav(tmp / "full.wav", 2, s);
        write_text(tmp / "cut.wav", slurp(tmp / "full.wav").substr(0, 100001));  // mid-frame
        SoundFile f(tmp / "cut.wav");
        const auto v = read_all(f, 4096);
        CHECK(v.size() % 2 == 0);
        CHECK(v.size() < s.size());
        CHECK(v.size() >= 2 * 24000);
        CHECK(std::all_of(v.begin(), v.end(), [](float x) { return x == 1000.0f / 32768.0f; }));
        CHECK(f.truncated());
    }
    SUBCASE("errors name the file and say why, on one line") {
        const auto missing = error_of(tmp / "missing.wav");
        CHECK(missing.rfind((tmp / "missing.wav").string() + ": ", 0) == 0);
        CHECK(missing.find("No such file") != std::string::npos);
        CHECK(error_of(tmp.dir).find("is a directory") != std::string::npos);
        write_text(tmp / "empty.wav", "");
        CHECK(error_of(tmp / "empty.wav").find("is empty") != std::string::npos);
        write_text(tmp / "notes.txt", "this is not audio\n");
        CHECK(error_of(tmp / "notes.txt").find("not a readable sound file") != std::string::npos);
        write_text(tmp / "garbage.wav", std::string("RIFF\x10\0\0\0WAVEfmt ", 16) + std::string(40, '\x7f'));
        CHECK(error_of(tmp / "garbage.wav").find("not a readable sound file") != std::string::npos);
        write_short_wav(tmp / "h.wav", 1, {1, 2, 3});
        write_text(tmp / "half_header.wav", slurp(tmp / "h.wav").substr(0, 30));
        CHECK(error_of(tmp / "half_header.wav").find("not a readable sound file") != std::string::npos);
        for (const char* name : {"missing.wav", "empty.wav", "notes.txt", "garbage.wav"})
            CHECK(error_of(tmp / name).find('\n') == std::string::npos);
    }

    SUBCASE("what is not a regular file is refused before it is opened: a FIFO never blocks") {
        const auto fifo = tmp / "fifo.wav";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        // Should the FIFO reach an open that waits for a writer, this thread is the writer (a
        // few bytes of noise, then EOF), so the test fails on the message instead of hanging.
        std::atomic<bool> done{false};
        std::thread writer([&] {
            while (!done) {
                const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // ENXIO while no reader
                if (fd >= 0) {
                    (void)!::write(fd, "not audio", 9);
                    ::close(fd);
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
        const auto t0 = std::chrono::steady_clock::now();
        const std::string fifo_error = error_of(fifo);
        const auto took = std::chrono::steady_clock::now() - t0;
        done = true;
        writer.join();
        CHECK(fifo_error == fifo.string() + ": is a FIFO (named pipe), not a sound file");
        CHECK(took < std::chrono::seconds(1));
        CHECK(error_of("/dev/zero") == "/dev/zero: is a device, not a sound file");
        CHECK(error_of("/dev/null") == "/dev/null: is a device, not a sound file");
    }
}
