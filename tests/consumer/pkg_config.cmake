# Builds a program against the prefix consumer_install filled with nothing but
# `pkg-config --cflags --libs zguard`.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
install_libdir(libdir)
pkg_config_consumer(${WORK}/prefix/${libdir}/pkgconfig ${WORK}/pkg-config-consumer)
