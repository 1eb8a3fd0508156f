#include "app/window_screenshot.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <stb_image_write.h>

#include <nlohmann/json.hpp>

#include "engine/settings/config.hpp"
#include "engine/base/errors.hpp"
#include "ui/meter_strip.hpp"

namespace headroom {

namespace {

[[noreturn]] void write_failed(const std::filesystem::path& path, int error) {
    throw OutputError(path.string() + ": cannot write the screenshot: " + std::strerror(error));
}

// Writes `bytes` to `path` (created or truncated), checking open, every write and the close.
void write_file_checked(const std::filesystem::path& path, const std::string& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) write_failed(path, errno);
    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0;
    const int error = errno;
    if (std::fclose(f) != 0 || !written) write_failed(path, written ? errno : error);
}

} // namespace

void write_png(const std::filesystem::path& path, const std::vector<std::uint8_t>& rgba, int width, int height) {
    // Opaque: the alpha of a GL back buffer is not meant for viewers.
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    for (std::size_t i = 0, j = 0; i < rgba.size(); i += 4, j += 3) {
        rgb[j] = rgba[i];
        rgb[j + 1] = rgba[i + 1];
        rgb[j + 2] = rgba[i + 2];
    }
    // Encoded in memory, then written with every step checked: stb's own file writer ignores
    // fwrite's and fclose's errors (a full disk, /dev/full, read as success).
    std::string png;
    auto append = [](void* context, void* data, int size) {
        static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
    };
    if (!stbi_write_png_to_func(append, &png, width, height, 3, rgb.data(), width * 3) || png.empty())
        throw OutputError(path.string() + ": cannot encode the screenshot");
    write_file_checked(path, png);
}

void write_geometry_sidecar(const std::filesystem::path& path, ui::Bridge& bridge, int width, int height,
                            float pixel_scale, float ui_scale) {
    auto rect = [&](const ui::Rect& r) {
        return nlohmann::json::array({static_cast<int>(r.x0 * pixel_scale), static_cast<int>(r.y0 * pixel_scale),
                                      static_cast<int>(r.x1 * pixel_scale), static_cast<int>(r.y1 * pixel_scale)});
    };
    nlohmann::json chans = nlohmann::json::array();
    for (const auto& g : bridge.geometry()) {
        const auto& c = bridge.channels()[g.channel - 1];
        chans.push_back({{"channel", g.channel},
                         {"name", c.name},
                         {"preset", c.preset_id},
                         {"strip", rect(g.strip)},
                         {"bar", rect(g.bar)},
                         {"clip", rect(g.clip)},
                         {"target_y", {static_cast<int>(g.y_target_hi * pixel_scale), static_cast<int>(g.y_target_lo * pixel_scale)}},
                         {"zone", zone_name(g.zone)},
                         {"clip_latched", g.clip_latched},
                         {"peak_max_dbfs", g.peak.text}});  // as drawn: the strip's zone-true text
        if (g.bands.w() > 0)
            chans.back()["bands"] = {{"rect", rect(g.bands)},
                                     {"low_peak", g.bands_drawn.peak[0].text},
                                     {"mid_peak", g.bands_drawn.peak[1].text},
                                     {"high_peak", g.bands_drawn.peak[2].text},
                                     {"low_share_db", g.bands_drawn.low_share}};
    }
    nlohmann::json buses = nlohmann::json::array();
    for (const auto& g : bridge.bus_geometry()) {
        const auto& b = bridge.buses()[static_cast<std::size_t>(g.bus - 1)].spec;
        nlohmann::json chs = nlohmann::json::array();
        for (int c : b.channels) chs.push_back(c + 1);
        const ui::BusStripDrawn& d = g.drawn;
        nlohmann::json bus = {{"bus", g.bus},           {"name", b.name},
                              {"channels", chs},        {"preset", b.preset},
                              {"strip", rect(g.strip)}, {"peak_bar", rect(d.peak_bar)},
                              {"momentary_bar", rect(d.momentary_bar)}, {"short_term_bar", rect(d.short_term_bar)},
                              {"reset_button", rect(d.reset_button)},   {"peak_max_dbfs", d.peak.text},
                              {"headroom_db", d.headroom.text},         {"integrated_lufs", d.integrated},
                              {"loudness_range_lu", d.lra},             {"plr_lu", d.plr},
                              {"momentary_max_lufs", d.momentary_max},  {"short_term_max_lufs", d.short_term_max},
                              {"stopwatch", d.stopwatch}};
        if (bridge.display().bands) bus["bands"] = {{"low_peak", d.bands.peak[0].text}, {"mid_peak", d.bands.peak[1].text},
                                                    {"high_peak", d.bands.peak[2].text}, {"low_share_db", d.bands.low_share}};
        buses.push_back(bus);
    }
    nlohmann::json overview = nlohmann::json::array();
    for (const auto& e : bridge.overview())
        overview.push_back({{"channel", e.channel}, {"name", bridge.channels()[e.channel - 1].name}, {"rect", rect(e.rect)}});
    const auto& l = bridge.layout();
    nlohmann::json doc = {{"width", width},           {"height", height},   {"pixel_scale", pixel_scale},
                          {"ui_scale", ui_scale},     {"per_row", l.per_row},
                          {"rows", l.rows},           {"compact", l.compact},
                          {"scrolls", l.scrolls},     {"channels", chans},
                          {"bands", bridge.display().bands}, {"buses", buses},
                          {"clip_overview", overview}, {"clip_overview_more", bridge.overview_more()}};
    if (const ui::Rect& r = bridge.log_view().drawn(); r.w() > 0)
        doc["log"] = {{"rect", rect(r)},
                      {"docked", bridge.log_view().docked},
                      {"export_buttons", rect(bridge.log_view().export_buttons())},
                      {"summary_header", rect(bridge.log_view().summary_header())}};
    write_text_atomically(path, doc.dump(1) + "\n");
}

} // namespace headroom

