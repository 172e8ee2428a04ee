#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing, on a
# minbase Debian 12 (scripts/fresh-machine.sh proves it on a brand-new one).
# Idempotent: with everything present it runs no apt command at all.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config
    libhalide14-0-dev    # Halide 14 (generators, runtime, autoscheduler plugins)
    libpng-dev libjpeg-dev  # HalideConfig.cmake reports Halide not found without them
    libgtest-dev         # tests
    libgmock-dev         # tests (GTest::gmock: its own package on Debian 12)
    libtbb-dev           # oneTBB: the thread pool the runtime can use (runtime/halide_hooks.cpp)
    libbenchmark-dev     # bench
    libcli11-dev nlohmann-json3-dev  # the tools' argument parsing and JSON
    libdnnl-dev          # oneDNN, the peer in benchmarks (found without its CMake
                         # package, which would want OpenCL: cmake/WinoOneDnn.cmake)
    python3-matplotlib   # report plots
    pybind11-dev python3-dev python3-numpy  # the Python module and its tests
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2; exit 1; }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
