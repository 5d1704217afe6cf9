# Cross build for 64-bit ARM (Graviton, Raspberry Pi 4/5, Apple-silicon VMs) with Debian's
# gcc-aarch64-linux-gnu/g++-aarch64-linux-gnu (scripts/setup.sh cross installs them).
# Usage: cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=third_party/toolchain-aarch64.cmake
#        -DIMPS_TESTS=OFF   (unit tests are host binaries; test_arm64.py runs the result under qemu)
# The three C libraries are compiled from source like in the native build, so nothing needs to
# come from an aarch64 sysroot except glibc and libstdc++, which the cross packages ship.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_STRIP aarch64-linux-gnu-strip)

# Look for headers and libraries only in the cross sysroot, programs only on the host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
