# ctest splits a test name at ';' (a CMake list separator): doctest would
# then be asked for a test case that does not exist, run nothing and pass.
# Fails when any doctest case name of BINARY contains ';'.
execute_process(COMMAND ${BINARY} --list-test-cases RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BINARY} --list-test-cases failed (${rc}):\n${out}")
endif()
string(FIND "${out}" ";" at)
if(NOT at EQUAL -1)
  string(REGEX MATCHALL "[^\n]*;[^\n]*" bad "${out}")
  message(FATAL_ERROR "test case names containing ';' (ctest would run nothing for them): ${bad}")
endif()
string(REGEX MATCHALL "\n" lines "${out}")
list(LENGTH lines n)
message(STATUS "${BINARY}: ${n} lines of test case names, none with ';'")
