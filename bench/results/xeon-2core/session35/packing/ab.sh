#!/bin/bash
# JIT A/B of the NHWC direct packing: $1 = a wino_tune built before (W(ki, rx, ry, c, kb)
# for every direct variant) or after (W(ki, c, rx, ry, kb) for layout=nhwc) commit
# "direct: NHWC variants' weights packed channels inside taps". 1 thread, 3 interleaved rounds, fastest kept.
for s in 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 1,24,40,19,23; do
  $1 --threads 1 --shape $s --layout nhwc --rounds 3 --log '' \
    --candidate 'direct direct m=0 block=3x2 k_vectors=4 layout=nhwc' \
    --candidate 'direct direct m=0 block=7x1 layout=nhwc taps=rows' \
    --candidate 'direct direct m=0 block=8x1 k_vectors=3 layout=nhwc taps=rows' 2>&1 | grep -v "^wino_tune: target" | grep -v best
done
$1 --threads 1 --shape 1,64,64,56,56 --layout nchw --rounds 3 --log '' --candidate 'direct direct m=0 block=7x1 taps=rows' 2>&1 | grep -v "^wino_tune: target" | grep -v best
