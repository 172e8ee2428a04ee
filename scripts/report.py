#!/usr/bin/python3
"""Writes the comparison report from one benchmark run.

Inputs (in the report folder, --dir): bench.json (wino_bench, Google Benchmark
JSON), profile.json (wino_profile --json), compile_times.json
(compile_times.py); optionally a wino_tune log (--tune-log) and recorded GPU
results (--gpu-results: bench_gpu.json, cudnn.jsonl and the GPU machine's
host run bench_cpu.json). Everything about a variant (algorithm, schedule, m,
parameters, target) comes from the metadata wino_bench writes into its JSON
context, and every layer's shape from each benchmark's counters: no name is
taken apart.

Outputs: README.md (the tables), runtime_t*.png, gflops_t*.png, stages.png,
landscape_*.png, gpu_runtime.png, schedules/ (the autoschedulers' emitted
schedules); prints the headline table. Every ratio compares figures measured
in the same run, except where the text says which runs it crosses.
"""
import argparse
import collections
import glob
import gzip
import json
import math
import os
import shutil
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import landscape  # noqa: E402
import schedule_summary  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# oneDNN on its own blocked layouts (reordered once, outside the timing), and
# called on NCHW tensors as wino's API takes them (reorders in every call).
PEERS = collections.OrderedDict([("onednn_direct", "oneDNN direct"), ("onednn_winograd", "oneDNN Winograd"),
                                 ("onednn_direct_nchw", "oneDNN direct, NCHW in/out"),
                                 ("onednn_winograd_nchw", "oneDNN Winograd, NCHW in/out")])
AUTOSCHEDULERS = ("mullapudi2016", "adams2019", "li2018")
PHASES = ("weight prep", "pad input", "input transform", "multiply", "output transform", "other")
ORIGINAL = "original finding (GPU, another compiler): tensor-level 8.1-16.4x slower than direct, fused 0.89-1.03x"
# NVIDIA's datasheet figures for the H200 SXM (not measured here).
H200_FP32_TFLOPS = 67.0
H200_HBM_TBPS = 4.8
H200_SMS = 132
# The GPU Winograd formulations (schedules/gpu.cpp), in order of fusion.
GPU_WINO = ("tensor-level", "staged", "fused")


def load(path):
    """A JSON file, gzipped if its name ends in .gz (how bench/results keeps large runs)."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rt") as f:
        return json.load(f)


def json_or_none(text):
    """A benchmark context value parsed as JSON, None if it is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def fmt(v, spec, suffix=""):
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "-"
    return format(v, spec) + suffix


def ratio(a, b):
    try:
        r = a / b
    except (TypeError, ZeroDivisionError):
        return math.nan
    return r


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in r) + " |" for r in rows]
    return "\n".join(out)


def details(summary, body):
    """A long table folded away (GitHub renders <details>; elsewhere it shows in full)."""
    return ["<details><summary>" + summary + "</summary>", "", body, "", "</details>", ""]


def plural(t):
    return f"{t} thread{'s' if t != 1 else ''}"


def cpu_detail(model, cores):
    """This machine's family/model and vector ISA, when the run's CPU looks like this machine's (same model
    name and core count; a VM's model name alone may be generic)."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if ":" in line:
                    key, value = (p.strip() for p in line.split(":", 1))
                    info.setdefault(key, value)
    except OSError:
        return ""
    if info.get("model name") != model or str(os.cpu_count()) != str(cores):
        return ""
    flags = info.get("flags", "").split()
    isa = "AVX-512" if "avx512f" in flags else "AVX2+FMA" if "avx2" in flags else "SSE"
    return f" (family {info.get('cpu family', '?')}, model {info.get('model', '?')}, {isa}; this machine)"


# ---------------------------------------------------------------------------
# One benchmark run (wino_bench's JSON)

class Run:
    __slots__ = ("ms", "error", "label", "counters")

    def __init__(self):
        self.ms, self.error, self.label, self.counters = math.nan, "", "", {}

    def ok(self):
        return not self.error and not math.isnan(self.ms)

    def counter(self, key):
        return float(self.counters.get(key, math.nan))


class Bench:
    """wino_bench's JSON: runs by (variant, shape, threads), each variant's metadata, each shape's dimensions."""

    COUNTERS = ("N", "C", "K", "H", "W", "padding", "num_threads", "GFLOP/s", "peak_MiB", "tasks", "joins", "call_ms",
                "copy_in_ms", "copy_out_ms", "floor_ms")

    def __init__(self, path):
        self.path = path
        data = load(path)
        self.ctx = data.get("context", {})
        self.meta = {}
        # auto's rows, each choosing among the variants of its layout (older runs: one, "auto", on NCHW).
        self.selectors = {"auto": "nchw"}
        for k, v in self.ctx.items():
            if k.startswith("variant:"):
                value = json_or_none(v)
                if value is not None:
                    self.meta[k[len("variant:"):]] = value
            elif k.startswith("selector:"):
                value = json_or_none(v)
                if value is not None:
                    self.selectors[k[len("selector:"):]] = value.get("layout", "nchw")
        self.peaks = {int(k.rsplit("_", 1)[1]): float(v) for k, v in self.ctx.items()
                      if k.startswith("fma_peak_gflops_threads_")}
        self.runs = {}
        self.dims = {}
        self.repetitions = None
        variants, shapes, threads = [], [], set()
        # In registration order (the suite's), whatever order the repetitions ran in (interleaved at random).
        entries = sorted(data.get("benchmarks", []),
                         key=lambda b: (b.get("family_index", 0), b.get("per_family_instance_index", 0)))
        for b in entries:
            # The benchmark's name is variant/shape/threads:T[/...]: the first two are opaque keys; the shape's
            # dimensions and the thread count come from the counters (the name's thread count only for a
            # benchmark that failed before setting them).
            parts = b.get("run_name", b["name"]).split("/")
            variant, shape = parts[0], parts[1]
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median" and not b.get("error_occurred"):
                continue
            counters = {k: b[k] for k in self.COUNTERS if isinstance(b.get(k), (int, float))}
            if "N" in counters and "num_threads" in counters:
                t = int(counters["num_threads"])
                self.dims.setdefault(shape, {k: int(counters[k]) for k in ("N", "C", "K", "H", "W", "padding")})
            else:
                t = next((int(p.split(":")[1]) for p in parts[2:] if p.startswith("threads:")), 1)
            key = (variant, shape, t)
            run = self.runs.setdefault(key, Run())
            if variant not in variants:
                variants.append(variant)
            if shape not in shapes:
                shapes.append(shape)
            threads.add(t)
            if b.get("error_occurred"):
                run.error = b.get("error_message", "error")
                continue
            scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
            run.ms = b["real_time"] * scale
            run.label = b.get("label", "")
            run.counters = counters
            self.repetitions = b.get("repetitions", self.repetitions)
        self.variants, self.shapes, self.threads = variants, shapes, sorted(threads)

    # What a variant is, from its metadata.
    def is_peer(self, v):
        return v in PEERS

    def schedule(self, v):
        return self.meta.get(v, {}).get("schedule", "")

    def algorithm(self, v):
        return self.meta.get(v, {}).get("algorithm", "")

    def m(self, v):
        return int(self.meta.get(v, {}).get("m", 0))

    def params(self, v):
        """The schedule's parameters (key=value), without the target features."""
        out = collections.OrderedDict()
        for kv in self.meta.get(v, {}).get("parameters", "").split():
            k, _, val = kv.partition("=")
            if k != "features":
                out[k] = val
        return out

    def layout(self, v):
        """The tensors' layout a variant (or auto's row) takes: "nchw", or "nhwc" (older runs: nchw)."""
        if v in self.selectors:
            return self.selectors[v]
        return self.meta.get(v, {}).get("layout", "nchw")

    def device(self, v):
        meta = self.meta.get(v)
        if meta is None:
            return "cpu"
        if meta.get("device"):
            return meta["device"]
        return "cuda" if "cuda" in meta.get("target", "").replace(",", "-").split("-") else "cpu"

    def autoscheduled(self, v):
        meta = self.meta.get(v, {})
        if "autoscheduled" in meta:
            return bool(meta["autoscheduled"]) and meta.get("schedule", "") != ""
        return meta.get("schedule") in AUTOSCHEDULERS

    def tuned(self, v):
        meta = self.meta.get(v, {})
        return bool(meta.get("tuned"))

    def formulation(self, v):
        s = self.schedule(v)
        s = s[4:] if s.startswith("gpu_") else s
        return {"tensor": "tensor-level", "staged": "staged", "fused": "fused", "direct": "direct"}.get(s, s)

    def kind(self, v):
        if self.is_peer(v):
            return "peer"
        if v in self.selectors:
            return "auto"
        if v not in self.meta:
            return "unknown"
        if self.autoscheduled(v):
            return self.schedule(v)
        if self.tuned(v):
            return "tuned"
        return "hand-written"

    def hand(self, v, device="cpu"):
        """Hand-written, on this device, on NCHW tensors: the report's comparisons (oneDNN's columns, tensor
        against fused) are on the API's default layout; NHWC rows appear in the per-variant tables and in
        scripts/bench_summary.py's columns of their own."""
        return self.kind(v) == "hand-written" and self.device(v) == device and self.layout(v) == "nchw"

    def describe(self, v):
        """algorithm, m and parameters in a few words, from the metadata."""
        if self.is_peer(v):
            return PEERS[v]
        if v in self.selectors:
            return "chooses per layer" + ("" if self.layout(v) == "nchw" else f" ({self.layout(v).upper()} tensors)")
        if v not in self.meta:
            return "?"
        text = "direct" if self.algorithm(v) == "direct" else f"F({self.m(v)},3) {self.formulation(v)}"
        if self.algorithm(v) == "direct" and self.formulation(v) != "direct":
            text += " " + self.formulation(v)
        p = " ".join(f"{k}={val}" for k, val in self.params(v).items())
        return text + (f" {p}" if p else "")

    # Shapes
    def flops(self, s):
        d = self.dims.get(s)
        if not d:
            return math.nan
        ho, wo = d["H"] + 2 * d["padding"] - 2, d["W"] + 2 * d["padding"] - 2
        return 2.0 * d["N"] * d["K"] * d["C"] * ho * wo * 9

    def run(self, v, s, t):
        return self.runs.get((v, s, t))

    def ms(self, v, s, t):
        r = self.runs.get((v, s, t))
        return r.ms if r and r.ok() else math.nan

    def gflops(self, v, s, t):
        return self.flops(s) / (self.ms(v, s, t) * 1e-3) / 1e9

    def ran(self, device=None):
        """Variants (not peers, not auto) with at least one run, in run order."""
        return [v for v in self.variants if v in self.meta and (device is None or self.device(v) == device)]

    def default_of(self, candidates):
        """Of rows of one (algorithm, schedule, m), the default: fewest parameters, then shortest name."""
        return min(candidates, key=lambda v: (len(self.params(v)), len(v), v)) if candidates else None

    def baseline(self, device="cpu"):
        """The hand-written direct schedule of this device (no parameters)."""
        return self.default_of([v for v in self.ran(device) if self.hand(v, device) and self.algorithm(v) == "direct"
                                and self.formulation(v) == "direct"])

    def pairs(self, device="cpu"):
        """[(m, tensor-level variant, fused variant)]: paired by algorithm, m and schedule (metadata); an m with
        no tensor-level or no fused variant is left out (other formulations, such as staged, are ignored)."""
        out = []
        hand = [v for v in self.ran(device) if self.hand(v, device) and self.algorithm(v) == "winograd"]
        for m in sorted({self.m(v) for v in hand}):
            tensor = self.default_of([v for v in hand if self.m(v) == m and self.formulation(v) == "tensor-level"])
            fused = self.default_of([v for v in hand if self.m(v) == m and self.formulation(v) == "fused"])
            if tensor and fused:
                out.append((m, tensor, fused))
        return out

    def formulation_sets(self, device, forms):
        """[(m, {formulation: variant})]: for each m, the default hand-written Winograd variant of each of
        `forms` that ran (in the order of `forms`); an m with none of them is left out."""
        out = []
        hand = [v for v in self.ran(device) if self.hand(v, device) and self.algorithm(v) == "winograd"]
        for m in sorted({self.m(v) for v in hand}):
            found = collections.OrderedDict()
            for form in forms:
                v = self.default_of([w for w in hand if self.m(w) == m and self.formulation(w) == form])
                if v:
                    found[form] = v
            if found:
                out.append((m, found))
        return out

    def best(self, variants, s, t):
        times = {v: self.ms(v, s, t) for v in variants}
        times = {v: x for v, x in times.items() if not math.isnan(x)}
        return (min(times, key=times.get), min(times.values())) if times else (None, math.nan)


# ---------------------------------------------------------------------------
# Sections

def header(bench, gpu_note):
    ctx = bench.ctx
    peaks = bench.peaks
    cpu = ctx.get("cpu", "?")
    lines = ["# wino: schedules of one Winograd algorithm, side by side", ""]
    lines += ["Every ratio in this report compares figures measured in one run (one `wino_bench` process, so the"
              " same machine, build and moment), except in the GPU section, which says which recorded runs each"
              " of its comparisons crosses.", ""]
    lines += [f"- CPU: {cpu}{cpu_detail(cpu, ctx.get('num_cpus'))}, {ctx.get('num_cpus', '?')} cores seen",
              f"- Halide target: `{ctx.get('halide_target', '?')}`",
              "- Measured fp32 FMA peak: " + (", ".join(f"{peaks[t]:.1f} GFLOP/s at {plural(t)}" for t in sorted(peaks))
                                              or "not recorded"),
              f"- Run: {ctx.get('date', '?')}; medians of {bench.repetitions or '?'} repetition(s) (interleaved at random across cases, wino_bench's default);"
              + (f" thread pool `{ctx['thread_pool']}`;" if ctx.get("thread_pool") else "") +
              " Winograd and direct run on weights prepared once (as"
              " oneDNN's reorder is), the preparation's own time is in the per-stage table.",
              "- GFLOP/s are direct-equivalent: 2·N·K·C·H'·W'·9 / time, so Winograd can exceed the FMA peak.",
              f"- Variants: {len(bench.meta)} compiled ({sum(1 for v in bench.meta if bench.device(v) == 'cpu')} CPU,"
              f" {sum(1 for v in bench.meta if bench.device(v) != 'cpu')} GPU); {gpu_note}", ""]
    return lines


def original_finding(bench, compile_ms):
    lines = ["## The original finding's comparison", "",
             "Hand-written CPU schedules (direct, tensor-level, fused). Compile time: the variant's pipeline plus its"
             " weight preparation (median of generator runs, lowering + LLVM). Runtime: median; `x direct` is"
             " runtime / direct's runtime (the original's \"vs baseline\").", "", ORIGINAL + ".", ""]
    headline = []
    base_v = bench.baseline("cpu")
    hand = [v for v in bench.ran("cpu") if bench.hand(v) and bench.formulation(v) in ("direct", "tensor-level", "fused")]
    pairs = bench.pairs("cpu")
    if pairs:
        lines += ["Tensor-level against fused, paired by algorithm, m and schedule: " +
                  ", ".join(f"F({m},3) `{a}` / `{b}`" for m, a, b in pairs) + ".", ""]
    for s in bench.shapes:
        for t in bench.threads:
            if not any(bench.run(v, s, t) for v in hand):
                continue
            base = bench.ms(base_v, s, t)
            rows = []
            for v in hand:
                r = bench.run(v, s, t)
                if not r:
                    continue
                c = compile_ms(v)
                if r.error:
                    rows.append([v, bench.describe(v), fmt(c, ".0f"), r.error[:60], "-"])
                else:
                    rows.append([v, bench.describe(v), fmt(c, ".0f"), fmt(r.ms, ".4f"),
                                 fmt(ratio(r.ms, base), ".2f", "x")])
            pair_text = ", ".join(f"F({m},3) {fmt(ratio(bench.ms(a, s, t), bench.ms(b, s, t)), '.1f', 'x')}"
                                  for m, a, b in pairs)
            title = f"{s}, {plural(t)}"
            lines += [f"### {title}", "", md_table(["variant", "what", "compile ms", "runtime ms", "x direct"], rows),
                      "", f"tensor-level / fused runtime: {pair_text or '-'}", ""]
            headline.append((title, rows, pair_text))
    return lines, headline


def best_fused(bench):
    fused = [v for v in bench.ran("cpu") if bench.hand(v) and bench.formulation(v) == "fused"]
    if not fused:
        return []
    rows = []
    base_v = bench.baseline("cpu")
    for s in bench.shapes:
        for t in bench.threads:
            best, b = bench.best(fused, s, t)
            if best is None:
                continue
            rows.append([s, t, best, bench.describe(best), fmt(b, ".4f"), fmt(ratio(bench.ms(base_v, s, t), b), ".2f", "x"),
                         fmt(ratio(bench.ms("onednn_direct", s, t), b), ".2f", "x"),
                         fmt(ratio(bench.ms("onednn_winograd", s, t), b), ".2f", "x")])
    return ["## The best hand-written fused variant per shape", "",
            "Among the hand-written fused rows of the variant table (the tuned and autoscheduled ones are in"
            " *Schedule exploration*). Speedups are the other's time / the best fused variant's time (>1: fused is"
            " faster).", "",
            md_table(["shape", "threads", "best fused variant", "what", "ms", "vs direct", "vs oneDNN direct",
                      "vs oneDNN Winograd"], rows), ""]


def scaling(bench):
    """Per layer and thread count T > 1: how much faster than at 1 thread the fastest CPU row at T runs, set
    against how much the FMA peak itself grows from 1 to T threads (measured with all T threads busy): code
    bound by the FMAs can scale no further than that, whatever its parallel tasks."""
    if 1 not in bench.threads or 1 not in bench.peaks:
        return []
    rows_ = [v for v in bench.ran("cpu") if bench.kind(v) not in ("peer", "auto")]
    rows = []
    for s in bench.shapes:
        for t in bench.threads:
            if t == 1 or t not in bench.peaks:
                continue
            v, ms_t = bench.best(rows_, s, t)
            if v is None:
                continue
            _, best_1 = bench.best(rows_, s, 1)
            peak = bench.peaks[t] / bench.peaks[1]
            own = ratio(bench.ms(v, s, 1), ms_t)
            run = bench.run(v, s, t)
            tasks = run.counters.get("tasks") if run else None
            joins = run.counters.get("joins") if run else None
            rows.append([s, t, v, fmt(ms_t, ".4f"), fmt(own, ".2f", "x"), fmt(ratio(best_1, ms_t), ".2f", "x"),
                         fmt(ratio(bench.ms("onednn_winograd", s, 1), bench.ms("onednn_winograd", s, t)), ".2f", "x"),
                         fmt(ratio(bench.ms("onednn_direct", s, 1), bench.ms("onednn_direct", s, t)), ".2f", "x"),
                         fmt(peak, ".2f", "x"), fmt(own / peak, ".2f"),
                         "-" if tasks is None else str(int(tasks)), "-" if joins is None else str(int(joins))])
    if not rows:
        return []
    return ["## Scaling from 1 thread", "",
            "For each layer and thread count T: the fastest CPU row at T, its own speedup over its time at 1 thread,"
            " the speedup of the best at T over the best at 1, oneDNN's two, and the FMA peak's growth from 1 to T"
            " threads, measured once per run with all T threads running FMAs at once (a machine whose cores slow"
            " down when all are busy, or share physical cores, grows less than T). A layer bound by its FMAs"
            " scales no further than the peak: `of peak` is the row's speedup over the peak's. On a shared host"
            " the peak is a snapshot and moves between runs (the 16-core Xeon host: 7.9-12.3x from 1 to 16 threads"
            " across eight runs, with rows' own speedups above it in five), so compare `of peak` within a run."
            " `tasks`: the parallel tasks its call offered; `joins`: the parallel loops it handed to the thread pool,"
            " each a fork and a join that costs the same whatever the layer (`build/bin/wino_pool_probe` measures"
            " it: 10-33 us a loop at 8-16 threads on the 16-core Xeon host, OpenMP's 4-6; ~3.5 us at 2 threads"
            " on a 2-core Zen 5 VM), which a small layer's few microseconds of work per thread do not hide.", "",
            md_table(["shape", "threads", "fastest row", "ms", "its speedup", "best vs best at 1",
                      "oneDNN Winograd", "oneDNN direct", "FMA peak", "of peak", "tasks", "joins"], rows), ""]


def targets_section(bench):
    """The performance targets against oneDNN judged on this run's cells (scripts/targets.py)."""
    import targets  # it reads runs through this module
    cpu_rows = [v for v in bench.ran("cpu") if bench.kind(v) not in ("peer", "auto")]
    if not cpu_rows or not any(v in bench.variants for v in targets.ONEDNN_WINOGRAD + targets.ONEDNN_DIRECT):
        return []
    lanes = targets.vector_lanes(bench)
    return ["## The performance targets in this run", "",
            f"Issue 11's targets, each cell judged on this run's medians (`scripts/targets.py bench.json` prints the"
            f" same; its header says which layers each target covers). Ours: the fastest CPU row of the kind the"
            f" target names, of either layout; oneDNN: the faster of its rows. Channel tails are counted against"
            f" {lanes}-lane vectors.", ""] + targets.markdown(bench, lanes)


def every_variant(bench):
    lines = ["## Every variant and peer", "",
             "Speedups are the other's time / this time (>1: this one is faster). `peak MiB`: the peak memory of"
             " the call's temporaries; `tasks`: the parallel tasks its loops offered (both from one extra call"
             " outside the timing). `% peak` is against the FMA peak measured at that thread count. A variant that"
             " cannot run a layer says why.", ""]
    base_v = bench.baseline("cpu")
    order = {"hand-written": 0, "tuned": 1, **{a: 2 + i for i, a in enumerate(AUTOSCHEDULERS)}, "auto": 6, "peer": 7}
    variants = sorted(bench.variants, key=lambda v: (bench.device(v) != "cpu", order.get(bench.kind(v), 5),
                                                     bench.variants.index(v)))
    for s in bench.shapes:
        for t in bench.threads:
            rows = []
            dd, dw, base = bench.ms("onednn_direct", s, t), bench.ms("onednn_winograd", s, t), bench.ms(base_v, s, t)
            for v in variants:
                r = bench.run(v, s, t)
                if not r:
                    continue
                what = bench.describe(v)
                if r.error:
                    rows.append([v, bench.kind(v), what, "-", "-", "-", "-", "-", "-", "-", "-", r.error[:90]])
                    continue
                g = bench.gflops(v, s, t)
                gpu = bench.device(v) != "cpu"
                note = r.label if r.label else ""
                if bench.kind(v) == "auto" and r.label:
                    note = f"chose {r.label}"
                if gpu:
                    note = (note + " " if note else "") + (f"GPU kernel time; copies in/out"
                                                          f" {fmt(r.counter('copy_in_ms'), '.3f')}/"
                                                          f"{fmt(r.counter('copy_out_ms'), '.3f')} ms")
                rows.append([v, bench.kind(v), what, fmt(r.ms, ".4f"), fmt(g, ".1f"),
                             "-" if gpu else fmt(100 * g / bench.peaks.get(t, math.nan), ".0f", "%"),
                             fmt(ratio(base, r.ms), ".2f", "x"), fmt(ratio(dd, r.ms), ".2f", "x"),
                             fmt(ratio(dw, r.ms), ".2f", "x"), fmt(r.counter("peak_MiB"), ".2f"),
                             fmt(r.counter("tasks"), ".0f"), note])
            if not rows:
                continue
            table = md_table(["variant", "kind", "what", "ms", "GFLOP/s", "% peak", "vs direct", "vs oneDNN direct",
                              "vs oneDNN Winograd", "peak MiB", "tasks", "note"], rows)
            lines += [f"### {s}, {plural(t)}", ""] + details(f"{len(rows)} variants and peers", table)
    return lines


def stages(bench, profile):
    if not profile:
        return []
    lines = ["## Where the time goes", "",
             "Halide's sampling profiler on profiled twins of each pipeline (ms per run; profiling adds a"
             " little overhead, so totals differ slightly from the benchmark). `weight prep` is the weight"
             " preparation pipeline (direct: packing; Winograd: filter transform), run once per set of"
             " weights and not part of the convolution's time.", ""]
    by_shape = collections.OrderedDict()
    for p in profile:
        by_shape.setdefault((p["shape"], p["threads"]), []).append(p)
    for (s, t), entries in by_shape.items():
        rows = [[p["variant"], bench.describe(p["variant"]), fmt(p["conv_ms"], ".4f")] +
                [fmt(p["phases"].get(ph), ".4f") for ph in PHASES] for p in entries]
        lines += [f"### {s}, {plural(t)}", "", md_table(["variant", "what", "conv ms"] + list(PHASES), rows), ""]

    # Tensor level against fused, phase by phase (pairs from the metadata): why one wins.
    rows = []
    for (s, t), entries in by_shape.items():
        found = {p["variant"]: p for p in entries}
        for m, tensor, fused in bench.pairs("cpu"):
            if tensor in found and fused in found:
                a, b = found[tensor], found[fused]
                rows.append([s, t, f"F({m},3)", f"{tensor} / {fused}", fmt(a["conv_ms"], ".3f"), fmt(b["conv_ms"], ".3f"),
                             fmt(ratio(a["conv_ms"], b["conv_ms"]), ".1f", "x")] +
                            [fmt(a["phases"].get(ph, 0.0), ".3f") + " / " + fmt(b["phases"].get(ph, 0.0), ".3f")
                             for ph in PHASES[1:5]])
    if rows:
        lines += ["### Tensor level against fused, phase by phase", "",
                  "Each phase cell is tensor ms / fused ms. The tensor level materializes every stage: the"
                  " transformed input (alpha²/m² times the input's size) is written to memory and read back,"
                  " and the multiply updates M in memory for each channel instead of in registers.", "",
                  md_table(["shape", "threads", "m", "variants", "tensor ms", "fused ms", "tensor / fused"] +
                           list(PHASES[1:5]), rows), ""]
    return lines


def same_thread(entry):
    """wino_profile --timeline's same-thread share, as a percentage; '-' where it compared nothing (or an
    older timeline.json lacks it)."""
    share = entry.get("same_thread_share", -1)
    return "-" if share is None or share < 0 else fmt(100 * share, ".0f", "%")


def threads_section(bench, timeline):
    """Per layer, at the thread count wino_profile --timeline ran: the fastest CPU rows of the benchmark there,
    and what a trace of the pool says of each: whether the threads had work, and when."""
    if not timeline:
        return []
    found = {(e["variant"], e["shape"], e["threads"]): e for e in timeline}
    rows_ = [v for v in bench.ran("cpu") if bench.kind(v) not in ("peer", "auto")]
    lines = []
    for t in sorted({e["threads"] for e in timeline}):
        for s in bench.shapes:
            ranked = sorted((ms, v) for v in rows_ for ms in [bench.ms(v, s, t)] if ms is not None and (v, s, t) in found)
            rows = []
            for ms, v in ranked[:5]:
                e = found[(v, s, t)]
                rows.append([v, fmt(ms, ".4f"), fmt(e["untraced_ms"], ".4f"), fmt(e["call_ms"], ".4f"),
                             fmt(100 * e["utilization"], ".0f", "%"),
                             fmt(e["serial_ms"], ".4f"), f"{e['pooled_loops']} / {e['inline_loops']}", str(e["alone_loops"]),
                             fmt(e["median_task_us"], ".1f"), fmt(e["median_join_lag_us"], ".1f"),
                             same_thread(e),
                             fmt(min(e["work_ms"]), ".4f") + " - " + fmt(max(e["work_ms"]), ".4f")])
            if rows:
                lines += [f"### {s}, {plural(t)}", "",
                          md_table(["variant", "bench ms", "untraced ms", "traced ms", "threads busy", "serial ms",
                                    "loops pooled / inline", "alone", "task us", "hand-out lag us",
                                    "same thread", "work per thread, ms"], rows), ""]
    if not lines:
        return []
    return ["## Where the threads go", "",
            "The fastest CPU rows of each layer at the thread count `wino_profile --timeline` ran (`timeline.txt`"
            " has a chart of each call's threads). A trace of the thread pool: of the median of a few traced calls,"
            " *threads busy* is the threads' own work over threads x the call; *serial* the calling thread outside"
            " the pipeline's own parallel loops; *alone* the pooled loops whose tasks all ran on the thread that"
            " started them; *task us* a pooled loop's median task; *hand-out lag* the median over loops of when the"
            " last other thread started its first task of it; *same thread* how often a task of an outer pooled"
            " loop ran on the same thread as that iteration in the traced call before (a thread keeping its slice"
            " of the work, and of the weights, in its cache). Few tasks show as idle threads, slow hand-outs as lag,"
            " unequal work as a wide last column. *untraced* and *traced*: the medians of the calls"
            " `wino_profile` alternated with and without the trace (what tracing cost); *bench*: the benchmark's.",
            ""] + lines


# ---------------------------------------------------------------------------
# Schedule exploration

def roles(bench):
    """[(role, [variants])] of the exploration table, in order."""
    cpu = bench.ran("cpu")
    out = [("hand-written (best)", [v for v in cpu if bench.hand(v) and bench.formulation(v) in ("direct", "fused")])]
    tuned = [v for v in cpu if bench.kind(v) == "tuned"]
    if tuned:
        out.append(("tuned (best)", tuned))
    seen = [a for a in AUTOSCHEDULERS if any(bench.kind(v) == a for v in cpu)]
    seen += sorted({bench.kind(v) for v in cpu if bench.autoscheduled(v)} - set(seen))
    for a in seen:
        out.append((f"{a} (best)", [v for v in cpu if bench.kind(v) == a]))
    if "auto" in bench.variants:
        out.append(("auto", ["auto"]))
    for p, name in PEERS.items():
        if p in bench.variants:
            out.append((name, [p]))
    return out


def exploration_tables(bench):
    lines = ["### Per layer: the best of each kind", "",
             "For each layer and thread count: the best hand-written schedule (direct or fused rows of the table),"
             " the best tuned row (`tuned_*`, written by `wino_tune`), the best variant of each autoscheduler"
             " (direct and F(2/4/6,3) pipelines it scheduled), `auto` (and what it chose), and oneDNN's two"
             " convolutions. `x best` is the time / the fastest time in that row (1.00x: the fastest). All from one"
             " run.", ""]
    rs = roles(bench)
    overview = []
    detail = []
    for s in bench.shapes:
        for t in bench.threads:
            found = []
            for role, vs in rs:
                v, x = bench.best(vs, s, t)
                failed = [w for w in vs if bench.run(w, s, t) and bench.run(w, s, t).error]
                found.append((role, v, x, failed, vs))
            times = [x for _, _, x, _, _ in found if not math.isnan(x)]
            if not times:
                continue
            best = min(times)
            winner = next(f"{role}: {v}" for role, v, x, _, _ in found if x == best)
            overview.append([s, t, winner] + [fmt(ratio(x, best), ".2f", "x") for _, _, x, _, _ in found])
            for role, v, x, failed, vs in found:
                r = bench.run(v, s, t) if v else None
                note = ""
                if bench.kind(v) == "auto" and r and r.label:
                    note = f"chose {r.label}"
                elif v in PEERS and r and r.label:
                    note = r.label
                if failed:
                    note = (note + "; " if note else "") + f"{len(failed)} of {len(vs)} cannot run this layer"
                detail.append([s, t, role, v or "-", bench.describe(v) if v else "-", fmt(x, ".4f"),
                               fmt(ratio(x, best), ".2f", "x"), fmt(bench.gflops(v, s, t) if v else math.nan, ".1f"),
                               fmt(r.counter("peak_MiB") if r else math.nan, ".2f"),
                               fmt(r.counter("tasks") if r else math.nan, ".0f"), note])
    lines += [md_table(["shape", "threads", "fastest"] + [role for role, _ in rs], overview), ""]
    lines += auto_summary(bench)
    lines += details("Which variant each cell is, with its time, GFLOP/s, peak memory and tasks",
                     md_table(["shape", "threads", "kind", "variant", "what", "ms", "x best", "GFLOP/s", "peak MiB",
                               "tasks", "note"], detail))
    return lines


def auto_summary(bench):
    """auto against issue 12's targets, from this run: within 1.1x of the fastest compiled CPU variant, and
    never more than 1.1x slower than the fastest direct one; each of auto's rows against the variants of its
    layout (those it chooses from)."""
    lines = []
    for row, layout in bench.selectors.items():
        if row not in bench.variants:
            continue
        cpu = [v for v in bench.ran("cpu") if bench.layout(v) == layout]
        direct = [v for v in cpu if bench.algorithm(v) == "direct"]
        vs_best, vs_direct = [], []
        for s in bench.shapes:
            for t in bench.threads:
                a = bench.ms(row, s, t)
                _, best = bench.best(cpu, s, t)
                _, best_direct = bench.best(direct, s, t)
                if not math.isnan(a) and not math.isnan(best):
                    vs_best.append(a / best)
                if not math.isnan(a) and not math.isnan(best_direct):
                    vs_direct.append(a / best_direct)
        if not vs_best:
            continue
        gmean = math.exp(sum(map(math.log, vs_best)) / len(vs_best))
        lines += [f"`{row}` ({layout.upper()} tensors) against the fastest compiled CPU variant of its layout in each"
                  f" cell: {gmean:.3f}x (geometric mean), within 1.1x on {sum(x <= 1.1 for x in vs_best)} of"
                  f" {len(vs_best)} cells, worst {max(vs_best):.2f}x; more than 1.1x slower than the fastest direct"
                  f" variant of its layout on {sum(x > 1.1 for x in vs_direct)} of {len(vs_direct)}.", ""]
    if lines:
        lines[-1:] = ["(auto chooses from the tuning table, else the cost model, calibrated where `wino_tune"
                      " --calibrate` ran on this machine; `scripts/model_check.py` judges the model alone on"
                      " recorded runs.)", ""]
    return lines


def hand_counterpart(bench, v):
    """The hand-written schedule an autoscheduled one is set against: the default fused row of its m, or direct."""
    if bench.algorithm(v) == "direct":
        return bench.baseline("cpu")
    return bench.default_of([w for w in bench.ran("cpu") if bench.hand(w) and bench.algorithm(w) == "winograd"
                             and bench.m(w) == bench.m(v) and bench.formulation(w) == "fused"])


def autoschedulers_section(bench, compile_times, pipelines, build, out_dir):
    auto_vs = [v for v in bench.ran("cpu") if bench.autoscheduled(v)]
    if not auto_vs:
        return []
    lines = ["### The autoschedulers: compile time, memory and what they chose", "",
             "Halide 14's autoschedulers, each given this machine's cores and L2 as `machine_params`"
             " (Adams2019 with beam size"
             f" {compile_times.get('beam_size', '1') if compile_times else '1'}). Compile: the generator run to a"
             " static library (the autoscheduler's search included), median; `peak RSS`: the generator process's"
             " peak resident memory. The hand-written counterpart of each (the default fused row of its m, or"
             " direct) is listed for comparison. Each emitted schedule is linked.", ""]
    ct = compile_times.get("pipelines", {}) if compile_times else {}
    os.makedirs(os.path.join(out_dir, "schedules"), exist_ok=True)
    rows, seen_hand = [], set()
    by_as = collections.OrderedDict()
    for v in auto_vs:
        by_as.setdefault(bench.kind(v), []).append(v)
    schedule_links = {}
    for a, vs in by_as.items():
        for v in vs:
            src = (ct.get(v, {}).get("schedule_file") or pipelines.get(v, {}).get("schedule_file")
                   or os.path.join(build, f"{v}.schedule.h"))
            link = "-"
            if src and os.path.exists(src):
                dst = os.path.join(out_dir, "schedules", os.path.basename(src))
                shutil.copyfile(src, dst)
                link = f"[{os.path.basename(src)}](schedules/{os.path.basename(src)})"
                schedule_links[v] = dst
            c = ct.get(v, {})
            rows.append([v, a, bench.describe(v), fmt(c.get("total_ms"), ".0f"), fmt(c.get("lowering_ms"), ".0f"),
                         fmt(c.get("llvm_ms"), ".0f"), fmt(c.get("peak_rss_mib"), ".0f"), link])
    for v in auto_vs:
        h = hand_counterpart(bench, v)
        if h and h not in seen_hand:
            seen_hand.add(h)
            c = ct.get(h, {})
            rows.append([h, "hand-written", bench.describe(h), fmt(c.get("total_ms"), ".0f"),
                         fmt(c.get("lowering_ms"), ".0f"), fmt(c.get("llvm_ms"), ".0f"),
                         fmt(c.get("peak_rss_mib"), ".0f"), "-"])
    lines += [md_table(["pipeline", "scheduled by", "what", "compile ms", "lowering ms", "LLVM ms", "peak RSS MiB",
                        "emitted schedule"], rows), ""]
    if not ct:
        lines += ["(No compile_times.json: compile columns empty.)", ""]

    # What each did, read from its emitted schedule, against the hand-written one's lowered statement.
    lines += ["#### What each autoscheduler did", "",
              "Read automatically from each emitted `.schedule.h` (compute_root / compute_at, vectorize after"
              " split, parallel after fuse, each traced back to the algorithm's own vars) and, for the hand-written"
              " counterpart, from its lowered statement (`build/<variant>.stmt`: where each Func is realized, which"
              " loops run in parallel, the widest vector stores). \"Whole\": computed at root, every value stored"
              " before any is used; \"in F.v\": computed per iteration of F's loop v (fused into F); \"inlined\":"
              " never stored, recomputed where used.", ""]
    parsed = {v: schedule_summary.read_schedule_h(schedule_links[v]) for v in auto_vs if v in schedule_links}
    hand_stmt = {}
    for v in auto_vs:
        h = hand_counterpart(bench, v)
        path = os.path.join(build, f"{h}.stmt") if h else ""
        if h and h not in hand_stmt and os.path.exists(path):
            hand_stmt[h] = schedule_summary.read_stmt(path)
    # Every Func of each pipeline (algorithm, m): those any schedule names; a Func a schedule leaves out is inlined.
    funcs = collections.defaultdict(list)
    for v, sm in parsed.items():
        h = hand_counterpart(bench, v)
        names = sm.funcs + (hand_stmt[h].funcs if h in hand_stmt else [])
        key = (bench.algorithm(v), bench.m(v))
        funcs[key] += [f for f in names if f not in funcs[key] and "$" not in f and "_global_wrapper" not in f]
    if hand_stmt:
        lines += ["The hand-written counterparts, from their lowered statements:", ""]
        lines += [f"- `{h}`: " + "; ".join(schedule_summary.describe(sm)) for h, sm in hand_stmt.items()] + [""]
    big = max(bench.shapes, key=bench.flops) if bench.shapes else None
    t1 = min(bench.threads) if bench.threads else 1
    table_rows = []
    for a, vs in by_as.items():
        mine = [v for v in vs if v in parsed]
        if not mine:
            lines += [f"**{a}**: no emitted schedule found", ""]
            continue
        # One worked comparison per autoscheduler: its F(4,3) pipeline if it has one, else its first.
        focus = next((v for v in mine if bench.algorithm(v) == "winograd" and bench.m(v) == 4), mine[0])
        h = hand_counterpart(bench, focus)
        sm = parsed[focus]
        lines += [f"**{a}** — `{focus}` ([schedule](schedules/{os.path.basename(schedule_links[focus])})),"
                  f" against `{h}`:", ""]
        lines += ["- " + x for x in schedule_summary.describe(sm, funcs[(bench.algorithm(focus), bench.m(focus))])]
        if h in hand_stmt:
            lines += ["- against `" + h + "`, it " + x for x in schedule_summary.compare(sm, hand_stmt[h], f"`{h}`")]
        if big:
            rv, rh = bench.run(focus, big, t1), bench.run(h, big, t1) if h else None
            if rv and rh and rv.ok() and rh.ok():
                lines += [f"- measured on {big}, {plural(t1)}: {rv.ms:.3f} ms against {rh.ms:.3f} ms"
                          f" ({ratio(rv.ms, rh.ms):.1f}x the time); peak temporaries"
                          f" {fmt(rv.counter('peak_MiB'), '.2f')} MiB against {fmt(rh.counter('peak_MiB'), '.2f')} MiB;"
                          f" {fmt(rv.counter('tasks'), '.0f')} parallel tasks against {fmt(rh.counter('tasks'), '.0f')}"]
            elif rv and rv.error:
                lines += [f"- on {big}, {plural(t1)}: {rv.error[:160]}"]
        lines += [""]
        for v in mine:
            s_ = parsed[v]
            inl = [f for f in funcs[(bench.algorithm(v), bench.m(v))] if f not in s_.realized()]
            table_rows.append([v, ", ".join(s_.root) or "-",
                               "; ".join(f"{', '.join(fs)} in {w}" for w, fs in schedule_summary._group_at(s_).items())
                               or "-", ", ".join(inl) or "-", schedule_summary._widths(s_),
                               schedule_summary._some(schedule_summary._parallel(s_), 3) or "-"])
    lines += details("Every autoscheduled variant's schedule, summarized",
                     md_table(["variant", "whole (compute_root)", "fused (compute_at)", "inlined", "vectorized",
                               "parallel"], table_rows))
    return lines


def shown_path(path):
    """A path relative to the repository if it is inside it, else as given."""
    full = os.path.abspath(path)
    return os.path.relpath(full, REPO) if full.startswith(REPO + os.sep) else path


def landscape_section(tune_log, out_dir):
    if not tune_log:
        return []
    if not os.path.exists(tune_log):
        return ["### The tuner's landscape", "", f"(no tuner log at `{tune_log}`)", ""]
    points = landscape.load(tune_log)
    if not points:
        return ["### The tuner's landscape", "", f"(`{tune_log}` holds no points)", ""]
    summaries = landscape.plot(points, out_dir)
    lines = ["### The tuner's landscape", "",
             f"From `{shown_path(tune_log)}` ({len(points)}"
             " measured points): `wino_tune` JIT-compiles each candidate, checks it against float64 and times it"
             " (the fastest of several batches, in its own process, so these times are not comparable with the"
             " benchmark's medians above; the ratios here compare points of one tuner log). Per layer: the default"
             " (the seed with no parameters, for the winner's algorithm and m), the winner, and one panel per"
             " parameter with every measured candidate.", ""]
    rows = []
    for s in summaries.values():
        b, d = s["best"], s["default"]
        rows.append([s["shape"], s["threads"], s["points"], s["failed"], fmt(s["compile_s"], ".0f"),
                     f"`{d['key']}`" if d else "-", fmt(d["ms"] if d else math.nan, ".4f"),
                     f"`{b['key']}`" if b else "-", fmt(b["ms"] if b else math.nan, ".4f"),
                     fmt(ratio(d["ms"], b["ms"]) if d and b else math.nan, ".2f", "x")])
    lines += [md_table(["shape", "threads", "points", "failed", "compile s", "default", "default ms", "winner",
                        "winner ms", "default / winner"], rows), ""]
    failures = collections.Counter()
    for s in summaries.values():
        failures.update(s["failures"])
    if failures:
        lines += ["Failed candidates: " + "; ".join(f"{n}x {why}" for why, n in failures.most_common(5)), ""]
    lines += [f"![{s['shape']}, {plural(s['threads'])}]({s['png']})" for s in summaries.values() if "png" in s] + [""]
    return lines


# ---------------------------------------------------------------------------
# GPU

def results_file(folder, want):
    """`want` in folder, or its gzipped copy (bench/results keeps raw files over ~200 KB gzipped); None if neither."""
    for name in (want, want + ".gz"):
        if os.path.isfile(os.path.join(folder, name)):
            return os.path.join(folder, name)
    return None


def newest_results(root, want):
    """The newest results folder under root holding the file `want` (or want.gz): the highest session number
    (h200-10 after h200-9; modification times say nothing in a fresh clone)."""
    found = [d for d in glob.glob(os.path.join(root, "*")) if results_file(d, want)]
    return max(found, key=session_order) if found else None


def session_order(folder):
    """Sort key of a results folder name: its prefix, then its number (h200-9 < h200-10)."""
    name = os.path.basename(os.path.normpath(folder))
    prefix, _, number = name.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (name, -1)


def sibling_with(gpu_dir, want):
    """`want` in gpu_dir, else in the newest sibling folder of the same prefix (h200-1, h200-3, ...)."""
    here = results_file(gpu_dir, want)
    if here:
        return here
    parent, name = os.path.split(os.path.normpath(gpu_dir))
    prefix = name.rsplit("-", 1)[0]
    cands = [f for f in (results_file(d, want) for d in glob.glob(os.path.join(parent, prefix + "-*"))) if f]
    return max(cands, key=lambda p: session_order(os.path.dirname(p))) if cands else None


def load_cudnn(path):
    out = {}
    if not path:
        return out
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out[(r["N"], r["C"], r["K"], r["H"], r["W"], bool(r["tf32"]))] = r
    return out


def tiles(d, m):
    ho, wo = d["H"] + 2 * d["padding"] - 2, d["W"] + 2 * d["padding"] - 2
    return math.ceil(ho / m), math.ceil(wo / m)


def cdiv(a, b):
    return -(-a // b)


def gpu_blocking(bench, v):
    """(T, k_vectors) of a GPU Winograd variant: its block=Tx1 and k_vectors parameters, else gpu.cpp's defaults
    (schedules/blocking.cpp: T 2 for fused, 4 for tensor-level and staged; k_vectors 2)."""
    p = bench.params(v)
    t = p.get("block", "").split("x")[0]
    T = int(t) if t.isdigit() else (2 if bench.formulation(v) == "fused" else 4)
    kv = int(p["k_vectors"]) if p.get("k_vectors", "").isdigit() else 2
    return T, kv


def gpu_model(d, form, m, T, kv, legacy=False):
    """What a GPU Winograd schedule launches and moves through memory on a layer, as schedules/gpu.cpp maps it.

    Returns (kernels, moved, main): kernels = [(name, blocks, threads per block)] in launch order; moved =
    {tensor: bytes}, each intermediate tensor counted written once and read once (fp32; not counted: the input,
    output and weights, which every formulation reads or writes, and re-reads that miss the caches); main = the
    name of the kernel that does the multiply. legacy: gpu.cpp before commit 6caae06 (tensor-level only: lanes
    over 32 channels in every transform pass, the multiply one-warp blocks of 32 output channels x 8 tiles per
    lane per transform point)."""
    N, C, K = d["N"], d["C"], d["K"]
    ho, wo = d["H"] + 2 * d["padding"] - 2, d["W"] + 2 * d["padding"] - 2
    th, tw = tiles(d, m)
    alpha = m + 2
    if form == "fused":
        # One warp per block: 32 output channels (lanes) x T tiles along a row, every transform point in registers.
        return [("fused", N * cdiv(K, 32) * th * cdiv(tw, T), 32)], {}, "fused"
    if form == "tensor-level" and legacy:
        twT, K32 = tw, K
        mul = ("multiply", alpha * alpha * N * cdiv(K, 32) * th * cdiv(tw, 8), 32)
        V_pass, Y_pass = tw * cdiv(C, 32) * th * N, tw * cdiv(K, 32) * th * N
        transforms = [("V rows", V_pass, 32), ("V", V_pass, 32)], [("Y rows", Y_pass, 32), ("Y", Y_pass, 32)]
    else:
        # The multiply (schedule_gpu_multiply): tiles along x rounded up to whole groups of T and output channels
        # to whole blocks of 32 (align_bounds); each thread 4·k_vectors channels x T tiles; a block 32/(4·k_vectors)
        # threads along k x threads_x groups of T tiles x threads_r rows of tiles (ty, n), 128 threads in all.
        twT, K32 = cdiv(tw, T) * T, cdiv(K, 32) * 32
        k_threads = max(1, 32 // (4 * kv))
        threads_x = min(max(cdiv(tw, T), 1), 8)
        threads_r = max(1, (128 // k_threads) // threads_x)
        blocks = alpha * alpha * cdiv(K, 32) * cdiv(th * N, threads_r) * cdiv(cdiv(tw, T), threads_x)
        mul = ("multiply", blocks, k_threads * threads_x * threads_r)
        # Tensor-level transform passes: lanes over tiles (V's second pass: along tx alone, per row ty).
        transforms = ([("V rows", cdiv(twT * th, 32) * C * N, 32), ("V", cdiv(twT, 32) * C * th * N, 32)],
                      [("Y rows", cdiv(tw * th, 32) * K * N, 32), ("Y", cdiv(tw * th, 32) * K * N, 32)])
    moved = collections.OrderedDict()
    moved["V"] = 2 * 4.0 * alpha * alpha * twT * th * C * N
    moved["M"] = 2 * 4.0 * alpha * alpha * twT * th * K32 * N
    if form == "staged":
        # One thread per (tile, channel): 32 tiles along tx x 4 channels per block (input), 32 tiles x 4 output
        # channels (output, tiles (tx, ty, n) fused).
        kernels = [("input transform", cdiv(twT, 32) * cdiv(C, 4) * th * N, 128), mul,
                   ("output transform", cdiv(tw * th * N, 32) * cdiv(K, 4), 128)]
        return kernels, moved, "multiply"
    # Tensor level: padding (lanes along x) and untiling (lanes along x) are kernels of their own as well.
    pad_w, pad_h = twT * m + 2, th * m + 2
    kernels = ([("pad", cdiv(pad_w, 32) * pad_h * C * N, 32)] + transforms[0] + [mul] + transforms[1] +
               [("untile", cdiv(wo, 32) * ho * K * N, 32)])
    moved = collections.OrderedDict([("padded input", 2 * 4.0 * pad_w * pad_h * C * N),
                                     ("V rows", moved["V"]), ("V", moved["V"]), ("M", moved["M"]),
                                     ("Y rows", 2 * 4.0 * m * alpha * tw * th * K * N),
                                     ("Y", 2 * 4.0 * m * m * tw * th * K * N)])
    return kernels, moved, "multiply"


def short(form):
    return "tensor" if form == "tensor-level" else form


def warps(kernel):
    """Warps a kernel (name, blocks, threads per block) launches."""
    return kernel[1] * cdiv(kernel[2], 32)


def kernel_count(build, v):
    path = os.path.join(build, f"{v}.stmt")
    if not os.path.exists(path):
        return None
    return len(schedule_summary.read_stmt(path).kernels) or None


def gpu_section(gpu_dir, local, compile_times, build, out_dir, plots):
    if not gpu_dir:
        return []
    rel = lambda p: shown_path(p) if p else "-"  # noqa: E731
    if gpu_dir == "local":
        # This run has GPU variants: the host rows are this run's CPU variants; cuDNN from the report folder.
        gb, host, gpu_json, cpu_path = local, local, local.path, local.path
        cudnn_path = os.path.join(out_dir, "cudnn.jsonl")
        cudnn_path = cudnn_path if os.path.exists(cudnn_path) else None
    else:
        gpu_json = results_file(gpu_dir, "bench_gpu.json")
        if not gpu_json:
            return ["## GPU", "", f"(no bench_gpu.json in `{gpu_dir}`)", ""]
        gb = Bench(gpu_json)
        cudnn_path = sibling_with(gpu_dir, "cudnn.jsonl")
        cpu_path = sibling_with(gpu_dir, "bench_cpu.json")
        host = Bench(cpu_path) if cpu_path else None
    cudnn = load_cudnn(cudnn_path)
    gpu_vs = [v for v in gb.ran() if gb.device(v) != "cpu"]
    if not gpu_vs:
        return ["## GPU", "", f"(`{rel(gpu_json)}` has no GPU variant's run)", ""]
    gpu_name = next((r.get("gpu") for r in cudnn.values()), None)
    machine = os.path.join(os.path.dirname(gpu_json), "machine.txt")
    if not gpu_name and os.path.exists(machine):
        with open(machine) as f:
            rows = [l.strip() for l in f if l.strip()]
        gpu_name = rows[1].split(",")[0] if len(rows) > 1 else None
    t = min(gb.threads)
    # Since h200-10 a GPU time is a CUDA graph's replay, and one call alone is the counter call_ms.
    graphs = any(not math.isnan(r.counter("call_ms")) for r in gb.runs.values())
    same = lambda p: p and os.path.dirname(os.path.abspath(p)) == os.path.dirname(os.path.abspath(gpu_json))  # noqa: E731
    where = ("Measured in this run" if gb is local else "Recorded on the GPU machine") + \
        f" ({gpu_name or 'GPU'}; host CPU {gb.ctx.get('cpu', '?')})" + \
        ("" if gb is local else "; this report's machine does not run them")
    lines = ["## GPU", "", where + ". Sources:", "",
             f"- `{rel(gpu_json)}`: the GPU variants (wino_bench, {gb.ctx.get('date', '?')}), "
             + ("device time per call with 20 calls back to back in one CUDA graph, replayed (as cuDNN's below):"
                " no host work between kernels. `one call ms` is one call alone between CUDA events, its kernel"
                " launches through Halide's runtime included. " if graphs else
                "device time of one call's kernels by CUDA events, their launches through Halide's runtime"
                " included (recorded before wino_bench timed CUDA graphs: cuDNN's times below are graph"
                " replays, so small layers' ratios favour cuDNN). ")
             + "The copies of input and output between host and GPU are timed apart (their own columns, not in the"
             " time); weights stay on the GPU.",
             f"- `{rel(cudnn_path)}`: cuDNN through PyTorch (`bench/cudnn_peer.py`, CUDA graphs, autotuned)"
             + ("" if not cudnn_path else " — from the same session (another process)" if same(cudnn_path) else
                " — from another session on the same kind of machine: ratios against cuDNN cross two runs"),
             f"- `{rel(cpu_path)}`: the GPU machine's host CPU running the CPU variants and oneDNN"
             + ("" if not cpu_path else " — the same run" if gb is host else " — same session (another process)"
                if same(cpu_path) else " — another session: the device comparison crosses runs"),
             "",
             f"GFLOP/s are direct-equivalent; `% peak` is against {H200_FP32_TFLOPS:.0f} TFLOP/s, NVIDIA's datasheet"
             " fp32 (non-tensor-core) figure for the H200 SXM, not measured here"
             + (f" (this GPU is {gpu_name}: the H200 figures do not apply to it)" if gpu_name and "H200" not in gpu_name
                else "") + ". Ratios between GPU variants compare one run.", ""]

    base_v = gb.baseline("cuda")
    sets = gb.formulation_sets("cuda", GPU_WINO)
    ct = compile_times.get("pipelines", {}) if compile_times else {}

    def cms(v):
        if v not in ct:
            return math.nan
        return ct[v]["total_ms"] + ct.get(ct[v].get("prepare", ""), {}).get("total_ms", 0.0)

    # 1. The original finding's table, on the GPU: direct, then each m's tensor-level, staged and fused variants
    # (those that ran), and each of the others against fused of the same m.
    cols = [v for _, found in sets for v in found.values()]
    vs_fused = [(m, form, found[form], found["fused"]) for m, found in sets if "fused" in found
                for form in found if form != "fused"]
    rows = [["compile ms", fmt(cms(base_v), ".0f") if base_v else "-"] + [fmt(cms(v), ".0f") for v in cols] +
            ["" for _ in vs_fused]] if ct else []
    for s in gb.shapes:
        base = gb.ms(base_v, s, t) if base_v else math.nan
        row = [s, fmt(base, ".4f")]
        for v in cols:
            x = gb.ms(v, s, t)
            row.append(f"{fmt(x, '.4f')} ({fmt(ratio(x, base), '.2f', 'x')})")
        row += [fmt(ratio(gb.ms(a, s, t), gb.ms(b, s, t)), ".2f", "x") for _, _, a, b in vs_fused]
        rows.append(row)
    lines += ["### The original finding's comparison, on the GPU", "",
              f"Kernel time in ms and, in brackets, × `{base_v or 'direct'}` (the direct schedule): the original's"
              " form" + (", with the staged formulation (three kernels, see below) beside the original's two" if
                         any("staged" in found for _, found in sets) else "") +
              "; for each m, the default variant of each formulation (fewest parameters). Compile ms: this"
              " machine's generator cross-compiling the CUDA pipeline (plus its weight preparation), from"
              " compile_times.json"
              + ("" if ct else " (not present: no compile times)") + ".",
              "", ORIGINAL + ".", "",
              md_table(["layer", base_v or "direct (none ran)"] + cols +
                       [f"{short(form)} / fused F({m},3)" for m, form, _, _ in vs_fused], rows), ""]

    # 2. Every GPU variant.
    rows = []
    cd = {s: cudnn.get((d["N"], d["C"], d["K"], d["H"], d["W"], False)) for s, d in gb.dims.items()
          if d["padding"] == 1}
    for s in gb.shapes:
        for v in gpu_vs:
            r = gb.run(v, s, t)
            if not r:
                continue
            if r.error:
                rows.append([s, v, gb.describe(v), r.error[:80]] + ["-"] * 6)
                continue
            g = gb.gflops(v, s, t)
            c = cd.get(s)
            rows.append([s, v, gb.describe(v), fmt(r.ms, ".4f"), fmt(r.counter("call_ms"), ".4f"), fmt(g, ".0f"),
                         fmt(100 * g / (H200_FP32_TFLOPS * 1e3), ".1f", "%"), fmt(r.counter("copy_in_ms"), ".4f"),
                         fmt(r.counter("copy_out_ms"), ".4f"), fmt(ratio(r.ms, c["ms"]) if c else math.nan, ".2f", "x")])
    lines += ["### Every GPU variant", "",
              "`x cuDNN` is this time / cuDNN's fp32 time (TF32 off) for the layer (>1: slower than cuDNN)"
              + (" — across two runs" if cudnn_path and not same(cudnn_path) else "") + ".", ""]
    lines += details(f"{len(rows)} rows: {len(gpu_vs)} GPU variants x {len(gb.shapes)} layers",
                     md_table(["layer", "variant", "what", "ms", "one call ms", "GFLOP/s", "% of 67 TFLOP/s",
                               "copy in ms",
                               "copy out ms", "x cuDNN fp32"], rows))

    # 3. Against cuDNN.
    if cudnn:
        rows = []
        for s in gb.shapes:
            d = gb.dims.get(s)
            if not d:
                continue
            best, bms = gb.best(gpu_vs, s, t)
            off = cudnn.get((d["N"], d["C"], d["K"], d["H"], d["W"], False))
            on = cudnn.get((d["N"], d["C"], d["K"], d["H"], d["W"], True))
            err = lambda r: fmt(r.get("rel_error_vs_float64") if r else None, ".1e")  # noqa: E731
            one = gb.run(best, s, t).counter("call_ms") if best else math.nan
            rows.append([s, best or "-", fmt(bms, ".4f"), fmt(one, ".4f"), fmt(off["ms"] if off else math.nan, ".4f"),
                         err(off),
                         fmt(ratio(bms, off["ms"]) if off else math.nan, ".2f", "x"),
                         fmt(on["ms"] if on else math.nan, ".4f"), err(on),
                         fmt(ratio(bms, on["ms"]) if on else math.nan, ".2f", "x")])
        lines += ["### Against cuDNN", "",
                  "cuDNN fp32 with TF32 off is the same accuracy class as wino's variants (relative error against"
                  " float64 ~1e-7); with TF32 on, cuDNN uses tensor cores on 10-bit mantissas (~1e-4..1e-3): a"
                  " different accuracy class, shown apart. `best / cuDNN` is the best GPU variant's time / cuDNN's"
                  " (>1: cuDNN is faster)" + (", across two runs (see Sources)" if not same(cudnn_path) else "") +
                  ". Relative errors are cudnn_peer.py's, measured on the layers small enough to check in float64.",
                  "",
                  md_table(["layer", "best GPU variant", "ms", "its one call ms", "cuDNN fp32 ms", "rel. error",
                            "best / cuDNN fp32",
                            "cuDNN TF32 ms", "rel. error (TF32)", "best / cuDNN TF32"], rows), ""]

    # 4. Which Winograd formulation wins per layer, and why.
    # gpu_staged came with the tensor-level schedule's present multiply (commit 6caae06): a run with no staged
    # rows ran the tensor-level schedule before it.
    legacy = not any(gb.formulation(v) == "staged" for v in gb.meta)
    by_form = {form: [v for v in gpu_vs if gb.algorithm(v) == "winograd" and gb.formulation(v) == form]
               for form in GPU_WINO}
    present = [form for form in GPU_WINO if by_form[form]]
    stmt_kernels = {v: kernel_count(build, v) for form in present for v in by_form[form]}
    mib = lambda b: b / 2**20  # noqa: E731
    mib_s = lambda b: f"{mib(b):.1f}" if b else "0"  # noqa: E731
    and_list = lambda xs: ", ".join(xs[:-1]) + " and " + xs[-1] if len(xs) > 1 else "".join(xs)  # noqa: E731
    hbm_us = lambda b: b / (H200_HBM_TBPS * 1e12) * 1e6  # noqa: E731
    rows, detail = [], []
    for s in gb.shapes:
        d = gb.dims.get(s)
        if not d:
            continue
        best = collections.OrderedDict()
        for form in present:
            v, ms = gb.best(by_form[form], s, t)
            if not v:
                continue
            T, kv = gpu_blocking(gb, v)
            old = legacy and form == "tensor-level"
            launches, moved, main = gpu_model(d, form, gb.m(v), T, kv, legacy=old)
            mk = next(k for k in launches if k[0] == main)
            best[form] = {"v": v, "ms": ms, "kernels": stmt_kernels.get(v) or len(launches),
                          "bytes": sum(moved.values()), "warps": warps(mk), "main": main}
            blocking = ("8 tiles per lane (before 6caae06)" if old else
                        f"T={T}" + ("" if form == "fused" else f", k_vectors={kv}"))
            detail.append([s, form, v, blocking,
                           "; ".join(f"{name} {blocks}×{threads}" for name, blocks, threads in launches),
                           ", ".join(f"{name} {mib(b):.1f}" for name, b in moved.items()) or "none",
                           mib_s(sum(moved.values())), f"{hbm_us(sum(moved.values())):.1f}" if moved else "0"])
        if len(best) < 2:
            continue
        win = min(best, key=lambda f: best[f]["ms"])
        W = best[win]
        clauses = []
        for form, L in best.items():
            if form == win:
                continue
            for_w, for_l = [], []
            if L["kernels"] != W["kernels"]:
                (for_w if W["kernels"] < L["kernels"] else for_l).append(
                    f"fewer kernels ({min(W['kernels'], L['kernels'])} vs {max(W['kernels'], L['kernels'])})")
            diff = L["bytes"] - W["bytes"]
            if abs(diff) > 0.01 * max(L["bytes"], W["bytes"]):
                lo, hi = sorted((L["bytes"], W["bytes"]))
                (for_w if diff > 0 else for_l).append(
                    f"moves less ({mib_s(lo)} vs {mib_s(hi)} MiB, the difference ≥{hbm_us(abs(diff)):.1f} µs)")
            if abs(L["warps"] - W["warps"]) > 0.1 * max(L["warps"], W["warps"]):
                more, fewer = (W, L) if W["warps"] > L["warps"] else (L, W)
                (for_w if more is W else for_l).append(
                    f"more warps ({more['warps'] / H200_SMS:.1f} vs {fewer['warps'] / H200_SMS:.1f} per SM)")
            clauses.append(f"vs {form} {ratio(L['ms'], W['ms']):.2f}x (+{(L['ms'] - W['ms']) * 1e3:.1f} µs):"
                           f" {win} has {and_list(for_w) or 'none of these in its favour'}" +
                           (f"; {form} has {and_list(for_l)}" if for_l else ""))
        cell = lambda f, key, spec: fmt(best[f][key], spec) if f in best else "-"  # noqa: E731
        rows.append([s] + [f"{best[f]['v']} {best[f]['ms']:.4f}" if f in best else "-" for f in present] +
                     [win, " / ".join(cell(f, "kernels", "d") for f in present),
                      " / ".join(mib_s(best[f]["bytes"]) if f in best else "-" for f in present),
                      " / ".join(fmt(best[f]["warps"] / H200_SMS, ".1f") if f in best else "-" for f in present),
                      "; ".join(clauses)])
    if rows:
        names = " / ".join(short(f) for f in present)
        title = ", ".join(present[:-1]) + " or " + present[-1]
        lines += ["### " + title[0].upper() + title[1:] + ": which wins per layer, and why", "",
                  "The best variant of each Winograd formulation per layer (kernel ms, one run). Tensor-level: every"
                  " stage its own kernel; staged: three kernels (input transform with padding and tiling, multiply,"
                  " output transform with untiling), V and M through memory; fused: one kernel, V and M stay on"
                  " chip.", "",
                  "- `kernels`: counted in `build/<variant>.stmt` (this machine's build).",
                  "- `through memory` (an estimate): the intermediate tensors, fp32, each written once and read once."
                  " Staged and tensor-level: V (alpha² × tiles × C, alpha = m+2) and M (alpha² × tiles × K);"
                  " tensor-level also the padded input ((tiles_x·m+2) × (tiles_y·m+2) × C), V's first pass (as V),"
                  " Y's first pass (m·alpha × tiles × K) and Y (m² × tiles × K). Tiles along x rounded up to whole"
                  " groups of T and M's channels to blocks of 32, as the multiply computes them. Not counted: input,"
                  " output and weights (all three formulations read or write them) and re-reads the caches miss"
                  " (every block of 32 output channels of the multiply reads V). `≥ µs` (in the table below): that"
                  f" traffic at the datasheet's {H200_HBM_TBPS} TB/s, a lower bound.",
                  "- `warps per SM` (an estimate of what is launched, not of what is resident): the multiply's warps"
                  f" (fused: its kernel's) / {H200_SMS} SMs, from the launch shapes of schedules/gpu.cpp. Multiply:"
                  " alpha² × ⌈K/32⌉ × ⌈tiles_x/(T·threads_x)⌉ × ⌈tiles_y·N/threads_r⌉ blocks of 32/(4·k_vectors) ×"
                  " threads_x × threads_r threads, threads_x = clamp(⌈tiles_x/T⌉, 1, 8), threads_r = max(1,"
                  " 128/(32/(4·k_vectors))/threads_x) (T from block=Tx1, default 4; k_vectors default 2). Fused:"
                  " N × ⌈K/32⌉ × tiles_y × ⌈tiles_x/T⌉ one-warp blocks (T default 2); ncu on its F(4,3) kernels"
                  " (bench/results/h200-6/ncu_cuda_wino_fused_f4*.txt) showed 210-255 registers per thread, at"
                  " most 8 such blocks resident per SM.",
                  "- `why`: each slower formulation's time against the fastest's, and which of the three counts"
                  " favour either side; the counts are estimates and need not account for the whole gap."
                  + (" This run has no staged rows: it predates commit 6caae06, so its tensor-level counts follow"
                     " the schedule before it (transform passes with lanes over 32 channels; the multiply one-warp"
                     " blocks of 32 output channels × 8 tiles per lane per transform point); kernel counts still"
                     " come from this machine's build." if legacy and "tensor-level" in present else ""), "",
                  md_table(["layer"] + [f"{f} (best) ms" for f in present] +
                           ["fastest", f"kernels {names}", f"through memory MiB {names}",
                            f"warps per SM {names}", "why (from these counts)"], rows), ""]
        lines += details("Launch shapes and traffic of each formulation's best variant, kernel by kernel",
                         md_table(["layer", "formulation", "variant", "blocking", "kernels: blocks × threads",
                                   "through memory, MiB", "MiB", f"≥ µs at {H200_HBM_TBPS} TB/s"], detail))

    # 5. Which device wins per layer.
    rows = []
    plot_rows = []
    ht = max(host.threads) if host and host.threads else None
    for s in gb.shapes:
        d = gb.dims.get(s)
        gv, gms = gb.best(gpu_vs, s, t)
        r = gb.run(gv, s, t) if gv else None
        copies = r.counter("copy_in_ms") + r.counter("copy_out_ms") if r else math.nan
        off = cudnn.get((d["N"], d["C"], d["K"], d["H"], d["W"], False)) if d else None
        hv, hms = (None, math.nan)
        dd = dw = math.nan
        if host and ht and s in host.shapes:
            hv, hms = host.best([v for v in host.ran("cpu")] + (["auto"] if "auto" in host.variants else []), s, ht)
            dd, dw = host.ms("onednn_direct", s, ht), host.ms("onednn_winograd", s, ht)
        cands = {"GPU (wino)": gms, "GPU (cuDNN fp32)": off["ms"] if off else math.nan,
                 f"CPU (wino, {ht} threads)": hms, "CPU (oneDNN)": min(dd, dw) if not (math.isnan(dd) and
                                                                                       math.isnan(dw)) else math.nan}
        valid = {k: x for k, x in cands.items() if not math.isnan(x)}
        fastest = min(valid, key=valid.get) if valid else "-"
        wino_host = (f"{hv} {hms:.4f}" if hv else "-")
        if hv == "auto":
            wino_host = f"auto→{host.run('auto', s, ht).label} {hms:.4f}"
        if math.isnan(gms) or math.isnan(hms):
            wino = "-"
        elif gms <= hms:
            wino = (f"GPU, {hms / gms:.1f}x" + (f" ({hms / (gms + copies):.1f}x with copies)" if gms + copies <= hms
                                               else f" (CPU {(gms + copies) / hms:.1f}x with copies)"))
        else:
            wino = f"CPU, {gms / hms:.1f}x"
        rows.append([s, f"{gv} {gms:.4f}" if gv else "-", fmt(gms + copies, ".4f"),
                     fmt(off["ms"] if off else math.nan, ".4f"), wino_host, fmt(dd, ".4f"), fmt(dw, ".4f"), wino,
                     fastest])
        plot_rows.append((s, gms, gms + copies, off["ms"] if off else math.nan, hms, dd, dw))
    if rows:
        lines += ["### Which device wins per layer", "",
                  f"The best GPU variant (kernel time; and with its copies in and out, if the data starts and ends"
                  f" on the host), cuDNN fp32, and the host CPU of the same machine at {ht or '?'} threads: the best"
                  " CPU variant (auto included) and oneDNN's two convolutions. `wino: faster device`: wino's best on"
                  " the GPU against its best on the host CPU, kernel time (and with the copies). The GPU and host"
                  " figures come from"
                  " different runs" + (" (different sessions)" if cpu_path and not same(cpu_path) else "") +
                  ": compare them as orders of magnitude, not to the percent.", "",
                  md_table(["layer", "best GPU variant ms", "+ copies ms", "cuDNN fp32 ms",
                            f"best CPU variant ms ({ht} thr.)", "oneDNN direct ms", "oneDNN Winograd ms",
                            "wino: faster device", "fastest of all"], rows), ""]
        plots.append(gpu_plot(plot_rows, ht, out_dir))
    return lines


def gpu_plot(rows, ht, out_dir):
    series = [("best GPU variant (kernels)", 1, "#1f77b4"), ("best GPU variant + copies", 2, "#aec7e8"),
              ("cuDNN fp32", 3, "#2ca02c"), (f"best CPU variant ({ht} threads)", 4, "#ff7f0e"),
              ("oneDNN direct (CPU)", 5, "#d62728"), ("oneDNN Winograd (CPU)", 6, "#9467bd")]
    fig, ax = plt.subplots(figsize=(13, 5))
    width = 0.8 / len(series)
    for i, (label, col, colour) in enumerate(series):
        ax.bar([j + i * width for j in range(len(rows))], [r[col] for r in rows], width, label=label, color=colour)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(rows))])
    ax.set_xticklabels([r[0] for r in rows], rotation=20, fontsize=7, ha="right")
    ax.set_yscale("log")
    ax.set_ylabel("ms (log scale)")
    ax.set_title("Per layer: GPU (recorded) against the same machine's host CPU")
    ax.legend(fontsize=7, ncol=3)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "gpu_runtime.png"), dpi=110)
    plt.close(fig)
    return ("gpu_runtime.png", "GPU against the host CPU, per layer")


# ---------------------------------------------------------------------------
# Plots

def bar_series(bench):
    """[(label, [variants] or a variant)]: hand-written formulations, tuned, each autoscheduler, auto, peers."""
    cpu = bench.ran("cpu")
    hand = [v for v in cpu if bench.hand(v)]
    out = []
    base = bench.baseline("cpu")
    if base:
        out.append((f"direct ({base})", [base]))
    for label, form in (("tensor-level (best m)", "tensor-level"), ("fused, hand-written (best)", "fused")):
        vs = [v for v in hand if bench.formulation(v) == form]
        if vs:
            out.append((label, vs))
    for role, vs in roles(bench)[1:]:
        if role in PEERS.values():
            continue
        out.append((role, vs))
    for p, name in PEERS.items():
        if p in bench.variants:
            out.append((name, [p]))
    return out


def bench_plots(bench, profile, out_dir):
    plots = []
    series = bar_series(bench)
    shapes = bench.shapes

    def grouped_bars(name, title, ylabel, value, log=False, peak=None):
        fig, ax = plt.subplots(figsize=(max(10, 1.6 * len(shapes) + 4), 5))
        width = 0.8 / max(len(series), 1)
        colours = plt.cm.tab10 if len(series) <= 10 else plt.cm.tab20
        for i, (label, vs) in enumerate(series):
            ax.bar([j + i * width for j in range(len(shapes))], [value(vs, s) for s in shapes], width, label=label,
                   color=colours(i % colours.N))
        if peak:
            ax.axhline(peak, color="black", linestyle="--", label=f"measured FMA peak ({peak:.0f})")
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(shapes))])
        ax.set_xticklabels(shapes, rotation=20, fontsize=8, ha="right")
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        ax.legend(fontsize=7, ncol=min(6, len(series) + 1), loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  frameon=False)
        fig.savefig(os.path.join(out_dir, name), dpi=110, bbox_inches="tight")
        plt.close(fig)
        plots.append((name, title))

    for t in bench.threads:
        grouped_bars(f"runtime_t{t}.png", f"Runtime per layer, {plural(t)} (best of each kind; a gap: none ran)",
                     "median runtime (ms, log scale)", lambda vs, s: bench.best(vs, s, t)[1], log=True)
        grouped_bars(f"gflops_t{t}.png", f"GFLOP/s against the FMA peak, {plural(t)}", "direct-equivalent GFLOP/s",
                     lambda vs, s: bench.flops(s) / (bench.best(vs, s, t)[1] * 1e-3) / 1e9, peak=bench.peaks.get(t))
    if profile:
        entries = profile
        labels = [f"{p['variant']}\n{p['shape']}" for p in entries]
        fig, ax = plt.subplots(figsize=(max(8, len(entries) * 0.45), 6))
        bottom = [0.0] * len(entries)
        for ph in PHASES[1:]:
            vals = [p["phases"].get(ph, 0.0) / max(p["conv_ms"], 1e-12) * 100 for p in entries]
            ax.bar(range(len(entries)), vals, bottom=bottom, label=ph)
            bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_xticks(range(len(entries)))
        ax.set_xticklabels(labels, rotation=90, fontsize=6)
        ax.set_ylabel("% of convolution time")
        ax.set_title("Where each variant's time goes (Halide profiler)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, "stages.png"), dpi=110)
        plt.close(fig)
        plots.append(("stages.png", "Per-stage breakdown"))
    return plots, series


def compile_section(compile_times):
    if not compile_times:
        return []
    rows = [[n, c.get("autoscheduler", "").split("::")[-1] or "-", fmt(c["total_ms"], ".0f"), fmt(c["lowering_ms"], ".0f"),
             fmt(c["llvm_ms"], ".0f"), fmt(c.get("peak_rss_mib"), ".0f")] for n, c in compile_times["pipelines"].items()]
    return ["## Compile time per pipeline", "",
            f"Median of {compile_times.get('runs', '?')} generator run(s) for target `{compile_times.get('target', '?')}`,"
            " process start-up subtracted; lowering = emitting the lowered statement only (an autoscheduler's"
            " search included), LLVM = the rest; peak RSS: the generator process's peak resident memory.", "",
            md_table(["pipeline", "autoscheduler", "total ms", "Halide lowering ms", "LLVM ms", "peak RSS MiB"], rows),
            ""]


def resolve_gpu_results(arg, local):
    if arg == "none":
        return None
    if arg == "auto":
        if any(local.device(v) != "cpu" and any(k[0] == v for k in local.runs) for v in local.meta):
            return "local"
        return newest_results(os.path.join(REPO, "bench", "results"), "bench_gpu.json")
    return arg


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="report", help="the report folder: inputs and outputs (default report)")
    ap.add_argument("--build", default=os.path.join(REPO, "build"),
                    help="the build folder: generated/pipelines.json, <variant>.stmt, <variant>.schedule.h")
    ap.add_argument("--tune-log", default=None, help="a wino_tune log (JSON lines): the landscape plots")
    ap.add_argument("--gpu-results", default="auto",
                    help="a folder of recorded GPU results (bench_gpu.json; cudnn.jsonl and bench_cpu.json there or"
                         " in a sibling folder); 'auto' (default): this run's GPU variants if it has some, else the"
                         " newest bench/results/*/ with bench_gpu.json; 'none': no GPU section")
    args = ap.parse_args()
    d = args.dir
    bench = Bench(os.path.join(d, "bench.json"))
    profile = load(os.path.join(d, "profile.json")) if os.path.exists(os.path.join(d, "profile.json")) else []
    timeline = load(os.path.join(d, "timeline.json")) if os.path.exists(os.path.join(d, "timeline.json")) else []
    compile_times = None
    if os.path.exists(os.path.join(d, "compile_times.json")):
        compile_times = load(os.path.join(d, "compile_times.json"))
        compile_times["pipelines"] = collections.OrderedDict((p["name"], p) for p in compile_times["pipelines"])
    pipelines = {}
    pj = os.path.join(args.build, "generated", "pipelines.json")
    if os.path.exists(pj):
        pipelines = {p["name"]: p for p in load(pj).get("pipelines", [])}

    def compile_ms(v):
        """The variant's pipeline plus its weight-preparation pipeline, as the original counted both."""
        ct = compile_times["pipelines"] if compile_times else {}
        if v not in ct:
            return None
        return ct[v]["total_ms"] + ct.get(ct[v].get("prepare", ""), {}).get("total_ms", 0.0)

    gpu_dir = resolve_gpu_results(args.gpu_results, bench)
    ran_gpu = [v for v in bench.ran() if bench.device(v) != "cpu"]
    gpu_note = ("the GPU variants ran in this run" if ran_gpu else
                "the GPU variants did not run here (no GPU)" + ("; the GPU section shows recorded results" if gpu_dir
                                                                 else ""))
    lines = header(bench, gpu_note)
    section, headline = original_finding(bench, compile_ms)
    lines += section
    lines += best_fused(bench)
    lines += scaling(bench)
    lines += targets_section(bench)
    lines += every_variant(bench)
    lines += stages(bench, profile)
    lines += threads_section(bench, timeline)
    explore = exploration_tables(bench)
    lines += ["## Schedule exploration", "",
              "The same algorithm scheduled four ways: by hand (the variant table's rows), by the tuner (`wino_tune`:"
              " a coordinate descent over the hand schedule's parameters, its winners compiled as `tuned_*` rows),"
              " by Halide's three autoschedulers (which see only the algorithm), and chosen per layer at run time"
              " (`auto`); oneDNN's convolutions alongside.", ""]
    lines += explore
    lines += autoschedulers_section(bench, compile_times, pipelines, args.build, d)
    lines += landscape_section(args.tune_log, d)
    lines += compile_section(compile_times)
    plots, series = bench_plots(bench, profile, d)
    lines += gpu_section(gpu_dir, bench, compile_times, args.build, d, plots)
    lines += ["## Plots", "",
              "Bars: for each kind (" + "; ".join(label for label, _ in series) + ") the fastest of its variants on"
              " that layer; the tables above say which.", ""]
    lines += [f"![{title}]({name})" for name, title in plots] + [""]
    lines += ["## Files", "", "- `bench.json`: the raw Google Benchmark output (all repetitions' aggregates), with"
              " every variant's metadata in its context", "- `bench.txt`: the benchmark's console output",
              "- `profile.json`: per-Func times",
              "- `timeline.json` / `timeline.txt`: the traced calls (every loop and task) and their charts", "- `compile_times.json`: compile times and the generators' memory",
              "- `schedules/`: the schedules Halide's autoschedulers emitted",
              "- each variant's lowered loop nest: `build/<variant>.stmt` and `build/<variant>.stmt.html`", ""]

    with open(os.path.join(d, "README.md"), "w") as f:
        f.write("\n".join(lines))

    print(f"\nHeadline ({bench.ctx.get('cpu', '?')}, Halide target {bench.ctx.get('halide_target', '?')}):")
    for title, rows, pair_text in headline:
        print(f"\n{title}")
        print(f"{'variant':<22} {'compile ms':>10} {'runtime ms':>11} {'x direct':>9}")
        for r in rows:
            print(f"{r[0]:<22} {r[2]:>10} {r[3]:>11} {r[4]:>9}")
        print(f"tensor-level / fused: {pair_text}")
    print(f"\nReport written to {os.path.join(d, 'README.md')}")


if __name__ == "__main__":
    main()
