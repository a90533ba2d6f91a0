# shoal_install.cmake -- `cmake --install` of shoal as a C++ library, and find_package(shoal).
#
# Installs the static libraries (shoal::arrays, ::transport, ::scheduler, ::actors and the
# header-only ::msgpack), every header under <prefix>/include/shoal/ with the in-tree layout
# (so `#include "actors/array.hpp"` works the same inside and outside the tree), and
# <prefix>/lib/cmake/shoal/: shoalConfig.cmake (finds Threads, CAF, cppzmq, OpenBLAS and,
# in CUDA builds, CUDAToolkit; FindCAF/FindOpenBLAS are installed next to it), the version
# file and the exported targets. Users link one target: shoal::shoal.
# samples/external is a project that uses it; the ctest sample_external installs into a
# temporary prefix, builds that project against it and runs it.
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SHOAL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/shoal)
set(SHOAL_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/shoal)

# shoal::shoal: everything a C++ program needs (the actors pull in the rest).
add_library(shoal_all INTERFACE)
target_link_libraries(shoal_all INTERFACE shoal_actors)
if(SHOAL_WITH_CUDA)
  target_compile_definitions(shoal_all INTERFACE SHOAL_WITH_CUDA=1)
endif()
set_target_properties(shoal_all PROPERTIES EXPORT_NAME shoal)
add_library(shoal::shoal ALIAS shoal_all)

set(_shoal_exported shoal_all shoal_msgpack)
foreach(_c arrays transport scheduler actors)
  list(APPEND _shoal_exported shoal_${_c})
  set_target_properties(shoal_${_c} PROPERTIES EXPORT_NAME ${_c})
endforeach()
set_target_properties(shoal_msgpack PROPERTIES EXPORT_NAME msgpack)

install(TARGETS ${_shoal_exported} EXPORT shoalTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${SHOAL_INSTALL_INCLUDEDIR})
foreach(_dir arrays transport scheduler actors)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/${_dir}/ DESTINATION ${SHOAL_INSTALL_INCLUDEDIR}/${_dir}
          FILES_MATCHING PATTERN "*.hpp" PATTERN "*.cuh"
          PATTERN "fuzz" EXCLUDE PATTERN "bench" EXCLUDE)
endforeach()
install(EXPORT shoalTargets NAMESPACE shoal:: DESTINATION ${SHOAL_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/shoalConfig.cmake.in
  ${CMAKE_BINARY_DIR}/shoalConfig.cmake INSTALL_DESTINATION ${SHOAL_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/shoalConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/shoalConfig.cmake ${CMAKE_BINARY_DIR}/shoalConfigVersion.cmake
              ${CMAKE_SOURCE_DIR}/cmake/FindCAF.cmake ${CMAKE_SOURCE_DIR}/cmake/FindOpenBLAS.cmake
        DESTINATION ${SHOAL_INSTALL_CMAKEDIR})
