# `cmake --install` exports the libraries so that consumers write find_package(selgrad).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SELGRAD_INSTALLED_TARGETS selgrad_program selgrad_record selgrad_reference selgrad_mpfi)
if(TARGET selgrad_fast)
  list(APPEND SELGRAD_INSTALLED_TARGETS selgrad_fast selgrad_certify)
endif()
install(TARGETS ${SELGRAD_INSTALLED_TARGETS}
  EXPORT selgradTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS selgrad RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY program/include/ record/include/ reference/include/ fast/include/ certify/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT selgradTargets NAMESPACE selgrad:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/selgrad)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/selgradConfig.cmake.in
  ${PROJECT_BINARY_DIR}/selgradConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/selgrad)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/selgradConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/selgradConfig.cmake ${PROJECT_BINARY_DIR}/selgradConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/selgrad)
