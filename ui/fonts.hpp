#pragma once
// Fonts of the bridge: a clear sans-serif from a Debian fonts package, found at run time
// (fonts-dejavu-core), in three sizes; ImGui's built-in font when none is installed.
//
// Threads: UI thread (needs the ImGui context; builds the font atlas).
#include <string>

struct ImFont;

namespace headroom::ui {

struct Fonts {
    ImFont* normal = nullptr;   // labels, tables
    ImFont* big = nullptr;      // the peak readouts (bold)
    ImFont* small = nullptr;    // compact strips, scale labels
    std::string source;         // the file used, or "ImGui default"
};

// Replaces the fonts of the current ImGui context's atlas with these at `scale` (the UI
// scale; the caller rebuilds the GL texture, between frames). Returns
// ImGui's default font in every slot when no TrueType font is found.
Fonts load_fonts(float scale);

// The first existing file of the search list, or "" (any thread). $HEADROOM_FONT overrides.
std::string find_font(bool bold);

} // namespace headroom::ui
