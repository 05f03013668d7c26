#include "desktop/glx_present.hpp"

#ifdef _WIN32

// Windows has no GLX: every frame is drawn and swapped whole.
namespace aisb::ui::glx {
bool can_present_rects(GLFWwindow*) {
  return false;
}
void present_rect(GLFWwindow*, int, int, int, int) {}
}  // namespace aisb::ui::glx

#else

#include <cstring>
#include <string>

#define GLFW_INCLUDE_NONE
#include <GL/glx.h>
#include <GLFW/glfw3.h>

// GLFW's native access, declared as glfw3native.h does: that header also
// wants Xrandr's, which nothing else here needs.
extern "C" Display* glfwGetX11Display(void);
extern "C" GLXWindow glfwGetGLXWindow(GLFWwindow* window);

namespace aisb::ui::glx {

namespace {
using CopySubBuffer = void (*)(Display*, GLXDrawable, int, int, int, int);
CopySubBuffer g_copy = nullptr;
}  // namespace

bool can_present_rects(GLFWwindow* window) {
  g_copy = nullptr;
  const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  const std::string r = renderer != nullptr ? renderer : "";
  if (r.find("llvmpipe") == std::string::npos && r.find("softpipe") == std::string::npos) return false;
  Display* display = glfwGetX11Display();
  if (display == nullptr || glfwGetGLXWindow(window) == 0) return false;
  const char* extensions = glXQueryExtensionsString(display, DefaultScreen(display));
  if (extensions == nullptr || std::strstr(extensions, "GLX_MESA_copy_sub_buffer") == nullptr) return false;
  g_copy =
      reinterpret_cast<CopySubBuffer>(glXGetProcAddressARB(reinterpret_cast<const GLubyte*>("glXCopySubBufferMESA")));
  return g_copy != nullptr;
}

void present_rect(GLFWwindow* window, int x, int y, int width, int height) {
  g_copy(glfwGetX11Display(), glfwGetGLXWindow(window), x, y, width, height);
}

}  // namespace aisb::ui::glx

#endif
