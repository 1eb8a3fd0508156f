#pragma once
// A whole file as a string and back, byte for byte, for tests that check what was written.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace headroom::test {

// The file's bytes; empty when it cannot be read.
inline std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Replaces the file's contents with `text`.
inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

} // namespace headroom::test
