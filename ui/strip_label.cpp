#include "ui/strip_label.hpp"

namespace headroom::ui {
namespace {

// Start of the UTF-8 character before byte `i` (i > 0).
std::size_t previous_char(std::string_view s, std::size_t i) {
    do --i;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0u) == 0x80u);
    return i;
}

} // namespace

std::string fit_label(int channel, std::string_view name, float max_w, const MeasureText& measure,
                      std::string_view ellipsis) {
    const std::string number = std::to_string(channel);
    if (name.empty()) name = number;
    if (measure(name) <= max_w) return std::string(name);
    // Trailing spaces before the ellipsis would read as a different cut.
    std::string label = number + " ";
    const std::size_t prefix = label.size();
    std::size_t keep = name.size();
    while (keep > 0) {
        keep = previous_char(name, keep);
        std::size_t end = keep;
        while (end > 0 && name[end - 1] == ' ') --end;
        if (end == 0) break;
        label.resize(prefix);
        label.append(name.substr(0, end));
        label.append(ellipsis);
        if (measure(label) <= max_w) return label;
    }
    return number;
}

} // namespace headroom::ui
