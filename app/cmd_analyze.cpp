// headroom analyze — placeholder until its issue lands.
#include "app/command.hpp"
#include "engine/errors.hpp"

namespace headroom {

Command add_analyze_command(CLI::App& root) {
    Command c;
    c.cli = root.add_subcommand("analyze", "not implemented yet");
    c.run = [] () -> int { throw UsageError("'analyze' is not implemented yet"); };
    return c;
}

} // namespace headroom
