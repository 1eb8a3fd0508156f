#include "engine/session/session_format.hpp"

#include <cmath>

namespace headroom {
using ojson = nlohmann::ordered_json;
using nlohmann::json;

namespace {

ojson number_or_null(const std::optional<double>& v) { return v ? ojson(*v) : ojson(nullptr); }
ojson count_or_null(const std::optional<std::uint64_t>& v) { return v ? ojson(*v) : ojson(nullptr); }
ojson text_or_null(const std::optional<std::string>& v) { return v ? ojson(*v) : ojson(nullptr); }
std::int64_t whole_hz(double rate) { return std::llround(rate); }

// The value under `key`, or `fallback` when it is missing, null or of another type.
template <class T>
T get_or(const json& j, const char* key, T fallback) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        return fallback;
    }
}

std::optional<double> opt_number(const json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

std::optional<std::uint64_t> opt_count(const json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<std::uint64_t>();
}

std::optional<std::string> opt_text(const json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// An array of strings; an element that is not a string reads as "".
std::vector<std::string> text_list(const json& j, const char* key) {
    std::vector<std::string> out;
    for (const auto& v : get_or<std::vector<json>>(j, key, {})) out.push_back(v.is_string() ? v.get<std::string>() : "");
    return out;
}

ojson line_head(std::string_view type, const std::string& time) {
    ojson j;
    j["type"] = type;
    j["time"] = time;
    return j;
}

ojson to_json(const BandsRecord& b) {
    ojson j;
    for (int i = 0; i < kBandCount; ++i)
        j[std::string(kBandNames[i])] = {{"peak_dbfs", number_or_null(b[i].peak_dbfs)},
                                         {"rms_dbfs", number_or_null(b[i].rms_dbfs)}};
    return j;
}

ojson bands_or_null(const std::optional<BandsRecord>& b) { return b ? to_json(*b) : ojson(nullptr); }

std::optional<BandsRecord> opt_bands(const json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_object()) return std::nullopt;
    BandsRecord b;
    for (int i = 0; i < kBandCount; ++i) {
        const json band = get_or<json>(*it, std::string(kBandNames[i]).c_str(), json::object());
        b[i].peak_dbfs = opt_number(band, "peak_dbfs");
        b[i].rms_dbfs = opt_number(band, "rms_dbfs");
    }
    return b;
}

std::vector<int> int_list(const json& j, const char* key) {
    std::vector<int> out;
    for (const auto& v : get_or<std::vector<json>>(j, key, {}))
        if (v.is_number_integer()) out.push_back(v.get<int>());
    return out;
}

} // namespace

// ---- session.json ----

ojson to_json(const ChannelSummaryRecord& r) {
    ojson j;
    j["channel"] = r.channel;
    j["preset"] = r.preset;
    j["sample_peak_dbfs"] = number_or_null(r.sample_peak_dbfs);
    j["true_peak_dbtp"] = number_or_null(r.true_peak_dbtp);
    j["rms_dbfs"] = number_or_null(r.rms_dbfs);
    j["rms_max_dbfs"] = number_or_null(r.rms_max_dbfs);
    j["clip_events"] = r.clip_events;
    j["clipped_samples"] = r.clipped_samples;
    j["nonfinite_samples"] = r.nonfinite_samples;
    j["gain_advice_db"] = number_or_null(r.gain_advice_db);
    j["bands"] = bands_or_null(r.bands);
    j["low_share_db"] = number_or_null(r.low_share_db);
    return j;
}

ojson to_json(const BusSummaryRecord& r) {
    ojson j;
    j["name"] = r.name;
    j["channels"] = r.channels;
    j["preset"] = r.preset;
    j["sample_peak_dbfs"] = number_or_null(r.sample_peak_dbfs);
    j["true_peak_dbtp"] = number_or_null(r.true_peak_dbtp);
    j["headroom_db"] = number_or_null(r.headroom_db);
    j["integrated_lufs"] = number_or_null(r.integrated_lufs);
    j["momentary_max_lufs"] = number_or_null(r.momentary_max_lufs);
    j["short_term_max_lufs"] = number_or_null(r.short_term_max_lufs);
    j["loudness_range_lu"] = number_or_null(r.loudness_range_lu);
    j["plr_lu"] = number_or_null(r.plr_lu);
    j["bands"] = bands_or_null(r.bands);
    j["low_share_db"] = number_or_null(r.low_share_db);
    return j;
}

BusSummaryRecord bus_summary_from_json(const json& j) {
    BusSummaryRecord r;
    r.name = get_or<std::string>(j, "name", "");
    r.channels = int_list(j, "channels");
    r.preset = get_or<std::string>(j, "preset", "");
    r.sample_peak_dbfs = opt_number(j, "sample_peak_dbfs");
    r.true_peak_dbtp = opt_number(j, "true_peak_dbtp");
    r.headroom_db = opt_number(j, "headroom_db");
    r.integrated_lufs = opt_number(j, "integrated_lufs");
    r.momentary_max_lufs = opt_number(j, "momentary_max_lufs");
    r.short_term_max_lufs = opt_number(j, "short_term_max_lufs");
    r.loudness_range_lu = opt_number(j, "loudness_range_lu");
    r.plr_lu = opt_number(j, "plr_lu");
    r.bands = opt_bands(j, "bands");
    r.low_share_db = opt_number(j, "low_share_db");
    return r;
}

ChannelSummaryRecord channel_summary_from_json(const json& j) {
    ChannelSummaryRecord r;
    r.channel = get_or<int>(j, "channel", 0);
    r.preset = get_or<std::string>(j, "preset", "");
    r.sample_peak_dbfs = opt_number(j, "sample_peak_dbfs");
    r.true_peak_dbtp = opt_number(j, "true_peak_dbtp");
    r.rms_dbfs = opt_number(j, "rms_dbfs");
    r.rms_max_dbfs = opt_number(j, "rms_max_dbfs");
    r.clip_events = get_or<std::uint64_t>(j, "clip_events", 0);
    r.clipped_samples = get_or<std::uint64_t>(j, "clipped_samples", 0);
    r.nonfinite_samples = get_or<std::uint64_t>(j, "nonfinite_samples", 0);
    r.gain_advice_db = opt_number(j, "gain_advice_db");
    r.bands = opt_bands(j, "bands");
    r.low_share_db = opt_number(j, "low_share_db");
    return r;
}

ojson to_json(const SessionFileRecord& r) {
    ojson j;
    j["headroom_version"] = r.headroom_version;
    j["source"] = r.source;
    j["device"] = r.device;
    j["host_api"] = r.host_api;
    j["sample_rate"] = whole_hz(r.sample_rate);
    j["buffer_frames"] = r.buffer_frames;
    j["channels"] = r.channels;
    j["channel_names"] = r.channel_names;
    j["presets"] = r.presets;
    ojson windows = ojson::array();
    for (const auto& p : r.preset_windows)
        windows.push_back({{"id", p.id}, {"name", p.name}, {"lo_dbfs", p.lo_dbfs}, {"hi_dbfs", p.hi_dbfs}});
    j["preset_windows"] = windows;
    j["start_time"] = text_or_null(r.start_time);
    j["end_time"] = text_or_null(r.end_time);
    j["meter"] = {{"clip_threshold_dbfs", r.meter.clip_threshold_dbfs},
                  {"clip_min_run", r.meter.clip_min_run},
                  {"merge_ms", r.meter.merge_ms},
                  {"hot_merge_ms", r.meter.hot_merge_ms},
                  {"rms_window_ms", r.meter.rms_window_ms},
                  {"true_peak", r.meter.true_peak},
                  {"bands", r.meter.bands}};
    ojson buses = ojson::array();
    for (const auto& b : r.buses) buses.push_back({{"name", b.name}, {"channels", b.channels}, {"preset", b.preset}});
    j["buses"] = std::move(buses);
    j["levels"] = {{"file", r.levels.file},
                   {"rate_hz", r.levels.rate_hz},
                   {"tick_frames", r.levels.tick_frames},
                   {"channels", r.levels.channels},
                   {"buses", r.levels.buses},
                   {"layout", r.levels.layout}};
    if (r.frames) j["frames"] = *r.frames;
    if (r.channel_summary) {
        ojson a = ojson::array();
        for (const auto& c : *r.channel_summary) a.push_back(to_json(c));
        j["channel_summary"] = std::move(a);
    }
    if (r.bus_summary) {
        ojson a = ojson::array();
        for (const auto& b : *r.bus_summary) a.push_back(to_json(b));
        j["bus_summary"] = std::move(a);
    }
    return j;
}

SessionFileRecord session_file_from_json(const json& j) {
    SessionFileRecord r;
    r.headroom_version = get_or<std::string>(j, "headroom_version", "");
    r.source = get_or<std::string>(j, "source", "");
    r.device = get_or<std::string>(j, "device", "");
    r.host_api = get_or<std::string>(j, "host_api", "");
    r.sample_rate = get_or<double>(j, "sample_rate", 0.0);
    r.buffer_frames = get_or<int>(j, "buffer_frames", 0);
    r.channels = get_or<int>(j, "channels", 0);
    r.channel_names = text_list(j, "channel_names");
    r.presets = text_list(j, "presets");
    for (const auto& w : get_or<std::vector<json>>(j, "preset_windows", {})) {
        Preset p;
        p.id = get_or<std::string>(w, "id", "");
        p.name = get_or<std::string>(w, "name", "");
        p.lo_dbfs = get_or<double>(w, "lo_dbfs", p.lo_dbfs);
        p.hi_dbfs = get_or<double>(w, "hi_dbfs", p.hi_dbfs);
        r.preset_windows.push_back(std::move(p));
    }
    r.start_time = opt_text(j, "start_time");
    r.end_time = opt_text(j, "end_time");
    const json meter = get_or<json>(j, "meter", json::object());
    r.meter.clip_threshold_dbfs = get_or<double>(meter, "clip_threshold_dbfs", r.meter.clip_threshold_dbfs);
    r.meter.clip_min_run = get_or<int>(meter, "clip_min_run", r.meter.clip_min_run);
    r.meter.merge_ms = get_or<double>(meter, "merge_ms", r.meter.merge_ms);
    r.meter.hot_merge_ms = get_or<double>(meter, "hot_merge_ms", r.meter.hot_merge_ms);
    r.meter.rms_window_ms = get_or<double>(meter, "rms_window_ms", r.meter.rms_window_ms);
    r.meter.true_peak = get_or<bool>(meter, "true_peak", r.meter.true_peak);
    r.meter.bands = get_or<bool>(meter, "bands", r.meter.bands);
    for (const auto& b : get_or<std::vector<json>>(j, "buses", {}))
        r.buses.push_back({get_or<std::string>(b, "name", ""), int_list(b, "channels"), get_or<std::string>(b, "preset", "")});
    const json levels = get_or<json>(j, "levels", json::object());
    r.levels.file = get_or<std::string>(levels, "file", r.levels.file);
    r.levels.rate_hz = get_or<int>(levels, "rate_hz", r.levels.rate_hz);
    r.levels.tick_frames = get_or<std::uint64_t>(levels, "tick_frames", r.levels.tick_frames);
    r.levels.channels = get_or<int>(levels, "channels", r.levels.channels);
    r.levels.buses = get_or<int>(levels, "buses", r.levels.buses);
    r.levels.layout = get_or<std::string>(levels, "layout", r.levels.layout);
    if (j.is_object() && j.contains("frames")) r.frames = get_or<std::uint64_t>(j, "frames", 0);
    if (const auto a = get_or<std::vector<json>>(j, "channel_summary", {}); !a.empty()) {
        r.channel_summary.emplace();
        for (const auto& c : a) r.channel_summary->push_back(channel_summary_from_json(c));
    }
    if (j.is_object() && j.contains("bus_summary")) {
        r.bus_summary.emplace();
        for (const auto& b : get_or<std::vector<json>>(j, "bus_summary", {}))
            r.bus_summary->push_back(bus_summary_from_json(b));
    }
    return r;
}

std::string session_json_text(const SessionFileRecord& r) {
    return to_json(r).dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

// ---- clips.jsonl ----

ojson event_object(const EventLine& l) {
    ojson j;
    j["channel"] = l.channel;
    j["start_sample"] = l.start_sample;
    j["start_s"] = l.start_s;
    j["end_s"] = l.end_s;
    j["runs"] = l.runs;
    j[l.type == line_type::clip ? "clipped_samples" : "samples"] = l.samples;
    j["sample_peak_dbfs"] = number_or_null(l.sample_peak_dbfs);
    j["true_peak_dbtp"] = number_or_null(l.true_peak_dbtp);
    j["peak_sample"] = count_or_null(l.peak_sample);
    j["peak_s"] = number_or_null(l.peak_s);
    return j;
}

std::string event_id(std::string_view type, int channel, std::uint64_t start_sample) {
    return std::string(type) + "-" + std::to_string(channel) + "-" + std::to_string(start_sample);
}

ojson to_json(const EventLine& l) {
    ojson j = line_head(l.type, l.time);
    j["id"] = l.id.empty() ? event_id(l.type, l.channel, l.start_sample) : l.id;
    j["provisional"] = l.provisional;
    j["channel"] = l.channel;
    j["start_sample"] = l.start_sample;
    j["start_s"] = l.start_s;
    j["end_s"] = l.end_s;
    j["runs"] = l.runs;
    j["samples"] = l.samples;
    if (l.type == line_type::clip) j["clipped_samples"] = l.samples;  // the §4 clip object's name
    j["sample_peak_dbfs"] = number_or_null(l.sample_peak_dbfs);
    j["true_peak_dbtp"] = number_or_null(l.true_peak_dbtp);
    j["peak_sample"] = count_or_null(l.peak_sample);
    j["peak_s"] = number_or_null(l.peak_s);
    j["transport_frame"] = count_or_null(l.transport_frame);
    j["transport_s"] = number_or_null(l.transport_s);
    j["channel_name"] = l.channel_name;
    return j;
}

ojson to_json(const StartLine& l) {
    ojson j = line_head(line_type::start, l.time);
    j["session"] = l.session;
    j["source"] = l.source;
    j["device"] = l.device;
    j["sample_rate"] = whole_hz(l.sample_rate);
    j["channels"] = l.channels;
    return j;
}

ojson to_json(const XrunLine& l) {
    ojson j = line_head(line_type::xrun, l.time);
    j["count"] = l.count;
    j["total"] = l.total;
    return j;
}

ojson to_json(const DeviceLostLine& l) {
    ojson j = line_head(line_type::device_lost, l.time);
    j["reason"] = l.reason;
    j["frames"] = l.frames;
    return j;
}

ojson to_json(const DeviceBackLine& l) {
    ojson j = line_head(line_type::device_back, l.time);
    j["frames"] = l.frames;
    if (l.sample_rate > 0.0) j["sample_rate"] = whole_hz(l.sample_rate);
    if (l.channels > 0) j["channels"] = l.channels;
    return j;
}

ojson to_json(const DroppedLine& l) {
    ojson j = line_head(line_type::dropped, l.time);
    j["count"] = l.count;
    j["total"] = l.total;
    return j;
}

ojson to_json(const WriteErrorLine& l) {
    ojson j = line_head(line_type::write_error, l.time);
    j["error"] = l.error;
    j["records_lost"] = l.records_lost;
    return j;
}

ojson to_json(const StopLine& l) {
    ojson j = line_head(line_type::stop, l.time);
    j["frames"] = l.frames;
    j["duration_s"] = l.duration_s;
    j["dropped_events"] = l.dropped_events;
    return j;
}

ojson to_json(const OtherLine& l) { return line_head(l.type, l.time); }

std::string clips_line_text(const ojson& line) {
    return line.dump(-1, ' ', false, ojson::error_handler_t::replace) + "\n";
}

ClipsLine clips_line_from_json(const json& j) {
    const std::string type = get_or<std::string>(j, "type", "");
    const std::string time = get_or<std::string>(j, "time", "");
    if (type == line_type::clip || type == line_type::hot || type == line_type::nonfinite) {
        EventLine l;
        l.type = type;
        l.time = time;
        l.channel = get_or<int>(j, "channel", 0);
        l.start_sample = get_or<std::uint64_t>(j, "start_sample", 0);
        l.start_s = get_or<double>(j, "start_s", 0.0);
        l.end_s = get_or<double>(j, "end_s", l.start_s);
        l.runs = get_or<std::uint64_t>(j, "runs", 0);
        l.samples = get_or<std::uint64_t>(j, j.contains("samples") ? "samples" : "clipped_samples", 0);
        l.sample_peak_dbfs = opt_number(j, "sample_peak_dbfs");
        l.true_peak_dbtp = opt_number(j, "true_peak_dbtp");
        l.channel_name = get_or<std::string>(j, "channel_name", "");
        l.id = get_or<std::string>(j, "id", event_id(type, l.channel, l.start_sample));
        l.provisional = get_or<bool>(j, "provisional", false);
        l.peak_sample = opt_count(j, "peak_sample");
        l.peak_s = opt_number(j, "peak_s");
        l.transport_frame = opt_count(j, "transport_frame");
        l.transport_s = opt_number(j, "transport_s");
        return l;
    }
    if (type == line_type::start)
        return StartLine{time, get_or<std::string>(j, "session", ""), get_or<std::string>(j, "source", ""),
                         get_or<std::string>(j, "device", ""), get_or<double>(j, "sample_rate", 0.0),
                         get_or<int>(j, "channels", 0)};
    if (type == line_type::xrun)
        return XrunLine{time, get_or<std::uint64_t>(j, "count", 0), get_or<std::uint64_t>(j, "total", 0)};
    if (type == line_type::device_lost)
        return DeviceLostLine{time, get_or<std::string>(j, "reason", ""), get_or<std::uint64_t>(j, "frames", 0)};
    if (type == line_type::device_back)
        return DeviceBackLine{time, get_or<std::uint64_t>(j, "frames", 0), get_or<double>(j, "sample_rate", 0.0),
                              get_or<int>(j, "channels", 0)};
    if (type == line_type::dropped)
        return DroppedLine{time, get_or<std::uint64_t>(j, "count", 0), get_or<std::uint64_t>(j, "total", 0)};
    if (type == line_type::write_error)
        return WriteErrorLine{time, get_or<std::string>(j, "error", ""), get_or<std::uint64_t>(j, "records_lost", 0)};
    if (type == line_type::stop)
        return StopLine{time, get_or<std::uint64_t>(j, "frames", 0), get_or<double>(j, "duration_s", 0.0),
                        get_or<std::uint64_t>(j, "dropped_events", 0)};
    return OtherLine{type, time};
}

namespace {

// Key checks for clips_line_well_formed: present (unless optional) and of the writer's type.
bool has_count(const json& j, const char* key) { return j.contains(key) && j[key].is_number_unsigned(); }
bool has_seconds(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number()) return false;
    const double v = j[key].get<double>();
    return std::isfinite(v) && v >= 0.0;
}
bool has_text(const json& j, const char* key) { return j.contains(key) && j[key].is_string(); }
bool db_or_absent(const json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return true;
    return j[key].is_number() && std::isfinite(j[key].get<double>());
}
bool count_or_absent(const json& j, const char* key) {
    return !j.contains(key) || j[key].is_null() || j[key].is_number_unsigned();
}
bool seconds_or_absent(const json& j, const char* key) {
    return !j.contains(key) || j[key].is_null() || has_seconds(j, key);
}

} // namespace

bool clips_line_well_formed(const json& j) {
    if (!j.is_object() || !has_text(j, "type") || !has_text(j, "time")) return false;
    const std::string type = j["type"].get<std::string>();
    if (type == line_type::clip || type == line_type::hot || type == line_type::nonfinite) {
        const bool samples = has_count(j, "samples") || (type == line_type::clip && has_count(j, "clipped_samples"));
        return j.contains("channel") && j["channel"].is_number_unsigned() && j["channel"].get<std::uint64_t>() >= 1 &&
               j["channel"].get<std::uint64_t>() <= 65536 && has_count(j, "start_sample") && has_seconds(j, "start_s") &&
               has_seconds(j, "end_s") && j["end_s"].get<double>() >= j["start_s"].get<double>() &&
               has_count(j, "runs") && samples && db_or_absent(j, "sample_peak_dbfs") &&
               db_or_absent(j, "true_peak_dbtp") && count_or_absent(j, "peak_sample") &&
               seconds_or_absent(j, "peak_s") && count_or_absent(j, "transport_frame") &&
               seconds_or_absent(j, "transport_s") && (!j.contains("id") || j["id"].is_string()) &&
               (!j.contains("provisional") || j["provisional"].is_boolean()) &&
               (!j.contains("channel_name") || j["channel_name"].is_string());
    }
    // Other lines: a key that is there has the writer's type (a hand-made or older line may
    // leave keys out; what is missing reads as 0 or "").
    auto text_or_absent = [&](const char* key) { return !j.contains(key) || j[key].is_string(); };
    if (type == line_type::start)
        return text_or_absent("session") && text_or_absent("source") && text_or_absent("device") &&
               seconds_or_absent(j, "sample_rate") && count_or_absent(j, "channels");
    if (type == line_type::xrun || type == line_type::dropped)
        return count_or_absent(j, "count") && count_or_absent(j, "total");
    if (type == line_type::device_lost) return text_or_absent("reason") && count_or_absent(j, "frames");
    if (type == line_type::device_back)
        return count_or_absent(j, "frames") && seconds_or_absent(j, "sample_rate") && count_or_absent(j, "channels");
    if (type == line_type::write_error) return text_or_absent("error") && count_or_absent(j, "records_lost");
    if (type == line_type::stop)
        return count_or_absent(j, "frames") && seconds_or_absent(j, "duration_s") &&
               count_or_absent(j, "dropped_events");
    return true;  // a type of a later version: its type and time are all this one reads
}

} // namespace headroom
