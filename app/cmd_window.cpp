// headroom (no subcommand): the meter bridge window on the default input device (the demo
// studio when there is none), recording the session while it is open. app/window_app.cpp
// does the work; this file is the command line.
#include <memory>
#include <sstream>

#include "app/command.hpp"
#include "app/meter_cli.hpp"
#include "app/source_cli.hpp"
#include "engine/base/errors.hpp"
#if HEADROOM_HAVE_UI
#include "app/window_app.hpp"
#endif

namespace headroom {

Command add_window_command(CLI::App& root, CommonCli& common) {
    Command c;
    c.cli = &root;
    c.bit = kWindowCommand;  // the common options are on the root already (main)
    struct Paths {
        std::string screenshot, size;
        int frames = 120;
        bool show_log = false, show_help = false, compact = false;
    };
    auto p = std::make_shared<Paths>();
    CLI::Option* screenshot = root.add_option("--screenshot", p->screenshot, "Render --frames frames, write the window as a PNG and exit")
        ->type_name("FILE.png");
    CLI::Option* frames = root.add_option("--frames", p->frames, "Frames to render before --screenshot (default 120, at 60 per second)")
        ->type_name("N");
    root.add_flag("--show-log", p->show_log, "Open the clip log at start");
    root.add_flag("--show-help", p->show_help, "Open the keyboard help at start");
    root.add_flag("--compact", p->compact, "Compact strips");
    CLI::Option* size_option = root.add_option("--size", p->size, "Window size in pixels (default: as last closed, else 1600x900 at the UI scale)")
        ->type_name("WxH");

    for (const char* name : {"--screenshot", "--frames", "--show-log", "--show-help", "--compact", "--size"})
        c.window_only.push_back(root.get_option(name));
    c.run = [options = common.options, p, screenshot, frames, size_option]() -> int {
        if (size_option->count() > 0 && p->size.empty()) throw UsageError("--size: the value is empty (give WIDTHxHEIGHT)");
        if (screenshot->count() > 0 && p->screenshot.empty())
            throw UsageError("--screenshot: the value is empty (give FILE.png)");
        if (frames->count() > 0 && p->screenshot.empty()) throw UsageError("--frames: needs --screenshot FILE.png");
#if HEADROOM_HAVE_UI
        WindowOptions o;
        o.source = std::make_shared<SourceCli>(options->source);
        o.meter = std::make_shared<MeterCli>(options->meter);
        o.session_dir = options->session_dir;
        o.config_path = options->config;
        o.screenshot = p->screenshot;
        if (!p->screenshot.empty() && p->frames < 1)
            throw UsageError("--frames: " + std::to_string(p->frames) + " is not at least 1");
        o.frames = p->frames;
        o.show_log = p->show_log;
        o.show_help = p->show_help;
        o.compact = p->compact;
        if (!p->size.empty()) {
            std::istringstream size(p->size);
            char x = 0;
            std::string rest;
            if (!(size >> o.width >> x >> o.height) || x != 'x' || (size >> rest) || o.width < 200 || o.height < 150 ||
                o.width > 16384 || o.height > 16384)
                throw UsageError("--size: '" + p->size + "' is not WIDTHxHEIGHT in pixels (200x150 .. 16384x16384)");
        }
        return run_window(o);
#else
        (void)options;
        (void)p;
        throw UsageError("this headroom was built without the window (-DHEADROOM_BUILD_UI=OFF); use `headroom record`");
#endif
    };
    return c;
}

} // namespace headroom
