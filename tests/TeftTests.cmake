# teft_add_test(<source> <libraries...>): a Qt Test executable named after the file, registered
# with CTest, with a private data directory and the test fixtures' location.
function(teft_add_test src)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src} ${CMAKE_CURRENT_SOURCE_DIR}/support/TestSupport.h
                 ${CMAKE_CURRENT_SOURCE_DIR}/support/TestSupport.cpp)
  target_link_libraries(${name} PRIVATE ${ARGN} Qt6::Test)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_precompile_headers(${name} REUSE_FROM teft_core)
  target_compile_definitions(${name} PRIVATE
    TEFT_SOURCE_DIR="${PROJECT_SOURCE_DIR}" TEFT_TEST_WORK_DIR="${CMAKE_CURRENT_BINARY_DIR}/work/${name}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 900 LABELS "teft")
endfunction()
