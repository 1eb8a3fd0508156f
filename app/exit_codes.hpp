#pragma once
// DESIGN.md §4 exit codes.
namespace headroom::exit_code {
inline constexpr int ok = 0;
inline constexpr int internal = 1;
inline constexpr int usage = 2;
inline constexpr int input = 3;
inline constexpr int output = 4;
} // namespace headroom::exit_code
