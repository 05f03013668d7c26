# The dense fast path (a playground lesson: data, initial weights, training,
# evaluation) must give the same bits with every C library, so that the
# Windows build's losses under Wine match Linux's digit for digit. libm's
# transcendental functions differ between C libraries in the last bits:
# core/detmath.hpp has our own, and this fails if an object file of that path
# references a libm one again (sqrt is exact by IEEE and allowed).
#
#   cmake -DNM=nm -DOBJECTS="a.o|b.o|..." -P no_libm_test.cmake
if(NOT NM OR NOT OBJECTS)
  message(FATAL_ERROR "usage: cmake -DNM=<nm> -DOBJECTS=<object|object|...> -P no_libm_test.cmake")
endif()

# The translation units a playground lesson's `aisandbox-cli train` runs.
set(dense_path
    engine/fast_mlp.cpp engine/init.cpp engine/trainer.cpp engine/run_control.cpp
    data/dataset.cpp data/playground.cpp
    core/detmath.cpp core/shape.cpp core/spec.cpp core/event.cpp core/job_reader.cpp)
set(names exp exp2 expm1 log log2 log10 log1p pow tanh sinh cosh erf erfc sin cos tan sincos atan atan2 asin acos
          cbrt lgamma tgamma)
set(pattern "")
foreach(n IN LISTS names)
  list(APPEND pattern "${n}" "${n}f" "${n}l")
endforeach()
list(JOIN pattern "|" pattern)
set(pattern "^(__)?(${pattern})(_finite)?(@.*)?$")

string(REPLACE "|" ";" objects "${OBJECTS}")
set(failures "")
set(checked 0)
foreach(source IN LISTS dense_path)
  set(found "")
  foreach(o IN LISTS objects)
    string(REGEX REPLACE "\\.(o|obj)$" "" stem "${o}")
    if(stem MATCHES "/${source}$")
      set(found "${o}")
    endif()
  endforeach()
  if(NOT found)
    string(APPEND failures "  ${source}: no object file among the targets' objects (renamed? update this list)\n")
    continue()
  endif()
  if(NOT EXISTS "${found}")
    string(APPEND failures "  ${source}: ${found} is not built (build aisb_engine first)\n")
    continue()
  endif()
  execute_process(COMMAND "${NM}" -u "${found}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND failures "  ${source}: ${NM} -u ${found} failed (${rc})\n")
    continue()
  endif()
  math(EXPR checked "${checked} + 1")
  string(REPLACE "\n" ";" lines "${out}")
  foreach(line IN LISTS lines)
    string(STRIP "${line}" line)
    string(REGEX REPLACE "^U +" "" symbol "${line}")
    if(symbol MATCHES "${pattern}")
      string(APPEND failures "  ${source}: references libm's ${symbol} (use core/detmath.hpp's instead)\n")
    endif()
  endforeach()
endforeach()

if(failures)
  message(FATAL_ERROR "The dense fast path calls libm transcendental functions, which differ between C libraries:\n"
                      "${failures}")
endif()
message(STATUS "${checked} object files of the dense fast path reference no libm transcendental function")
