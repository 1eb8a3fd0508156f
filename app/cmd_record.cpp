// headroom record — placeholder until its issue lands.
#include "app/command.hpp"
#include "engine/errors.hpp"

namespace headroom {

Command add_record_command(CLI::App& root) {
    Command c;
    c.cli = root.add_subcommand("record", "not implemented yet");
    c.run = [] () -> int { throw UsageError("'record' is not implemented yet"); };
    return c;
}

} // namespace headroom
