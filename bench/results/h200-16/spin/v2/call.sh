#!/usr/bin/env bash
# h200-16 call 2 (v1/) and 3 (this): the host's 16 cores, oneTBB workers kept spinning between loops (WINO_SPIN_US) or not,
# calls back to back or 1 ms apart (wino_bench --idle-us)
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-bench.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
B=/tmp/wino/bin
lscpu > $OUT/machine.txt
S="--shape 1,16,16,32,32 --shape 1,24,40,19,23 --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7"
V="--variant direct --variant direct_xvec_pad_image --variant wino_fused_f4_4x2 --variant wino_fused_f4_4x2_all --variant wino_fused_f4_7x1 --variant wino_fused_f2_4x2"
for idle in 0 1000; do for spin in 0 2000; do
  mt=0.03; [ $idle -gt 0 ] && mt=0.01
  echo "== spin $spin idle $idle ($(date +%T))"
  WINO_SPIN_US=$spin timeout 200 $B/wino_bench $S $V --threads 16 --idle-us $idle --benchmark_repetitions=3 --benchmark_min_time=$mt \
     --benchmark_out=$OUT/bench_spin${spin}_idle${idle}.json --benchmark_out_format=json 2>&1 | sed -n '/^Median/,$p' > $OUT/bench_spin${spin}_idle${idle}.txt
  grep -E "^[a-z]" $OUT/bench_spin${spin}_idle${idle}.txt | grep -v variant | awk '{printf "%s %s | ", $1, $2} END{print ""}'
done; done
