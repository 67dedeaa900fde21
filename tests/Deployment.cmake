# Tests of the deployment files (included at the end of tests/CMakeLists.txt):
#
#   e2e.lighttpd, e2e.apache-proxy-fcgi, e2e.apache-fcgid, e2e.nginx
#                   front_server_tests: the shared e2e scenarios (tests/e2e/servers/) once per front server,
#                   each started by the test on 127.0.0.1 with its configuration from conf/ (only the
#                   substitutable values rewritten) in front of the real worker. A missing server or module
#                   FAILS these tests with the apt-get command to run; nothing is skipped.
#   systemd-units   scripts/check-systemd-units.sh: systemd-analyze verify and security (exposure <= 2.0) of
#                   systemd/*, and the templates in step with the plain units.
#
# SystemdContractTest (the worker started exactly as the units say) is part of integration_tests. The Debian
# package test (scripts/test-deb.sh) installs and purges a package, so it is a step of scripts/test.sh, not a
# ctest test.

# A FastCGI responder that answers with the params it received: put behind each server in place of the
# worker to see what its configuration forwards (REQUEST_URI raw, HTTP_AUTHORIZATION, no HTTP_PROXY).
add_executable(fcgi_params_echo tools/fcgi_params_echo.cpp)
target_link_libraries(fcgi_params_echo PRIVATE PkgConfig::FCGI)

file(GLOB APPREG_FRONT_SERVER_TEST_SOURCES CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/e2e/servers/*.cpp")
add_executable(front_server_tests e2e/main.cpp ${APPREG_FRONT_SERVER_TEST_SOURCES})
target_include_directories(front_server_tests PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/e2e/servers")
target_compile_definitions(front_server_tests PRIVATE
  APPREG_PARAMS_ECHO_BINARY="$<TARGET_FILE:fcgi_params_echo>")
target_link_libraries(front_server_tests PRIVATE appreg_test_support)
add_dependencies(front_server_tests appreg-fcgi fcgi_params_echo)

foreach(server IN ITEMS "lighttpd=LighttpdScenariosTest" "apache-proxy-fcgi=ApacheProxyFcgiTest"
                        "apache-fcgid=ApacheFcgidTest" "nginx=NginxTest")
  string(REPLACE "=" ";" pair "${server}")
  list(GET pair 0 name)
  list(GET pair 1 suite)
  add_test(NAME e2e.${name} COMMAND front_server_tests ${suite})
  set_tests_properties(e2e.${name} PROPERTIES TIMEOUT 300)
endforeach()

add_test(NAME systemd-units
         COMMAND bash "${PROJECT_SOURCE_DIR}/scripts/check-systemd-units.sh" "$<TARGET_FILE:appreg-fcgi>")
set_tests_properties(systemd-units PROPERTIES TIMEOUT 120)
