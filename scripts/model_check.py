#!/usr/bin/python3
"""How well auto's cost model picks, against times already measured.

For every (layer, thread count) in the given measurements, asks
`wino_tune --explain` (with an empty tuning table, so the analytic model, not
a calibration, decides) what each compiled CPU variant costs, and compares
the model's pick with what was measured in the same run:
  - pick / fastest: against the fastest variant the model covers;
  - pick / direct: against the fastest direct variant (issue 12: never more
    than 1.1x).
Within one layout (--layout, default nchw): auto chooses among the variants
of the caller's layout.
Only variants both measured and compiled now take part, so old runs are
judged on the variants they share with this build.

With --table TABLE, the model calibrated in that tuning table
(wino_tune --calibrate) is judged instead, where it has fits; a cell where
none of the measured variants has a fit falls back to the analytic pick, as
auto would only if no compiled variant had one.

Inputs: wino_bench JSON files (.json or .json.gz) and tuning tables whose
`calibration` points were measured by wino_tune --calibrate. A wino_bench
file's own L2 size (Google Benchmark's context) stands in for this machine's
(WINO_L2_BYTES), so runs from another CPU are judged with its cache; a
tuning table carries none and is judged with this machine's. The model's
vector width is this build's: keep to runs of the same instruction set.

    scripts/model_check.py bench/results/zen5-2core/session13/suite/bench.json.gz \\
        bench/results/zen5-2core/session11/tuning.json
"""
import argparse
import collections
import math
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (report.Bench reads wino_bench's JSON)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measurements(path):
    """({(layer "N,C,K,H,W,P", threads): {variant: ms}}, the recording CPU's L2 or None) from one file;
    one run per file."""
    data = report.load(path)
    out = collections.defaultdict(dict)
    if "calibration" in data:
        # A table can hold several machines' points: keep the most common target's.
        targets = collections.Counter(p["target"] for p in data["calibration"])
        if len(targets) > 1:
            print(f"{path}: points of {len(targets)} targets; judging only {targets.most_common(1)[0][0]}'s",
                  file=sys.stderr)
        target = targets.most_common(1)[0][0] if targets else None
        for p in data["calibration"]:
            if p["target"] == target:
                out[(p["layer"], int(p["threads"]))][p["variant"]] = float(p["ms"])
        return out, recorded_l2(data)
    bench = report.Bench(path)
    for (variant, shape, threads), run in bench.runs.items():
        if run.ok() and shape in bench.dims:  # not a case that did not run (no GPU, a rejected shape)
            layer = ",".join(str(bench.dims[shape][k]) for k in ("N", "C", "K", "H", "W", "padding"))
            out[(layer, threads)][variant] = run.ms
    return out, recorded_l2(data)


NUMBER = r"([0-9.e+-]+|inf|nan)"
ROW = re.compile(r"^  (\S+)\s+" + NUMBER + r"\s+" + NUMBER + r"\s+" + NUMBER)


def recorded_l2(data):
    """The L2 per core of the CPU a wino_bench file (its JSON) was recorded on, in bytes, or None."""
    for cache in data.get("context", {}).get("caches", []):
        if cache.get("level") == 2 and cache.get("type") in ("Unified", "Data"):
            return int(cache["size"])
    return None


def run_isolated(cmd, table, l2=None):
    """A tool's stdout, run on `table` (or an empty tuning table) and never measuring a layer on first use,
    so that nothing reads or writes the user's own table; with `l2`, the model sees that L2 size."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, WINO_TUNING_TABLE=table or os.path.join(tmp, "none.json"))
        env.pop("WINO_AUTO_MEASURE", None)
        env.pop("WINO_L2_BYTES", None)
        if l2:
            env["WINO_L2_BYTES"] = str(l2)
        return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout


def shape_name(layer):
    """ConvShape::str() of "N,C,K,H,W,P", as --explain prints it."""
    n, c, k, h, w, p = (int(x) for x in layer.split(","))
    return f"N{n}_C{c}_K{k}_{h}x{w}" + ("" if p == 1 else f"_p{p}")


def model_costs(tune, layers, threads, table, layout, l2):
    """{layer: {variant: cost}} from wino_tune --explain, listed in auto's order: the analytic
    model's costs on an empty tuning table; with `table`, its calibration's predicted ms where it
    has one (at this thread count), as auto would choose on that table. Only the variants of
    `layout`, those auto chooses among for a call in that layout."""
    cmd = [tune, "--explain", "--threads", str(threads), "--layout", layout]
    for layer in layers:
        cmd += ["--shape", layer]
    text = run_isolated(cmd, table, l2)
    by_name = {shape_name(layer): layer for layer in layers}
    costs, current = {}, None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            name = line.split(",")[0]
            if name not in by_name:
                sys.exit(f"model_check: wino_tune --explain printed a layer it was not asked for: {line}")
            current = by_name[name]
            costs[current] = {}
        elif current and (m := ROW.match(line)) and m.group(1) != "variant":
            costs[current][m.group(1)] = (float(m.group(4)), float(m.group(2)))
    # Calibrated predictions rank ahead of the analytic model, as in auto.
    return {layer: {v: (0 if math.isfinite(c[0]) else 1, c[0] if math.isfinite(c[0]) else c[1])
                    for v, c in rows.items()} for layer, rows in costs.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", help="wino_bench JSON (.json, .json.gz) or tuning.json files")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"), help="where wino and wino_tune are")
    ap.add_argument("--quiet", action="store_true", help="only the summary")
    ap.add_argument("--table", help="judge the model calibrated in this tuning table (wino_tune --calibrate) "
                    "instead of the analytic one; its own measured layers are not excluded")
    ap.add_argument("--layout", default="nchw", choices=("nchw", "nhwc"),
                    help="judge the picks among the variants of this layout (auto chooses within the caller's)")
    args = ap.parse_args()

    listing = run_isolated([os.path.join(args.bin, "wino"), "list", "--long"], None).splitlines()[1:]
    algorithm = {line.split()[0]: line.split()[1] for line in listing if len(line.split()) > 1}
    rows = []
    for path in args.files:
        runs, l2 = measurements(path)
        for threads in sorted({t for _, t in runs}):
            layers = sorted({layer for layer, t in runs if t == threads})
            costs = model_costs(os.path.join(args.bin, "wino_tune"), layers, threads, args.table, args.layout, l2)
            for layer in layers:
                measured = runs[(layer, threads)]
                order = list(costs[layer])
                shared = {v: c for v, c in costs[layer].items() if v in measured and math.isfinite(c[1])}
                if not shared:
                    continue
                pick = min(shared, key=lambda v: (shared[v], order.index(v)))  # explain lists in auto's order
                fastest = min(shared, key=lambda v: measured[v])
                directs = [v for v in shared if algorithm.get(v) == "direct"]
                best_direct = min(directs, key=lambda v: measured[v]) if directs else None
                rows.append((os.path.relpath(path, REPO), layer, threads, pick, measured[pick], fastest,
                             measured[fastest], best_direct, measured[best_direct] if best_direct else math.nan))

    if not args.quiet:
        print(f"{'run':48} {'layer':18} {'t':>2} {'model picks':34} {'x fastest':>9} {'fastest':34} {'x direct':>9}")
    for run, layer, t, pick, ms, fastest, fms, direct, dms in rows:
        if not args.quiet:
            print(f"{run[-48:]:48} {layer:18} {t:2} {pick:34} {ms / fms:8.2f}x {fastest:34} {ms / dms:8.2f}x")
    model = "calibrated" if args.table else "analytic"

    if not rows:
        sys.exit("model_check: no layer has a variant both measured there and compiled in this build")

    def summary(cells, what):
        vs_fastest = [r[4] / r[6] for r in cells]
        vs_direct = [r[4] / r[8] for r in cells if not math.isnan(r[8])]
        gmean = math.exp(sum(map(math.log, vs_fastest)) / len(vs_fastest))
        print(f"{what}: the {model} pick {gmean:.3f}x the fastest (geometric mean), "
              f"within 1.1x on {sum(x <= 1.1 for x in vs_fastest)}, worst {max(vs_fastest):.2f}x; "
              f"more than 1.1x the fastest direct on {sum(x > 1.1 for x in vs_direct)} of {len(vs_direct)}")

    thread_counts = sorted({r[2] for r in rows})
    if len(thread_counts) > 1:
        for t in thread_counts:
            cells = [r for r in rows if r[2] == t]
            summary(cells, f"  {len(cells)} cells at {t} thread{'s' if t > 1 else ''}")
    summary(rows, f"{len(rows)} layer x thread cells")


if __name__ == "__main__":
    sys.exit(main())
