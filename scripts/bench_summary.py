#!/usr/bin/python3
"""One line per layer and thread count from a wino_bench JSON (medians):
the best Winograd and the best direct variant, `auto` (and what it chose),
oneDNN's two, and the ratios between them, as a Markdown table.

    scripts/bench_summary.py bench.json

Which variant is Winograd or direct comes from the metadata wino_bench
writes into its JSON context, not from names. Ratios are other / ours (>1:
ours faster), except auto / best, which is auto's time over the fastest
compiled variant's (1.00: auto picked the fastest), and the pick's own row
over the fastest (the same, without the noise between auto's run and the
row's). `tasks (best)`: the independent parallel tasks the fastest variant's
call offered (RunStats::parallel_tasks, wino_bench's `tasks` counter).
The best Winograd and direct columns, and auto, are on NCHW tensors; the
variants compiled for NHWC (channels innermost) and auto_nhwc (auto choosing
among them) have columns of their own, set against oneDNN on its blocked
layouts (each library in its own layout, reorders outside the timing).
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (wino_bench's JSON, read once for every script)


def fmt_tasks(n):
    return "-" if n is None else str(int(n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench_json", help="wino_bench JSON, .json or .json.gz")
    args = ap.parse_args()
    bench = report.Bench(args.bench_json)
    nan = float("nan")

    def ms(v, layer, t):
        run = bench.runs.get((v, layer, t))
        return run.ms if run and run.ok() else nan

    def best(layer, t, pred):
        cands = [(ms(v, layer, t), v) for v in bench.variants if pred(v) and not math.isnan(ms(v, layer, t))]
        return min(cands) if cands else (nan, "-")

    def tasks(v, layer, t):
        run = bench.runs.get((v, layer, t))
        return run.counters.get("tasks") if run else None

    def cpu(v, layout="nchw"):
        return bench.kind(v) not in ("peer", "auto") and bench.device(v) == "cpu" and bench.layout(v) == layout

    def label(v, layer, t):
        run = bench.runs.get((v, layer, t))
        return run.label if run else ""

    idle_us = float(bench.ctx.get("idle_us", 0) or 0)
    if idle_us > 0:
        print(f"CPU calls {idle_us:g} us apart (wino_bench --idle-us), not back to back.\n")
    if bench.ctx.get("cold") == "true":
        print("CPU calls cold (wino_bench --cold): the caches evicted before each.\n")
    print("| layer | threads | best Winograd | ms | best direct | ms | auto | chose | auto / best | its row / best"
          " | auto / best direct | oneDNN direct | oneDNN Winograd | best vs faster oneDNN"
          " | best vs faster oneDNN, NCHW in/out | tasks (best) | best NHWC | ms | NHWC vs faster oneDNN"
          " | best NHWC direct | ms | vs oneDNN direct | auto_nhwc | chose | auto_nhwc / best NHWC |")
    print("|" + "---|" * 25)
    for layer, t in sorted((layer, t) for layer in bench.shapes for t in bench.threads
                           if any(not math.isnan(ms(v, layer, t)) for v in bench.variants)):
        w_ms, w = best(layer, t, lambda v: cpu(v) and bench.algorithm(v) == "winograd")
        d_ms, d = best(layer, t, lambda v: cpu(v) and bench.algorithm(v) == "direct")
        a_ms, a_label = ms("auto", layer, t), label("auto", layer, t)
        dd, dw = ms("onednn_direct", layer, t), ms("onednn_winograd", layer, t)
        # The same called on NCHW tensors (reorders in each call); nan where the run had no such rows.
        dn = min((x for x in (ms("onednn_direct_nchw", layer, t), ms("onednn_winograd_nchw", layer, t))
                  if not math.isnan(x)), default=nan)
        h_ms, h = best(layer, t, lambda v: cpu(v, "nhwc"))
        hd_ms, hd = best(layer, t, lambda v: cpu(v, "nhwc") and bench.algorithm(v) == "direct")
        ah_ms, ah_label = ms("auto_nhwc", layer, t), label("auto_nhwc", layer, t)
        overall = min(w_ms, d_ms)
        pick_ms = ms(a_label, layer, t)
        print(f"| {layer} | {t} | {w} | {w_ms:.4f} | {d} | {d_ms:.4f} | {a_ms:.4f} | {a_label} | "
              f"{a_ms / overall:.2f} | {pick_ms / overall:.2f} | {a_ms / d_ms:.2f} | {dd:.4f} | {dw:.4f} | "
              f"{min(dd, dw) / overall:.2f} | {dn / overall:.2f} | {fmt_tasks(tasks(w if w_ms <= d_ms else d, layer, t))} | "
              f"{h} | {h_ms:.4f} | {min(dd, dw) / h_ms:.2f} | {hd} | {hd_ms:.4f} | {dd / hd_ms:.2f} | "
              f"{ah_ms:.4f} | {ah_label} | {ah_ms / h_ms:.2f} |")


if __name__ == "__main__":
    main()
