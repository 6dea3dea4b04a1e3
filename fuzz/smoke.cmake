# Builds the libFuzzer binaries with clang (a separate build tree, fuzzers
# only) and runs each for RUNS inputs, starting from its seed corpus. New
# inputs go to a scratch directory, never into the source tree. The fuzzers
# run two at a time (the test holds two of ctest's jobs): two copies of this
# script in LANE mode take the next fuzzer from a shared queue until it is
# empty; each fuzzer runs and is checked exactly as one at a time.
if(DEFINED LANE)
  # One lane: WORK, SOURCE, RUNS set by the caller; WORK/queue holds the
  # fuzzers not started yet, WORK/lane.<fuzzer>.txt gets each one's report.
  set(_more ON)
  while(_more)
    file(LOCK ${WORK}/queue.lock)
    file(STRINGS ${WORK}/queue _queue)
    if(NOT _queue)
      file(LOCK ${WORK}/queue.lock RELEASE)
      break()
    endif()
    list(POP_FRONT _queue target)
    string(REPLACE ";" "\n" _rest "${_queue}")
    file(WRITE ${WORK}/queue "${_rest}")
    file(LOCK ${WORK}/queue.lock RELEASE)
    file(REMOVE_RECURSE ${WORK}/new/${target})
    file(MAKE_DIRECTORY ${WORK}/new/${target})
    execute_process(COMMAND ${WORK}/build/fuzz/fuzz_${target} -runs=${RUNS} -max_len=4096 -timeout=10
        ${WORK}/new/${target} ${SOURCE}/fuzz/corpus/${target}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    string(REGEX MATCH "Done [0-9]+ runs[^\n]*" done "${out}")
    if(NOT rc EQUAL 0)
      file(WRITE ${WORK}/lane.${target}.txt "FAILED\nfuzz_${target} failed (${rc})\n${out}")
    elseif(NOT done)
      file(WRITE ${WORK}/lane.${target}.txt "FAILED\nfuzz_${target}: libFuzzer did not report its runs\n${out}")
    else()
      file(WRITE ${WORK}/lane.${target}.txt "fuzz_${target}: ${done}")
    endif()
  endwhile()
  return()
endif()

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
string(REPLACE ";" "\n" _queue "${TARGETS}")
file(WRITE ${WORK}/queue "${_queue}")
file(REMOVE ${WORK}/queue.lock)
foreach(target IN LISTS TARGETS)
  file(REMOVE ${WORK}/lane.${target}.txt)
endforeach()
set(_lane ${CMAKE_COMMAND} -DLANE=ON -DWORK=${WORK} -DSOURCE=${SOURCE} -DRUNS=${RUNS} -P ${CMAKE_CURRENT_LIST_FILE})
# Two commands of one execute_process run at the same time (a pipeline whose
# lanes neither print nor read).
execute_process(COMMAND ${_lane} COMMAND ${_lane} RESULTS_VARIABLE _lane_rcs OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT _lane_rcs STREQUAL "0;0")
  message(FATAL_ERROR "a fuzzing lane failed (${_lane_rcs}):\n${out}")
endif()
foreach(target IN LISTS TARGETS)
  if(NOT EXISTS ${WORK}/lane.${target}.txt)
    message(FATAL_ERROR "fuzz_${target} did not run")
  endif()
  file(READ ${WORK}/lane.${target}.txt _report)
  if(_report MATCHES "^FAILED\n(.*)$")
    message(FATAL_ERROR "${CMAKE_MATCH_1}")
  endif()
  message(STATUS "${_report}")
endforeach()
