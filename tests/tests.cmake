# Tests: every tests/unit/**/test_*.c is one cmocka executable (label unit); every
# tests/fuzz/fuzz_*.c is a libFuzzer target, replayed over tests/fuzz/corpus/<name>/ by a
# plain main() in ordinary builds (label fuzz-replay); every tests/integration/test_*.sh and
# test_*.py drives the built CLI (label integration).
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
set(BSN_TEST_ENV "BOSUN=$<TARGET_FILE:bosun>;BSN_SRC=${CMAKE_SOURCE_DIR};BSN_TEST_DATA=${CMAKE_SOURCE_DIR}/tests/data;BSN_BUILD=${CMAKE_BINARY_DIR}")

file(GLOB_RECURSE BSN_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src IN LISTS BSN_UNIT_TESTS)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE ${BSN_WARNINGS})
  target_compile_definitions(${name} PRIVATE
      BSN_TEST_DATA="${CMAKE_SOURCE_DIR}/tests/data" BSN_SRC_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE bosun_lib PkgConfig::CMOCKA)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS unit ENVIRONMENT "${BSN_TEST_ENV}")
endforeach()

file(GLOB BSN_FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(src IN LISTS BSN_FUZZ_TARGETS)
  get_filename_component(name ${src} NAME_WE)
  if(BSN_FUZZ)
    add_executable(${name} ${src})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.c)
    string(REPLACE "fuzz_" "" corpus ${name})
    add_test(NAME replay_${corpus}
             COMMAND ${name} ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${corpus})
    set_tests_properties(replay_${corpus} PROPERTIES LABELS fuzz-replay)
  endif()
  target_link_libraries(${name} PRIVATE bosun_lib)
endforeach()

file(GLOB BSN_INTEGRATION_TESTS CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/tests/integration/test_*.sh ${CMAKE_SOURCE_DIR}/tests/integration/test_*.py)
foreach(src IN LISTS BSN_INTEGRATION_TESTS)
  get_filename_component(name ${src} NAME_WE)
  get_filename_component(ext ${src} EXT)
  if(ext STREQUAL ".py")
    add_test(NAME ${name} COMMAND python3 ${src} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  else()
    add_test(NAME ${name} COMMAND bash ${src} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  endif()
  set_tests_properties(${name} PROPERTIES LABELS integration ENVIRONMENT "${BSN_TEST_ENV}"
                       TIMEOUT 600)
endforeach()
