// headroom: parse the command line, run the chosen command, map errors to exit codes.
#include <cstdio>
#include <exception>
#include <string>

#include <spdlog/spdlog.h>

#include "app/command.hpp"
#include "app/exit_codes.hpp"
#include "app/logging.hpp"
#include "headroom_version.hpp"
#include "engine/base/errors.hpp"

int main(int argc, char** argv) {
    using namespace headroom;
    CLI::App app{"Headroom: a real-time multichannel meter bridge for audio interfaces", "headroom"};
    app.set_version_flag("--version", std::string(HEADROOM_VERSION));
    bool verbose = false;
    app.add_flag("--verbose", verbose, "Show library messages and debug logging on stderr")
        ->configurable(false);
    app.fallthrough(false);

    Command commands[] = {
        add_analyze_command(app), add_devices_command(app), add_record_command(app),
        add_log_command(app),
    };
    Command window = add_window_command(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        std::fprintf(stderr, "headroom: %s\n", e.what());
        return exit_code::usage;
    }

    setup_logging(verbose);
    try {
        for (auto& c : commands)
            if (c.cli->parsed()) return c.run();
        return window.run();
    } catch (const UsageError& e) {
        std::fprintf(stderr, "headroom: %s\n", e.what());
        return exit_code::usage;
    } catch (const InputError& e) {
        std::fprintf(stderr, "headroom: %s\n", e.what());
        return exit_code::input;
    } catch (const OutputError& e) {
        std::fprintf(stderr, "headroom: %s\n", e.what());
        return exit_code::output;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "headroom: internal error: %s\n", e.what());
        return exit_code::internal;
    }
}
