#pragma once
// The meter bridge window as a program: settings, source, session recorder and the render
// loop, wired together; app/cmd_window.cpp fills WindowOptions from the command line.
//
// Start-up order: config and presets; the window (so that "no display" is said before any
// audio system is opened); the capture; the recorder; the bridge. Shutdown in reverse: the
// capture stops, the recorder drains and closes the session, settings are saved, the window
// goes.
//
// Threads: the main thread (GLFW's rule); the capture and the recorder run their own.
#include <filesystem>
#include <memory>
#include <string>

#include "app/meter_cli.hpp"
#include "app/source_cli.hpp"

namespace headroom {

struct WindowOptions {
    std::shared_ptr<SourceCli> source;       // the source options (demo fallback inside)
    std::shared_ptr<MeterCli> meter;
    std::filesystem::path session_dir;       // empty: default_sessions_dir()
    std::filesystem::path config_path;       // empty: default_config_path()
    std::filesystem::path screenshot;        // --screenshot FILE.png
    int frames = 0;                          // --frames N (with --screenshot)
    bool show_log = false;                   // --show-log: open the clip log at start
    bool show_help = false;                  // --show-help: open the keyboard help at start
    bool compact = false;                    // --compact
    int width = 0, height = 0;               // --size WxH; 0: config.json's, else 1600x900 x UI scale
    double fps = 60.0;                       // the render pace
};

// Runs until the window is closed (or the screenshot is written). Returns the exit code;
// throws the errors.hpp types for the caller to map.
int run_window(const WindowOptions& o);

} // namespace headroom
