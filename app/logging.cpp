#include "app/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace headroom {
namespace {
bool g_verbose = false;
}

void setup_logging(bool verbose) {
    g_verbose = verbose;
    auto logger = spdlog::stderr_color_mt("headroom");
    logger->set_pattern("headroom: %^%l%$: %v");
    logger->set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

bool verbose_logging() { return g_verbose; }

} // namespace headroom
