// The selector "auto": a tuning table measured on this machine, else a cost
// model over the compiled variants' own register blocks (schedules/blocking.h).
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <random>

#include "blocking.h"
#include "cuda_driver.h"
#include "halide_hooks.h"
#include "layout.h"
#include "wino/wino.h"

namespace wino {

namespace {

// Whether a variant's prepared weights for this layer stay within a
// pipeline's element limit (2^31 - 1), as conv2d checks.
bool prepared_weights_fit(int m, const ConvShape &s) {
    int64_t elements = 1;
    for (int64_t d : prepared_shape(m, s.K, s.C))
        if (__builtin_mul_overflow(elements, d, &elements) || elements > std::numeric_limits<int32_t>::max())
            return false;
    return true;
}

// The cost model, in vector operations: first the work a variant spends on
// a layer, from the register blocks its schedule uses on its target:
//  - FMAs of the multiply, with the work its blocks waste where the layer's
//    edges cut them (a 4x3 tile block on a 14x14 tile grid computes 16x15);
//  - the Winograd transforms (~2 operations per point per channel);
//  - stores: a vector of output channels is stored one element at a time,
//    and planes a multiple of 4 KiB apart fall into the same cache sets
//    (counted 4x); a vector of pixels along a row (vectorize=x) is one store;
//    store=rows places each element in a stack block first (counted 1x),
//    never into lines of aliasing planes.
// Only the schedules it models (direct, fused) compete; tensor-level and
// autoscheduled variants are chosen only by measurement (the tuning table).
// The padding is not modelled: direct's pad=image (faster at 1 thread on
// small planes, slower at 2) costs what pad=bands does, and on a tie the
// earlier row of the table, the banded one, wins; measurement picks it.
double work_cost(const VariantInfo &v, const ConvShape &s) {
    const Machine machine = machine_of_target_string(v.target);
    const ScheduleParams p = parse_schedule_params(v.parameters);
    const double L = machine.lanes, N = s.N, C = s.C, K = s.K;
    const long long Ho = s.out_h(), Wo = s.out_w();
    auto up = [](long long a, long long b) { return double((a + b - 1) / b * b); };
    const double plane_stores = N * K * double(Ho) * Wo * ((Ho * Wo * 4) % 4096 == 0 ? 4.0 : 1.0);
    // Rows of pixels through a stack block (store=rows): every element placed
    // once into the block, then one vector store per row of it.
    const double row_stores = N * K * double(Ho) * Wo + N * K * double(Ho) * up(Wo, machine.lanes) / L;
    if (v.schedule == "direct") {
        if (p.vectorize == "x") {
            const RowBlock b = row_block(machine, p);
            const double rows = N * up(s.K, b.KU) * up(Ho, b.YB) * up(Wo, b.L) / L;
            return rows * C * 9 + rows;
        }
        // store=rows computes whole vectors of pixels along x (its stack block).
        const RegisterBlock b = direct_block(machine, p);
        const bool rows = direct_stores_rows(machine, p);
        return N * up(s.K, b.k()) * C * 9 * up(Ho, b.cols_y()) * up(Wo, rows ? machine.lanes : b.cols_x()) / L +
               (rows ? row_stores : plane_stores);
    }
    if (v.schedule == "fused") {
        const RegisterBlock b = register_block(machine, p);
        const int m = v.m, alpha = m + 2;
        const double stores = fused_stores_rows(machine, p, m) ? row_stores : plane_stores;
        const long long tx = (Wo + m - 1) / m, ty = (Ho + m - 1) / m;
        const double multiply = N * up(tx, b.cols_x()) * up(ty, b.cols_y()) * alpha * alpha * C * up(s.K, b.k()) / L;
        const double transforms = N * double(tx) * ty * alpha * alpha * 2 * (up(s.C, b.lanes) + up(s.K, b.k())) / L;
        return multiply + transforms + stores;
    }
    if (v.device == "cuda") {
        // GPU variants, only ever compared with each other: multiply-adds as
        // the schedule blocks them, weighted by how fast each schedule ran
        // them on the H200 (bench/results/h200-8 and h200-9), plus a fixed
        // cost per kernel launched (~1.5 us, 1.5e7 multiply-adds there),
        // which makes the one-kernel fused schedule the choice on small
        // layers, plus the intermediates the staged and tensor-level kernels
        // write and read back (V and M, 2.4 per byte: ~3 TB/s against ~7e12
        // of these units per second), which makes direct the choice where
        // the output transform's M dwarfs the multiply (C = 3):
        //  - direct: each thread `rows` rows x `channels` output channels of
        //    32-pixel rows, at 1x; a grid of fewer than 256 threads per
        //    multiprocessor (two 128-thread blocks at 240 registers; this
        //    GPU's count, else the H200's 132) leaves multiprocessors idle,
        //    so its cost grows by the shortfall;
        //  - the staged multiply (T tiles along x, whole blocks of 32 output
        //    channels) loads U and V once per 8·T multiply-adds per thread:
        //    1 + 2/T (T = 2 ran 1.4x slower than T = 4 at 32x64x56²), no
        //    better beyond T = 4 (T = 8 was not faster); 0.9x with 8 or more
        //    input channels per unrolled step (c_slice: more loads in flight;
        //    the multiply kernel 0.79-0.95x at 32x256x14² and 32x64x56²,
        //    bench/results/h200-11);
        //  - tensor-level's seven passes ~2x the staged three, and twice
        //    the traffic; the staged output transform storing rows through
        //    shared memory (store=rows) moves them 0.9x as dearly (whole
        //    sectors: that kernel 0.54-0.82x in the same run); the input
        //    transform reading through shared memory (load=shared) 0.9x on
        //    planes at most 4 tiles wide and 1.3x on wider ones (its 4-tile
        //    rows of V are half sectors there: that kernel 0.52x at
        //    32x256x14², 1.6x at 32x64x56²);
        //  - the fused kernel's one-warp products ~2.5x the staged multiply
        //    for F(2,3), twice that for F(4,3) (255 registers: 8 warps per SM).
        constexpr double kLaunch = 1.5e7, kPerByte = 2.4;
        const int sms = detail::cuda::multiprocessors();
        const double full_threads = 256.0 * (sms > 0 ? sms : 132);
        if (!v.m) {
            const GpuDirectBlock b = gpu_direct_block(p);
            const double work = N * up(s.K, b.channels) * C * 9 * up(Ho, b.rows) * up(Wo, b.kThreadsX);
            const double threads =
                N * up(Wo, b.kThreadsX) * (up(Ho, b.rows) / b.rows) * (up(s.K, b.channels) / b.channels);
            return work / std::min(1.0, threads / full_threads) + kLaunch;
        }
        const int T = gpu_tiles(v.schedule, p), alpha = v.m + 2;
        const long long tx = (Wo + v.m - 1) / v.m, ty = (Ho + v.m - 1) / v.m;
        const double work = N * up(tx, T) * ty * alpha * alpha * C * up(s.K, kWeightKBlock);
        const bool deep_slices = v.schedule != "gpu_fused" && gpu_c_slice(v.schedule, p) >= 8;
        const double multiply = (1 + 2.0 / std::min(T, 4)) * (deep_slices ? 0.9 : 1.0);
        const double VM_bytes = 2 * 4.0 * alpha * alpha * up(tx, T) * ty * N * (C + up(s.K, kWeightKBlock));
        if (v.schedule == "gpu_staged") {
            const double rows = gpu_store_rows(v.schedule, p) ? 0.9 : 1.0;
            const double load = gpu_load_shared(v.schedule, p) ? (tx <= GpuRowsBlock::kTiles ? 0.9 : 1.3) : 1.0;
            return multiply * work + 3 * kLaunch + kPerByte * VM_bytes * rows * load;
        }
        if (v.schedule == "gpu_tensor") return 2 * multiply * work + 7 * kLaunch + 2 * kPerByte * VM_bytes;
        return (v.m == 2 ? 2.5 : 5) * work + kLaunch;
    }
    return std::numeric_limits<double>::infinity();
}

// This machine's L2 per core (glibc reads it from CPUID), or 1 MiB.
double l2_bytes() {
    static const double bytes = [] {
        const long b = ::sysconf(_SC_LEVEL2_CACHE_SIZE);
        return b > 0 ? double(b) : 1024.0 * 1024;
    }();
    return bytes;
}

// Bytes streamed from beyond L2 that cost as much as one vector operation:
// a core retires ~2 vector FMAs per cycle and streams ~6 bytes per cycle
// from L3 or memory (both Xeons and Zen 4 here: 15-20 GB/s per core).
constexpr double kStreamedBytesPerOp = 3;

// Then the weights: every band of the schedule (schedules/blocking.h) reads
// all of the prepared weights (direct: 9 x C x K floats; Winograd: U,
// alpha² x C x K), and what does not fit in L2 it streams from L3 or
// memory, which the arithmetic overlaps: a variant costs the larger of the
// two (7x7, C=K=512: F(4,3)'s 38 MB of U make it slower than F(2,3) with
// 17 MB, though it multiplies less). Bands as the schedule cuts them for one
// thread: against the 16-core Xeon's measurements (bench/results/h200-4),
// counting the extra bands a many-thread call gets, or the cores that fewer
// tasks than threads leave idle, picked worse, not better.
double estimated_cost(const VariantInfo &v, const ConvShape &s) {
    const double work = work_cost(v, s);
    if (v.device != "cpu" || !std::isfinite(work)) return work;
    const Machine machine = machine_of_target_string(v.target);
    const ScheduleParams p = parse_schedule_params(v.parameters);
    const bool fused = v.schedule == "fused";
    const double bands = double(fused ? fused_bands(machine, p, v.m, s.N, s.C, s.K, s.out_h(), s.out_w(), 1)
                                      : direct_bands(machine, p, s.N, s.C, s.K, s.out_h(), s.out_w(), 1));
    const double points = fused ? double(v.m + 2) * (v.m + 2) : 9.0;
    const double weight_bytes = points * s.C * double(padded_k(s.K)) * 4;
    return std::max(work, bands * std::max(0.0, weight_bytes - l2_bytes()) / kStreamedBytesPerOp);
}

bool can_run(const VariantInfo &v, const ConvShape &s) { return prepared_weights_fit(v.m, s); }

// Whether `auto` may consider v under RunOptions::device.
bool on_device(const VariantInfo &v, const RunOptions &options) {
    return options.device == "any" || options.device == v.device;
}

// ---------------------------------------------------------------------------
// The tuning table: JSON, one entry per (target, layer, threads).

struct Entry {
    std::string variant;
    double ms = 0;
};

class TuningTable {
public:
    static TuningTable &instance() {
        static TuningTable table;
        return table;
    }

    bool find(const std::string &key, Entry &out) {
        std::lock_guard<std::mutex> lock(mutex_);
        load();
        auto it = entries_.find(key);
        if (it == entries_.end()) return false;
        out = it->second;
        return true;
    }

    void record(const std::string &key, const Entry &e) {
        std::lock_guard<std::mutex> lock(mutex_);
        load();
        entries_[key] = e;
        save();
    }

private:
    // Read once per process (and again when the path changes); an unreadable
    // table is an empty one, rewritten by the next record.
    void load() {
        const std::string path = tuning_table_path();
        if (path == loaded_from_) return;
        loaded_from_ = path;
        entries_.clear();
        std::ifstream in(path);
        if (!in) return;
        try {
            const nlohmann::json j = nlohmann::json::parse(in);
            for (const auto &e : j.at("entries"))
                entries_[e.at("key").get<std::string>()] = {e.at("variant").get<std::string>(), e.at("ms").get<double>()};
        } catch (const std::exception &) {
            entries_.clear();
        }
    }

    void save() {
        nlohmann::json j;
        j["about"] = "wino's tuning table: the fastest compiled variant per target, layer and thread count "
                     "(wino_tune --select, or RunOptions::measure_unknown_layers). Delete to start over.";
        j["entries"] = nlohmann::json::array();
        for (const auto &[key, e] : entries_) j["entries"].push_back({{"key", key}, {"variant", e.variant}, {"ms", e.ms}});
        const std::string path = tuning_table_path();
        // mkdir -p of the directory; then a temp file renamed over the table.
        for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1))
            ::mkdir(path.substr(0, slash).c_str(), 0755);
        const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
        {
            std::ofstream out(tmp);
            out << j.dump(1) << "\n";
            if (!out) {
                ::unlink(tmp.c_str());
                throw Error(ErrorCode::InvalidArgument, "cannot write the tuning table " + path);
            }
        }
        if (std::rename(tmp.c_str(), path.c_str()) != 0) {
            ::unlink(tmp.c_str());
            throw Error(ErrorCode::InvalidArgument, "cannot replace the tuning table " + path);
        }
    }

    std::mutex mutex_;
    std::string loaded_from_;
    std::map<std::string, Entry> entries_;
};

std::string table_key(const ConvShape &s, int threads, const std::string &device) {
    const std::string target = variants().empty() ? "none" : variants().front().target;
    return target + " " + s.str() + " threads:" + std::to_string(threads) + " device:" + device;
}

bool measure_by_default() {
    const char *env = std::getenv("WINO_AUTO_MEASURE");
    return env && std::string(env) == "1";
}

}  // namespace

std::string tuning_table_path() {
    if (const char *p = std::getenv("WINO_TUNING_TABLE"); p && *p) return p;
    if (const char *p = std::getenv("XDG_CACHE_HOME"); p && *p) return std::string(p) + "/wino/tuning.json";
    if (const char *p = std::getenv("HOME"); p && *p) return std::string(p) + "/.cache/wino/tuning.json";
    return "wino-tuning.json";
}

Selection select_variant(const ConvShape &layer, const RunOptions &options) {
    const int threads = detail::resolve_threads(options.threads);
    Entry e;
    if (TuningTable::instance().find(table_key(layer, threads, options.device), e)) {
        for (const VariantInfo &v : variants())
            if (v.name == e.variant && can_run(v, layer) && on_device(v, options)) return {v.name, "tuning table", e.ms};
    }
    if (options.measure_unknown_layers || measure_by_default()) return select_by_measuring(layer, options);
    Selection best;
    double best_cost = std::numeric_limits<double>::infinity();
    for (const VariantInfo &v : variants()) {
        if (!can_run(v, layer) || !on_device(v, options)) continue;
        const double cost = estimated_cost(v, layer);
        if (cost < best_cost) {
            best_cost = cost;
            best = {v.name, "cost model", 0};
        }
    }
    if (best.variant.empty())
        throw Error(ErrorCode::Unsupported, "auto: no compiled variant can run layer " + layer.str());
    return best;
}

Selection select_by_measuring(const ConvShape &layer, const RunOptions &options) {
    const int threads = detail::resolve_threads(options.threads);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1, 1);
    std::vector<float> x(size_t(layer.N) * layer.C * layer.H * layer.W), w(size_t(layer.K) * layer.C * 9),
        y(size_t(layer.N) * layer.K * layer.out_h() * layer.out_w());
    for (float &f : x) f = dist(rng);
    for (float &f : w) f = dist(rng);
    RunOptions run_options = options;
    run_options.threads = threads;
    run_options.stats = nullptr;
    Selection best;
    best.source = "measured now";
    for (const VariantInfo &v : variants()) {
        if (!can_run(v, layer) || !on_device(v, options)) continue;
        try {
            const PreparedWeights p = prepare_weights(v.name, {w.data(), layer.weights()}, run_options);
            auto once = [&] { conv2d(v.name, {x.data(), layer.input()}, p, {y.data(), layer.output()}, layer.padding, run_options); };
            once();  // warm up
            // The fastest of a few runs (at least 3, about 20 ms in all): noise only slows a run down.
            double fastest = std::numeric_limits<double>::infinity(), spent = 0;
            for (int i = 0; i < 3 || (spent < 0.02 && i < 100); i++) {
                const auto t0 = std::chrono::steady_clock::now();
                once();
                const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                fastest = std::min(fastest, s);
                spent += s;
            }
            if (best.variant.empty() || fastest * 1e3 < best.ms) best = {v.name, best.source, fastest * 1e3};
        } catch (const Error &) {
            // A variant that cannot run this layer (e.g. over a memory limit) is not a candidate.
        }
    }
    if (best.variant.empty())
        throw Error(ErrorCode::Unsupported, "auto: no compiled variant ran layer " + layer.str());
    TuningTable::instance().record(table_key(layer, threads, options.device), {best.variant, best.ms});
    return best;
}

}  // namespace wino
