#include "app/window_app.hpp"

#include <chrono>
#include <cstdio>
#include <iterator>
#include <optional>
#include <thread>

#include <imgui.h>
#include <spdlog/spdlog.h>

#include "app/exit_codes.hpp"
#include "app/settings_cli.hpp"
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
// presets, and the meter options with the config's filling what the command line left unset
// (app/settings_cli: the same as record's). Bad meter or source options are a usage error
// here, before any window opens.
using WindowSettings = CommandSettings;

WindowSettings window_settings(const WindowOptions& o) {
    WindowSettings s = read_settings(o.config_path.string(), *o.meter);
    (void)o.source->spec();
    return s;
}

// The UI scales the View menu and Ctrl +/- step through.
constexpr float kUiScales[] = {0.5f, 0.67f, 0.75f, 0.8f, 0.9f, 1.0f, 1.1f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f, 3.0f, 4.0f};

float next_ui_scale(float scale, int step) {
    if (step > 0) {
        for (float s : kUiScales)
            if (s > scale + 0.01f) return s;
        return kUiScales[std::size(kUiScales) - 1];
    }
    for (auto it = std::rbegin(kUiScales); it != std::rend(kUiScales); ++it)
        if (*it < scale - 0.01f) return *it;
    return kUiScales[0];
}

// The window's look at a UI scale: style and fonts (the caller rebuilds the font texture when
// the backend already made one).
ui::Fonts dress_at_scale(float scale) {
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    ImGui::StyleColorsDark();
    style.ScaleAllSizes(scale);
    style_for_the_room(scale);
    ui::Fonts fonts = ui::load_fonts(scale);
    ImGui::GetIO().FontDefault = fonts.normal;
    spdlog::debug("window: UI scale {}, font {}", scale, fonts.source);
    return fonts;
}

// The UI scale to start at: config.json's window.ui_scale, else the monitor's.
float start_scale(const WindowState& w) {
    return w.ui_scale > 0.0 ? static_cast<float>(w.ui_scale) : WindowBackend::monitor_scale();
}

// The window's place, size and look: the remembered size and position (--size wins), the
// fonts at the UI scale, the icon.
ui::Fonts dress_window(WindowBackend& window, const WindowState& w) {
    const float scale = start_scale(w);
    if (w.has_position) window.set_position(w.x, w.y);
    if (const auto assets = assets_dir(); !assets.empty()) window.set_icon(assets / "headroom.png");
    return dress_at_scale(scale);
}

// The window's first size: --size, else config.json's, else 0 (WindowBackend: 1600 x 900 at
// the UI scale).
int first_width(const WindowOptions& o, const WindowState& w) { return o.width > 0 ? o.width : (w.width > 0 && w.height > 0 ? w.width : 0); }
int first_height(const WindowOptions& o, const WindowState& w) { return o.height > 0 ? o.height : (w.width > 0 && w.height > 0 ? w.height : 0); }

// The source to open; the demo fallback's notice goes to stderr.
SourceChoice choose_source_and_say_why(const SourceCli& cli) {
    SourceChoice choice = choose_source(cli);
    if (!choice.notice.empty()) std::fprintf(stderr, "headroom: %s\n", choice.notice.c_str());
    return choice;
}

// The meters for the source's rate and channels, built into the capture.
MeterSetup configure_meters(Capture& capture, const WindowSettings& settings, const SourceInfo& info,
                            const std::vector<std::string>& default_presets) {
    MeterSetup setup = resolve_meters(settings, info, kMaxBlock, default_presets);
    setup.options.provisional_events = true;  // the session log writes open events within 1 s (docs/sessions.md)
    // The window meters bands always, so the band view (B, View menu) switches on at once;
    // --bands and config.json's display.bands only say whether it starts shown (docs/ui.md).
    setup.options.bands = true;
    capture.configure(setup.options);
    return setup;
}

// The banner and status bar's first state: the source, and the settings file's problem.
ui::BridgeStatus first_status(const SourceInfo& info, const SourceChoice& choice, const CommandSettings& settings) {
    ui::BridgeStatus status;
    status.source_kind = info.kind;
    status.device = info.device;
    status.host_api = info.host_api;
    status.sample_rate = info.sample_rate;
    status.buffer_frames = info.buffer_frames;
    // The banner says why in a few words; stderr has the whole notice.
    status.demo_reason = choice.notice.empty() ? std::string("--demo")
                                               : std::string("no input device found; --device picks an interface");
    if (!settings.problems.empty())
        status.config_error = settings.problems.front() +
                              (settings.problems.size() > 1 ? " (and more: see the terminal)" : "");
    return status;
}

// The session: an unwritable folder is shown in the window and on stderr; metering goes on
// (no recorder).
std::unique_ptr<SessionRecorder> open_session(const std::filesystem::path& sessions, const SourceInfo& info,
                                              const MeterSetup& setup, ui::BridgeStatus& status) {
    try {
        auto recorder = std::make_unique<SessionRecorder>(sessions, info, setup.options, setup.presets, setup.bus_presets);
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
    if (o.meter->bands) display.bands = true;
    return display;
}


// Everything the frame loop works with, built by the constructor in start-up order (see
// window_app.hpp). The members are declared in that order, so an exception part-way, or the
// end of run_window, destroys them in the reverse order: the bridge first, the settings last.
struct WindowRig {
    explicit WindowRig(const WindowOptions& o);

    void start();            // the recorder, then the capture
    // A bus made or removed in the window: the meter bank is configured once, so the capture
    // is stopped, its session closed (kept or removed as at exit), the source reopened with
    // the new buses, and a new session started (docs/ui.md "Buses"). Throws InputError when
    // the source cannot be reopened as it was.
    void rebuild_meters(const std::vector<BusSpec>& buses);
    void close_session();    // the capture stops, the recorder drains and closes the session
    void save_settings();    // channels, user presets and display into config.json
    void stop();             // reverse of start(); then the unsaved settings

    WindowSettings settings;
    WindowBackend window;    // before the source: without a display, say so before any audio system
    ui::Fonts fonts;
    float ui_scale;          // the fonts' and style's scale now
    SourceChoice choice;
    std::unique_ptr<Capture> capture;
    ChannelDefaults channel_defaults;           // config.json's names and presets for the source
    std::string config_key;                     // the source's key in config.json's devices
    std::vector<ChannelSetting> stored;         // what config.json kept for the source
    SourceInfo info;                            // the source as opened, every channel named
    MeterSetup setup;                           // meter options and each channel's preset
    ui::BridgeStatus status;                    // what the banner and status bar show
    std::filesystem::path sessions;             // the sessions folder
    std::unique_ptr<SessionRecorder> recorder;  // null when the session could not be created
    ui::Bridge bridge;

    bool screenshot = false;                    // --screenshot: nothing is saved, nothing removed
    Clock::time_point started{};                // start()
    bool settings_dirty = false;                // changed in the window, not yet saved
    bool buses_edited = false;                  // a bus made or removed in the window: saved for the device
    Clock::time_point settings_changed_at{};    // the last change (saved a second after it)
};

WindowRig::WindowRig(const WindowOptions& o)
    : settings(window_settings(o)),
      window("Headroom", first_width(o, settings.cfg.config.window), first_height(o, settings.cfg.config.window),
             o.screenshot.empty(), static_cast<float>(settings.cfg.config.window.ui_scale)),
      fonts(dress_window(window, settings.cfg.config.window)),
      ui_scale(start_scale(settings.cfg.config.window)),
      choice(choose_source_and_say_why(*o.source)),
      capture(std::make_unique<Capture>(choice.spec)),
      channel_defaults(channel_settings(capture->info(), settings)),
      config_key(channel_defaults.key),
      stored(channel_defaults.stored),
      info(channel_defaults.info),
      setup(configure_meters(*capture, settings, info, channel_defaults.presets)),
      status(first_status(info, choice, settings)),
      sessions(o.session_dir.empty() ? default_sessions_dir() : o.session_dir),
      recorder(open_session(sessions, info, setup, status)),
      bridge(settings.table, settings.cfg.config.user_presets, bridge_channels(info, setup),
             display_settings(settings.cfg.config, o), static_cast<double>(setup.options.clip_threshold_dbfs),
             setup.rms_aes17) {
    window.set_title("Headroom - " + (info.kind == "demo" ? std::string("demo studio") : info.device));
    if (!info.chosen.empty()) std::fprintf(stderr, "headroom: %s\n", info.chosen.c_str());
    bridge.set_true_peak(setup.options.true_peak);
    bridge.set_buses(setup.options.buses, info.sample_rate);
    bridge.on_loudness_reset = [this](int bus) { capture->request_loudness_reset(bus); };
    bridge.keys.help = window.key_help();
    bridge.keys.fullscreen = window.key_fullscreen();
    window.ui_scale_keys(bridge.keys.larger, bridge.keys.smaller, bridge.keys.follow_monitor);
    bridge.log_view().docked = settings.cfg.config.window.log_docked;
    screenshot = !o.screenshot.empty();
    bridge.show_help = o.show_help;
    bridge.log_view().set_sessions(sessions, recorder ? recorder->folder() : std::filesystem::path{});
    bridge.log_view().open = o.show_log;
    if (bridge.display().always_on_top) window.set_always_on_top(true);
}

void WindowRig::start() {
    started = Clock::now();
    if (recorder) recorder->start(capture->events(), &capture->transport());
    capture->start();
}

void WindowRig::save_settings() {
    if (!settings.cfg.writable()) return;  // never overwrite a file we could not read
    Config& c = settings.cfg.config;
    std::vector<ChannelSetting>& list = c.devices[config_key];
    list.clear();
    for (const auto& ch : bridge.channels()) list.push_back({ch.name, ch.preset_id});
    c.user_presets = bridge.user_presets();
    if (buses_edited) {  // only what the window made: --bus on the command line is not kept
        std::vector<BusSetting>& buses = c.buses[config_key];
        buses.clear();
        for (const BusSpec& b : bridge.next_buses()) {
            BusSetting setting{b.name, {}, b.preset};
            for (int ch : b.channels) setting.channels.push_back(ch + 1);
            buses.push_back(std::move(setting));
        }
    }
    c.display = bridge.display();
    if (bridge.true_peak_toggled()) c.meter.true_peak = bridge.true_peak_next() ? "on" : "off";
    c.window.log_docked = bridge.log_view().docked;
    c.window.has_position = true;
    window.geometry(c.window.x, c.window.y, c.window.width, c.window.height);
    try {
        save_config(c, settings.config_path);
        status.settings_error.reset();
    } catch (const OutputError& e) {
        status.settings_error = std::string("settings not saved: ") + e.what();
    }
    settings_dirty = false;
}

// docs/sessions.md "Sessions that hold nothing": a window session shorter than this, in
// which nothing was logged, is removed at a clean close.
constexpr auto kKeepEmptySessionsFrom = std::chrono::seconds(60);

// Whether the closed session holds anything worth keeping: any event line (clip, hot,
// non-finite), any capture trouble (xrun, device lost, dropped events, a write error), or
// a length of a minute or more (its level history). Caller: after recorder->stop().
bool worth_keeping(const SessionRecorder& recorder, const CaptureStatus& s, Clock::duration length) {
    if (length >= kKeepEmptySessionsFrom) return true;
    if (s.xruns > 0 || s.losses > 0 || s.dropped_events > 0 || recorder.write_error()) return true;
    const SessionSummary summary = recorder.summary();
    if (!summary.clips().empty() || !summary.hot().empty()) return true;
    for (int c = 0; c < summary.channels(); ++c)
        if (summary.channel(c).nonfinite_samples > 0) return true;
    return false;
}

void WindowRig::close_session() {
    capture->stop();
    if (recorder) {
        const CaptureStatus last = capture->poll_status();
        recorder->note_status(last);
        recorder->stop();
        if (auto err = recorder->write_error(); err && !status.write_error)
            std::fprintf(stderr, "headroom: %s\n", err->c_str());
        if (!worth_keeping(*recorder, last, Clock::now() - started)) {
            std::error_code ec;
            std::filesystem::remove_all(recorder->folder(), ec);
            if (ec) spdlog::warn("session {}: empty, but cannot remove it: {}", recorder->folder().string(), ec.message());
            else spdlog::debug("session {}: nothing happened, removed", recorder->folder().string());
        }
    }
}

void WindowRig::rebuild_meters(const std::vector<BusSpec>& buses) {
    if (settings_dirty) save_settings();  // the new bus list is on disk before anything can fail
    close_session();
    recorder.reset();
    capture.reset();  // the source is closed before it is opened again (a device allows one stream)
    capture = std::make_unique<Capture>(choice.spec);
    const SourceInfo& again = capture->info();
    if (again.channels != info.channels || again.sample_rate != info.sample_rate)
        throw InputError(info.device + ": reopened with " + std::to_string(again.channels) + " channels at " +
                         std::to_string(static_cast<int>(again.sample_rate)) + " Hz, not as it was");
    setup.options.buses = buses;
    capture->configure(setup.options);
    status.session_folder.clear();
    status.write_error.reset();
    recorder = open_session(sessions, info, setup, status);
    bridge.set_buses(buses, info.sample_rate);
    bridge.log_view().set_sessions(sessions, recorder ? recorder->folder() : std::filesystem::path{});
    start();
    spdlog::debug("buses changed: meters rebuilt, new session {}", status.session_folder);
}

// Shutdown in reverse order of start-up.
void WindowRig::stop() {
    close_session();
    if (!screenshot) {
        // The window's size, position and the log's place are kept even when nothing else changed.
        int x = 0, y = 0, w = 0, h = 0;
        window.geometry(x, y, w, h);
        const WindowState& was = settings.cfg.config.window;
        if (!was.has_position || x != was.x || y != was.y || w != was.width || h != was.height ||
            bridge.log_view().docked != was.log_docked)
            settings_dirty = true;
    }
    if (settings_dirty) save_settings();
}

// Five times a second: the capture's health into the status bar and the session; every two
// seconds (four times a second while the clip log is open) the recorder's summary into the
// strips' gain advice and the log's per-channel summary.
constexpr double kNoShare = std::numeric_limits<double>::quiet_NaN();  // the band view prints "--"

struct Poller {
    Clock::time_point next_status;
    Clock::time_point next_advice;

    void poll(WindowRig& rig, Clock::time_point now) {
        if (now >= next_status) {
            const CaptureStatus s = rig.capture->poll_status();
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
            rig.status.file_finished = rig.capture->finished();
            next_status = now + std::chrono::milliseconds(200);
        }
        if (rig.recorder && now >= next_advice) {
            const SessionSummary summary = rig.recorder->summary();
            auto& channels = rig.bridge.channels();
            for (int c = 0; c < summary.channels() && c < static_cast<int>(channels.size()); ++c) {
                channels[c].gain_advice_db = summary.gain_advice_db(c);
                // The band view's low share: the session's whole-stream figure (DESIGN.md §6), the
                // one record, session.json and log give.
                channels[c].bands.set_low_share(summary.low_share_db(c).value_or(kNoShare));
            }
            auto& buses = rig.bridge.buses();
            for (int b = 0; b < summary.buses() && b < static_cast<int>(buses.size()); ++b)
                buses[b].ballistics.bands().set_low_share(summary.bus_low_share_db(b).value_or(kNoShare));
            // The clip log's per-channel summary: the recorder's own records, as session.json
            // will have them; refreshed often while the log is open.
            rig.bridge.log_view().set_live_summary(summary.channel_records(false));
            next_advice = now + (rig.bridge.log_view().open ? std::chrono::milliseconds(250) : std::chrono::seconds(2));
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
    float pending_scale = 0.0f;  // a UI scale asked for in the last frame

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
        if (pending_scale > 0.0f && pending_scale != rig.ui_scale) {  // between frames: new fonts
            rig.ui_scale = pending_scale;
            rig.fonts = dress_at_scale(rig.ui_scale);
            window.rebuild_fonts_texture();
        }
        pending_scale = 0.0f;
        const bool fresh = rig.capture->snapshots().take(snap);
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
        if (a.ui_scale_step != 0 || a.ui_scale_follow_monitor) {
            WindowState& ws = rig.settings.cfg.config.window;
            pending_scale = a.ui_scale_follow_monitor ? window.monitor_scale() : next_ui_scale(rig.ui_scale, a.ui_scale_step);
            ws.ui_scale = a.ui_scale_follow_monitor ? 0.0 : static_cast<double>(pending_scale);
            if (!screenshot) {
                rig.settings_dirty = true;
                rig.settings_changed_at = now_tp;
            }
        }
        // Settings are saved a second after the last change, and at exit.
        if (a.buses_changed && !screenshot) {
            rig.buses_edited = rig.settings_dirty = true;
            rig.rebuild_meters(bridge.next_buses());
        }
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
            write_geometry_sidecar(o.screenshot.string() + ".json", bridge, w, h, pixel_scale > 0 ? pixel_scale : 1.0f,
                                   rig.ui_scale);
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
