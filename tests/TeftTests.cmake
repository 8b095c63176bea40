# The helpers shared by every test executable, compiled once.
add_library(teft_test_support STATIC ${CMAKE_CURRENT_SOURCE_DIR}/support/TestSupport.h
            ${CMAKE_CURRENT_SOURCE_DIR}/support/TestSupport.cpp)
target_link_libraries(teft_test_support PUBLIC teft::core Qt6::Core Qt6::Test)
target_include_directories(teft_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_precompile_headers(teft_test_support REUSE_FROM teft_core)
teft_pch_only_where_torch(${CMAKE_CURRENT_SOURCE_DIR}/support/TestSupport.cpp)
target_compile_definitions(teft_test_support PRIVATE TEFT_TEST_WORK_ROOT="${CMAKE_CURRENT_BINARY_DIR}/work")
target_compile_definitions(teft_test_support PUBLIC TEFT_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  TEFT_PYTHON_EXE="${TEFT_PYTHON}")

# teft_add_test(<source> <libraries...>): a Qt Test executable named after the file, registered
# with CTest; its scratch files go to <build>/tests/work/<name>/. Like the engine's sources, it
# uses the precompiled header only if it reaches LibTorch's headers (cmake/TeftPch.cmake).
function(teft_add_test src)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE ${ARGN} teft_test_support Qt6::Test)
  target_precompile_headers(${name} REUSE_FROM teft_core)
  teft_pch_only_where_torch(${src})
  target_compile_definitions(${name} PRIVATE
    TEFT_TEST_WORK_DIR="${CMAKE_CURRENT_BINARY_DIR}/work/${name}")
  add_test(NAME ${name} COMMAND ${name})
  # Labelled by suite too (core, cli or gui: the folder), e.g. `ctest -L core` for the engine's.
  get_filename_component(suite ${src} DIRECTORY)
  get_filename_component(suite ${suite} NAME)
  set_tests_properties(${name} PROPERTIES TIMEOUT 900 LABELS "teft;${suite}")
endfunction()
