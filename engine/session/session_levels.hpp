#pragma once
// The 10 Hz level envelope of a session (DESIGN.md §5): levels.f32, little-endian float32
// records, one per 100 ms tick of `tick_frames` frames at absolute stream positions, each record
// `channels` pairs (sample peak, loudest window RMS), linear (1.0 = 0 dBFS), plain RMS, then
// one pair per bus (DESIGN.md §6: short-term loudness at the tick's end and the loudest momentary
// in it, as BS.1770 mean squares; 0: none yet).
// session.json describes it under "levels" (LevelsRecord, session_format.hpp).
//
// LevelAggregator turns the MeterBank's Envelope events (one per channel per tick, arriving
// in stream order per channel) into those records; read_levels reads them back.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "engine/meter/meter_event.hpp"

namespace headroom {

// Frames per 100 ms record at `sample_rate` (at least 1).
std::uint64_t level_tick_frames(double sample_rate);  // any thread

// Threads: a plain object owned by one normal thread (the recorder's writer thread).
class LevelAggregator {
public:
    // normal thread. `channels` >= 1.
    LevelAggregator(int channels, std::uint64_t tick_frames);
    // normal thread; allocates. Folds an Envelope event into its tick's record (the maxima of
    // the peaks and window RMS); events of ticks already emitted, of unknown channels, or
    // absurdly far ahead are ignored.
    void add(const MeterEvent& envelope);
    // normal thread; allocates. The same for any pair of values of record slot `slot` (a bus's
    // loudness after the channels' levels): each is the maximum of what its tick got.
    void add(std::size_t slot, std::uint64_t start_sample, float first, float second);
    // normal thread; allocates. Appends the finished records, oldest first, to `out` (one
    // string per record): a record is finished once every channel's event for it arrived, or
    // once it is kMaxTicksAhead ticks behind the newest (a dropped event never holds it back),
    // or with `all`, always. Returns the number of records emitted.
    std::size_t emit(bool all, std::vector<std::string>& out);

    static constexpr std::size_t kMaxTicksAhead = 50;  // 5 s: an incomplete tick is written anyway

private:
    struct Tick {
        explicit Tick(std::size_t channels) : values(channels * 2, 0.0f), seen(channels, 0) {}
        std::vector<float> values;           // peak, rms per channel
        std::vector<std::uint8_t> seen;      // channels whose event arrived
        int filled = 0;                      // how many have
    };
    int channels_;
    std::uint64_t tick_frames_;
    std::deque<Tick> ticks_;                 // pending records, front = tick `first_tick_`
    std::uint64_t first_tick_ = 0;
};

// any thread. One record's bytes: `values` as float32 little-endian.
std::string encode_level_record(const std::vector<float>& values);

// The envelope read back: peak[c][k], rms[c][k] for tick k (linear).
struct LevelEnvelope {
    std::vector<std::vector<float>> peak, rms;
};
// any thread. Decodes levels.f32's bytes for `channels` channels; a torn last record is
// ignored. Empty for channels <= 0.
LevelEnvelope decode_levels(std::string_view bytes, int channels);

} // namespace headroom
