// Presenting part of a frame under X11: GLX_MESA_copy_sub_buffer, which
// Mesa's software renderers offer. Kept apart because X11's headers define
// macros (None, Status, Bool) that would leak into the rest of the app.
#pragma once

struct GLFWwindow;

namespace aisb::ui::glx {

// True when the window's context renders in software (llvmpipe, softpipe)
// and can present a rectangle of its back buffer without swapping; then the
// back buffer keeps every pixel between frames.
bool can_present_rects(GLFWwindow* window);

// Copies the back buffer's rectangle (GL coordinates: origin bottom left) to
// the window. Only after can_present_rects() said yes.
void present_rect(GLFWwindow* window, int x, int y, int width, int height);

}  // namespace aisb::ui::glx
