# shoal_component.cmake -- one library (plus its unit tests) per source folder.
#
#   shoal_component(NAME arrays DEPS Threads::Threads OpenBLAS::OpenBLAS)
#
# in <repo>/arrays/CMakeLists.txt:
#   * globs *.cpp (and *.cu with SHOAL_WITH_CUDA) in the folder and its subfolders,
#     minus *.test.cpp, into STATIC library shoal_<name> (alias shoal::<name>)
#     linking DEPS publicly; with no sources yet it is an INTERFACE library;
#   * globs *.test.cpp into GoogleTest executable shoal_<name>_tests; files whose
#     name contains ".gpu." go to shoal_<name>_gpu_tests instead, label `gpu`
#     (built only with SHOAL_WITH_CUDA).
# Globs use CONFIGURE_DEPENDS, so adding a file needs no CMake edit and no re-run.

include_guard(GLOBAL)

# shoal_add_gtests(<exe> GPU_PREFIX <gpu-exe> [LABEL <label>]
#                  LINK <targets...> FILES <test sources...>)
# Splits FILES into CPU tests (<exe>, label LABEL, default `unit`) and GPU tests
# (files named *.gpu.*: <gpu-exe>, label `gpu`, only with SHOAL_WITH_CUDA).
function(shoal_add_gtests prefix)
  cmake_parse_arguments(ARG "" "GPU_PREFIX;LABEL" "LINK;FILES" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT SHOAL_BUILD_TESTS OR NOT ARG_FILES)
    return()
  endif()
  set(_cpu_files ${ARG_FILES})
  list(FILTER _cpu_files EXCLUDE REGEX "\\.gpu\\.[^/]*$")
  set(_gpu_files ${ARG_FILES})
  list(FILTER _gpu_files INCLUDE REGEX "\\.gpu\\.[^/]*$")

  if(_cpu_files)
    add_executable(${prefix} ${_cpu_files})
    target_link_libraries(${prefix} PRIVATE ${ARG_LINK} GTest::gtest_main)
    gtest_discover_tests(${prefix}
      DISCOVERY_TIMEOUT 60
      PROPERTIES TIMEOUT 120 LABELS ${ARG_LABEL})
  endif()

  if(_gpu_files)
    if(SHOAL_WITH_CUDA)
      add_executable(${ARG_GPU_PREFIX} ${_gpu_files})
      target_link_libraries(${ARG_GPU_PREFIX} PRIVATE ${ARG_LINK} GTest::gtest_main)
      gtest_discover_tests(${ARG_GPU_PREFIX}
        DISCOVERY_TIMEOUT 60
        PROPERTIES TIMEOUT 120 LABELS gpu)
    else()
      list(LENGTH _gpu_files _n)
      message(STATUS "${prefix}: ${_n} GPU test file(s) skipped (SHOAL_WITH_CUDA=OFF)")
    endif()
  endif()
endfunction()

function(shoal_component)
  cmake_parse_arguments(ARG "" "NAME" "DEPS" ${ARGN})
  if(NOT ARG_NAME)
    message(FATAL_ERROR "shoal_component: NAME is required")
  endif()
  set(_lib shoal_${ARG_NAME})
  set(_dir ${CMAKE_CURRENT_SOURCE_DIR})

  set(_patterns ${_dir}/*.cpp)
  if(SHOAL_WITH_CUDA)
    list(APPEND _patterns ${_dir}/*.cu)
  endif()
  file(GLOB_RECURSE _all CONFIGURE_DEPENDS ${_patterns})
  set(_tests ${_all})
  list(FILTER _tests INCLUDE REGEX "\\.test\\.(cpp|cu)$")
  set(_srcs ${_all})
  list(FILTER _srcs EXCLUDE REGEX "\\.test\\.(cpp|cu)$")

  if(_srcs)
    add_library(${_lib} STATIC ${_srcs})
    # BUILD_INTERFACE: installed, the headers live elsewhere (cmake/shoal_install.cmake).
    target_include_directories(${_lib} PUBLIC $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}>)
    target_link_libraries(${_lib} PUBLIC ${ARG_DEPS})
  else()
    # Folder has only headers (or nothing) so far.
    add_library(${_lib} INTERFACE)
    target_include_directories(${_lib} INTERFACE $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}>)
    target_link_libraries(${_lib} INTERFACE ${ARG_DEPS})
  endif()
  add_library(shoal::${ARG_NAME} ALIAS ${_lib})

  shoal_add_gtests(${_lib}_tests
    GPU_PREFIX ${_lib}_gpu_tests
    LINK ${_lib}
    FILES ${_tests})
endfunction()
