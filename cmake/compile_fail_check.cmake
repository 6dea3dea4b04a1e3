# Runs one compile-fail case; see CompileFailTest.cmake.
string(REPLACE "|" ";" _includes "${INCLUDES}")
file(STRINGS ${SOURCE} _expect REGEX "^// MESSAGE\\[.*\\]$")
if(NOT _expect)
  message(FATAL_ERROR "${SOURCE}: no // MESSAGE[regex] line; a compile-fail "
    "test must say which diagnostic it expects")
endif()
execute_process(
  COMMAND ${CXX} -std=c++20 -fsyntax-only -fdiagnostics-color=never ${_includes} ${SOURCE}
  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
if(_rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must not")
endif()
foreach(_line IN LISTS _expect)
  string(REGEX REPLACE "^// MESSAGE\\[(.*)\\]$" "\\1" _re "${_line}")
  if(NOT _out MATCHES "${_re}")
    message(FATAL_ERROR "${SOURCE} failed to compile, but without the expected "
      "diagnostic '${_re}'. Compiler said:\n${_out}")
  endif()
  message(STATUS "matched diagnostic: ${_re}")
endforeach()
