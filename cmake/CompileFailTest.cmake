# Compile-fail tests in the style of dyno's CompileFailTest.cmake, made strict.
#
# Every <dir>/*.fail.cpp becomes a ctest that runs the compiler on it
# (-fsyntax-only) through cmake/compile_fail_check.cmake, which passes only
# when compilation FAILS and its diagnostics match every
#   // MESSAGE[regex]
# line of the file, its first "error:" is zguard's own static_assert text and
# the whole diagnostic is at most 15 lines (one mistake, one error; a file
# grouping n mistakes says // CASES[n], and one whose mistakes the language
# refuses first names that error with // FIRST_ERROR[regex]). A file
# that compiles, or fails for another reason, is a red test. Files named
# sanity_*.fail.cpp check the harness itself: they are expected to be
# rejected by it (WILL_FAIL), proving it can go red.
#
# The cases share one preamble, <dir>/common.hpp (the umbrella header and
# a few types): the build precompiles it once into <build>/compile_fail/,
# and each case is compiled as a copy placed beside it, so its own
# `#include "common.hpp"` loads the precompiled header instead of parsing
# the umbrella again. Same source, same flags, same diagnostics (only the
# file's directory in them differs); about a third of the time per case.
#
# Preamble and cases are compiled with ZGUARD_SEPARATE_COMPILATION: the
# runtime's non-template functions are then declared, not defined, so no
# case instantiates the containers their bodies use (about 0.6 s a case,
# 40%, of work no diagnostic depends on: the rules under test are templates
# and their static_asserts, the same in both modes, and -fsyntax-only links
# nothing).
function(zguard_add_compile_fail_tests dir)
  file(GLOB _cases CONFIGURE_DEPENDS ${dir}/*.fail.cpp)
  set(_flags -DZGUARD_SEPARATE_COMPILATION -I${PROJECT_SOURCE_DIR}/include)
  foreach(_inc IN LISTS ZGUARD_ZMQ_INCLUDE_DIRS ZGUARD_SODIUM_INCLUDE_DIRS)
    list(APPEND _flags -I${_inc})
  endforeach()
  string(REPLACE ";" "|" _flags_arg "${_flags}")
  set(_work ${CMAKE_CURRENT_BINARY_DIR}/compile_fail)
  file(GLOB_RECURSE _headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/zguard/*.hpp
    ${PROJECT_SOURCE_DIR}/include/zguard/*.ipp)
  add_custom_command(OUTPUT ${_work}/common.hpp.gch
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_work}
    COMMAND ${CMAKE_COMMAND} -E copy ${dir}/common.hpp ${_work}/common.hpp
    COMMAND ${CMAKE_CXX_COMPILER} -std=c++20 ${_flags} -x c++-header ${_work}/common.hpp -o ${_work}/common.hpp.gch
    DEPENDS ${dir}/common.hpp ${_headers}
    COMMENT "Precompiling the compile-fail cases' preamble"
    VERBATIM)
  add_custom_target(zguard_compile_fail_preamble ALL DEPENDS ${_work}/common.hpp.gch)
  foreach(_case IN LISTS _cases)
    get_filename_component(_name ${_case} NAME_WE)
    add_test(NAME compile_fail.${_name}
      COMMAND ${CMAKE_COMMAND}
        -DCXX=${CMAKE_CXX_COMPILER}
        -DSOURCE=${_case}
        -DWORK=${_work}
        -DFLAGS=${_flags_arg}
        -P ${PROJECT_SOURCE_DIR}/cmake/compile_fail_check.cmake)
    set_tests_properties(compile_fail.${_name} PROPERTIES TIMEOUT 300)
    if(_name MATCHES "^sanity_")
      set_tests_properties(compile_fail.${_name} PROPERTIES WILL_FAIL TRUE)
    endif()
  endforeach()
endfunction()
