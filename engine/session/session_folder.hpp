#pragma once
// Where sessions live (DESIGN.md §5): the sessions folder and a fresh folder per session,
// <sessions>/<YYYY-MM-DDTHH-MM-SS>[-N]/ in local time.
//
// Threads: normal threads (file system calls; may block).
#include <filesystem>

#include "engine/session/wall_time.hpp"

namespace headroom {

// normal thread. $XDG_DATA_HOME/headroom/sessions (or ~/.local/share/headroom/sessions).
std::filesystem::path default_sessions_dir();

// normal thread; may block. Creates `sessions_dir` and a fresh <stamp of `now`>[-N] folder in
// it (-2, -3, ... for a second session in the same second); throws OutputError naming the
// folder when it cannot.
std::filesystem::path make_session_folder(const std::filesystem::path& sessions_dir, WallClock::time_point now);

} // namespace headroom
