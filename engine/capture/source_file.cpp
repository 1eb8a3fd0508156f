// The real-time file source (`--input-file FILE [--loop]`): a sound file played as an
// interface would deliver it. A reader thread (normal thread: disk reads may block) fills a
// ring of preallocated blocks half a second ahead; a pacing thread (this source's audio
// thread) takes one block per period from the ring and hands it to CaptureCore::step().
// The ring: the reader owns `tail_` and the slots at and after it, the pacer owns `head_`
// and the slots before the tail; each publishes its index with release and reads the other's
// with acquire. At the end of a non-looping file the pacer calls CaptureCore::finish() and
// the source reports finished().
//
// --loop of a short file (up to kShortLoopSeconds) reads it once into memory and fills every
// block from it, wrapping as often as the block needs (a 1-sample file fills a 256-frame
// block with 256 copies), so looping costs a copy, never a re-open per wrap. Longer files
// are re-opened at their end. A block the reader has not filled in time is played a period
// late and counted as an xrun (in the session's log and the summary, like an interface's).
#include <algorithm>
#include <atomic>
#include <cstring>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "engine/base/errors.hpp"
#include "engine/soundfile/sound_file.hpp"
#include "engine/capture/source_live.hpp"
#include "engine/capture/source_pacer.hpp"

namespace headroom {
namespace {

// --loop keeps a file up to this long in memory (8 channels at 48 kHz: 46 MB).
constexpr double kShortLoopSeconds = 30.0;

class FileSource final : public LiveSource {
public:
    explicit FileSource(const SourceSpec& spec) : spec_(spec), file_(std::make_unique<SoundFile>(spec.file)) {
        const SoundFileInfo& fi = file_->info();
        if (fi.channels < 1 || fi.channels > kMaxChannels)
            throw InputError(spec.file + ": " + std::to_string(fi.channels) + " channels; Headroom meters 1.." +
                             std::to_string(kMaxChannels));
        if (spec.rate > 0.0 && spec.rate != fi.sample_rate)
            throw UsageError("--rate " + std::to_string(static_cast<long>(spec.rate)) + ": " + spec.file +
                             " plays at its own rate (" + std::to_string(static_cast<long>(fi.sample_rate)) + " Hz)");
        frames_ = spec.buffer_frames > 0 ? static_cast<std::size_t>(spec.buffer_frames) : 256;
        nc_ = static_cast<std::size_t>(fi.channels);
        info_.kind = "file";
        info_.device = spec.file;
        info_.sample_rate = fi.sample_rate;
        info_.channels = fi.channels;
        info_.buffer_frames = static_cast<int>(frames_);
        for (int c = 0; c < fi.channels; ++c) info_.channel_names.push_back("In " + std::to_string(c + 1));
        // Half a second ahead, at least 8 blocks.
        slots_ = std::max<std::size_t>(8, static_cast<std::size_t>(0.5 * fi.sample_rate) / frames_ + 1);
        data_.assign(slots_ * frames_ * nc_, 0.0f);
        slot_frames_.assign(slots_, 0);
        if (spec.loop) load_short_loop();
    }
    ~FileSource() override { stop(); }

    const SourceInfo& info() const override { return info_; }
    std::size_t block_hint() const override { return frames_; }
    bool finished() const override { return finished_.load(std::memory_order_acquire); }

    void start(CaptureCore& core) override {
        while (fill_one()) {  // prefill on the caller's thread, so playback starts full
        }
        reader_ = std::thread([this] {
            while (!stop_.load(std::memory_order_acquire)) {
                if (!fill_one()) {
                    if (eof_.load(std::memory_order_acquire)) return;
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                }
            }
        });
        pacer_.start(info_.sample_rate, frames_, [this, &core] { return play_one(core); });
    }

    void stop() override {
        pacer_.stop();
        stop_.store(true, std::memory_order_release);
        if (reader_.joinable()) reader_.join();
    }

private:
    // constructor (normal thread): a looping file short enough is read whole into loop_.
    void load_short_loop() {
        const SoundFileInfo& fi = file_->info();
        const auto max_frames = static_cast<std::uint64_t>(kShortLoopSeconds * fi.sample_rate);
        if (fi.frames == 0 || fi.frames > max_frames) return;
        std::vector<float> all(static_cast<std::size_t>(fi.frames) * nc_);
        std::size_t got = 0;
        while (got < fi.frames) {
            const std::size_t n = file_->read(all.data() + got * nc_, static_cast<std::size_t>(fi.frames) - got);
            if (n == 0) break;
            got += n;
        }
        if (file_->truncated())
            spdlog::warn("{}: the file ends early (truncated); played as far as it goes", spec_.file);
        if (got == 0) {  // nothing to loop: play it as an empty file
            file_ = std::make_unique<SoundFile>(spec_.file);
            return;
        }
        all.resize(got * nc_);
        loop_ = std::move(all);
    }

    // reader side: the next block from the in-memory loop; always a whole block.
    void fill_from_loop(float* dst) {
        const std::size_t loop_frames = loop_.size() / nc_;
        for (std::size_t got = 0; got < frames_;) {
            const std::size_t n = std::min(frames_ - got, loop_frames - loop_pos_);
            std::memcpy(dst + got * nc_, loop_.data() + loop_pos_ * nc_, n * nc_ * sizeof(float));
            got += n;
            loop_pos_ = (loop_pos_ + n) % loop_frames;
        }
    }

    float* slot(std::size_t i) { return data_.data() + (i % slots_) * frames_ * nc_; }

    // reader side (normal thread). Reads the next block into the ring; false when the ring
    // is full or the file has ended.
    bool fill_one() {
        if (eof_.load(std::memory_order_relaxed)) return false;
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_.load(std::memory_order_acquire) >= slots_) return false;
        float* dst = slot(tail);
        if (!loop_.empty()) {
            fill_from_loop(dst);
            slot_frames_[tail % slots_] = frames_;
            tail_.store(tail + 1, std::memory_order_release);
            return true;
        }
        std::size_t got = 0;
        bool restarted = false;
        while (got < frames_) {
            const std::size_t n = file_->read(dst + got * nc_, frames_ - got);
            got += n;
            if (n > 0) { restarted = false; continue; }
            if (file_->truncated())
                spdlog::warn("{}: the file ends early (truncated); played as far as it goes", spec_.file);
            if (!spec_.loop || restarted) break;  // the end (or an empty file looping)
            try {
                file_ = std::make_unique<SoundFile>(spec_.file);  // --loop: from the top
            } catch (const InputError& e) {
                spdlog::warn("{}", e.what());
                break;
            }
            restarted = true;
        }
        if (got > 0) {
            slot_frames_[tail % slots_] = got;
            tail_.store(tail + 1, std::memory_order_release);
        }
        if (got < frames_) {
            eof_.store(true, std::memory_order_release);
            return false;
        }
        return true;
    }

    // pacing thread (audio thread): wait-free; one block per period.
    bool play_one(CaptureCore& core) noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_.load(std::memory_order_acquire)) {
            // Empty: the end, or the disk is late (this block then comes a period later).
            if (eof_.load(std::memory_order_acquire) && head == tail_.load(std::memory_order_acquire)) {
                core.finish();
                finished_.store(true, std::memory_order_release);
                return false;
            }
            core.count_xrun();  // an under-run: reported like an interface's
            return true;
        }
        core.step(slot(head), slot_frames_[head % slots_]);
        head_.store(head + 1, std::memory_order_release);
        return true;
    }

    SourceSpec spec_;
    std::unique_ptr<SoundFile> file_;   // reader side only after start()
    SourceInfo info_;
    std::size_t frames_ = 256, nc_ = 1, slots_ = 8;
    std::vector<float> data_;
    std::vector<std::size_t> slot_frames_;
    std::vector<float> loop_;     // --loop of a short file: all of it (reader side after start())
    std::size_t loop_pos_ = 0;    // the next frame of loop_ to play (reader side)
    alignas(64) std::atomic<std::size_t> head_{0};   // pacer writes
    alignas(64) std::atomic<std::size_t> tail_{0};   // reader writes
    std::atomic<bool> eof_{false};                   // reader: no block after tail_ will come
    std::atomic<bool> stop_{false};
    std::atomic<bool> finished_{false};
    std::thread reader_;
    Pacer pacer_;
};

} // namespace

std::unique_ptr<LiveSource> open_file_source(const SourceSpec& spec) {
    return std::make_unique<FileSource>(spec);
}

} // namespace headroom
