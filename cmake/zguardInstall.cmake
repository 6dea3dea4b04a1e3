# What `cmake --install` puts in place, in three components (one Debian
# package each, cmake/zguardPackaging.cmake):
#   dev     headers, CMake package files, zguard.pc (architecture-independent)
#   tools   the zguard command-line tool (tools/), when built
#   python  the Python module (python/zguard, docs/python.md), where Debian's
#           python3 looks: lib/python3/dist-packages under the prefix
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

install(TARGETS zguard EXPORT zguardTargets)
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(EXPORT zguardTargets NAMESPACE zguard::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zguard COMPONENT dev)
configure_package_config_file(cmake/zguardConfig.cmake.in
  ${PROJECT_BINARY_DIR}/zguardConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zguard)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/zguardConfigVersion.cmake
  COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/zguardConfig.cmake
  ${PROJECT_BINARY_DIR}/zguardConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/zguardPkgConfig.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zguard COMPONENT dev)

# zguard.pc finds its prefix from its own place (${pcfiledir}), so the same
# file serves an install prefix, a DESTDIR and an unpacked .deb (with an
# absolute LIBDIR or INCLUDEDIR it names absolute paths instead).
set(ZGUARD_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(ZGUARD_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(ZGUARD_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH _zguard_up /zguard/${ZGUARD_PC_DIR} /zguard)
  string(REGEX REPLACE "/$" "" _zguard_up "${_zguard_up}")
  set(ZGUARD_PC_PREFIX "\${pcfiledir}/${_zguard_up}")
  set(ZGUARD_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/zguard.pc.in ${PROJECT_BINARY_DIR}/zguard.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/zguard.pc DESTINATION ${ZGUARD_PC_DIR} COMPONENT dev)

# The module's .py files only: no bytecode a test run may have left.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/zguard/ DESTINATION lib/python3/dist-packages/zguard
  COMPONENT python FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
