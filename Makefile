# Thin wrapper: the build is CMake's; these are the commands people type.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD_TYPE ?= Release
CMAKE_FLAGS ?=

.PHONY: all deps build run test bench package clean

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

clean:
	rm -rf $(BUILD)
