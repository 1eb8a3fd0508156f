#pragma once
// DESIGN.md §6 results as the terminal prints them (analyze, record, log): one line per bus
// and a table of the channels' bands, from the same records the JSON is written from (values
// rounded to 2 decimals, so the terminal and every export show the same figures).
//
// Threads: normal thread only.
#include <string>
#include <vector>

#include "engine/session/session_format.hpp"
#include "engine/settings/presets.hpp"

namespace headroom {

// "bus mix (ch 1,2, mix_bus): headroom 4.30 dB, ready for mastering (3-6 dB); TP -4.30 dBTP;
// integrated -14.20 LUFS; ..." The verdict compares headroom with the master_in preset's
// window of `table` (peaks -6..-3 dBFS: 3-6 dB of headroom).
std::string bus_line(const BusSummaryRecord& b, const PresetTable& table);

// One row per channel that has bands: each band's peak and RMS, and the low-end share; every
// line starts with `indent`.
void print_bands_table(const std::vector<ChannelSummaryRecord>& records, const char* indent);

} // namespace headroom
