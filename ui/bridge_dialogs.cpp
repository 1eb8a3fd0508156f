// The bridge's dialogs: the channel editor (name, preset), the preset editor (user presets:
// id, name, low and high edge) and the keyboard help overlay.
#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "ui/bridge.hpp"
#include "ui/colours.hpp"
#include "ui/meter_strip.hpp"

namespace headroom::ui {

void Bridge::draw_channel_editor(BridgeActions& a) {
    if (open_editor_) {
        ImGui::OpenPopup("##channel");
        open_editor_ = false;
    }
    if (!ImGui::BeginPopup("##channel")) return;
    if (edit_channel_ < 0 || edit_channel_ >= static_cast<int>(ch_.size())) {
        ImGui::EndPopup();
        return;
    }
    BridgeChannel& c = ch_[edit_channel_];
    ImGui::Text("Channel %d", edit_channel_ + 1);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14.0f);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    if (ImGui::InputText("Name", name_buf_, sizeof name_buf_)) {
        c.name = name_buf_;
        a.settings_changed = true;
    }
    ImGui::Separator();
    ImGui::TextDisabled("Preset (target window for sample peaks)");
    for (const Preset& p : table_.all()) {
        char label[128];
        std::snprintf(label, sizeof label, "%-12s %5.0f .. %4.0f dBFS   %s", p.id.c_str(), p.lo_dbfs, p.hi_dbfs, p.name.c_str());
        if (ImGui::Selectable(label, p.id == c.preset_id)) {
            c.preset_id = p.id;
            a.settings_changed = true;
        }
    }
    ImGui::Separator();
    if (ImGui::Button("Reset this channel")) c.ballistics.reset(ImGui::GetTime());
    ImGui::SameLine();
    if (ImGui::Button("Close")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

void Bridge::draw_preset_editor(BridgeActions& a) {
    if (!show_presets_) return;
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 36.0f, ImGui::GetFontSize() * 26.0f), ImGuiCond_Appearing);
    if (!ImGui::Begin("Presets", &show_presets_)) {
        ImGui::End();
        return;
    }
    ImGui::TextWrapped("Target windows for the sample peaks of a source at its loudest. Built-in presets ship "
                       "with Headroom; your own are saved in config.json (an id of a built-in one replaces it).");
    if (ImGui::BeginTable("##presets", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter)) {
        ImGui::TableSetupColumn("id");
        ImGui::TableSetupColumn("name");
        ImGui::TableSetupColumn("low dBFS");
        ImGui::TableSetupColumn("high dBFS");
        ImGui::TableHeadersRow();
        for (const Preset& p : table_.all()) {
            const bool user = std::any_of(user_presets_.begin(), user_presets_.end(), [&](const Preset& u) { return u.id == p.id; });
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::PushID(p.id.c_str());
            if (ImGui::Selectable(p.id.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
                new_preset_ = p;
                std::snprintf(new_id_, sizeof new_id_, "%s", p.id.c_str());
                std::snprintf(new_name_, sizeof new_name_, "%s", p.name.c_str());
            }
            ImGui::PopID();
            ImGui::TableSetColumnIndex(1);
            if (user) ImGui::TextColored(to_vec4(kHighlight), "%s (yours)", p.name.c_str());
            else ImGui::TextUnformatted(p.name.c_str());
            ImGui::TableSetColumnIndex(2);
            ImGui::Text("%.1f", p.lo_dbfs);
            ImGui::TableSetColumnIndex(3);
            ImGui::Text("%.1f", p.hi_dbfs);
        }
        ImGui::EndTable();
    }
    ImGui::Separator();
    ImGui::TextDisabled("Add or change (click a row to start from it)");
    ImGui::InputText("id", new_id_, sizeof new_id_);
    ImGui::InputText("name", new_name_, sizeof new_name_);
    ImGui::InputDouble("low edge dBFS", &new_preset_.lo_dbfs, 0.5, 3.0, "%.1f");
    ImGui::InputDouble("high edge dBFS", &new_preset_.hi_dbfs, 0.5, 3.0, "%.1f");
    new_preset_.id = new_id_;
    new_preset_.name = new_name_;
    if (ImGui::Button("Save preset")) {
        if (auto bad = validate_preset(new_preset_)) {
            preset_message_ = *bad;
        } else {
            table_.add_or_replace(new_preset_);
            auto it = std::find_if(user_presets_.begin(), user_presets_.end(), [&](const Preset& u) { return u.id == new_preset_.id; });
            if (it != user_presets_.end()) *it = new_preset_;
            else user_presets_.push_back(new_preset_);
            preset_message_ = "saved '" + new_preset_.id + "'";
            a.settings_changed = true;
        }
    }
    if (!preset_message_.empty()) {
        ImGui::SameLine();
        ImGui::TextUnformatted(preset_message_.c_str());
    }
    ImGui::End();
}

void Bridge::draw_help() {
    if (!show_help) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.5f),
                            ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowBgAlpha(0.94f);
    if (!ImGui::Begin("Keyboard", &show_help, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    static const char* const help_keys[][2] = {
        {"R", "reset all clip indicators and maxima"},
        {"click a CLIP box", "reset that channel"},
        {"click a channel name", "rename it, pick its preset"},
        {"L", "open / close the clip log"},
        {"F11 or F", "full screen"},
        {"C", "compact strips"},
        {"P", "preset editor"},
        {"Ctrl + / Ctrl -", "larger / smaller text and strips"},
        {"Ctrl 0", "text size of the monitor"},
        {"click a CLIP: entry", "show that channel (the line above the status bar)"},
        {"F1, ? or H", "this help"},
        {"Esc", "close help, then the log"},
    };
    if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_SizingFixedFit)) {
        for (const auto& k : help_keys) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextColored(to_vec4(kHighlight), "%s", k[0]);
            ImGui::TableSetColumnIndex(1);
            ImGui::TextUnformatted(k[1]);
        }
        ImGui::EndTable();
    }
    ImGui::Separator();
    for (const char* line : strip_legend()) ImGui::TextDisabled("%s", line);
    ImGui::End();
}

} // namespace headroom::ui
