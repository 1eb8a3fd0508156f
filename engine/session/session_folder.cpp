#include "engine/session/session_folder.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/atomic_file.hpp"
#include "engine/base/errors.hpp"

namespace headroom {
namespace fs = std::filesystem;

fs::path default_sessions_dir() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x == '/')
        return fs::path(x) / "headroom" / "sessions";
    const char* home = std::getenv("HOME");
    std::string h = home && *home ? home : "";
    if (h.empty()) {
        if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) h = pw->pw_dir;
    }
    if (h.empty()) h = ".";
    return fs::path(h) / ".local" / "share" / "headroom" / "sessions";
}

fs::path make_session_folder(const fs::path& sessions_dir, WallClock::time_point now) {
    std::error_code ec;
    fs::create_directories(sessions_dir, ec);
    if (ec || !fs::is_directory(sessions_dir))
        throw OutputError("cannot create the sessions folder " + sessions_dir.string() + ": " +
                          (ec ? ec.message() : std::string("not a folder")));
    const std::string stamp = folder_stamp(now);
    for (int n = 1; n < 10000; ++n) {
        fs::path p = sessions_dir / (n == 1 ? stamp : stamp + "-" + std::to_string(n));
        if (::mkdir(p.c_str(), 0755) == 0) return p;
        if (errno != EEXIST)
            throw OutputError(errno_message("cannot create the session folder " + p.string(), errno));
    }
    throw OutputError("cannot create a session folder in " + sessions_dir.string() +
                      ": too many sessions named " + stamp);
}

} // namespace headroom
