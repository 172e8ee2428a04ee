import gzip, json, sys, collections, statistics
D = sys.argv[1]
def load(mode):
    b = json.load(gzip.open(f"{D}/{mode}.json.gz"))
    r = {}
    for x in b["benchmarks"]:
        if x.get("aggregate_name") != "median": continue
        name = x["run_name"]
        v, shape, t = name.split("/")[:3]
        r[(shape, t, v)] = (x["real_time"], x.get("label", ""))
    return r
w, c = load("warm"), load("cold")
keys = sorted(set(w) & set(c))
rows = collections.defaultdict(dict)
for k in keys: rows[(k[0], k[1])][k[2]] = (w[k][0], c[k][0], w[k][1])
print("| layer | threads | variant | warm ms | cold ms | cold / warm |")
print("|---|---|---|---|---|---|")
summ = []
for (shape, t), vs in sorted(rows.items()):
    for v, (a, b, lab) in sorted(vs.items(), key=lambda kv: kv[1][0]):
        print(f"| {shape} | {t.split(':')[1]} | {v}{' ('+lab+')' if lab and v.startswith('auto') else ''} | {a:.4f} | {b:.4f} | {b/a:.2f} |")
    ours = [v for v in vs if not v.startswith("onednn") and not v.startswith("auto")]
    dnn = [v for v in vs if v in ("onednn_direct", "onednn_winograd")]
    bw = min(ours, key=lambda v: vs[v][0]); bc = min(ours, key=lambda v: vs[v][1])
    dw = min(vs[v][0] for v in dnn); dc = min(vs[v][1] for v in dnn)
    summ.append(f"| {shape} | {t.split(':')[1]} | {bw} {vs[bw][0]:.4f} | {dw/vs[bw][0]:.2f} | {bc} {vs[bc][1]:.4f} | {dc/vs[bc][1]:.2f} |")
print("\n| layer | threads | fastest ours, warm | / faster oneDNN (blocked) | fastest ours, cold | / faster oneDNN |")
print("|---|---|---|---|---|---|")
print("\n".join(summ))
