#pragma once
// Each subcommand lives in its own app/cmd_*.cpp and registers itself here.
#include <functional>

#include <CLI/CLI.hpp>

namespace headroom {

struct Command {
    CLI::App* cli = nullptr;          // the subcommand (or the root app for the window)
    std::function<int()> run;         // returns the exit code; may throw the errors.hpp types
};

Command add_analyze_command(CLI::App& root);
Command add_devices_command(CLI::App& root);
Command add_record_command(CLI::App& root);
Command add_log_command(CLI::App& root);
Command add_window_command(CLI::App& root);   // the root command: the meter bridge window

} // namespace headroom
