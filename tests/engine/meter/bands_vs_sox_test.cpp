// BandMeter against sox, the outside reference (DESIGN.md §6, issue 15 "Proof"): sox's
// `lowpass F` / `highpass F` are RBJ-cookbook Butterworth biquads (Q = 1/sqrt 2, the bilinear
// transform prewarped at F), so two of them in a row are an LR4 section pair:
//   low  = lowpass 150 lowpass 150
//   mid  = highpass 150 highpass 150 lowpass 5000 lowpass 5000
//   high = highpass 150 highpass 150 highpass 5000 highpass 5000
// 1. The transfer functions are the same: sox's impulse responses (written as float) equal the
//    band signals of the meter's kernel sample by sample (within 1e-6 of a 0.5 impulse).
// 2. Whole-file RMS and peak per band equal `sox FILE -n <band> stats` ("RMS lev dB", "Pk lev
//    dB", printed to 0.01 dB) within 0.05 dB, on white and pink noise, sines at 50 Hz, 1 kHz and
//    10 kHz and a mix, at 44.1, 48 and 96 kHz. Bands sox reads below -100 dBFS (a 10 kHz tone's
//    low band: float and sox's int32 noise floors) must read below -90 dBFS here.
// sox is a requirement of the test suite (scripts/setup.sh): without it this test fails.
#include <doctest/doctest.h>
#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "engine/meter/band_kernels.hpp"
#include "engine/meter/bands.hpp"
#include "tests/support/float_wav.hpp"
#include "tests/support/temp_dir.hpp"

using namespace headroom;

namespace {

constexpr double kPi = 3.14159265358979323846;
const std::array<std::string, 3> kSoxBands{"lowpass 150 lowpass 150",
                                           "highpass 150 highpass 150 lowpass 5000 lowpass 5000",
                                           "highpass 150 highpass 150 highpass 5000 highpass 5000"};

std::string run_command(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE_MESSAGE(p != nullptr, "cannot run: ", cmd);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int rc = pclose(p);
    REQUIRE_MESSAGE(rc == 0, cmd, " failed: ", out);
    return out;
}

// {peak dB, RMS dB} from `sox -n stats` output (mono).
std::array<double, 2> sox_stats(const std::string& path, const std::string& effects) {
    const std::string out = run_command("sox '" + path + "' -n " + effects + " stats 2>&1");
    auto value = [&](const std::string& key) {
        const auto at = out.find(key);
        REQUIRE_MESSAGE(at != std::string::npos, "no '", key, "' in sox output: ", out);
        const std::string v = out.substr(at + key.size(), 32);
        return v.find("-inf") != std::string::npos ? -1000.0 : std::stod(v);
    };
    return {value("Pk lev dB"), value("RMS lev dB")};
}

std::vector<float> read_float_wav(const std::string& path) {
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    REQUIRE(f != nullptr);
    std::vector<float> v(static_cast<std::size_t>(info.frames * info.channels));
    sf_read_float(f, v.data(), static_cast<sf_count_t>(v.size()));
    sf_close(f);
    return v;
}

std::vector<float> signal(int kind, double rate, std::size_t n) {
    std::vector<float> x(n);
    std::mt19937 rng(11);
    std::normal_distribution<double> w(0.0, 0.1);
    double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = double(i) / rate;
        double v = 0.0;
        switch (kind) {
            case 0: v = w(rng); break;  // white
            case 1: {                   // pink (Paul Kellet's filter)
                const double u = w(rng);
                b0 = 0.99886 * b0 + u * 0.0555179;
                b1 = 0.99332 * b1 + u * 0.0750759;
                b2 = 0.96900 * b2 + u * 0.1538520;
                b3 = 0.86650 * b3 + u * 0.3104856;
                b4 = 0.55000 * b4 + u * 0.5329522;
                b5 = -0.7616 * b5 - u * 0.0168980;
                v = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + u * 0.5362) * 0.25;
                b6 = u * 0.115926;
                break;
            }
            case 2: v = 0.5 * std::sin(2 * kPi * 50.0 * t); break;
            case 3: v = 0.5 * std::sin(2 * kPi * 1000.0 * t); break;
            case 4: v = 0.5 * std::sin(2 * kPi * 10000.0 * t); break;
            default:  // a mix: bass, mids, air and noise
                v = 0.3 * std::sin(2 * kPi * 55.0 * t) + 0.15 * std::sin(2 * kPi * 440.0 * t) +
                    0.05 * std::sin(2 * kPi * 7000.0 * t) + 0.3 * w(rng);
        }
        x[i] = static_cast<float>(v);
    }
    return x;
}

const char* kSignalNames[] = {"white noise", "pink noise", "50 Hz", "1 kHz", "10 kHz", "mix"};

} // namespace

TEST_CASE("BandMeter vs sox: the same filters, sample by sample") {
    test::TempDir dir;
    for (double rate : {44100.0, 96000.0}) {
        CAPTURE(rate);
        const std::size_t n = static_cast<std::size_t>(rate / 4);
        std::vector<float> impulse(n, 0.0f);
        impulse[0] = 0.5f;
        const std::string in = (dir / "impulse.wav").string(), out = (dir / "band.wav").string();
        test::write_float_wav(in, static_cast<int>(rate), 1, impulse);
        // the kernel's band signals, read off its states one frame at a time (bands_test.cpp)
        BandKernelArgs a;
        std::vector<float> state(kSectionStates * 64, 0.0f), peak(3 * 64, 0.0f), sq(3 * 64, 0.0f);
        std::uint32_t bad = 0;
        a.channels = 1;
        a.stride = 64;
        a.low = design_section(kLowCrossoverHz, rate);
        a.high = design_section(kHighCrossoverHz, rate);
        a.state = state.data();
        a.peak = peak.data();
        a.sum_squares = sq.data();
        a.nonfinite = &bad;
        std::vector<double> ours[3];
        for (auto& v : ours) v.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            a.x = &impulse[i];
            a.x_end = &impulse[i] + 1;
            a.frames = 1;
            const std::vector<float> before = state;
            scalar_band_kernels().run(a);
            ours[0][i] = (double(state[3 * 64]) + double(before[3 * 64])) / 2.0;
            ours[1][i] = (double(state[9 * 64]) + double(before[9 * 64])) / 2.0;
            ours[2][i] = double(a.high.a1) * (double(state[10 * 64]) - double(before[10 * 64])) / (2.0 * double(a.high.g_a1));
        }
        for (std::size_t b = 0; b < 3; ++b) {
            CAPTURE(kSoxBands[b]);
            run_command("sox '" + in + "' -e floating-point -b 32 '" + out + "' " + kSoxBands[b] + " 2>&1");
            const std::vector<float> theirs = read_float_wav(out);
            REQUIRE(theirs.size() == n);
            double worst = 0.0, largest = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                worst = std::max(worst, std::fabs(double(theirs[i]) - ours[b][i]));
                largest = std::max(largest, std::fabs(double(theirs[i])));
            }
            CHECK(largest > 1e-3);  // there is a response to compare
            CHECK(worst < 1e-6);
        }
    }
}

TEST_CASE("BandMeter vs sox: whole-file RMS and peak per band within 0.05 dB") {
    test::TempDir dir;
    double worst_rms = 0.0, worst_peak = 0.0;
    int compared = 0;
    for (double rate : {44100.0, 48000.0, 96000.0})
        for (int kind = 0; kind < 6; ++kind) {
            CAPTURE(rate);
            CAPTURE(kSignalNames[kind]);
            const auto x = signal(kind, rate, static_cast<std::size_t>(rate * 2.0));
            const std::string path = (dir / "signal.wav").string();
            test::write_float_wav(path, static_cast<int>(rate), 1, x);
            BandMeter m(rate, 1, 300.0, 4096);
            std::array<double, 3> sum{};
            std::array<float, 3> peak{};
            std::uint64_t frames = 0;
            auto take = [&] {
                for (std::size_t i = 0; i < m.tick_count(); ++i) {
                    const BandTick& t = m.ticks()[i];
                    frames += t.frames;
                    for (std::size_t b = 0; b < 3; ++b) {
                        sum[b] += t.sum_squares[b];
                        peak[b] = std::max(peak[b], t.peak[b]);
                    }
                }
            };
            for (std::size_t f = 0; f < x.size(); f += 4096) {
                m.process(x.data() + f, std::min<std::size_t>(4096, x.size() - f));
                take();
            }
            m.finish();
            take();
            REQUIRE(frames == x.size());
            for (std::size_t b = 0; b < 3; ++b) {
                CAPTURE(kSoxBands[b]);
                const auto [sox_peak, sox_rms] = sox_stats(path, kSoxBands[b]);
                const double our_rms = 10.0 * std::log10(sum[b] / double(frames));
                const double our_peak = 20.0 * std::log10(double(peak[b]));
                CAPTURE(our_rms);
                CAPTURE(sox_rms);
                CAPTURE(our_peak);
                CAPTURE(sox_peak);
                if (sox_rms < -100.0) {
                    CHECK(our_rms < -90.0);
                    continue;
                }
                CHECK(std::fabs(our_rms - sox_rms) <= 0.05);
                CHECK(std::fabs(our_peak - sox_peak) <= 0.05);
                worst_rms = std::max(worst_rms, std::fabs(our_rms - sox_rms));
                worst_peak = std::max(worst_peak, std::fabs(our_peak - sox_peak));
                ++compared;
            }
        }
    MESSAGE(compared, " bands compared; largest difference from sox: RMS ", worst_rms, " dB, peak ", worst_peak, " dB");
    CHECK(compared >= 45);
}
