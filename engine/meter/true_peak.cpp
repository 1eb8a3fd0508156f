#include "engine/meter/true_peak.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <mutex>
#include <numbers>
#include <stdexcept>
#include <utility>

namespace headroom {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr int kGridPoints = 512;     // frequency grid over [0, passband]
constexpr int kLawsonIterations = 40; // reweightings; converged well before this

// Solves the (n x n, row-major) system a * x = b in place by Gaussian elimination with
// partial pivoting. The systems here are small (taps + 1) and well conditioned.
std::vector<double> solve(std::vector<double> a, std::vector<double> b) {
    const std::size_t n = b.size();
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t piv = i;
        for (std::size_t r = i + 1; r < n; ++r)
            if (std::fabs(a[r * n + i]) > std::fabs(a[piv * n + i])) piv = r;
        if (piv != i) {
            for (std::size_t c = 0; c < n; ++c) std::swap(a[i * n + c], a[piv * n + c]);
            std::swap(b[i], b[piv]);
        }
        for (std::size_t r = i + 1; r < n; ++r) {
            const double f = a[r * n + i] / a[i * n + i];
            for (std::size_t c = i; c < n; ++c) a[r * n + c] -= f * a[i * n + c];
            b[r] -= f * b[i];
        }
    }
    std::vector<double> x(n);
    for (std::size_t i = n; i-- > 0;) {
        double s = b[i];
        for (std::size_t c = i + 1; c < n; ++c) s -= a[i * n + c] * x[c];
        x[i] = s / a[i * n + i];
    }
    return x;
}

// One fractional-delay phase: `taps` coefficients approximating exp(-j 2 pi f tau) over
// f in [0, passband] (cycles per input sample) in the minimax sense, with sum(c) == 1.
// Lawson's algorithm: weighted least squares, each weight multiplied by the error
// magnitude it left, which converges to the complex Chebyshev solution.
std::vector<double> design_phase(int taps, double tau, double passband) {
    const auto t = static_cast<std::size_t>(taps);
    const std::size_t n = t + 1;  // coefficients + Lagrange multiplier of the DC constraint
    const std::size_t grid = kGridPoints + 1;
    // Everything trigonometric depends on the grid point only, not on the iteration: the
    // same expressions are evaluated once here (bit-identical to evaluating them inside the
    // loop, and the cos/sin calls leave the iteration).
    std::vector<double> cos_kl(grid * t * t), cos_tau(grid * t);
    std::vector<std::complex<double>> rot(grid * t), target(grid);
    for (std::size_t g = 0; g < grid; ++g) {
        const double w = kTwoPi * passband * static_cast<double>(g) / kGridPoints;
        for (std::size_t k = 0; k < t; ++k) {
            const double dk = static_cast<double>(k);
            for (std::size_t l = 0; l < t; ++l)
                cos_kl[(g * t + k) * t + l] = std::cos(w * (dk - static_cast<double>(l)));
            cos_tau[g * t + k] = std::cos(w * (dk - tau));
            rot[g * t + k] = std::polar(1.0, -w * dk);
        }
        target[g] = std::polar(1.0, -w * tau);
    }
    std::vector<double> weight(grid, 1.0);
    std::vector<double> c;
    for (int it = 0; it <= kLawsonIterations; ++it) {
        std::vector<double> a(n * n, 0.0), b(n, 0.0);
        for (std::size_t g = 0; g < grid; ++g) {
            const double wt = weight[g];
            for (std::size_t k = 0; k < t; ++k) {
                const double* row = cos_kl.data() + (g * t + k) * t;
                for (std::size_t l = 0; l < t; ++l) a[k * n + l] += wt * row[l];
                b[k] += wt * cos_tau[g * t + k];
            }
        }
        for (std::size_t k = 0; k < t; ++k) {
            a[k * n + t] = 1.0;
            a[t * n + k] = 1.0;
        }
        b[t] = 1.0;
        c = solve(std::move(a), std::move(b));
        if (it == kLawsonIterations) break;
        double sum = 0.0;
        for (std::size_t g = 0; g < grid; ++g) {
            std::complex<double> h = 0.0;
            for (std::size_t k = 0; k < t; ++k) h += c[k] * rot[g * t + k];
            const double err = std::abs(h - target[g]);
            auto& wt = weight[g];
            wt *= err + 1e-15;
            sum += wt;
        }
        const double mean = sum / (kGridPoints + 1);
        for (auto& wt : weight) wt /= mean;
    }
    c.resize(t);
    return c;
}

} // namespace

int true_peak_factor(double sample_rate) noexcept {
    int factor = 1;
    // 44.1 kHz x 4 is exactly 176.4 kHz: allow for a rate given as 44099.9999.
    while (factor < 8 && sample_rate * factor < 176400.0 - 0.5) factor *= 2;
    return factor;
}

InterpolatorDesign design_polyphase_interpolator(int factor, int taps, double passband) {
    if (factor < 1 || taps < 2 || taps % 2 != 0 || !(passband > 0.0 && passband < 0.5))
        throw std::invalid_argument("design_polyphase_interpolator: factor >= 1, even taps >= 2, "
                                    "0 < passband < 0.5");
    InterpolatorDesign d;
    d.factor = factor;
    d.taps = taps;
    d.delay = taps / 2;
    const auto t = static_cast<std::size_t>(taps);
    d.coeffs.assign(static_cast<std::size_t>(factor) * t, 0.0f);
    d.coeffs[static_cast<std::size_t>(d.delay)] = 1.0f;  // phase 0: x[n - delay] exactly
    for (int p = 1; p < factor; ++p) {
        const double tau = d.delay - static_cast<double>(p) / factor;
        const std::vector<double> c = design_phase(taps, tau, passband);
        // Rounded to float, the DC gain is renormalised in double and the residue put on
        // the largest tap, so that every phase sums to 1 as closely as float allows.
        double sum = 0.0;
        for (double v : c) sum += v;
        float* row = d.coeffs.data() + static_cast<std::size_t>(p) * t;
        std::size_t largest = 0;
        for (std::size_t k = 0; k < t; ++k) {
            row[k] = static_cast<float>(c[k] / sum);
            if (std::fabs(row[k]) > std::fabs(row[largest])) largest = k;
        }
        double fsum = 0.0;
        for (std::size_t k = 0; k < t; ++k) fsum += row[k];
        row[largest] = static_cast<float>(static_cast<double>(row[largest]) + (1.0 - fsum));
    }
    return d;
}

InterpolatorDesign design_true_peak_interpolator(double sample_rate) {
    const int factor = true_peak_factor(sample_rate);
    if (factor == 1) {
        InterpolatorDesign d;
        d.factor = 1;
        d.taps = 1;
        d.coeffs = {1.0f};
        d.delay = 0;
        return d;
    }
    // The design depends on the factor alone and takes a noticeable fraction of a second
    // (Lawson iterations): made once per factor, then copied.
    static std::mutex mutex;
    static std::map<int, InterpolatorDesign> cache;
    const std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(factor);
    if (it == cache.end())
        it = cache.emplace(factor, design_polyphase_interpolator(factor, kTruePeakTaps, kTruePeakPassband)).first;
    return it->second;
}

TruePeakScalar::TruePeakScalar(InterpolatorDesign d)
    : d_(std::move(d)), hist_(2 * static_cast<std::size_t>(d_.taps), 0.0f) {}

float TruePeakScalar::process(float x) noexcept {
    if (!std::isfinite(x)) x = 0.0f;
    const auto t = static_cast<std::size_t>(d_.taps);
    pos_ = (pos_ == 0 ? t : pos_) - 1;
    hist_[pos_] = x;
    hist_[pos_ + t] = x;
    const float* h = hist_.data() + pos_;  // h[k] = x[n - k]
    float peak = 0.0f;
    for (int p = 0; p < d_.factor; ++p) {
        const float* c = d_.coeffs.data() + static_cast<std::size_t>(p) * t;
        float y = 0.0f;
        for (std::size_t k = 0; k < t; ++k) y += c[k] * h[k];
        peak = std::max(peak, std::fabs(y));
    }
    return peak;
}

float TruePeakScalar::flush() noexcept {
    float peak = 0.0f;
    for (int i = 0; i < d_.delay; ++i) peak = std::max(peak, process(0.0f));
    reset();
    return peak;
}

void TruePeakScalar::reset() noexcept {
    std::fill(hist_.begin(), hist_.end(), 0.0f);
    pos_ = 0;
}

} // namespace headroom
