#!/usr/bin/env bash
# The main job: run the benchmark suite and write the report folder.
# Arguments go to wino_bench (e.g. --shape 1,64,64,56,56 --threads 2).
set -euo pipefail
cd "$(dirname "$0")/.."
out=report
mkdir -p "$out"
build/bin/wino_bench --benchmark_out="$out/bench.json" --benchmark_out_format=json "$@" | tee "$out/bench.txt"
