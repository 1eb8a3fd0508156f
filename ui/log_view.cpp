#include "ui/log_view.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "engine/base/decibels.hpp"
#include "engine/settings/config.hpp"
#include "engine/base/errors.hpp"
#include "ui/colours.hpp"
#include "ui/meter_strip.hpp"

namespace headroom::ui {
namespace {

std::string opt_db(const std::optional<double>& v) { return v ? format_db(*v) : std::string("--"); }

// A button on the same line as the last item when it fits, else on the next (small windows:
// nothing is cut off at the right).
bool wrap_button(const char* label) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float w = ImGui::CalcTextSize(label).x + 2.0f * st.FramePadding.x;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + st.ItemSpacing.x + w <= right) ImGui::SameLine();
    return ImGui::Button(label);
}

bool wrap_checkbox(const char* label, bool* v) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float w = ImGui::GetFrameHeight() + st.ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + st.ItemSpacing.x + w <= right) ImGui::SameLine();
    return ImGui::Checkbox(label, v);
}

} // namespace

void LogView::set_sessions(const std::filesystem::path& sessions_dir, const std::filesystem::path& current) {
    sessions_dir_ = sessions_dir;
    current_ = current;
}

void LogView::load(const std::filesystem::path& folder) {
    shown_ = folder;
    try {
        log_ = read_session(folder);
        error_.clear();
    } catch (const std::exception& e) {
        log_ = SessionLog{};
        error_ = e.what();
    }
    rows_dirty_ = true;
    summary_ = summarize(log_, windows(), shown_ == current_ && have_live_ ? &live_ : nullptr);
    if (history_channel_ > log_.channels) history_channel_ = 1;
}

void LogView::set_live_summary(std::vector<ChannelSummaryRecord> records) {
    live_ = std::move(records);
    have_live_ = true;
    if (open && !shown_.empty() && shown_ == current_) summary_ = summarize(log_, windows(), &live_);
}

std::vector<std::pair<double, double>> LogView::windows() const {
    std::vector<std::pair<double, double>> w;
    for (int c = 1; c <= log_.channels; ++c) {
        const Preset* p = presets_ ? presets_->find(channel_preset(log_, c)) : nullptr;
        if (!p && presets_) p = &presets_->general();
        w.emplace_back(p ? p->lo_dbfs : -18.0, p ? p->hi_dbfs : -12.0);
    }
    return w;
}

void LogView::reload_if_due(double now) {
    const auto clips_bytes = [](const std::filesystem::path& folder) {
        std::error_code ec;
        const auto n = std::filesystem::file_size(folder / kClipsFile, ec);
        return ec ? std::uintmax_t{0} : n;
    };
    if (shown_.empty()) {
        if (!current_.empty()) load(current_);
        else if (!sessions_dir_.empty()) {
            try {
                past_ = list_sessions(sessions_dir_);
            } catch (const std::exception&) {
                past_.clear();
            }
            if (!past_.empty()) load(past_.back());
        }
        if (!current_.empty()) reload_.read_done(now, 0.0, clips_bytes(current_));
        return;
    }
    // The session being recorded grows: read it again when clips.jsonl grew (an event line is
    // on disk within 25 ms of the event), at most ~10 % of the UI thread's time.
    if (shown_ == current_) {
        const std::uintmax_t bytes = clips_bytes(current_);
        if (!reload_.due(now, bytes)) return;
        const auto t0 = std::chrono::steady_clock::now();
        load(current_);
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        reload_.read_done(now, took, bytes);
    }
}

void LogView::draw(const Fonts& fonts, double now, const Rect& place) {
    if (!open) {
        drawn_ = {};
        return;
    }
    reload_if_due(now);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    // Docked: pinned to the pane. Floating: placed at the right when it appears (or leaves
    // the pane), then where the engineer drags it.
    const ImGuiCond cond = docked ? ImGuiCond_Always : (was_docked_ ? ImGuiCond_Always : ImGuiCond_Appearing);
    was_docked_ = docked;
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + place.x0, vp->WorkPos.y + place.y0), cond);
    ImGui::SetNextWindowSize(ImVec2(place.w(), place.h()), cond);
    ImGui::SetNextWindowBgAlpha(1.0f);  // opaque over the bars
    ImGuiWindowFlags flags = ImGuiWindowFlags_NoCollapse;
    if (docked) flags |= ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoBringToFrontOnFocus;
    if (!ImGui::Begin("Clip log", &open, flags)) {
        ImGui::End();
        return;
    }
    drawn_ = {ImGui::GetWindowPos().x - vp->WorkPos.x, ImGui::GetWindowPos().y - vp->WorkPos.y,
              ImGui::GetWindowPos().x - vp->WorkPos.x + ImGui::GetWindowSize().x,
              ImGui::GetWindowPos().y - vp->WorkPos.y + ImGui::GetWindowSize().y};
    draw_session_picker();
    if (!error_.empty()) {
        ImGui::TextColored(to_vec4(kClipOn), "%s", error_.c_str());
        ImGui::End();
        return;
    }
    if (log_.torn_tail || log_.bad_lines > 0)
        ImGui::TextColored(to_vec4(zone_rgb(Zone::Hot)), "%s%zu unreadable line(s) skipped",
                           log_.torn_tail ? "torn last line ignored; " : "", log_.bad_lines);

    const float avail = ImGui::GetContentRegionAvail().y;
    // The table gets about half; in a small window at least its header and a few rows.
    const float row_h = ImGui::GetFrameHeightWithSpacing();
    const float table_h = std::max(std::min(avail * 0.48f, avail - 4.0f * row_h), std::min(avail, 4.0f * row_h));
    if (ImGui::BeginChild("##table", ImVec2(0, table_h), false)) draw_table(fonts);
    ImGui::EndChild();
    if (ImGui::BeginChild("##lower", ImVec2(0, 0), false)) {
        // Side by side when there is room, else the summary above the history.
        const bool side = ImGui::GetContentRegionAvail().x >= 640.0f * (ImGui::GetFontSize() / 16.0f);
        if (side && ImGui::BeginTable("##lowersplit", 2, ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV)) {
            ImGui::TableSetupColumn("summary", ImGuiTableColumnFlags_WidthStretch, 0.45f);
            ImGui::TableSetupColumn("history", ImGuiTableColumnFlags_WidthStretch, 0.55f);
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            draw_summary();
            ImGui::TableSetColumnIndex(1);
            draw_history(fonts);
            ImGui::EndTable();
        } else if (!side) {
            const float h = ImGui::GetContentRegionAvail().y;
            if (ImGui::BeginChild("##summarypane", ImVec2(0, h * 0.5f), false)) draw_summary();
            ImGui::EndChild();
            draw_history(fonts);
        }
    }
    ImGui::EndChild();
    ImGui::End();
}

void LogView::draw_session_picker() {
    const std::string label = shown_.empty() ? std::string("(none)") :
        (shown_ == current_ ? log_.name + "  (recording now)" : log_.name);
    ImGui::SetNextItemWidth(std::min(ImGui::GetFontSize() * 22.0f, ImGui::GetContentRegionAvail().x * 0.6f));
    if (ImGui::BeginCombo("Session", label.c_str())) {
        if (ImGui::IsWindowAppearing()) {  // list the folder once per opening, not every frame
            try {
                past_ = list_sessions(sessions_dir_);
            } catch (const std::exception&) {
                past_.clear();
            }
        }
        for (auto it = past_.rbegin(); it != past_.rend(); ++it) {
            std::string name = it->filename().string();
            if (*it == current_) name += "  (recording now)";
            if (ImGui::Selectable(name.c_str(), *it == shown_)) load(*it);
        }
        ImGui::EndCombo();
    }
    if (wrap_button("Reload") && !shown_.empty()) load(shown_);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    auto local = [vp](ImVec2 a, ImVec2 b) {
        return Rect{a.x - vp->WorkPos.x, a.y - vp->WorkPos.y, b.x - vp->WorkPos.x, b.y - vp->WorkPos.y};
    };
    if (wrap_button("Export CSV")) export_to(true);
    const ImVec2 csv0 = ImGui::GetItemRectMin();
    if (wrap_button("Export Audacity labels")) export_to(false);
    export_rect_ = local(ImVec2(std::min(csv0.x, ImGui::GetItemRectMin().x), csv0.y), ImGui::GetItemRectMax());
    if (wrap_button(docked ? "Float" : "Dock beside the bridge")) docked = !docked;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", docked ? "A window over the bridge" : "A side pane: the bridge keeps the rest of the window");
    if (!export_message_.empty()) ImGui::TextWrapped("%s", export_message_.c_str());

    // Filters: channel and type.
    ImGui::SetNextItemWidth(std::min(ImGui::GetFontSize() * 12.0f, ImGui::GetContentRegionAvail().x * 0.5f));
    const std::string ch_label = filter_.channel == 0 ? std::string("all channels") :
        std::to_string(filter_.channel) + " " + channel_name(log_, filter_.channel);
    if (ImGui::BeginCombo("Channel", ch_label.c_str())) {
        if (ImGui::Selectable("all channels", filter_.channel == 0)) { filter_.channel = 0; rows_dirty_ = true; }
        for (int c = 1; c <= log_.channels; ++c) {
            const std::string n = std::to_string(c) + " " + channel_name(log_, c);
            if (ImGui::Selectable(n.c_str(), filter_.channel == c)) { filter_.channel = c; rows_dirty_ = true; }
        }
        ImGui::EndCombo();
    }
    rows_dirty_ |= wrap_checkbox("clip", &filter_.clip);
    rows_dirty_ |= wrap_checkbox("hot", &filter_.hot);
    rows_dirty_ |= wrap_checkbox("non-finite", &filter_.nonfinite);
    rows_dirty_ |= wrap_checkbox("xruns, device", &filter_.other);
}

void LogView::export_to(bool csv) {
    if (shown_.empty()) return;
    const auto path = shown_ / (csv ? "clips.csv" : "clips-audacity.txt");
    try {
        write_text_atomically(path, csv ? session_csv(log_) : audacity_labels(log_));
        export_message_ = "wrote " + path.string();
    } catch (const std::exception& e) {
        export_message_ = std::string("export failed: ") + e.what();
    }
}

void LogView::draw_table(const Fonts& fonts) {
    (void)fonts;
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_BordersOuter | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("##log", 9, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("time", 0, 1.6f, static_cast<ImGuiID>(LogColumn::Time));
    ImGui::TableSetupColumn("timecode", ImGuiTableColumnFlags_DefaultSort, 1.2f, static_cast<ImGuiID>(LogColumn::Timecode));
    ImGui::TableSetupColumn("channel", 0, 1.3f, static_cast<ImGuiID>(LogColumn::Channel));
    ImGui::TableSetupColumn("preset", 0, 1.0f, static_cast<ImGuiID>(LogColumn::Preset));
    ImGui::TableSetupColumn("type", 0, 0.7f, static_cast<ImGuiID>(LogColumn::Type));
    ImGui::TableSetupColumn("sample peak", 0, 0.9f, static_cast<ImGuiID>(LogColumn::SamplePeak));
    ImGui::TableSetupColumn("true peak", 0, 0.9f, static_cast<ImGuiID>(LogColumn::TruePeak));
    ImGui::TableSetupColumn("duration ms", 0, 0.9f, static_cast<ImGuiID>(LogColumn::Duration));
    ImGui::TableSetupColumn("runs", 0, 0.5f, static_cast<ImGuiID>(LogColumn::Runs));
    ImGui::TableHeadersRow();

    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
        if (specs->SpecsDirty) {
            sort_column_ = static_cast<LogColumn>(specs->Specs[0].ColumnUserID);
            sort_ascending_ = specs->Specs[0].SortDirection != ImGuiSortDirection_Descending;
            specs->SpecsDirty = false;
            rows_dirty_ = true;
        }
    }
    if (rows_dirty_) {
        rows_ = filter_entries(log_, filter_);
        sort_entries(rows_, log_, sort_column_, sort_ascending_);
        rows_dirty_ = false;
    }

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows_.size()));
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const int idx = rows_[r];
            const SessionEntry& e = log_.entries[idx];
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::PushID(idx);
            const std::string time = e.time.size() > 11 ? e.time.substr(11) : e.time;  // hh:mm:ss.mmm...
            if (ImGui::Selectable(time.c_str(), selected_ == idx, ImGuiSelectableFlags_SpanAllColumns)) {
                selected_ = idx;
                highlighted_ = e.channel;
                if (e.channel > 0) history_channel_ = e.channel;
            }
            ImGui::PopID();
            ImGui::TableSetColumnIndex(1);
            ImGui::TextUnformatted(session_timecode(e.start_s).c_str());
            ImGui::TableSetColumnIndex(2);
            if (e.channel > 0) ImGui::Text("%d %s", e.channel, channel_name(log_, e.channel).c_str());
            ImGui::TableSetColumnIndex(3);
            ImGui::TextUnformatted(channel_preset(log_, e.channel).c_str());
            ImGui::TableSetColumnIndex(4);
            const Rgb tc = e.type == "clip" ? kClipOn : (e.type == "hot" ? zone_rgb(Zone::Hot) : kTextDim);
            ImGui::TextColored(to_vec4(tc), "%s", e.type.c_str());
            ImGui::TableSetColumnIndex(5);
            ImGui::TextUnformatted(opt_db(e.sample_peak_dbfs).c_str());
            if (const std::string loudest = loudest_moment_text(e); !loudest.empty() && ImGui::IsItemHovered())
                ImGui::SetTooltip("%s", loudest.c_str());
            ImGui::TableSetColumnIndex(6);
            ImGui::TextUnformatted(opt_db(e.true_peak_dbtp).c_str());
            ImGui::TableSetColumnIndex(7);
            if (e.channel > 0) ImGui::Text("%.1f", duration_ms(e));
            ImGui::TableSetColumnIndex(8);
            if (e.channel > 0) ImGui::Text("%llu", static_cast<unsigned long long>(e.runs));
        }
    }
    ImGui::EndTable();
}

void LogView::draw_summary() {
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersOuter |
                                  ImGuiTableFlags_SizingStretchProp;
    const ImVec2 top = ImGui::GetCursorScreenPos();
    if (!ImGui::BeginTable("##summary", 5, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("channel", 0, 1.6f);
    ImGui::TableSetupColumn("clips", 0, 0.6f);
    ImGui::TableSetupColumn("max peak", 0, 0.9f);
    ImGui::TableSetupColumn("max TP", 0, 0.9f);
    ImGui::TableSetupColumn("gain", 0, 0.8f);
    ImGui::TableHeadersRow();
    {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        const float x1 = ImGui::GetItemRectMax().x;  // the last header cell's right edge
        summary_header_ = {top.x - vp->WorkPos.x, top.y - vp->WorkPos.y, x1 - vp->WorkPos.x,
                           ImGui::GetItemRectMax().y - vp->WorkPos.y};
    }
    for (int c = 1; c <= static_cast<int>(summary_.size()); ++c) {
        const ChannelLogSummary& s = summary_[c - 1];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::PushID(c);
        const std::string label = std::to_string(c) + " " + channel_name(log_, c);
        if (ImGui::Selectable(label.c_str(), history_channel_ == c, ImGuiSelectableFlags_SpanAllColumns)) {
            history_channel_ = c;
            highlighted_ = c;
        }
        ImGui::PopID();
        ImGui::TableSetColumnIndex(1);
        if (s.clip_events > 0) ImGui::TextColored(to_vec4(kClipOn), "%d", s.clip_events);
        else ImGui::TextUnformatted("0");
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(opt_db(s.max_sample_peak_dbfs).c_str());
        ImGui::TableSetColumnIndex(3);
        ImGui::TextUnformatted(opt_db(s.max_true_peak_dbtp).c_str());
        ImGui::TableSetColumnIndex(4);
        // An estimate (no recorder figures: a session that did not end cleanly) is marked "~".
        ImGui::TextUnformatted(s.gain_advice_db ? ((s.estimated ? "~" : "") + format_db(*s.gain_advice_db) + " dB").c_str() : "--");
    }
    ImGui::EndTable();
}

void LogView::draw_history(const Fonts& fonts) {
    const int c = history_channel_;
    ImGui::Text("Level history: %d %s (%s)", c, channel_name(log_, c).c_str(), channel_preset(log_, c).c_str());
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const ImVec2 size = ImGui::GetContentRegionAvail();
    if (size.x < 50.0f || size.y < 40.0f) return;
    ImGui::InvisibleButton("##history", size);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float left = fonts.small->FontSize * 2.6f;
    const ImVec2 a(p0.x + left, p0.y), b(p0.x + size.x, p0.y + size.y - fonts.small->FontSize - 4.0f);
    dl->AddRectFilled(a, b, pack(kBarBackground));
    DbScale scale;
    scale.y_top = a.y;
    scale.y_bottom = b.y;
    // The preset window.
    const auto w = windows();
    if (c >= 1 && c <= static_cast<int>(w.size()))
        dl->AddRectFilled(ImVec2(a.x, scale.y_of(w[c - 1].second)), ImVec2(b.x, scale.y_of(w[c - 1].first)),
                          pack(kTargetBand));
    double marks[32];
    const int n = scale_marks(scale, marks, 32);
    for (int i = 0; i < n; i += 2) {
        const float y = scale.y_of(marks[i]);
        dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), pack({70, 74, 84}));
        char buf[16];
        std::snprintf(buf, sizeof buf, "%+.0f", marks[i]);
        dl->AddText(fonts.small, fonts.small->FontSize, ImVec2(p0.x, y - 0.5f * fonts.small->FontSize), pack(kTextDim), buf);
    }
    if (c < 1 || c > static_cast<int>(log_.env_peak.size()) || log_.env_peak[c - 1].empty()) {
        dl->AddText(ImVec2(a.x + 8.0f, a.y + 8.0f), pack(kTextDim), "no level envelope recorded");
        return;
    }
    const auto& peaks = log_.env_peak[c - 1];
    const auto& rms = c <= static_cast<int>(log_.env_rms.size()) ? log_.env_rms[c - 1] : peaks;
    const std::size_t ticks = peaks.size();
    const double seconds = static_cast<double>(ticks) / 10.0;
    const int cols = std::max(1, static_cast<int>(b.x - a.x));
    const Preset* preset = presets_ ? presets_->find(channel_preset(log_, c)) : nullptr;
    Preset fallback;
    if (!preset) preset = &fallback;
    float prev_rms_y = -1.0f;
    for (int x = 0; x < cols; ++x) {
        const std::size_t k0 = ticks * static_cast<std::size_t>(x) / static_cast<std::size_t>(cols);
        std::size_t k1 = ticks * static_cast<std::size_t>(x + 1) / static_cast<std::size_t>(cols);
        if (k1 <= k0) k1 = k0 + 1;
        float pk = 0.0f, rm = 0.0f;
        for (std::size_t k = k0; k < k1 && k < ticks; ++k) {
            pk = std::max(pk, peaks[k]);
            if (k < rms.size()) rm = std::max(rm, rms[k]);
        }
        const double db = amplitude_to_db(pk);
        const float fx = a.x + static_cast<float>(x);
        if (db > scale.bottom_db)
            dl->AddLine(ImVec2(fx + 0.5f, scale.y_of(db)), ImVec2(fx + 0.5f, b.y),
                        zone_colour(zone_of(db, *preset, -0.1), 200));
        const double rdb = amplitude_to_db(rm);
        const float ry = scale.y_of(rdb);
        if (prev_rms_y >= 0.0f) dl->AddLine(ImVec2(fx - 0.5f, prev_rms_y), ImVec2(fx + 0.5f, ry), pack(kText), 1.5f);
        prev_rms_y = ry;
    }
    // Clips as red markers on the time axis.
    for (const auto& e : log_.entries) {
        if (e.channel != c || (e.type != "clip" && e.type != "hot")) continue;
        if (seconds <= 0.0) break;
        const float x = a.x + static_cast<float>(e.start_s / seconds) * (b.x - a.x);
        const Rgb col = e.type == "clip" ? kClipOn : zone_rgb(Zone::Hot);
        if (e.type == "clip") dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), pack(col, 220), 2.0f);
        dl->AddTriangleFilled(ImVec2(x - 5.0f, a.y), ImVec2(x + 5.0f, a.y), ImVec2(x, a.y + 8.0f), pack(col));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "0:00");
    dl->AddText(fonts.small, fonts.small->FontSize, ImVec2(a.x, b.y + 2.0f), pack(kTextDim), buf);
    const std::string end = session_timecode(seconds);
    const ImVec2 ext = fonts.small->CalcTextSizeA(fonts.small->FontSize, FLT_MAX, 0.0f, end.c_str());
    dl->AddText(fonts.small, fonts.small->FontSize, ImVec2(b.x - ext.x, b.y + 2.0f), pack(kTextDim), end.c_str());
}

} // namespace headroom::ui
