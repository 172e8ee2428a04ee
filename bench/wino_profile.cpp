// wino_profile: where each variant's time goes, stage by stage (Halide's
// sampling profiler on the variants' profiled twins), or thread by thread.
//
//   wino_profile [--shape N,C,K,H,W]... [--threads T] [--variant NAME]... [--seconds S] [--json FILE]
//                [--timeline [--calls R] [--chart W]]
//
// Stages are grouped into the phases of the algorithm: the weight preparation
// (its own pipeline, run once per set of weights: Winograd's filter transform,
// direct's packing), padding the input, the input transform, the (batched)
// multiply and the output transform (for direct: the store).
//
// --timeline traces the thread pool instead (RunOptions::trace_tasks) on the
// variants themselves: of the median of R traced calls, how much each thread
// worked, the serial part, how long the pool took to hand out each loop, how
// often a task of an outer pooled loop ran on the same thread as in the call
// before (same),
// and a chart of the threads over the call (bench/timeline.h).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "shapes.h"
#include "timeline.h"
#include "wino/profile.h"
#include "wino/wino.h"

namespace {

using wino::ConvShape;

const std::vector<std::string> kPhases = {"weight prep", "pad input", "input transform", "multiply",
                                          "output transform", "other"};

// The algorithm phase a Func belongs to, by the names generators/ give them.
std::string phase_of(const std::string &func, int m) {
    if (func == "in") return "pad input";
    if (func == "V" || func == "V_rows" || func == "d") return "input transform";
    if (func == "conv" || func.rfind("M", 0) == 0) return "multiply";
    if (func == "Y" || func == "Y_rows" || (func == "output" && m > 0)) return "output transform";
    if (func == "output") return "output transform";  // direct: the store of the accumulators
    return "other";
}

double time_one_run(const std::string &variant, const wino::AlignedFloats &x, const wino::AlignedFloats &w,
                    wino::AlignedFloats &y, const ConvShape &s, const wino::RunOptions &options) {
    auto prepared = wino::prepare_weights(variant, {w.data(), s.weights()}, options);
    auto run = [&] {
        wino::conv2d(variant, {x.data(), s.input(options.layout)}, prepared, {y.data(), s.output(options.layout)},
                     s.padding, options);
    };
    run();
    auto t0 = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The median (by time) of `calls` traced calls, after untraced ones for
// `seconds`; the median time of as many untraced calls (what tracing costs);
// and how often a task of an outer pooled loop ran on the same thread as in
// the traced call before it (same_thread_share: the median over consecutive
// pairs; -1: nothing to compare).
struct TracedCalls {
    wino::RunStats median;
    double untraced_ms = 0, same_thread = -1;
};
TracedCalls traced_median_call(const std::string &variant, const wino::AlignedFloats &x,
                                                     const wino::AlignedFloats &w, wino::AlignedFloats &y,
                                                     const ConvShape &s, wino::RunOptions options, int calls,
                                                     double seconds) {
    auto prepared = wino::prepare_weights(variant, {w.data(), s.weights()}, options);
    auto run = [&] {
        wino::conv2d(variant, {x.data(), s.input(options.layout)}, prepared, {y.data(), s.output(options.layout)},
                     s.padding, options);
    };
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    do run();
    while (std::chrono::steady_clock::now() < until);
    std::vector<wino::RunStats> traced(static_cast<size_t>(calls)), plain(static_cast<size_t>(calls));
    for (size_t i = 0; i < traced.size(); i++) {  // alternated, so both see the same machine
        options.trace_tasks = false;
        options.stats = &plain[i];
        run();
        options.trace_tasks = true;
        options.stats = &traced[i];
        run();
    }
    std::vector<double> same;
    for (size_t i = 1; i < traced.size(); i++)
        if (double share = wino::bench::same_thread_share(traced[i - 1], traced[i]); share >= 0) same.push_back(share);
    const auto by_time = [](const wino::RunStats &a, const wino::RunStats &b) { return a.compute_ms < b.compute_ms; };
    std::sort(traced.begin(), traced.end(), by_time);
    std::sort(plain.begin(), plain.end(), by_time);
    return {traced[traced.size() / 2], plain[plain.size() / 2].compute_ms,
            same.empty() ? -1 : wino::bench::detail::median(same)};
}

// --timeline: one line per variant, and its chart.
nlohmann::json timeline(const std::string &variant, const TracedCalls &traced, int threads, int chart) {
    const wino::RunStats &call = traced.median;
    const wino::bench::TraceSummary t = wino::bench::summarize_trace(call, threads);
    const auto [lo, hi] = std::minmax_element(t.work_us.begin(), t.work_us.end());
    const std::string same = traced.same_thread < 0 ? "-" : std::to_string(int(std::lround(100 * traced.same_thread))) + "%";
    std::printf("%-30s %8.4f %8.4f %5.0f%% %8.4f %4d/%-4d %5d %5d %7d %9.1f %9.1f %5s %8.4f-%.4f\n", variant.c_str(),
                traced.untraced_ms, t.call_us / 1000, 100 * t.utilization, t.serial_us / 1000, t.pooled_loops,
                t.inline_loops, t.alone_loops, t.threads_seen, t.tasks, t.median_task_us, t.median_join_lag_us,
                same.c_str(), *lo / 1000, *hi / 1000);
    if (chart > 0) {
        const std::vector<std::string> lines = wino::bench::trace_chart(call, threads, chart);
        for (size_t i = 0; i < lines.size(); i++)
            std::printf("  %9s |%s|\n", i == 0 ? "loops" : ("thread " + std::to_string(i - 1)).c_str(), lines[i].c_str());
    }
    nlohmann::json loops = nlohmann::json::array(), tasks = nlohmann::json::array();
    for (const wino::LoopSpan &l : call.loops)
        loops.push_back({{"thread", l.thread}, {"depth", l.depth}, {"size", l.size}, {"pooled", l.pooled},
                         {"start_us", l.start_us}, {"end_us", l.end_us}});
    for (const wino::TaskSpan &k : call.tasks)
        tasks.push_back({{"thread", k.thread}, {"loop", k.loop}, {"iteration", k.iteration},
                         {"start_us", k.start_us}, {"end_us", k.end_us}, {"work_us", k.work_us}});
    return {{"untraced_ms", traced.untraced_ms}, {"same_thread_share", traced.same_thread},
            {"thread_workers", call.thread_workers}, {"call_ms", t.call_us / 1000}, {"utilization", t.utilization}, {"serial_ms", t.serial_us / 1000},
            {"pooled_loops", t.pooled_loops}, {"nested_pooled_loops", t.nested_pooled_loops},
            {"inline_loops", t.inline_loops}, {"alone_loops", t.alone_loops}, {"threads_seen", t.threads_seen},
            {"tasks", t.tasks},
            {"median_task_us", t.median_task_us}, {"median_join_lag_us", t.median_join_lag_us},
            {"work_ms", [&] {
                 std::vector<double> ms;
                 for (double us : t.work_us) ms.push_back(us / 1000);
                 return ms;
             }()},
            {"loops", loops}, {"tasks_traced", tasks}};
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"wino_profile: where each variant's time goes, stage by stage (Halide's profiler)"};
    std::vector<ConvShape> shapes;
    std::vector<std::string> only;
    int threads = 1;
    double seconds = 0.5;
    std::string json_path;
    wino::bench::add_shape_option(app, shapes);
    app.add_option("--threads", threads, "threads per call")->check(CLI::Range(1, 1 << 16));
    app.add_option("--variant", only, "profile only these variants (repeatable); default: all");
    app.add_option("--seconds", seconds, "profiled time per variant and shape")->check(CLI::Range(0.01, 600.0));
    app.add_option("--json", json_path, "also write the results as JSON to this file");
    bool trace = false;
    int calls = 11, chart = 0;
    app.add_flag("--timeline", trace,
                 "trace the thread pool instead of profiling stages: per thread, its work in the median of --calls "
                 "traced calls; needs no profiled pipelines");
    app.add_option("--calls", calls, "--timeline: traced calls per variant and shape (after --seconds untraced)")
        ->check(CLI::Range(1, 1000));
    app.add_option("--chart", chart, "--timeline: also chart each call's threads, this many columns wide")
        ->check(CLI::Range(0, 1000));
    bool threads_by_work = false;
    app.add_flag("--threads-by-work", threads_by_work,
                 "a call takes no more of --threads than the cost model says its layer's work keeps busy "
                 "(RunOptions::threads_by_work, wino::call_threads)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    if (!trace && !wino::profiling_available()) {
        std::fprintf(stderr, "wino_profile: error: built without profiled pipelines (WINO_PROFILE=OFF)\n");
        return 1;
    }
    if (shapes.empty()) shapes = wino::bench::default_shapes();
    std::vector<std::string> variants = only;
    if (variants.empty())
        for (const auto &v : wino::variants()) variants.push_back(v.name);

    wino::RunOptions options;
    options.threads = threads;
    options.threads_by_work = threads_by_work;
    nlohmann::json results = nlohmann::json::array();
    for (const ConvShape &s : shapes) {
        const wino::bench::LayerData data = wino::bench::random_layer(s, 7);
        const wino::AlignedFloats &x = data.input, &w = data.weights;
        wino::AlignedFloats y(size_t(s.N) * s.K * s.out_h() * s.out_w());
        if (trace) {
            std::printf("\n%s, padding %d, %d thread%s: the median of %d traced calls (times in ms, task and lag in us)\n",
                        s.str().c_str(), s.padding, threads, threads > 1 ? "s" : "", calls);
            std::printf("%-30s %8s %8s %6s %8s %9s %5s %5s %7s %9s %9s %5s %s\n", "variant", "untraced", "traced",
                        "util", "serial", "pool/inl", "alone", "thr", "tasks", "task us", "lag us", "same",
                        "work per thread");
        } else {
            std::printf("\n%s, padding %d, %d thread%s: ms per run by phase (Halide profiler)\n", s.str().c_str(),
                        s.padding, threads, threads > 1 ? "s" : "");
            std::printf("%-22s %8s", "variant", "conv ms");
            for (const auto &p : kPhases) std::printf(" %16s", p.c_str());
            std::printf("\n");
        }
        for (const std::string &variant : variants) {
            try {
                const wino::VariantInfo &info = wino::variant(variant);
                // Each variant on tensors of its own layout (the same random values read in that order).
                options.layout = info.layout;
                if (trace) {
                    if (info.device != "cpu") continue;  // a GPU call has no pool to trace
                    nlohmann::json r =
                        timeline(variant, traced_median_call(variant, x, w, y, s, options, calls, seconds), threads, chart);
                    r.update({{"variant", variant}, {"shape", s.str()}, {"threads", threads}});
                    results.push_back(r);
                    std::fflush(stdout);
                    continue;
                }
                const double once = time_one_run(variant, x, w, y, s, options);
                const int runs = std::max(10, int(seconds / std::max(once, 1e-6)));
                wino::ConvProfile prof =
                    wino::profile_conv(variant, {x.data(), s.input(options.layout)}, {w.data(), s.weights()},
                                       {y.data(), s.output(options.layout)}, s.padding, runs, options);
                std::map<std::string, double> phases;
                for (const auto &f : prof.conv.funcs) phases[phase_of(f.func, info.m)] += f.ms;
                phases["weight prep"] = prof.prepare.ms;
                std::printf("%-22s %8.4f", variant.c_str(), prof.conv.ms);
                for (const auto &p : kPhases)
                    std::printf(" %16s", phases.count(p) ? std::to_string(phases[p]).substr(0, 7).c_str() : "-");
                std::printf("\n");
                nlohmann::json funcs = nlohmann::json::object();
                for (const auto &f : prof.conv.funcs) funcs[f.func] = f.ms;
                results.push_back({{"variant", variant},
                                   {"shape", s.str()},
                                   {"N", s.N}, {"C", s.C}, {"K", s.K}, {"H", s.H}, {"W", s.W}, {"padding", s.padding},
                                   {"threads", threads},
                                   {"runs", prof.conv.runs},
                                   {"conv_ms", prof.conv.ms},
                                   {"weight_prep_ms", prof.prepare.ms},
                                   {"phases", phases},
                                   {"funcs", funcs}});
            } catch (const wino::Error &e) {
                std::printf("%-22s error: %s\n", variant.c_str(), e.what());
            }
            std::fflush(stdout);
        }
    }
    if (!json_path.empty()) {
        std::ofstream out(json_path);
        out << results.dump(2) << "\n";
        if (!out) {
            std::fprintf(stderr, "wino_profile: error: cannot write %s\n", json_path.c_str());
            return 1;
        }
    }
    return 0;
}
