#!/usr/bin/env bash
# Installs the build into a fresh prefix and builds examples/consumer against
# the installed tree only (CMake's find_package, then pkg-config), and runs
# both. Usage: install_consumer.sh <build dir> <source dir>
set -euo pipefail
build=$1 source=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" > /dev/null
echo "installed tree: $(du -sh "$scratch/prefix" | cut -f1)"
cmake -S "$source/examples/consumer" -B "$scratch/cmake" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$scratch/prefix" > /dev/null
cmake --build "$scratch/cmake" > /dev/null
"$scratch/cmake/consumer"
export PKG_CONFIG_PATH="$scratch/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
g++ -O2 -o "$scratch/consumer-pc" "$source/examples/consumer/main.cpp" $(pkg-config --cflags --libs wino)
"$scratch/consumer-pc"
