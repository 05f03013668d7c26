; The Windows installer of AI Sandbox (issue 17), built by `make windows`
; with Debian's makensis from the files `cmake --install` staged:
;
;   makensis -DVERSION=0.1.0 -DSTAGE=<staged tree> -DOUT=<setup.exe> aisandbox.nsi
;
; Per user (no administrator: %LOCALAPPDATA%\Programs\AISandbox) by default,
; or for every user of the PC (Program Files) with /AllUsers, which a lab's
; deployment uses. Silent with /S: `AISandbox-Setup.exe /S /AllUsers`.
; Start menu entries in Korean and English, an uninstaller (also /S), and an
; entry in "Apps & features". The files are not code-signed
; (docs/install.md says what a lab's antivirus sees).
; A 64-bit installer (the programs are x86-64; a 32-bit Windows cannot
; start it at all).
Target amd64-unicode
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "makensis -DVERSION=..."
!endif
!ifndef STAGE
  !error "makensis -DSTAGE=<the staged install tree>"
!endif
!ifndef OUT
  !define OUT "AISandbox-${VERSION}-Setup.exe"
!endif

!define APP "AI Sandbox"
!define KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\AISandbox"

!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_INSTALLMODE_INSTDIR "AISandbox"
!define MULTIUSER_INSTALLMODE_DEFAULT_CURRENTUSER
!define MULTIUSER_USE_PROGRAMFILES64
!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh

Name "${APP}"
OutFile "${OUT}"
BrandingText "${APP} ${VERSION}"

!define MUI_ICON "${STAGE}\bin\aisandbox.ico"
!define MUI_UNICON "${STAGE}\bin\aisandbox.ico"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Korean"
!insertmacro MUI_LANGUAGE "English"

LangString SHORTCUT_APP ${LANG_KOREAN} "AI 샌드박스"
LangString SHORTCUT_APP ${LANG_ENGLISH} "AI Sandbox"
LangString SHORTCUT_UNINSTALL ${LANG_KOREAN} "AI 샌드박스 제거"
LangString SHORTCUT_UNINSTALL ${LANG_ENGLISH} "Uninstall AI Sandbox"

; A folder given with /D wins over the mode's default folder; the
; uninstaller removes the folder it is in, wherever that was.
Function .onInit
  StrCpy $0 $INSTDIR
  !insertmacro MULTIUSER_INIT
  ${If} $0 != ""
    StrCpy $INSTDIR $0
  ${EndIf}
FunctionEnd

Function un.onInit
  StrCpy $0 $INSTDIR
  !insertmacro MULTIUSER_UNINIT
  StrCpy $INSTDIR $0
FunctionEnd

Section "AI Sandbox"
  SetOutPath "$INSTDIR"
  File /r "${STAGE}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  ; The Start menu: the app under its name in the installer's language.
  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortcut "$SMPROGRAMS\${APP}\$(SHORTCUT_APP).lnk" "$INSTDIR\bin\aisandbox.exe" "" "$INSTDIR\bin\aisandbox.ico"
  CreateShortcut "$SMPROGRAMS\${APP}\$(SHORTCUT_UNINSTALL).lnk" "$INSTDIR\uninstall.exe"
  WriteRegStr SHCTX "${KEY}" "DisplayName" "${APP}"
  WriteRegStr SHCTX "${KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${KEY}" "Publisher" "AI Sandbox"
  WriteRegStr SHCTX "${KEY}" "DisplayIcon" "$INSTDIR\bin\aisandbox.ico"
  WriteRegStr SHCTX "${KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  ; What was installed, not the person's own files (their progress and
  ; lessons live in %APPDATA% and %LOCALAPPDATA%, and stay).
  RMDir /r "$INSTDIR\bin"
  RMDir /r "$INSTDIR\share"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  RMDir /r "$SMPROGRAMS\${APP}"
  DeleteRegKey SHCTX "${KEY}"
SectionEnd
