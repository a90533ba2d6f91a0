# FindOpenBLAS.cmake -- locate OpenBLAS and its CBLAS header.
#
# Debian's libopenblas-dev puts cblas.h under /usr/include/x86_64-linux-gnu/
# (through the alternatives system), other distros under include/openblas.
#
# Result variables:
#   OpenBLAS_FOUND, OpenBLAS_INCLUDE_DIR, OpenBLAS_LIBRARY
# Imported target:
#   OpenBLAS::OpenBLAS

# Two passes each: first the plain locations (on Debian the alternatives links
# /usr/lib/<arch>/libopenblas.so and /usr/include/<arch>/cblas.h), then the
# variant subfolders. find_* skips the second pass once the first found it.
find_library(OpenBLAS_LIBRARY
  NAMES openblas
  HINTS ${OpenBLAS_ROOT} ENV OpenBLAS_ROOT ENV OPENBLAS_HOME
  PATH_SUFFIXES lib lib64)
find_library(OpenBLAS_LIBRARY
  NAMES openblas openblasp openblas64
  HINTS ${OpenBLAS_ROOT} ENV OpenBLAS_ROOT ENV OPENBLAS_HOME
  PATH_SUFFIXES openblas-pthread openblas-openmp openblas-serial
                x86_64-linux-gnu/openblas-pthread aarch64-linux-gnu/openblas-pthread)

find_path(OpenBLAS_INCLUDE_DIR
  NAMES cblas.h
  HINTS ${OpenBLAS_ROOT} ENV OpenBLAS_ROOT ENV OPENBLAS_HOME
  PATH_SUFFIXES include x86_64-linux-gnu aarch64-linux-gnu)
find_path(OpenBLAS_INCLUDE_DIR
  NAMES cblas.h
  HINTS ${OpenBLAS_ROOT} ENV OpenBLAS_ROOT ENV OPENBLAS_HOME
  PATH_SUFFIXES openblas-pthread openblas-openmp openblas-serial openblas include/openblas
                x86_64-linux-gnu/openblas-pthread aarch64-linux-gnu/openblas-pthread)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenBLAS
  REQUIRED_VARS OpenBLAS_LIBRARY OpenBLAS_INCLUDE_DIR)

if(OpenBLAS_FOUND AND NOT TARGET OpenBLAS::OpenBLAS)
  add_library(OpenBLAS::OpenBLAS UNKNOWN IMPORTED)
  set_target_properties(OpenBLAS::OpenBLAS PROPERTIES
    IMPORTED_LOCATION "${OpenBLAS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${OpenBLAS_INCLUDE_DIR}")
endif()

mark_as_advanced(OpenBLAS_LIBRARY OpenBLAS_INCLUDE_DIR)
