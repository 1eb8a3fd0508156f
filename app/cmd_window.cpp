// headroom (no subcommand): the meter bridge window — placeholder until its issue lands.
#include "app/command.hpp"
#include "engine/errors.hpp"

namespace headroom {

Command add_window_command(CLI::App& root) {
    Command c;
    c.cli = &root;
    c.run = []() -> int { throw UsageError("the window is not implemented yet"); };
    return c;
}

} // namespace headroom
