# check.cmake -- the ctest sample_external: install the shoal build BUILD_DIR into a
# temporary prefix under WORK_DIR, configure and build samples/external against it with
# find_package(shoal), and run the program.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... -DCXX=... -P check.cmake
foreach(_v BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR CXX)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "check.cmake: -D${_v}=... is required")
  endif()
endforeach()

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "sample_external: ${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "sample_external: ${what} ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
step("install into ${WORK_DIR}/prefix" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
step("configure" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
     -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
step("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2)
step("run" ${WORK_DIR}/build/shoal_external)
message(STATUS "${step_output}")
file(REMOVE_RECURSE ${WORK_DIR})  # keep the build tree small; a failure leaves it for a look
