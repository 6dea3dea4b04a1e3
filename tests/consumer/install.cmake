# The README's install-only command in a scratch directory: configure with
# ZGUARD_INSTALL_ONLY, prove from CMake's trace that only the library's own
# dependencies were looked for (no doctest, CZMQ, Python), build the zguard
# tool, install into WORK/prefix, import the installed Python module. The
# fixture of the other consumer tests.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
step(${CMAKE_COMMAND} -S ${ZGUARD_SOURCE} -B ${WORK}/build -DZGUARD_INSTALL_ONLY=ON
     -DCMAKE_INSTALL_PREFIX=${WORK}/prefix --trace-expand --trace-redirect=${WORK}/trace.txt)

# Every lookup zguard's own CMake files made, from the trace.
string(REGEX REPLACE "([][+.*()^$?|\\])" "\\\\\\1" source_re "${ZGUARD_SOURCE}")
file(STRINGS ${WORK}/trace.txt calls
     REGEX "^${source_re}/[^(]*\\([0-9]+\\): +(find_package|pkg_check_modules|find_program|find_library|add_subdirectory)\\(")
set(seen "")
foreach(call IN LISTS calls)
  string(REGEX REPLACE "^[^ ]*: +" "" call "${call}")
  string(REGEX REPLACE " +\\)$" ")" call "${call}")
  list(APPEND seen "${call}")
endforeach()
list(REMOVE_DUPLICATES seen)
set(expected
  "find_package(PkgConfig REQUIRED)"
  "pkg_check_modules(ZGUARD_ZMQ REQUIRED IMPORTED_TARGET libzmq>=4.3.3)"
  "pkg_check_modules(ZGUARD_SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)"
  "find_package(cppzmq REQUIRED)"
  "find_package(Boost 1.74 REQUIRED)"
  "find_package(Threads REQUIRED)"
  "add_subdirectory(tools)")
if(NOT seen STREQUAL expected)
  list(JOIN seen "\n  " seen_text)
  list(JOIN expected "\n  " expected_text)
  message(FATAL_ERROR "the install-only configure looked for more (or other) than the library needs:\n"
    "  ${seen_text}\nexpected:\n  ${expected_text}")
endif()
file(STRINGS ${WORK}/build/CMakeCache.txt test_deps REGEX "^(doctest_DIR|ZGUARD_SYSTEM_PYTHON|ZGUARD_CZMQ_[A-Z_]*):")
if(test_deps)
  message(FATAL_ERROR "the install-only configure looked for test dependencies: ${test_deps}")
endif()

step(${CMAKE_COMMAND} --build ${WORK}/build)
step(${CMAKE_COMMAND} --install ${WORK}/build)
step(${WORK}/prefix/bin/zguard --help)
python_consumer(${WORK}/prefix/lib/python3/dist-packages)
