#!/usr/bin/env python3
# ab.txt -> a markdown table: per layer, threads and block, the two runs of each build, and after/before
# (fastest of each build's two), with the unchanged NCHW row's own after/before beside it.
import collections, re, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1] if len(sys.argv) > 1 else "ab.txt"):
    m = re.match(r"(\w+) t(\d) (\S+)\s+direct direct m=0 (.*?)\s+([\d.]+) ms", line)
    if m:
        b, t, shape, cand, ms = m.groups()
        d[(t, shape, cand.strip(), b)].append(float(ms))
print("| threads | layer | block | before | after | after/before |")
print("|---|---|---|---|---|---|")
for t, s, c in sorted({k[:3] for k in d}):
    bb, aa = d[(t, s, c, "before")], d[(t, s, c, "after")]
    print(f"| {t} | {s} | {c} | {' / '.join('%.3f' % x for x in bb)} | {' / '.join('%.3f' % x for x in aa)} | {min(aa) / min(bb):.2f} |")
