# Shared by the pipeline test scripts: checks that the named variables are
# set, then gives a pipeline program a fresh WORK directory with its keys
# (WORK/keys) and an empty rendezvous directory (WORK/rdv).
function(zguard_prepare_pipeline_work script)
  foreach(v ${ARGN})
    if(NOT DEFINED ${v})
      message(FATAL_ERROR "${script}: ${v} not set")
    endif()
  endforeach()
  file(REMOVE_RECURSE ${WORK})
  file(MAKE_DIRECTORY ${WORK}/rdv)
  execute_process(COMMAND ${BIN} --keygen ${WORK}/keys RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${BIN} --keygen failed (${rc}):\n${out}")
  endif()
endfunction()
