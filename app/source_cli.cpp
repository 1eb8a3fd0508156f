#include "app/source_cli.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

#include <spdlog/spdlog.h>

#include "engine/capture/audio_system.hpp"
#include "engine/base/errors.hpp"

namespace headroom {
namespace {

// A whole number (or, when !integer, any number) within [lo, hi]; `option` names it.
double parse_in_range(const std::string& text, const char* option, double lo, double hi, bool integer,
                      const char* unit) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text.c_str(), &end);
    const std::string range = std::to_string(static_cast<long>(lo)) + ".." + std::to_string(static_cast<long>(hi)) + unit;
    if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string::npos || errno != 0 || end != text.c_str() + text.size() || !std::isfinite(v) ||
        (integer && std::floor(v) != v))
        throw UsageError(std::string(option) + ": '" + text + "' is not " + (integer ? "a whole number" : "a number") +
                         " (valid: " + range + ")");
    if (v < lo || v > hi) throw UsageError(std::string(option) + ": " + text + " is outside " + range);
    return v;
}

} // namespace

bool SourceCli::source_named() const {
    return !device.empty() || !host_api.empty() || !input_file.empty() || demo;
}

SourceSpec SourceCli::spec() const {
    SourceSpec s;
    const bool device_named = !device.empty() || !host_api.empty();
    if (demo && !input_file.empty()) throw UsageError("--demo and --input-file: choose one source");
    if ((demo || !input_file.empty()) && device_named)
        throw UsageError(std::string(!device.empty() ? "--device" : "--host-api") + " cannot be combined with " +
                         (demo ? "--demo" : "--input-file"));
    if (loop && input_file.empty()) throw UsageError("--loop needs --input-file FILE");
    if (!demo_channels.empty() && !demo) throw UsageError("--demo-channels needs --demo");
    if (!rate.empty()) s.rate = parse_in_range(rate, "--rate", 44100, 192000, false, " Hz");
    if (!buffer.empty())
        s.buffer_frames = static_cast<int>(parse_in_range(buffer, "--buffer", 16, static_cast<double>(kMaxBlock), true, " frames"));
    if (!demo_channels.empty())
        s.demo_channels = static_cast<int>(parse_in_range(demo_channels, "--demo-channels", 1, kMaxChannels, true, ""));
    s.device = device;
    s.host_api = host_api;
    if (demo) {
        s.kind = SourceSpec::Kind::Demo;
    } else if (!input_file.empty()) {
        s.kind = SourceSpec::Kind::File;
        s.file = input_file;
        s.loop = loop;
    } else {
        s.kind = SourceSpec::Kind::Device;
    }
    return s;
}

SourceChoice choose_source(const SourceCli& cli, bool (*has_input)()) {
    SourceChoice c;
    c.spec = cli.spec();
    if (cli.source_named()) return c;
    bool found = false;
    if (has_input) {
        found = has_input();
    } else {
        try {
            found = any_input_source();
        } catch (const InputError& e) {
            spdlog::debug("{}", e.what());
        }
    }
    if (!found) {
        c.spec.kind = SourceSpec::Kind::Demo;
        c.notice = "no audio input device found: showing the demo studio (simulated; use --device or "
                   "--host-api to choose an interface, `headroom devices` to list them)";
    }
    return c;
}

} // namespace headroom
