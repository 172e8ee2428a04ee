# Sourced on the GPU machine, from the repository root, by scripts/gpu_run.sh
# and by a device call's own script (bench/results/h200-*/*/call.sh): unpacks
# the bundles scripts/gpu_bundle.sh made that the call carries, and puts their
# binaries in reach: $bin, and their libraries on LD_LIBRARY_PATH.
mkdir -p /tmp/wino
unpacked=0
for archive in gpu-bundle/wino-gpu.tar.gz gpu-bundle/wino-gpu-only.tar.gz gpu-bundle/wino-bench.tar.gz; do
    if [ -f "$archive" ]; then tar -xzf "$archive" -C /tmp/wino && unpacked=$((unpacked + 1)); fi
done
for archive in gpu-bundle/wino-bench.tar.xz gpu-bundle/wino-tune.tar.xz; do
    if [ -f "$archive" ]; then tar -xJf "$archive" -C /tmp/wino && unpacked=$((unpacked + 1)); fi
done
# gpu-bundle/ is git-ignored: a device call carries it only when asked to
# (the run tool's carry: ["gpu-bundle"]); without it every command below
# would fail to start, one quiet line in a log at a time.
if [ "$unpacked" = 0 ]; then
    echo "gpu_env.sh: no bundle in $(pwd)/gpu-bundle (build one with scripts/gpu_bundle.sh and carry gpu-bundle)" >&2
    exit 2
fi
export LD_LIBRARY_PATH=/tmp/wino/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
bin=/tmp/wino/bin

# A device call brings back at most 8 files from $OUT (h200-54 lost five):
# a call of several runs writes them elsewhere and packs them into one
# archive under $OUT.
# wino_bench with the given arguments, its JSON gzipped to $OUT/bench.json.gz
# and its header and median tables to $OUT/medians.txt; within $bench_limit
# seconds (default 560, under the device's 600 s per call).
run_bench() {
    timeout "${bench_limit:-560}" "$bin/wino_bench" "$@" --benchmark_format=json --benchmark_out="$OUT/bench.json" 2>&1 |
        sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > "$OUT/medians.txt"
    echo "bench rc=${PIPESTATUS[0]} $(date +%T)"
    gzip -9 "$OUT/bench.json"
}
