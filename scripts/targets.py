#!/usr/bin/python3
"""Issue 11's performance targets, judged cell by cell from one wino_bench run (its medians).

    scripts/targets.py bench.json [--vector-lanes 16]
    scripts/targets.py run1.json run2.json run3.json    # repeated runs of the same command

With several runs (separate processes of one build on one machine), each cell's ratio is taken in
each run, and the cell is judged by the median of its ratios: on a shared machine one process's
medians can sit 5-10% off the next's, enough to flip a cell that lies near its bar.

Which layer a target covers comes from the shape's dimensions, which variant is Winograd or direct from
the metadata wino_bench writes into its JSON (never from names). Every ratio is the other's time over
ours (>1: ours faster), within the one run, at each thread count it ran:

1. ResNet/VGG layers (C, K >= 64, a plane of 7 to 224 that is not a power of two): the fastest Winograd
   row >= 1.2x oneDNN's Winograd and >= 2x oneDNN's direct.
2. Power-of-two planes: the fastest row of any kind >= 1.0x the faster of oneDNN's rows; and the fastest
   direct row's time per output pixel at 64² within 1.15x of its time per pixel at 56² (same N, C, K).
3. Small layers, channel tails, first layers (C or K <= 32, or not a multiple of the vector width):
   the fastest row >= 0.9x the fastest of oneDNN's; and on every layer the fastest direct row >= 0.9x
   oneDNN's faster direct row.
4. Many cores: the parallel tasks the fastest row offers, judged in runs of 16 or more threads (a layer
   with fewer than 16 has too few for 16 threads; schedules size tasks by the call's threads); on ResNet layers the fastest row at 2 threads >= 1.8x the fastest at 1; where the run has
   16 or more threads, layers of N >= 8 scale >= 12x from 1 thread, and the fastest Winograd row is
   >= 1.0x oneDNN's Winograd at N = 1 and >= 1.2x at N >= 8.

oneDNN's rows are its blocked layouts (reorders outside the timing) and, where the run has them, its
NCHW rows; the faster of the two counts. Our rows are every CPU variant that ran, of either layout
(hand-written, tuned, autoscheduled), not auto.
"""
import argparse
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (wino_bench's JSON, read once for every script)

ONEDNN_WINOGRAD = ("onednn_winograd", "onednn_winograd_nchw")
ONEDNN_DIRECT = ("onednn_direct", "onednn_direct_nchw")


def power_of_two(n):
    return n > 0 and n & (n - 1) == 0


class Layers:
    """The run's layers sorted into the targets' classes, and its fastest rows per class of variant."""

    def __init__(self, bench, lanes):
        self.bench, self.lanes = bench, lanes
        cpu = [v for v in bench.ran("cpu") if bench.kind(v) not in ("peer", "auto")]
        self.winograd = [v for v in cpu if bench.algorithm(v) == "winograd"]
        self.direct = [v for v in cpu if bench.algorithm(v) == "direct"]
        self.ours = cpu

    def dims(self, s):
        return self.bench.dims.get(s)

    def pow2(self, s):
        d = self.dims(s)
        return power_of_two(d["H"]) and power_of_two(d["W"])

    def small(self, s):
        d = self.dims(s)
        return min(d["C"], d["K"]) <= 32 or d["C"] % self.lanes or d["K"] % self.lanes

    def resnet(self, s):
        d = self.dims(s)
        return (min(d["C"], d["K"]) >= 64 and 7 <= min(d["H"], d["W"]) and max(d["H"], d["W"]) <= 224
                and not self.pow2(s) and not self.small(s))

    def best(self, variants, s, t):
        return self.bench.best(variants, s, t)

    def peer(self, names, s, t):
        return self.bench.best([v for v in names if v in self.bench.variants], s, t)


def meets(ratio, need):
    """A ratio meets its bar (a hair below counts: the ratio of two equal times may not print as the bar)."""
    return not math.isnan(ratio) and ratio >= need - 1e-9


class Cell:
    def __init__(self, layer, threads, ours, ours_ms, other, other_ms, need, floor=math.nan):
        self.layer, self.threads, self.ours, self.ours_ms = layer, threads, ours, ours_ms
        self.other, self.other_ms, self.need = other, other_ms, need
        self.ratio = other_ms / ours_ms if ours_ms and not math.isnan(ours_ms) else math.nan
        self.floor = floor  # share of ours' time its multiply would take at the FMA peak (floor_of)

    def ok(self):
        return meets(self.ratio, self.need)

    def row(self):
        mark = "yes" if self.ok() else ("-" if math.isnan(self.ratio) else "**no**")
        close = abs(self.ratio - self.need) < 0.005  # two decimals would print the bar itself
        floor = "-" if math.isnan(self.floor) else f"{100 * self.floor:.0f}%"
        return [self.layer, str(self.threads), self.ours or "-", report.fmt(self.ours_ms, ".4f"), floor, self.other or "-",
                report.fmt(self.other_ms, ".4f"), report.fmt(self.ratio, ".3f" if close else ".2f"), f"{self.need:g}",
                mark]


HEADER = ["layer", "threads", "ours", "ms", "floor", "against", "ms", "ratio", "needed", "met"]
FLOOR_NOTE = ("floor: the share of ours' time its multiply would take at the run's FMA peak (the multiply-adds its "
              "blocks compute; wino_bench's floor_ms): near 100%, only fewer multiply-adds (another m or block) "
              "make it faster")


def floor_of(L, v, s, t):
    """wino_bench's floor_ms for v over its time; NaN where the run has none (older runs, unmodelled rows)."""
    r = L.bench.run(v, s, t) if v else None
    return r.counter("floor_ms") / r.ms if r and r.ok() else math.nan


def against(L, s, t, mine, names, need):
    v, ms = L.best(mine, s, t)
    p, pms = L.peer(names, s, t)
    return Cell(s, t, v, ms, p, pms, need, floor_of(L, v, s, t))


def scaled(L, s, t, mine, need):
    """The fastest of `mine` at t threads against the fastest at 1 (the ratio is the speed-up)."""
    v1, ms1 = L.best(mine, s, 1)
    vt, mst = L.best(mine, s, t)
    return Cell(s, t, vt, mst, f"{v1} at 1 thread" if v1 else None, ms1, need, floor_of(L, vt, s, t))


def per_pixel_ratio(L, t):
    """Target 2's second part: the fastest direct row's time per output pixel at 64² over 56², per (N, C, K)."""
    b = L.bench
    cells = []
    for s64 in b.shapes:
        d = L.dims(s64)
        if not d or (d["H"], d["W"]) != (64, 64):
            continue
        for s56 in b.shapes:
            e = L.dims(s56)
            if e and (e["H"], e["W"]) == (56, 56) and all(e[k] == d[k] for k in ("N", "C", "K", "padding")):
                v64, ms64 = L.best(L.direct, s64, t)
                v56, ms56 = L.best(L.direct, s56, t)
                px = lambda dd: (dd["H"] + 2 * dd["padding"] - 2) * (dd["W"] + 2 * dd["padding"] - 2)
                # Ratio as the other cells read it: 1.15 / (per-pixel 64² / per-pixel 56²) >= 1.
                growth = (ms64 / px(d)) / (ms56 / px(e)) if ms56 and ms64 else math.nan
                c = Cell(f"{s64} per pixel over {s56}", t, v64, ms64, v56, ms56, 1.0, floor_of(L, v64, s64, t))
                c.ratio = 1.15 / growth if growth and not math.isnan(growth) else math.nan
                cells.append(c)
    return cells


def judge(bench, lanes):
    """[(title, explanation, [Cell])] for every target this run has cells for."""
    L = Layers(bench, lanes)
    threads = bench.threads
    out = []
    resnet = [s for s in bench.shapes if L.dims(s) and L.resnet(s)]
    pow2 = [s for s in bench.shapes if L.dims(s) and L.pow2(s)]
    small = [s for s in bench.shapes if L.dims(s) and L.small(s)]
    every = [s for s in bench.shapes if L.dims(s)]

    cells = [against(L, s, t, L.winograd, ONEDNN_WINOGRAD, 1.2) for s in resnet for t in threads]
    out.append(("1a. ResNet/VGG layers: fastest Winograd >= 1.2x oneDNN Winograd", "", cells))
    cells = [against(L, s, t, L.winograd, ONEDNN_DIRECT, 2.0) for s in resnet for t in threads]
    out.append(("1b. ResNet/VGG layers: fastest Winograd >= 2x oneDNN direct", "", cells))
    cells = [against(L, s, t, L.ours, ONEDNN_WINOGRAD + ONEDNN_DIRECT, 1.0) for s in pow2 for t in threads]
    out.append(("2a. Power-of-two planes: fastest row >= 1.0x the faster oneDNN", "", cells))
    cells = [c for t in threads for c in per_pixel_ratio(L, t)]
    out.append(("2b. Direct's time per pixel at 64² within 1.15x of 56²",
                "ratio = 1.15 / (time per pixel at 64² over time per pixel at 56²): >= 1 when met", cells))
    cells = [against(L, s, t, L.ours, ONEDNN_WINOGRAD + ONEDNN_DIRECT, 0.9) for s in small for t in threads]
    out.append(("3a. Small layers, channel tails, first layers: fastest row >= 0.9x the fastest oneDNN", "", cells))
    cells = [against(L, s, t, L.direct, ONEDNN_DIRECT, 0.9) for s in every for t in threads]
    out.append(("3b. Every layer: fastest direct >= 0.9x oneDNN's faster direct", "", cells))
    if 1 in threads and 2 in threads:
        cells = [scaled(L, s, 2, L.ours, 1.8) for s in resnet]
        out.append(("4b. ResNet layers: fastest row at 2 threads >= 1.8x the fastest at 1", "ratio: the speed-up",
                    cells))
    many = [t for t in threads if t >= 16]
    if many and 1 in threads:
        t = max(many)
        big = [s for s in resnet if L.dims(s)["N"] >= 8]
        cells = [scaled(L, s, t, L.ours, 12.0) for s in big]
        out.append((f"4c. N >= 8 layers scale >= 12x from 1 to {t} threads", "ratio: the speed-up", cells))
        cells = [against(L, s, t, L.winograd, ONEDNN_WINOGRAD, 1.0 if L.dims(s)["N"] == 1 else 1.2) for s in resnet]
        out.append((f"4d. At {t} threads: fastest Winograd >= 1.0x oneDNN Winograd at N=1, >= 1.2x at N >= 8", "",
                    cells))
    return out


def tasks_table(bench, lanes):
    """Target 4a: the parallel tasks the fastest row offered, per layer, at the most threads the run has.
    A schedule sizes its tasks by the call's threads, so the count is judged only from 16 threads up."""
    L = Layers(bench, lanes)
    t = max(bench.threads)
    rows = []
    for s in bench.shapes:
        v, ms = L.best(L.ours, s, t)
        r = bench.run(v, s, t) if v else None
        tasks = r.counters.get("tasks") if r else None
        enough = "-" if tasks is None or t < 16 else ("yes" if tasks >= 16 else "**no**")
        rows.append([s, v or "-", "-" if tasks is None else str(int(tasks)), enough])
    return t, rows


def markdown(bench, lanes, level="###"):
    """A summary (one line per target) and a table per target, headings at `level`."""
    # A cell where the run lacks ours or the peer (no direct row ran, say) is not judged.
    judged = [(title, note, [c for c in cells if not math.isnan(c.ratio)]) for title, note, cells in judge(bench, lanes)]
    judged = [(title, note, cells) for title, note, cells in judged if cells]
    t, task_rows = tasks_table(bench, lanes)
    judged_rows = [r for r in task_rows if r[3] != "-"]
    summary = [f"- {title}: met on {sum(c.ok() for c in cells)} of {len(cells)}" for title, _, cells in judged]
    tasks_title = f"4a. Parallel tasks the fastest row offers at {report.plural(t)}: 16 or more"
    if t < 16:
        tasks_title = f"4a. Parallel tasks the fastest row offers at {report.plural(t)} (judged from 16 threads up)"
    elif judged_rows:
        met = sum(r[3] == "yes" for r in judged_rows)
        summary.append(f"- {tasks_title}: on {met} of {len(judged_rows)} layers")
    lines = summary + [""]
    if any(not math.isnan(c.floor) for _, _, cells in judged for c in cells):
        lines += [FLOOR_NOTE + ".", ""]
    for title, note, cells in judged:
        if title.startswith("4") and task_rows:
            lines += [f"{level} {tasks_title}", "",
                      report.md_table(["layer", "fastest row", "tasks", "16 or more"], task_rows), ""]
            task_rows = []
        lines += [f"{level} {title}: met on {sum(c.ok() for c in cells)} of {len(cells)}", ""]
        if note:
            lines += [note, ""]
        lines += [report.md_table(HEADER, [c.row() for c in cells]), ""]
    if task_rows:
        lines += [f"{level} {tasks_title}", "",
                  report.md_table(["layer", "fastest row", "tasks", "16 or more"], task_rows), ""]
    return lines


def markdown_runs(benches, lanes, level="###"):
    """Repeated runs: per target, each cell's ratio in every run and their median, judged by the median."""
    judged = [judge(b, lanes) for b in benches]
    per_run = [{title: cells for title, _, cells in run} for run in judged]
    lines, tables = [], []
    for title, note, _ in judged[0]:
        keyed = {}
        for run in per_run:
            for c in run.get(title, []):
                keyed.setdefault((c.layer, c.threads), []).append(c)
        rows, met = [], 0
        for (layer, threads), cells in keyed.items():
            ratios = [c.ratio for c in cells if not math.isnan(c.ratio)]
            if not ratios:
                continue
            need = cells[0].need
            median = statistics.median(ratios)
            ok = meets(median, need)
            met += ok
            runs_met = sum(meets(r, need) for r in ratios)
            rows.append([layer, str(threads), " ".join(f"{r:.2f}" for r in ratios), f"{median:.3f}",
                         f"{runs_met} of {len(ratios)}", f"{need:g}", "yes" if ok else "**no**"])
        if not rows:
            continue
        lines.append(f"- {title}: met on {met} of {len(rows)} by the median over {len(benches)} runs")
        tables += [f"{level} {title}: met on {met} of {len(rows)}", ""] + ([note, ""] if note else [])
        tables += [report.md_table(["layer", "threads", "ratio in each run", "median", "runs met", "needed", "met"],
                                   rows), ""]
    return lines + [""] + tables


def vector_lanes(bench):
    """fp32 lanes of the run's Halide target: 16 with AVX-512, 8 with AVX2, else 4."""
    target = bench.ctx.get("halide_target", "")
    features = target.split("-")
    return 16 if "avx512" in features else 8 if "avx2" in features else 4


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench_json", nargs="+", help="wino_bench JSON, .json or .json.gz; several: repeated runs")
    ap.add_argument("--vector-lanes", type=int, default=0,
                    help="fp32 lanes per vector for the channel-tail class (default: from the run's Halide target)")
    args = ap.parse_args()
    benches = []
    for path in args.bench_json:
        try:
            bench = report.Bench(path)
        except (OSError, ValueError, KeyError) as e:  # missing, unreadable, or not wino_bench's JSON
            sys.exit(f"targets.py: cannot read {path} as a wino_bench JSON: {e}")
        if not bench.dims:
            sys.exit(f"targets.py: {path} has no layer a CPU row ran on: nothing to judge")
        benches.append(bench)
    bench = benches[0]
    for path, other in zip(args.bench_json[1:], benches[1:]):
        for key in ("cpu", "halide_target"):
            if other.ctx.get(key) != bench.ctx.get(key):
                sys.exit(f"targets.py: {path} ran on {key} '{other.ctx.get(key)}', {args.bench_json[0]} on "
                         f"'{bench.ctx.get(key)}': repeated runs must come from one machine and build")
    lanes = args.vector_lanes or vector_lanes(bench)
    cpu = bench.ctx.get("cpu", "?")
    print(f"CPU: {cpu}{report.cpu_detail(cpu, bench.ctx.get('num_cpus'))}; Halide target {bench.ctx.get('halide_target', '?')}; "
          f"vector lanes {lanes}; threads {', '.join(map(str, bench.threads))}\n")
    if len(benches) == 1:
        print("\n".join(markdown(bench, lanes)))
    else:
        print(f"{len(benches)} runs: " + ", ".join(args.bench_json) + "\n")
        print("\n".join(markdown_runs(benches, lanes)))


if __name__ == "__main__":
    main()
