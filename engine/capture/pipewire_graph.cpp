// PipeWire detection, the graph's capture sources and the live connection; see pipewire_graph.hpp.
#include "engine/capture/pipewire_graph.hpp"

#include <pipewire/extensions/metadata.h>
#include <pipewire/pipewire.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "engine/capture/audio_system.hpp"

namespace headroom {
namespace {

constexpr int kWaitSeconds = 2;

std::string socket_path() {
    const char* remote = std::getenv("PIPEWIRE_REMOTE");
    std::string name = remote && *remote ? remote : "pipewire-0";
    if (!name.empty() && name[0] == '/') return name;
    const char* dir = std::getenv("PIPEWIRE_RUNTIME_DIR");
    if (!dir || !*dir) dir = std::getenv("XDG_RUNTIME_DIR");
    if (!dir || !*dir) return {};
    return std::string(dir) + "/" + name;
}

std::string prop(const spa_dict* d, const char* key) {
    const char* v = d ? spa_dict_lookup(d, key) : nullptr;
    return v ? v : "";
}

// "[ AUX0 AUX1 ]" or "FL,FR" -> {"AUX0", "AUX1"}.
std::vector<std::string> split_positions(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : s) {
        if (ch == '[' || ch == ']' || ch == ',' || ch == ' ' || ch == '"') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// The "name" of a metadata JSON value such as {"name":"hr-8ch"}.
std::string json_name(const char* value) {
    if (!value) return {};
    const std::string v = value;
    const auto k = v.find("\"name\"");
    if (k == std::string::npos) return {};
    const auto a = v.find('"', v.find(':', k) + 1);
    if (a == std::string::npos) return {};
    const auto b = v.find('"', a + 1);
    return b == std::string::npos ? std::string() : v.substr(a + 1, b - a - 1);
}

void init_pipewire_once() {
    static std::once_flag once;
    std::call_once(once, [] { pw_init(nullptr, nullptr); });
}

} // namespace

std::string pipewire_channel_name(const std::string& position, int channel) {
    static const std::pair<const char*, const char*> kNames[] = {
        {"MONO", "Mono"},          {"FL", "Front Left"},        {"FR", "Front Right"},
        {"FC", "Center"},          {"LFE", "LFE"},              {"SL", "Side Left"},
        {"SR", "Side Right"},      {"RL", "Rear Left"},         {"RR", "Rear Right"},
        {"RC", "Rear Center"},     {"FLC", "Front Left Center"}, {"FRC", "Front Right Center"},
        {"TC", "Top Center"},      {"TFL", "Top Front Left"},   {"TFR", "Top Front Right"},
        {"TFC", "Top Front Center"}, {"TRL", "Top Rear Left"},  {"TRR", "Top Rear Right"},
        {"TRC", "Top Rear Center"}, {"LFE2", "LFE 2"},          {"FLW", "Front Left Wide"},
        {"FRW", "Front Right Wide"}};
    if (position.empty() || position == "UNK" || position == "NA") return "In " + std::to_string(channel);
    for (const auto& [pos, name] : kNames)
        if (position == pos) return name;
    if (position.size() > 3 && position.compare(0, 3, "AUX") == 0 &&
        std::all_of(position.begin() + 3, position.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return "Aux " + std::to_string(std::atoi(position.c_str() + 3) + 1);
    return position;
}

bool pipewire_source_matches(const PwSourceEntry& s, const std::string& lower_want, bool exact) {
    for (const std::string* n : {&s.name, &s.description}) {
        const std::string l = ascii_lower(*n);
        if (exact ? l == lower_want : (!lower_want.empty() && l.find(lower_want) != std::string::npos)) return true;
    }
    return false;
}

bool pipewire_running() {
    const std::string path = socket_path();
    struct stat st {};
    if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path) || ::stat(path.c_str(), &st) != 0 ||
        !S_ISSOCK(st.st_mode))
        return false;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// ---- the connection -------------------------------------------------------------------------

struct PwConnection::Impl {
    struct Node {
        PwConnection::Impl* owner = nullptr;
        pw_proxy* proxy = nullptr;
        spa_hook listener{};
        PwSourceEntry entry;
    };
    struct Meta {
        PwConnection::Impl* owner = nullptr;
        pw_proxy* proxy = nullptr;
        spa_hook listener{};
        bool is_default = false;  // "default", else "settings"
    };
    PwConnection* self = nullptr;
    pw_registry* registry = nullptr;
    spa_hook registry_listener{};
    spa_hook core_listener{};
    std::map<std::uint32_t, std::unique_ptr<Node>> nodes;   // loop thread (or under the lock)
    std::map<std::uint32_t, std::unique_ptr<Meta>> metas;
    std::map<std::uint32_t, std::uint32_t> link_inputs;     // link id -> its input node id
    std::string default_source;                             // node.name
    double clock_rate = 0.0;
    int pending_seq = -1;
    bool synced = false;

    static void on_node_info(void* data, const pw_node_info* info) {
        auto* n = static_cast<Node*>(data);
        if (!info || !(info->change_mask & PW_NODE_CHANGE_MASK_PROPS) || !info->props) return;
        const spa_dict* p = info->props;
        n->entry.name = prop(p, PW_KEY_NODE_NAME);
        n->entry.description = prop(p, PW_KEY_NODE_DESCRIPTION);
        if (n->entry.description.empty()) n->entry.description = prop(p, PW_KEY_NODE_NICK);
        if (n->entry.description.empty()) n->entry.description = n->entry.name;
        n->entry.media_class = prop(p, PW_KEY_MEDIA_CLASS);
        n->entry.channels = std::atoi(prop(p, PW_KEY_AUDIO_CHANNELS).c_str());
        n->entry.positions = split_positions(prop(p, "audio.position"));
        n->entry.rate = std::atof(prop(p, PW_KEY_AUDIO_RATE).c_str());
        if (n->entry.channels <= 0) n->entry.channels = static_cast<int>(n->entry.positions.size());
    }
    static int on_meta_property(void* data, uint32_t subject, const char* key, const char*, const char* value) {
        auto* m = static_cast<Meta*>(data);
        if (subject != PW_ID_CORE || !key) return 0;
        if (m->is_default && std::strcmp(key, "default.audio.source") == 0) m->owner->default_source = json_name(value);
        if (!m->is_default && std::strcmp(key, "clock.rate") == 0) m->owner->clock_rate = value ? std::atof(value) : 0.0;
        return 0;
    }
    static void on_global(void* data, uint32_t id, uint32_t, const char* type, uint32_t, const spa_dict* props) {
        auto* im = static_cast<Impl*>(data);
        if (std::strcmp(type, PW_TYPE_INTERFACE_Node) == 0) {
            if (prop(props, PW_KEY_MEDIA_CLASS).rfind("Audio/Source", 0) != 0) return;
            auto n = std::make_unique<Node>();
            n->owner = im;
            n->entry.id = id;
            n->proxy = static_cast<pw_proxy*>(pw_registry_bind(im->registry, id, type, PW_VERSION_NODE, 0));
            if (!n->proxy) return;
            static const pw_node_events events = {PW_VERSION_NODE_EVENTS, &Impl::on_node_info, nullptr};
            pw_proxy_add_object_listener(n->proxy, &n->listener, &events, n.get());
            im->nodes[id] = std::move(n);
        } else if (std::strcmp(type, PW_TYPE_INTERFACE_Link) == 0) {
            const std::string in = prop(props, PW_KEY_LINK_INPUT_NODE);
            if (!in.empty()) im->link_inputs[id] = static_cast<std::uint32_t>(std::strtoul(in.c_str(), nullptr, 10));
        } else if (std::strcmp(type, PW_TYPE_INTERFACE_Metadata) == 0) {
            const std::string name = prop(props, PW_KEY_METADATA_NAME);
            if (name != "default" && name != "settings") return;
            auto m = std::make_unique<Meta>();
            m->owner = im;
            m->is_default = name == "default";
            m->proxy = static_cast<pw_proxy*>(pw_registry_bind(im->registry, id, type, PW_VERSION_METADATA, 0));
            if (!m->proxy) return;
            static const pw_metadata_events events = {PW_VERSION_METADATA_EVENTS, &Impl::on_meta_property};
            pw_proxy_add_object_listener(m->proxy, &m->listener, &events, m.get());
            im->metas[id] = std::move(m);
        }
    }
    static void on_global_remove(void* data, uint32_t id) {
        auto* im = static_cast<Impl*>(data);
        if (auto it = im->nodes.find(id); it != im->nodes.end()) {
            spa_hook_remove(&it->second->listener);
            pw_proxy_destroy(it->second->proxy);
            im->nodes.erase(it);
        }
        if (auto it = im->metas.find(id); it != im->metas.end()) {
            spa_hook_remove(&it->second->listener);
            pw_proxy_destroy(it->second->proxy);
            im->metas.erase(it);
        }
        if (auto it = im->link_inputs.find(id); it != im->link_inputs.end()) {
            if (it->second == im->self->link_target_.load(std::memory_order_relaxed))
                im->self->unlinked_.store(true, std::memory_order_release);
            im->link_inputs.erase(it);
        }
        if (id == im->self->watched_.load(std::memory_order_relaxed))
            im->self->watched_gone_.store(true, std::memory_order_release);
    }
    static void on_core_done(void* data, uint32_t id, int seq) {
        auto* im = static_cast<Impl*>(data);
        if (id == PW_ID_CORE && seq == im->pending_seq) {
            im->synced = true;
            pw_thread_loop_signal(im->self->loop_, false);
        }
    }
    static void on_core_error(void* data, uint32_t id, int, int res, const char* message) {
        auto* im = static_cast<Impl*>(data);
        spdlog::debug("pipewire: error on object {}: {} ({})", id, message ? message : "", res);
        if (id == PW_ID_CORE && res == -EPIPE) {
            im->self->broken_.store(true, std::memory_order_release);
            pw_thread_loop_signal(im->self->loop_, false);
        }
    }
};

std::unique_ptr<PwConnection> PwConnection::open(std::string& why) {
    if (!pipewire_running()) {
        why = "no PipeWire daemon answers at '" + socket_path() + "'";
        return nullptr;
    }
    init_pipewire_once();
    std::unique_ptr<PwConnection> c(new PwConnection());
    c->impl_ = std::make_unique<Impl>();
    c->impl_->self = c.get();
    StderrToDebugLog quiet("pipewire connect");
    c->loop_ = pw_thread_loop_new("headroom-pw", nullptr);
    if (!c->loop_ || pw_thread_loop_start(c->loop_) != 0) {
        why = "cannot start PipeWire's loop thread";
        return nullptr;
    }
    pw_thread_loop_lock(c->loop_);
    c->context_ = pw_context_new(pw_thread_loop_get_loop(c->loop_), nullptr, 0);
    if (c->context_) c->core_ = pw_context_connect(c->context_, nullptr, 0);
    if (!c->core_) {
        why = std::string("cannot connect to PipeWire: ") + std::strerror(errno);
        pw_thread_loop_unlock(c->loop_);
        return nullptr;
    }
    static const pw_core_events core_events = [] {
        pw_core_events e{};
        e.version = PW_VERSION_CORE_EVENTS;
        e.done = &Impl::on_core_done;
        e.error = &Impl::on_core_error;
        return e;
    }();
    pw_core_add_listener(c->core_, &c->impl_->core_listener, &core_events, c->impl_.get());
    c->impl_->registry = pw_core_get_registry(c->core_, PW_VERSION_REGISTRY, 0);
    static const pw_registry_events registry_events = {PW_VERSION_REGISTRY_EVENTS, &Impl::on_global,
                                                       &Impl::on_global_remove};
    pw_registry_add_listener(c->impl_->registry, &c->impl_->registry_listener, &registry_events, c->impl_.get());
    pw_thread_loop_unlock(c->loop_);
    c->sync();  // the globals
    c->sync();  // the bound nodes' info and the metadata properties
    if (c->broken()) {
        why = "PipeWire closed the connection";
        return nullptr;
    }
    return c;
}

void PwConnection::sync() {
    pw_thread_loop_lock(loop_);
    impl_->synced = false;
    impl_->pending_seq = pw_core_sync(core_, PW_ID_CORE, 0);
    timespec deadline{};
    pw_thread_loop_get_time(loop_, &deadline, static_cast<int64_t>(kWaitSeconds) * SPA_NSEC_PER_SEC);
    while (!impl_->synced && !broken())
        if (pw_thread_loop_timed_wait_full(loop_, &deadline) != 0) break;
    pw_thread_loop_unlock(loop_);
}

PwConnection::~PwConnection() {
    if (!loop_) return;
    StderrToDebugLog quiet("pipewire disconnect");
    pw_thread_loop_stop(loop_);  // no event runs after this
    if (impl_) {
        for (auto& [id, n] : impl_->nodes) {
            spa_hook_remove(&n->listener);
            pw_proxy_destroy(n->proxy);
        }
        for (auto& [id, m] : impl_->metas) {
            spa_hook_remove(&m->listener);
            pw_proxy_destroy(m->proxy);
        }
        if (impl_->registry) {
            spa_hook_remove(&impl_->registry_listener);
            pw_proxy_destroy(reinterpret_cast<pw_proxy*>(impl_->registry));
        }
    }
    if (core_) pw_core_disconnect(core_);
    if (context_) pw_context_destroy(context_);
    pw_thread_loop_destroy(loop_);
}

std::vector<PwSourceEntry> PwConnection::sources() {
    std::vector<PwSourceEntry> out;
    pw_thread_loop_lock(loop_);
    for (const auto& [id, n] : impl_->nodes) {
        if (n->entry.name.empty()) continue;  // info not seen yet
        PwSourceEntry e = n->entry;
        if (e.rate <= 0.0) e.rate = impl_->clock_rate > 0.0 ? impl_->clock_rate : 48000.0;  // PipeWire's default
        e.is_default = e.name == impl_->default_source;
        out.push_back(std::move(e));
    }
    pw_thread_loop_unlock(loop_);
    return out;
}

void PwConnection::watch(std::uint32_t id) {
    pw_thread_loop_lock(loop_);
    watched_.store(id, std::memory_order_relaxed);
    watched_gone_.store(false, std::memory_order_release);
    pw_thread_loop_unlock(loop_);
}

void PwConnection::watch_links_into(std::uint32_t id) {
    link_target_.store(id, std::memory_order_relaxed);
    unlinked_.store(false, std::memory_order_release);
}

void PwConnection::lock() { pw_thread_loop_lock(loop_); }
void PwConnection::unlock() { pw_thread_loop_unlock(loop_); }

std::optional<std::vector<PwSourceEntry>> pipewire_sources() {
    std::string why;
    auto c = PwConnection::open(why);
    if (!c) {
        spdlog::debug("pipewire: {}", why);
        return std::nullopt;
    }
    return c->sources();
}

} // namespace headroom
