#pragma once
// PipeWire: is a daemon running for this user, which capture sources does its graph have, which
// one is the default; and the live connection the PipeWire source (source_pipewire.cpp) keeps.
//
// A PipeWire desktop is detected at run time: the daemon's socket in the user's runtime dir
// ($PIPEWIRE_REMOTE, else $XDG_RUNTIME_DIR/pipewire-0) accepts a connection. Sources are the
// nodes whose media.class starts with "Audio/Source" (interfaces, virtual sources); the default
// one is the "default" metadata's default.audio.source (what the desktop's sound settings show).
//
// Threads: every function here runs on a normal thread and may block (at most ~2 s waiting
// for the daemon). PwConnection's events run on its own (non-real-time) loop thread.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct pw_thread_loop;
struct pw_context;
struct pw_core;

namespace headroom {

inline constexpr const char* kPipeWireHostApi = "PipeWire";

struct PwSourceEntry {
    std::uint32_t id = 0;
    std::string name;                    // node.name, e.g. "alsa_input.usb-Focusrite..." or "hr-8ch"
    std::string description;             // node.description: what the desktop shows
    std::string media_class;             // Audio/Source, Audio/Source/Virtual
    int channels = 0;                    // audio.channels (0: not said)
    std::vector<std::string> positions;  // audio.position, e.g. FL FR or AUX0 .. AUX7
    double rate = 0.0;                   // audio.rate when the node says, else the graph's clock rate
    bool is_default = false;
};

// Readable channel name of a PipeWire channel position: FL -> "Front Left", AUX0 -> "Aux 1",
// MONO -> "Mono"; an unknown position is returned as it is; empty -> "In <channel>".
std::string pipewire_channel_name(const std::string& position, int channel);

// The names a user's --device NAME matches against (exact first, then substring,
// case-insensitive): node.name and node.description.
bool pipewire_source_matches(const PwSourceEntry& s, const std::string& lower_want, bool exact);

// normal thread; cheap (a stat and, when the socket is there, one connection attempt).
bool pipewire_running();

// The live connection: a thread loop, a core and a registry that tracks the capture sources,
// the default source and the graph's clock rate. Broken (daemon gone) -> broken() is true.
class PwConnection {
public:
    // normal thread; may block ~2 s. Connects and waits for the first full view of the graph.
    // nullptr (and `why`) when no daemon answers.
    static std::unique_ptr<PwConnection> open(std::string& why);
    ~PwConnection();
    PwConnection(const PwConnection&) = delete;
    PwConnection& operator=(const PwConnection&) = delete;

    // normal thread: the sources as of now (the default marked), sorted by id.
    std::vector<PwSourceEntry> sources();
    // normal thread; may block up to 2 s: one round trip, so objects created before it are seen.
    void sync();
    bool broken() const { return broken_.load(std::memory_order_acquire); }
    // Loop thread: set when the node `id` leaves the graph; cleared by watch().
    void watch(std::uint32_t id);
    bool watched_gone() const { return watched_gone_.load(std::memory_order_acquire); }
    // Any thread: links into node `id` (our capture stream) are watched; one removed (the
    // server or a user unlinked a channel) sets unlinked(). Cleared by each call.
    void watch_links_into(std::uint32_t id);
    bool unlinked() const { return unlinked_.load(std::memory_order_acquire); }

    void lock();    // the thread loop's lock (pw_* calls on a normal thread hold it)
    void unlock();
    pw_core* core() const { return core_; }
    pw_thread_loop* loop() const { return loop_; }

    struct Impl;

private:
    PwConnection() = default;
    pw_thread_loop* loop_ = nullptr;
    pw_context* context_ = nullptr;
    pw_core* core_ = nullptr;
    std::unique_ptr<Impl> impl_;
    std::atomic<bool> broken_{false};
    std::atomic<std::uint32_t> watched_{0xffffffffu};
    std::atomic<bool> watched_gone_{false};
    std::atomic<std::uint32_t> link_target_{0xffffffffu};
    std::atomic<bool> unlinked_{false};
};

// normal thread; may block ~2 s. The sources of a running daemon, or nullopt when none runs.
std::optional<std::vector<PwSourceEntry>> pipewire_sources();

} // namespace headroom
