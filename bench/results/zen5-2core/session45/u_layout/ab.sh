#!/bin/bash
# A/B: a = build-device/bin/wino_bench (HEAD d5e5093, U points outermost), b = build/bin/wino_bench (U channel block outermost)
cd "$(git rev-parse --show-toplevel)"
o=bench/results/zen5-2core/session45/u_layout
V="--variant wino_fused_f4_7x1 --variant wino_fused_f4_4x2 --variant wino_fused_f2_4x2 --variant wino_fused_f4_4x2_groups --variant wino_fused_f2_4x2_groups --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f4_7x1_inline_nhwc --variant wino_fused_f4_7x1_groups_inline_nhwc --variant wino_fused_f6_5x1_k4_inline_nhwc --variant wino_fused_f6_5x1_k4_groups_inline_nhwc --variant wino_fused_f4_3x2_k4_inline_nhwc --variant wino_fused_f6_4x2_k3_nhwc --variant wino_fused_f4_4x2_k3_nhwc"
for r in 1 2; do for x in a b; do
  bin=build-device/bin/wino_bench; [ $x = b ] && bin=build/bin/wino_bench
  WINO_TUNING_TABLE=/nonexistent/t.json $bin --threads 1 --threads 2 $V --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true --benchmark_out=$o/${x}_r$r.json > /dev/null 2>&1
  gzip -f $o/${x}_r$r.json
done; done
echo done > $o/.done
