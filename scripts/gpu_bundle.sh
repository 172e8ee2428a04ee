#!/usr/bin/env bash
# Builds what the GPU machine runs and packs it with the Debian libraries it
# needs (the machine has CUDA and PyTorch, not this project's packages):
#   scripts/gpu_bundle.sh            -> gpu-bundle/wino-gpu.tar.gz (git-ignored)
#   scripts/gpu_bundle.sh tune       -> gpu-bundle/wino-tune.tar.xz: wino_tune
#                                       alone, to search schedules on the host's
#                                       cores (JIT: libHalide and LLVM travel too,
#                                       ~40 MB with ICU's data stubbed, so it does
#                                       not fit beside the other)
#   scripts/gpu_bundle.sh gpu-only   -> gpu-bundle/wino-gpu-only.tar.gz: test_variants and
#                                       wino_bench without oneDNN (~11 MB), for calls
#                                       that measure GPU rows only: the full bundle
#                                       and the tracked tree together pass the
#                                       device's 64 MiB carry limit
#   scripts/gpu_bundle.sh bench      -> gpu-bundle/wino-bench.tar.xz: wino_bench with
#                                       oneDNN, wino_pool_probe and wino_profile (~9 MB without
#                                       wino_profile; xz, as gzip's 16 MB and the
#                                       tracked tree passed the 64 MiB carry), for
#                                       calls that measure the host's CPU rows only
# The build (build-device/) skips the stmt files and the autoscheduled rows to
# stay small; the CUDA variants are in it, cross-compiled here, and the
# profiled twins, for wino_profile on the host's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-gpu}
case $mode in
gpu) archive=gpu-bundle/wino-gpu.tar.gz compress=-z ;;
tune) archive=gpu-bundle/wino-tune.tar.xz compress=-J ;;
gpu-only) archive=gpu-bundle/wino-gpu-only.tar.gz compress=-z ;;
bench) archive=gpu-bundle/wino-bench.tar.xz compress=-J ;;
*) echo "gpu_bundle.sh: unknown bundle '$mode' (expected nothing, tune, gpu-only or bench)" >&2; exit 2 ;;
esac
build=build-device
onednn=ON
[ "$mode" = gpu-only ] && onednn=OFF  # the same build: only wino_bench relinks
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWINO_PROFILE=ON -DWINO_STMT=OFF \
    -DWINO_AUTOSCHEDULED=OFF -DWINO_CUDA=ON -DWINO_ONEDNN=$onednn > /dev/null
stage=$(mktemp -d)
mkdir -p "$stage/bin" "$stage/lib"
if [ "$mode" = tune ]; then
    cmake --build "$build" --target wino_tune
    cp "$build"/bin/wino_tune "$stage/bin/"
elif [ "$mode" = gpu-only ]; then
    cmake --build "$build" --target test_variants wino_bench
    cp "$build"/bin/{test_variants,wino_bench} "$stage/bin/"
    cp bench/cudnn_peer.py "$stage/"
elif [ "$mode" = bench ]; then
    cmake --build "$build" --target wino_bench wino_pool_probe wino_profile
    cp "$build"/bin/{wino_bench,wino_pool_probe,wino_profile} "$stage/bin/"
else
    cmake --build "$build" --target test_variants test_api wino_bench wino_cli wino_profile
    cp "$build"/bin/{test_variants,test_api,wino_bench,wino,wino_profile} "$stage/bin/"
    cp bench/cudnn_peer.py "$stage/"
fi
strip "$stage"/bin/*
# Every shared library they load that a CUDA image would not have (glibc,
# libstdc++ and libgcc come from the machine itself).
for b in "$stage"/bin/*; do ldd "$b"; done | awk '/=> \//{print $3}' | sort -u |
    grep -vE '/(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt)\.so' |
    while read -r lib; do cp -L "$lib" "$stage/lib/"; done
if [ "$mode" = tune ]; then
    # ICU's data (31 MB: libLLVM -> libxml2 -> libicuuc) is loaded, never read:
    # LLVM's JIT converts no text encodings. A stub that defines the same data
    # symbols keeps the bundle and the tracked tree within the device's 64 MiB
    # carry (48 MB with the real one).
    for lib in "$stage"/lib/libicudata.so.*; do
        [ -f "$lib" ] || continue
        soname=$(objdump -p "$lib" | awk '/SONAME/{print $2}')
        nm -D --defined-only "$lib" | awk '$2 ~ /^[RDB]$/{print "const char " $3 "[64] = {0};"}' > "$stage/icudata_stub.c"
        gcc -shared -fPIC -Wl,-soname,"$soname" -o "$lib" "$stage/icudata_stub.c"
        rm "$stage/icudata_stub.c"
    done
fi
cp scripts/gpu_run.sh scripts/gpu_env.sh "$stage/"
mkdir -p gpu-bundle
tar "$compress" -cf "$archive" -C "$stage" .
rm -rf "$stage"
ls -la "$archive"
