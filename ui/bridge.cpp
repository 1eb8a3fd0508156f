#include "ui/bridge.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cfloat>
#include <cstring>

#include <imgui.h>

#include "engine/base/decibels.hpp"
#include "ui/colours.hpp"
#include "ui/meter_strip.hpp"
#include "ui/strip_label.hpp"

namespace headroom::ui {
namespace {

// A typed character waiting in this frame's input queue (keys with a character).
bool typed(char c) {
    const ImGuiIO& io = ImGui::GetIO();
    for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
        const ImWchar w = io.InputQueueCharacters[i];
        if (w == static_cast<ImWchar>(c) || w == static_cast<ImWchar>(c - 'a' + 'A')) return true;
    }
    return false;
}

} // namespace

Bridge::Bridge(PresetTable presets, std::vector<Preset> user_presets, std::vector<BridgeChannel> channels,
               DisplaySettings display, double clip_threshold_db, bool rms_aes17)
    : table_(std::move(presets)), user_presets_(std::move(user_presets)), ch_(std::move(channels)),
      display_(display), clip_threshold_db_(clip_threshold_db), rms_aes17_(rms_aes17) {
    for (const auto& p : user_presets_) {
        try {
            table_.add_or_replace(p);
        } catch (const std::exception&) {
            // Invalid user presets were rejected when the config was read.
        }
    }
    log_.set_presets(&table_);
    geometry_.reserve(ch_.size());
    labels_.resize(ch_.size());
    overview_.reserve(ch_.size());
    selected_.assign(ch_.size(), 0);
}

void Bridge::set_buses(const std::vector<BusSpec>& buses, double sample_rate) {
    buses_.clear();
    for (const BusSpec& b : buses) {
        BridgeBus bus;
        bus.spec = b;
        buses_.push_back(std::move(bus));
    }
    next_buses_ = buses;
    sample_rate_ = sample_rate;
    bus_geometry_.reserve(buses_.size());
}

void Bridge::reset_loudness(int bus) {
    if (bus < 0 || bus >= static_cast<int>(buses_.size())) return;
    if (on_loudness_reset) on_loudness_reset(bus);
    buses_[static_cast<std::size_t>(bus)].ballistics.reset_loudness_maxima();
}

std::vector<int> Bridge::selection() const {
    std::vector<int> out;
    for (std::size_t c = 0; c < selected_.size(); ++c)
        if (selected_[c]) out.push_back(static_cast<int>(c) + 1);
    return out;
}

void Bridge::select(int channel, bool on) {
    if (channel >= 1 && channel <= static_cast<int>(selected_.size())) selected_[static_cast<std::size_t>(channel - 1)] = on ? 1 : 0;
}

BallisticsOptions Bridge::ballistics_options() const {
    BallisticsOptions o;
    o.hold_s = display_.peak_hold_s;
    o.hold_infinite = display_.peak_hold_infinite;
    o.clip_auto_reset_s = display_.clip_auto_reset_s;
    return o;
}

const Preset& Bridge::preset_of(const BridgeChannel& c) const {
    const Preset* p = table_.find(c.preset_id);
    return p ? *p : table_.general();
}

void Bridge::feed(const MeterSnapshot& s, bool fresh, double now) {
    const BallisticsOptions o = ballistics_options();
    const std::size_t n = std::min<std::size_t>(ch_.size(), fresh ? s.channels : ch_.size());
    static const ChannelReading kNothing{};
    for (std::size_t c = 0; c < ch_.size(); ++c)
        ch_[c].ballistics.update(c < n && fresh ? s.ch[c] : kNothing, fresh && c < n, now, o);
    // Bands and buses, when the meter has them (the fields stay empty otherwise).
    static const BandReadings kNoBands{};
    const bool bands = fresh && s.bands_on;
    for (std::size_t c = 0; c < ch_.size(); ++c)
        ch_[c].bands.update(bands && c < n ? s.band[c] : kNoBands, bands && c < n, now, o);
    static const BusReading kNoBus{};
    const float clip = static_cast<float>(db_to_amplitude(clip_threshold_db_));
    for (std::size_t b = 0; b < buses_.size(); ++b) {
        const bool has = fresh && b < s.buses;
        BridgeBus& bus = buses_[b];
        const BusReading& r = has ? s.bus[b] : kNoBus;
        bus.ballistics.update(r, has, s.frames, sample_rate_, clip, now, o);
        bus.ballistics.bands().update(r.bands, bands && has, now, o);
    }
}

void Bridge::reset_all(double now) {
    for (auto& c : ch_) {
        c.ballistics.reset(now);
        c.bands.reset();
    }
    for (auto& b : buses_) b.ballistics.reset(now);
}

void Bridge::handle_keys(BridgeActions& a, double now) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    if (typed('r')) reset_all(now);
    if (typed('l')) log_.open = !log_.open;
    if (typed('c')) {
        display_.compact = !display_.compact;
        a.settings_changed = true;
    }
    if (typed('f') || (keys.fullscreen >= 0 && ImGui::IsKeyPressed(keys.fullscreen, false))) a.toggle_fullscreen = true;
    if (typed('?') || typed('h') || (keys.help >= 0 && ImGui::IsKeyPressed(keys.help, false))) show_help = !show_help;
    if (typed('p')) show_presets_ = !show_presets_;
    if (typed('b')) {
        display_.bands = !display_.bands;
        a.settings_changed = true;
    }
    if (typed('i'))
        for (int b = 0; b < static_cast<int>(buses_.size()); ++b) reset_loudness(b);
    if (io.KeyCtrl) {
        auto pressed = [](const int (&k)[2]) {
            for (int code : k)
                if (code >= 0 && ImGui::IsKeyPressed(code, true)) return true;
            return false;
        };
        if (pressed(keys.larger)) a.ui_scale_step = +1;
        if (pressed(keys.smaller)) a.ui_scale_step = -1;
        if (pressed(keys.follow_monitor)) a.ui_scale_follow_monitor = true;
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
        if (show_help) show_help = false;
        else if (log_.open) log_.open = false;
    }
}

void Bridge::draw_menu(BridgeActions& a, double now) {
    if (!ImGui::BeginMenuBar()) return;
    if (ImGui::BeginMenu("View")) {
        if (ImGui::MenuItem("Compact strips", "C", display_.compact)) {
            display_.compact = !display_.compact;
            a.settings_changed = true;
        }
        if (ImGui::MenuItem("Bands (low / mid / high)", "B", display_.bands)) {
            display_.bands = !display_.bands;
            a.settings_changed = true;
        }
        if (ImGui::MenuItem("Full screen", "F11 / F", fullscreen)) a.toggle_fullscreen = true;
        if (ImGui::MenuItem("Always on top", nullptr, display_.always_on_top)) {
            display_.always_on_top = !display_.always_on_top;
            a.always_on_top_changed = a.settings_changed = true;
        }
        if (ImGui::MenuItem("Larger text", "Ctrl +")) a.ui_scale_step = +1;
        if (ImGui::MenuItem("Smaller text", "Ctrl -")) a.ui_scale_step = -1;
        if (ImGui::MenuItem("Text size of the monitor", "Ctrl 0")) a.ui_scale_follow_monitor = true;
        if (ImGui::MenuItem("Clip log beside the bridge", nullptr, log_.docked)) {
            log_.docked = !log_.docked;
            log_.open = true;
        }
        if (ImGui::MenuItem("Keyboard help", "F1 / ?", show_help)) show_help = !show_help;
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Meters")) {
        ImGui::TextDisabled("Peak hold");
        const double holds[] = {0.5, 1.0, 2.0, 5.0};
        for (double h : holds) {
            char label[32];
            std::snprintf(label, sizeof label, "%.1f s%s", h, h == 1.0 ? " (IEC)" : "");
            if (ImGui::MenuItem(label, nullptr, !display_.peak_hold_infinite && display_.peak_hold_s == h)) {
                display_.peak_hold_s = h;
                display_.peak_hold_infinite = false;
                a.settings_changed = true;
            }
        }
        if (ImGui::MenuItem("until reset", nullptr, display_.peak_hold_infinite)) {
            display_.peak_hold_infinite = true;
            a.settings_changed = true;
        }
        ImGui::Separator();
        ImGui::TextDisabled("Clip indicator");
        const double resets[] = {0.0, 2.0, 5.0, 10.0, 30.0};
        for (double r : resets) {
            char label[40];
            if (r == 0.0) std::snprintf(label, sizeof label, "latch until reset");
            else std::snprintf(label, sizeof label, "reset after %.0f s", r);
            if (ImGui::MenuItem(label, nullptr, display_.clip_auto_reset_s == r)) {
                display_.clip_auto_reset_s = r;
                a.settings_changed = true;
            }
        }
        ImGui::Separator();
        if (ImGui::MenuItem("True peak", nullptr, true_peak_next_)) {
            true_peak_next_ = !true_peak_next_;
            true_peak_toggled_ = a.settings_changed = true;
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Off: no oversampling, for many channels on a small machine.\n"
                              "The strips then read \"TP off\" and headroom comes from the sample peak.\n"
                              "Takes effect at the next start (the session records one setting).");
        if (true_peak_next_ != true_peak_)
            ImGui::TextDisabled("  %s from the next start", true_peak_next_ ? "on" : "off");
        ImGui::Separator();
        if (ImGui::MenuItem("Reset clips and maxima", "R")) reset_all(now);
        ImGui::EndMenu();
    }
    draw_bus_menu(a);
    if (ImGui::BeginMenu("Presets")) {
        if (ImGui::MenuItem("Edit presets...", "P", show_presets_)) show_presets_ = !show_presets_;
        ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Clip log (L)", nullptr, log_.open)) log_.open = !log_.open;
    // The reset button, always in reach at the right of the menu bar.
    const float w = ImGui::CalcTextSize("Reset clips (R)").x + ImGui::GetStyle().FramePadding.x * 4.0f;
    ImGui::SameLine(ImGui::GetWindowWidth() - w - ImGui::GetStyle().WindowPadding.x);
    ImGui::PushStyleColor(ImGuiCol_Button, to_vec4(kClipOff));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, to_vec4({120, 40, 44}));
    if (ImGui::SmallButton("Reset clips (R)")) reset_all(now);
    ImGui::PopStyleColor(2);
    ImGui::EndMenuBar();
}

float Bridge::draw_banner(const BridgeStatus& st, const Fonts& fonts) {
    // The most urgent first; each is one line, large, on a coloured band.
    struct Line {
        Rgb colour;
        std::string text;
    };
    Line lines[4];
    int n = 0;
    if (st.device_lost)
        lines[n++] = {kBannerLost, "DEVICE LOST: " + (st.lost_reason.empty() ? std::string("the input stopped") : st.lost_reason) +
                                       "  - trying to reopen every 2 s; the session is kept"};
    if (st.write_error) lines[n++] = {kBannerLost, "DISK: " + *st.write_error + "  - metering goes on"};
    if (st.source_kind == "demo")
        lines[n++] = {kBannerDemo, "DEMO SOURCE: a simulated studio, not your interface" +
                                       (st.demo_reason.empty() ? std::string() : "  (" + st.demo_reason + ")")};
    if (st.config_error && n < 4)
        lines[n++] = {kBannerDemo, "SETTINGS: " + *st.config_error + "  - defaults in use, file left as it is"};
    if (n == 0) return 0.0f;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    const float lh = fonts.big->FontSize + 8.0f;
    for (int i = 0; i < n; ++i) {
        const float y = p.y + static_cast<float>(i) * lh;
        dl->AddRectFilled(ImVec2(p.x, y), ImVec2(p.x + w, y + lh - 2.0f), pack(lines[i].colour), 3.0f);
        const ImVec4 clip(p.x, y, p.x + w - 10.0f, y + lh);
        // Large when it fits, else the normal size (long paths in settings errors).
        ImFont* f = fonts.big;
        if (f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.0f, lines[i].text.c_str()).x > w - 20.0f) f = fonts.normal;
        dl->AddText(f, f->FontSize, ImVec2(p.x + 10.0f, y + 0.5f * (lh - 2.0f - f->FontSize)), pack({255, 255, 255}),
                    lines[i].text.c_str(), nullptr, 0.0f, &clip);
    }
    ImGui::Dummy(ImVec2(w, lh * static_cast<float>(n)));
    return lh * static_cast<float>(n);
}

void Bridge::draw_strips(const Fonts& fonts, double now, BridgeActions& a) {
    (void)a;
    const float scale = fonts.normal->FontSize / 16.0f;
    const float status_h = 2.0f * ImGui::GetFrameHeightWithSpacing();  // the clip overview and the status bar
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float area_h = std::max(50.0f, avail.y - status_h);
    const float scrollbar = ImGui::GetStyle().ScrollbarSize;
    // The buses' pane at the right (at most half the width; it scrolls sideways beyond that).
    auto pane_width = [&](bool compact) {
        return buses_.empty() ? 0.0f
            : std::floor(std::min(static_cast<float>(buses_.size()) * bus_strip_width(scale, compact), 0.5f * avail.x));
    };
    // The band view takes its height from the row, not from the bar: rows grow by it.
    LayoutLimits lim;
    if (display_.bands) {
        lim.min_row_h += bands_height(1.0f, false);
        lim.min_row_h_compact += bands_height(1.0f, true);
    }
    auto lay_out = [&](float width) {
        layout_ = compute_layout(static_cast<int>(ch_.size()), width, area_h, scale, display_.compact, lim);
        if (layout_.scrolls) layout_ = compute_layout(static_cast<int>(ch_.size()), width - scrollbar, area_h, scale,
                                                      display_.compact, lim);
    };
    float bus_pane_w = pane_width(display_.compact);
    lay_out(avail.x - bus_pane_w);
    if (layout_.compact && !display_.compact && !buses_.empty()) {  // the channels went compact: so do the buses
        bus_pane_w = pane_width(true);
        lay_out(avail.x - bus_pane_w);
    }
    const float strips_w = avail.x - bus_pane_w;
    geometry_.clear();
    ImGui::BeginChild("##strips", ImVec2(strips_w, area_h), false, ImGuiWindowFlags_NoMove);
    if (reveal_channel_ > 0) {  // the clip overview asked for a channel: scroll its row into view
        const int row = (reveal_channel_ - 1) / std::max(1, layout_.per_row);
        const float y = static_cast<float>(row) * layout_.row_h;
        if (y < ImGui::GetScrollY() || y + layout_.row_h > ImGui::GetScrollY() + area_h) ImGui::SetScrollY(y);
        reveal_channel_ = 0;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float view_y0 = ImGui::GetWindowPos().y, view_y1 = view_y0 + ImGui::GetWindowHeight();
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const bool hovered = ImGui::IsWindowHovered();
    const bool clicked = hovered && ImGui::IsMouseClicked(0);
    const int highlighted = log_.highlighted_channel();
    const int flashing = now < flash_until_ && std::fmod(now, 0.5) < 0.35 ? flash_channel_ : 0;
    ImFont* label_font = layout_.compact ? fonts.small : fonts.normal;

    for (int row = 0; row < layout_.rows; ++row) {
        const float ry = origin.y + static_cast<float>(row) * layout_.row_h;
        if (ry > view_y1 || ry + layout_.row_h < view_y0) continue;  // off screen
        const StripRects probe = strip_rects(0, ry, layout_.strip_w, layout_.row_h, scale, layout_.compact, display_.bands);
        DbScale db;
        db.y_top = probe.bar.y0;
        db.y_bottom = probe.bar.y1;
        const float left = origin.x + layout_.left;
        draw_scale_column(dl, left, left + layout_.scale_w, db, fonts);
        for (int col = 0; col < layout_.per_row; ++col) {
            const int i = row * layout_.per_row + col;
            if (i >= static_cast<int>(ch_.size())) break;
            BridgeChannel& c = ch_[i];
            float sx = 0, sy = 0;
            strip_origin(layout_, i, sx, sy);
            const float x = origin.x + sx;
            const StripRects r = strip_rects(x, ry, layout_.strip_w, layout_.row_h, scale, layout_.compact, display_.bands);
            const Preset& p = preset_of(c);
            StripModel m;
            m.channel = i + 1;
            m.name = &strip_label(i, r.header.w() - 2.0f, label_font);
            m.preset = &p;
            m.display = &c.ballistics.display();
            m.gain_advice_db = c.gain_advice_db;
            m.clip_threshold_db = clip_threshold_db_;
            m.rms_aes17 = rms_aes17_;
            m.true_peak = true_peak_;
            m.highlighted = highlighted == i + 1 || flashing == i + 1;
            m.ui_scale = scale;
            m.bands = display_.bands ? &c.bands.display() : nullptr;
            const Readout peak = draw_meter_strip(dl, r, db, m, fonts, layout_.compact);
            if (selected_[static_cast<std::size_t>(i)])
                dl->AddRect(ImVec2(x - 2.0f, ry + 1.0f), ImVec2(x + layout_.strip_w - 2.0f, ry + layout_.row_h - 1.0f),
                            pack(kSelected), 3.0f, 0, 2.0f);

            StripGeometry g;
            g.channel = i + 1;
            g.strip = {x, ry, x + layout_.strip_w, ry + layout_.row_h};
            g.bar = r.bar;
            g.clip = r.clip;
            g.y_target_hi = db.y_of(p.hi_dbfs);
            g.y_target_lo = db.y_of(p.lo_dbfs);
            g.zone = m.display->bar_db > db.bottom_db ? bar_zone(m.display->bar_db, p, clip_threshold_db_) : Zone::Silent;
            g.clip_latched = m.display->clip_latched;
            g.peak = peak;
            if (m.bands) {
                g.bands = r.bands;
                g.bands_drawn.peak[0] = level_readout(m.bands->peak_max_db[0], p, clip_threshold_db_, 0);
                g.bands_drawn.peak[1] = level_readout(m.bands->peak_max_db[1], p, clip_threshold_db_, 0);
                g.bands_drawn.peak[2] = level_readout(m.bands->peak_max_db[2], p, clip_threshold_db_, 0);
                format_low_share(m.bands->low_share_db, g.bands_drawn.low_share, sizeof g.bands_drawn.low_share);
            }
            geometry_.push_back(g);

            if (clicked && ImGui::GetIO().KeyCtrl && g.strip.contains(mouse.x, mouse.y)) {
                // Ctrl+click: choose the strip for a new bus (Buses menu).
                selected_[static_cast<std::size_t>(i)] ^= 1;
            } else if (clicked) {
                if (r.clip.contains(mouse.x, mouse.y)) {
                    c.ballistics.reset(now);
                } else if (r.header.contains(mouse.x, mouse.y)) {
                    edit_channel_ = i;
                    open_editor_ = true;
                    std::snprintf(name_buf_, sizeof name_buf_, "%s", c.name.c_str());
                }
            } else if (hovered && r.clip.contains(mouse.x, mouse.y)) {
                ImGui::SetTooltip("%s\nClick: reset this channel's clip and maxima",
                                  clip_details(c.ballistics.display()).c_str());
            } else if (hovered && r.header.contains(mouse.x, mouse.y)) {
                ImGui::SetTooltip("%s\n%s (%.0f .. %.0f dBFS)\nClick to rename or change the preset",
                                  c.name.c_str(), p.name.c_str(), p.lo_dbfs, p.hi_dbfs);
            }
        }
    }
    ImGui::Dummy(ImVec2(strips_w - (layout_.scrolls ? scrollbar : 0.0f), layout_.content_h));
    ImGui::EndChild();
    bus_geometry_.clear();
    if (buses_.empty()) return;
    ImGui::SameLine(0.0f, 0.0f);
    const float bus_w = std::min(bus_strip_width(scale, layout_.compact), bus_pane_w);
    const float content_w = bus_w * static_cast<float>(buses_.size());
    const bool sideways = content_w > bus_pane_w + 0.5f;
    ImGui::BeginChild("##buses", ImVec2(bus_pane_w, area_h), false, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_HorizontalScrollbar);
    const float h = area_h - (sideways ? scrollbar : 0.0f);
    draw_buses(fonts, now, ImGui::GetCursorScreenPos().x, ImGui::GetCursorScreenPos().y, bus_w, h);
    ImGui::Dummy(ImVec2(content_w, h));
    ImGui::EndChild();
}

void Bridge::draw_buses(const Fonts& fonts, double now, float x, float y, float w, float h) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float scale = fonts.normal->FontSize / 16.0f;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const bool hovered = ImGui::IsWindowHovered();
    const bool clicked = hovered && ImGui::IsMouseClicked(0);
    for (std::size_t b = 0; b < buses_.size(); ++b) {
        BridgeBus& bus = buses_[b];
        const Preset* p = table_.find(bus.spec.preset);
        const float bx = x + static_cast<float>(b) * w + 4.0f * scale;
        // The name as the channels' are fitted: a cut one carries the bus number ("3 Drum…").
        const float label_w = std::floor(0.46f * (w - 4.0f * scale)) - 6.0f * scale;
        ImFont* label_font = layout_.compact ? fonts.small : fonts.normal;
        if (bus.label_w != label_w || bus.label_font != label_font) {
            bus.label_w = label_w;
            bus.label_font = label_font;
            bus.label = fit_label(
                static_cast<int>(b) + 1, bus.spec.name, label_w,
                [label_font](std::string_view t) {
                    return label_font->CalcTextSizeA(label_font->FontSize, FLT_MAX, 0.0f, t.data(), t.data() + t.size()).x;
                },
                label_font->FindGlyphNoFallback(0x2026) ? "\xE2\x80\xA6" : "...");
        }
        BusStripModel m;
        m.name = &bus.label;
        m.preset = p ? p : &table_.general();
        m.peak = &bus.ballistics.peak();
        m.loudness = &bus.ballistics.loudness();
        m.bands = display_.bands ? &bus.ballistics.bands().display() : nullptr;
        m.clip_threshold_db = clip_threshold_db_;
        m.true_peak = true_peak_;
        m.ui_scale = scale;
        BusGeometry g;
        g.bus = static_cast<int>(b) + 1;
        g.strip = {bx, y, bx + w - 4.0f * scale, y + h};
        g.drawn = draw_bus_strip(dl, bx, y, w - 4.0f * scale, h, m, fonts, layout_.compact);
        bus_geometry_.push_back(g);
        if (clicked && g.drawn.reset_button.contains(mouse.x, mouse.y)) {
            reset_loudness(static_cast<int>(b));
        } else if (clicked && g.drawn.peak_bar.contains(mouse.x, mouse.y)) {
            bus.ballistics.reset(now);
        } else if (hovered && g.drawn.reset_button.contains(mouse.x, mouse.y)) {
            ImGui::SetTooltip("Integrated loudness and LRA have run %s.\nClick (or I): start them again.", g.drawn.stopwatch);
        } else if (hovered && g.strip.contains(mouse.x, mouse.y)) {
            std::string chans;
            for (int c : bus.spec.channels) chans += (chans.empty() ? "" : ", ") + std::to_string(c + 1);
            ImGui::SetTooltip("Bus %s: channels %s, preset %s\nI: integrated loudness (LUFS), LRA: loudness range (LU),\n"
                              "PLR: max true peak - integrated (LU); M / S max: loudest momentary / short-term (LUFS)",
                              bus.spec.name.c_str(), chans.c_str(), m.preset->id.c_str());
        }
    }
}

const std::string& Bridge::strip_label(int index, float width, ImFont* font) {
    Label& l = labels_[static_cast<std::size_t>(index)];
    const std::string& name = ch_[static_cast<std::size_t>(index)].name;
    if (l.width == width && l.font == font && l.name == name) return l.text;
    l.width = width;
    l.font = font;
    l.name = name;
    const bool has_ellipsis = font->FindGlyphNoFallback(0x2026) != nullptr;
    l.text = fit_label(
        index + 1, name.empty() ? "In " + std::to_string(index + 1) : name, width,
        [font](std::string_view t) {
            return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, t.data(), t.data() + t.size()).x;
        },
        has_ellipsis ? "\xE2\x80\xA6" : "...");
    return l.text;
}

void Bridge::reveal(int channel, double now) {
    if (channel < 1 || channel > static_cast<int>(ch_.size())) return;
    reveal_channel_ = flash_channel_ = channel;
    flash_until_ = now + 2.0;
}

// The line above the status bar: every channel whose clip indicator is latched, by number and
// name, in channel order, as buttons (click: scroll to the strip and flash it); those that do
// not fit behind "+N more" (a list). Always drawn, so no clip is ever out of sight.
void Bridge::draw_clip_overview(const Fonts& fonts, double now) {
    overview_.clear();
    overview_more_ = 0;
    int latched = 0;
    for (const auto& c : ch_) latched += c.ballistics.display().clip_latched ? 1 : 0;
    ImGui::AlignTextToFramePadding();
    if (latched == 0) {
        ImGui::TextColored(to_vec4(kTextDim), "CLIP: none");
        return;
    }
    ImGui::TextColored(to_vec4(kClipOn), "CLIP: %d channel%s", latched, latched == 1 ? "" : "s");
    const ImGuiStyle& st = ImGui::GetStyle();
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    char more[32];
    std::snprintf(more, sizeof more, "+%d more", latched);
    const float more_w = ImGui::CalcTextSize(more).x + 2.0f * st.FramePadding.x + st.ItemSpacing.x;
    ImGui::PushStyleColor(ImGuiCol_Button, to_vec4(kClipOn));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, to_vec4({235, 90, 90}));
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    int shown = 0;
    for (int i = 0; i < static_cast<int>(ch_.size()); ++i) {
        if (!ch_[i].ballistics.display().clip_latched) continue;
        // "250 Bass DI 2", or "250 Bass D…" when the name is long (fit_label adds the number).
        const std::string number = std::to_string(i + 1);
        const std::string& name = ch_[i].name;
        const std::string fitted = fit_label(
            i + 1, name, ImGui::GetFontSize() * 9.0f,
            [](std::string_view t) { return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x; },
            fonts.normal->FindGlyphNoFallback(0x2026) ? "\xE2\x80\xA6" : "...");
        const std::string label = !name.empty() && fitted == name ? number + " " + name : fitted;
        const float w = ImGui::CalcTextSize(label.c_str()).x + 2.0f * st.FramePadding.x;
        const bool last = shown + 1 == latched;
        ImGui::SameLine();
        if (ImGui::GetCursorScreenPos().x + w + (last ? 0.0f : more_w) > right) break;
        ImGui::PushID(i);
        if (ImGui::Button(label.c_str())) reveal(i + 1, now);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%d %s: click to show the strip", i + 1, ch_[i].name.c_str());
        ImGui::PopID();
        const ImVec2 p0 = ImGui::GetItemRectMin(), p1 = ImGui::GetItemRectMax();
        overview_.push_back({i + 1, {p0.x, p0.y, p1.x, p1.y}});
        ++shown;
    }
    ImGui::PopStyleColor(3);
    overview_more_ = latched - shown;
    if (overview_more_ > 0) {
        std::snprintf(more, sizeof more, "+%d more", overview_more_);
        ImGui::SameLine();
        if (ImGui::Button(more)) ImGui::OpenPopup("##moreclips");
        if (ImGui::BeginPopup("##moreclips")) {
            for (int i = 0; i < static_cast<int>(ch_.size()); ++i) {
                if (!ch_[i].ballistics.display().clip_latched) continue;
                ImGui::PushID(i);
                if (ImGui::Selectable((std::to_string(i + 1) + " " + ch_[i].name).c_str())) reveal(i + 1, now);
                ImGui::PopID();
            }
            ImGui::EndPopup();
        }
    }
}

void Bridge::draw_status(const BridgeStatus& st) {
    char buf[512];
    std::string source = st.source_kind == "file" ? "File: " + st.device : (st.source_kind == "demo" ? "Demo studio" : "Device: " + st.device);
    std::snprintf(buf, sizeof buf, "%s%s%s  |  %.0f Hz  |  buffer %d  |  load %.0f%% (max %.0f%%)",
                  source.c_str(), st.host_api.empty() ? "" : "  |  ", st.host_api.c_str(), st.sample_rate,
                  st.buffer_frames, 100.0 * st.load_mean, 100.0 * st.load_max);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(buf);
    ImGui::SameLine();
    if (st.xruns > 0) ImGui::TextColored(to_vec4(zone_rgb(Zone::Hot)), "|  xruns %llu", static_cast<unsigned long long>(st.xruns));
    else ImGui::TextUnformatted("|  xruns 0");
    if (st.dropped_events > 0) {
        ImGui::SameLine();
        ImGui::TextColored(to_vec4(kClipOn), "|  %llu events dropped", static_cast<unsigned long long>(st.dropped_events));
    }
    if (st.file_finished) {
        ImGui::SameLine();
        ImGui::TextColored(to_vec4(kTextDim), "|  end of file");
    }
    if (!true_peak_) {
        ImGui::SameLine();
        ImGui::TextColored(to_vec4(kTextDim), "|  true peak off");
    }
    ImGui::SameLine();
    if (st.write_error) ImGui::TextColored(to_vec4(kClipOn), "|  session: %s (write error)", st.session_folder.c_str());
    else ImGui::TextColored(to_vec4(kTextDim), "|  session: %s", st.session_folder.empty() ? "(not recording)" : st.session_folder.c_str());
    if (st.settings_error) {
        ImGui::SameLine();
        ImGui::TextColored(to_vec4(kClipOn), "|  %s", st.settings_error->c_str());
    }
}

BridgeActions Bridge::draw(const BridgeStatus& status, const Fonts& fonts, double now) {
    BridgeActions a;
    handle_keys(a, now);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const LogPlacement place = place_log(log_.docked && log_.open, vp->WorkSize.x, vp->WorkSize.y,
                                         ImGui::GetFontSize() / 16.0f);
    const bool was_docked = log_.docked;
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(ImVec2(place.bridge_w, vp->WorkSize.y));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    // No background quad: the backend clears to kBackground, and a full-window quad is the
    // most expensive thing a software rasteriser (Xvfb, llvmpipe) draws each frame.
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0, 0, 0, 0));
    ImGui::Begin("##bridge", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_MenuBar |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
    draw_menu(a, now);
    draw_banner(status, fonts);
    draw_strips(fonts, now, a);
    draw_clip_overview(fonts, now);
    draw_status(status);
    ImGui::End();
    draw_channel_editor(a);
    draw_preset_editor(a);
    draw_bus_dialog(a);
    log_.draw(fonts, now, place.log);
    if (log_.docked != was_docked) a.settings_changed = true;
    draw_help();
    return a;
}

} // namespace headroom::ui
