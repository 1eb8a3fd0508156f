// DemoStudio synthesis. Every source is a function of the sample position (drums, bass,
// guitar, acoustic: closed-form hits and plucks on a 100 BPM grid) or a per-sample state
// machine (vocal phrases), so the output never depends on the block size.
#include "engine/demo_studio.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace headroom {
namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr double kEighth = 0.3;           // seconds (100 BPM)
constexpr int kSlotsPerBar = 8;
constexpr int kBarsPerSection = 8;        // chorus (loud), verse (quieter), ...

std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64 finaliser
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}
double uni(std::uint64_t h) noexcept { return static_cast<double>(mix(h) >> 11) * 0x1.0p-53; }  // [0, 1)
double bip(std::uint64_t h) noexcept { return 2.0 * uni(h) - 1.0; }                               // [-1, 1)
double next_uni(std::uint64_t& state) noexcept { return uni(state++); }

// sin p + a2 sin 2p + a3 sin 3p from one sin/cos pair, normalised to peak <= 1.
double tone(double p, double a2, double a3) noexcept {
    const double s = std::sin(p), c = std::cos(p);
    return (s + a2 * 2.0 * s * c + a3 * (3.0 * s - 4.0 * s * s * s)) / (1.0 + a2 + a3);
}

double section_gain(double t) noexcept {  // chorus first, then verse, ...
    const auto section = static_cast<std::int64_t>(std::floor(t / (kEighth * kSlotsPerBar * kBarsPerSection)));
    return (section % 2 == 0) ? 1.0 : 0.6;
}

// The root note of the bar (E, A, G, D over four bars), in Hz, low register.
double bar_root(std::int64_t bar) noexcept {
    static constexpr double roots[4] = {41.20, 55.00, 49.00, 36.71};
    return roots[((bar % 4) + 4) % 4];
}

bool kick_at(int slot_in_bar, bool chorus) noexcept {
    return slot_in_bar == 0 || slot_in_bar == 4 || (chorus && slot_in_bar == 5);
}
bool snare_at(int slot_in_bar) noexcept { return slot_in_bar == 2 || slot_in_bar == 6; }

double kick_wave(double tau) noexcept {
    const double phase = kTwoPi * (50.0 * tau + 70.0 * 0.03 * (1.0 - std::exp(-tau / 0.03)));
    const double attack = tau < 0.002 ? tau / 0.002 : 1.0;
    return attack * std::sin(phase) * std::exp(-tau / 0.15);
}
double snare_wave(double tau, std::uint64_t noise_key) noexcept {
    const double attack = tau < 0.001 ? tau / 0.001 : 1.0;
    return attack * (0.55 * std::sin(kTwoPi * 190.0 * tau) * std::exp(-tau / 0.05) +
                     0.45 * bip(noise_key) * std::exp(-tau / 0.08));
}

} // namespace

DemoStudio::DemoStudio(int channels, double rate, std::uint64_t seed) : rate_(rate), seed_(seed) {
    if (channels < 1 || channels > 256 || !(rate > 0.0))
        throw std::invalid_argument("demo studio: channels must be 1..256 and rate > 0");
    static const char* base_names[kBaseSources] = {"Vocal", "Bass DI", "Kick", "Snare",
                                                   "OH L", "OH R", "Guitar DI", "Acoustic"};
    static const char* base_presets[kBaseSources] = {"vocals", "bass", "close_drums", "close_drums",
                                                     "overheads", "overheads", "guitar_di", "acoustic"};
    static constexpr float base_db[kBaseSources] = {-13.0f, -20.0f, -7.0f, -13.0f,
                                                    -16.0f, -16.5f, -11.0f, -25.0f};
    voices_.resize(static_cast<std::size_t>(channels));
    for (int i = 0; i < channels; ++i) {
        const int k = i % kBaseSources, copy = i / kBaseSources;
        Voice& v = voices_[static_cast<std::size_t>(i)];
        v.kind = static_cast<Kind>(k);
        // Copies: another level (-6..+6 dB, never reaching full scale by itself) and timing.
        float db = base_db[k];
        if (copy > 0) db = std::min(-4.0f, db + static_cast<float>((copy * 7) % 13 - 6));
        loud_db_.push_back(db);
        v.gain = std::pow(10.0f, db / 20.0f);
        v.offset_s = copy * 1.3;
        v.seed = mix(seed ^ (static_cast<std::uint64_t>(i) * 0x1000193ull));
        v.rng = v.seed;
        v.clip_rng = mix(v.seed + 17);
        if (v.kind == Kind::Vocal) v.next_clip_s = copy == 0 ? 5.5 : 25.0 + 7.0 * copy;
        if (v.kind == Kind::Snare) v.next_clip_s = 20.0 + 10.0 * uni(v.clip_rng++) + 5.0 * copy;
        names_.push_back(copy == 0 ? std::string(base_names[k])
                                   : std::string(base_names[k]) + " " + std::to_string(copy + 1));
        presets_.push_back(base_presets[k]);
    }
}

float DemoStudio::loud_peak_dbfs(int channel) const { return loud_db_.at(static_cast<std::size_t>(channel)); }

void DemoStudio::render(float* out, std::size_t frames) noexcept {
    const std::size_t nc = voices_.size();
    for (std::size_t f = 0; f < frames; ++f, ++pos_)
        for (std::size_t c = 0; c < nc; ++c) out[f * nc + c] = sample(voices_[c], pos_);
}

float DemoStudio::vocal(Voice& v, double t) noexcept {
    // Phrases of 2.4-4.8 s separated by 0.6-1.6 s breaths; notes of 0.25-0.7 s inside.
    if (t >= v.phrase_end_s && t >= v.gap_end_s) {
        if (v.phrase_end_s > v.gap_end_s) {                       // a phrase just ended
            v.gap_end_s = t + 0.6 + 1.0 * next_uni(v.rng);
            v.target_amp = 0.0;
        } else {                                                  // the breath is over
            v.phrase_end_s = t + 2.4 + 2.4 * next_uni(v.rng);
            v.note_end_s = t;
        }
    }
    const bool singing = t < v.phrase_end_s;
    if (singing && t >= v.note_end_s) {
        static constexpr double scale[7] = {196.0, 220.0, 246.9, 261.6, 293.7, 329.6, 392.0};
        v.note_hz = scale[static_cast<int>(next_uni(v.rng) * 7.0) % 7];
        v.target_amp = section_gain(t) * (0.55 + 0.45 * next_uni(v.rng));
        v.note_end_s = t + 0.25 + 0.45 * next_uni(v.rng);
    }
    // The shout: the singer leans in, the preamp runs out of headroom (hard clip at +-1).
    bool shout = t < v.clip_until_s;
    if (!shout && t >= v.next_clip_s) {
        v.clip_until_s = t + 0.18;
        v.next_clip_s = t + 25.0 + 15.0 * uni(v.clip_rng++);
        shout = true;
    }
    const double target = shout ? 1.0 : v.target_amp;
    const double smooth = 1.0 - std::exp(-1.0 / (0.03 * rate_));  // 30 ms glide
    v.amp += (target - v.amp) * smooth;
    const double vibrato = 1.0 + 0.006 * std::sin(kTwoPi * 5.5 * t);
    v.phase += kTwoPi * v.note_hz * vibrato / rate_;
    if (v.phase > kTwoPi) v.phase -= kTwoPi;
    double x = v.amp * (0.97 * tone(v.phase, 0.5, 0.3) + 0.03 * bip(v.seed ^ static_cast<std::uint64_t>(t * rate_)));
    x *= v.gain * 1.3;  // calibration: the phrase statistics put loud peaks at the level table's value
    if (shout) x = std::clamp(x * 2.5 / v.gain, -1.0, 1.0);  // ~ +8 dB over full scale, clipped
    return static_cast<float>(x);
}

float DemoStudio::sample(Voice& v, std::uint64_t n) noexcept {
    const double t = static_cast<double>(n) / rate_ + v.offset_s;
    if (v.kind == Kind::Vocal) return vocal(v, t);

    const auto slot = static_cast<std::int64_t>(std::floor(t / kEighth));
    const double tau = t - static_cast<double>(slot) * kEighth;          // since the slot began
    const int in_bar = static_cast<int>(((slot % kSlotsPerBar) + kSlotsPerBar) % kSlotsPerBar);
    const std::int64_t bar = slot / kSlotsPerBar;
    const double sg = section_gain(t);
    const bool chorus = sg > 0.9;
    const std::uint64_t nk = v.seed ^ (n * 0x9E3779B97F4A7C15ull);      // per-sample noise key
    auto velocity = [&](std::int64_t s, std::uint64_t salt) {
        return 0.85 + 0.15 * uni(v.seed ^ salt ^ static_cast<std::uint64_t>(s) * 0x2545F4914F6CDD1Dull);
    };
    // Drum hits of this slot and the one before (the previous hit's tail).
    auto hits = [&](auto has_hit, auto wave, std::uint64_t salt) {
        double x = 0.0;
        for (int back = 0; back < 2; ++back) {
            const std::int64_t s = slot - back;
            const int ib = static_cast<int>(((s % kSlotsPerBar) + kSlotsPerBar) % kSlotsPerBar);
            if (!has_hit(ib)) continue;
            double vel = velocity(s, salt) * sg;
            if (salt == 2 && s == v.clip_slot) vel = 1.8 / v.gain;  // rimshot: past full scale
            x += vel * wave(tau + back * kEighth);
        }
        return x;
    };
    auto kick = [&](double tt) { return kick_wave(tt); };
    auto snare = [&](double tt) { return snare_wave(tt, nk); };
    auto has_kick = [&](int ib) { return kick_at(ib, chorus); };

    double x = 0.0;
    switch (v.kind) {
    case Kind::Kick: x = hits(has_kick, kick, 1); break;
    case Kind::Snare: {
        // A scheduled clip: the first snare hit at or after the due time is a rimshot that
        // drives the preamp past full scale.
        if (snare_at(in_bar) && t >= v.next_clip_s) {
            v.clip_slot = slot;
            v.next_clip_s = t + 25.0 + 15.0 * uni(v.clip_rng++);
        }
        x = std::clamp(hits(snare_at, snare, 2) * v.gain, -1.0, 1.0);
        return static_cast<float>(x);
    }
    case Kind::OverheadL:
    case Kind::OverheadR: {
        const double side = v.kind == Kind::OverheadL ? 1.0 : 0.85;
        const double hat = bip(nk + 1) * std::exp(-tau / 0.025) * (chorus ? 1.0 : 0.7);
        const std::int64_t bar_start = bar * kSlotsPerBar;
        const double since_bar = t - static_cast<double>(bar_start) * kEighth;
        const double crash = (bar % kBarsPerSection == 0) ? bip(nk + 2) * std::exp(-since_bar / 1.5) : 0.0;
        x = 1.8 * (0.22 * side * hits(has_kick, kick, 1) + 0.5 * hits(snare_at, snare, 2) +
                   0.13 * (2.0 - side) * hat + 0.15 * crash);
        break;
    }
    case Kind::Bass: {
        const double f = bar_root(bar);
        const double env = (1.0 - std::exp(-tau / 0.004)) * std::exp(-tau / 0.6);
        x = sg * (0.8 + 0.2 * velocity(slot, 5)) * env * tone(kTwoPi * f * tau, 0.4, 0.2);
        break;
    }
    case Kind::Guitar: {  // a strummed chord on every half note (slots 0 and 4)
        const double since = t - static_cast<double>(slot - (in_bar % 4)) * kEighth;
        const double f = bar_root(bar) * 4.0;
        static constexpr double ratios[3] = {1.0, 1.5, 2.0};
        for (int i = 0; i < 3; ++i) {
            const double ti = since - 0.012 * i;
            if (ti < 0.0) continue;
            const double env = (1.0 - std::exp(-ti / 0.002)) * std::exp(-ti / 0.9);
            x += env * tone(kTwoPi * f * ratios[i] * ti, 0.6, 0.3);
        }
        x *= sg / 2.2;
        break;
    }
    case Kind::Acoustic: {  // an arpeggio on the eighths
        static constexpr double ratios[4] = {2.0, 3.0, 4.0, 3.0};
        const double f = bar_root(bar) * ratios[in_bar % 4] * 2.0;
        const double env = (1.0 - std::exp(-tau / 0.003)) * std::exp(-tau / 0.5);
        x = sg * (0.75 + 0.25 * velocity(slot, 7)) * env * tone(kTwoPi * f * tau, 0.3, 0.1);
        break;
    }
    case Kind::Vocal: break;
    }
    return static_cast<float>(x * v.gain);
}

} // namespace headroom
