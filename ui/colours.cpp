#include "ui/colours.hpp"

namespace headroom::ui {

Rgb zone_rgb(Zone z) {
    switch (z) {
        case Zone::Silent: return kBarBackground;
        case Zone::Low: return {60, 112, 202};      // cool blue, darker: too quiet
        case Zone::Target: return {40, 222, 95};    // green: on target
        case Zone::Hot: return {255, 214, 30};      // yellow-amber, the lightest: hot
        case Zone::Danger: return {241, 121, 20};   // orange: at or above -3 dBFS
        case Zone::Clip: return kClipOn;            // raspberry red: full scale
    }
    return kBarBackground;
}

std::uint32_t pack(Rgb c, std::uint8_t a) {
    return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(c.b) << 16) |
           (static_cast<std::uint32_t>(c.g) << 8) | static_cast<std::uint32_t>(c.r);
}

std::uint32_t zone_colour(Zone z, std::uint8_t alpha) { return pack(zone_rgb(z), alpha); }

ImVec4 to_vec4(Rgb c) { return ImVec4(c.r / 255.0f, c.g / 255.0f, c.b / 255.0f, 1.0f); }

Rgb rms_shade(Rgb c) {
    return {static_cast<std::uint8_t>(c.r * 5 / 8), static_cast<std::uint8_t>(c.g * 5 / 8),
            static_cast<std::uint8_t>(c.b * 5 / 8)};
}

} // namespace headroom::ui
