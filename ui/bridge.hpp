#pragma once
// The meter bridge window's content: a menu bar, a banner when something needs the engineer's
// attention (demo source, device lost, disk or settings errors), every channel as a strip laid
// out to stay readable from 1 to 256 channels (ui/layout.hpp), a status bar, and the windows
// it opens (clip log, preset editor, channel editor, help overlay).
//
// The bridge draws from snapshots and settings; it never touches PortAudio or the disk
// itself. The app feeds it (feed), draws it once per frame (draw) and acts on what it asks
// for (BridgeActions: full screen, settings to save, always on top).
//
// Threads: UI thread (ImGui); feed() does not allocate.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/settings/config.hpp"
#include "engine/settings/presets.hpp"
#include "ui/readout.hpp"
#include "engine/meter/meter_snapshot.hpp"
#include "engine/meter/programme.hpp"
#include "ui/ballistics.hpp"
#include "ui/bus_strip.hpp"
#include "ui/programme_ballistics.hpp"
#include "ui/fonts.hpp"
#include "ui/layout.hpp"
#include "ui/log_view.hpp"

struct ImFont;

namespace headroom::ui {

// What the status bar and the banner show; the app fills it from Capture and SessionRecorder.
struct BridgeStatus {
    std::string source_kind;          // "device", "file", "demo"
    std::string device, host_api;
    std::string demo_reason;          // why the demo source is in use ("--demo", "no input device")
    double sample_rate = 0.0;
    int buffer_frames = 0;
    float load_mean = 0.0f, load_max = 0.0f;  // callback time / buffer period
    std::uint64_t xruns = 0;
    std::uint64_t dropped_events = 0;
    bool device_lost = false;
    std::string lost_reason;
    bool file_finished = false;
    std::string session_folder;
    std::optional<std::string> write_error;    // the recorder's first disk error
    std::optional<std::string> config_error;   // config.json problem (defaults in use)
    std::optional<std::string> settings_error; // the last save of config.json failed
};

struct BridgeChannel {
    std::string name;                 // editable
    std::string preset_id;            // editable
    std::optional<double> gain_advice_db;
    ChannelBallistics ballistics;
    BandBallistics bands;             // the band view's state (when the meter has bands)
};

// A bus metered this session (DESIGN.md §6): what it is and what it shows.
struct BridgeBus {
    BusSpec spec;                     // name, 0-based channels, preset id
    BusBallistics ballistics;
    std::string label;                // the name fitted to the strip (ui/strip_label), with the bus number when cut
    float label_w = -1.0f;            // the width `label` was fitted to
    ImFont* label_font = nullptr;
};

// Keys that have no character (ImGui 1.86 takes the backend's key codes for them).
struct BridgeKeys {
    int help = -1;          // e.g. GLFW_KEY_F1
    int fullscreen = -1;    // e.g. GLFW_KEY_F11
    // With Ctrl: larger text (= / + and keypad +), smaller (- and keypad -), the monitor's (0).
    int larger[2] = {-1, -1};
    int smaller[2] = {-1, -1};
    int follow_monitor[2] = {-1, -1};
};

struct BridgeActions {
    bool toggle_fullscreen = false;
    bool settings_changed = false;    // names, presets, user presets or display settings
    bool always_on_top_changed = false;
    int ui_scale_step = 0;            // +1 larger, -1 smaller (Ctrl +/-, View menu)
    bool ui_scale_follow_monitor = false;  // Ctrl 0: back to the monitor's content scale
    bool buses_changed = false;       // a bus was made or removed in the window (next_buses())
};

// Where a bus strip was drawn in the last frame and what it printed.
struct BusGeometry {
    int bus = 0;                      // 1-based
    Rect strip;
    BusStripDrawn drawn;
};

// A latched clip in the clip overview (the line above the status bar), where it was drawn.
struct OverviewEntry {
    int channel = 0;                  // 1-based
    Rect rect;                        // logical px, window coordinates
};

// Where a strip was drawn in the last frame (logical pixels, window coordinates).
struct StripGeometry {
    int channel = 0;                  // 1-based
    Rect strip, bar, clip;
    float y_target_hi = 0, y_target_lo = 0;  // the preset window on the bar
    Zone zone = Zone::Silent;                // the bar's colour zone
    bool clip_latched = false;
    Readout peak;                            // the max sample peak as drawn on the strip
    Rect bands;                              // the band view (empty when off)
    BandsDrawn bands_drawn;
};

class Bridge {
public:
    Bridge(PresetTable presets, std::vector<Preset> user_presets, std::vector<BridgeChannel> channels,
           DisplaySettings display, double clip_threshold_db, bool rms_aes17);

    // UI thread; no allocation. Folds one snapshot take (fresh: something new) in at `now` s.
    void feed(const MeterSnapshot& s, bool fresh, double now);
    // UI thread. Builds this frame's ImGui windows (between NewFrame and Render).
    BridgeActions draw(const BridgeStatus& status, const Fonts& fonts, double now);

    void reset_all(double now);       // clip latches and maxima of every channel
    std::vector<BridgeChannel>& channels() { return ch_; }
    const DisplaySettings& display() const { return display_; }
    const std::vector<Preset>& user_presets() const { return user_presets_; }
    const PresetTable& presets() const { return table_; }
    const std::vector<StripGeometry>& geometry() const { return geometry_; }
    LogView& log_view() { return log_; }
    const BridgeLayout& layout() const { return layout_; }
    // The clip overview as drawn in the last frame: one entry per listed channel, and how many
    // latched channels did not fit (behind the "+N more" button).
    const std::vector<OverviewEntry>& overview() const { return overview_; }
    int overview_more() const { return overview_more_; }
    // Brings channel `channel` (1-based) into view and flashes its outline (UI thread).
    void reveal(int channel, double now);

    // True peak (--true-peak, config.json meter.true_peak). The meters run with or without it
    // for the whole session (the MeterBank and session.json are built with it); the Meters
    // menu's toggle is the choice for the next start, which the app saves. UI thread.
    void set_true_peak(bool on) { true_peak_ = true_peak_next_ = on; }
    bool true_peak() const { return true_peak_; }
    bool true_peak_next() const { return true_peak_next_; }
    bool true_peak_toggled() const { return true_peak_toggled_; }  // changed in the menu

    // Buses (DESIGN.md §6). set_buses: the buses the meter has this session, at the stream's
    // rate (for the stopwatch). The Buses menu edits next_buses(), the list config.json keeps
    // for the device; BridgeActions::buses_changed asks the app to save it and rebuild the
    // meters on it (then set_buses again). UI thread.
    void set_buses(const std::vector<BusSpec>& buses, double sample_rate);
    const std::vector<BridgeBus>& buses() const { return buses_; }
    std::vector<BridgeBus>& buses() { return buses_; }
    const std::vector<BusSpec>& next_buses() const { return next_buses_; }
    const std::vector<BusGeometry>& bus_geometry() const { return bus_geometry_; }
    // Restarts bus `bus`'s (0-based) integrated measurement: asks the meter through
    // on_loudness_reset and clears the strip's loudness maxima. UI thread.
    void reset_loudness(int bus);
    // The app wires this to the meter (MeterBank/Capture request_loudness_reset, any thread).
    std::function<void(int bus)> on_loudness_reset;
    // Strips chosen with Ctrl+click for a new bus (1-based channels, in channel order).
    std::vector<int> selection() const;
    void select(int channel, bool on);   // 1-based

    BridgeKeys keys;
    bool show_help = false;
    bool fullscreen = false;          // the app's state, shown in the menu

private:
    void handle_keys(BridgeActions& a, double now);
    void draw_menu(BridgeActions& a, double now);
    float draw_banner(const BridgeStatus& st, const Fonts& fonts);
    void draw_strips(const Fonts& fonts, double now, BridgeActions& a);
    void draw_status(const BridgeStatus& st);
    void draw_clip_overview(const Fonts& fonts, double now);
    const std::string& strip_label(int index, float width, ImFont* font);
    void draw_channel_editor(BridgeActions& a);
    void draw_preset_editor(BridgeActions& a);
    void draw_help();
    void draw_bus_menu(BridgeActions& a);
    void draw_bus_dialog(BridgeActions& a);
    void draw_buses(const Fonts& fonts, double now, float x, float y, float w, float h);
    const Preset& preset_of(const BridgeChannel& c) const;
    BallisticsOptions ballistics_options() const;

    PresetTable table_;
    std::vector<Preset> user_presets_;
    std::vector<BridgeChannel> ch_;
    DisplaySettings display_;
    double clip_threshold_db_;
    bool rms_aes17_;
    bool true_peak_ = true;           // the meters measure true peak this session
    bool true_peak_next_ = true;      // the Meters menu's choice, from the next start
    bool true_peak_toggled_ = false;  // the menu changed it: the app saves it to config.json
    LogView log_;
    std::vector<BridgeBus> buses_;
    std::vector<BusSpec> next_buses_;
    std::vector<BusGeometry> bus_geometry_;
    std::vector<char> selected_;      // per channel: chosen for a new bus
    double sample_rate_ = 0.0;
    bool open_bus_dialog_ = false;
    char bus_name_[33] = "mix";
    std::string bus_preset_ = "mix_bus";
    std::string bus_message_;
    BridgeLayout layout_;
    std::vector<StripGeometry> geometry_;
    std::vector<OverviewEntry> overview_;
    int overview_more_ = 0;
    int reveal_channel_ = 0;          // 1-based; scrolled to at the next strips pass
    int flash_channel_ = 0;           // 1-based; outlined until flash_until_
    double flash_until_ = 0.0;
    // The strips' fitted labels (ui/strip_label.hpp), recomputed when the name or width changes.
    struct Label {
        std::string text, name;
        float width = -1.0f;
        ImFont* font = nullptr;
    };
    std::vector<Label> labels_;
    int edit_channel_ = -1;           // 0-based channel whose editor is open
    bool open_editor_ = false;
    char name_buf_[64] = {};
    bool show_presets_ = false;
    Preset new_preset_{"my_preset", "My preset", -18.0, -12.0};
    char new_id_[33] = "my_preset", new_name_[64] = "My preset";
    std::string preset_message_;
};

} // namespace headroom::ui
