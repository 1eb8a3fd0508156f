#pragma once
// LogCapture: while alive, spdlog's default logger writes into a string at debug level, each
// line "<level> <message>" (e.g. "debug ALSA lib ..."); the previous logger comes back at the
// end of the scope. Test thread only.
#include <cstddef>
#include <memory>
#include <sstream>
#include <string>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace headroom::test {

struct LogCapture {
    std::ostringstream out;
    std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();

    LogCapture() {
        auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
        logger->set_level(spdlog::level::debug);
        logger->set_pattern("%l %v");
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    // How many times `needle` occurs in what was logged so far.
    std::size_t count(const std::string& needle) const {
        const std::string s = out.str();
        std::size_t n = 0;
        for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
        return n;
    }
};

} // namespace headroom::test
