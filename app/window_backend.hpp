#pragma once
// The render-loop seam (in the spirit of Tracy's Backend.hpp): one GLFW window with an
// OpenGL 3 context (epoxy), the ImGui context and its GLFW/OpenGL3 backends. Created in that
// order and destroyed in the reverse order. The loop itself stays in the command: poll or
// wait for events, begin a frame, build it, end it, swap.
//
// Threads: the main thread only (GLFW's rule).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

struct GLFWwindow;

namespace headroom {

class WindowBackend {
public:
    // Throws InputError("no display: ...") when GLFW cannot reach a display, and
    // InputError naming the problem when no OpenGL 3 context can be created. A width or
    // height of 0: 1600 x 900 times `scale` (0: monitor_scale()). Any size is kept within the
    // primary monitor's work area.
    WindowBackend(const std::string& title, int width, int height, bool vsync, float scale = 0.0f);
    ~WindowBackend();
    WindowBackend(const WindowBackend&) = delete;
    WindowBackend& operator=(const WindowBackend&) = delete;

    float content_scale() const;      // HiDPI: glfwGetWindowContentScale (1 on plain displays)
    // The UI scale that follows the monitor: the content scale, but at least 1 per 1080
    // pixels of the monitor's height in steps of 0.5 (a 3840x2160 screen whose desktop sets
    // no scale still gets 2: text of 32 px, not 16).
    static float monitor_scale();  // after glfwInit (any constructed WindowBackend)
    // After the font atlas was rebuilt (a new UI scale): the GL texture again. Between frames.
    void rebuild_fonts_texture();
    // The windowed size and position (the one before full screen while full screen).
    void geometry(int& x, int& y, int& width, int& height) const;
    void set_position(int x, int y);
    bool should_close() const;
    bool minimised() const;           // iconified or zero-sized framebuffer
    void poll_events();
    void wait_events(double timeout_s);

    // Backends' NewFrame, ImGui::NewFrame. ignore_mouse: as if the pointer were elsewhere
    // (screenshots must not depend on where the pointer happens to be).
    void begin_frame(bool ignore_mouse = false);
    void end_frame();                 // ImGui::Render, clear, draw (no swap)
    void swap();

    void set_fullscreen(bool on);
    bool fullscreen() const { return fullscreen_; }
    void set_always_on_top(bool on);
    void set_icon(const std::filesystem::path& png);
    void set_title(const std::string& title);  // quietly ignored when unreadable

    // The back buffer as RGBA rows, top row first (call after end_frame, before swap).
    void read_framebuffer(std::vector<std::uint8_t>& rgba, int& width, int& height) const;
    int key_help() const;             // the backend's key codes for the keys without characters
    int key_fullscreen() const;
    // With Ctrl: larger text (= and keypad +), smaller (- and keypad -), the monitor's (0, keypad 0).
    void ui_scale_keys(int (&larger)[2], int (&smaller)[2], int (&follow_monitor)[2]) const;

private:
    void shutdown();
    GLFWwindow* window_ = nullptr;
    bool imgui_context_ = false, glfw_backend_ = false, gl_backend_ = false;
    bool fullscreen_ = false;
    int windowed_x_ = 0, windowed_y_ = 0, windowed_w_ = 0, windowed_h_ = 0;
};

} // namespace headroom
