# The Debian packages, made by CPack from three install components
# (installer/README.md says why three, and what lintian says of them):
#
#   aisandbox          (component app)     the app, aisandbox-cli, lessons, assets, desktop entry,
#                                          icon, AppStream metainfo, man pages, bash completion
#   aisandbox-worker   (component worker)  aisandbox-worker and the libtorch engine module, which the
#                                          app and the CLI load too; alone on a Slurm GPU node
#   aisandbox-center   (component center)  aisandbox-center, its systemd unit, /etc/aisandbox/center.toml,
#                                          the user it runs as
#
# `make package` (cpack in the build folder) writes the three .deb files;
# tests/package/ installs them into a clean Debian 12 and runs lintian on them.
# Dependencies come from dpkg-shlibdeps; only what no ELF file says is named
# here (the fonts, the worker, adduser, the Slurm client as a suggestion).

set(AISB_DEB_RELEASE 1 CACHE STRING "The Debian revision of the packages (VERSION-RELEASE)")
set(AISB_MAINTAINER "AI Sandbox maintainers <maintainers@users.noreply.r-seed-169e5303.example>"
    CACHE STRING "The packages' Maintainer field")
# Assumed, not yet confirmed (installer/README.md): the AppStream screenshots
# are fetched from it by software centres.
set(AISB_PROJECT_URL "https://github.com/aisandbox/aisandbox"
    CACHE STRING "The project's public home page (Homepage field, AppStream URLs)")
set(AISB_SCREENSHOT_BASE "${AISB_PROJECT_URL}/raw/main/docs/images"
    CACHE STRING "Where the README's screenshots (docs/images) are served, for the AppStream metainfo")
# The desktop entry, icon and metainfo share this reverse-DNS id (AppStream).
set(AISB_APP_ID "io.github.aisandbox.AISandbox")

set(aisb_pkg ${PROJECT_SOURCE_DIR}/installer/debian)
set(aisb_linux ${PROJECT_SOURCE_DIR}/assets/linux)
set(aisb_gen ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${aisb_gen})

# --- aisandbox: lessons, desktop entry, icon, metainfo, completion ---------
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lessons/ DESTINATION ${CMAKE_INSTALL_DATADIR}/aisandbox/lessons COMPONENT app)
if(AISB_BUILD_APP)
  install(FILES ${aisb_linux}/${AISB_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT app)
  set(AISB_METAINFO_URL "\n  <url type=\"homepage\">${AISB_PROJECT_URL}</url>")
  string(TIMESTAMP AISB_RELEASE_DATE "%Y-%m-%d" UTC)
  configure_file(${aisb_linux}/${AISB_APP_ID}.metainfo.xml.in ${aisb_gen}/${AISB_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${aisb_gen}/${AISB_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo COMPONENT app)
  install(FILES ${aisb_linux}/icons/aisandbox.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
          COMPONENT app)
  foreach(size 16 22 24 32 48 64 128 256 512)
    install(FILES ${aisb_linux}/icons/hicolor/${size}x${size}/apps/aisandbox.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps COMPONENT app)
  endforeach()
endif()
install(FILES ${aisb_linux}/aisandbox-cli.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME aisandbox-cli COMPONENT app)

# --- aisandbox-center: unit, settings, defaults --------------------------
if(AISB_BUILD_CENTER)
  # Absolute: /etc and /lib are where Debian wants them, whatever the prefix.
  install(FILES ${aisb_pkg}/aisandbox-center.service DESTINATION /lib/systemd/system COMPONENT center)
  install(FILES ${aisb_pkg}/center.toml DESTINATION /etc/aisandbox COMPONENT center)
  install(FILES ${aisb_pkg}/aisandbox-center.default DESTINATION /etc/default RENAME aisandbox-center COMPONENT center)
  install(FILES ${aisb_pkg}/README.Debian DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/aisandbox-center COMPONENT center)
endif()

# --- man pages, from the programs' own --help (help2man) -----------------
# Each page adds the sections --help has no room for (installer/man/*.h2m)
# and, for the programs with subcommands, every subcommand's --help.
find_program(AISB_HELP2MAN help2man)
find_program(AISB_GZIP gzip)
set(aisb_man_pages)
function(aisb_man_page target component summary)
  if(NOT TARGET ${target})
    return()
  endif()
  set(page ${aisb_gen}/man/${target}.1)
  set(static ${PROJECT_SOURCE_DIR}/installer/man/${target}.h2m)
  set(includes --include=${static})
  set(commands)
  if(ARGN STREQUAL "SUBCOMMANDS")
    list(APPEND includes --include=${page}.commands.h2m)
    set(commands COMMAND bash ${PROJECT_SOURCE_DIR}/installer/man/subcommands.sh $<TARGET_FILE:${target}> ${target}
                         ${page}.commands.h2m)
  endif()
  add_custom_command(
    OUTPUT ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${aisb_gen}/man ${commands}
    COMMAND ${CMAKE_COMMAND} -E env LANG=C.UTF-8 LC_ALL=C.UTF-8 ${AISB_HELP2MAN} --no-info --section=1
            --name=${summary} --version-string=${PROJECT_VERSION} ${includes} --output=${page} $<TARGET_FILE:${target}>
    COMMAND ${AISB_GZIP} -9nf ${page}
    DEPENDS ${target} ${static} ${PROJECT_SOURCE_DIR}/installer/man/subcommands.sh
    COMMENT "Man page of ${target} (help2man)"
    VERBATIM)
  set(aisb_man_pages ${aisb_man_pages} ${page}.gz PARENT_SCOPE)
  install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT ${component})
endfunction()
if(AISB_HELP2MAN AND AISB_GZIP)
  aisb_man_page(aisandbox app "build small neural networks and watch them learn")
  aisb_man_page(aisandbox-cli app "train, check and export AI Sandbox lessons, and run them at a compute center"
                SUBCOMMANDS)
  aisb_man_page(aisandbox-worker worker "run one AI Sandbox training job headless")
  aisb_man_page(aisandbox-center center "the AI Sandbox compute center: HTTP API, classes, queue, executors"
                SUBCOMMANDS)
  add_custom_target(aisb_man_pages ALL DEPENDS ${aisb_man_pages})
else()
  message(WARNING "help2man or gzip is missing: the packages will have no man pages (installer/deps.sh installs help2man)")
endif()

# --- /usr/share/doc/PACKAGE: copyright and changelog, as Debian wants ----
foreach(pkg aisandbox aisandbox-worker aisandbox-center)
  if(pkg STREQUAL "aisandbox")
    set(component app)
  elseif(pkg STREQUAL "aisandbox-worker")
    set(component worker)
  else()
    set(component center)
  endif()
  install(FILES ${aisb_pkg}/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${pkg} COMPONENT ${component})
  install(FILES ${aisb_gen}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${pkg} RENAME changelog.Debian.gz
          COMPONENT ${component})
endforeach()
# A native package's changelog: one entry for this version, dated now, or
# $SOURCE_DATE_EPOCH when set (reproducible builds; CMake reads it).
string(TIMESTAMP aisb_now "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${aisb_pkg}/changelog.in ${aisb_gen}/changelog @ONLY)
add_custom_command(OUTPUT ${aisb_gen}/changelog.gz COMMAND ${AISB_GZIP} -9nkf ${aisb_gen}/changelog
                   DEPENDS ${aisb_gen}/changelog VERBATIM)
add_custom_target(aisb_changelog ALL DEPENDS ${aisb_gen}/changelog.gz)

# --- CPack --------------------------------------------------------------
set(CPACK_PACKAGE_NAME aisandbox)
set(CPACK_PACKAGE_VENDOR "AI Sandbox")
set(CPACK_PACKAGE_CONTACT "${AISB_MAINTAINER}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL app worker)
if(AISB_BUILD_CENTER)
  list(APPEND CPACK_COMPONENTS_ALL center)
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${AISB_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${AISB_PROJECT_URL}")
set(aisb_exact "(= ${PROJECT_VERSION}-${AISB_DEB_RELEASE})")

set(CPACK_DEBIAN_APP_PACKAGE_NAME aisandbox)
set(CPACK_DEBIAN_APP_PACKAGE_SECTION education)
set(CPACK_DEBIAN_APP_PACKAGE_DEPENDS "aisandbox-worker ${aisb_exact}, fonts-nanum")
set(CPACK_DEBIAN_APP_DESCRIPTION "build small neural networks and watch them learn
AI Sandbox is a desktop app for Korean high-school AI classes and university
workshops: students train real networks (libtorch) on their own computer in
guided, bilingual (Korean and English) lessons and a free playground, and
watch them learn. Teachers write lessons as text files and check them with
aisandbox-cli, which also trains, exports and talks to a compute center.")

set(CPACK_DEBIAN_WORKER_PACKAGE_NAME aisandbox-worker)
set(CPACK_DEBIAN_WORKER_PACKAGE_SECTION science)
set(CPACK_DEBIAN_WORKER_DESCRIPTION "AI Sandbox training engine and job worker
The libtorch engine module that AI Sandbox's app and command line load, and
aisandbox-worker, which runs one training job headless: what an AI Sandbox
compute center starts, on its own machine or on a Slurm cluster's GPU nodes
(install this package alone on those nodes).")

set(CPACK_DEBIAN_CENTER_PACKAGE_NAME aisandbox-center)
set(CPACK_DEBIAN_CENTER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_CENTER_PACKAGE_DEPENDS "aisandbox-worker ${aisb_exact}, adduser")
# The Slurm executor runs sbatch, squeue and scancel; nginx ends TLS in front.
set(CPACK_DEBIAN_CENTER_PACKAGE_SUGGESTS "slurm-client, nginx")
set(CPACK_DEBIAN_CENTER_DESCRIPTION "AI Sandbox compute center for schools' training jobs
aisandbox-center serves the HTTP API that AI Sandbox's app and command line
send training jobs to: classes with codes and rosters, fair queues and
quotas, live event streams, and executors that run each job with
aisandbox-worker on this machine or through Slurm. Runs as a hardened
systemd service under its own user. Its data lives in
/var/lib/aisandbox-center and is removed only on purge.")
set(CPACK_DEBIAN_CENTER_PACKAGE_CONTROL_EXTRA ${aisb_pkg}/center/conffiles ${aisb_pkg}/center/postinst
                                              ${aisb_pkg}/center/prerm ${aisb_pkg}/center/postrm)

include(CPack)
