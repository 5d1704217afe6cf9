# Entry points for people and CI. Each target installs what it needs first (scripts/setup.sh),
# so `make demo` and `make test` work on a fresh Debian 12 machine in either order.
#   make            build/imps (stripped, static)
#   make test       unit + integration tests through CTest; SANITIZE=1 uses ASan+UBSan
#   make demo       the test cluster, imps against it, and what it did
#   make bench      benchmarks (not part of `make test`)
JOBS ?= $(shell nproc)
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD := build-asan
CMAKE_FLAGS := -DIMPS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
else
BUILD := build
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=MinSizeRel
endif

.PHONY: all imps setup setup-test configure test unit demo bench clean

all: imps

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

$(BUILD)/CMakeCache.txt: CMakeLists.txt
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

configure: setup
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

imps: configure
	@cmake --build $(BUILD) -j $(JOBS) --target imps
ifneq ($(SANITIZE),1)
	@strip $(BUILD)/imps
endif

test: setup-test configure
	@cmake --build $(BUILD) -j $(JOBS)
ifneq ($(SANITIZE),1)
	@strip $(BUILD)/imps
endif
	@cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

unit: setup-test configure
	@cmake --build $(BUILD) -j $(JOBS)
	@cd $(BUILD) && ctest -j $(JOBS) --output-on-failure -LE integration

demo: setup-test imps
	@/usr/bin/python3 test/demo.py --imps $(BUILD)/imps

bench: setup-test imps
	@/usr/bin/python3 test/bench/run.py --imps $(BUILD)/imps

clean:
	rm -rf build build-asan build-arm64
