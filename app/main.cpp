// headroom: parse the command line, run the chosen command, map errors to exit codes.
// The common options (app/common_cli.hpp) stand before or after the subcommand; a
// command's own options (record --duration, analyze --json, ...) stand after it.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/command.hpp"
#include "app/common_cli.hpp"
#include "app/exit_codes.hpp"
#include "app/logging.hpp"
#include "headroom_version.hpp"
#include "engine/base/errors.hpp"

namespace {

// CLI11's "The following argument(s) was/were not expected: A B" said as where each belongs,
// or, for a file name that starts with '-', how to give it.
std::string unexpected_message(const CLI::App& root, const CLI::ExtrasError& e, int argc, char** argv) {
    const std::string what = e.what();
    const auto colon = what.find(": ");
    std::vector<std::string> args;
    if (colon != std::string::npos) {
        std::istringstream in(what.substr(colon + 2));
        for (std::string a; in >> a;) args.push_back(a);
    }
    std::string sub;  // the subcommand on the command line, and where it stands
    int sub_at = argc;
    for (int i = 1; i < argc && sub.empty(); ++i)
        for (const CLI::App* s : root.get_subcommands([](const CLI::App*) { return true; }))
            if (s->get_name() == argv[i]) { sub = argv[i]; sub_at = i; break; }
    for (const auto& a : args) {
        int at = 0;
        for (int i = 1; i < argc; ++i)
            if (a == argv[i] || std::string(argv[i]).rfind(a + "=", 0) == 0) { at = i; break; }
        const std::string position = sub.empty() ? "of the window (no subcommand)"
                                     : at < sub_at ? "before the subcommand"
                                                   : "of " + sub;
        if (auto m = headroom::CommonCli::where_it_belongs(root, a, position); !m.empty()) return m;
    }
    return what;
}

// CLI11 reads "-take.wav" as short options (and then may say only "FILE is required"): a
// word after the subcommand that starts with a single '-' and is no option is taken for a
// file name, and the message says how to give it. Empty: no such word.
std::string dash_file_message(const CLI::App& root, int argc, char** argv) {
    const CLI::App* sub = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--") return {};
        if (!sub) {
            for (const CLI::App* s : root.get_subcommands([](const CLI::App*) { return true; }))
                if (s->get_name() == a) sub = s;
            continue;
        }
        const std::string before = argv[i - 1];
        const bool option_value = before.rfind("--", 0) == 0 && before.find('=') == std::string::npos;
        const bool number = a.find_first_not_of("-+.0123456789eE") == std::string::npos;
        if (a.size() > 1 && a[0] == '-' && a[1] != '-' && a != "-h" && !option_value && !number)
            return "'" + a + "' is not an option of " + sub->get_name() +
                   "; for a file whose name starts with '-', use -- or ./" + a + " (headroom " + sub->get_name() +
                   " -- " + a + ")";
    }
    return {};
}

} // namespace

int main(int argc, char** argv) {
    using namespace headroom;
    CLI::App app{"Headroom: a real-time multichannel meter bridge for audio interfaces", "headroom"};
    app.set_version_flag("--version", std::string(HEADROOM_VERSION));
    app.fallthrough(false);
    CommonCli common;
    common.add_to(app, kWindowCommand);

    Command commands[] = {
        add_analyze_command(app, common), add_devices_command(app, common), add_record_command(app, common),
        add_log_command(app, common),
    };
    Command window = add_window_command(app, common);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {  // --help, --version: printed to std::cout
            app.exit(e);
            if (!std::cout.flush()) {
                std::fprintf(stderr, "headroom: standard output: cannot write the help: %s\n", std::strerror(errno));
                return exit_code::output;
            }
            return exit_code::ok;
        }
        if (const auto m = dash_file_message(app, argc, argv); !m.empty()) {
            std::fprintf(stderr, "headroom: %s\n", m.c_str());
            return exit_code::usage;
        }
        if (const auto* extras = dynamic_cast<const CLI::ExtrasError*>(&e)) {
            std::fprintf(stderr, "headroom: %s\n", unexpected_message(app, *extras, argc, argv).c_str());
            return exit_code::usage;
        }
        std::fprintf(stderr, "headroom: %s\n", e.what());
        return exit_code::usage;
    }

    const Command* chosen = &window;
    for (auto& c : commands)
        if (c.cli->parsed()) chosen = &c;
    try {
        if (chosen != &window)
            for (const CLI::Option* o : window.window_only)
                if (o->count() > 0)
                    throw UsageError(o->get_name() + ": an option of the window (no subcommand); " +
                                     chosen->cli->get_name() + " does not take it");
        const CommonOptions& options = common.resolve(chosen->bit, chosen == &window ? nullptr : chosen->cli);
        setup_logging(options.verbose);
        const int rc = chosen->run();
        // Every command's report goes to stdout: a write that failed (a full disk, a closed
        // pipe) is exit 4, whatever the command printed.
        if (std::fflush(stdout) != 0 || std::ferror(stdout))
            throw OutputError(std::string("standard output: cannot write: ") + std::strerror(errno));
        return rc;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "headroom: %s\n", e.what());
        return exit_code::usage;
    } catch (const InputError& e) {
        std::fprintf(stderr, "headroom: %s\n", e.what());
        return exit_code::input;
    } catch (const OutputError& e) {
        std::fprintf(stderr, "headroom: %s\n", e.what());
        return exit_code::output;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "headroom: internal error: %s\n", e.what());
        return exit_code::internal;
    }
}
