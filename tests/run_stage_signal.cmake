# One stage of an example pipeline run alone (--stage), sent SIGTERM after
# 2 s by coreutils' timeout: the stage must stop by itself and exit 0 with
# its report (the --stage signal path of pipeline.hpp), not die of the
# signal. BIN, STAGE, WORK and EXPECT (a regex the output must match).
include(${CMAKE_CURRENT_LIST_DIR}/pipeline_work.cmake)
zguard_prepare_pipeline_work(run_stage_signal.cmake BIN STAGE WORK EXPECT)
find_program(TIMEOUT timeout REQUIRED)
# --preserve-status: the exit status is the stage's own, 128+15 if SIGTERM
# killed it; --kill-after: a stage that ignores SIGTERM dies of SIGKILL.
execute_process(COMMAND ${TIMEOUT} --preserve-status --kill-after=20 -s TERM 2
    ${BIN} --stage ${STAGE} --keys ${WORK}/keys --dir ${WORK}/rdv
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BIN} --stage ${STAGE} did not stop cleanly on SIGTERM (status ${rc})\n${out}\n${err}")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "${BIN} --stage ${STAGE}: no line matching '${EXPECT}' in\n${out}")
endif()
message(STATUS "${BIN} --stage ${STAGE} stopped on SIGTERM:\n${out}")
