#pragma once
// Each subcommand lives in its own app/cmd_*.cpp and registers itself here, with the common
// options (app/common_cli.hpp) on its subcommand; its closure reads them from
// CommonCli::options, which main() fills (CommonCli::resolve) before run().
#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/common_cli.hpp"

namespace headroom {

struct Command {
    CLI::App* cli = nullptr;          // the subcommand (or the root app for the window)
    CommandBit bit = kWindowCommand;  // which command it is (for the common options)
    std::function<int()> run;         // returns the exit code; may throw the errors.hpp types
    // The window's own options (--screenshot, --size, ...): they stand on the root, so a
    // subcommand's parse accepts them too; main() refuses them when a subcommand runs.
    std::vector<CLI::Option*> window_only;
};

Command add_analyze_command(CLI::App& root, CommonCli& common);
Command add_devices_command(CLI::App& root, CommonCli& common);
Command add_record_command(CLI::App& root, CommonCli& common);
Command add_log_command(CLI::App& root, CommonCli& common);
Command add_window_command(CLI::App& root, CommonCli& common);   // the root command: the meter bridge window

} // namespace headroom
