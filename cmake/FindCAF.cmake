# FindCAF.cmake -- locate the C++ Actor Framework (CAF 0.17.x).
#
# Debian's libcaf-dev ships headers in /usr/include/caf and the libraries
# libcaf_core / libcaf_io, but no CMake package config, hence this module.
#
# Result variables:
#   CAF_FOUND, CAF_INCLUDE_DIR, CAF_CORE_LIBRARY, CAF_IO_LIBRARY, CAF_VERSION
# Imported targets:
#   CAF::core, CAF::io (CAF::io depends on CAF::core)

find_path(CAF_INCLUDE_DIR
  NAMES caf/all.hpp
  HINTS ${CAF_ROOT} ENV CAF_ROOT
  PATH_SUFFIXES include)

find_library(CAF_CORE_LIBRARY
  NAMES caf_core
  HINTS ${CAF_ROOT} ENV CAF_ROOT
  PATH_SUFFIXES lib lib64)

find_library(CAF_IO_LIBRARY
  NAMES caf_io
  HINTS ${CAF_ROOT} ENV CAF_ROOT
  PATH_SUFFIXES lib lib64)

# CAF_VERSION is "#define CAF_VERSION 1706" (major*10000 + minor*100 + patch).
if(CAF_INCLUDE_DIR AND EXISTS "${CAF_INCLUDE_DIR}/caf/config.hpp")
  file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_version_line
       REGEX "^#define CAF_VERSION [0-9]+")
  if(_caf_version_line)
    string(REGEX REPLACE "^#define CAF_VERSION ([0-9]+).*" "\\1" _caf_v "${_caf_version_line}")
    math(EXPR _caf_major "${_caf_v} / 10000")
    math(EXPR _caf_minor "(${_caf_v} / 100) % 100")
    math(EXPR _caf_patch "${_caf_v} % 100")
    set(CAF_VERSION "${_caf_major}.${_caf_minor}.${_caf_patch}")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CAF
  REQUIRED_VARS CAF_CORE_LIBRARY CAF_IO_LIBRARY CAF_INCLUDE_DIR
  VERSION_VAR CAF_VERSION)

if(CAF_FOUND)
  find_package(Threads REQUIRED)
  if(NOT TARGET CAF::core)
    add_library(CAF::core UNKNOWN IMPORTED)
    set_target_properties(CAF::core PROPERTIES
      IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES Threads::Threads)
  endif()
  if(NOT TARGET CAF::io)
    add_library(CAF::io UNKNOWN IMPORTED)
    set_target_properties(CAF::io PROPERTIES
      IMPORTED_LOCATION "${CAF_IO_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES CAF::core)
  endif()
endif()

mark_as_advanced(CAF_INCLUDE_DIR CAF_CORE_LIBRARY CAF_IO_LIBRARY)
