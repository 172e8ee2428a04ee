#!/usr/bin/env bash
# Builds what the GPU machine runs and packs it with the Debian libraries it
# needs (the machine has CUDA and PyTorch, not this project's packages):
#   scripts/gpu_bundle.sh            -> gpu-bundle/wino-gpu.tar.gz (git-ignored)
# The build (build-device/) skips the stmt files and the autoscheduled rows to
# stay small; the CUDA variants are in it, cross-compiled here, and the
# profiled twins, for wino_profile on the host's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-device
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWINO_PROFILE=ON -DWINO_STMT=OFF \
    -DWINO_AUTOSCHEDULED=OFF -DWINO_CUDA=ON > /dev/null
cmake --build "$build" --target test_variants test_api wino_bench wino_cli wino_profile
stage=$(mktemp -d)
mkdir -p "$stage/bin" "$stage/lib"
cp "$build"/bin/{test_variants,test_api,wino_bench,wino,wino_profile} "$stage/bin/"
strip "$stage"/bin/*
# Every shared library they load that a CUDA image would not have (glibc,
# libstdc++ and libgcc come from the machine itself).
for b in "$stage"/bin/*; do ldd "$b"; done | awk '/=> \//{print $3}' | sort -u |
    grep -vE '/(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt)\.so' |
    while read -r lib; do cp -L "$lib" "$stage/lib/"; done
cp bench/cudnn_peer.py scripts/gpu_run.sh "$stage/"
mkdir -p gpu-bundle
tar -czf gpu-bundle/wino-gpu.tar.gz -C "$stage" .
rm -rf "$stage"
ls -la gpu-bundle/wino-gpu.tar.gz
