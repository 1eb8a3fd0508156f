// CPU time of one bridge frame: building the ImGui frame and its draw lists (no GL), at 8, 64
// and 256 channels, with changing levels (some hot, some clipping) as in the demo studio.
// Target: <= 1 ms per frame at 64 channels; <= 0.5 ms with four bus strips at 64 channels
// (issue 15; "buses" 4, and "bands" 1 with the band view on).
//   ./build/tests/bench/ui_frame_bench
#include <algorithm>
#include <cmath>
#include <vector>

#include <benchmark/benchmark.h>
#include <imgui.h>

#include "engine/settings/presets.hpp"
#include "engine/meter/meter_snapshot.hpp"
#include "ui/bridge.hpp"
#include "ui/fonts.hpp"

namespace {

using namespace headroom;

// The shipped table when assets/ is found (HEADROOM_ASSETS_DIR), else the same windows inline.
PresetTable presets() {
    try {
        return PresetTable::load_builtin();
    } catch (const std::exception&) {
        return PresetTable::from_json_text(R"json([
            {"id": "vocals", "name": "Close-miked vocals", "lo": -15, "hi": -12},
            {"id": "guitar_di", "name": "Electric guitar DI", "lo": -18, "hi": -15},
            {"id": "acoustic", "name": "Acoustic instruments", "lo": -20, "hi": -18},
            {"id": "overheads", "name": "Drum overheads", "lo": -18, "hi": -15},
            {"id": "bass", "name": "Bass guitar", "lo": -15, "hi": -12},
            {"id": "close_drums", "name": "Close-miked drums", "lo": -15, "hi": -12},
            {"id": "general", "name": "General source (default)", "lo": -18, "hi": -12},
            {"id": "mix_bus", "name": "Mix bus (before mastering)", "lo": -10, "hi": -6}])json", "inline");
    }
}

void BM_BridgeFrame(benchmark::State& state) {
    const int channels = static_cast<int>(state.range(0));
    const bool show_log = state.range(1) != 0;
    const int n_buses = static_cast<int>(state.range(2));
    const bool bands = state.range(3) != 0;
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1600.0f, 900.0f);
    io.DeltaTime = 1.0f / 60.0f;
    const ui::Fonts fonts = ui::load_fonts(1.0f);
    io.FontDefault = fonts.normal;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // the atlas, as a backend would build it

    PresetTable table = presets();
    std::vector<ui::BridgeChannel> chans(static_cast<std::size_t>(channels));
    const char* ids[] = {"vocals", "bass", "close_drums", "overheads", "guitar_di", "acoustic", "general", "mix_bus"};
    for (int c = 0; c < channels; ++c) {
        chans[c].name = "Input " + std::to_string(c + 1);
        chans[c].preset_id = ids[c % 8];
        if (c % 3 == 0) chans[c].gain_advice_db = -2.5;
    }
    DisplaySettings display;
    display.bands = bands;
    ui::Bridge bridge(table, {}, std::move(chans), display, -0.1, false);
    std::vector<BusSpec> buses;
    for (int b = 0; b < n_buses; ++b) buses.push_back({"bus " + std::to_string(b + 1), {2 * b, 2 * b + 1}, "mix_bus"});
    bridge.set_buses(buses, 48000.0);
    bridge.log_view().open = show_log;
    ui::BridgeStatus status;
    status.source_kind = "demo";
    status.device = "Demo studio";
    status.sample_rate = 48000;
    status.buffer_frames = 256;

    MeterSnapshot snap{};
    snap.channels = static_cast<std::uint32_t>(channels);
    snap.blocks = 3;
    double t = 0.0;
    std::uint64_t frame = 0;
    for (auto _ : state) {
        for (int c = 0; c < channels; ++c) {
            const double phase = 0.37 * c + 0.05 * static_cast<double>(frame);
            const float peak = static_cast<float>(0.05 + 0.5 * (0.5 + 0.5 * std::sin(phase)));
            auto& r = snap.ch[c];
            r.sample_peak = peak;
            r.true_peak = peak * 1.05f;
            r.rms = peak * 0.3f;
            r.rms_max = peak * 0.35f;
            r.clip_runs = (frame + c) % 97 == 0 ? 1u : 0u;
            for (int band = 0; band < kBandCount; ++band) {
                snap.band[c][band].peak = peak * (0.9f - 0.25f * static_cast<float>(band));
                snap.band[c][band].rms = r.rms * (0.8f - 0.2f * static_cast<float>(band));
            }
        }
        snap.bands_on = bands;
        snap.buses = static_cast<std::uint32_t>(n_buses);
        snap.frames = frame * 800;
        for (int b = 0; b < n_buses; ++b) {
            BusReading& r = snap.bus[b];
            r.sample_peak = std::max(snap.ch[2 * b].sample_peak, snap.ch[2 * b + 1].sample_peak);
            r.true_peak = r.sample_peak * 1.05f;
            r.momentary_ms = r.momentary_max_ms = 0.01f * (1.0f + static_cast<float>(frame % 7));
            r.short_term_ms = r.short_term_max_ms = 0.02f;
            r.integrated_ms = 0.015f;
            r.loudness_range_lu = 6.5f;
            r.bands = snap.band[2 * b];
        }
        t += 1.0 / 60.0;
        ++frame;
        ImGui::NewFrame();
        bridge.feed(snap, true, t);
        benchmark::DoNotOptimize(bridge.draw(status, fonts, t));
        ImGui::Render();
        benchmark::DoNotOptimize(ImGui::GetDrawData()->TotalVtxCount);
    }
    state.counters["vertices"] = ImGui::GetDrawData()->TotalVtxCount;
    ImGui::DestroyContext();
}

} // namespace

BENCHMARK(BM_BridgeFrame)->ArgNames({"channels", "log", "buses", "bands"})
    ->Args({8, 0, 0, 0})->Args({64, 0, 0, 0})->Args({256, 0, 0, 0})->Args({64, 1, 0, 0})
    ->Args({64, 0, 4, 0})->Args({64, 0, 4, 1})->Args({256, 0, 4, 1})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
