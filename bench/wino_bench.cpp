// wino_bench: every compiled variant (and oneDNN's convolutions as peers) on
// a suite of shapes x thread counts, in one run, so ratios are comparable.
//
//   wino_bench [--shape N,C,K,H,W[,P]]... [--threads T]... [--variant NAME]... [--no-peers] [--calibrate]
//              [--idle-us US] [--cold] [--threads-by-work]
//              [Google Benchmark flags]
//
// Benchmark names read variant/shape/threads:T. Variants run on weights
// prepared once (the filter transform is outside the timed loop, as oneDNN's
// weight reorder is); the per-stage profile times the preparation separately.
// Each case also reports the peak memory of its temporaries and the parallel
// tasks its loops offered and the parallel loops it handed to the pool (one
// extra call with RunOptions::stats). At the end
// a table gives, per shape and thread count, the median time, direct-
// equivalent GFLOP/s, its share of the measured FMA peak, and speedups
// against `direct` and oneDNN measured in this run. The JSON output's context
// carries the CPU, the Halide target, the thread pool and every variant's
// metadata; each benchmark carries its shape as counters. A GPU variant's
// time is device time per call with 20 calls replayed in one CUDA graph, as
// bench/cudnn_peer.py times cuDNN; one call alone (its kernel launches
// included) and its copies are counters and rows of their own.
#include <benchmark/benchmark.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "blocking.h"
#include "calibration_report.h"
#include "fma_peak.h"
#include "halide_hooks.h"
#include "onednn_peer.h"
#include "shapes.h"
#include "wino/wino.h"

namespace {

using wino::ConvShape;
using wino::bench::benchmark_flag;
using wino::bench::ConvProblem;

ConvProblem problem_of(const ConvShape &s) { return {s.N, s.C, s.K, s.H, s.W, s.padding}; }

// oneDNN on its own blocked layouts (tensors reordered once, outside the
// timing), and the same called on NCHW tensors as wino's API takes them (the
// input and output reorders in every call; bench/onednn_peer.h).
struct Peer {
    const char *name, *algorithm;
    bool nchw_calls;
};
const Peer kPeers[] = {{"onednn_direct", "direct", false},
                       {"onednn_winograd", "winograd", false},
                       {"onednn_direct_nchw", "direct", true},
                       {"onednn_winograd_nchw", "winograd", true}};

const Peer &peer_of(const std::string &name) {
    for (const Peer &p : kPeers)
        if (name == p.name) return p;
    throw std::invalid_argument("no oneDNN peer named '" + name + "'");
}

// auto, the selector, has a row per layout: it chooses among the variants
// of the caller's layout (RunOptions::layout), on tensors of that layout.
struct Selector {
    const char *row, *layout;
};
const Selector kSelectors[] = {{"auto", "nchw"}, {"auto_nhwc", "nhwc"}};

const Selector *selector_of(const std::string &row) {
    for (const Selector &s : kSelectors)
        if (row == s.row) return &s;
    return nullptr;
}

// GPU variants: calls per CUDA graph and replays per repetition, as
// bench/cudnn_peer.py times cuDNN (per_graph, replays); and single calls
// timed after, for call_ms and the copies.
constexpr int kCallsPerGraph = 20, kGraphReplays = 30;
constexpr int kSingleCalls = 10;

// What one benchmark measures.
struct Case {
    std::string variant;  // a wino variant or a peer
    ConvShape shape;
    int threads;
    std::string name() const { return variant + "/" + shape.str() + "/threads:" + std::to_string(threads); }
};

std::map<int, double> g_peak;  // threads -> measured GFLOP/s

// Random input and weights per shape, shared by every variant of that shape.
using Data = wino::bench::LayerData;
const Data &data_for(const ConvShape &s) {
    static std::map<std::string, Data> cache;
    auto it = cache.find(s.str());
    if (it == cache.end()) it = cache.emplace(s.str(), wino::bench::random_layer(s, 42)).first;
    return it->second;
}

wino::AlignedFloats output_for(const ConvShape &s) { return wino::AlignedFloats(size_t(s.N) * s.K * s.out_h() * s.out_w()); }

wino::AlignedFloats run_direct_once(const ConvShape &s) {
    const Data &d = data_for(s);
    wino::AlignedFloats out = output_for(s);
    wino::conv2d("direct", {d.input.data(), s.input()}, {d.weights.data(), s.weights()}, {out.data(), s.output()},
                 s.padding);
    return out;
}

void set_shape_counters(benchmark::State &state, const Case &c) {
    const ConvShape &s = c.shape;
    state.counters["GFLOP/s"] = benchmark::Counter(s.flops() / 1e9, benchmark::Counter::kIsIterationInvariantRate);
    for (auto [key, value] : {std::pair{"N", s.N}, {"C", s.C}, {"K", s.K}, {"H", s.H}, {"W", s.W},
                              {"padding", s.padding}, {"num_threads", c.threads}})
        state.counters[key] = value;
}

bool on_gpu(const std::string &row) { return !selector_of(row) && wino::variant(row).device == "cuda"; }

// --idle-us: the caller sleeps this long between timed calls, outside the
// timing, as an app does other work between layers. A pool whose workers
// sleep when idle (oneTBB's, after ~0.1-0.2 ms here) then pays their wake-up
// inside the next call; one whose workers spin (OpenMP's, oneDNN's) does not.
// Calls back to back (the default, 0) hide the difference.
double g_idle_us = 0;

// --cold: before every timed CPU call the caches hold none of its data, as
// in a network whose other layers ran since this one last did: its weights,
// input and output come from memory. Back to back (the default), a layer's
// weights stay in the last-level cache between calls as far as it holds
// them, which hides what a variant's weight bytes cost: cold, 1x256x14²
// F(4,3) (9.4 MB of U) took 2.0x its back-to-back time and oneDNN's F(2,3)
// (4.2 MB) 1.6x (Zen 5, 1 thread; bench/results/zen5-2core/session30).
bool g_cold = false;
// --threads-by-work: a call takes no more threads than its work keeps busy (RunOptions::threads_by_work).
bool g_threads_by_work = false;
// A cold call's repetition is this many calls: each first evicts the caches
// (a few milliseconds, outside the timing), so min_time's thousands of calls
// for a small layer would take minutes.
constexpr int kColdCalls = 10;

// Evicts what the calls left in the caches: one thread per hardware thread
// reads its share of a buffer twice the size of the last-level cache (at
// least 64 MiB, and 4 L2s per thread), so the shared cache and, where the
// threads land on distinct cores, each core's own caches hold the buffer.
// Reads, not writes: dirty lines would be written back during the next
// timed call.
class CacheEvictor {
public:
    CacheEvictor() : threads_(int(std::max(1u, std::thread::hardware_concurrency()))) {
        const size_t l3 = size_t(std::max(0L, sysconf(_SC_LEVEL3_CACHE_SIZE)));
        const size_t l2 = size_t(std::max(0L, sysconf(_SC_LEVEL2_CACHE_SIZE)));
        const size_t bytes = std::max({size_t(64) << 20, 2 * l3, size_t(threads_) * 4 * l2});
        buffer_.assign(bytes / sizeof(float), 1.0f);  // written once here: its pages exist
    }
    size_t bytes() const { return buffer_.size() * sizeof(float); }
    int threads() const { return threads_; }
    void evict() {
        const size_t share = buffer_.size() / threads_;
        std::vector<float> sums(threads_);
        auto read = [&](int t) {
            float sum = 0;
            for (size_t i = t * share; i < (t + 1) * share; i += 16) sum += buffer_[i];  // a float per 64-byte line
            sums[t] = sum;
        };
        std::vector<std::thread> readers;
        for (int t = 1; t < threads_; t++) readers.emplace_back(read, t);
        read(0);
        for (std::thread &r : readers) r.join();
        for (float s : sums) sink_ += s;  // the reads have an effect
    }

private:
    int threads_;
    std::vector<float> buffer_;
    volatile float sink_ = 0;
};

CacheEvictor &evictor() {
    static CacheEvictor e;
    return e;
}

// Back to back, Google Benchmark times the loop. With --idle-us or --cold
// each call is timed alone (manual time), the sleep and the eviction between
// calls outside it.
bool calls_timed_alone() { return g_cold || g_idle_us > 0; }

template <typename Call>
void time_calls(benchmark::State &state, Call call) {
    if (!calls_timed_alone()) {
        for (auto _ : state) call();
        return;
    }
    for (auto _ : state) {
        if (g_cold) evictor().evict();
        if (g_idle_us > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::micro>(g_idle_us));
        const auto start = std::chrono::steady_clock::now();
        call();
        state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
}

// The time this variant's multiply takes at the FMA peak measured at
// `threads` on layer s: the multiply-adds its register and channel blocks
// compute (wino::Estimate::multiply_fmas), the floor no schedule of the same
// blocks beats; 0 where the model does not count them (GPU, tensor-level,
// autoscheduled) or the peak is unknown.
double multiply_floor_ms(const std::string &variant, const ConvShape &s, int threads, const std::string &layout) {
    const auto peak = g_peak.find(threads);
    if (peak == g_peak.end() || !(peak->second > 0)) return 0;
    wino::RunOptions options;
    options.threads = threads;
    options.layout = layout;
    for (const wino::Estimate &e : wino::estimate_variants(s, options))
        if (e.variant == variant) return 2 * e.multiply_fmas / (peak->second * 1e6);
    return 0;
}

void bench_variant(benchmark::State &state, const Case &c) {
    const ConvShape &s = c.shape;
    const Data &d = data_for(s);
    wino::AlignedFloats out = output_for(s);
    wino::RunStats stats;
    const bool gpu = on_gpu(c.variant);
    const Selector *selector = selector_of(c.variant);
    const std::string variant = selector ? "auto" : c.variant;
    double copy_in = 0, copy_out = 0, single_call_ms = 0;
    std::string ran = c.variant, layout;  // what ran (auto: its pick), on which layout
    try {
        wino::RunOptions options;
        options.threads = c.threads;
        options.threads_by_work = g_threads_by_work;
        // A variant runs on tensors of its own layout (the same random values
        // read in that order), a selector row on its row's.
        options.layout = selector ? selector->layout : wino::variant(c.variant).layout;
        // auto chooses for this layer; its label says what.
        auto prepared = wino::prepare_weights(variant, {d.weights.data(), s.weights()}, options,
                                              s.input(options.layout), s.padding);
        ran = prepared.variant(), layout = options.layout;
        wino::ConstTensor in{d.input.data(), s.input(options.layout)};
        wino::Tensor y{out.data(), s.output(options.layout)};
        // Once untimed: a GPU variant's first call loads its kernels, which the
        // driver compiles from PTX unless its cache has them (a repetition of
        // 244 ms against 0.04 was seen), and a CPU variant's first call
        // faults in its temporaries.
        wino::conv2d(variant, in, prepared, y, s.padding, options);
        if (gpu) {
            // Device time per call as cuDNN's is taken (bench/cudnn_peer.py):
            // calls back to back in one CUDA graph, replayed; no host work
            // between kernels.
            wino::GpuGraphTimer graph(c.variant, in, prepared, s.padding, kCallsPerGraph);
            for (auto _ : state) state.SetIterationTime(graph.replay_ms() / 1e3);
            // One call at a time, as conv2d runs it: events around its
            // kernels, so the host's time to launch them counts (call_ms);
            // and its copies, timed apart.
            options.stats = &stats;
            std::vector<double> call_ms;
            for (int i = 0; i < kSingleCalls; i++) {
                wino::conv2d(c.variant, in, prepared, y, s.padding, options);
                call_ms.push_back(stats.compute_ms);
                copy_in += stats.copy_in_ms / kSingleCalls;
                copy_out += stats.copy_out_ms / kSingleCalls;
            }
            std::nth_element(call_ms.begin(), call_ms.begin() + kSingleCalls / 2, call_ms.end());
            single_call_ms = call_ms[kSingleCalls / 2];
        } else {
            time_calls(state, [&] { wino::conv2d(variant, in, prepared, y, s.padding, options); });
        }
        options.stats = &stats;  // once more, outside the timing, for its memory and parallelism
        wino::conv2d(variant, in, prepared, y, s.padding, options);
        if (selector) state.SetLabel(prepared.variant());
    } catch (const wino::Error &e) {
        state.SkipWithError(e.what());
        return;
    }
    set_shape_counters(state, c);
    state.counters["peak_MiB"] = double(stats.peak_temporary_bytes) / (1 << 20);
    state.counters["tasks"] = double(stats.parallel_tasks);
    state.counters["joins"] = double(stats.fork_joins);
    state.counters["threads_used"] = double(stats.threads);
    if (const double floor = gpu ? 0 : multiply_floor_ms(ran, s, c.threads, layout); floor > 0)
        state.counters["floor_ms"] = floor;
    if (gpu) {
        state.counters["call_ms"] = single_call_ms;
        state.counters["copy_in_ms"] = copy_in;
        state.counters["copy_out_ms"] = copy_out;
    }
}

void bench_peer(benchmark::State &state, const Case &c) {
    const ConvShape &s = c.shape;
    const Data &d = data_for(s);
    const Peer &peer = peer_of(c.variant);
    std::unique_ptr<wino::bench::OneDnnConv> conv;
    try {
        conv = std::make_unique<wino::bench::OneDnnConv>(peer.algorithm, problem_of(s), d.input.data(),
                                                         d.weights.data(), c.threads, peer.nchw_calls);
        // Sanity: the peer computes the same convolution as ours.
        conv->run();
        const std::vector<float> theirs = conv->output_nkhw();
        const wino::AlignedFloats ours = run_direct_once(s);
        double worst = 0, scale = 1e-6;
        for (size_t i = 0; i < ours.size(); i++) {
            worst = std::max(worst, double(std::fabs(theirs[i] - ours[i])));
            scale = std::max(scale, double(std::fabs(ours[i])));
        }
        if (theirs.size() != ours.size() || worst > 1e-3 * scale) {
            state.SkipWithError(("oneDNN output differs from direct (max diff " + std::to_string(worst) + ")").c_str());
            return;
        }
    } catch (const std::exception &e) {
        state.SkipWithError(("unsupported: " + std::string(e.what())).c_str());
        return;
    }
    time_calls(state, [&] { conv->run(); });
    state.SetLabel(conv->implementation());
    set_shape_counters(state, c);
}

// Median (or single run) of each case, as Google Benchmark reports them.
struct Result {
    double ms = NAN, peak_mib = NAN, tasks = NAN, joins = NAN, threads_used = NAN, call_ms = NAN, copy_in_ms = NAN, copy_out_ms = NAN,
           floor_ms = NAN;
    std::string error, label;
};
std::map<std::string, Result> g_results;

template <typename Base>
class Collecting : public Base {
public:
    using Base::Base;
    void ReportRuns(const std::vector<benchmark::BenchmarkReporter::Run> &runs) override {
        for (const auto &r : runs) {
            const std::string name = r.run_name.function_name;
            Result &result = g_results[name];
            if (r.error_occurred) {
                result.error = r.error_message;
            } else if (r.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate ? r.aggregate_name == "median"
                                                                                 : std::isnan(result.ms)) {
                result.ms = r.GetAdjustedRealTime();
                result.label = r.report_label;
                auto counter = [&](const char *key) {
                    auto it = r.counters.find(key);
                    return it == r.counters.end() ? NAN : double(it->second);
                };
                result.peak_mib = counter("peak_MiB");
                result.tasks = counter("tasks");
                result.joins = counter("joins");
                result.threads_used = counter("threads_used");
                result.call_ms = counter("call_ms");
                result.copy_in_ms = counter("copy_in_ms");
                result.copy_out_ms = counter("copy_out_ms");
                result.floor_ms = counter("floor_ms");
            }
        }
        Base::ReportRuns(runs);
    }
};

std::string fmt(const char *f, double v) {
    if (std::isnan(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

void print_summary(FILE *out, const std::vector<ConvShape> &shapes, const std::vector<int> &threads,
                   const std::vector<std::string> &names) {
    std::fprintf(out, "\nMedian of each benchmark; speedup = other's time / this time (>1: this is faster);\n"
                      "MiB: peak memory of the call's temporaries; tasks: parallel tasks its loops offered;\n"
                      "joins: parallel loops it handed to the pool (each a fork and a join: wino_pool_probe);\n"
                      "thr: the threads it ran on (all asked for, or with --threads-by-work what its work keeps busy);\n"
                      "floor: the share of the time its multiply would take at the FMA peak, the multiply-adds\n"
                      "its blocks compute (waste at the layer's edges included): how close it runs to its own floor.\n");
    if (g_idle_us > 0) std::fprintf(out, "CPU calls %g us apart (--idle-us), not back to back.\n", g_idle_us);
    if (g_cold) std::fprintf(out, "CPU calls cold (--cold): the caches evicted before each.\n");
    for (const ConvShape &s : shapes)
        for (int t : threads) {
            auto result = [&](const std::string &v) -> const Result * {
                auto it = g_results.find(Case{v, s, t}.name());
                return it == g_results.end() ? nullptr : &it->second;
            };
            auto ms_of = [&](const std::string &v) { return result(v) ? result(v)->ms : NAN; };
            std::fprintf(out, "\n%s, padding %d, %d thread%s (FMA peak %.1f GFLOP/s)\n", s.str().c_str(), s.padding, t,
                         t > 1 ? "s" : "", g_peak[t]);
            std::fprintf(out, "%-22s %10s %9s %7s %6s %10s %10s %10s %9s %7s %6s %4s\n", "variant", "ms", "GFLOP/s",
                         "%peak", "floor", "vs direct", "vs dnnl-d", "vs dnnl-w", "MiB", "tasks", "joins", "thr");
            const double direct = ms_of("direct"), dd = ms_of("onednn_direct"), dw = ms_of("onednn_winograd");
            for (const std::string &v : names) {
                const Result *r = result(v);
                if (!r) continue;
                if (!r->error.empty()) {
                    std::fprintf(out, "%-22s %s\n", v.c_str(), r->error.substr(0, 100).c_str());
                    continue;
                }
                const double gf = s.flops() / (r->ms * 1e-3) / 1e9;
                std::fprintf(out, "%-22s %10s %9s %7s %6s %10s %10s %10s %9s %7s %6s %4s%s\n", v.c_str(), fmt("%.4f", r->ms).c_str(),
                             fmt("%.1f", gf).c_str(), fmt("%.0f%%", 100 * gf / g_peak[t]).c_str(),
                             fmt("%.0f%%", 100 * r->floor_ms / r->ms).c_str(),
                             fmt("%.2fx", direct / r->ms).c_str(), fmt("%.2fx", dd / r->ms).c_str(),
                             fmt("%.2fx", dw / r->ms).c_str(), fmt("%.2f", r->peak_mib).c_str(),
                             fmt("%.0f", r->tasks).c_str(), fmt("%.0f", r->joins).c_str(),
                             fmt("%.0f", r->threads_used).c_str(), r->label.empty() ? "" : ("  " + r->label).c_str());
                // A GPU variant's time (calls replayed in a CUDA graph) leaves
                // out what these rows show: one call alone, its kernels'
                // launch included, and its copies.
                if (!std::isnan(r->copy_in_ms))
                    std::fprintf(out,
                                 "%-22s %10s   (one call alone: launches included)\n"
                                 "%-22s %10s   (copy of the input to the GPU)\n%-22s %10s   (copy of the output back)\n",
                                 ("  " + v + " call").c_str(), fmt("%.4f", r->call_ms).c_str(),
                                 ("  " + v + " in").c_str(), fmt("%.4f", r->copy_in_ms).c_str(),
                                 ("  " + v + " out").c_str(), fmt("%.4f", r->copy_out_ms).c_str());
            }
        }
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"wino_bench: every variant and oneDNN's convolutions on a suite of shapes x thread counts.\n"
                 "Other arguments (--benchmark_*) go to Google Benchmark."};
    std::vector<ConvShape> shapes;
    std::vector<int> threads;
    std::vector<std::string> only;
    bool no_peers = false;
    wino::bench::add_shape_option(app, shapes);
    app.add_option("--threads", threads, "a thread count, repeatable; default: 1 and all cores")
        ->check(CLI::Range(1, 1 << 16));
    app.add_option("--variant", only, "run only these variants, or auto (NCHW) and auto_nhwc (repeatable); default: all");
    app.add_flag("--no-peers", no_peers, "skip oneDNN");
    app.add_option("--idle-us", g_idle_us,
                   "sleep this long between timed CPU calls (outside the timing), as an app between layers; "
                   "default 0: calls back to back")
        ->check(CLI::Range(0.0, 1e6));
    app.add_flag("--cold", g_cold,
                 "evict the caches before every timed CPU call (outside the timing), as in a network between two "
                 "calls of a layer: weights and tensors come from memory; " +
                     std::to_string(kColdCalls) + " calls per repetition");
    app.add_flag("--threads-by-work", g_threads_by_work,
                 "a call takes no more of its --threads than the cost model says its layer's work keeps busy "
                 "(RunOptions::threads_by_work; the thr column says how many)");
    bool calibrate = false;
    app.add_flag("--calibrate", calibrate,
                 "first calibrate auto's cost model at each --threads on the calibration layers (as wino_tune "
                 "--calibrate), so auto in this run chooses by it");
    app.allow_extras();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    for (const std::string &v : only) {
        try {
            if (!selector_of(v)) wino::variant(v);  // auto's rows are no variants
        } catch (const wino::Error &e) {
            std::fprintf(stderr, "wino_bench: error: %s\n", e.what());
            return 2;
        }
    }
    if (shapes.empty()) shapes = wino::bench::default_shapes();
    if (threads.empty()) {
        threads = {1};
        const int all = int(std::max(1u, std::thread::hardware_concurrency()));
        if (all > 1) threads.push_back(all);
    }

    // Google Benchmark's flags, with defaults that keep the suite to a few minutes; the user's win.
    std::vector<std::string> gb_args{argv[0]};
    for (const std::string &a : app.remaining()) gb_args.push_back(a);
    auto default_flag = [&](const std::string &flag, const std::string &value) {
        if (benchmark_flag(gb_args, flag).empty()) gb_args.push_back("--benchmark_" + flag + "=" + value);
    };
    default_flag("repetitions", "5");
    if (benchmark_flag(gb_args, "display_aggregates_only").empty()) default_flag("report_aggregates_only", "true");
    default_flag("min_time", "0.05");
    // Repetitions interleaved at random across all benchmarks: load that
    // drifts on a shared host then slows every variant alike, not whichever
    // happened to run during it.
    default_flag("enable_random_interleaving", "true");
    const bool json_display = benchmark_flag(gb_args, "format") == "json";
    std::vector<char *> gb_argv;
    for (std::string &a : gb_args) gb_argv.push_back(a.data());
    int n = int(gb_argv.size());
    benchmark::Initialize(&n, gb_argv.data());
    if (benchmark::ReportUnrecognizedArguments(n, gb_argv.data())) return 2;

    FILE *info = json_display ? stderr : stdout;
    const std::string cpu_target = wino::bench::cpu_variants_target();
    const std::string target = cpu_target.empty() ? "none" : cpu_target;
    if (calibrate)
        for (int t : threads) wino::bench::calibrate_and_report(wino::bench::calibration_shapes(), t, 3,
                                                                wino::bench::machine_id(target), info);
    const std::string cpu = wino::bench::cpu_model();
    benchmark::AddCustomContext("cpu", cpu);
    benchmark::AddCustomContext("halide_target", target);
    benchmark::AddCustomContext("idle_us", std::to_string(g_idle_us));
    benchmark::AddCustomContext("cold", g_cold ? "true" : "false");
    benchmark::AddCustomContext("threads_by_work", g_threads_by_work ? "true" : "false");
    if (g_threads_by_work)
        std::fprintf(info, "Threads: a call takes no more than its layer's work keeps busy (--threads-by-work; "
                           "the thr column)\n");
    if (g_cold)
        std::fprintf(info, "Cold calls: %.0f MiB read on %d threads before every timed CPU call (--cold)\n",
                     double(evictor().bytes()) / (1 << 20), evictor().threads());
    const char *pool = wino::detail::pool_kind_name(wino::detail::pool_kind());
    benchmark::AddCustomContext("pool", pool);
    const int hold_us = wino::detail::pool_hold_microseconds();
    benchmark::AddCustomContext("pool_hold_us", std::to_string(hold_us));
    const int affinity = wino::detail::pool_affinity_level();
    benchmark::AddCustomContext("pool_affinity", std::to_string(affinity));
    const int nested = wino::detail::pool_nested_level();
    benchmark::AddCustomContext("pool_nested", std::to_string(nested));
    std::fprintf(info,
                 "CPU: %s\nHalide target: %s\nThread pool: %s (WINO_POOL), affinity %d (WINO_AFFINITY), nested %d "
                 "(WINO_NESTED)%s\n",
                 cpu.c_str(), target.c_str(), pool, affinity, nested,
                 hold_us ? (", threads held up to " + std::to_string(hold_us) + " us for a loop's last task (WINO_HOLD_US)")
                               .c_str()
                         : "");
    for (const auto &v : wino::variants()) {
        nlohmann::json meta = {{"algorithm", v.algorithm}, {"schedule", v.schedule}, {"m", v.m},
                               {"parameters", v.parameters}, {"target", v.target},
                               {"device", v.device},         {"autoscheduled", v.autoscheduled},
                               {"tuned", v.tuned},           {"layout", v.layout}};
        benchmark::AddCustomContext("variant:" + v.name, meta.dump());
    }
    for (const Selector &sel : kSelectors)
        benchmark::AddCustomContext("selector:" + std::string(sel.row), nlohmann::json{{"layout", sel.layout}}.dump());
    // The peak at the CPU variants' vector width (a build for AVX2 on an
    // AVX-512 CPU is held to AVX2's peak).
    const int lanes = cpu_target.empty() ? 16 : wino::machine_of_target_string(cpu_target).lanes;
    for (int t : threads) {
        auto peak = wino::detail::measure_fma_peak(t, lanes);
        g_peak[t] = peak.gflops;
        std::fprintf(info, "Measured fp32 FMA peak, %d thread%s: %.1f GFLOP/s (%d-lane vectors)\n", t,
                     t > 1 ? "s" : "", peak.gflops, peak.lanes);
        benchmark::AddCustomContext("fma_peak_gflops_threads_" + std::to_string(t), std::to_string(peak.gflops));
    }
    bool peers = !no_peers;
    if (peers && !wino::bench::OneDnnConv::available()) {
        std::fprintf(info, "oneDNN peers: skipped (built without oneDNN)\n");
        peers = false;
    }

    // GPU variants only where a GPU is (elsewhere they would only say so);
    // auto, the selector, after the compiled variants: a row per layout that
    // some CPU variant takes.
    std::vector<std::string> names;
    std::string no_gpu;
    const bool gpu = wino::gpu_available(&no_gpu);
    if (!gpu) std::fprintf(info, "GPU variants: skipped (%s)\n", no_gpu.c_str());
    for (const auto &v : wino::variants())
        if ((only.empty() || std::find(only.begin(), only.end(), v.name) != only.end()) && (gpu || v.device == "cpu"))
            names.push_back(v.name);
    for (const Selector &sel : kSelectors) {
        const bool compiled = std::any_of(wino::variants().begin(), wino::variants().end(), [&](const auto &v) {
            return v.device == "cpu" && v.layout == sel.layout;
        });
        if (compiled && (only.empty() || std::find(only.begin(), only.end(), sel.row) != only.end()))
            names.push_back(sel.row);
    }
    size_t count = 0;
    auto add = [&](const Case &c, bool peer) {
        auto *b = benchmark::RegisterBenchmark(c.name().c_str(), [c, peer](benchmark::State &st) {
            peer ? bench_peer(st, c) : bench_variant(st, c);
        })->Unit(benchmark::kMillisecond);
        // A GPU case's iteration is one graph replay of kCallsPerGraph calls,
        // its manual time that per call: a fixed count of replays, as
        // cudnn_peer.py's, instead of min_time's worth of per-call time
        // (which took kCallsPerGraph times min_time of wall time per case).
        if (!peer && on_gpu(c.variant)) b->UseManualTime()->Iterations(kGraphReplays);
        else if (g_cold) b->UseManualTime()->Iterations(kColdCalls);
        else if (calls_timed_alone()) b->UseManualTime();
        else b->UseRealTime();
        count++;
    };
    for (const ConvShape &s : shapes)
        for (int t : threads)
            for (const std::string &v : names) add({v, s, t}, false);
    // Peers last: OpenMP threads spinning after a oneDNN call would slow whatever runs next.
    if (peers) {
        for (const Peer &p : kPeers) names.push_back(p.name);
        for (const ConvShape &s : shapes)
            for (int t : threads)
                for (const Peer &p : kPeers) add({p.name, s, t}, true);
    }
    std::fprintf(info, "%zu benchmarks, each %s repetitions (median reported)\n", count,
                 benchmark_flag(gb_args, "repetitions").c_str());

    if (json_display) {
        Collecting<benchmark::JSONReporter> reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
    } else {
        Collecting<benchmark::ConsoleReporter> reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
    }
    print_summary(info, shapes, threads, names);
    benchmark::Shutdown();
    return 0;
}
