#pragma once
// --screenshot FILE.png: the framebuffer as a PNG (stb_image_write, Debian's libstb) and, next
// to it, FILE.png.json: where each strip's bar and clip indicator are, in the PNG's pixels,
// with the zone each bar shows, so tests can check colours at known places; the clip
// overview's entries ("what is on screen" about clips), the clip log's rectangle and the UI
// scale.
//
// Threads: the main thread (after a frame was rendered).
#include <cstdint>
#include <filesystem>
#include <vector>

#include "ui/bridge.hpp"

namespace headroom {

// Throws OutputError naming the file when it cannot be written.
void write_png(const std::filesystem::path& path, const std::vector<std::uint8_t>& rgba, int width, int height);
// `pixel_scale`: framebuffer pixels per ImGui logical pixel; `ui_scale`: the fonts' scale.
void write_geometry_sidecar(const std::filesystem::path& path, ui::Bridge& bridge, int width, int height,
                            float pixel_scale, float ui_scale);

} // namespace headroom
