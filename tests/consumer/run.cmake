# Installs zguard into a scratch prefix, then builds and runs the consumer
# project against it with find_package(zguard).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}")
  endif()
endfunction()
step(${CMAKE_COMMAND} -S ${ZGUARD_SOURCE} -B ${WORK}/zguard-build -DCMAKE_INSTALL_PREFIX=${WORK}/prefix
     -DZGUARD_BUILD_TESTS=OFF -DZGUARD_BUILD_EXAMPLES=OFF -DZGUARD_BUILD_BENCHMARKS=OFF)
step(${CMAKE_COMMAND} --install ${WORK}/zguard-build)
step(${CMAKE_COMMAND} -S ${CONSUMER} -B ${WORK}/consumer-build -DCMAKE_PREFIX_PATH=${WORK}/prefix)
step(${CMAKE_COMMAND} --build ${WORK}/consumer-build)
step(${WORK}/consumer-build/consumer)
