// headroom devices [--json]: host APIs and devices with their input channel counts and
// default rates, the default input device marked (DESIGN.md §4). Initialises PortAudio.
#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/command.hpp"
#include "engine/capture/audio_system.hpp"
#include "engine/capture/pipewire_graph.hpp"

namespace headroom {
namespace {

int run_devices(bool json) {
    // PipeWire first: on a PipeWire desktop its sources are what the plain command captures.
    const auto pw = pipewire_running() ? pipewire_sources() : std::nullopt;
    const auto audio = AudioSystem::acquire();
    const auto apis = audio->host_apis();
    const auto devs = audio->devices();
    if (json) {
        nlohmann::json j;
        j["host_apis"] = nlohmann::json::array();
        for (const auto& h : apis)
            j["host_apis"].push_back({{"index", h.index},
                                      {"name", h.name},
                                      {"devices", h.device_count},
                                      {"default_input", h.default_input >= 0 ? nlohmann::json(h.default_input) : nlohmann::json()}});
        j["devices"] = nlohmann::json::array();
        nlohmann::json def;  // null when there is no default input
        for (const auto& d : devs) {
            j["devices"].push_back({{"index", d.index},
                                    {"name", d.name},
                                    {"host_api", d.host_api},
                                    {"input_channels", d.input_channels},
                                    {"output_channels", d.output_channels},
                                    {"default_sample_rate", d.default_rate},
                                    {"default_input", d.default_input}});
            if (d.default_input) def = d.index;
        }
        j["default_input"] = def;
        if (pw) {
            j["pipewire_sources"] = nlohmann::json::array();
            for (const auto& p : *pw)
                j["pipewire_sources"].push_back({{"name", p.name},
                                                 {"description", p.description},
                                                 {"media_class", p.media_class},
                                                 {"channels", p.channels},
                                                 {"positions", p.positions},
                                                 {"sample_rate", p.rate},
                                                 {"default", p.is_default}});
        } else {
            j["pipewire_sources"] = nullptr;  // no PipeWire daemon for this user
        }
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    if (pw) {
        std::printf("PipeWire sources (* = default, what `headroom` captures; use --device NAME or DESCRIPTION):\n");
        std::printf("      %-8s %-10s %s\n", "inputs", "rate", "description (node name)");
        for (const auto& p : *pw)
            std::printf("  %s   %-8d %-10.0f %s (%s)\n", p.is_default ? "*" : " ", p.channels, p.rate, p.description.c_str(),
                        p.name.c_str());
        if (pw->empty()) std::printf("  (none)\n");
        std::printf("\nThrough PortAudio (--host-api alsa|jack, or --device INDEX):\n");
    }
    if (devs.empty() && pw && !pw->empty()) {
        std::printf("  (none)\n");
        return 0;
    }
    if (devs.empty()) {
        std::printf("No audio devices found (no sound card, and no JACK server running).\n"
                    "`headroom` will show the demo studio; `headroom --input-file FILE` meters a file in real time.\n");
        return 0;
    }
    std::printf("Host APIs:\n");
    for (const auto& h : apis)
        std::printf("  %-3d %s (%d device%s)\n", h.index, h.name.c_str(), h.device_count, h.device_count == 1 ? "" : "s");
    std::printf("\nDevices (* = default input; use --device INDEX or a part of the name):\n");
    std::printf("      %-5s %-8s %-8s %-10s %s\n", "index", "inputs", "outputs", "rate", "name [host API]");
    bool any_input = false;
    for (const auto& d : devs) {
        any_input = any_input || d.input_channels > 0;
        std::printf("  %s   %-5d %-8d %-8d %-10.0f %s [%s]\n", d.default_input ? "*" : " ", d.index, d.input_channels,
                    d.output_channels, d.default_rate, d.name.c_str(), d.host_api.c_str());
    }
    if (!any_input) std::printf("\nNo device has inputs: `headroom` will show the demo studio.\n");
    return 0;
}

} // namespace

Command add_devices_command(CLI::App& root, CommonCli& common) {
    Command c;
    c.cli = root.add_subcommand("devices", "List host APIs and audio devices (input channels, default rates)");
    c.bit = kDevicesCommand;
    common.add_to(*c.cli, kDevicesCommand);
    auto json = std::make_shared<bool>(false);
    c.cli->add_flag("--json", *json, "Print JSON");
    c.run = [json]() -> int { return run_devices(*json); };
    return c;
}

} // namespace headroom
