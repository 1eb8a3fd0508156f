#pragma once
// DemoStudio: a simulated tracking session for `--demo` (DESIGN.md §1), so that Headroom
// shows something real on a machine without an interface.
//
// Eight sources, each on the preset it would get in a studio, at levels chosen so the
// engineer sees every zone (DESIGN.md §3). Loud peaks (95th percentile of the 400 ms
// peaks over the first minute, as gain advice measures them):
//   Vocal      vocals       about -13 dBFS   inside  -15..-12
//   Bass DI    bass         about -22 dBFS   below   -15..-12
//   Kick       close_drums  about  -6 dBFS   above   -15..-12
//   Snare      close_drums  about -13.5 dBFS inside  -15..-12
//   OH L/R     overheads    about -16 dBFS   inside  -18..-15
//   Guitar DI  guitar_di    about -13 dBFS   above   -18..-15
//   Acoustic   acoustic     about -27 dBFS   below   -20..-18
// with song dynamics (100 BPM, verse/chorus sections, vocal phrases with gaps, drum hits
// with decays) and a clip now and then: the vocal singer shouts into the mic (converter
// clipping, hard at +-1.0) at about 5.5 s and again every 25-40 s; the snare's rimshot
// clips from about 20-30 s on, every 25-40 s. Channels beyond eight repeat the eight with other gains, timings and names.
//
// Deterministic: the output depends only on the seed and the sample position (not on how
// the stream is cut into blocks).
//
// Threads: construct on a normal thread; render() on the one producer thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace headroom {

class DemoStudio {
public:
    static constexpr int kBaseSources = 8;

    // normal thread; allocates. channels 1..256, rate > 0.
    DemoStudio(int channels, double rate, std::uint64_t seed = 20260101);

    // producer thread; wait-free, no allocation. Writes the next `frames` interleaved frames.
    void render(float* interleaved, std::size_t frames) noexcept;

    int channels() const { return static_cast<int>(voices_.size()); }       // any thread
    const std::vector<std::string>& names() const { return names_; }        // any thread
    const std::vector<std::string>& presets() const { return presets_; }    // any thread
    // any thread: the loudest sample peak (dBFS) a channel's source is set to reach outside
    // its clips (the levels table above, shifted for repeated channels).
    float loud_peak_dbfs(int channel) const;
    std::uint64_t position() const { return pos_; }  // producer thread: frames rendered

    enum class Kind : std::uint8_t { Vocal, Bass, Kick, Snare, OverheadL, OverheadR, Guitar, Acoustic };

    // The music is synthesised once per timeline (copy 0, even and odd copies each share
    // one: kTimelines), at unit level; channels scale it and add their own clips. So the cost
    // grows with the channel count only by a multiply, and 256 channels keep up in real time.
    static constexpr int kTimelines = 2;

private:
    struct Timeline {
        double offset_s = 0.0;
        std::uint64_t seed = 0;
        // vocal phrase state
        double phrase_end_s = 0.0, gap_end_s = 0.0, note_end_s = 0.0;
        double note_hz = 220.0, phase = 0.0, amp = 0.0, target_amp = 0.0;
        std::uint64_t rng = 0;
        // this sample's values
        double t = 0.0;
        float raw[kBaseSources] = {};  // unit-level sources (the vocal with its phrase envelope)
        float vocal_osc = 0.0f;        // the vocal's oscillator without envelope (for shouts)
    };
    struct Voice {
        Kind kind = Kind::Vocal;
        int timeline = 0;
        float gain = 1.0f;            // linear loud-peak level
        // clip schedule (vocal and snare)
        double next_clip_s = 1e300;
        double clip_until_s = -1.0;
        std::uint64_t clip_rng = 0;
        std::int64_t clip_slot = -1;  // snare: the eighth-note slot of the rimshot
    };
    void advance(Timeline& tl, std::uint64_t n) noexcept;
    float vocal(Timeline& tl) noexcept;
    float voice_sample(Voice& v, const Timeline& tl) noexcept;

    double rate_;
    std::uint64_t seed_;
    std::uint64_t pos_ = 0;
    std::vector<Voice> voices_;
    Timeline timelines_[kTimelines];
    int used_timelines_ = 1;
    std::vector<std::string> names_, presets_;
    std::vector<float> loud_db_;
};

} // namespace headroom
