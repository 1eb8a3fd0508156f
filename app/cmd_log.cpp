// headroom log — placeholder until its issue lands.
#include "app/command.hpp"
#include "engine/errors.hpp"

namespace headroom {

Command add_log_command(CLI::App& root) {
    Command c;
    c.cli = root.add_subcommand("log", "not implemented yet");
    c.run = [] () -> int { throw UsageError("'log' is not implemented yet"); };
    return c;
}

} // namespace headroom
