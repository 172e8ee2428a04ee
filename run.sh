#!/usr/bin/env bash
# The project's two entry points (see README.md):
#   ./run.sh bench [wino_bench args...]         install, build, benchmark every variant, write report/
#   ./run.sh test  [--sanitize|--portable] [ctest args...]  install, build, run the tests
# Both are idempotent: a second run with nothing changed only re-runs the job.
# --sanitize builds into build-sanitize/ with ASan + UBSan (and Halide's asan
# feature) and runs the same tests there. --portable builds into
# build-portable/ the libraries an install ships (AVX-512, AVX2 and SSE4.1
# code in each, chosen at run time) and runs the tests at every CPU level.
set -euo pipefail
cd "$(dirname "$0")"

job=${1:-}
case "$job" in
    bench|test) shift ;;
    *) echo "usage: ./run.sh bench [wino_bench args...] | ./run.sh test [--sanitize|--portable] [ctest args...]" >&2; exit 2 ;;
esac

build=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
if [ "$job" = test ] && [ "${1:-}" = --sanitize ]; then
    shift
    build=build-sanitize
    # Debug info for readable reports; -O1 keeps the sanitized tests quick.
    cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DWINO_SANITIZE=ON
                -DWINO_PROFILE=OFF -DWINO_STMT=OFF)
    # Any report fails the test that caused it; leaks included.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
elif [ "$job" = test ] && [ "${1:-}" = --portable ]; then
    shift
    build=build-portable
    # What an install ships, less what only development needs (profiled twins,
    # loop nests, autoscheduled and GPU rows).
    cmake_args=(-DCMAKE_BUILD_TYPE=Release -DWINO_HALIDE_TARGET=portable -DWINO_PROFILE=OFF -DWINO_STMT=OFF
                -DWINO_AUTOSCHEDULED=OFF -DWINO_CUDA=OFF)
fi

scripts/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
    cmake -S . -B "$build" -G Ninja "${cmake_args[@]}"
fi
start=$(date +%s)
cmake --build "$build"
echo "build: $(( $(date +%s) - start )) s"

case "$job" in
    test)
        ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
        ;;
    bench)
        scripts/report.sh "$@"
        ;;
esac
