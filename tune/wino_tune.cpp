// wino_tune: searches the schedule space on this machine, for given layers
// and a thread count, with candidates JIT-compiled from the library's own
// algorithm and schedule code (tune/jit.h) and checked against a float64
// reference before they are timed.
//
//   wino_tune [--shape N,C,K,H,W[,P]]... [--threads T] [--budget SECONDS]
//             [--log FILE] [--rows FILE] [--candidate KEY]... [--select] [--calibrate] [--explain]
//             [--from-log]
//
// The space (tune/space.h): Winograd fused for m = 2, 4, 6 and direct, each
// with its register block (a fixed list and those that fit the layer's tile
// or pixel grid), channel vectors, band budget and what runs in
// parallel. From every hand-written variant of the table and each
// algorithm's default, a coordinate descent changes one parameter at a time
// and keeps what is faster, until the budget is spent. Compiled candidates
// are shared across layers. Every measured point goes to the log (JSON
// lines; a rerun with the same log resumes, measuring nothing twice). After
// the search, each algorithm's few fastest points are timed again in
// interleaved rounds (--confirm, --rounds) and the fastest of each algorithm
// after that are the winners, written as variant-table rows (--rows, default
// tuned_variants.cmake in the source tree, which the next build compiles).
// --from-log measures nothing: the winners are the log's fastest points (to
// rewrite the rows from a finished search). --select instead measures the
// compiled variants on each layer and records the fastest in the tuning
// table the selector `auto` reads (wino/wino.h). --calibrate measures them on
// a calibration set of layers (or the --shape ones) and fits the cost model
// `auto` falls back on for layers the table lacks; it prints each fit and
// how well it picks for each layer held out of it. --explain prints what both
// models predict for each variant, and auto's pick.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "jit.h"
#include "calibration_report.h"
#include "reference.h"
#include "shapes.h"
#include "space.h"
#include "wino/wino.h"

namespace {

using Clock = std::chrono::steady_clock;
// The rows file gets a winner of each (a user who needs exact arithmetic
// takes direct's, whatever Winograd's speed).
const std::vector<std::string> kAlgorithms{"winograd", "direct"};
using wino::ConvShape;
using wino::tune::Candidate;
using wino::tune::Compiled;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A layer's data and float64 reference, made once.
struct Problem {
    ConvShape shape;
    std::vector<float> x, w;
    std::vector<double> reference, scale;
};

Problem make_problem(const ConvShape &s) {
    wino::bench::LayerData data = wino::bench::random_layer(s, 12345);
    Problem p{s, {data.input.begin(), data.input.end()}, {data.weights.begin(), data.weights.end()}, {}, {}};
    p.reference = wino::test::reference_conv(s, p.x, p.w);
    p.scale = wino::test::error_scale(s, p.x, p.w);
    return p;
}

// The layer's input in the candidate's layout, 64-byte aligned as wino_bench
// times it (wino/aligned.h).
wino::AlignedFloats input_of(const Problem &p, const Compiled &compiled) {
    const ConvShape &s = p.shape;
    const std::vector<float> x = wino::test::to_layout(p.x, s.N, s.C, s.H, s.W, compiled.layout());
    return {x.begin(), x.end()};
}

// One measured point.
struct Point {
    std::string shape;
    int threads = 1;
    std::string key;
    double ms = NAN;     // median time; NaN if it failed
    double error = NAN;  // scaled error against float64
    double compile_s = NAN;
    std::string failure;
    std::string machine;  // where it was measured (machine_id); empty in logs written before it was recorded
    bool ok() const { return failure.empty() && std::isfinite(ms); }
};

nlohmann::json to_json(const Point &p) {
    return {{"shape", p.shape}, {"threads", p.threads}, {"key", p.key},     {"ms", p.ok() ? nlohmann::json(p.ms) : nullptr},
            {"error", std::isfinite(p.error) ? nlohmann::json(p.error) : nullptr},
            {"compile_s", std::isfinite(p.compile_s) ? nlohmann::json(p.compile_s) : nullptr},
            {"failure", p.failure}, {"machine", p.machine}};
}

Point point_from_json(const nlohmann::json &j) {
    Point p;
    p.shape = j.at("shape");
    p.threads = j.at("threads");
    p.key = j.at("key");
    p.ms = j.at("ms").is_null() ? NAN : j.at("ms").get<double>();
    p.error = j.at("error").is_null() ? NAN : j.at("error").get<double>();
    p.compile_s = j.value("compile_s", nlohmann::json()).is_null() ? NAN : j.at("compile_s").get<double>();
    p.failure = j.value("failure", "");
    p.machine = j.value("machine", "");
    return p;
}

// Times `run` (after one warm-up call): the fastest of batches, each at least
// ~20 ms or 1 call, until ~`seconds` are spent (at least 5 batches). The
// fastest, not the median: on a shared host noise only ever slows a batch
// down, and the search compares candidates measured minutes apart.
template <typename F>
double fastest_batch_ms(F run, double seconds) {
    run();
    const auto t0 = Clock::now();
    run();
    const double once = std::max(seconds_since(t0), 1e-7);
    const int per_batch = std::max(1, int(0.02 / once));
    const int batches = std::max(5, std::min(51, int(seconds / (once * per_batch))));
    std::vector<double> ms;
    for (int b = 0; b < batches; b++) {
        const auto t = Clock::now();
        for (int i = 0; i < per_batch; i++) run();
        ms.push_back(seconds_since(t) * 1e3 / per_batch);
    }
    return *std::min_element(ms.begin(), ms.end());
}

class Tuner {
public:
    // A log may hold points measured elsewhere (a log copied from another
    // machine, or one grown on several): only this machine's points, and
    // those of logs that predate the field, are resumed from or chosen.
    // `layout`: the tensors' layout whose points it ranks (a log may hold both).
    Tuner(Halide::Target target, int threads, double budget, double seconds_per_point, std::string log_path,
          std::string layout)
        : target_(target), threads_(threads), layout_(std::move(layout)), budget_(budget), per_point_(seconds_per_point),
          log_path_(std::move(log_path)), machine_(wino::bench::machine_id(target.to_string())),
          start_(Clock::now()) {
        if (log_path_.empty()) return;
        std::ifstream in(log_path_);
        size_t elsewhere = 0;
        for (std::string line; std::getline(in, line);) {
            if (line.empty()) continue;
            try {
                const Point p = point_from_json(nlohmann::json::parse(line));
                if (!p.machine.empty() && p.machine != machine_) {
                    elsewhere++;
                    continue;
                }
                done_[{p.shape, p.threads, p.key}] = p;
            } catch (const std::exception &e) {
                std::fprintf(stderr, "wino_tune: skipping a bad log line in %s: %s\n", log_path_.c_str(), e.what());
            }
        }
        if (elsewhere)
            std::fprintf(stderr, "wino_tune: ignoring %zu of the points in %s: measured on another machine (this one: %s)\n",
                         elsewhere, log_path_.c_str(), machine_.c_str());
        if (!done_.empty()) std::fprintf(stderr, "wino_tune: resuming from %s (%zu points)\n", log_path_.c_str(), done_.size());
    }

    bool out_of_time() const { return seconds_since(start_) > std::min(budget_, deadline_); }
    // Ends the current layer's search `seconds` from now (and never past the budget).
    void set_layer_budget(double seconds) { deadline_ = elapsed() + seconds; }

    // The point (shape, threads, candidate): from the log, or compiled, checked and timed now.
    const Point &measure(const Problem &problem, const Candidate &c) {
        const auto id = std::make_tuple(problem.shape.str(), threads_, c.key());
        if (auto it = done_.find(id); it != done_.end()) return it->second;
        Point p;
        p.shape = problem.shape.str();
        p.threads = threads_;
        p.machine = machine_;
        p.key = c.key();
        try {
            Compiled &compiled = compile(c, p.compile_s);
            const ConvShape &s = problem.shape;
            wino::AlignedFloats y(size_t(s.N) * s.K * s.out_h() * s.out_w(), NAN);
            const wino::AlignedFloats x = input_of(problem, compiled);
            auto prepared = compiled.prepare(problem.w, s, threads_);
            compiled.run(x.data(), prepared, s, threads_, y.data());
            p.error = wino::test::max_scaled_error(
                wino::test::from_layout({y.begin(), y.end()}, s.N, s.K, s.out_h(), s.out_w(), compiled.layout()),
                problem.reference, problem.scale);
            if (!(p.error <= wino::test::tolerance(c.m))) {
                p.failure = "wrong result: scaled error " + std::to_string(p.error);
            } else {
                p.ms = fastest_batch_ms([&] { compiled.run(x.data(), prepared, s, threads_, y.data()); }, per_point_);
            }
        } catch (const std::exception &e) {
            p.failure = e.what();
        }
        log(p);
        return done_[id] = p;
    }

    // Times a measured point once more (interleaved rounds of A/B
    // comparisons); keeps the faster of its times.
    const Point &retime(const Problem &problem, const Candidate &c) {
        Point &p = const_cast<Point &>(measure(problem, c));
        if (!p.ok()) return p;
        double ignored;
        Compiled &compiled = compile(c, ignored);
        wino::AlignedFloats y(size_t(problem.shape.N) * problem.shape.K * problem.shape.out_h() * problem.shape.out_w());
        const wino::AlignedFloats x = input_of(problem, compiled);
        auto prepared = compiled.prepare(problem.w, problem.shape, threads_);
        p.machine = machine_;
        p.ms = std::min(p.ms, fastest_batch_ms(
                                  [&] { compiled.run(x.data(), prepared, problem.shape, threads_, y.data()); },
                                  per_point_));
        log(p);  // the log's last line for a point wins when it is read back
        return p;
    }

    // Times each candidate `rounds` times in all, one round after another
    // (every candidate once per round), each keeping its fastest.
    void retime_interleaved(const Problem &problem, const std::vector<Candidate> &candidates, int rounds) {
        for (const Candidate &c : candidates) measure(problem, c);
        for (int round = 2; round <= rounds; round++)
            for (const Candidate &c : candidates) retime(problem, c);
    }

    // The `top` fastest correct points of `algorithm` on this layer, and the
    // `top` fastest that run hand-written rows, timed again in interleaved
    // rounds: a winner picked from single timings on a loaded host is partly
    // noise (one schedule measured twice moved 1.4x here), and hand rows timed
    // once against winners timed `rounds` times (each keeping its
    // fastest) lose by the count alone: in session13/tune the search put a
    // winner 1.22x ahead of the hand row that wino_bench then ran 1.06x
    // faster than it. Returns the fastest after that, or null.
    const Point *confirm(const Problem &problem, const std::string &algorithm, int top, int rounds) {
        std::vector<Candidate> ranked;
        auto add = [&](const Point *p) {
            if (std::none_of(ranked.begin(), ranked.end(), [&](const Candidate &c) { return c.key() == p->key; }))
                ranked.push_back(Candidate::from_key(p->key));
        };
        const std::vector<const Point *> all = logged(problem.shape, algorithm);
        for (size_t i = 0; i < all.size() && i < size_t(top); i++) add(all[i]);
        for (const HandPoint &h : hand_points(problem.shape, algorithm, top)) add(h.point);
        if (ranked.size() > 1) retime_interleaved(problem, ranked, rounds);
        return best_logged(problem.shape, algorithm);
    }

    // The `top` fastest correct points of `algorithm` on this layer that run
    // hand-written variants' schedules (not tuned or autoscheduled rows), with
    // those variants' names: what a winner has to beat to be worth a row.
    struct HandPoint {
        const Point *point = nullptr;
        std::string variant;
    };
    std::vector<HandPoint> hand_points(const ConvShape &shape, const std::string &algorithm, int top) const {
        const std::map<std::string, std::string> hand = wino::tune::hand_variants();
        std::vector<HandPoint> out;
        for (const Point *p : logged(shape, algorithm)) {
            if (out.size() >= size_t(top)) break;
            try {
                const auto h = hand.find(wino::tune::canonical_key(Candidate::from_key(p->key), target_.to_string()));
                if (h != hand.end()) out.push_back({p, h->second});
            } catch (const std::invalid_argument &) {
            }
        }
        return out;
    }

    double elapsed() const { return seconds_since(start_); }
    const Halide::Target &target() const { return target_; }

    // The correct points the log holds for (shape, threads) of `algorithm`
    // ("direct" or "winograd") in the tuner's layout, fastest first.
    std::vector<const Point *> logged(const ConvShape &shape, const std::string &algorithm) const {
        std::vector<const Point *> out;
        for (const auto &[id, p] : done_) {
            if (std::get<0>(id) != shape.str() || std::get<1>(id) != threads_ || !p.ok()) continue;
            const Candidate c = Candidate::from_key(p.key);
            const auto layout = c.params.find("layout");
            if (c.algorithm == algorithm && (layout == c.params.end() ? "nchw" : layout->second) == layout_)
                out.push_back(&p);
        }
        std::sort(out.begin(), out.end(), [](const Point *a, const Point *b) { return a->ms < b->ms; });
        return out;
    }
    const Point *best_logged(const ConvShape &shape, const std::string &algorithm) const {
        const std::vector<const Point *> all = logged(shape, algorithm);
        return all.empty() ? nullptr : all.front();
    }

private:
    void log(const Point &p) const {
        if (log_path_.empty()) return;
        std::ofstream out(log_path_, std::ios::app);
        out << to_json(p).dump() << "\n";
    }

    Compiled &compile(const Candidate &c, double &compile_s) {
        auto it = compiled_.find(c.key());
        if (it == compiled_.end()) {
            auto made = std::make_unique<Compiled>(c, target_);
            compile_s = made->compile_seconds();
            it = compiled_.emplace(c.key(), std::move(made)).first;
        } else {
            compile_s = 0;
        }
        return *it->second;
    }

    Halide::Target target_;
    int threads_;
    std::string layout_;
    double budget_, per_point_;
    std::string log_path_;
    std::string machine_;
    Clock::time_point start_;
    double deadline_ = 1e30;
    std::map<std::tuple<std::string, int, std::string>, Point> done_;
    std::map<std::string, std::unique_ptr<Compiled>> compiled_;
};

void progress(const Tuner &t, double budget, const ConvShape &s, int measured, const Point *best, const Point &last) {
    std::fprintf(stderr, "[%6.0fs/%.0fs] %s: %3d points, best %s (%s) | %s: %s\n", t.elapsed(), budget, s.str().c_str(),
                 measured, best ? (std::to_string(best->ms).substr(0, 6) + " ms").c_str() : "-",
                 best ? best->key.c_str() : "", last.key.c_str(),
                 last.ok() ? (std::to_string(last.ms).substr(0, 6) + " ms").c_str() : last.failure.substr(0, 60).c_str());
}

// Coordinate descent from each seed: change one parameter at a time over its
// values, keep any improvement, until a full sweep improves nothing.
// Whether a and b run the same schedule here (a parameter set to what the
// default resolves to, or one the schedule ignores, such as store=rows where
// a vector holds no whole block); false if either is malformed.
bool same_schedule(const Candidate &a, const Candidate &b, const Halide::Target &target) {
    if (a.key() == b.key()) return true;
    try {
        return wino::tune::canonical_key(a, target.to_string()) == wino::tune::canonical_key(b, target.to_string());
    } catch (const std::invalid_argument &) {
        return false;
    }
}

void search(Tuner &tuner, const Problem &problem, double budget, const std::string &layout) {
    const Point *best = nullptr;
    int measured = 0;
    auto consider = [&](const Candidate &c) {
        if (tuner.out_of_time()) return false;
        const Point &p = tuner.measure(problem, c);
        measured++;
        if (p.ok() && (!best || p.ms < best->ms)) best = &p;
        progress(tuner, budget, problem.shape, measured, best, p);
        return p.ok();
    };
    std::vector<Candidate> seeds = wino::tune::seeds(layout);
    for (const Candidate &seed : seeds) consider(seed);
    for (const Candidate &seed : seeds) {
        if (tuner.out_of_time()) break;
        Candidate current = seed;
        const Point *here = &tuner.measure(problem, current);
        if (!here->ok()) continue;
        for (bool improved = true; improved && !tuner.out_of_time();) {
            improved = false;
            for (const auto &[param, values] : wino::tune::dimensions(current, problem.shape, tuner.target().to_string())) {
                for (const std::string &value : values) {
                    std::vector<Candidate> nexts{current};
                    if (value.empty()) nexts[0].params.erase(param);
                    else nexts[0].params[param] = value;
                    if (param == "m") {
                        // The tile size and the register block go together: a block
                        // that fits one m's tile grid cuts another's badly (F(6,3) at
                        // 56x56: 10 x 10 tiles, which 7x1 blocks cut to 14 x 10), so
                        // also the new m with the block that fits its grid best.
                        nexts[0] = wino::tune::with_m(current, std::stoi(value));
                        const std::vector<std::string> fit =
                            wino::tune::layer_blocks(nexts[0], problem.shape, tuner.target().to_string());
                        const auto kept = nexts[0].params.find("block");
                        if (!fit.empty() && (kept == nexts[0].params.end() || kept->second != fit.front())) {
                            nexts.push_back(nexts[0]);
                            nexts.back().params["block"] = fit.front();
                        }
                    }
                    const Candidate from = current;
                    for (const Candidate &next : nexts) {
                        if (same_schedule(next, from, tuner.target()) || !consider(next)) continue;
                        const Point &p = tuner.measure(problem, next);
                        if (p.ms < here->ms * 0.99) {
                            current = next;
                            here = &p;
                            improved = true;
                        }
                    }
                }
            }
        }
    }
}

// Variant-table rows for the winners, one per distinct candidate; a winner
// that is a hand-written variant gets a comment, not a second copy.
void write_rows(const std::string &path, const std::vector<std::pair<ConvShape, const Point *>> &winners, int threads,
                const std::string &target) {
    // Resolved schedule -> (the first winner's key, the shapes it won): winners
    // spelled differently that run the same schedule become one row.
    std::map<std::string, std::pair<std::string, std::vector<std::string>>> shapes_of;
    for (const auto &[shape, p] : winners) {
        if (!p) continue;
        auto &[key, shapes] = shapes_of[wino::tune::canonical_key(Candidate::from_key(p->key), target)];
        if (key.empty()) key = p->key;
        shapes.push_back(shape.str());
    }
    const std::map<std::string, std::string> hand = wino::tune::hand_variants();
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << "# Generated by wino_tune (" << threads << " thread" << (threads > 1 ? "s" : "")
            << "): the fastest schedule of each algorithm it found per layer, as variant-table rows.\n"
               "# The top-level CMakeLists.txt includes this file; delete it to build without them.\n";
        for (const auto &[canonical, won] : shapes_of) {
            const auto &[key, shapes] = won;
            const Candidate c = Candidate::from_key(key);
            std::string comment;
            for (const std::string &s : shapes) comment += " " + s;
            out << "# fastest " << c.algorithm << " on" << comment << "\n";
            if (const auto h = hand.find(canonical); h != hand.end()) {
                out << "#   the hand-written " << h->second << " (" << key << "): no new row\n";
                continue;
            }
            out << "wino_variant(" << c.row_name() << "  " << c.algorithm << "  " << c.schedule << "  " << c.m;
            const std::string params = c.row_parameters();
            if (!params.empty()) out << "  " << params;
            out << ")\n";
        }
        if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot replace " + path);
}

// What candidates are JIT-compiled for: the target of the CPU variants this
// build runs here (the rows it writes are compiled for that target, and its
// hand rows, which candidates are timed against, run on it), without the
// features only ahead-of-time code has. A build for AVX2 on an AVX-512
// machine so searches AVX2 code; a default (host) build, this CPU's.
Halide::Target candidate_target() {
    const std::string target = wino::bench::cpu_variants_target();
    if (target.empty()) return Halide::get_host_target();
    return Halide::Target(target).without_feature(Halide::Target::NoRuntime).without_feature(
        Halide::Target::LargeBuffers);
}

// --explain: what auto's models predict for each variant on each layer, in
// the order auto ranks them, and what auto picks; nothing is measured.
int run_explain(const std::vector<ConvShape> &layers, int threads, const std::string &layout) {
    wino::RunOptions options;
    options.threads = threads;
    options.layout = layout;
    for (const ConvShape &layer : layers) {
        const std::vector<wino::Estimate> e = wino::estimate_variants(layer, options);
        const wino::Selection chosen = wino::select_variant(layer, options);
        std::printf("%s, %d thread%s: auto picks %s (%s)\n", layer.str().c_str(), threads, threads > 1 ? "s" : "",
                    chosen.variant.c_str(), chosen.source.c_str());
        std::printf("  %-36s %12s %12s %10s %6s %6s %10s %10s", "variant", "model cost", "busiest", "calib. ms", "tasks",
                    "bands", "weights", "remote");
        for (const std::string &term : wino::calibrated_terms()) std::printf(" %10s", term.c_str());
        std::printf("\n");
        for (const wino::Estimate &x : e) {
            if (std::isinf(x.model_cost) && std::isnan(x.calibrated_ms)) continue;  // a schedule no model covers
            std::printf("  %-36s %12.4g %12.4g %10.4f %6lld %6lld %10.4g %10.4g", x.variant.c_str(), x.model_cost,
                        x.busiest_cost, x.calibrated_ms, x.tasks, x.bands, x.streamed_cost, x.remote_cost);
            for (double t : x.calibrated_terms_ms) std::printf(" %10.4f", t);
            std::printf("\n");
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"wino_tune: search the schedule space for given layers on this machine"};
    std::vector<ConvShape> shapes;
    int threads = 1;
    double budget = 600, per_point = 0.3;
    std::string log_path = "wino_tune.log", rows_path = WINO_TUNED_ROWS, layout = "nchw";
    std::vector<std::string> keys;
    int rounds = 3, confirm = 3;
    bool select = false, from_log = false, calibrate = false, explain = false;
    wino::bench::add_shape_option(app, shapes);
    app.add_option("--threads", threads, "threads per call")->check(CLI::Range(1, 1 << 16));
    app.add_option("--budget", budget, "seconds for the whole search (compiles included)")->check(CLI::Range(1.0, 1e6));
    app.add_option("--seconds-per-point", per_point, "timing per measured point")->check(CLI::Range(0.01, 60.0));
    app.add_option("--log", log_path, "the log of measured points (JSON lines; resumed if it exists); '' for none");
    app.add_option("--rows", rows_path, "where the winners go as variant-table rows");
    app.add_option("--layout", layout, "search schedules for tensors in this layout: nchw, or nhwc (channels innermost: "
                   "the fused and direct schedules with layout=nhwc)")
        ->check(CLI::IsMember({"nchw", "nhwc"}));
    app.add_option("--candidate", keys,
                   "measure only these points, e.g. 'winograd fused m=4 block=7x1' (repeatable)");
    app.add_flag("--select", select,
                 "no search: time the compiled variants on each layer, record the fastest for `auto`");
    app.add_flag("--calibrate", calibrate,
                 "no search: time the compiled variants on each layer (default: a calibration set apart from the "
                 "benchmark's layers) and fit the cost model `auto` uses for other layers");
    app.add_flag("--explain", explain,
                 "no measuring: what auto's cost models predict for each variant on each layer, and its pick");
    app.add_flag("--from-log", from_log, "no measuring: the winners are the log's fastest points for these layers");
    app.add_option("--rounds", rounds,
                   "timings per point in interleaved rounds, the fastest kept: of the --candidate points, of "
                   "each algorithm's --confirm fastest points after a search, or of --calibrate's points")
        ->check(CLI::Range(1, 100));
    app.add_option("--confirm", confirm, "after a search: how many of each algorithm's fastest points, and as many of its fastest "
                   "hand-written rows, are re-timed")
        ->check(CLI::Range(1, 100));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    if (calibrate) {
        const wino::Calibration c = wino::bench::calibrate_and_report(
            shapes.empty() ? wino::bench::calibration_shapes() : shapes, threads, rounds,
            wino::bench::machine_id(candidate_target().to_string()), stdout);
        return c.fits.empty() ? 1 : 0;
    }
    if (shapes.empty()) shapes = wino::bench::default_shapes();
    if (explain) return run_explain(shapes, threads, layout);

    if (select) {
        wino::RunOptions options;
        options.threads = threads;
        options.layout = layout;
        for (const ConvShape &s : shapes) {
            const wino::Selection chosen = wino::select_by_measuring(s, options);
            std::printf("%s, %d thread%s: %s (%.4f ms)\n", s.str().c_str(), threads, threads > 1 ? "s" : "",
                        chosen.variant.c_str(), chosen.ms);
        }
        std::printf("tuning table: %s\n", wino::tuning_table_path().c_str());
        return 0;
    }

    const Halide::Target target = candidate_target();
    std::fprintf(stderr, "wino_tune: target %s, %d thread%s, budget %.0f s, log %s\n", target.to_string().c_str(),
                 threads, threads > 1 ? "s" : "", budget, log_path.empty() ? "(none)" : log_path.c_str());
    Tuner tuner(target, threads, budget, per_point, log_path, layout);
    std::vector<std::pair<ConvShape, const Point *>> winners;
    for (size_t i = 0; i < shapes.size(); i++) {
        const ConvShape &s = shapes[i];
        if (from_log) {
            for (const std::string &algorithm : kAlgorithms) {
                const Point *best = tuner.best_logged(s, algorithm);
                winners.emplace_back(s, best);
                if (best) std::printf("%s, %d thread%s: best logged %.4f ms  %s\n", s.str().c_str(), threads,
                                      threads > 1 ? "s" : "", best->ms, best->key.c_str());
                else std::printf("%s: no correct %s point in the log\n", s.str().c_str(), algorithm.c_str());
            }
            continue;
        }
        const Problem problem = make_problem(s);
        // Each layer gets an equal share of what remains.
        tuner.set_layer_budget((budget - tuner.elapsed()) / double(shapes.size() - i));
        if (!keys.empty()) {
            const Point *best = nullptr;
            // Malformed keys are reported below.
            std::vector<Candidate> candidates;
            for (const std::string &k : keys) {
                try {
                    candidates.push_back(Candidate::from_key(k));
                } catch (const std::invalid_argument &) {
                }
            }
            tuner.retime_interleaved(problem, candidates, rounds);
            for (const std::string &k : keys) {
                try {
                    const Point &p = tuner.measure(problem, Candidate::from_key(k));
                    std::printf("%s  %-60s %s\n", s.str().c_str(), k.c_str(),
                                p.ok() ? (std::to_string(p.ms) + " ms, error " + std::to_string(p.error)).c_str()
                                       : p.failure.c_str());
                    if (p.ok() && (!best || p.ms < best->ms)) best = &p;
                } catch (const std::invalid_argument &e) {
                    std::fprintf(stderr, "wino_tune: error: %s\n", e.what());
                    return 2;
                }
            }
            if (best) std::printf("%s, %d thread%s: best %.4f ms  %s\n", s.str().c_str(), threads,
                                  threads > 1 ? "s" : "", best->ms, best->key.c_str());
            continue;
        }
        search(tuner, problem, budget, layout);
        // The winners: each algorithm's fastest, after its closest rivals are timed again.
        for (const std::string &algorithm : kAlgorithms) {
            const Point *best = tuner.confirm(problem, algorithm, confirm, rounds);
            winners.emplace_back(s, best);
            if (!best) continue;
            std::printf("%s, %d thread%s: best %s %.4f ms  %s\n", s.str().c_str(), threads, threads > 1 ? "s" : "",
                        algorithm.c_str(), best->ms, best->key.c_str());
            for (const auto &hand : tuner.hand_points(s, algorithm, 1))
                std::printf("%s, %d thread%s: fastest hand-written %s %.4f ms (%.2fx the best)\n", s.str().c_str(),
                            threads, threads > 1 ? "s" : "", hand.variant.c_str(), hand.point->ms,
                            hand.point->ms / best->ms);
        }
    }
    if (keys.empty() && !rows_path.empty()) {
        if (std::none_of(winners.begin(), winners.end(), [](const auto &w) { return w.second != nullptr; })) {
            // Keep the rows there are rather than replace them with none.
            std::fprintf(stderr, "wino_tune: error: no layer has a winner%s; %s left as it was\n",
                         from_log ? (" in " + log_path + " at " + std::to_string(threads) + " thread(s)").c_str() : "",
                         rows_path.c_str());
            return 1;
        }
        write_rows(rows_path, winners, threads, target.to_string());
        std::printf("rows written to %s (rebuild to compile them)\n", rows_path.c_str());
    }
    return 0;
}
