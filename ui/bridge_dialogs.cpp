// The bridge's dialogs: the channel editor (name, preset), the preset editor (user presets:
// id, name, low and high edge) and the keyboard help overlay.
#include <algorithm>
#include <cstddef>
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

// The Buses menu: make a bus from the strips chosen with Ctrl+click, remove one. The app
// saves the new list for the device and rebuilds the meters on it, in a new session
// (docs/ui.md "Buses").
void Bridge::draw_bus_menu(BridgeActions& a) {
    if (!ImGui::BeginMenu("Buses")) return;
    const std::vector<int> chosen = selection();
    char label[64];
    std::snprintf(label, sizeof label, "Make bus from selection (%zu strips)...", chosen.size());
    if (ImGui::MenuItem(label, nullptr, false, !chosen.empty() && next_buses_.size() < static_cast<std::size_t>(kMaxBuses)))
        open_bus_dialog_ = true;
    if (chosen.empty()) ImGui::TextDisabled("  Ctrl+click strips to choose them");
    if (!chosen.empty() && ImGui::MenuItem("Clear selection"))
        std::fill(selected_.begin(), selected_.end(), 0);
    ImGui::Separator();
    if (ImGui::MenuItem("Restart integrated loudness (all buses)", "I", false, !buses_.empty()))
        for (int b = 0; b < static_cast<int>(buses_.size()); ++b) reset_loudness(b);
    ImGui::Separator();
    if (next_buses_.empty()) ImGui::TextDisabled("No buses (--bus NAME=CHANNELS, or make one here)");
    for (std::size_t b = 0; b < next_buses_.size(); ++b) {
        std::snprintf(label, sizeof label, "Remove %s", next_buses_[b].name.c_str());
        ImGui::PushID(static_cast<int>(b));
        if (ImGui::MenuItem(label)) {
            next_buses_.erase(next_buses_.begin() + static_cast<std::ptrdiff_t>(b));
            a.buses_changed = a.settings_changed = true;
            ImGui::PopID();
            break;
        }
        ImGui::PopID();
    }
    bool same = next_buses_.size() == buses_.size();
    for (std::size_t b = 0; same && b < buses_.size(); ++b)
        same = next_buses_[b].name == buses_[b].spec.name && next_buses_[b].channels == buses_[b].spec.channels &&
               next_buses_[b].preset == buses_[b].spec.preset;
    if (!same) ImGui::TextColored(to_vec4(kHighlight), "Bus changes: the meters restart");
    ImGui::TextDisabled("Making or removing a bus restarts the meters in a new session");
    ImGui::EndMenu();
}

void Bridge::draw_bus_dialog(BridgeActions& a) {
    if (open_bus_dialog_) {
        ImGui::OpenPopup("New bus");
        open_bus_dialog_ = false;
        bus_message_.clear();
    }
    if (!ImGui::BeginPopupModal("New bus", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    const std::vector<int> chosen = selection();
    std::string chans;
    for (int c : chosen) chans += (chans.empty() ? "" : ",") + std::to_string(c);
    ImGui::Text("Channels %s", chans.c_str());
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12.0f);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool entered = ImGui::InputText("Name", bus_name_, sizeof bus_name_, ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::BeginCombo("Preset", bus_preset_.c_str())) {
        for (const Preset& p : table_.all())
            if (ImGui::Selectable(p.id.c_str(), p.id == bus_preset_)) bus_preset_ = p.id;
        ImGui::EndCombo();
    }
    if (ImGui::Button("Make bus (Enter)") || entered) {
        // The same parser as --bus, so a name or channel list the command line refuses is
        // refused here with the same words.
        BusParse parsed = parse_bus(std::string(bus_name_) + "=" + chans, static_cast<int>(ch_.size()));
        for (const BusSpec& b : next_buses_)
            if (parsed.error.empty() && b.name == parsed.bus.name) parsed.error = "a bus named '" + b.name + "' exists";
        if (!parsed.error.empty()) {
            bus_message_ = parsed.error;
        } else {
            parsed.bus.preset = bus_preset_;
            next_buses_.push_back(parsed.bus);
            std::fill(selected_.begin(), selected_.end(), 0);
            a.buses_changed = a.settings_changed = true;
            ImGui::CloseCurrentPopup();
        }
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    if (!bus_message_.empty()) ImGui::TextColored(to_vec4(kClipOn), "%s", bus_message_.c_str());
    ImGui::EndPopup();
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
        {"B", "band view: low / mid / high peaks and the low share under every strip"},
        {"I", "restart the buses' integrated loudness and LRA (the stopwatch)"},
        {"Ctrl+click a strip", "choose it for a new bus (Buses menu)"},
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
    ImGui::Separator();
    static const char* const bus_legend[] = {
        "Bus strips (right of the channels): the bus's peak as a channel strip, its preset's window (mix_bus: -10 .. -6);",
        "  M / S bars: momentary (400 ms) and short-term (3 s) loudness, LUFS, marks at -23 (EBU R 128) and -14 (streaming).",
        "  I: integrated loudness (LUFS), LRA: loudness range (LU), both since the button's time (click or I restarts);",
        "  PLR: max true peak - integrated (LU); M max / S max: the loudest momentary / short-term since reset.",
        "Band view (B): per strip L < 150 Hz, M 150 Hz - 5 kHz, H > 5 kHz peak bars with their max peaks; low: the",
        "  low band's RMS minus the full band's, now (0 dB: the low end carries all the energy).",
    };
    for (const char* line : bus_legend) ImGui::TextDisabled("%s", line);
    ImGui::End();
}

} // namespace headroom::ui
