#!/usr/bin/env python3
"""No narrow string becomes a path in the Windows build (issue 17).

On Windows, MinGW's std::filesystem reads a narrow string in the C library's
locale, not as UTF-8: a path made from a UTF-8 name ("학생 폴더", a Korean
user name in %APPDATA%) names another file. The code must go through
path_of_utf8 (core/files.hpp). Linux cannot see the mistake, so this test
compiles every source of the Windows build against a copy of the compiler's
<bits/fs_path.h> in which a path cannot be made from a std::string, a
std::string_view or a char pointer (a string literal still can: it is the
program's own ASCII), and names each line that tries.

    tests/windows/narrow_paths_test.py BUILD_WINDOWS_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))

# The narrow kinds of source, and the two overload sets that tell them apart.
HELPERS = """
  template<typename _S> constexpr bool __aisb_narrow_v =
    !is_array_v<_S> && (is_same_v<remove_cv_t<_S>, std::string> || is_same_v<remove_cv_t<_S>, std::string_view>
      || is_same_v<decay_t<_S>, char*> || is_same_v<decay_t<_S>, const char*>);
  template<typename _S> using __aisb_wide = enable_if_t<!__aisb_narrow_v<_S>>;
  template<typename _S> using __aisb_narrow = enable_if_t<__aisb_narrow_v<_S>>;
"""


def patched_header(text):
    """fs_path.h in which path(narrow) is deleted; raises if GCC's changed."""
    def swap(old, new):
        nonlocal text
        if old not in text:
            raise ValueError("fs_path.h has no " + repr(old[:60]))
        text = text.replace(old, new, 1)

    # Warnings and errors in it must show (the original is a system header).
    text = text.replace("#pragma GCC system_header", "")
    swap("  /// A filesystem path\n", HELPERS + "  /// A filesystem path\n")
    swap("""    template<typename _Source,
\t     typename _Require = __detail::_Path<_Source>>
      path(_Source const& __source, format = auto_format)
      : _M_pathname(_S_convert(__detail::__effective_range(__source)))
      { _M_split_cmpts(); }
""", """    template<typename _Source,
\t     typename _Require = __detail::_Path<_Source>, typename _W = __aisb_wide<_Source>>
      path(_Source const& __source, format = auto_format)
      : _M_pathname(_S_convert(__detail::__effective_range(__source)))
      { _M_split_cmpts(); }

    template<typename _Source, typename _N = __aisb_narrow<_Source>, typename = void, typename = void>
      path(_Source const& __source, format = auto_format) = delete;
""")
    # The appends, concatenations and assignments take a path instead (made
    # by the constructor above) when given a narrow source.
    for name in ("operator=(_Source const& __source)", "assign(_Source const& __source)",
                 "operator/=(_Source const& __source)", "append(_Source const& __source)",
                 "operator+=(_Source const& __x)", "concat(_Source const& __x)"):
        swap("    template<typename _Source>\n      __detail::_Path<_Source>&\n      " + name,
             "    template<typename _Source, typename _W = __aisb_wide<_Source>>\n"
             "      __detail::_Path<_Source>&\n      " + name)
    return text


def compile_one(entry, overlay):
    command = re.sub(r" -o \S+", " -fsyntax-only -fmax-errors=0 ", entry["command"])
    command = re.sub(r"^(\S+)", r"\1 -I " + overlay, command, count=1)
    r = subprocess.run(command, shell=True, cwd=entry["directory"], capture_output=True, text=True)
    return r.returncode, r.stderr


def narrow_sites(stderr):
    out = []
    for line in stderr.splitlines():
        m = re.match(r"(/[^:]+):(\d+):\d+: error: use of deleted function .*path::path", line)
        if m:
            out.append((m.group(1), int(m.group(2))))
    return out


def main():
    build = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-windows"))
    commands = os.path.join(build, "compile_commands.json")
    if not os.path.exists(commands):
        print(f"narrow_paths_test: no {commands}: run make windows", file=sys.stderr)
        return 1
    entries = [e for e in json.load(open(commands))
               if os.path.realpath(e["file"]).startswith(ROOT + os.sep) and
               not os.path.realpath(e["file"]).startswith(build + os.sep)]
    compiler = entries[0]["command"].split()[0]
    found = subprocess.run([compiler, "-x", "c++", "-std=c++20", "-E", "-H", "-o", os.devnull, "-"],
                           input="#include <filesystem>\n", capture_output=True, text=True).stderr
    header = next((l.split()[-1] for l in found.splitlines() if l.rstrip().endswith("bits/fs_path.h")), None)
    if header is None:
        print(f"narrow_paths_test: {compiler} has no bits/fs_path.h", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as overlay:
        os.makedirs(os.path.join(overlay, "bits"))
        try:
            text = patched_header(open(header).read())
        except ValueError as e:
            print(f"narrow_paths_test: cannot read {header} as GCC 12's: {e}", file=sys.stderr)
            return 1
        with open(os.path.join(overlay, "bits", "fs_path.h"), "w") as f:
            f.write(text)

        # The check itself: it refuses a std::string and takes a literal.
        probe = os.path.join(overlay, "probe.cpp")
        with open(probe, "w") as f:
            f.write('#include <filesystem>\n#include <string>\n'
                    'std::filesystem::path ok() { return std::filesystem::path("lessons") / "a.toml"; }\n'
                    'std::filesystem::path bad(const std::string& s) { return std::filesystem::path("x") / s; }\n')
        code, err = compile_one({"command": f"{compiler} -std=c++20 -o probe.o -c {probe}", "directory": overlay},
                                overlay)
        if [line for _, line in narrow_sites(err)] != [4]:
            print("narrow_paths_test: the patched header does not refuse what it should:\n" + err, file=sys.stderr)
            return 1

        with ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1))) as pool:
            results = list(pool.map(lambda e: (e["file"], *compile_one(e, overlay)), entries))

    sites, failed = set(), []
    for file, code, err in results:
        here = [(f, n) for f, n in narrow_sites(err) if os.path.realpath(f).startswith(ROOT + os.sep) and
                not os.path.realpath(f).startswith(build + os.sep)]
        sites.update(here)
        if code != 0 and not narrow_sites(err):
            failed.append((file, err))
    for file, err in failed:
        print(f"narrow_paths_test: {os.path.relpath(file, ROOT)} does not compile:\n{err[-2000:]}", file=sys.stderr)
    for file, line in sorted(sites):
        print(f"{os.path.relpath(file, ROOT)}:{line}: a narrow string made into a path: use path_of_utf8 "
              "(core/files.hpp)", file=sys.stderr)
    if sites or failed:
        print(f"FAIL: {len(sites)} places make a path from a narrow string", file=sys.stderr)
        return 1
    print(f"ok: none of the {len(entries)} sources of the Windows build makes a path from a narrow string")
    return 0


if __name__ == "__main__":
    sys.exit(main())
