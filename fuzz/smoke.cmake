# Builds the libFuzzer binaries with clang (a separate build tree, fuzzers
# only) and runs each for RUNS inputs, starting from its seed corpus. New
# inputs go to a scratch directory, never into the source tree.
foreach(v SOURCE WORK CLANG TARGETS RUNS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "smoke.cmake: ${v} not set")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    -DCMAKE_CXX_COMPILER=${CLANG} -DZGUARD_BUILD_TESTS=OFF -DZGUARD_BUILD_EXAMPLES=OFF
    -DZGUARD_BUILD_BENCHMARKS=OFF -DZGUARD_BUILD_FUZZERS=ON)
# One build of every fuzzer (one file each), two at a time.
set(_fuzzers)
foreach(target IN LISTS TARGETS)
  list(APPEND _fuzzers fuzz_${target})
endforeach()
run(${CMAKE_COMMAND} --build ${WORK}/build --target ${_fuzzers} -j2)
foreach(target IN LISTS TARGETS)
  file(REMOVE_RECURSE ${WORK}/new/${target})
  file(MAKE_DIRECTORY ${WORK}/new/${target})
  run(${WORK}/build/fuzz/fuzz_${target} -runs=${RUNS} -max_len=4096 -timeout=10
      ${WORK}/new/${target} ${SOURCE}/fuzz/corpus/${target})
  string(REGEX MATCH "Done [0-9]+ runs[^\n]*" done "${last_output}")
  if(NOT done)
    message(FATAL_ERROR "fuzz_${target}: libFuzzer did not report its runs\n${last_output}")
  endif()
  message(STATUS "fuzz_${target}: ${done}")
endforeach()
