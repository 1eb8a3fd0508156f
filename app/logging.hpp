#pragma once
namespace headroom {
// normal thread, once at start-up. Without --verbose only warnings and errors reach stderr,
// and library chatter (ALSA, JACK) is silenced; with it, debug messages too.
void setup_logging(bool verbose);
bool verbose_logging();
} // namespace headroom
