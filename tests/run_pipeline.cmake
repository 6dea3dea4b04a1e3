# Runs an example pipeline end to end: generates its keys, runs it in MODE
# (--all: one process, --launch: one process per stage replica) and checks
# that the output has every EXPECT line (regexes, ';'-separated: the counts
# the sinks reported).
include(${CMAKE_CURRENT_LIST_DIR}/pipeline_work.cmake)
zguard_prepare_pipeline_work(run_pipeline.cmake BIN MODE WORK EXPECT)
execute_process(COMMAND ${BIN} ${MODE} --keys ${WORK}/keys --dir ${WORK}/rdv --timeout-s 120
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCHALL "result [^\n]*" results "${out}")
string(REPLACE ";" "\n" results_text "${results}")
message(STATUS "${BIN} ${MODE}:\n${results_text}")
if(NOT rc EQUAL 0)
  string(LENGTH "${err}" n)
  if(n GREATER 4000)
    string(SUBSTRING "${err}" 0 4000 err)
  endif()
  message(FATAL_ERROR "${BIN} ${MODE} exited with ${rc}\n${err}")
endif()
foreach(line IN LISTS EXPECT)
  if(NOT out MATCHES "${line}")
    message(FATAL_ERROR "${BIN} ${MODE}: no line matching '${line}' in\n${results_text}")
  endif()
endforeach()
