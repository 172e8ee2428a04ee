#!/usr/bin/env python3
"""Markdown table of one spin/ folder: each row's medians, calls back to back or
1 ms apart, the pool's spinning off or on (one value per repetition a/b).
Usage: table.py FOLDER   (bench_spin<US>_idle<US>[a|b].json[.gz] files)"""
import glob, gzip, json, re, sys

folder = sys.argv[1]
res = {}
for f in sorted(glob.glob(folder + '/bench_*.json*')):
    spin, idle = map(int, re.search(r'spin(\d+)_idle(\d+)', f).groups())
    d = json.load(gzip.open(f) if f.endswith('.gz') else open(f))
    for b in d['benchmarks']:
        if b.get('aggregate_name') == 'median':
            v, shape = b['run_name'].split('/')[:2]
            res.setdefault((shape, v), {}).setdefault((idle, spin), []).append(b['real_time'])
print("| layer | variant | back to back, spin off | back to back, spin on | 1 ms apart, spin off | 1 ms apart, spin on |")
print("|---|---|---|---|---|---|")
for (shape, v), r in sorted(res.items()):
    cells = [" / ".join(f"{x:.4f}" for x in r.get(k, [])) for k in [(0, 0), (0, 2000), (1000, 0), (1000, 2000)]]
    print(f"| {shape} | {v} | " + " | ".join(cells) + " |")
