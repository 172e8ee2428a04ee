#!/bin/bash
# JIT A/B of NHWC direct with the column taps unrolled inside the channels where the registers hold the
# block (direct_unrolls_column_taps): /tmp/wino_tune_before is commit b5d5c34's wino_tune (channels inside
# all taps), /tmp/wino_tune_after this commit's; both on the packing W(ki, c, rx, ry, kb).
# (ab_rx_c_ry_packing.txt: the same with an intermediate build that also packed W(ki, rx, c, ry, kb).)
# Per layer and thread count, before, after, before, after; each the fastest of 3 rounds. The NCHW row
# (unchanged) shows how far the host moved between the two.
cands=(--candidate 'direct direct m=0 block=7x1 layout=nhwc taps=rows' --candidate 'direct direct m=0 block=3x2 k_vectors=4 layout=nhwc'
       --candidate 'direct direct m=0 block=8x1 k_vectors=3 layout=nhwc taps=rows' --candidate 'direct direct m=0 block=8x1 k_vectors=1 layout=nhwc taps=rows'
       --candidate 'direct direct m=0 block=4x1 k_vectors=4 layout=nhwc taps=rows' --candidate 'direct direct m=0 block=7x1 taps=rows')
for t in 1 2; do
  shapes="1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 1,24,40,19,23 1,16,16,32,32"
  [ $t = 2 ] && shapes="1,64,64,56,56 1,256,256,14,14"
  for s in $shapes; do
    for b in before after before after; do
      /tmp/wino_tune_$b --threads $t --shape $s --layout nhwc --rounds 3 --log '' "${cands[@]}" 2>&1 | grep -v "target\|best" | sed "s/^/$b t$t /"
    done
  done
done
