#pragma once
// The common options (DESIGN.md §4) stand before or after the subcommand and mean the same in
// both places: `headroom --verbose record --config F` = `headroom record --verbose --config F`.
// CommonCli registers the whole set on the root and on every subcommand (each position has
// its own storage); after parsing, resolve() merges the root's values with the chosen
// command's into one CommonOptions and refuses, with a UsageError naming the option:
//   - an option the command does not take (saying which commands take it),
//   - a single-valued option given more than once (in either position),
//   - an empty value (`--block ""`).
// --preset (repeatable) collects every value, those before the subcommand first; a flag
// given anywhere is set.
//
// Threads: normal thread only (parsing and set-up).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/meter_cli.hpp"
#include "app/source_cli.hpp"

namespace headroom {

// The commands, as a bit mask of where an option applies.
enum CommandBit : unsigned {
    kWindowCommand = 1u << 0,   // headroom (no subcommand)
    kRecordCommand = 1u << 1,
    kAnalyzeCommand = 1u << 2,
    kDevicesCommand = 1u << 3,
    kLogCommand = 1u << 4,
};

struct CommonOptions {
    SourceCli source;          // --device, --host-api, --rate, --buffer, --input-file, --loop, --demo, --demo-channels
    MeterCli meter;            // --preset, --clip-threshold, --clip-min-run, --merge-ms, --rms-window, --rms, --true-peak
    std::string session_dir;   // --session-dir DIR (empty: the default folder)
    std::string config;        // --config FILE (empty: the default config.json)
    std::string block;         // --block FRAMES (analyze)
    bool verbose = false;      // --verbose
};

class CommonCli {
public:
    // Registers every common option on `app` (the root or a subcommand). `command` is the
    // command `app` runs: options it does not take are accepted by the parser (so that the
    // message can say where they belong) but hidden from its --help.
    void add_to(CLI::App& app, CommandBit command);

    // After parsing: merges the root's values and `command`'s (`sub`: its subcommand, null
    // for the window) into options(). Throws UsageError as described above.
    const CommonOptions& resolve(CommandBit command, const CLI::App* sub);

    // The merged options (filled by resolve()); shared with the commands' closures.
    std::shared_ptr<CommonOptions> options = std::make_shared<CommonOptions>();

    // "--duration is an option of record: put it after `record` ..." for an option CLI11
    // refused as unexpected at this position; empty when `arg` is no option of any command.
    static std::string where_it_belongs(const CLI::App& root, const std::string& arg, const std::string& at);

private:
    struct Level {
        const CLI::App* app = nullptr;
        std::map<std::string, std::vector<std::string>> text;  // option name -> values as typed
        std::map<std::string, CLI::Option*> flags;             // option name -> the flag
    };
    std::vector<std::unique_ptr<Level>> levels_;
};

} // namespace headroom
