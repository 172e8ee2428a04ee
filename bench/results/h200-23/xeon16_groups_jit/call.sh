#!/usr/bin/env bash
# h200-23: parallel=groups with the group unit a register block of output
# channels (KB) instead of U's 32-channel block, against the other parallel
# splits, by JIT on the host's 16-core Xeon at 16 threads (wino_tune
# --candidate: each point checked against float64, then timed in interleaved
# rounds, the fastest kept). Carries scripts/gpu_bundle.sh tune (session 17).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
C=()
for p in 'm=4 block=4x2' 'm=4 block=4x2 parallel=all' 'm=4 block=4x2 parallel=groups' \
         'm=4 block=4x2 k_vectors=1 parallel=groups' 'm=4 block=2x2 k_vectors=1 parallel=groups' \
         'm=2 block=4x2' 'm=2 block=4x2 parallel=groups' 'm=2 block=4x2 k_vectors=1 parallel=groups' \
         'm=4 block=7x1 band_kb=1024 store=channels' 'm=4 block=7x1 band_kb=1024 store=channels parallel=groups'; do
    C+=(--candidate "winograd fused $p")
done
for s in 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 1,64,64,56,56 1,64,64,64,64 8,64,64,56,56; do
    timeout 90 $bin/wino_tune --shape $s --threads 16 --rounds 3 --seconds-per-point 0.2 --log $OUT/tune_$s.jsonl \
        --rows $OUT/rows_$s.cmake "${C[@]}" 2>&1 | grep -E ' ms,|best|rror' | tee -a $OUT/tune.txt
done
