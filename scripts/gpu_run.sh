#!/usr/bin/env bash
# Runs on the GPU machine (through the device tool), from the repository root,
# with gpu-bundle/wino-gpu.tar.gz carried (scripts/gpu_bundle.sh makes it):
# the GPU variants' tests, the GPU benchmark against cuDNN (PyTorch), and the
# host's CPU rows at all its cores. Results go to $OUT/results.tar.gz, one
# archive (the device tool returns only a few files; the repository keeps them
# unpacked in bench/results/). Each step has its own time limit.
#   WINO_GPU_STEPS="tests gpu cudnn cpu scaling profile ncu"   which steps (default: all but scaling)
#   WINO_GPU_VARIANTS="cuda_direct cuda_wino_staged_f4 ..."      the gpu step's variants (default: every cuda_ row)
#   WINO_GPU_REPS=3                                              the gpu step's repetitions
#   WINO_GPU_STEPS=tune   wino_tune on the host's cores (bundle: scripts/gpu_bundle.sh tune),
#                         its arguments one per line in gpu-bundle/tune_args.txt (or $WINO_TUNE_ARGS)
#                         (e.g. --shape, 1,64,64,56,56, --candidate, winograd fused m=4 block=4x2)
set -uo pipefail
dest=${OUT:-/tmp/wino-out}
out=$(mktemp -d)
mkdir -p "$dest"
source "$(dirname "$0")/gpu_env.sh"  # the carried bundles unpacked: $bin, LD_LIBRARY_PATH
steps=${WINO_GPU_STEPS:-tests gpu cudnn cpu profile ncu}
# The default suite plus larger batches of ResNet layers.
shapes=(1,16,16,32,32 1,64,64,64,64 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7
        8,64,64,56,56 1,24,40,19,23 1,3,64,224,224 32,64,64,56,56 8,256,256,14,14 32,256,256,14,14
        8,128,128,28,28)
shape_args=(); for s in "${shapes[@]}"; do shape_args+=(--shape "$s"); done
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; lscpu; } \
    > "$out/machine.txt" 2>&1
grep -E 'NVIDIA|Model name|^CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|L2|L3' "$out/machine.txt"
for step in $steps; do
    echo "== $step ($(date +%T))"
    case $step in
    tests)
        timeout 240 "$bin/test_variants" --gtest_filter='*cuda*' --gtest_brief=1 2>&1 | tail -5 | tee "$out/tests.txt"
        [ -x "$bin/test_api" ] && timeout 60 "$bin/test_api" --gtest_filter='ApiGpu*' --gtest_brief=1 2>&1 | tail -3 | tee -a "$out/tests.txt"
        ;;
    gpu)
        # Aggregates are written only at the end (repetitions interleave): the
        # limit must hold the whole run, ~0.35 s per variant and layer at 3 repetitions (h200-10).
        if [ -z "${WINO_GPU_VARIANTS:-}" ] && [ ! -x "$bin/wino" ]; then
            # Without the list every variant would run, the CPU rows included.
            echo "gpu step: this bundle has no wino binary to list the cuda_ rows; name them in WINO_GPU_VARIANTS" >&2
            continue
        fi
        variants=(); for v in ${WINO_GPU_VARIANTS:-$("$bin/wino" list | grep '^cuda_')}; do variants+=(--variant "$v"); done
        timeout 420 "$bin/wino_bench" "${shape_args[@]}" --threads 1 --no-peers "${variants[@]}" \
            --benchmark_repetitions="${WINO_GPU_REPS:-3}" --benchmark_out="$out/bench_gpu.json" --benchmark_out_format=json \
            2>&1 | sed -n '/^Median/,$p' | tee "$out/bench_gpu.txt"
        ;;
    cudnn)
        timeout 300 python3 /tmp/wino/cudnn_peer.py "${shape_args[@]}" --out "$out/cudnn.jsonl" 2>&1 | tee "$out/cudnn.txt"
        ;;
    cpu)
        cores=$(nproc)
        # Every CPU variant of the table (tuned rows included) and the selector.
        variants=(--variant auto)
        for v in $("$bin/wino" list --long | awk 'NR > 1 && $5 == "cpu" {print $1}'); do variants+=(--variant "$v"); done
        timeout 420 "$bin/wino_bench" "${shape_args[@]}" --threads 1 --threads "$cores" "${variants[@]}" \
            --benchmark_repetitions=3 --benchmark_out="$out/bench_cpu.json" --benchmark_out_format=json \
            2>&1 | sed -n '/^Median/,$p' | tee "$out/bench_cpu.txt"
        ;;
    scaling)
        # How the host's FMA peak, oneDNN and a few rows scale with threads on
        # the N=1 ResNet layers and one batch (wino_bench prints the peak per
        # thread count): whether 16 threads are 16 cores' worth of FMA units.
        timeout 300 "$bin/wino_bench" --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 \
            --shape 1,512,512,7,7 --shape 8,256,256,14,14 --threads 1 --threads 2 --threads 4 --threads 8 \
            --threads 16 --variant direct --variant wino_fused_f4_4x2 --variant wino_fused_f4_4x2_all \
            --variant wino_fused_f4_7x1 --variant wino_fused_f2_4x2 --variant auto --benchmark_repetitions=3 \
            --benchmark_out="$out/bench_scaling.json" --benchmark_out_format=json \
            2>&1 | sed -n '/^Median/,$p' | tee "$out/bench_scaling.txt"
        ;;
    profile)
        # Where the time goes, stage by stage, at 1 thread and at all cores, on
        # the N=1 layers (the ones that scale least there).
        for t in 1 "$(nproc)"; do
            timeout 150 "$bin/wino_profile" --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 \
                --shape 1,512,512,7,7 --threads "$t" --seconds 0.5 --variant wino_fused_f4_7x1 \
                --variant wino_fused_f4_4x2 --variant wino_fused_f2_4x2 --variant direct \
                --json "$out/profile_t$t.json" 2>&1 | tee "$out/profile_t$t.txt"
        done
        ;;
    tune)
        mapfile -t args < "${WINO_TUNE_ARGS:-gpu-bundle/tune_args.txt}"
        timeout "${WINO_TUNE_SECONDS:-540}" "$bin/wino_tune" --threads "$(nproc)" --log "$out/tune.log" \
            --rows "$out/tuned_rows.cmake" "${args[@]}" 2>&1 | tee "$out/tune.txt"
        ;;
    ncu)
        # Per-kernel device time of every GPU variant on two layers, and the
        # fused and direct kernels' occupancy, limits and stalls.
        for shape in 8,64,64,56,56 1,256,256,14,14; do
            for v in $("$bin/wino" list | grep '^cuda_'); do
                timeout 60 ncu --clock-control none --csv --metrics gpu__time_duration.sum --launch-skip 10 --launch-count 8 \
                    "$bin/wino_bench" --shape "$shape" --threads 1 --no-peers --variant "$v" --benchmark_repetitions=1 \
                    --benchmark_min_time=0.001 2>/dev/null | grep -E '^"' > "$out/kernels_${v}_${shape//,/x}.csv"
            done
        done
        for v in cuda_wino_fused_f4 cuda_direct; do
            timeout 90 ncu --clock-control none --section SpeedOfLight --section Occupancy --section LaunchStats \
                --section WarpStateStats --launch-skip 10 --launch-count 1 \
                "$bin/wino_bench" --shape 8,64,64,56,56 --threads 1 --no-peers --variant "$v" --benchmark_repetitions=1 \
                --benchmark_min_time=0.001 > "$out/ncu_$v.txt" 2>&1
            grep -E "Registers Per|Achieved Occupancy|Theoretical Occupancy|Compute \(SM\) Throughput|Memory Throughput|Duration|Block Limit|Stall" "$out/ncu_$v.txt" | head -30
        done
        ;;
    esac
done
tar -czf "$dest/results.tar.gz" -C "$out" .
echo "== done ($(date +%T)): $dest/results.tar.gz"
