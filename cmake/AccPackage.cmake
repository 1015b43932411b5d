# AccPackage.cmake: what `cmake --install` puts under a prefix, and how other
# builds find it there (find_package(acc), pkg-config) or in this build tree.
#
#   <prefix>/bin/acc                         acc::acc (finds ../include/acc.h)
#   <prefix>/include/acc.h, acc_editor.h
#   <prefix>/<libdir>/libacc.a, libacc.so*    acc::runtime, acc::runtime_shared
#   <prefix>/<libdir>/cmake/acc/             accConfig.cmake (+ add_async_sources)
#   <prefix>/<libdir>/pkgconfig/acc.pc
#   <prefix>/share/man/man1/acc.1
#
# The install rules of the targets themselves live beside them (runtime/,
# transpiler/), all in the export set accTargets.  Included from the
# top-level CMakeLists.txt after those directories.
include(CMakePackageConfigHelpers)

set_target_properties(acc_static PROPERTIES EXPORT_NAME runtime)
set_target_properties(acc_shared PROPERTIES EXPORT_NAME runtime_shared)

# The static libraries link acc_warnings privately as $<BUILD_INTERFACE:...>:
# the installed export drops it, but the build-tree export (below) keeps
# $<LINK_ONLY:acc::acc_warnings>, so the target must be in the export set.  It
# is linked link-only, so its flags never reach a consumer; the installed copy
# carries none (CMake 3.26's BUILD_LOCAL_INTERFACE would make this unneeded).
set_target_properties(acc_warnings PROPERTIES EXPORT_NAME warnings)
install(TARGETS acc_warnings EXPORT accTargets)

set(ACC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/acc)

# ---- find_package(acc) from an installed prefix -----------------------------
install(EXPORT accTargets NAMESPACE acc:: DESTINATION ${ACC_INSTALL_CMAKEDIR})
set(ACC_CONFIG_ASYNC_MODULE "\${CMAKE_CURRENT_LIST_DIR}/AccAsync.cmake")
configure_package_config_file(cmake/accConfig.cmake.in
  ${PROJECT_BINARY_DIR}/install-config/accConfig.cmake
  INSTALL_DESTINATION ${ACC_INSTALL_CMAKEDIR})
# 0.x: a minor version may break what the previous one accepted
write_basic_package_version_file(${PROJECT_BINARY_DIR}/accConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/install-config/accConfig.cmake
              ${PROJECT_BINARY_DIR}/accConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/AccAsync.cmake
        DESTINATION ${ACC_INSTALL_CMAKEDIR})

# ---- find_package(acc) from this build tree (CMAKE_PREFIX_PATH=<build>) -----
export(EXPORT accTargets NAMESPACE acc:: FILE ${PROJECT_BINARY_DIR}/accTargets.cmake)
set(ACC_CONFIG_ASYNC_MODULE "${PROJECT_SOURCE_DIR}/cmake/AccAsync.cmake")
configure_package_config_file(cmake/accConfig.cmake.in
  ${PROJECT_BINARY_DIR}/accConfig.cmake
  INSTALL_DESTINATION .
  INSTALL_PREFIX ${PROJECT_BINARY_DIR})

# ---- acc.pc -------------------------------------------------------------------
# The prefix is the one given at install time (cmake --install --prefix), so
# acc.pc is written by the install script; the rest is filled in now.
foreach(_dir LIBDIR INCLUDEDIR BINDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(ACC_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(ACC_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
set(ACC_PC_PREFIX "@ACC_PC_PREFIX@")   # kept for the install-time pass
configure_file(cmake/acc.pc.in ${PROJECT_BINARY_DIR}/acc.pc.in @ONLY)
install(CODE "
  set(ACC_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${PROJECT_BINARY_DIR}/acc.pc.in\" \"${PROJECT_BINARY_DIR}/pkgconfig/acc.pc\" @ONLY)
  file(INSTALL \"${PROJECT_BINARY_DIR}/pkgconfig/acc.pc\"
       DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig\")
")

# ---- editor support and the manual --------------------------------------------
install(FILES ${PROJECT_SOURCE_DIR}/editor/acc_editor.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# docs/acc.1 carries the version as @PROJECT_VERSION@
configure_file(${PROJECT_SOURCE_DIR}/docs/acc.1 ${PROJECT_BINARY_DIR}/acc.1 @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/acc.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
