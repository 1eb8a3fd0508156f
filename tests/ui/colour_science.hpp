#pragma once
// Colour science for the palette tests: sRGB (8 bit) to CIELAB (D65), CIE76 ΔE, and the
// Machado, Oliveira & Fernandes (2009) colour-vision-deficiency simulation at severity 1.0,
// applied to linearised sRGB and clamped to [0, 1].
//
// Threads: any (pure functions).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace headroom::test {

using Mat3 = std::array<std::array<double, 3>, 3>;
struct Lab {
    double l, a, b;
};

enum class Vision { Normal, Protanopia, Deuteranopia, Tritanopia };
inline constexpr std::array<Vision, 4> kVisions{Vision::Normal, Vision::Protanopia, Vision::Deuteranopia,
                                                Vision::Tritanopia};
inline const char* vision_name(Vision v) {
    switch (v) {
        case Vision::Normal: return "normal";
        case Vision::Protanopia: return "protanopia";
        case Vision::Deuteranopia: return "deuteranopia";
        case Vision::Tritanopia: return "tritanopia";
    }
    return "?";
}

// Machado 2009, Table: severity 1.0 (on linear RGB).
inline Mat3 machado(Vision v) {
    switch (v) {
        case Vision::Protanopia:
            return {{{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}}};
        case Vision::Deuteranopia:
            return {{{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}}};
        case Vision::Tritanopia:
            return {{{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}}};
        case Vision::Normal: break;
    }
    return {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
}

inline double srgb_to_linear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }
inline double linear_to_srgb(double c) {
    c = std::clamp(c, 0.0, 1.0);
    return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
}

// Linear RGB (0..1) as seen under `v`, clamped.
inline std::array<double, 3> simulate_linear(std::array<double, 3> lin, Vision v) {
    const Mat3 m = machado(v);
    std::array<double, 3> out{};
    for (int i = 0; i < 3; ++i)
        out[i] = std::clamp(m[i][0] * lin[0] + m[i][1] * lin[1] + m[i][2] * lin[2], 0.0, 1.0);
    return out;
}

inline Lab linear_to_lab(std::array<double, 3> c) {
    const double x = 0.4124564 * c[0] + 0.3575761 * c[1] + 0.1804375 * c[2];
    const double y = 0.2126729 * c[0] + 0.7151522 * c[1] + 0.0721750 * c[2];
    const double z = 0.0193339 * c[0] + 0.1191920 * c[1] + 0.9503041 * c[2];
    auto f = [](double t) { return t > 216.0 / 24389.0 ? std::cbrt(t) : (24389.0 / 27.0 * t + 16.0) / 116.0; };
    const double fx = f(x / 0.95047), fy = f(y / 1.0), fz = f(z / 1.08883);  // D65 white
    return {116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)};
}

// An 8-bit sRGB colour as CIELAB, as seen under `v`.
inline Lab seen_lab(std::uint8_t r, std::uint8_t g, std::uint8_t b, Vision v) {
    const std::array<double, 3> lin{srgb_to_linear(r / 255.0), srgb_to_linear(g / 255.0), srgb_to_linear(b / 255.0)};
    return linear_to_lab(simulate_linear(lin, v));
}

inline double delta_e76(const Lab& p, const Lab& q) {
    return std::sqrt((p.l - q.l) * (p.l - q.l) + (p.a - q.a) * (p.a - q.a) + (p.b - q.b) * (p.b - q.b));
}

} // namespace headroom::test
