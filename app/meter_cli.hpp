#pragma once
// The meter options every metering command shares (DESIGN.md §4): --preset CH=ID (repeatable,
// CH 1-based), --clip-threshold DB, --clip-min-run N, --merge-ms MS, --rms-window MS,
// --rms aes17|plain, --true-peak on|off. app/common_cli registers them (before or after the
// subcommand); after parsing, validate() checks them and resolve() turns them into MeterOptions and one preset
// per channel for a stream whose rate and channel count are known.
//
// Threads: normal thread only (parsing and set-up).
#include <cstddef>
#include <string>
#include <vector>

#include "engine/meter/meter_options.hpp"
#include "engine/settings/presets.hpp"

namespace headroom {

struct MeterSetup {
    MeterOptions options;          // rate, channels, block and the parsed settings; valid
    std::vector<Preset> presets;   // one per channel
    std::vector<Preset> bus_presets;  // one per options.buses entry
    bool rms_aes17 = false;        // --rms aes17: RMS readings +3.01 dB (presentation only)
};

// --bus values parsed (parse_bus, channels within `channels`; 0: not checked); UsageError
// "--bus SPEC: what is wrong" for a bad one, a repeated name or more than kMaxBuses.
std::vector<BusSpec> parse_buses(const std::vector<std::string>& specs, int channels);

class MeterCli {
public:
    // Throws UsageError naming the option and its valid range (or, for --preset, the valid
    // ids). Commands call it right after parsing, before opening any source.
    void validate(const PresetTable& table) const;

    // Validates, then builds the options for a stream of `channels` at `sample_rate`,
    // processed in calls of at most `max_block` frames. `defaults` are preset ids per channel
    // (config, demo sources) used where no --preset names the channel; a missing or unknown
    // default is "general". Throws UsageError for a --preset channel beyond `channels`.
    // Throws InputError when the stream itself is out of range (rate, channel count).
    // Buses: the --bus options when any is given, else `default_buses` (config.json's, as
    // config_buses leaves them: within the stream's channels, at most kMaxBuses); a bus preset
    // unknown to `table` is mix_bus.
    // Throws UsageError for a --bus channel beyond `channels`.
    MeterSetup resolve(double sample_rate, int channels, std::size_t max_block,
                       const PresetTable& table,
                       const std::vector<std::string>& defaults = {},
                       const std::vector<BusSpec>& default_buses = {}) const;

    // The raw option values, as typed (filled by CLI11).
    std::vector<std::string> preset_specs;
    std::vector<std::string> bus_specs;     // --bus NAME=CHANNELS, in order
    bool bands = false;                     // --bands
    std::string clip_threshold, clip_min_run, merge_ms, rms_window;
    std::string rms;  // "plain", "aes17", or empty: not given (plain unless the config says otherwise)
    std::string true_peak;  // "on", "off", or empty: not given (on unless the config says otherwise)
};

} // namespace headroom
