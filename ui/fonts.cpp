#include "ui/fonts.hpp"

#include <cstdlib>
#include <filesystem>

#include <imgui.h>

namespace headroom::ui {

std::string find_font(bool bold) {
    if (const char* env = std::getenv("HEADROOM_FONT"); env && *env && !bold) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(env, ec)) return env;
    }
    static const char* const regular[] = {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    };
    static const char* const boldfaces[] = {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    };
    for (const char* p : bold ? boldfaces : regular) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(p, ec)) return p;
    }
    return {};
}

Fonts load_fonts(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();  // a new scale replaces the fonts of the last one
    Fonts f;
    const std::string regular = find_font(false);
    if (regular.empty()) {
        f.normal = f.big = f.small = io.Fonts->AddFontDefault();
        f.source = "ImGui default";
        return f;
    }
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    // Latin-1 and general punctuation (the ellipsis of cut names, dashes, the minus sign, "≥" of "lower ≥ 3.2 dB").
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x2010, 0x2030, 0x2212, 0x2212, 0x2265, 0x2265, 0};
    f.normal = io.Fonts->AddFontFromFileTTF(regular.c_str(), 16.0f * scale, &cfg, ranges);
    f.small = io.Fonts->AddFontFromFileTTF(regular.c_str(), 13.0f * scale, &cfg, ranges);
    const std::string bold = find_font(true);
    f.big = io.Fonts->AddFontFromFileTTF(bold.empty() ? regular.c_str() : bold.c_str(), 22.0f * scale, &cfg, ranges);
    if (!f.normal || !f.small || !f.big) {
        io.Fonts->Clear();
        f.normal = f.big = f.small = io.Fonts->AddFontDefault();
        f.source = "ImGui default";
        return f;
    }
    f.source = regular;
    return f;
}

} // namespace headroom::ui
