#!/usr/bin/env bash
# The main job: benchmark every variant and peer on the suite, profile the
# stages, time the compiles, and write the report folder (report/README.md).
# Arguments go to wino_bench and wino_profile (--shape N,C,K,H,W, --threads T).
#
# Environment (all optional):
#   WINO_REPORT_DIR    the report folder (default report)
#   WINO_TUNE_LOG      a wino_tune log for the landscape plots; default: the
#                      first of tune/wino_tune.log and wino_tune.log that
#                      exists; set it empty for none
#   WINO_GPU_RESULTS   recorded GPU results for the GPU section (a folder of
#                      bench/results/); default auto (this run's GPU variants
#                      if it has some, else the newest bench/results/*/ with a
#                      bench_gpu.json); none for no GPU section
#   WINO_COMPILE_RUNS  generator runs per compile-time measurement (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${WINO_REPORT_DIR:-report}
mkdir -p "$out"

# wino_profile takes one --threads; give it the first one asked for (default 1).
# Its --timeline runs at the most threads asked for (default: one per core).
profile_args=()
shape_args=()
threads_seen=0
most_threads=0
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
        --shape) shape_args+=(--shape "${args[$((i + 1))]}"); i=$((i + 1)) ;;
        --threads)
            t=${args[$((i + 1))]}
            [ $threads_seen -eq 0 ] && profile_args+=(--threads "$t")
            threads_seen=1
            [ "$t" -gt "$most_threads" ] && most_threads=$t
            i=$((i + 1)) ;;
    esac
done
profile_args+=("${shape_args[@]}")
[ "$most_threads" -gt 0 ] || most_threads=$(nproc)

report_args=(--dir "$out" --build build --gpu-results "${WINO_GPU_RESULTS:-auto}")
if [ -z "${WINO_TUNE_LOG+set}" ]; then
    for log in tune/wino_tune.log wino_tune.log; do
        if [ -f "$log" ]; then report_args+=(--tune-log "$log"); break; fi
    done
elif [ -n "$WINO_TUNE_LOG" ]; then
    report_args+=(--tune-log "$WINO_TUNE_LOG")
fi

echo "== 1/4 benchmark (every variant x shape x threads; progress below)"
build/bin/wino_bench --benchmark_out="$out/bench.json" --benchmark_out_format=json "$@" | tee "$out/bench.txt"
echo "== 2/4 per-stage profile"
build/bin/wino_profile --json "$out/profile.json" "${profile_args[@]}" | tee "$out/profile.txt"
if [ "$most_threads" -gt 1 ]; then
    echo "== 2/4 where the threads go ($most_threads threads: a trace of the thread pool)"
    build/bin/wino_profile --timeline --threads "$most_threads" --seconds 0.02 --calls 5 --json "$out/timeline.json" \
        "${shape_args[@]}" > "$out/timeline.txt"
fi
echo "== 3/4 compile times (and the generators' memory)"
/usr/bin/python3 scripts/compile_times.py --build build --runs "${WINO_COMPILE_RUNS:-3}" --out "$out/compile_times.json"
echo "== 4/4 report"
/usr/bin/python3 scripts/report.py "${report_args[@]}"
