#!/usr/bin/env bash
# h200-42: pad=inline (the fused input transform reading the NHWC input
# itself, no padded copy per band) against the same rows with the copy, on
# the Xeon host's cores at 1 and 16 threads: JIT (wino_tune --candidate),
# interleaved rounds, fastest kept. Carries scripts/gpu_bundle.sh tune.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
C=""
for base in 'm=4 block=7x1' 'm=4 block=7x1 parallel=groups' 'm=4 block=4x2 parallel=points' \
            'm=2 block=4x2 parallel=points' 'm=6'; do
  C="$C --candidate 'winograd fused $base layout=nhwc' --candidate 'winograd fused $base layout=nhwc pad=inline'"
done
run() {  # threads, seconds, shapes...
  local t=$1 limit=$2; shift 2
  local S=""; for s in "$@"; do S="$S --shape $s"; done
  eval WINO_TUNING_TABLE=/nonexistent timeout $limit $bin/wino_tune --layout nhwc --threads $t --rounds 3 \
    --log $OUT/log_t$t.jsonl $S $C > $OUT/inline_t$t.txt 2>&1
  echo "rc=$?" >> $OUT/inline_t$t.txt
}
run 16 300 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 8,64,64,56,56
run 1 240 1,64,64,56,56 1,128,128,28,28 8,64,64,56,56
grep -hE "ms, error|rc=" $OUT/inline_t16.txt $OUT/inline_t1.txt
