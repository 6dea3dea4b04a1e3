# Builds and runs the consumer project against the prefix consumer_install
# filled, with find_package(zguard).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
find_package_consumer(${WORK}/prefix ${WORK}/consumer-build)
