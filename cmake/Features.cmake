# Optional parts and what they need. The runtime, CLI and worker must build on a
# bare GPU node, so parts that need a GUI, SQLite or OpenSSL switch off with a
# message instead of failing the configure step.
include(FindPkgConfig OPTIONAL RESULT_VARIABLE _aisb_pkgconfig)

function(aisb_feature NAME DESCRIPTION)
  # Usage: aisb_feature(GUI "the desktop app" FOUND_VAR...)
  set(ok ON)
  foreach(var IN LISTS ARGN)
    if(NOT ${var})
      set(ok OFF)
    endif()
  endforeach()
  set(AISB_HAVE_${NAME} ${ok} PARENT_SCOPE)
  if(ok)
    message(STATUS "AI Sandbox: ${DESCRIPTION}: on")
  else()
    message(STATUS "AI Sandbox: ${DESCRIPTION}: off (missing: ${ARGN}; run installer/deps.sh)")
  endif()
endfunction()
