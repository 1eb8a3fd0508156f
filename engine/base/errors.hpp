#pragma once
// Typed errors raised inside the engine and app; app/main.cpp maps them to exit codes
// (DESIGN.md §4): UsageError 2, InputError 3, OutputError 4. The message is one line that
// says what and where; main prefixes "headroom: ".
#include <stdexcept>
#include <string>

namespace headroom {

struct UsageError : std::runtime_error { using std::runtime_error::runtime_error; };
struct InputError : std::runtime_error { using std::runtime_error::runtime_error; };
struct OutputError : std::runtime_error { using std::runtime_error::runtime_error; };

} // namespace headroom
