#!/bin/bash
# c = build/bin/wino_bench with U channel block outermost and parallel=points' tasks in the old order (points outer, channel blocks inner); b = /tmp/bin_b (points' channel blocks outer)
cd "$(git rev-parse --show-toplevel)"
o=bench/results/zen5-2core/session45/u_layout
V="--variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f2_4x2_groups_nhwc"
S="--shape 1,512,512,7,7 --shape 1,256,256,14,14 --shape 1,128,128,28,28 --shape 1,64,64,64,64"
for r in 1 2; do for x in b c; do
  bin=/tmp/bin_b/wino_bench; [ $x = c ] && bin=build/bin/wino_bench
  WINO_TUNING_TABLE=/nonexistent/t.json $bin --threads 1 --threads 2 $S $V --no-peers --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true --benchmark_out=$o/points_${x}_r$r.json > /dev/null 2>&1
  gzip -f $o/points_${x}_r$r.json
done; done
echo done > $o/.done_c
