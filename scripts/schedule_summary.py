#!/usr/bin/python3
"""What a schedule does, read from what Halide emitted.

Two readers, so that a machine-made schedule can be set against a hand-written one:
  read_schedule_h(path): an autoscheduler's .schedule.h (C++ calls such as
      `output.split(k, k, ki, 16).vectorize(ki).compute_root().parallel(k)`),
      summarized per Func: compute_root / compute_at(F, v) / store_at,
      vectorized vars (traced back through split and fuse to the pipeline's own
      vars) and their widths, parallel vars, unrolled vars.
  read_stmt(path): a pipeline's lowered statement (<name>.stmt), summarized:
      which Funcs are realized and in which loop (root, or inside another
      Func's loop), which loops run in parallel, the widest vector stores per
      Func, and the GPU kernels it launches.
Both return the same shape of summary (see Summary), and describe() /
compare() turn summaries into short factual sentences.

    schedule_summary.py FILE.schedule.h|FILE.stmt [--against FILE.stmt]
"""
import argparse
import collections
import re

DECLARATIONS = {"Var", "RVar", "Func", "using", "auto", "const", "inline", "return", "Halide", "::Halide"}


class Summary:
    """root: Funcs computed at root; at: {Func: (Func, var)} computed inside another's loop;
    store_at: {Func: (Func, var)}; vectors: {Func: [(var, width)]} (stage 0 and updates);
    parallel: {Func: [vars]}; unrolled: {Func: [vars]}; kernels: GPU kernel names; funcs: every Func named."""

    def __init__(self):
        self.root, self.at, self.store_at = [], {}, {}
        self.vectors = collections.OrderedDict()
        self.parallel = collections.OrderedDict()
        self.unrolled = collections.OrderedDict()
        self.kernels = []
        self.funcs = []
        self.source = ""

    def realized(self):
        return list(dict.fromkeys(self.root + list(self.at)))


# ---------------------------------------------------------------------------
# .schedule.h

def _strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _split_args(text):
    """Top-level comma-separated arguments of a call's argument text."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def _calls(chain):
    """[(method, [args])] of a chain `.a(x).b(y, z)...`."""
    calls, i = [], 0
    while i < len(chain):
        m = re.compile(r"\s*\.\s*(\w+)\s*\(").match(chain, i)
        if not m:
            break
        depth, j = 1, m.end()
        while j < len(chain) and depth:
            depth += {"(": 1, ")": -1}.get(chain[j], 0)
            j += 1
        calls.append((m.group(1), _split_args(chain[m.end():j - 1])))
        i = j
    return calls


def _statements(body):
    """Statements at any block depth, with the braces of blocks (not of arguments) removed."""
    out, depth, cur = [], 0, ""
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth == 0 and ch in "{}":
            if cur.strip():
                out.append(cur.strip())
            cur = ""
            continue
        if depth == 0 and ch == ";":
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def _bare(arg):
    """A var argument without braces and casts: `{xii, yi}` -> ['xii', 'yi']."""
    return [a.strip() for a in arg.strip("{} ").split(",") if a.strip()]


def _int(text):
    m = re.fullmatch(r"\s*(\d+)\s*", text)
    return int(m.group(1)) if m else None


def read_schedule_h(path):
    with open(path) as f:
        text = _strip(f.read())
    m = re.search(r"apply_schedule_\w*\s*\([^)]*\)\s*\{", text)
    body = text[m.end():] if m else text
    s = Summary()
    s.source = path
    declared = re.findall(r"Func\s+([\w$]+)\s*=\s*pipeline\.get_func", body)
    stages = collections.OrderedDict()  # (func, stage) -> [(method, args)]
    for st in _statements(body):
        head = re.match(r"([A-Za-z_][\w$]*)\s*((?:\.\s*update\s*\(\s*(\d+)\s*\))?)\s*(?=\.)", st)
        if not head or head.group(1) in DECLARATIONS:
            continue
        func = head.group(1)
        stage = int(head.group(3)) if head.group(3) else 0
        calls = _calls(st[head.end():])
        if not calls or calls[0][0] in ("args", "get_schedule", "get_func", "dims", "rvars"):
            continue
        stages.setdefault((func, stage), []).extend(calls)
    s.funcs = list(dict.fromkeys(declared + [f for f, _ in stages]))
    for (func, stage), calls in stages.items():
        origin = {}  # var -> [pipeline vars it covers]

        def orig(v):
            return origin.get(v, [v])

        splits = {}  # inner var -> (source var, factor)
        for method, args in calls:
            if method == "split" and len(args) >= 4:
                src, outer, inner = args[0], args[1], args[2]
                o = orig(src)
                origin[outer], origin[inner] = o, o
                splits[inner] = (src, _int(args[3]))
            elif method == "fuse" and len(args) >= 3:
                origin[args[2]] = orig(args[0]) + orig(args[1])
            elif method == "compute_root" and stage == 0:
                s.root.append(func)
            elif method == "compute_at" and stage == 0 and len(args) >= 2:
                s.at[func] = (args[0], args[1])
            elif method == "store_at" and stage == 0 and len(args) >= 2:
                s.store_at[func] = (args[0], args[1])
            elif method == "store_root" and stage == 0:
                s.store_at[func] = ("root", "")
            elif method == "vectorize" and args:
                v = args[0]
                width = _int(args[1]) if len(args) > 1 else None
                if width is None and v in splits:
                    width = splits[v][1]
                s.vectors.setdefault(func, []).append(("+".join(dict.fromkeys(orig(v))), width, stage))
            elif method == "parallel" and args:
                s.parallel.setdefault(func, []).append(("*".join(dict.fromkeys(orig(args[0]))), stage))
            elif method == "unroll" and args:
                s.unrolled.setdefault(func, []).append(("+".join(orig(args[0])), stage))
    s.root = list(dict.fromkeys(s.root))
    return s


# ---------------------------------------------------------------------------
# .stmt

_OWNER = re.compile(r"^(.*?)\.s\d+\.(.*)$")


def _loop(var):
    """(Func, loop var) of a loop variable such as output.s0.x.otx.txi.rebased."""
    var = re.sub(r"(\.rebased|\.fused\.\w+)+$", "", var)
    m = _OWNER.match(var)
    return (m.group(1), m.group(2)) if m else (var, "")


def _ramp_lanes(index):
    """Lane counts of the ramps in a store's index (the last argument of each ramp(...))."""
    lanes = []
    for m in re.finditer(r"\bramp\(", index):
        depth, j, start, args = 1, m.end(), m.end(), []
        while j < len(index) and depth:
            ch = index[j]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            if (ch == "," and depth == 1) or depth == 0:
                args.append(index[start:j])
                start = j + 1
            j += 1
        if args and re.fullmatch(r"\s*\d+\s*", args[-1]):
            lanes.append(int(args[-1]))
    return lanes


def read_stmt(path):
    s = Summary()
    s.source = path
    funcs = {}  # function name -> {"par": loop var or None, "calls": [(closure, [loops])], "produce": [(F, [loops])]}
    stack, current = [], None
    kernels = []
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            stripped = line.strip()
            closes = len(re.match(r"^\s*(\}\s*)*", line).group(0).replace(" ", "").replace("\t", ""))
            for _ in range(min(closes, len(stack))):
                kind, _name = stack.pop()
                if kind == "func":
                    current = None
            k = re.search(r'halide_cuda_run\(\s*[^,]+,\s*"([^"]+)"', line)
            if k and k.group(1) not in kernels:
                kernels.append(k.group(1))
            if current is not None:
                loops = [n for kind, n in stack if kind == "for"]
                call = re.search(r"halide_do_par_for\(\(void \*\)::(\w+)", line)
                if call:
                    funcs[current]["calls"].append((call.group(1), loops))
                store = re.match(r"\s*([\w$.]+)\[(.*)\]\s*=", line)
                if store:
                    lanes = _ramp_lanes(store.group(2))
                    if lanes:
                        name = store.group(1)
                        prev = funcs[current]["vectors"].get(name, 0)
                        funcs[current]["vectors"][name] = max(prev, max(lanes))
            opens = stripped.count("{") - stripped.count("}") + closes
            if not stripped.endswith("{") or opens <= 0:
                continue
            fm = re.match(r"(?:external_plus_metadata |external |internal )?func ([\w$]+) \((.*)\) \{$", stripped)
            if fm:
                current = fm.group(1)
                params = [p.strip() for p in fm.group(2).split(",")]
                par = params[1] if len(params) == 3 and params[0] == "__user_context" else None
                funcs[current] = {"par": par, "calls": [], "produce": [], "vectors": {}}
                stack.append(("func", current))
                continue
            lm = re.match(r"(?:\} )?for \(([^,]+),", stripped)
            pm = re.match(r"(?:\} )?produce ([\w$.]+) \{$", stripped)
            if lm:
                stack.append(("for", lm.group(1)))
            elif pm:
                if current is not None:
                    funcs[current]["produce"].append((pm.group(1), [n for kind, n in stack if kind == "for"]))
                stack.append(("produce", pm.group(1)))
            else:
                stack.append(("other", stripped[:20]))
    # Each closure runs inside its caller's loops, then its own parallel loop.
    context = {}

    def ctx(name, seen=()):
        if name in context:
            return context[name]
        if name in seen:
            return []
        for caller, info in funcs.items():
            for callee, loops in info["calls"]:
                if callee == name:
                    context[name] = ctx(caller, seen + (name,)) + loops + ["||" + (funcs[name]["par"] or "?")]
                    return context[name]
        context[name] = []
        return context[name]

    located = collections.OrderedDict()
    par_loops = []
    for name, info in funcs.items():
        for func, loops in info["produce"]:
            path = ctx(name) + loops
            outer = None
            for var in reversed(path):
                owner, v = _loop(var.lstrip("|"))
                if owner != func:
                    outer = (owner, v)
                    break
            located.setdefault(func, outer)
        for callee, _ in info["calls"]:
            if funcs.get(callee, {}).get("par"):
                owner, v = _loop(funcs[callee]["par"])
                par_loops.append((len(ctx(callee)), owner, v))
        for buf, lanes in info["vectors"].items():
            old = s.vectors.get(buf, [("", 0, 0)])[0][1]
            s.vectors[buf] = [("", max(lanes, old), 0)]
    for _depth, owner, v in sorted(par_loops, key=lambda t: t[0]):  # outermost first
        if v not in [x for x, _ in s.parallel.get(owner, [])]:
            s.parallel.setdefault(owner, []).append((v, 0))
    for func, outer in located.items():
        if outer is None:
            s.root.append(func)
        else:
            s.at[func] = outer
    s.funcs = list(located)
    s.kernels = kernels
    return s


# ---------------------------------------------------------------------------
# Sentences

def _group_at(summary):
    by = collections.OrderedDict()
    for f, (g, v) in summary.at.items():
        by.setdefault(f"{g}.{v}" if v else g, []).append(f)
    return by


def _widths(summary):
    """'k by 16 (M, Y_rows), c by 16 (V)' from the vectorize calls; '16 lanes (output, V)' from a stmt."""
    by = collections.OrderedDict()
    for f, vs in summary.vectors.items():
        for var, width, _stage in vs:
            key = f"{var} by {width}" if var else f"{width} lanes"
            if var and width is None:
                key = f"{var} (natural width)"
            if f not in by.setdefault(key, []):
                by[key].append(f)
    return ", ".join(f"{k} ({', '.join(fs)})" for k, fs in by.items()) or "nothing"


def _some(items, most=4):
    items = list(dict.fromkeys(items))
    if len(items) <= most:
        return ", ".join(items)
    return ", ".join(items[:most - 1]) + f" and {len(items) - most + 1} more alike"


def _parallel(summary):
    return [f"{f}.{v}" for f, vs in summary.parallel.items() for v, stage in vs if stage == 0]


def describe(summary, all_funcs=()):
    """A few factual lines about one schedule."""
    lines = []
    lines.append("computed at root: " + (", ".join(summary.root) or "none"))
    at = _group_at(summary)
    if at:
        lines.append("computed inside another Func's loop: " +
                     "; ".join(f"{', '.join(fs)} in {where}" for where, fs in at.items()))
    stores = {f: w for f, w in summary.store_at.items() if w[0] != "root"}
    if stores:
        lines.append("stored at: " + ", ".join(f"{f} at {g}.{v}" for f, (g, v) in stores.items()))
    inlined = [f for f in all_funcs if f not in summary.realized()]
    if inlined:
        lines.append("inlined (never stored): " + ", ".join(inlined))
    lines.append("vectorized: " + _widths(summary))
    lines.append("parallel: " + (_some(_parallel(summary)) or "nothing"))
    if summary.kernels:
        lines.append(f"GPU kernels: {len(summary.kernels)}")
    return lines


def compare(auto, hand, hand_name):
    """Where an autoscheduled schedule departs from a hand-written one (both summaries): clauses whose
    subject is the autoscheduled schedule ("materializes V whole, ...")."""
    out = []
    internal = lambda f: "$" in f or "_global_wrapper" in f or f == "output"  # noqa: E731
    whole_here = [f for f in auto.root if f in hand.at]
    inner_here = [f for f in auto.at if f in hand.root and not internal(f)]
    not_in_hand = [f for f in auto.realized() if f not in hand.realized() and not internal(f)]
    inlined_here = [f for f in hand.realized() if f not in auto.realized() and not internal(f)]
    if whole_here:
        out.append(f"materializes {', '.join(whole_here)} whole, where {hand_name} computes them tile by tile inside"
                   " its loops")
    if inner_here:
        out.append(f"computes {', '.join(inner_here)} inside a loop, where {hand_name} computes them whole")
    if not_in_hand:
        out.append(f"stores {', '.join(not_in_hand)}, which {hand_name} inlines")
    if inlined_here:
        out.append(f"inlines {', '.join(inlined_here)}, which {hand_name} stores")
    hand_lanes = max((w or 0 for vs in hand.vectors.values() for _, w, _ in vs), default=0)
    auto_lanes = [w for vs in auto.vectors.values() for _, w, _ in vs if w]
    if auto_lanes and hand_lanes and max(auto_lanes) < hand_lanes:
        out.append(f"uses vectors of at most {max(auto_lanes)} lanes, where {hand_name} stores {hand_lanes}-lane"
                   " vectors")
    hand_par, auto_par = _parallel(hand), _parallel(auto)
    if hand_par and auto_par:
        out.append(f"runs in parallel over {_some(auto_par, 3)}, where {hand_name} nests {len(hand_par)} parallel"
                   f" loop{'s' if len(hand_par) != 1 else ''} ({_some(hand_par, 5)})")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", help="a .schedule.h or a .stmt")
    ap.add_argument("--against", help="a hand-written pipeline's .stmt to compare with")
    args = ap.parse_args()
    s = read_stmt(args.file) if args.file.endswith(".stmt") else read_schedule_h(args.file)
    funcs = list(s.funcs)
    hand = read_stmt(args.against) if args.against else None
    if hand:
        funcs += [f for f in hand.funcs if f not in funcs]
    for line in describe(s, funcs):
        print("- " + line)
    if hand:
        print(f"against {args.against}:")
        for line in describe(hand):
            print("  - " + line)
        for line in compare(s, hand, args.against):
            print("- " + line)


if __name__ == "__main__":
    main()
