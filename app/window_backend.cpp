#include "app/window_backend.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include <epoxy/gl.h>
// epoxy first: GLFW must not pull in another GL header.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <spdlog/spdlog.h>
#include <stb_image.h>

#include "engine/base/errors.hpp"

namespace headroom {
namespace {

void glfw_error(int code, const char* what) { spdlog::debug("glfw error {}: {}", code, what); }

} // namespace

namespace {

// Within the primary monitor's work area (a remembered size from a larger monitor, a default
// size at a large scale): a window larger than the screen is never wanted, and X servers
// without a window manager refuse to present one.
void fit_monitor(int& width, int& height) {
    if (GLFWmonitor* m = glfwGetPrimaryMonitor()) {
        int mx = 0, my = 0, mw = 0, mh = 0;
        glfwGetMonitorWorkarea(m, &mx, &my, &mw, &mh);
        if (mw > 0 && mh > 0) {
            width = std::min(width, mw);
            height = std::min(height, mh);
        }
        if (const GLFWvidmode* mode = glfwGetVideoMode(m); mode && mode->width > 0 && mode->height > 0) {
            width = std::min(width, mode->width);
            height = std::min(height, mode->height);
        }
    }
}

} // namespace

WindowBackend::WindowBackend(const std::string& title, int width, int height, bool vsync, float scale) {
    glfwSetErrorCallback(glfw_error);
    if (!glfwInit()) throw InputError("no display: set DISPLAY or use `headroom record`");
    if (width <= 0 || height <= 0) {
        const float s = scale > 0.0f ? scale : monitor_scale();
        width = static_cast<int>(1600.0f * s);
        height = static_cast<int>(900.0f * s);
    }
    fit_monitor(width, height);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 2);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
    window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
    if (!window_) {
        // Some servers (Xvfb with Mesa's llvmpipe) offer no core profile: try a plain 3.0 context.
        glfwDefaultWindowHints();
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
        window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
    }
    if (!window_) {
        glfwTerminate();
        throw InputError("no OpenGL 3 context on this display (check the graphics driver)");
    }
    glfwMakeContextCurrent(window_);
    glfwSwapInterval(vsync ? 1 : 0);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    imgui_context_ = true;
    ImGui::GetIO().IniFilename = nullptr;  // settings live in config.json, not imgui.ini
    ImGui::StyleColorsDark();  // sizes: the app scales the style with its UI scale
    glfw_backend_ = ImGui_ImplGlfw_InitForOpenGL(window_, true);
    gl_backend_ = ImGui_ImplOpenGL3_Init(epoxy_gl_version() >= 32 ? "#version 150" : "#version 130");
    if (!glfw_backend_ || !gl_backend_) {
        shutdown();
        throw InputError("cannot initialise the ImGui OpenGL backend");
    }
}

WindowBackend::~WindowBackend() { shutdown(); }

void WindowBackend::shutdown() {
    // Reverse order of start-up.
    if (gl_backend_) ImGui_ImplOpenGL3_Shutdown();
    if (glfw_backend_) ImGui_ImplGlfw_Shutdown();
    if (imgui_context_) ImGui::DestroyContext();
    gl_backend_ = glfw_backend_ = imgui_context_ = false;
    if (window_) glfwDestroyWindow(window_);
    if (window_) glfwTerminate();
    window_ = nullptr;
}

float WindowBackend::content_scale() const {
    float x = 1.0f, y = 1.0f;
    glfwGetWindowContentScale(window_, &x, &y);
    return x > 0.0f ? x : 1.0f;
}

float WindowBackend::monitor_scale() {
    GLFWmonitor* m = glfwGetPrimaryMonitor();
    if (!m) return 1.0f;
    float x = 1.0f, y = 1.0f;
    glfwGetMonitorContentScale(m, &x, &y);
    float scale = x > 0.0f ? x : 1.0f;
    if (const GLFWvidmode* mode = glfwGetVideoMode(m); mode && mode->height > 0)
        scale = std::max(scale, std::max(1.0f, std::floor(static_cast<float>(mode->height) / 1080.0f * 2.0f) / 2.0f));
    return scale;
}

void WindowBackend::rebuild_fonts_texture() {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

void WindowBackend::geometry(int& x, int& y, int& width, int& height) const {
    if (fullscreen_) {
        x = windowed_x_;
        y = windowed_y_;
        width = windowed_w_;
        height = windowed_h_;
        return;
    }
    glfwGetWindowPos(window_, &x, &y);
    glfwGetWindowSize(window_, &width, &height);
}

void WindowBackend::set_position(int x, int y) { glfwSetWindowPos(window_, x, y); }

bool WindowBackend::should_close() const { return glfwWindowShouldClose(window_) != 0; }

bool WindowBackend::minimised() const {
    if (glfwGetWindowAttrib(window_, GLFW_ICONIFIED)) return true;
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    return w <= 0 || h <= 0;
}

void WindowBackend::poll_events() { glfwPollEvents(); }
void WindowBackend::wait_events(double timeout_s) { glfwWaitEventsTimeout(timeout_s); }

void WindowBackend::begin_frame(bool ignore_mouse) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (ignore_mouse) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);  // screenshots: no hover
    ImGui::NewFrame();
}

void WindowBackend::end_frame() {
    ImGui::Render();
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(18 / 255.0f, 20 / 255.0f, 24 / 255.0f, 1.0f);  // ui::kBackground (the bridge draws no background)
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void WindowBackend::swap() { glfwSwapBuffers(window_); }

void WindowBackend::set_fullscreen(bool on) {
    if (on == fullscreen_) return;
    if (on) {
        glfwGetWindowPos(window_, &windowed_x_, &windowed_y_);
        glfwGetWindowSize(window_, &windowed_w_, &windowed_h_);
        GLFWmonitor* m = glfwGetPrimaryMonitor();
        const GLFWvidmode* mode = m ? glfwGetVideoMode(m) : nullptr;
        if (!m || !mode) return;
        glfwSetWindowMonitor(window_, m, 0, 0, mode->width, mode->height, mode->refreshRate);
    } else {
        glfwSetWindowMonitor(window_, nullptr, windowed_x_, windowed_y_, windowed_w_, windowed_h_, GLFW_DONT_CARE);
    }
    fullscreen_ = on;
}

void WindowBackend::set_always_on_top(bool on) { glfwSetWindowAttrib(window_, GLFW_FLOATING, on ? GLFW_TRUE : GLFW_FALSE); }

void WindowBackend::set_icon(const std::filesystem::path& png) {
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 4);
    if (!px) return;
    GLFWimage img{w, h, px};
    glfwSetWindowIcon(window_, 1, &img);
    stbi_image_free(px);
}

void WindowBackend::set_title(const std::string& title) { glfwSetWindowTitle(window_, title.c_str()); }

void WindowBackend::read_framebuffer(std::vector<std::uint8_t>& rgba, int& width, int& height) const {
    glfwGetFramebufferSize(window_, &width, &height);
    const std::size_t row = static_cast<std::size_t>(width) * 4;
    std::vector<std::uint8_t> raw(row * static_cast<std::size_t>(height));
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, raw.data());
    rgba.resize(raw.size());
    for (int y = 0; y < height; ++y)  // GL's rows start at the bottom
        std::copy_n(raw.data() + static_cast<std::size_t>(height - 1 - y) * row, row,
                    rgba.data() + static_cast<std::size_t>(y) * row);
}

int WindowBackend::key_help() const { return GLFW_KEY_F1; }
int WindowBackend::key_fullscreen() const { return GLFW_KEY_F11; }

void WindowBackend::ui_scale_keys(int (&larger)[2], int (&smaller)[2], int (&follow_monitor)[2]) const {
    larger[0] = GLFW_KEY_EQUAL;   // "+" is Shift+= on most layouts; Ctrl = does it too
    larger[1] = GLFW_KEY_KP_ADD;
    smaller[0] = GLFW_KEY_MINUS;
    smaller[1] = GLFW_KEY_KP_SUBTRACT;
    follow_monitor[0] = GLFW_KEY_0;
    follow_monitor[1] = GLFW_KEY_KP_0;
}

} // namespace headroom

