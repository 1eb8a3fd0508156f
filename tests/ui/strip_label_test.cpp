#include "ui/strip_label.hpp"

#include <doctest/doctest.h>

using namespace headroom::ui;

namespace {
// 10 px per byte: a simple monospace stand-in for the font.
float mono(std::string_view s) { return 10.0f * static_cast<float>(s.size()); }
} // namespace

TEST_CASE("strip_label") {
    SUBCASE("a name that fits is shown whole") {
        CHECK(fit_label(3, "Kick", 100.0f, mono) == "Kick");
    }
    SUBCASE("a cut name carries its channel number, so \"Bass DI 2\" never reads as \"Bass DI\"") {
        const std::string a = fit_label(2, "Bass DI", 80.0f, mono, "...");
        const std::string b = fit_label(12, "Bass DI 2", 80.0f, mono, "...");
        CHECK(a == "Bass DI");
        CHECK(b == "12 Ba...");
        CHECK(b != a);
        CHECK(mono(b) <= 80.0f);
    }
    SUBCASE("no trailing space before the ellipsis") {
        CHECK(fit_label(7, "Bass DI 222", 100.0f, mono, "...") == "7 Bass...");
    }
    SUBCASE("never cut inside a UTF-8 character") {
        // Eight 2-byte letters; a lead byte without its continuation would draw nothing (width 0),
        // so a byte-wise cut would "fit" sooner and leave an invalid sequence.
        auto letters = [](std::string_view s) {
            float w = 0;
            for (std::size_t i = 0; i < s.size(); ++i) {
                const auto c = static_cast<unsigned char>(s[i]);
                if ((c & 0xC0u) == 0x80u) continue;
                const bool lead = c >= 0xC0u;
                if (lead && (i + 1 >= s.size() || (static_cast<unsigned char>(s[i + 1]) & 0xC0u) != 0x80u)) continue;
                w += 10.0f;
            }
            return w;
        };
        const std::string name = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";
        CHECK(fit_label(1, name, 65.0f, letters, "...") == "1 \xC3\xA9...");
        for (float w = 0; w < 120.0f; w += 5.0f) {
            const std::string l = fit_label(1, name, w, letters, "...");
            for (std::size_t i = 0; i < l.size(); ++i)
                if (static_cast<unsigned char>(l[i]) == 0xC3u) CHECK(i + 1 < l.size());
            CHECK(l.find("\xC3.") == std::string::npos);
        }
    }
    SUBCASE("too narrow even for a cut name: the number alone") {
        CHECK(fit_label(250, "Overhead left", 35.0f, mono, "...") == "250");
    }
    SUBCASE("an empty name is the number") {
        CHECK(fit_label(9, "", 100.0f, mono) == "9");
    }
}
