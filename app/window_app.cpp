#include "app/window_app.hpp"

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include <imgui.h>
#include <spdlog/spdlog.h>

#include "app/exit_codes.hpp"
#include "app/window_backend.hpp"
#include "app/window_screenshot.hpp"
#include "engine/settings/config.hpp"
#include "engine/base/errors.hpp"
#include "engine/session/session_recorder.hpp"
#include "ui/bridge.hpp"
#include "ui/fonts.hpp"

namespace headroom {
namespace {

using Clock = std::chrono::steady_clock;

// Meter settings from config.json fill in what the command line left unset.
void apply_config_meter(MeterCli& cli, const MeterSettings& m) {
    if (cli.clip_threshold.empty()) cli.clip_threshold = m.clip_threshold;
    if (cli.clip_min_run.empty()) cli.clip_min_run = m.clip_min_run;
    if (cli.merge_ms.empty()) cli.merge_ms = m.merge_ms;
    if (cli.rms_window.empty()) cli.rms_window = m.rms_window;
    if (cli.rms.empty()) cli.rms = m.rms;
    if (cli.true_peak.empty()) cli.true_peak = m.true_peak;
}

void style_for_the_room(float scale) {
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowPadding = ImVec2(8.0f * scale, 6.0f * scale);
    s.FramePadding = ImVec2(6.0f * scale, 3.0f * scale);
    s.ItemSpacing = ImVec2(8.0f * scale, 4.0f * scale);
    s.ScrollbarSize = 16.0f * scale;
    s.WindowRounding = 4.0f;
    s.Colors[ImGuiCol_MenuBarBg] = ImVec4(0.11f, 0.12f, 0.14f, 1.0f);
}

} // namespace

int run_window(const WindowOptions& o) {
    // Settings first: a bad file is reported and left alone; defaults are used.
    const std::filesystem::path config_path = o.config_path.empty() ? default_config_path() : o.config_path;
    ConfigLoad cfg = load_config(config_path);
    if (cfg.error) std::fprintf(stderr, "headroom: %s (defaults in use; the file is left as it is)\n", cfg.error->c_str());
    PresetTable table = PresetTable::load_builtin();
    for (const auto& p : cfg.config.user_presets) table.add_or_replace(p);
    MeterCli meter_cli = *o.meter;
    apply_config_meter(meter_cli, cfg.config.meter);
    meter_cli.validate(table);
    (void)o.source->spec();  // bad source options: a usage error before any window opens

    // The window before the source: without a display, say so before opening any audio system.
    WindowBackend window("Headroom", o.width, o.height, o.screenshot.empty());
    const float scale = window.content_scale();
    style_for_the_room(scale);
    const ui::Fonts fonts = ui::load_fonts(scale);
    ImGui::GetIO().FontDefault = fonts.normal;
    spdlog::debug("window: content scale {}, font {}", scale, fonts.source);
    if (const auto assets = assets_dir(); !assets.empty()) window.set_icon(assets / "headroom.png");

    const SourceChoice choice = choose_source(*o.source);
    if (!choice.notice.empty()) std::fprintf(stderr, "headroom: %s\n", choice.notice.c_str());
    Capture capture(choice.spec);
    SourceInfo info = capture.info();
    const std::string key = device_key(info.kind, info.device);
    const auto stored_it = cfg.config.devices.find(key);
    const std::vector<ChannelSetting> stored =
        stored_it != cfg.config.devices.end() ? stored_it->second : std::vector<ChannelSetting>{};
    std::vector<std::string> default_presets(static_cast<std::size_t>(info.channels));
    for (int c = 0; c < info.channels; ++c) {
        const auto i = static_cast<std::size_t>(c);
        if (i < stored.size() && !stored[i].preset.empty()) default_presets[i] = stored[i].preset;
        else if (i < info.suggested_presets.size()) default_presets[i] = info.suggested_presets[i];
        if (info.channel_names.size() <= i) info.channel_names.resize(i + 1);
        if (i < stored.size() && !stored[i].name.empty()) info.channel_names[i] = stored[i].name;
        if (info.channel_names[i].empty()) info.channel_names[i] = "In " + std::to_string(c + 1);
    }
    window.set_title("Headroom - " + (info.kind == "demo" ? std::string("demo studio") : info.device));
    const MeterSetup setup = meter_cli.resolve(info.sample_rate, info.channels, kMaxBlock, table, default_presets);
    capture.configure(setup.options);

    ui::BridgeStatus status;
    status.source_kind = info.kind;
    status.device = info.device;
    status.host_api = info.host_api;
    status.sample_rate = info.sample_rate;
    status.buffer_frames = info.buffer_frames;
    // The banner says why in a few words; stderr has the whole notice.
    status.demo_reason = choice.notice.empty() ? std::string("--demo")
                                               : std::string("no input device found; --device picks an interface");
    status.config_error = cfg.error;

    // The session: an unwritable folder is shown in the window and on stderr; metering goes on.
    const std::filesystem::path sessions = o.session_dir.empty() ? default_sessions_dir() : o.session_dir;
    std::unique_ptr<SessionRecorder> recorder;
    try {
        recorder = std::make_unique<SessionRecorder>(sessions, info, setup.options, setup.presets);
        status.session_folder = recorder->folder().string();
    } catch (const OutputError& e) {
        std::fprintf(stderr, "headroom: %s (metering goes on without a session)\n", e.what());
        status.write_error = e.what();
    }

    std::vector<ui::BridgeChannel> channels(static_cast<std::size_t>(info.channels));
    for (std::size_t c = 0; c < channels.size(); ++c) {
        channels[c].name = info.channel_names[c];
        channels[c].preset_id = setup.presets[c].id;
    }
    DisplaySettings display = cfg.config.display;
    if (o.compact) display.compact = true;
    ui::Bridge bridge(table, cfg.config.user_presets, std::move(channels), display,
                      static_cast<double>(setup.options.clip_threshold_dbfs), setup.rms_aes17);
    bridge.set_true_peak(setup.true_peak);
    bridge.keys.help = window.key_help();
    bridge.keys.fullscreen = window.key_fullscreen();
    bridge.show_help = o.show_help;
    bridge.log_view().set_sessions(sessions, recorder ? recorder->folder() : std::filesystem::path{});
    bridge.log_view().open = o.show_log;
    if (display.always_on_top) window.set_always_on_top(true);

    if (recorder) recorder->start(capture.events());
    capture.start();

    // Settings are saved a second after the last change, and at exit.
    bool settings_dirty = false;
    Clock::time_point settings_changed_at{};
    auto save_settings = [&] {
        if (!cfg.writable()) return;  // never overwrite a file we could not read
        Config& c = cfg.config;
        std::vector<ChannelSetting>& list = c.devices[key];
        list.clear();
        for (const auto& ch : bridge.channels()) list.push_back({ch.name, ch.preset_id});
        c.user_presets = bridge.user_presets();
        c.display = bridge.display();
        if (bridge.true_peak_toggled()) c.meter.true_peak = bridge.true_peak_next() ? "on" : "off";
        try {
            save_config(c, config_path);
            status.settings_error.reset();
        } catch (const OutputError& e) {
            status.settings_error = std::string("settings not saved: ") + e.what();
        }
        settings_dirty = false;
    };

    MeterSnapshot snap{};
    const auto t0 = Clock::now();
    const auto frame_period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.fps));
    auto next_frame = t0;
    auto next_status = t0;
    auto next_advice = t0 + std::chrono::seconds(2);
    int frame = 0;
    int exit_code = exit_code::ok;
    const bool screenshot = !o.screenshot.empty();

    while (!window.should_close()) {
        const auto now_tp = Clock::now();
        const double now = std::chrono::duration<double>(now_tp - t0).count();
        if (now_tp >= next_status) {
            const CaptureStatus s = capture.poll_status();
            if (recorder) {
                recorder->note_status(s);
                if (auto err = recorder->write_error(); err && !status.write_error) {
                    std::fprintf(stderr, "headroom: %s (metering goes on)\n", err->c_str());
                    status.write_error = err;
                }
            }
            status.load_mean = s.load_mean;
            status.load_max = s.load_max;
            status.xruns = s.xruns;
            status.dropped_events = s.dropped_events;
            status.device_lost = s.device_lost;
            status.lost_reason = s.lost_reason;
            status.file_finished = capture.finished();
            next_status = now_tp + std::chrono::milliseconds(200);
        }
        if (recorder && now_tp >= next_advice) {
            const SessionSummary summary = recorder->summary();
            for (int c = 0; c < summary.channels() && c < static_cast<int>(bridge.channels().size()); ++c)
                bridge.channels()[c].gain_advice_db = summary.gain_advice_db(c);
            next_advice = now_tp + std::chrono::seconds(2);
        }

        if (!screenshot && window.minimised()) {
            // Nothing to draw: wait for events; the snapshot keeps its maxima meanwhile.
            window.wait_events(0.25);
            next_frame = Clock::now();
            continue;
        }
        window.poll_events();
        const bool fresh = capture.snapshots().take(snap);
        bridge.feed(snap, fresh, now);

        window.begin_frame(screenshot);
        const ui::BridgeActions a = bridge.draw(status, fonts, now);
        window.end_frame();
        ++frame;

        if (a.toggle_fullscreen) {
            window.set_fullscreen(!window.fullscreen());
            bridge.fullscreen = window.fullscreen();
        }
        if (a.always_on_top_changed) window.set_always_on_top(bridge.display().always_on_top);
        if (a.settings_changed && !screenshot) {
            settings_dirty = true;
            settings_changed_at = now_tp;
        }
        if (settings_dirty && now_tp - settings_changed_at > std::chrono::seconds(1)) save_settings();

        if (screenshot && frame >= o.frames) {
            std::vector<std::uint8_t> rgba;
            int w = 0, h = 0;
            window.read_framebuffer(rgba, w, h);
            write_png(o.screenshot, rgba, w, h);
            const float pixel_scale = ImGui::GetIO().DisplayFramebufferScale.x;
            write_geometry_sidecar(o.screenshot.string() + ".json", bridge, w, h, pixel_scale > 0 ? pixel_scale : 1.0f);
            break;
        }
        window.swap();

        // The normal pace, with or without vsync: sleep to the next frame's time.
        next_frame += frame_period;
        const auto after = Clock::now();
        if (next_frame > after) std::this_thread::sleep_until(next_frame);
        else if (after - next_frame > frame_period * 4) next_frame = after;  // fell behind: do not race
    }

    // Shutdown in reverse order of start-up.
    capture.stop();
    if (recorder) {
        recorder->note_status(capture.poll_status());
        recorder->stop();
        if (auto err = recorder->write_error(); err && !status.write_error)
            std::fprintf(stderr, "headroom: %s\n", err->c_str());
    }
    if (settings_dirty) save_settings();
    return exit_code;
}

} // namespace headroom
