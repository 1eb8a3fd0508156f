#include "app/window_backend.hpp"

#include <cfloat>

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

WindowBackend::WindowBackend(const std::string& title, int width, int height, bool vsync) {
    glfwSetErrorCallback(glfw_error);
    if (!glfwInit()) throw InputError("no display: set DISPLAY or use `headroom record`");
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
    ImGui::StyleColorsDark();
    ImGui::GetStyle().ScaleAllSizes(content_scale());
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

} // namespace headroom

