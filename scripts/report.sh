#!/usr/bin/env bash
# The main job: benchmark every variant and peer on the suite, profile the
# stages, time the compiles, and write the report folder (report/README.md).
# Arguments go to wino_bench and wino_profile (--shape N,C,K,H,W, --threads T).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${WINO_REPORT_DIR:-report}
mkdir -p "$out"

# wino_profile takes one --threads; give it the first one asked for (default 1).
profile_args=()
threads_seen=0
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
        --shape) profile_args+=(--shape "${args[$((i + 1))]}"); i=$((i + 1)) ;;
        --threads) [ $threads_seen -eq 0 ] && profile_args+=(--threads "${args[$((i + 1))]}"); threads_seen=1; i=$((i + 1)) ;;
    esac
done

echo "== 1/4 benchmark (every variant x shape x threads; progress below)"
build/bin/wino_bench --benchmark_out="$out/bench.json" --benchmark_out_format=json "$@" | tee "$out/bench.txt"
echo "== 2/4 per-stage profile"
build/bin/wino_profile --json "$out/profile.json" "${profile_args[@]}" | tee "$out/profile.txt"
echo "== 3/4 compile times"
/usr/bin/python3 scripts/compile_times.py --build build --out "$out/compile_times.json"
echo "== 4/4 report"
/usr/bin/python3 scripts/report.py --dir "$out"
