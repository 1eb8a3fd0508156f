// DemoStudio synthesis. Every source is a function of the sample position (drums, bass,
// guitar, acoustic: closed-form hits and plucks on a 100 BPM grid) or a per-sample state
// machine (vocal phrases), so the output never depends on the block size.
#include "engine/capture/demo_studio.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/base/decibels.hpp"

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

// The drum hits of a timeline at time t: this slot's and the previous one's (its tail).
// `rim_slot`: a slot whose snare hit is a rimshot of level `rim_vel` (-1: none).
struct Grid {
    std::int64_t slot = 0, bar = 0;
    double tau = 0.0, sg = 1.0;
    bool chorus = true;
    int in_bar = 0;
    explicit Grid(double t) {
        slot = static_cast<std::int64_t>(std::floor(t / kEighth));
        tau = t - static_cast<double>(slot) * kEighth;
        in_bar = static_cast<int>(((slot % kSlotsPerBar) + kSlotsPerBar) % kSlotsPerBar);
        bar = slot / kSlotsPerBar;
        sg = section_gain(t);
        chorus = sg > 0.9;
    }
};

double velocity(std::uint64_t seed, std::int64_t s, std::uint64_t salt) noexcept {
    return 0.85 + 0.15 * uni(seed ^ salt ^ static_cast<std::uint64_t>(s) * 0x2545F4914F6CDD1Dull);
}

template <class HasHit, class Wave>
double hits(const Grid& g, std::uint64_t seed, HasHit has_hit, Wave wave, std::uint64_t salt,
            std::int64_t rim_slot = -1, double rim_vel = 0.0) noexcept {
    double x = 0.0;
    for (int back = 0; back < 2; ++back) {
        const std::int64_t s = g.slot - back;
        const int ib = static_cast<int>(((s % kSlotsPerBar) + kSlotsPerBar) % kSlotsPerBar);
        if (!has_hit(ib)) continue;
        const double vel = s == rim_slot ? rim_vel : velocity(seed, s, salt) * g.sg;
        x += vel * wave(g.tau + back * kEighth);
    }
    return x;
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
    for (int i = 0; i < kTimelines; ++i) {
        timelines_[i].offset_s = i * 1.3;
        timelines_[i].seed = mix(seed ^ (static_cast<std::uint64_t>(i + 1) * 0x1000193ull));
        timelines_[i].rng = timelines_[i].seed;
    }
    voices_.resize(static_cast<std::size_t>(channels));
    for (int i = 0; i < channels; ++i) {
        const int k = i % kBaseSources, copy = i / kBaseSources;
        Voice& v = voices_[static_cast<std::size_t>(i)];
        v.kind = static_cast<Kind>(k);
        v.timeline = copy % kTimelines;
        used_timelines_ = std::max(used_timelines_, v.timeline + 1);
        // Copies: another level (-6..+6 dB, never reaching full scale by itself).
        float db = base_db[k];
        if (copy > 0) db = std::min(-4.0f, db + static_cast<float>((copy * 7) % 13 - 6));
        loud_db_.push_back(db);
        v.gain = db_to_amplitude(db);
        v.clip_rng = mix(seed ^ (static_cast<std::uint64_t>(i) * 0x9E3779B9ull) ^ 17);
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
    for (std::size_t f = 0; f < frames; ++f, ++pos_) {
        for (int i = 0; i < used_timelines_; ++i) advance(timelines_[i], pos_);
        for (std::size_t c = 0; c < nc; ++c) {
            Voice& v = voices_[c];
            out[f * nc + c] = voice_sample(v, timelines_[v.timeline]);
        }
    }
}

float DemoStudio::vocal(Timeline& v) noexcept {
    const double t = v.t;
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
    if (t < v.phrase_end_s && t >= v.note_end_s) {
        static constexpr double scale[7] = {196.0, 220.0, 246.9, 261.6, 293.7, 329.6, 392.0};
        v.note_hz = scale[static_cast<int>(next_uni(v.rng) * 7.0) % 7];
        v.target_amp = section_gain(t) * (0.55 + 0.45 * next_uni(v.rng));
        v.note_end_s = t + 0.25 + 0.45 * next_uni(v.rng);
    }
    const double smooth = 1.0 - std::exp(-1.0 / (0.03 * rate_));  // 30 ms glide
    v.amp += (v.target_amp - v.amp) * smooth;
    const double vibrato = 1.0 + 0.006 * std::sin(kTwoPi * 5.5 * t);
    v.phase += kTwoPi * v.note_hz * vibrato / rate_;
    if (v.phase > kTwoPi) v.phase -= kTwoPi;
    const double osc = 0.97 * tone(v.phase, 0.5, 0.3) + 0.03 * bip(v.seed ^ static_cast<std::uint64_t>(t * rate_));
    v.vocal_osc = static_cast<float>(osc);
    return static_cast<float>(1.3 * v.amp * osc);  // calibration: loud peaks at the table's level
}

void DemoStudio::advance(Timeline& tl, std::uint64_t n) noexcept {
    tl.t = static_cast<double>(n) / rate_ + tl.offset_s;
    const Grid g(tl.t);
    const std::uint64_t nk = tl.seed ^ (n * 0x9E3779B97F4A7C15ull);  // per-sample noise key
    auto kick = [](double tt) { return kick_wave(tt); };
    auto snare = [nk](double tt) { return snare_wave(tt, nk); };
    auto has_kick = [&g](int ib) { return kick_at(ib, g.chorus); };
    const double k = hits(g, tl.seed, has_kick, kick, 1);
    const double sn = hits(g, tl.seed, snare_at, snare, 2);

    tl.raw[0] = vocal(tl);
    {  // bass: a plucked root on every eighth
        const double f = bar_root(g.bar);
        const double env = (1.0 - std::exp(-g.tau / 0.004)) * std::exp(-g.tau / 0.6);
        tl.raw[1] = static_cast<float>(g.sg * (0.8 + 0.2 * velocity(tl.seed, g.slot, 5)) * env *
                                       tone(kTwoPi * f * g.tau, 0.4, 0.2));
    }
    tl.raw[2] = static_cast<float>(k);
    tl.raw[3] = static_cast<float>(sn);
    {  // overheads: the kit from above, hats on the eighths, a crash at each section start
        const double hat = bip(nk + 1) * std::exp(-g.tau / 0.025) * (g.chorus ? 1.0 : 0.7);
        const double since_bar = tl.t - static_cast<double>(g.bar * kSlotsPerBar) * kEighth;
        const double crash = (g.bar % kBarsPerSection == 0) ? bip(nk + 2) * std::exp(-since_bar / 1.5) : 0.0;
        tl.raw[4] = static_cast<float>(1.8 * (0.22 * k + 0.5 * sn + 0.13 * hat + 0.15 * crash));
        tl.raw[5] = static_cast<float>(1.8 * (0.187 * k + 0.5 * sn + 0.15 * hat + 0.15 * crash));
    }
    {  // guitar: a strummed chord on every half note (slots 0 and 4)
        const double since = tl.t - static_cast<double>(g.slot - (g.in_bar % 4)) * kEighth;
        const double f = bar_root(g.bar) * 4.0;
        static constexpr double ratios[3] = {1.0, 1.5, 2.0};
        double x = 0.0;
        for (int i = 0; i < 3; ++i) {
            const double ti = since - 0.012 * i;
            if (ti < 0.0) continue;
            const double env = (1.0 - std::exp(-ti / 0.002)) * std::exp(-ti / 0.9);
            x += env * tone(kTwoPi * f * ratios[i] * ti, 0.6, 0.3);
        }
        tl.raw[6] = static_cast<float>(x * g.sg / 2.2);
    }
    {  // acoustic: an arpeggio on the eighths
        static constexpr double ratios[4] = {2.0, 3.0, 4.0, 3.0};
        const double f = bar_root(g.bar) * ratios[g.in_bar % 4] * 2.0;
        const double env = (1.0 - std::exp(-g.tau / 0.003)) * std::exp(-g.tau / 0.5);
        tl.raw[7] = static_cast<float>(g.sg * (0.75 + 0.25 * velocity(tl.seed, g.slot, 7)) * env *
                                       tone(kTwoPi * f * g.tau, 0.3, 0.1));
    }
}

float DemoStudio::voice_sample(Voice& v, const Timeline& tl) noexcept {
    const double t = tl.t;
    switch (v.kind) {
    case Kind::Vocal: {
        // The shout: the singer leans in, the preamp runs out of headroom (hard clip at +-1).
        if (t >= v.next_clip_s && t >= v.clip_until_s) {
            v.clip_until_s = t + 0.18;
            v.next_clip_s = t + 25.0 + 15.0 * uni(v.clip_rng++);
        }
        if (t < v.clip_until_s) return std::clamp(1.6f * tl.vocal_osc, -1.0f, 1.0f);  // ~4 dB over
        return v.gain * tl.raw[0];
    }
    case Kind::Snare: {
        // A scheduled clip: the next snare hit after the due time is a rimshot that drives
        // the preamp past full scale (computed for this channel alone, while it rings).
        const Grid g(t);
        if (t >= v.next_clip_s) {
            std::int64_t s = g.slot + 1;
            while (!snare_at(static_cast<int>(((s % kSlotsPerBar) + kSlotsPerBar) % kSlotsPerBar))) ++s;
            v.clip_slot = s;
            v.next_clip_s = t + 25.0 + 15.0 * uni(v.clip_rng++);
        }
        if (v.clip_slot >= 0 && (g.slot == v.clip_slot || g.slot == v.clip_slot + 1)) {
            const std::uint64_t nk = tl.seed ^ (static_cast<std::uint64_t>(std::llround((t - tl.offset_s) * rate_)) *
                                                0x9E3779B97F4A7C15ull);
            auto snare = [nk](double tt) { return snare_wave(tt, nk); };
            const double x = hits(g, tl.seed, snare_at, snare, 2, v.clip_slot, 1.8 / v.gain) * v.gain;
            return static_cast<float>(std::clamp(x, -1.0, 1.0));
        }
        return std::clamp(v.gain * tl.raw[3], -1.0f, 1.0f);
    }
    default:
        return v.gain * tl.raw[static_cast<int>(v.kind)];
    }
}

} // namespace headroom
