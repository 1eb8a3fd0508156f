#pragma once
// The bridge's colours, chosen to read from across the room on a dark background: the zones
// of DESIGN.md §3 (below the window cool blue, on target green, hot yellow-amber, danger
// orange, full scale raspberry red) and the few other colours the strips use.
// The five zone colours stay at least ΔE 15 apart (CIE76) for normal vision and under
// protanopia, deuteranopia and tritanopia (Machado 2009, severity 1): they differ in lightness
// as well as hue (tests/ui/colours_test.cpp). Each stays readable as text on the background
// (contrast >= 3.5:1) for every one of those viewers.
//
// Threads: any thread (constants and pure functions).
#include <cstdint>

#include <imgui.h>

#include "engine/settings/presets.hpp"

namespace headroom::ui {

struct Rgb {
    std::uint8_t r, g, b;
};

Rgb zone_rgb(Zone z);
// ImGui's packed colour (IM_COL32 layout: A in the high byte, then B, G, R) with alpha a.
std::uint32_t pack(Rgb c, std::uint8_t a = 255);
std::uint32_t zone_colour(Zone z, std::uint8_t alpha = 255);
// ImGui's float colour (style colours, TextColored): each channel / 255, alpha 1.
ImVec4 to_vec4(Rgb c);

// Fixed colours.
inline constexpr Rgb kBackground{18, 20, 24};
inline constexpr Rgb kBarBackground{34, 37, 44};
inline constexpr Rgb kTargetBand{40, 90, 52};      // the preset window behind the bar
inline constexpr Rgb kTargetEdge{90, 220, 110};    // the window's bracket beside the bar
inline constexpr Rgb kHoldLine{240, 240, 240};
inline constexpr Rgb kClipOff{52, 26, 32};
inline constexpr Rgb kClipOffText{120, 84, 92};    // the channel number in an unlit clip box
inline constexpr Rgb kClipOn{248, 60, 104};        // = the clip zone
inline constexpr Rgb kClipText{255, 255, 255};
inline constexpr Rgb kClipOutline{255, 255, 255};  // a lit clip box is outlined: not only hue
inline constexpr Rgb kClipHatch{0, 0, 0};          // hatching over danger / clip, with alpha
inline constexpr Rgb kTick{60, 64, 74};
inline constexpr Rgb kTickZero{120, 120, 130};
inline constexpr Rgb kHighlight{250, 210, 60};
inline constexpr Rgb kText{225, 228, 232};
inline constexpr Rgb kTextDim{140, 146, 156};
// Loudness (bus strips): the M and S bars (no zones: loudness has no preset window) and the
// two reference marks, labelled with their values so colour is not the cue.
inline constexpr Rgb kLoudnessMomentary{88, 122, 178};
inline constexpr Rgb kLoudnessShortTerm{64, 90, 138};
inline constexpr Rgb kLufsMarkBroadcast{235, 235, 235};   // -23 LUFS (EBU R 128)
inline constexpr Rgb kLufsMarkStreaming{250, 210, 60};    // -14 LUFS (streaming)
inline constexpr Rgb kButton{52, 58, 72};
inline constexpr Rgb kSelected{110, 200, 255};            // strips chosen for a new bus
inline constexpr Rgb kBannerDemo{150, 95, 0};
inline constexpr Rgb kBannerLost{170, 20, 25};

// RMS is drawn inside the peak bar in a darker shade of the same zone colour.
Rgb rms_shade(Rgb c);

} // namespace headroom::ui
