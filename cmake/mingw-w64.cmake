# Cross-building for Windows 10/11 (x86-64) on Debian with MinGW-w64
# (g++-mingw-w64-x86-64-posix: std::thread through winpthreads). Used by
# `cmake --preset windows` (CMakePresets.json) and `make windows`.
#
# The libraries built for Windows (installer/windows/build-deps.sh) and the
# header-only ones copied from this machine's Debian packages live under
# AISB_WINDOWS_DEPS; nothing of this machine's own /usr is searched.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_triplet x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_triplet}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_triplet}-g++-posix)
set(CMAKE_RC_COMPILER ${_triplet}-windres)

if(NOT AISB_WINDOWS_DEPS)
  set(AISB_WINDOWS_DEPS ${CMAKE_CURRENT_LIST_DIR}/../build-windows/deps/prefix)
endif()
get_filename_component(AISB_WINDOWS_DEPS ${AISB_WINDOWS_DEPS} ABSOLUTE)
set(AISB_WINDOWS_DEPS ${AISB_WINDOWS_DEPS} CACHE PATH "Libraries built for Windows (installer/windows/build-deps.sh)")

set(CMAKE_FIND_ROOT_PATH /usr/${_triplet} ${AISB_WINDOWS_DEPS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config reads the .pc files of the Windows libraries only.
set(ENV{PKG_CONFIG_LIBDIR} ${AISB_WINDOWS_DEPS}/lib/pkgconfig)
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# One self-contained .exe per program: the C and C++ runtimes and
# winpthreads linked in, so a lab PC needs no MinGW DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
# Tests run the .exe files under Wine.
set(CMAKE_CROSSCOMPILING_EMULATOR wine)
