#pragma once
// Offline analysis of one sound file through the engine (DESIGN.md §1 "analyze"): the file is
// read in blocks by SoundFile, metered by a MeterBank exactly as a live stream would be, and
// the bank's events are drained into a SessionSummary after every process() call.
//
// Block size. `block` (1..8192 frames, `--block`) is the size of every read and of every
// process() call, except when one call could emit more events than the event queue holds:
// then process() gets shorter slices of the block (see kAnalyzeQueueCap). The MeterBank's
// results do not depend on how the stream is cut, so neither do these.
//
// No event is lost: the queue is sized for the worst case of one process() call (every
// clip/hot/non-finite event covers at least one sample, so a call of F frames on C channels
// closes at most about C * (F + 64) events, envelope ticks included), and it is drained after
// every call. A drop is a bug and raises std::logic_error.
//
// Threads: normal thread; allocates, reads the file. Never touches the audio system.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/meter/meter_options.hpp"
#include "engine/settings/presets.hpp"
#include "engine/session/session_summary.hpp"
#include "engine/soundfile/sound_file.hpp"

namespace headroom {

inline constexpr std::size_t kAnalyzeDefaultBlock = 4096;
// Largest event queue analyze allocates (events); beyond this process() calls are sliced.
inline constexpr std::size_t kAnalyzeQueueCap = std::size_t{1} << 17;

// Meter settings for a file, chosen once its rate and channel count are known.
struct AnalyzeSetup {
    MeterOptions options;          // max_block is set by analyze_file
    std::vector<Preset> presets;   // one per channel
    std::vector<Preset> bus_presets;  // one per options.buses entry (DESIGN.md §6)
    // Hot events (above the preset ceiling) are not part of analyze's report (DESIGN.md §4),
    // so they are not tracked: on loud material that saves the MeterBank's hot-run path
    // (docs/performance.md).
    // false: options.hot_ceiling_dbfs is cleared.
    bool hot_events = false;
};
// normal thread. May throw UsageError (e.g. --preset beyond the file's channels).
using AnalyzeConfigure = std::function<AnalyzeSetup(const SoundFileInfo&)>;

struct FileAnalysis {
    std::filesystem::path path;    // as given
    SoundFileInfo info;
    std::uint64_t frames = 0;      // frames actually read and metered
    bool truncated = false;        // the file ended before its header said
    const char* kernel = "";       // MeterBank kernel used
    SessionSummary summary;
};

// normal thread. Analyses `path`. Throws InputError "<path>: <why>" when the file cannot be
// read, when its rate or channel count is outside what the engine meters, or when it is
// truncated with no audio left; UsageError from `configure`; std::invalid_argument for a
// block outside 1..kMaxBlock (validate at the boundary first).
FileAnalysis analyze_file(const std::filesystem::path& path, std::size_t block,
                          const AnalyzeConfigure& configure);

// normal thread. The DESIGN.md §4 object of one file: file, sample_rate, frames, duration_s,
// channels (with their bands, §6), clips, buses (§6).
nlohmann::ordered_json analysis_json(const FileAnalysis& a, bool rms_aes17);

} // namespace headroom
