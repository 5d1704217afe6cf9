# Entry points for people and CI. Each target installs what it needs first (scripts/setup.sh),
# so `make demo` and `make test` work on a fresh Debian 12 machine in either order.
#   make            build/imps (stripped, static)
#   make test       unit + integration tests through CTest; SANITIZE=1 uses ASan+UBSan
#   make demo       the test cluster, imps against it, and what it did
#   make bench      benchmarks (not part of `make test`): $(BUILD)/benchmarks.md; QUICK=1 for a small run,
#                   BENCH_REPORT=docs/benchmarks.md to refresh the tracked report
#   make image      build/imps-image.tar, the container image as an OCI archive (ARCH=arm64: build-arm64/)
#   make fuzz       libFuzzer harnesses of test/fuzz, FUZZ_SECONDS each (clang, ASan+UBSan)
JOBS ?= $(shell nproc)
SANITIZE ?= 0
# ARCH=arm64: cross build into build-arm64 with Debian's aarch64 toolchain (scripts/setup.sh cross).
ARCH ?=
SETUP := build
STRIP := strip

ifeq ($(ARCH),arm64)
BUILD := build-arm64
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_TOOLCHAIN_FILE=third_party/toolchain-aarch64.cmake -DIMPS_TESTS=OFF
SETUP := cross
STRIP := aarch64-linux-gnu-strip
else ifeq ($(SANITIZE),1)
BUILD := build-asan
CMAKE_FLAGS := -DIMPS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
else
BUILD := build
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=MinSizeRel
endif

.PHONY: all imps setup setup-test configure configure-test test unit demo bench image-rootfs image test-arm64 fuzz clean

all: imps

setup:
	@scripts/setup.sh $(SETUP)

setup-test:
	@scripts/setup.sh test

# Building the binary needs no test packages: a new build directory starts without the unit tests
# (IMPS_TESTS, which need doctest); the test targets switch them on, and the choice is kept.
configure: setup
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) $(if $(wildcard $(BUILD)/CMakeCache.txt),,-DIMPS_TESTS=OFF) >/dev/null

configure-test: setup-test
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DIMPS_TESTS=ON >/dev/null

imps: configure
	@cmake --build $(BUILD) -j $(JOBS) --target imps
ifneq ($(SANITIZE),1)
	@$(STRIP) $(BUILD)/imps
endif

test: configure-test
	@cmake --build $(BUILD) -j $(JOBS)
ifneq ($(SANITIZE),1)
	@strip $(BUILD)/imps
endif
	@cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

unit: configure-test
	@cmake --build $(BUILD) -j $(JOBS)
	@cd $(BUILD) && ctest -j $(JOBS) --output-on-failure -LE integration

demo: setup-test imps
	@/usr/bin/python3 test/demo.py --imps $(BUILD)/imps

# The report goes to the build directory; the tracked docs/benchmarks.md changes only when named.
BENCH_REPORT ?= $(BUILD)/benchmarks.md
QUICK ?= 0
bench: setup-test imps
	@/usr/bin/python3 test/bench/run.py --imps $(BUILD)/imps --markdown $(BENCH_REPORT) \
	  --json $(BUILD)/benchmarks.json $(if $(filter 1,$(QUICK)),--quick)

FUZZ_SECONDS ?= 30
fuzz:
	@scripts/setup.sh fuzz
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DIMPS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/run_fuzzers.sh build-fuzz/test/fuzz $(FUZZ_SECONDS)

# The scratch image's file tree (what deploy/Dockerfile ships), without a container engine.
image-rootfs: imps
	@rm -rf $(BUILD)/rootfs && scripts/image_rootfs.sh $(BUILD)/rootfs $(BUILD)/imps
	@echo "$(BUILD)/rootfs"

# The image as an OCI image layout archive of that tree (docs/deploy.md: loading it on a node).
VERSION := $(shell grep -o '^project.imps VERSION [0-9.]*' CMakeLists.txt | cut -d' ' -f3)
IMAGE_NAME ?= ghcr.io/imps-project/imps
IMAGE_SOURCE ?= https://github.com/imps-project/imps
IMAGE_LICENSES ?= Apache-2.0 AND MIT AND MPL-2.0
image: image-rootfs
	@scripts/setup.sh image
	@scripts/oci_image.py $(BUILD)/rootfs $(BUILD)/imps-image.tar --arch $(or $(ARCH),$(shell dpkg --print-architecture)) \
	  --name $(IMAGE_NAME) --version $(VERSION) --source $(IMAGE_SOURCE) --licenses "$(IMAGE_LICENSES)"

# Cross-builds build-arm64/imps (minutes on 2 cores) and runs it under qemu against the stand-in.
test-arm64: setup-test
	@$(MAKE) --no-print-directory ARCH=arm64 imps
	@cd test/integration && /usr/bin/python3 -m unittest -v test_arm64

clean:
	rm -rf build build-asan build-arm64 build-fuzz
