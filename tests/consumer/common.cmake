# Shared by the consumer test scripts: run a step, build and run programs
# against an installed (or unpacked) zguard. WORK is the scratch directory
# consumer_install fills: build/ (the install-only build), prefix/.
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/ScriptChecks.cmake)

# The library directory under the prefix, as GNUInstallDirs chose it.
function(install_libdir var)
  file(STRINGS ${WORK}/build/CMakeCache.txt line REGEX "^CMAKE_INSTALL_LIBDIR:")
  string(REGEX REPLACE "^[^=]*=" "" line "${line}")
  set(${var} "${line}" PARENT_SCOPE)
endfunction()

# The consumer project, found through find_package(zguard) under prefix.
function(find_package_consumer prefix build)
  file(REMOVE_RECURSE ${build})
  step(${CMAKE_COMMAND} -S ${CONSUMER} -B ${build} -DCMAKE_PREFIX_PATH=${prefix})
  step(${CMAKE_COMMAND} --build ${build})
  step(${build}/consumer)
  expect("CURVE round trip through an installed zguard: ok" "${STEP_OUTPUT}")
endfunction()

# A one-file program compiled with nothing but `pkg-config --cflags --libs zguard`.
function(pkg_config_consumer pcdir exe)
  set(ENV{PKG_CONFIG_PATH} ${pcdir})
  step(pkg-config --modversion zguard)
  string(STRIP "${STEP_OUTPUT}" version)
  if(NOT version STREQUAL VERSION)
    message(FATAL_ERROR "zguard.pc in ${pcdir} says version '${version}', expected ${VERSION}")
  endif()
  step(pkg-config --cflags --libs zguard)
  separate_arguments(flags UNIX_COMMAND "${STEP_OUTPUT}")
  step(${CXX} ${CONSUMER}/pkg_config_main.cpp ${flags} -o ${exe})
  step(${exe} ${exe}.cert)
  expect("pkg-config consumer: ok" "${STEP_OUTPUT}")
endfunction()

# The installed Python module, imported by Debian's python3 from the
# dist-packages directory given (python_consumer.py).
function(python_consumer dist_packages)
  step(${CMAKE_COMMAND} -E env PYTHONPATH=${dist_packages} PYTHONDONTWRITEBYTECODE=1
       /usr/bin/python3 ${CONSUMER}/python_consumer.py ${dist_packages} ${ZGUARD_SOURCE}/python/zguard)
  expect("python consumer: ok" "${STEP_OUTPUT}")
endfunction()
