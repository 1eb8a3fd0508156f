// headroom devices — placeholder until its issue lands.
#include "app/command.hpp"
#include "engine/errors.hpp"

namespace headroom {

Command add_devices_command(CLI::App& root) {
    Command c;
    c.cli = root.add_subcommand("devices", "not implemented yet");
    c.run = [] () -> int { throw UsageError("'devices' is not implemented yet"); };
    return c;
}

} // namespace headroom
