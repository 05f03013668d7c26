# A GPU node may have PyTorch's libtorch but none of Debian's -dev packages.
# The header-only libraries can then be carried in `third_party/` (ignored by
# git): third_party/nlohmann/json.hpp (or its include/ tree),
# third_party/toml++/toml.h (built header-only here) and third_party/CLI/CLI.hpp.
set(AISB_THIRD_PARTY ${PROJECT_SOURCE_DIR}/third_party CACHE PATH "Where carried header-only libraries live")

function(aisb_header_only TARGET HEADER)
  if(TARGET ${TARGET})
    return()
  endif()
  find_path(_dir ${HEADER} PATHS ${AISB_THIRD_PARTY} ${AISB_THIRD_PARTY}/include NO_DEFAULT_PATH)
  if(NOT _dir)
    message(FATAL_ERROR "${TARGET} not found: install its Debian package (installer/deps.sh) "
                        "or put ${HEADER} under ${AISB_THIRD_PARTY}")
  endif()
  string(REPLACE "::" ";" _parts ${TARGET})
  list(GET _parts 0 _ns)
  add_library(${TARGET} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${TARGET} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_dir})
  message(STATUS "${TARGET}: header-only from ${_dir}")
  unset(_dir CACHE)
endfunction()
