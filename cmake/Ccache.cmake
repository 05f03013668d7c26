# Use ccache when it is there: CI and developers rebuild the same torch-heavy
# files often, and a cache hit turns ~30 s into ~0.1 s.
find_program(AISB_CCACHE ccache)
if(AISB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${AISB_CCACHE})
  message(STATUS "ccache: ${AISB_CCACHE}")
endif()
