# Runs one compile-fail case; see CompileFailTest.cmake.
#
# A case passes only when the compiler rejects the file and
#  - every // MESSAGE[regex] line of the file matches its diagnostics;
#  - the first "error:" line is zguard's own text (a static_assert whose
#    message starts with "zguard"): the user reads why first, not a
#    "no matching function" or a library's internals;
#  - the whole diagnostic is at most ZGUARD_MAX_DIAGNOSTIC_LINES lines: one
#    mistake gives one error, not a cascade. No flag trims the output here:
#    what this counts is what a user sees.
# A file that groups several mistakes (each one line of the file, each with
# its own MESSAGE) says how many with // CASES[n]: it may print n times the
# lines of one. A file whose mistakes the language itself refuses before
# zguard sees them (specializing a concept or an alias template) names the
# compiler's first error with // FIRST_ERROR[regex] instead of zguard's text.
set(ZGUARD_MAX_DIAGNOSTIC_LINES 15)
string(REPLACE "|" ";" _flags "${FLAGS}")
file(STRINGS ${SOURCE} _expect REGEX "^// MESSAGE\\[.*\\]$")
file(STRINGS ${SOURCE} _cases REGEX "^// CASES\\[[0-9]+\\]$")
if(_cases)
  string(REGEX REPLACE "^// CASES\\[([0-9]+)\\]$" "\\1" _cases "${_cases}")
  math(EXPR ZGUARD_MAX_DIAGNOSTIC_LINES "${ZGUARD_MAX_DIAGNOSTIC_LINES} * ${_cases}")
endif()
file(STRINGS ${SOURCE} _first REGEX "^// FIRST_ERROR\\[.*\\]$")
if(NOT _expect)
  message(FATAL_ERROR "${SOURCE}: no // MESSAGE[regex] line; a compile-fail "
    "test must say which diagnostic it expects")
endif()
# Compiled as a copy beside the precompiled common.hpp (CompileFailTest.cmake).
set(_compiled ${SOURCE})
if(WORK)
  get_filename_component(_dir ${SOURCE} DIRECTORY)
  file(SHA256 ${_dir}/common.hpp _wanted)
  set(_built "")
  if(EXISTS ${WORK}/common.hpp.gch)
    file(SHA256 ${WORK}/common.hpp _built)
  endif()
  if(NOT _built STREQUAL _wanted)
    message(FATAL_ERROR "${SOURCE}: the compile-fail preamble in ${WORK} is missing or older than "
      "${_dir}/common.hpp: build first (target zguard_compile_fail_preamble)")
  endif()
  get_filename_component(_file ${SOURCE} NAME)
  set(_compiled ${WORK}/${_file})
  configure_file(${SOURCE} ${_compiled} COPYONLY)
endif()
execute_process(
  COMMAND ${CXX} -std=c++20 -fsyntax-only -fdiagnostics-color=never ${_flags} ${_compiled}
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
# Lines as the user sees them (a trailing newline ends the last one).
string(REGEX MATCHALL "\n" _newlines "${_out}")
list(LENGTH _newlines _count)
if(NOT _out MATCHES "\n$" AND NOT _out STREQUAL "")
  math(EXPR _count "${_count} + 1")
endif()
if(_count GREATER ZGUARD_MAX_DIAGNOSTIC_LINES)
  message(FATAL_ERROR "${SOURCE}: the compiler printed ${_count} lines (at most "
    "${ZGUARD_MAX_DIAGNOSTIC_LINES}): one mistake must give one error, not a cascade. "
    "Compiler said:\n${_out}")
endif()
string(REGEX MATCH "error: [^\n]*" _first_error "${_out}")
if(_first)
  string(REGEX REPLACE "^// FIRST_ERROR\\[(.*)\\]$" "\\1" _first "${_first}")
  if(NOT _first_error MATCHES "${_first}")
    message(FATAL_ERROR "${SOURCE}: the first error is not the expected '${_first}', it is:\n  "
      "${_first_error}\nCompiler said:\n${_out}")
  endif()
elseif(NOT _first_error MATCHES "^error: static assertion failed: [Zz][Gg][Uu][Aa][Rr][Dd]")
  message(FATAL_ERROR "${SOURCE}: the first error is not zguard's own text "
    "(\"error: static assertion failed: zguard...\"), it is:\n  ${_first_error}\n"
    "Compiler said:\n${_out}")
endif()
message(STATUS "${_count} diagnostic lines; first: ${_first_error}")
