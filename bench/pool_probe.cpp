// wino_pool_probe: what the runtime's thread pool costs per parallel loop, apart from any
// pipeline. Each "call" runs a pattern of parallel loops whose tasks busy-wait a fixed time
// (clock-timed, so the same on any CPU and frequency) through the very entry point Halide's
// pipelines call (runtime_hooks().do_par_for, under a CallScope of the call's threads), and,
// where OpenMP is built in, the same loops as OpenMP parallel fors (oneDNN's runtime). A
// call's time over its ideal (the busy time on its critical path, were the pool free) is
// what the pool adds: the figure a small layer pays on many cores (bench/results/h200-30:
// 1x16x32² took ~0.012-0.018 ms more from 2 threads on than its work explains).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <benchmark/benchmark.h>
#if WINO_HAVE_OPENMP
#include <omp.h>
#endif

#include "halide_hooks.h"
#include "shapes.h"

namespace {

using Clock = std::chrono::steady_clock;

void busy(double us) {
    if (us <= 0) return;
    const auto until = Clock::now() + std::chrono::duration<double, std::micro>(us);
    while (Clock::now() < until) {
    }
}

// A call's loops. stages: `loops` top-level loops one after another, each of `tasks` tasks
// (a pipeline's parallel stages). nested: one top-level loop of `outer` bands, each busy for
// half a task (its input transform) and then running a nested loop of `tasks` channel blocks
// (the fused schedule's bands and channel blocks).
struct Pattern {
    std::string name;
    int loops, outer, tasks;
    double work_us;
    // The busy time on the call's critical path at `threads` threads, were the pool free.
    double ideal_us(int threads) const {
        if (outer > 0) {
            const int rounds = (outer + threads - 1) / threads;  // bands per thread, rounded up
            const int per_band = std::max(1, threads / outer);   // threads a band's blocks share
            return rounds * (work_us / 2 + (tasks + per_band - 1) / per_band * work_us);
        }
        return loops * ((tasks + threads - 1) / threads) * work_us;
    }
};

struct Closure {
    const Pattern *p;
};

int task_body(void *, int, unsigned char *closure) {
    busy(reinterpret_cast<Closure *>(closure)->p->work_us);
    return 0;
}

int band_body(void *uc, int, unsigned char *closure) {
    const Closure *c = reinterpret_cast<Closure *>(closure);
    busy(c->p->work_us / 2);
    return wino::detail::runtime_hooks().do_par_for(uc, task_body, 0, c->p->tasks, closure);
}

void run_pool(const Pattern &p, int threads) {
    wino::detail::CallScope scope(threads);
    Closure c{&p};
    auto *closure = reinterpret_cast<unsigned char *>(&c);
    const auto &hooks = wino::detail::runtime_hooks();
    if (p.outer > 0) {
        hooks.do_par_for(nullptr, band_body, 0, p.outer, closure);
    } else {
        for (int l = 0; l < p.loops; l++) hooks.do_par_for(nullptr, task_body, 0, p.tasks, closure);
    }
}

#if WINO_HAVE_OPENMP
// Bare OpenMP parallel fors, as oneDNN runs its loops. OpenMP has no balanced nesting of
// parallel fors (an inner team per band), so only the stages run here; the runtime's own
// OpenMP pool (WINO_POOL=openmp) runs nested loops as tasks.
void run_openmp(const Pattern &p, int threads) {
    for (int l = 0; l < p.loops; l++) {
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int i = 0; i < p.tasks; i++) busy(p.work_us);
    }
}
#endif

template <typename Run>
void measure(benchmark::State &state, const Pattern &p, int threads, Run run) {
    for (auto _ : state) run(p, threads);
    const double ideal = p.ideal_us(threads);
    state.counters["ideal_us"] = ideal;
    state.counters["loops"] = p.outer > 0 ? 1 + p.outer : p.loops;
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"wino_pool_probe: the runtime's thread pool (and OpenMP, where built in) per parallel loop,\n"
                 "on tasks that busy-wait a fixed time. Other arguments (--benchmark_*) go to Google Benchmark."};
    std::vector<int> threads;
    std::vector<double> work{0.0, 4.0};
    app.add_option("--threads", threads, "a thread count, repeatable; default: 1, 2 and all cores")
        ->check(CLI::Range(1, 1 << 16));
    app.add_option("--work-us", work, "microseconds each task busy-waits, repeatable; default: 0 and 4")
        ->check(CLI::Range(0.0, 1e5));
    app.allow_extras();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    const int all = int(std::max(1u, std::thread::hardware_concurrency()));
    if (threads.empty()) {
        threads = {1};
        if (all > 2) threads.push_back(2);
        if (all > 1) threads.push_back(all);
    }
    std::vector<std::string> gb_args{argv[0]};
    for (const std::string &a : app.remaining()) gb_args.push_back(a);
    if (wino::bench::benchmark_flag(gb_args, "repetitions").empty()) {
        gb_args.push_back("--benchmark_repetitions=5");
        gb_args.push_back("--benchmark_report_aggregates_only=true");
    }
    std::vector<char *> gb_argv;
    for (std::string &a : gb_args) gb_argv.push_back(a.data());
    int n = int(gb_argv.size());
    benchmark::Initialize(&n, gb_argv.data());
    if (benchmark::ReportUnrecognizedArguments(n, gb_argv.data())) return 2;

    wino::detail::install_halide_hooks();
    // The runtime's rows are named after the pool that runs them (WINO_POOL):
    // "pool-tbb" or "pool-openmp"; "openmp" rows are bare OpenMP loops.
    const std::string pool = std::string("pool-") + wino::detail::pool_kind_name(wino::detail::pool_kind());
    benchmark::AddCustomContext("pool", wino::detail::pool_kind_name(wino::detail::pool_kind()));
    for (int t : threads) {
        for (double w : work) {
            char us[32];
            std::snprintf(us, sizeof us, "%gus", w);
            // One loop of a task per thread; four such loops (a pipeline's stages); two bands of
            // threads/2 channel blocks each (at least one).
            const Pattern ps[] = {{"flat/" + std::string(us), 1, 0, t, w},
                                  {"stages4/" + std::string(us), 4, 0, t, w},
                                  {"nested2/" + std::string(us), 1, 2, std::max(1, t / 2), w}};
            for (const Pattern &p : ps) {
                const std::string suffix = "/threads:" + std::to_string(t);
                benchmark::RegisterBenchmark((pool + "/" + p.name + suffix).c_str(), [p, t](benchmark::State &st) {
                    measure(st, p, t, run_pool);
                })->Unit(benchmark::kMicrosecond)->UseRealTime();
#if WINO_HAVE_OPENMP
                if (p.outer == 0)
                    benchmark::RegisterBenchmark(("openmp/" + p.name + suffix).c_str(), [p, t](benchmark::State &st) {
                        measure(st, p, t, run_openmp);
                    })->Unit(benchmark::kMicrosecond)->UseRealTime();
#endif
            }
        }
    }
    std::printf("wino_pool_probe: %d hardware threads, the runtime's pool %s (WINO_POOL); tasks busy-wait the "
                "given microseconds; a row's time less its ideal_us is what the pool adds per call%s\n",
                all, wino::detail::pool_kind_name(wino::detail::pool_kind()),
#if WINO_HAVE_OPENMP
                ""
#else
                " (OpenMP not built in)"
#endif
    );
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
