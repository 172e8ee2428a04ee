#!/usr/bin/python3
"""Per layer of a wino_tune log: the fastest point against the fastest point
that is a hand-written CPU row of the variant table (same JIT, same run).
Usage: compare.py LOG LIST   (LIST: `wino list --long` output; LOG may be gzipped)"""
import gzip, json, sys

log, listing = sys.argv[1], sys.argv[2]
hand = {}
for line in open(listing).read().splitlines()[1:]:
    f = line.split()
    if len(f) < 6 or f[4] != "cpu" or f[0].startswith("tuned_") or f[2] not in ("direct", "fused"):
        continue
    params = [p for p in f[5:-1] if p != "-" and not p.startswith("features=")]
    hand[" ".join([f[1], f[2], "m=" + f[3]] + sorted(params))] = f[0]
best, best_hand = {}, {}
for line in (gzip.open(log, "rt") if log.endswith(".gz") else open(log)):
    p = json.loads(line)
    if p.get("failure"):
        continue
    layer, key, ms = p["shape"], p["key"], p["ms"]
    key = " ".join(key.split()[:3] + sorted(key.split()[3:]))
    if layer not in best or ms < best[layer][1]:
        best[layer] = (key, ms)
    if key in hand and (layer not in best_hand or ms < best_hand[layer][1]):
        best_hand[layer] = (hand[key], ms)
print("| layer | fastest point | ms | fastest hand row | ms | hand / fastest |")
print("|---|---|---|---|---|---|")
for layer in best:
    (k, ms), (h, hms) = best[layer], best_hand.get(layer, ("-", float("nan")))
    print(f"| {layer} | {k} | {ms:.4f} | {h} | {hms:.4f} | {hms / ms:.2f} |")
