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

// What the window starts from: config.json (or defaults), the preset table with the user's
// presets, and the meter options with the config's filling what the command line left unset.
struct WindowSettings {
    std::filesystem::path config_path;
    ConfigLoad cfg;
    PresetTable table;
    MeterCli meter_cli;
};

// Settings first: a bad file is reported and left alone; defaults are used. Bad meter or
// source options are a usage error here, before any window opens.
WindowSettings read_settings(const WindowOptions& o) {
    WindowSettings s;
    s.config_path = o.config_path.empty() ? default_config_path() : o.config_path;
    s.cfg = load_config(s.config_path);
    if (s.cfg.error) std::fprintf(stderr, "headroom: %s (defaults in use; the file is left as it is)\n", s.cfg.error->c_str());
    s.table = PresetTable::load_builtin();
    for (const auto& p : s.cfg.config.user_presets) s.table.add_or_replace(p);
    s.meter_cli = *o.meter;
    apply_config_meter(s.meter_cli, s.cfg.config.meter);
    s.meter_cli.validate(s.table);
    (void)o.source->spec();
    return s;
}

// The window's look at the monitor's content scale: style, fonts, icon.
ui::Fonts dress_window(WindowBackend& window) {
    const float scale = window.content_scale();
    style_for_the_room(scale);
    ui::Fonts fonts = ui::load_fonts(scale);
    ImGui::GetIO().FontDefault = fonts.normal;
    spdlog::debug("window: content scale {}, font {}", scale, fonts.source);
    if (const auto assets = assets_dir(); !assets.empty()) window.set_icon(assets / "headroom.png");
    return fonts;
}

// The source to open; the demo fallback's notice goes to stderr.
SourceChoice choose_source_and_say_why(const SourceCli& cli) {
    SourceChoice choice = choose_source(cli);
    if (!choice.notice.empty()) std::fprintf(stderr, "headroom: %s\n", choice.notice.c_str());
    return choice;
}

// What config.json keeps for the source under `key` (names and presets per channel).
std::vector<ChannelSetting> stored_channels(const Config& config, const std::string& key) {
    const auto it = config.devices.find(key);
    return it != config.devices.end() ? it->second : std::vector<ChannelSetting>{};
}

// The source as opened, every channel named: the stored name, else the source's, else "In N".
SourceInfo with_channel_names(SourceInfo info, const std::vector<ChannelSetting>& stored) {
    for (int c = 0; c < info.channels; ++c) {
        const auto i = static_cast<std::size_t>(c);
        if (info.channel_names.size() <= i) info.channel_names.resize(i + 1);
        if (i < stored.size() && !stored[i].name.empty()) info.channel_names[i] = stored[i].name;
        if (info.channel_names[i].empty()) info.channel_names[i] = "In " + std::to_string(c + 1);
    }
    return info;
}

// Each channel's preset unless --preset names one: the stored one, else the source's suggestion.
std::vector<std::string> default_presets(const SourceInfo& info, const std::vector<ChannelSetting>& stored) {
    std::vector<std::string> presets(static_cast<std::size_t>(info.channels));
    for (std::size_t i = 0; i < presets.size(); ++i) {
        if (i < stored.size() && !stored[i].preset.empty()) presets[i] = stored[i].preset;
        else if (i < info.suggested_presets.size()) presets[i] = info.suggested_presets[i];
    }
    return presets;
}

// The meters for the source's rate and channels, built into the capture.
MeterSetup configure_meters(Capture& capture, const WindowSettings& settings, const SourceInfo& info,
                            const std::vector<std::string>& default_presets) {
    MeterSetup setup =
        settings.meter_cli.resolve(info.sample_rate, info.channels, kMaxBlock, settings.table, default_presets);
    setup.options.provisional_events = true;  // the session log writes open events within 1 s (docs/sessions.md)
    capture.configure(setup.options);
    return setup;
}

// The banner and status bar's first state: the source, and the settings file's problem.
ui::BridgeStatus first_status(const SourceInfo& info, const SourceChoice& choice, const ConfigLoad& cfg) {
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
    return status;
}

// The session: an unwritable folder is shown in the window and on stderr; metering goes on
// (no recorder).
std::unique_ptr<SessionRecorder> open_session(const std::filesystem::path& sessions, const SourceInfo& info,
                                              const MeterSetup& setup, ui::BridgeStatus& status) {
    try {
        auto recorder = std::make_unique<SessionRecorder>(sessions, info, setup.options, setup.presets);
        status.session_folder = recorder->folder().string();
        return recorder;
    } catch (const OutputError& e) {
        std::fprintf(stderr, "headroom: %s (metering goes on without a session)\n", e.what());
        status.write_error = e.what();
        return nullptr;
    }
}

std::vector<ui::BridgeChannel> bridge_channels(const SourceInfo& info, const MeterSetup& setup) {
    std::vector<ui::BridgeChannel> channels(static_cast<std::size_t>(info.channels));
    for (std::size_t c = 0; c < channels.size(); ++c) {
        channels[c].name = info.channel_names[c];
        channels[c].preset_id = setup.presets[c].id;
    }
    return channels;
}

DisplaySettings display_settings(const Config& config, const WindowOptions& o) {
    DisplaySettings display = config.display;
    if (o.compact) display.compact = true;
    return display;
}

// Everything the frame loop works with, built by the constructor in start-up order (see
// window_app.hpp). The members are declared in that order, so an exception part-way, or the
// end of run_window, destroys them in the reverse order: the bridge first, the settings last.
struct WindowRig {
    explicit WindowRig(const WindowOptions& o);

    void start();            // the recorder, then the capture
    void save_settings();    // channels, user presets and display into config.json
    void stop();             // reverse of start(); then the unsaved settings

    WindowSettings settings;
    WindowBackend window;    // before the source: without a display, say so before any audio system
    ui::Fonts fonts;
    SourceChoice choice;
    Capture capture;
    std::string config_key;                     // the source's key in config.json's devices
    std::vector<ChannelSetting> stored;         // what config.json kept for the source
    SourceInfo info;                            // the source as opened, every channel named
    MeterSetup setup;                           // meter options and each channel's preset
    ui::BridgeStatus status;                    // what the banner and status bar show
    std::filesystem::path sessions;             // the sessions folder
    std::unique_ptr<SessionRecorder> recorder;  // null when the session could not be created
    ui::Bridge bridge;

    bool settings_dirty = false;                // changed in the window, not yet saved
    Clock::time_point settings_changed_at{};    // the last change (saved a second after it)
};

WindowRig::WindowRig(const WindowOptions& o)
    : settings(read_settings(o)),
      window("Headroom", o.width, o.height, o.screenshot.empty()),
      fonts(dress_window(window)),
      choice(choose_source_and_say_why(*o.source)),
      capture(choice.spec),
      config_key(device_key(capture.info().kind, capture.info().device)),
      stored(stored_channels(settings.cfg.config, config_key)),
      info(with_channel_names(capture.info(), stored)),
      setup(configure_meters(capture, settings, info, default_presets(info, stored))),
      status(first_status(info, choice, settings.cfg)),
      sessions(o.session_dir.empty() ? default_sessions_dir() : o.session_dir),
      recorder(open_session(sessions, info, setup, status)),
      bridge(settings.table, settings.cfg.config.user_presets, bridge_channels(info, setup),
             display_settings(settings.cfg.config, o), static_cast<double>(setup.options.clip_threshold_dbfs),
             setup.rms_aes17) {
    window.set_title("Headroom - " + (info.kind == "demo" ? std::string("demo studio") : info.device));
    bridge.set_true_peak(setup.options.true_peak);
    bridge.keys.help = window.key_help();
    bridge.keys.fullscreen = window.key_fullscreen();
    bridge.show_help = o.show_help;
    bridge.log_view().set_sessions(sessions, recorder ? recorder->folder() : std::filesystem::path{});
    bridge.log_view().open = o.show_log;
    if (bridge.display().always_on_top) window.set_always_on_top(true);
}

void WindowRig::start() {
    if (recorder) recorder->start(capture.events(), &capture.transport());
    capture.start();
}

void WindowRig::save_settings() {
    if (!settings.cfg.writable()) return;  // never overwrite a file we could not read
    Config& c = settings.cfg.config;
    std::vector<ChannelSetting>& list = c.devices[config_key];
    list.clear();
    for (const auto& ch : bridge.channels()) list.push_back({ch.name, ch.preset_id});
    c.user_presets = bridge.user_presets();
    c.display = bridge.display();
    if (bridge.true_peak_toggled()) c.meter.true_peak = bridge.true_peak_next() ? "on" : "off";
    try {
        save_config(c, settings.config_path);
        status.settings_error.reset();
    } catch (const OutputError& e) {
        status.settings_error = std::string("settings not saved: ") + e.what();
    }
    settings_dirty = false;
}

// Shutdown in reverse order of start-up.
void WindowRig::stop() {
    capture.stop();
    if (recorder) {
        recorder->note_status(capture.poll_status());
        recorder->stop();
        if (auto err = recorder->write_error(); err && !status.write_error)
            std::fprintf(stderr, "headroom: %s\n", err->c_str());
    }
    if (settings_dirty) save_settings();
}

// Five times a second: the capture's health into the status bar and the session; every two
// seconds the recorder's gain advice into the strips.
struct Poller {
    Clock::time_point next_status;
    Clock::time_point next_advice;

    void poll(WindowRig& rig, Clock::time_point now) {
        if (now >= next_status) {
            const CaptureStatus s = rig.capture.poll_status();
            if (rig.recorder) {
                rig.recorder->note_status(s);
                if (auto err = rig.recorder->write_error(); err && !rig.status.write_error) {
                    std::fprintf(stderr, "headroom: %s (metering goes on)\n", err->c_str());
                    rig.status.write_error = err;
                }
            }
            rig.status.load_mean = s.load_mean;
            rig.status.load_max = s.load_max;
            rig.status.xruns = s.xruns;
            rig.status.dropped_events = s.dropped_events;
            rig.status.device_lost = s.device_lost;
            rig.status.lost_reason = s.lost_reason;
            rig.status.file_finished = rig.capture.finished();
            next_status = now + std::chrono::milliseconds(200);
        }
        if (rig.recorder && now >= next_advice) {
            const SessionSummary summary = rig.recorder->summary();
            auto& channels = rig.bridge.channels();
            for (int c = 0; c < summary.channels() && c < static_cast<int>(channels.size()); ++c)
                channels[c].gain_advice_db = summary.gain_advice_db(c);
            next_advice = now + std::chrono::seconds(2);
        }
    }
};

// The render loop, paced to o.fps, until the window closes or the screenshot is written.
void run_frames(WindowRig& rig, const WindowOptions& o) {
    WindowBackend& window = rig.window;
    ui::Bridge& bridge = rig.bridge;
    MeterSnapshot snap{};
    const auto t0 = Clock::now();
    const auto frame_period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.fps));
    auto next_frame = t0;
    Poller poller{t0, t0 + std::chrono::seconds(2)};
    int frame = 0;
    const bool screenshot = !o.screenshot.empty();

    while (!window.should_close()) {
        const auto now_tp = Clock::now();
        const double now = std::chrono::duration<double>(now_tp - t0).count();
        poller.poll(rig, now_tp);

        if (!screenshot && window.minimised()) {
            // Nothing to draw: wait for events; the snapshot keeps its maxima meanwhile.
            window.wait_events(0.25);
            next_frame = Clock::now();
            continue;
        }
        window.poll_events();
        const bool fresh = rig.capture.snapshots().take(snap);
        bridge.feed(snap, fresh, now);

        window.begin_frame(screenshot);
        const ui::BridgeActions a = bridge.draw(rig.status, rig.fonts, now);
        window.end_frame();
        ++frame;

        if (a.toggle_fullscreen) {
            window.set_fullscreen(!window.fullscreen());
            bridge.fullscreen = window.fullscreen();
        }
        if (a.always_on_top_changed) window.set_always_on_top(bridge.display().always_on_top);
        // Settings are saved a second after the last change, and at exit.
        if (a.settings_changed && !screenshot) {
            rig.settings_dirty = true;
            rig.settings_changed_at = now_tp;
        }
        if (rig.settings_dirty && now_tp - rig.settings_changed_at > std::chrono::seconds(1)) rig.save_settings();

        if (screenshot && frame >= o.frames) {
            std::vector<std::uint8_t> rgba;
            int w = 0, h = 0;
            window.read_framebuffer(rgba, w, h);
            write_png(o.screenshot, rgba, w, h);
            const float pixel_scale = ImGui::GetIO().DisplayFramebufferScale.x;
            write_geometry_sidecar(o.screenshot.string() + ".json", bridge, w, h, pixel_scale > 0 ? pixel_scale : 1.0f);
            return;
        }
        window.swap();

        // The normal pace, with or without vsync: sleep to the next frame's time.
        next_frame += frame_period;
        const auto after = Clock::now();
        if (next_frame > after) std::this_thread::sleep_until(next_frame);
        else if (after - next_frame > frame_period * 4) next_frame = after;  // fell behind: do not race
    }
}

} // namespace

int run_window(const WindowOptions& o) {
    WindowRig rig(o);
    rig.start();
    run_frames(rig, o);
    rig.stop();
    return exit_code::ok;
}

} // namespace headroom
