#!/usr/bin/python3
"""Per process of xeon16_affinity/: each layer's fastest row of ours over oneDNN's Winograd in the same
process (a ratio within one run, which the host's drift between processes leaves alone), and per setting
the median of those ratios. Run from the repository root: bench/results/h200-54/xeon16_affinity/within_run.py"""
import glob
import os
import statistics
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "../../../../scripts"))
import report  # noqa: E402

ratios = {}  # (setting, layer) -> [ratio per process]
for path in sorted(glob.glob(os.path.join(here, "a*_r*/bench.json.gz"))):
    setting = os.path.basename(os.path.dirname(path)).split("_")[0]
    b = report.Bench(path)
    for shape in b.shapes:
        ours = [r.ms for (v, s, t), r in b.runs.items() if s == shape and not b.is_peer(v) and r.ms == r.ms]
        dnn = b.runs.get(("onednn_winograd", shape, 16))
        if ours and dnn:
            ratios.setdefault((setting, shape), []).append(dnn.ms / min(ours))
settings = sorted({s for s, _ in ratios})
layers = sorted({l for _, l in ratios})
print("| layer | " + " | ".join(f"WINO_AFFINITY={s[1:]}" for s in settings) + " |")
print("|---|" + "---|" * len(settings))
for l in layers:
    cells = []
    for s in settings:
        r = ratios.get((s, l), [])
        cells.append(" ".join(f"{x:.2f}" for x in r) + (f" (median {statistics.median(r):.2f})" if r else ""))
    print(f"| {l} | " + " | ".join(cells) + " |")
