# Install layout and Debian package of appreg. Included at the end of the top CMakeLists.txt, whose own
# install() rules put the binary in ${CMAKE_INSTALL_BINDIR} and appreg.properties + lighttpd.conf in
# ${CMAKE_INSTALL_FULL_SYSCONFDIR}/appreg. This file adds the rest of an operator's installation:
#
#   <prefix>/bin/appreg-fcgi
#   <sysconfdir>/appreg/           appreg.properties, lighttpd.conf, apache-proxy-fcgi.conf,
#                                  apache-fcgid.conf, nginx.conf
#   <prefix>/lib/systemd/system/   appreg.socket, appreg.service, appreg@.socket, appreg@.service
#   <prefix>/share/doc/appreg/     README.md, decisions.md
#
# The system layout needs the prefix /usr at CONFIGURE time (GNUInstallDirs then puts the configuration in
# /etc, and the units name /usr/bin/appreg-fcgi and /etc/appreg):
#
#   cmake -S . -B build -DCMAKE_INSTALL_PREFIX=/usr && cmake --build build -j2
#   cmake --install build                      # as root; or DESTDIR=/tmp/stage cmake --install build
#   cd build && cpack -G DEB                   # -> build/appreg_<version>_amd64.deb
#
# (`cmake --install build --prefix /usr` on a tree configured for /usr/local would still put the
# configuration in /usr/local/etc: GNUInstallDirs fixes absolute paths when configuring.)
#
# The .deb: Depends from dpkg-shlibdeps (libpoco*80, libfcgi0ldbl, libsqlite3-0, libpq5, libstdc++6, libc6, ...)
# plus adduser; every file in /etc/appreg is a conffile; postinst creates the system user and group "appreg" and
# /var/lib/appreg; postrm purge removes them (and the database). scripts/test-deb.sh builds, installs,
# exercises and purges it.

include(GNUInstallDirs)

set(APPREG_ETC_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/appreg")
set(APPREG_UNIT_DIR "lib/systemd/system")

# The front-server configurations beside the two files of the top-level rule.
set(APPREG_CONFFILES appreg.properties lighttpd.conf apache-proxy-fcgi.conf apache-fcgid.conf nginx.conf)
install(FILES conf/apache-proxy-fcgi.conf conf/apache-fcgid.conf conf/nginx.conf DESTINATION "${APPREG_ETC_DIR}")

# systemd units, pointing at this installation's binary and configuration directory (identical to systemd/
# for the prefix /usr). Regenerated when a unit changes.
foreach(unit appreg.socket appreg.service appreg@.socket appreg@.service)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/systemd/${unit}")
  file(READ "${PROJECT_SOURCE_DIR}/systemd/${unit}" text)
  string(REPLACE "/usr/bin/appreg-fcgi" "${CMAKE_INSTALL_FULL_BINDIR}/appreg-fcgi" text "${text}")
  string(REPLACE "/etc/appreg/" "${APPREG_ETC_DIR}/" text "${text}")
  file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/systemd/${unit}" CONTENT "${text}")
  install(FILES "${PROJECT_BINARY_DIR}/systemd/${unit}" DESTINATION "${APPREG_UNIT_DIR}")
endforeach()

install(FILES README.md docs/decisions.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
# The drop-in for PostgreSQL on another host (README): an example, not active unless copied to /etc.
install(FILES systemd/postgresql.conf DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")

# ---- CPack: the Debian package ------------------------------------------------------------------------

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "appreg")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "appreg maintainers <appreg@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "AWX-compatible OAuth2 application registry (FastCGI worker)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "appreg serves the OAuth2 application registry of the Ansible AWX REST API (/api/v2/applications/,\n"
    "organizations, tokens, activity stream) from a FastCGI worker behind lighttpd, Apache or nginx,\n"
    "with its data in one SQLite file. The package installs the worker, systemd socket and service\n"
    "units (not enabled) and ready-made front-server configurations in /etc/appreg.")
# The installed tree must be the system layout: CPack installs with this prefix.
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES TRUE)
# appreg_<version>_amd64.deb
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "web")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The shared libraries' packages, found by dpkg-shlibdeps (package dpkg-dev), plus adduser for
# postinst/postrm. The worker calls libsqlite3 directly (src/store/Query.cpp), so dpkg-shlibdeps derives the
# SQLite version it needs from the symbols it uses (sqlite3_total_changes64: 3.37); naming it here as well
# listed libsqlite3-0 twice.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "lighttpd | apache2 | nginx")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libapache2-mod-fcgid, libfcgi-bin")

set(conffiles "")
foreach(file IN LISTS APPREG_CONFFILES)
  string(APPEND conffiles "${APPREG_ETC_DIR}/${file}\n")
endforeach()
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/deb/conffiles" CONTENT "${conffiles}")
foreach(script postinst prerm postrm)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/cmake/deb/${script}")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/deb/${script}" "${PROJECT_BINARY_DIR}/deb/${script}" COPYONLY)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_BINARY_DIR}/deb/conffiles;${PROJECT_BINARY_DIR}/deb/postinst;${PROJECT_BINARY_DIR}/deb/prerm;${PROJECT_BINARY_DIR}/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# Refuse to package a tree configured for another prefix (it would put the configuration in /usr/local/etc
# and the units would name /usr/local/bin): checked on the staged files, before the package is built.
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/deb/check-layout.cmake" CONTENT [=[
file(GLOB_RECURSE staged RELATIVE "${CPACK_TEMPORARY_DIRECTORY}" "${CPACK_TEMPORARY_DIRECTORY}/*")
foreach(path IN LISTS staged)
  if(path MATCHES "usr/local/" OR NOT path MATCHES "^(usr|etc)/")
    message(FATAL_ERROR "appreg: refusing to package ${path}: configure with -DCMAKE_INSTALL_PREFIX=/usr "
                        "(see cmake/Packaging.cmake)")
  endif()
endforeach()
]=])
set(CPACK_PRE_BUILD_SCRIPTS "${PROJECT_BINARY_DIR}/deb/check-layout.cmake")

include(CPack)
