#pragma once
// The source options of the capturing commands (record, the window; DESIGN.md §4):
// --device NAME|INDEX, --host-api NAME, --rate HZ, --buffer FRAMES, --input-file FILE,
// --loop, --demo, --demo-channels N. app/common_cli registers them (before or after the
// subcommand); after parsing, spec() validates them (UsageError naming the option) and
// choose_source() picks the source, falling back to the demo studio, with a notice, when
// nothing was named and the machine has no input device at all.
//
// Threads: normal thread only (parsing and set-up).
#include <string>

#include "engine/capture/capture.hpp"

namespace headroom {

class SourceCli {
public:
    // Throws UsageError naming the option: values out of range (--rate 44100..192000,
    // --buffer 16..8192, --demo-channels 1..256), two sources at once, --loop without
    // --input-file, --demo-channels without --demo.
    SourceSpec spec() const;
    // True when the command line names a source (--device, --host-api, --input-file, --demo).
    bool source_named() const;

    // The raw option values (filled by CLI11).
    std::string device, host_api, rate, buffer, input_file, demo_channels;
    bool loop = false, demo = false;
};

struct SourceChoice {
    SourceSpec spec;
    std::string notice;                  // non-empty: tell the user (stderr / the window)
};

// normal thread; may block. spec() plus the demo fallback: when no source is named, the
// audio system is initialised (and shut down again) to look for an input device; when there
// is none (or the audio system cannot start), the demo studio is used with a notice.
// `has_input` replaces the device check (tests); null: ask PortAudio.
SourceChoice choose_source(const SourceCli& cli, bool (*has_input)() = nullptr);

} // namespace headroom
