# Thin wrapper: the build is CMake's; these are the commands people type.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD_TYPE ?= Release
CMAKE_FLAGS ?=

.PHONY: all deps build run test bench package windows test-windows clean

all: build

deps:
	@bash installer/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@BUILD=$(BUILD) bash installer/run.sh

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@bash installer/deps.sh --bench
	@BUILD=$(BUILD) bash bench/run.sh

package: build
	@cd $(BUILD) && cpack

# Windows 10/11 (x86-64), cross-built with MinGW-w64 into build-windows/: the
# libraries from Debian's sources (installer/windows/build-deps.sh), then
# the programs (cmake --preset windows).
windows: deps
	@bash installer/windows/build-deps.sh build-windows/deps
	@cmake --preset windows >/dev/null
	@cmake --build build-windows -j$(JOBS)

# The Windows programs under Wine, held to the Linux build's results.
test-windows: build windows
	@python3 tests/windows/narrow_paths_test.py build-windows
	@bash tests/windows/cli_test.sh $(BUILD)/app/aisandbox-cli build-windows/app/aisandbox-cli.exe
	@bash tests/windows/center_test.sh $(BUILD) build-windows/app/aisandbox-cli.exe
	@bash tests/windows/tls_test.sh $(BUILD) build-windows/app/aisandbox-cli.exe
	@bash tests/windows/app_test.sh $(BUILD)/app/aisandbox build-windows/app/aisandbox.exe
	@bash tests/windows/installer_test.sh build-windows/AISandbox-*-Setup.exe $(BUILD)/app/aisandbox
	@bash tests/windows/korean_user_test.sh $(BUILD) build-windows

clean:
	rm -rf $(BUILD) build-windows
