#!/usr/bin/env bash
# The project's two entry points (see README.md):
#   ./run.sh bench [wino_bench args...]  install, build, benchmark every variant, write report/
#   ./run.sh test  [ctest args...]       install, build, run the tests
# Both are idempotent: a second run with nothing changed only re-runs the job.
set -euo pipefail
cd "$(dirname "$0")"

job=${1:-}
case "$job" in
    bench|test) shift ;;
    *) echo "usage: ./run.sh bench|test [args...]" >&2; exit 2 ;;
esac

scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
start=$(date +%s)
cmake --build build
echo "build: $(( $(date +%s) - start )) s"

case "$job" in
    test)
        ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
        ;;
    bench)
        scripts/report.sh "$@"
        ;;
esac
