# The Windows installer (issue 17): `make windows` stages the install tree
# (bin/ with the programs, the icon and the Nanum fonts; share/aisandbox/
# with the lessons and assets, where the programs look for them beside
# bin/) and makes build-windows/AISandbox-<version>-Setup.exe with Debian's
# makensis from installer/windows/aisandbox.nsi.
set(aisb_icons ${PROJECT_SOURCE_DIR}/assets/linux/icons/hicolor)
set(aisb_ico ${CMAKE_BINARY_DIR}/aisandbox.ico)
set(aisb_ico_pngs)
foreach(size 16 24 32 48 64 128 256)
  list(APPEND aisb_ico_pngs ${aisb_icons}/${size}x${size}/apps/aisandbox.png)
endforeach()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_custom_command(OUTPUT ${aisb_ico}
                   COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/installer/windows/make-ico.py ${aisb_ico} ${aisb_ico_pngs}
                   DEPENDS ${aisb_ico_pngs} ${PROJECT_SOURCE_DIR}/installer/windows/make-ico.py
                   COMMENT "The Windows icon")
add_custom_target(aisb_icon ALL DEPENDS ${aisb_ico})

install(FILES ${aisb_ico} DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT app)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lessons/ DESTINATION ${CMAKE_INSTALL_DATADIR}/aisandbox/lessons COMPONENT app)
file(GLOB aisb_fonts ${AISB_WINDOWS_DEPS}/share/fonts/*.ttf)
install(FILES ${aisb_fonts} DESTINATION ${CMAKE_INSTALL_BINDIR}/fonts COMPONENT app)

find_program(AISB_MAKENSIS makensis)
if(NOT TARGET aisandbox)
  message(WARNING "The Windows installer is not built: it needs the app (AISB_BUILD_APP)")
  return()
elseif(NOT AISB_MAKENSIS)
  message(WARNING "The Windows installer is not built: makensis is missing (installer/deps.sh installs nsis)")
  return()
endif()
set(aisb_stage ${CMAKE_BINARY_DIR}/stage)
set(aisb_setup ${CMAKE_BINARY_DIR}/AISandbox-${PROJECT_VERSION}-Setup.exe)
add_custom_target(
  installer ALL
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${aisb_stage}
  COMMAND ${CMAKE_COMMAND} --install ${CMAKE_BINARY_DIR} --prefix ${aisb_stage} --component app
  COMMAND ${AISB_MAKENSIS} -V2 -DVERSION=${PROJECT_VERSION} -DSTAGE=${aisb_stage} -DOUT=${aisb_setup}
          ${PROJECT_SOURCE_DIR}/installer/windows/aisandbox.nsi
  DEPENDS ${PROJECT_SOURCE_DIR}/installer/windows/aisandbox.nsi
  COMMENT "The Windows installer: ${aisb_setup}"
  VERBATIM)
add_dependencies(installer aisandbox aisandbox-cli aisb_icon)
