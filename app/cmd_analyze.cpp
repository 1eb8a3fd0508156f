// headroom analyze FILE... [--json] [--block N] [meter options]: offline analysis of sound
// files through the engine (engine/analyze.hpp). Every readable file is reported; each
// unreadable one gets one stderr line; exit 3 if any was unreadable, 2 if a file could not
// take the options (e.g. --preset beyond its channels), 4 if the report cannot be written.
// Never touches the audio system.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/command.hpp"
#include "app/exit_codes.hpp"
#include "app/meter_cli.hpp"
#include "app/programme_report.hpp"
#include "app/settings_cli.hpp"
#include "engine/analyze/analyze.hpp"
#include "engine/base/decibels.hpp"
#include "engine/base/errors.hpp"

namespace headroom {
namespace {

struct AnalyzeArgs {
    std::vector<std::string> files;
    bool json = false;
};

std::size_t parse_block(const std::string& text) {
    if (text.empty()) return kAnalyzeDefaultBlock;
    const std::string range = " (valid: 1..8192 frames)";
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end != text.c_str() + text.size() || text.find_first_of(" \t") != std::string::npos)
        throw UsageError("--block: '" + text + "' is not a whole number" + range);
    if (v < 1 || v > static_cast<long long>(kMaxBlock))
        throw UsageError("--block: " + text + " is outside 1..8192 frames");
    return static_cast<std::size_t>(v);
}

std::string db_text(double db) {
    if (std::isinf(db) && db < 0.0) return "-inf";  // silence
    char b[32];
    std::snprintf(b, sizeof b, "%+.2f", db);
    return b;
}

// true_peak false (--true-peak off): the TP cells read "off", never the sample peak.
void print_table(const FileAnalysis& a, const PresetTable& table, bool aes17) {
    const SessionSummary& s = a.summary;
    const bool true_peak = s.true_peak_measured();
    std::printf("%s: %d ch, %.0f Hz, %llu frames (%.3f s), %s%s\n", a.path.string().c_str(),
                a.info.channels, a.info.sample_rate, static_cast<unsigned long long>(a.frames),
                static_cast<double>(a.frames) / a.info.sample_rate, a.info.format.c_str(),
                a.truncated ? " [truncated]" : "");
    std::printf("  %3s  %-12s %9s %9s %9s %9s %6s %8s %10s %9s\n", "ch", "preset", "peak dBFS",
                "TP dBTP", aes17 ? "RMS AES17" : "RMS dBFS", "RMS max", "clips", "clipped",
                "non-finite", "gain adv");
    for (int c = 0; c < s.channels(); ++c) {
        const ChannelSummary& ch = s.channel(c);
        const double rms = ch.frames > 0 ? std::sqrt(ch.sum_squares / static_cast<double>(ch.frames)) : 0.0;
        const auto adv = s.gain_advice_db(c);
        char advice[32] = "-";
        if (adv) std::snprintf(advice, sizeof advice, "%+.1f dB", *adv);
        std::printf("  %3d  %-12s %9s %9s %9s %9s %6llu %8llu %10llu %9s\n", c + 1, ch.preset.id.c_str(),
                    db_text(amplitude_to_db(ch.sample_peak)).c_str(),
                    true_peak ? db_text(amplitude_to_db(ch.true_peak)).c_str() : "off",
                    db_text(rms_to_db(rms, aes17)).c_str(), db_text(rms_to_db(ch.rms_window_max, aes17)).c_str(),
                    static_cast<unsigned long long>(ch.clip_events),
                    static_cast<unsigned long long>(ch.clipped_samples),
                    static_cast<unsigned long long>(ch.nonfinite_samples), advice);
    }
    if (s.clips().empty()) {
        std::printf("  no clips\n");
    } else {
        std::printf("  clips:\n");
        for (const MeterEvent& e : s.clips()) {
            const double t0 = static_cast<double>(e.start_sample) / a.info.sample_rate;
            const double t1 = static_cast<double>(e.end_sample + 1) / a.info.sample_rate;
            std::printf("    ch %-3d %12.6f s .. %.6f s  sample %llu  %llu clipped in %u run%s  peak %s dBFS  TP %s%s\n",
                        e.channel + 1, t0, t1, static_cast<unsigned long long>(e.start_sample),
                        static_cast<unsigned long long>(e.count), e.runs, e.runs == 1 ? "" : "s",
                        db_text(amplitude_to_db(e.sample_peak)).c_str(),
                        true_peak ? db_text(amplitude_to_db(e.true_peak)).c_str() : "off", true_peak ? " dBTP" : "");
        }
    }
    if (s.bands_measured()) print_bands_table(s.channel_records(aes17), "  ");
    for (const auto& b : s.bus_records(aes17)) std::printf("  %s\n", bus_line(b, table).c_str());
    if (!true_peak) std::printf("  true peak off (--true-peak off): not measured; the sample peak is the only peak figure\n");
    std::printf("\n");
}

int run_analyze(const AnalyzeArgs& args, const CommonOptions& common) {
    // config.json's meter options and user presets, as the window and record use them.
    const CommandSettings settings = read_settings(common.config, common.meter);
    const PresetTable& table = settings.table;
    const MeterCli& meter = settings.meter_cli;
    const std::size_t block = parse_block(common.block);
    const bool aes17 = meter.rms == "aes17";

    const AnalyzeConfigure configure = [&](const SoundFileInfo& info) {
        // DESIGN.md §6: a 1- or 2-channel file is the bus "programme" unless --bus is given;
        // bands are always metered.
        std::vector<BusSpec> programme;
        if (info.channels <= 2) {
            BusSpec b{"programme", {}, "mix_bus"};
            for (int c = 0; c < info.channels; ++c) b.channels.push_back(c);
            programme.push_back(std::move(b));
        }
        MeterSetup m = meter.resolve(info.sample_rate, info.channels, kMaxBlock, table, {}, programme);
        m.options.bands = true;
        return AnalyzeSetup{std::move(m.options), std::move(m.presets), std::move(m.bus_presets)};
    };

    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    bool unreadable = false, misused = false;
    for (const auto& f : args.files) {
        try {
            FileAnalysis a = analyze_file(f, block, configure);
            spdlog::debug("meters: {} kernel ({})", a.kernel, f);
            if (a.truncated)
                std::fprintf(stderr, "headroom: %s: truncated: analysed the %llu frames present\n", f.c_str(),
                             static_cast<unsigned long long>(a.frames));
            if (args.json) {
                out.push_back(analysis_json(a, aes17));
            } else {
                print_table(a, table, aes17);
            }
        } catch (const InputError& e) {
            std::fprintf(stderr, "headroom: %s\n", e.what());
            unreadable = true;
        } catch (const UsageError& e) {
            std::fprintf(stderr, "headroom: %s: %s\n", f.c_str(), e.what());
            misused = true;
        }
        std::fflush(stdout);
    }
    if (args.json)
        std::printf("%s\n", out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        throw OutputError(std::string("standard output: cannot write the report: ") + std::strerror(errno));
    if (misused) return exit_code::usage;
    return unreadable ? exit_code::input : exit_code::ok;
}

} // namespace

Command add_analyze_command(CLI::App& root, CommonCli& common) {
    Command c;
    auto args = std::make_shared<AnalyzeArgs>();
    c.cli = root.add_subcommand("analyze", "Offline analysis of sound files through the meter engine");
    c.bit = kAnalyzeCommand;
    c.cli->add_option("FILE", args->files,
                      "Sound files (any format libsndfile reads); a name starting with '-': after -- or as ./-name")
        ->required();
    c.cli->add_flag("--json", args->json, "Print DESIGN.md JSON: an array, one object per readable file");
    common.add_to(*c.cli, kAnalyzeCommand);
    c.run = [args, options = common.options]() -> int { return run_analyze(*args, *options); };
    return c;
}

} // namespace headroom
