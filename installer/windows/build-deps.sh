#!/usr/bin/env bash
# Builds the libraries the Windows programs need, for Windows, from Debian's
# own source packages (`apt-get source`, from deb-src entries of the archive
# this machine already uses, kept in our own folder: the system's apt lists
# are left alone). Nothing of it is committed; it all lives under
#
#   build-windows/deps/   apt/ (lists, downloads), src/, build/, prefix/
#
# prefix/ is what cmake/mingw-w64.cmake searches. The header-only libraries
# (nlohmann-json, toml++, CLI11, stb) are copied from this machine's Debian
# packages, as the Linux build uses them. Each library is built once; run it
# again and it says what it already has.
#
#   installer/windows/build-deps.sh [DEPS_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
deps="${1:-$root/build-windows/deps}"
mkdir -p "$deps"
deps="$(cd "$deps" && pwd)"
prefix="$deps/prefix"
triplet=x86_64-w64-mingw32
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
mkdir -p "$deps/apt/sources.list.d" "$deps/apt/lists/partial" "$deps/apt/cache/archives/partial" \
         "$deps/src" "$deps/build" "$prefix/include" "$prefix/lib"

for tool in $triplet-gcc-posix $triplet-g++-posix dpkg-source cmake; do
  command -v "$tool" >/dev/null || { echo "build-deps: $tool is missing: run installer/deps.sh" >&2; exit 1; }
done

apt_opts=(-o "Dir::Etc::SourceList=$deps/apt/sources.list" -o "Dir::Etc::SourceParts=$deps/apt/sources.list.d"
          -o "Dir::State::Lists=$deps/apt/lists" -o "Dir::Cache=$deps/apt/cache" -o "APT::Get::Only-Source=true"
          -o "Debug::NoLocking=true")

# deb-src lines for the Debian repositories this machine installs from.
sources_ready() {
  [ -s "$deps/apt/sources.list" ] && ls "$deps/apt/lists/"*Sources* >/dev/null 2>&1
}
if ! sources_ready; then
  apt-get indextargets --format '$(ORIGIN) $(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' |
    awk '$1 == "Debian" { print "deb-src " $2 " " $3 " " $4 }' | sort -u >"$deps/apt/sources.list"
  if [ ! -s "$deps/apt/sources.list" ]; then
    echo "build-deps: this machine installs from no Debian archive (apt-get indextargets): cannot fetch sources" >&2
    exit 1
  fi
  echo "build-deps: source lists from $(awk '{print $2 " " $3}' "$deps/apt/sources.list" | paste -sd, -)"
  apt-get "${apt_opts[@]}" -q update >"$deps/apt/update.log" 2>&1 || {
    cat "$deps/apt/update.log" >&2
    echo "build-deps: apt-get update of the source lists failed" >&2
    exit 1
  }
fi

# Unpacks Debian's source package $1 under src/ and prints its folder.
fetch() {
  local pkg="$1" dir
  dir="$(find "$deps/src" -maxdepth 1 -type d -name "$pkg-[0-9]*" | head -n1)"
  if [ -z "$dir" ]; then
    if ! (cd "$deps/src" && apt-get "${apt_opts[@]}" -q source "$pkg" >"$deps/src/$pkg.log" 2>&1); then
      # A mirror that lacks the Debian changes (seen here: md4c's
      # .debian.tar.xz answered 404) still has the upstream tarball Debian
      # builds from: unpack that, and say so.
      local orig
      orig="$(find "$deps/src" -maxdepth 1 -name "${pkg}_*.orig.tar.*" | head -n1)"
      if [ -z "$orig" ]; then
        cat "$deps/src/$pkg.log" >&2
        echo "build-deps: apt-get source $pkg failed" >&2
        exit 1
      fi
      local version
      version="$(basename "$orig" | sed -E "s/^${pkg}_(.*)\.orig\.tar\..*/\1/")"
      mkdir -p "$deps/src/$pkg-$version"
      tar -xf "$orig" -C "$deps/src/$pkg-$version" --strip-components=1
      echo "build-deps: $pkg: the Debian changes could not be fetched; built from Debian's upstream tarball $(basename "$orig")" >&2
    fi
    dir="$(find "$deps/src" -maxdepth 1 -type d -name "$pkg-[0-9]*" | head -n1)"
  fi
  echo "$dir"
}

built() { [ -f "$deps/build/$1.stamp" ] && [ "$(cat "$deps/build/$1.stamp")" = "$2" ]; }
stamp() { echo "$2" >"$deps/build/$1.stamp"; echo "build-deps: $1 built from $(basename "$2")"; }

cmake_cross=(-DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" -DAISB_WINDOWS_DEPS="$prefix"
             -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF)

# libcsv (RFC 4180 CSV): one C file.
src="$(fetch libcsv)"
if ! built libcsv "$src"; then
  $triplet-gcc-posix -O2 -c "$src/libcsv.c" -I"$src" -o "$deps/build/libcsv.o"
  $triplet-ar rcs "$prefix/lib/libcsv.a" "$deps/build/libcsv.o"
  cp "$src/csv.h" "$prefix/include/"
  stamp libcsv "$src"
fi

# libarchive: only its tar reader is used (a class's image folders as tars),
# so no compression libraries, crypto, ACLs or command-line tools.
src="$(fetch libarchive)"
if ! built libarchive "$src"; then
  rm -rf "$deps/build/libarchive"
  cmake -S "$src" -B "$deps/build/libarchive" "${cmake_cross[@]}" -DENABLE_TEST=OFF -DENABLE_TAR=OFF \
    -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_UNZIP=OFF -DENABLE_OPENSSL=OFF -DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF \
    -DENABLE_LIBB2=OFF -DENABLE_LZ4=OFF -DENABLE_LZO=OFF -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF -DENABLE_ZLIB=OFF \
    -DENABLE_BZip2=OFF -DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_PCREPOSIX=OFF -DENABLE_PCRE2POSIX=OFF \
    -DENABLE_LIBGCC=OFF -DPOSIX_REGEX_LIB=NONE -DENABLE_CNG=OFF -DENABLE_ICONV=OFF -DENABLE_ACL=OFF -DENABLE_XATTR=OFF -DENABLE_WERROR=OFF \
    >"$deps/build/libarchive.log" 2>&1 || { tail -30 "$deps/build/libarchive.log" >&2; exit 1; }
  cmake --build "$deps/build/libarchive" -j"$jobs" --target archive_static >>"$deps/build/libarchive.log" 2>&1 ||
    { tail -30 "$deps/build/libarchive.log" >&2; exit 1; }
  cp "$deps/build/libarchive/libarchive/libarchive.a" "$prefix/lib/libarchive.a" 2>/dev/null ||
    cp "$deps/build/libarchive/libarchive/libarchive_static.a" "$prefix/lib/libarchive.a"
  cp "$src/libarchive/archive.h" "$src/libarchive/archive_entry.h" "$prefix/include/"
  stamp libarchive "$src"
fi

# The header-only libraries, from this machine's packages (installer/deps.sh).
for h in nlohmann toml++ CLI stb; do
  if [ ! -d "/usr/include/$h" ]; then
    echo "build-deps: /usr/include/$h is missing: run installer/deps.sh" >&2
    exit 1
  fi
  rm -rf "$prefix/include/$h"
  cp -r "/usr/include/$h" "$prefix/include/$h"
done
# The app's window and drawing: GLFW, Dear ImGui with its GLFW and OpenGL 3
# backends (as Debian's libimgui-dev has them), md4c for the lessons' text.
mkdir -p "$prefix/lib/pkgconfig"
src="$(fetch glfw3)"
if ! built glfw3 "$src"; then
  rm -rf "$deps/build/glfw3"
  cmake -S "$src" -B "$deps/build/glfw3" "${cmake_cross[@]}" -DGLFW_BUILD_EXAMPLES=OFF -DGLFW_BUILD_TESTS=OFF \
    -DGLFW_BUILD_DOCS=OFF >"$deps/build/glfw3.log" 2>&1 || { tail -30 "$deps/build/glfw3.log" >&2; exit 1; }
  cmake --build "$deps/build/glfw3" -j"$jobs" --target install >>"$deps/build/glfw3.log" 2>&1 ||
    { tail -30 "$deps/build/glfw3.log" >&2; exit 1; }
  stamp glfw3 "$src"
fi

src="$(fetch md4c)"
if ! built md4c "$src"; then
  rm -rf "$deps/build/md4c"
  cmake -S "$src" -B "$deps/build/md4c" "${cmake_cross[@]}" -DBUILD_MD2HTML_EXECUTABLE=OFF \
    >"$deps/build/md4c.log" 2>&1 || { tail -30 "$deps/build/md4c.log" >&2; exit 1; }
  cmake --build "$deps/build/md4c" -j"$jobs" --target install >>"$deps/build/md4c.log" 2>&1 ||
    { tail -30 "$deps/build/md4c.log" >&2; exit 1; }
  stamp md4c "$src"
fi

src="$(fetch imgui)"
if ! built imgui "$src"; then
  rm -rf "$deps/build/imgui" "$prefix/include/imgui"
  mkdir -p "$deps/build/imgui" "$prefix/include/imgui"
  objs=()
  for f in imgui.cpp imgui_draw.cpp imgui_tables.cpp imgui_widgets.cpp imgui_demo.cpp misc/cpp/imgui_stdlib.cpp \
           backends/imgui_impl_glfw.cpp backends/imgui_impl_opengl3.cpp; do
    o="$deps/build/imgui/$(basename "$f" .cpp).o"
    $triplet-g++-posix -O2 -std=c++17 -c "$src/$f" -I"$src" -I"$src/backends" -I"$src/misc/cpp" -I"$prefix/include" \
      -I"$prefix/include/stb" -o "$o" 2>>"$deps/build/imgui.log" || { tail -30 "$deps/build/imgui.log" >&2; exit 1; }
    objs+=("$o")
  done
  $triplet-ar rcs "$prefix/lib/libimgui.a" "${objs[@]}"
  # Laid out as Debian's libimgui-dev: imgui/, imgui/backends/, imgui_stdlib.h.
  mkdir -p "$prefix/include/imgui/backends"
  cp "$src"/*.h "$src"/misc/cpp/imgui_stdlib.h "$prefix/include/imgui/"
  cp "$src"/backends/imgui_impl_glfw.h "$src"/backends/imgui_impl_opengl3*.h "$prefix/include/imgui/backends/"
  printf 'prefix=%s\nName: imgui\nDescription: Dear ImGui\nVersion: 1\nRequires: glfw3\nLibs: -L${prefix}/lib -limgui\nCflags: -I${prefix}/include/imgui -I${prefix}/include/stb\n' \
    "$prefix" >"$prefix/lib/pkgconfig/imgui.pc"
  stamp imgui "$src"
fi
printf 'prefix=%s\nName: stb\nDescription: stb\nVersion: 1\nLibs: -L${prefix}/lib -lstb\nCflags: -I${prefix}/include/stb\n' \
  "$prefix" >"$prefix/lib/pkgconfig/stb.pc"

# stb: Debian's libstb is its header files compiled once into a library;
# the same, for Windows (the image loader and the PNG writer).
stb_key="utf8 $(md5sum /usr/include/stb/stb_image.h /usr/include/stb/stb_image_write.h | md5sum)"
if ! built stb "$stb_key"; then
  # File names are UTF-8 on Windows too (stb's own switches for it).
  printf '#define STBI_WINDOWS_UTF8\n#define STBIW_WINDOWS_UTF8\n#define STB_IMAGE_IMPLEMENTATION\n#include "stb_image.h"\n#define STB_IMAGE_WRITE_IMPLEMENTATION\n#include "stb_image_write.h"\n' \
    >"$deps/build/stb.c"
  $triplet-gcc-posix -O2 -c "$deps/build/stb.c" -I"$prefix/include/stb" -o "$deps/build/stb.o"
  $triplet-ar rcs "$prefix/lib/libstb.a" "$deps/build/stb.o"
  stamp stb "$stb_key"
fi
# The app's fonts (Windows has no Nanum): fonts-nanum's, under the OFL-1.1.
mkdir -p "$prefix/share/fonts"
for f in NanumBarunGothic NanumBarunGothicBold NanumGothicCoding; do
  if [ ! -f "/usr/share/fonts/truetype/nanum/$f.ttf" ]; then
    echo "build-deps: /usr/share/fonts/truetype/nanum/$f.ttf is missing: run installer/deps.sh (fonts-nanum)" >&2
    exit 1
  fi
  cp -u "/usr/share/fonts/truetype/nanum/$f.ttf" "$prefix/share/fonts/"
done
echo "build-deps: Windows libraries ready in $prefix"
