# Checks for test scripts run with `cmake -P` (tests/consumer/, tools/).
include_guard(GLOBAL)

# step(command args...): runs it, fails the test unless it exits 0; its
# stdout and stderr in STEP_OUTPUT.
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(STEP_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

function(expect text haystack)
  string(FIND "${haystack}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected '${text}' in:\n${haystack}")
  endif()
endfunction()

function(expect_not text haystack)
  string(FIND "${haystack}" "${text}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "did not expect '${text}' in:\n${haystack}")
  endif()
endfunction()
