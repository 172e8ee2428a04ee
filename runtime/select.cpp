// The selector "auto": a tuning table measured on this machine, else a cost
// model over the compiled variants' own register blocks (schedules/blocking.h),
// its terms weighed by a fit to this machine's times where it was calibrated.
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <tuple>

#include "blocking.h"
#include "cook_toom.h"
#include "cost_fit.h"
#include "cuda_driver.h"
#include "fma_peak.h"
#include "halide_hooks.h"
#include "layout.h"
#include "wino/wino.h"

namespace wino {

namespace detail {

const TransformOps &transform_operations(int m) {
    static std::mutex mutex;
    static std::map<int, TransformOps> ops;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = ops.find(m);
    if (it == ops.end()) {
        const WinogradMatrices w = cook_toom(m, 3);
        auto nonzeros = [](const Matrix &M) {
            double n = 0;
            for (const auto &row : M)
                for (const Rational &a : row) n += !a.is_zero();
            return n;
        };
        it = ops.emplace(m, TransformOps{2.0 * w.alpha * nonzeros(w.B_T), double(w.alpha + m) * nonzeros(w.A_T)}).first;
    }
    return it->second;
}

}  // namespace detail

namespace {

// Whether a variant's prepared weights for this layer stay within a
// pipeline's element limit (2^31 - 1), as conv2d checks.
bool prepared_weights_fit(int m, const ConvShape &s) {
    int64_t elements = 1;
    for (int64_t d : prepared_shape(m, s.K, s.C, /*channels_last=*/false))  // (either packing: the same size)
        if (__builtin_mul_overflow(elements, d, &elements) || elements > std::numeric_limits<int32_t>::max())
            return false;
    return true;
}

// The cost model, in vector operations: first the work a variant spends on
// a layer, from the register blocks its schedule uses on its target:
//  - FMAs of the multiply, with the work its blocks waste where the layer's
//    edges cut them (a 4x3 tile block on a 14x14 tile grid computes 16x15),
//    and by how fast its register block can issue them (its loads and the
//    FMAs' latency: micro_kernel_factor);
//  - the Winograd transforms: the operations their matrices' nonzero
//    entries take (generators/transform.h drops the zeros): per tile and
//    channel vector, 2·alpha·nnz(B_T) for the input (both passes) and
//    (alpha + m)·nnz(A_T) for the output; F(4,3): 7.3 and 5 per point;
//  - the fused schedule's products: the micro-kernel stores each vector of
//    M_band once when its channel sum ends, and the output transform loads
//    it once (kProductMoveOps per vector): 3/C of the multiply's
//    operations, which decides first layers: at C = 3 (1x3->64 at 224²,
//    Zen 5, profiled) the fused multiply took 2.8x the FMAs' time and its
//    output transform 2.7x what its arithmetic alone was counted, where at
//    C = 64 the multiply took 1.3x;
//  - the fused input's transposition to channels innermost: the schedule
//    gathers each vector of input channels from C planes, one element at
//    a time, for every pixel of the padded input (counted once: the rows
//    and columns each band re-reads at its borders are left out); from an
//    NHWC input (layout=nhwc) each vector is one dense load, but for a
//    pixel's last one when C is not a multiple of its width and C < 16: a
//    gather (nhwc_padding_ops); with pad=inline there is no copy, and only a
//    channel tail's vector costs: its lanes one by one, at each of a
//    tile's loads;
//  - stores: a vector of output channels is stored one element at a time
//    (kElementOps each), and planes a multiple of 4 KiB apart fall into the
//    same cache sets (counted 4x); a vector of pixels along a row
//    (vectorize=x) is one store; store=rows places each element in a stack
//    block first (counted once), never into lines of aliasing planes; into
//    an NHWC output a vector of channels is one dense store;
//  - direct with taps=rows: the first and last rows' outputs skip the row of
//    taps on the padding (direct_tap_share);
//  - NHWC direct's broadcast addresses beyond the registers that hold them,
//    unless the band is in channel blocks (address_share);
//  - direct's padding (direct_padding_ops), in its input term: pad=bands
//    loads the vectors at each band's edges lane by lane, pad=image copies
//    dense vectors; from NHWC, as the fused input (nhwc_padding_ops).
// Only the schedules it models (direct, fused) compete; tensor-level and
// autoscheduled variants are chosen only by measurement (the tuning table).
// The model counts the thread count in three places only: the bands a call
// cuts (each streams the weights, streamed_cost), pad=image competes only
// with at least as many images as threads (competes()), and to break ties
// (the same block cut into other bands or split otherwise in parallel):
// there the variant whose busiest thread does the least work, and whose
// threads read the least transformed input from other cores
// (remote_input_cost), wins. Weighing
// every variant's work by its busiest thread's share of the parallel tasks
// (as the calibrated model does) picked worse over the cells below.
//
// The terms are kept apart (CostTerms) so that a calibration on the machine
// at hand (calibrate_cost_model) can weigh each by what it costs there.
struct CostTerms {
    double multiply = 0, input_transform = 0, output_transform = 0, stores = 0;
    double fmas = 0;  // the multiply's scalar multiply-adds (Estimate::multiply_fmas), not a cost
    double sum() const { return multiply + input_transform + output_transform + stores; }
};

// What moving one element between a vector register and memory costs, in
// vector operations: a core retires two vector FMAs per cycle, but one
// element store or gather per cycle (a shuffle and a memory operation each).
// Judged on recorded runs (scripts/model_check.py; bench/results/
// zen5-2core/session14/README.md): counting them 2 rather than 1 put the
// analytic pick at 1.080x the fastest (geometric mean) instead of 1.118x
// over 68 layer x thread cells on a Zen 5, and at 1.103x instead of 1.146x
// over 36 on the Xeon host (ties broken by the table's order).
constexpr double kElementOps = 2;

// One vector store and one vector load: a core stores one vector per cycle
// (two FMAs' time) and loads two (one FMA's).
constexpr double kProductMoveOps = 3;

// How fast a register block's micro-kernel issues its FMAs. Each step of the
// reduction does vectors x broadcasts FMAs (one per accumulator) and loads
// each of its `vectors` weight vectors and `broadcasts` operands once;
// x86 cores seen here (Zen 3-5, the Xeon host) issue 2 vector FMAs and 2
// loads per cycle, and an FMA's result is ready 4 cycles later. So a step
// takes the longest of: its FMAs over 2 pipes, its loads over 2 ports, and
// 4 cycles (each accumulator waits for its previous FMA). The multiply's
// vector FMAs are weighed by that time over the FMAs' own: 1 for a block of
// two channel vectors by 4 or more columns; 8 x 1 of one vector (8 FMAs, 9
// loads) 1.125; on AVX2's 16 registers a 7 x 1 block holds one vector
// (7 FMAs, 8 loads, 4 cycles): 1.14, where its two-vector default is 1.
// Without it the model preferred 7 x 1 blocks that cut no tiles to the
// default that cuts a few, and picked rows up to 1.6x the fastest of an AVX2
// build (bench/results/zen5-2core/session25/avx2).
constexpr double kFmaPipes = 2, kLoadPorts = 2, kFmaLatency = 4;
double micro_kernel_factor(double vectors, double broadcasts) {
    const double fmas = vectors * broadcasts, issue = fmas / kFmaPipes;
    return std::max({issue, (vectors + broadcasts) / kLoadPorts, kFmaLatency}) / issue;
}

// NHWC direct's broadcast addresses. From a plain NHWC band a block's pixels
// lie C floats apart, a stride known only at run time, so every pixel a step
// of the reduction broadcasts from needs its own address register; LLVM
// keeps kAddressRegisters of them in general-purpose registers (x86-64's 16
// less the weights' pointers, counters and bounds) and computes each other
// one per step in vector registers, kAddressOps operations on the FMA ports
// (objdump of direct_8x1_nhwc_rowtaps: 6 pointers, 4 of its 10 addresses
// by vpbroadcastq, vpaddq, vmovq, vpextrq and vextracti32x4: 9 operations).
// pad=blocks puts them at constant offsets from one pointer: none. The share
// this adds to the multiply's vector FMAs: 8x1 by 2 vectors (48 FMAs per 10
// addresses) 0.19, 7x1 (42 per 9) 0.16; measured plain -> blocks 1.15-1.19x
// and 1.10-1.16x (JIT, Intel Xeon, 1 thread, bench/results/xeon-2core/
// session36). Counted only for blocks that unroll their column taps
// (direct_unrolls_column_taps), the order measured; the others' kernels
// broadcast from as many pixels as the block has, in an order not measured.
constexpr double kAddressRegisters = 6, kAddressOps = 9.0 / 4;
double address_share(const Machine &machine, const ScheduleParams &p, const RegisterBlock &b) {
    if (!channels_last(p) || pads_channel_blocks(p) || !direct_unrolls_column_taps(machine, b)) return 0;
    const double addresses = (b.cols_x() + 2) * b.cols_y();  // a row of pixels serves the three column taps
    const double fmas = 3.0 * b.k_vectors * b.cols_x() * b.cols_y();  // vector FMAs per channel and row of taps
    return std::max(0.0, addresses - kAddressRegisters) * kAddressOps / fmas;
}

// Padding from NHWC (layout=nhwc): each pixel's C channels go in vectors of
// `width` lanes, each a dense load, except one that reaches past C: its
// channel index is clamped, so it is a gather, lane by lane (kElementOps
// each). Direct holds few channels in a narrower vector
// (channel_padding_width), the fused schedule in vectors of its lanes
// (its input transform reads whole vectors).
double nhwc_padding_ops(double pixels, long long C, int width) {
    const long long vectors = (C + width - 1) / width;
    return pixels * (C % width ? vectors - 1 + width * kElementOps : double(vectors));
}

// Direct's padding, counted in its input term. pad=bands: every band pads
// the rows it reads (its own plus 2) in vectors of padding_lanes() pixels,
// and the two vectors that straddle the left and right edges load lane by
// lane (the boundary condition's clamped index: kElementOps per element);
// bands as cut for one thread, of whole rows. pad=image: per image, a zero
// fill and a dense copy in full vectors. A vector operation counts 1 at any
// width. By these counts pad=image is the cheaper; measured at 1 thread the
// two ran level once pad=bands loaded 4 lanes at a time (Zen 5, ten layers:
// 0.99-1.04x; bench/results/zen5-2core/session15), so of two otherwise equal
// rows at 1 thread the model's choice costs little either way. From NHWC
// (layout=nhwc, whole bands): nhwc_padding_ops, at direct's width; with
// pad=blocks, whole blocks of kInputChannelBlock channels in vectors of the
// machine's lanes: with C >= 16 all dense loads (a channel tail's last block
// ends at channel C - 1, algorithms.h), with fewer channels the one block's
// tail loaded lane by lane and the vectors past C zero-filled.
double direct_padding_ops(const Machine &machine, const ScheduleParams &p, const ConvShape &s) {
    const double N = s.N, C = s.C;
    const long long Ho = s.out_h(), Wo = s.out_w();
    if (pads_channel_blocks(p)) {
        const long long blocked = direct_band_channels(p, s.C);
        if (s.C >= kInputChannelBlock) return N * double(Ho + 2) * (Wo + 2) * double(blocked) / machine.lanes;
        const long long loaded = (s.C + machine.lanes - 1) / machine.lanes * machine.lanes;  // vectors reaching C
        return nhwc_padding_ops(N * double(Ho + 2) * (Wo + 2), s.C, machine.lanes) +
               N * double(Ho + 2) * (Wo + 2) * double(blocked - loaded) / machine.lanes;
    }
    if (channels_last(p))
        return nhwc_padding_ops(N * double(Ho + 2) * (Wo + 2), s.C, channel_padding_width(machine, s.C));
    if (pads_image(p)) {
        const double L = machine.lanes;
        return N * C * (std::ceil((Ho + 2) * double(Wo + 2) / L) + (Ho + 2) * std::ceil((Wo + 2) / L));
    }
    const double PL = padding_lanes(machine), vectors_per_row = std::ceil((Wo + 2) / PL);
    const double bands = double(direct_bands(machine, p, s.N, s.C, s.K, Ho, Wo, 1));
    const double rows = N * C * Ho + 2 * bands * C;
    const double straddling = std::min(2.0, vectors_per_row);
    return rows * ((vectors_per_row - straddling) + straddling * PL * kElementOps);
}

// The share of direct's multiply-adds that taps=rows keeps: the first and
// last output rows take 3 - padding rows of taps, the others 3. (Its
// predicate bounds the row taps' loop per block: no cost of its own.)
double direct_tap_share(const ScheduleParams &p, const ConvShape &s) {
    if (!skips_padded_rows(p)) return 1.0;
    const double Ho = double(s.out_h());
    return (3 * Ho - 2 * s.padding) / (3 * Ho);
}

std::optional<CostTerms> cpu_work_terms(const VariantInfo &v, const ConvShape &s) {
    const Machine machine = machine_of_target_string(v.target);
    const ScheduleParams p = parse_schedule_params(v.parameters);
    const double L = machine.lanes, N = s.N, C = s.C, K = s.K;
    const long long Ho = s.out_h(), Wo = s.out_w();
    auto up = [](long long a, long long b) { return double((a + b - 1) / b * b); };
    const double plane_stores = kElementOps * N * K * double(Ho) * Wo * ((Ho * Wo * 4) % 4096 == 0 ? 4.0 : 1.0);
    // Rows of pixels through a stack block (store=rows): every element placed
    // once into the block, then one vector store per row of it.
    const double row_stores = kElementOps * N * K * double(Ho) * Wo + N * K * double(Ho) * up(Wo, machine.lanes) / L;
    if (v.schedule == "direct") {
        const double padding = direct_padding_ops(machine, p, s);
        if (p.vectorize == "x") {
            // Vectors of pixels, one per row of the block, times KU broadcast weights.
            const RowBlock b = row_block(machine, p);
            const double rows = N * up(s.K, b.KU) * up(Ho, b.YB) * up(Wo, b.L) / L;
            return CostTerms{rows * C * 9 * micro_kernel_factor(b.YB, b.KU), padding, 0, rows, rows * C * 9 * L};
        }
        // store=rows computes whole vectors of pixels along x (its stack block).
        const RegisterBlock b = direct_block(machine, p);
        const bool rows = direct_stores_rows(machine, p);
        const double fmas = N * up(s.K, b.k()) * C * 9 * up(Ho, b.cols_y()) *
                            up(Wo, rows ? machine.lanes : b.cols_x()) * direct_tap_share(p, s);
        const double multiply = fmas / L * (micro_kernel_factor(b.k_vectors, b.columns) + address_share(machine, p, b));
        if (channels_last(p))  // vectors of channels in (the padded band) and out
            return CostTerms{multiply, padding, 0, N * double(Ho) * Wo * up(s.K, machine.lanes) / L, fmas};
        return CostTerms{multiply, padding, 0, rows ? row_stores : plane_stores, fmas};
    }
    if (v.schedule == "fused") {
        const RegisterBlock b = register_block(machine, p);
        const int m = v.m, alpha = m + 2;
        const bool nhwc = channels_last(p);
        const double stores = nhwc ? N * double(Ho) * Wo * up(s.K, machine.lanes) / L
                              : fused_stores_rows(machine, p, m) ? row_stores : plane_stores;
        const long long tx = (Wo + m - 1) / m, ty = (Ho + m - 1) / m;
        const double fmas = N * up(tx, b.cols_x()) * up(ty, b.cols_y()) * alpha * alpha * C * up(s.K, b.k());
        const double multiply = fmas / L * micro_kernel_factor(b.k_vectors, b.columns);
        const detail::TransformOps &ops = detail::transform_operations(m);
        const double tiles = N * double(tx) * ty;
        const double padded_pixels = N * double(ty * m + 2) * double(tx * m + 2);
        // pad=inline: no copy; a channel tail's vector is loaded lane by
        // lane (its guard), at each of a tile's alpha² loads.
        // pad=bands from NHWC: with C >= kWidestChannelVector a channel
        // tail's last vector ends at channel C - 1, a dense load too.
        const double gathers = pads_inline(p) ? tiles * alpha * alpha * (s.C % b.lanes) * kElementOps
                               : nhwc && s.C >= kWidestChannelVector ? padded_pixels * double(up(s.C, b.lanes)) / L
                               : nhwc ? nhwc_padding_ops(padded_pixels, s.C, b.lanes)
                                      : kElementOps * up(s.C, b.lanes) * padded_pixels;
        const double products = tiles * alpha * alpha * up(s.K, b.k()) / L;  // vectors of M_band
        return CostTerms{multiply, tiles * ops.input * up(s.C, b.lanes) / L + gathers,
                         tiles * ops.output * up(s.K, b.k()) / L + kProductMoveOps * products, stores, fmas};
    }
    return std::nullopt;
}

double work_cost(const VariantInfo &v, const ConvShape &s) {
    if (v.device == "cpu") {
        const std::optional<CostTerms> terms = cpu_work_terms(v, s);
        return terms ? terms->sum() : std::numeric_limits<double>::infinity();
    }
    const double N = s.N, C = s.C;
    const long long Ho = s.out_h(), Wo = s.out_w();
    auto up = [](long long a, long long b) { return double((a + b - 1) / b * b); };
    const ScheduleParams p = parse_schedule_params(v.parameters);
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
// WINO_L2_BYTES stands in for it, so that scripts/model_check.py judges
// runs recorded on another CPU with that CPU's L2.
double l2_bytes() {
    static const double bytes = [] {
        if (const char *env = std::getenv("WINO_L2_BYTES"); env && *env) {
            char *end = nullptr;
            const double v = std::strtod(env, &end);
            if (*end == 0 && v >= 1024 && v <= 1e10) return v;
            std::fprintf(stderr, "wino: WINO_L2_BYTES='%s' is not a cache size in bytes; using this CPU's\n", env);
        }
        const long b = ::sysconf(_SC_LEVEL2_CACHE_SIZE);
        return b > 0 ? double(b) : 1024.0 * 1024;
    }();
    return bytes;
}

// Bytes streamed from beyond L2 that cost as much as one vector operation:
// a core retires ~2 vector FMAs per cycle and streams ~6 bytes per cycle
// from L3 or memory (both Xeons and Zen 4 here: 15-20 GB/s per core).
constexpr double kStreamedBytesPerOp = 3;

// The bands and the parallel tasks a CPU direct or fused variant's schedule
// cuts a layer into at `threads`, as the schedule does (schedules/blocking.h).
long long schedule_bands(const VariantInfo &v, const ScheduleParams &p, const ConvShape &s, int threads) {
    const Machine machine = machine_of_target_string(v.target);
    return v.schedule == "fused" ? fused_bands(machine, p, v.m, s.N, s.C, s.K, s.out_h(), s.out_w(), threads)
                                 : direct_bands(machine, p, s.N, s.C, s.K, s.out_h(), s.out_w(), threads);
}
long long schedule_tasks(const VariantInfo &v, const ScheduleParams &p, const ConvShape &s, int threads) {
    const Machine machine = machine_of_target_string(v.target);
    return v.schedule == "fused" ? fused_tasks(machine, p, v.m, s.N, s.C, s.K, s.out_h(), s.out_w(), threads)
                                 : direct_tasks(machine, p, s.N, s.C, s.K, s.out_h(), s.out_w(), threads);
}

// Then the weights: every band of the schedule (schedules/blocking.h) reads
// all of the prepared weights (direct: 9 x C x K floats; Winograd: U,
// alpha² x C x K), and what does not fit in L2 it streams from L3 or
// memory, which the arithmetic overlaps: a variant costs the larger of the
// two (7x7, C=K=512: F(4,3)'s 38 MB of U make it slower than F(2,3) with
// 17 MB, though it multiplies less). Bands as the schedule cuts them for the
// call's threads: a many-thread call cuts more of them where the layer's
// bands alone would not give every thread a task, and each reads U again
// (1x256x14² F(4,3) at 16 threads: 2-4 bands of 9.4 MB, one with
// parallel=points). Judged on every recorded run (scripts/model_check.py,
// session 27): against bands as cut for one thread, the Xeon host's picks at
// 16 threads 1.132x the fastest NHWC row instead of 1.136x and 1.064x NCHW
// instead of 1.077x (worst cell 1.59x instead of 2.18x); the Zen 5's
// unchanged (1.023x NHWC, 1.038x NCHW instead of 1.039x). (Counted so
// against the fewer records of bench/results/h200-4, it had picked worse.)
double streamed_cost(const VariantInfo &v, const ConvShape &s, int threads) {
    const double bands = double(schedule_bands(v, parse_schedule_params(v.parameters), s, threads));
    const double points = v.schedule == "fused" ? double(v.m + 2) * (v.m + 2) : 9.0;
    const double weight_bytes = points * s.C * double(padded_k(s.K)) * 4;
    return bands * std::max(0.0, weight_bytes - l2_bytes()) / kStreamedBytesPerOp;
}

// Whether the analytic model lets v compete at `threads`: pad=image pads
// each image on one thread before the image's bands run, so with fewer images
// than threads the other threads wait, for longer than its op count says
// (the padded image is written and read back from memory). Against
// direct_xvec in the runs recorded before pad=bands took 4 lanes at a time
// (bench/results): with N < threads, 0.54-
// 1.31x as fast (38 of 40 cells below 1.0; Zen 5, 2 threads) and 0.32-0.98x
// (34 cells; the Xeon host, 16 threads); with N >= threads 0.96-1.20x on the
// Zen 5 (the Xeon host, 1 thread: 0.79-1.79x, a noisier machine).
bool competes(const VariantInfo &v, const ConvShape &s, int threads) {
    return !(v.schedule == "direct" && pads_image(parse_schedule_params(v.parameters)) && s.N < threads);
}

double estimated_cost(const VariantInfo &v, const ConvShape &s, int threads) {
    const double work = work_cost(v, s);
    if (v.device != "cpu" || !std::isfinite(work)) return work;
    return std::max(work, streamed_cost(v, s, threads));
}

// ---------------------------------------------------------------------------
// The calibrated model (calibrate_cost_model): the same terms, weighed per
// variant and thread count by a fit to times measured on this machine. A
// variant's time is
//   w_multiply multiply + w_transforms transforms + w_stores stores
//     + w_streamed streamed + w_call,
// in ms. The sum replaces the analytic model's max(work, streamed): a
// measured weight says how much of the streaming the arithmetic hides, and
// w_call is what a call costs whatever its size (the parallel loop's tasks,
// the per-band padding, the weights' and buffers' setup), which the
// analytic model leaves out and which decides the small layers.
// Only the CPU schedules the analytic model covers (direct, fused) take part.
const std::vector<std::string> kCalibratedTerms = {"multiply", "transforms", "stores", "streamed", "per call"};

// The work terms are those of the busiest thread: with `tasks` parallel
// tasks on T threads, one thread runs ceil(tasks / T) of them (a layer that
// offers one task runs on one thread however many there are). The fused
// input transform runs once per band, before the band's channel blocks
// split (across channel vectors with parallel=all, where bands are fewer
// than threads: schedules/blocking.h), so its tasks are the bands; with
// parallel=groups each group of a band's channel blocks transforms the
// band's input itself, so the transform is done once per group.
std::optional<std::vector<double>> calibration_features(const VariantInfo &v, const ConvShape &s, int threads) {
    if (v.device != "cpu") return std::nullopt;
    const std::optional<CostTerms> t = cpu_work_terms(v, s);
    if (!t) return std::nullopt;
    const Machine machine = machine_of_target_string(v.target);
    const ScheduleParams p = parse_schedule_params(v.parameters);
    const bool fused = v.schedule == "fused";
    const long long tasks = schedule_tasks(v, p, s, threads);
    long long input_tasks = tasks;
    double transforms_per_band = 1;
    if (!fused && pads_image(p)) input_tasks = s.N;  // one image's padding per task
    if (fused) {
        const long long bands = schedule_bands(v, p, s, threads);
        input_tasks = bands * (parallel_all(p) && bands < threads ? (s.C + machine.lanes - 1) / machine.lanes : 1);
        if (parallel_groups(p)) {
            input_tasks = tasks;
            transforms_per_band = double(tasks / std::max(bands, 1LL));
        }
    }
    auto busiest = [&](long long n) {
        n = std::max(1LL, n);
        return double((n + threads - 1) / threads) / double(n);
    };
    return std::vector<double>{busiest(tasks) * t->multiply,
                               busiest(input_tasks) * transforms_per_band * t->input_transform +
                                   busiest(tasks) * t->output_transform,
                               busiest(tasks) * t->stores, streamed_cost(v, s, threads), 1.0};
}

// Points a variant needs before its fit is used: more than its five weights.
constexpr size_t kMinCalibrationPoints = 6;
// How strongly a weight is held to its prior (the analytic model's weights
// at the scale that fits the points best) where the points say little.
constexpr double kCalibrationRidge = 0.1;

struct CalibrationPoint {
    std::string target;
    int threads = 1;
    std::string variant;
    ConvShape shape;
    double ms = 0;
    std::string key() const { return target + " threads:" + std::to_string(threads) + " " + variant + " " + shape.str(); }
};

// One variant's weights fitted to those of `points` measured on the target
// it runs here (at least kMinCalibrationPoints of them).
std::optional<std::vector<double>> fit_variant(const VariantInfo &v, const std::vector<const CalibrationPoint *> &points) {
    std::vector<std::vector<double>> features;
    std::vector<double> ms;
    double fe = 0, ee = 0;  // the analytic model's best scale: argmin_s sum (s e_i / t_i - 1)^2
    for (const CalibrationPoint *p : points) {
        if (p->target != v.target) continue;
        std::optional<std::vector<double>> f = calibration_features(v, p->shape, p->threads);
        if (!f || !(p->ms > 0)) continue;
        const double e = estimated_cost(v, p->shape, p->threads) / p->ms;
        fe += e;
        ee += e * e;
        features.push_back(std::move(*f));
        ms.push_back(p->ms);
    }
    if (features.size() < kMinCalibrationPoints || !(ee > 0)) return std::nullopt;
    const double scale = fe / ee;
    // The analytic model's weights are 1 for the work terms; it takes the
    // larger of work and streaming where this sum adds them, so half of it.
    return detail::fit_nonnegative(features, ms, {scale, scale, scale, scale / 2, 0}, kCalibrationRidge);
}

double dot(const std::vector<double> &a, const std::vector<double> &b) {
    double sum = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); i++) sum += a[i] * b[i];
    return sum;
}

bool can_run(const VariantInfo &v, const ConvShape &s) { return prepared_weights_fit(v.m, s); }

// Whether `auto` may consider v under RunOptions::device and ::layout.
bool on_device(const VariantInfo &v, const RunOptions &options) {
    return (options.device == "any" || options.device == v.device) && v.layout == options.layout;
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

    // Adds measured points (replacing any of the same variant, layer, target
    // and thread count) and saves.
    void add_points(const std::vector<CalibrationPoint> &points) {
        std::lock_guard<std::mutex> lock(mutex_);
        load();
        for (const CalibrationPoint &p : points) points_[p.key()] = p;
        fits_.clear();
        save();
    }

    // Whether the calibrated model is used at a thread count on a target
    // (calibrate_cost_model's verdict); without one, it is.
    void set_verdict(const std::string &target, int threads, bool use) {
        std::lock_guard<std::mutex> lock(mutex_);
        load();
        verdicts_[verdict_key(target, threads)] = use;
        fits_.clear();
        save();
    }

    // The points measured at a thread count.
    std::vector<CalibrationPoint> points_at(int threads) {
        std::lock_guard<std::mutex> lock(mutex_);
        load();
        std::vector<CalibrationPoint> out;
        for (const auto &[key, p] : points_)
            if (p.threads == threads) out.push_back(p);
        return out;
    }

    // Each compiled variant's weights fitted to its points at a thread count,
    // measured on its own target (empty: not calibrated there); fitted once
    // per table and thread count.
    std::map<std::string, std::vector<double>> fits(int threads) {
        std::lock_guard<std::mutex> lock(mutex_);
        load();
        auto it = fits_.find(threads);
        if (it != fits_.end()) return it->second;
        std::map<std::string, std::vector<const CalibrationPoint *>> by_variant;
        for (const auto &[k, p] : points_)
            if (p.threads == threads) by_variant[p.variant].push_back(&p);
        std::map<std::string, std::vector<double>> fitted;
        for (const VariantInfo &v : variants()) {
            auto pts = by_variant.find(v.name);
            if (pts == by_variant.end()) continue;
            auto verdict = verdicts_.find(verdict_key(v.target, threads));
            if (verdict != verdicts_.end() && !verdict->second) continue;
            if (std::optional<std::vector<double>> w = fit_variant(v, pts->second)) fitted[v.name] = *w;
        }
        return fits_[threads] = fitted;
    }

private:
    static std::string verdict_key(const std::string &target, int threads) {
        return target + " threads:" + std::to_string(threads);
    }

    // Read once per process (and again when the path changes); an unreadable
    // table is an empty one, rewritten by the next record.
    void load() {
        const std::string path = tuning_table_path();
        if (path == loaded_from_) return;
        loaded_from_ = path;
        entries_.clear();
        points_.clear();
        fits_.clear();
        verdicts_.clear();
        std::ifstream in(path);
        if (!in) return;
        try {
            const nlohmann::json j = nlohmann::json::parse(in);
            for (const auto &e : j.at("entries"))
                entries_[e.at("key").get<std::string>()] = {e.at("variant").get<std::string>(), e.at("ms").get<double>()};
            for (const auto &e : j.value("calibration", nlohmann::json::array())) {
                CalibrationPoint p;
                p.target = e.at("target").get<std::string>();
                p.threads = e.at("threads").get<int>();
                p.variant = e.at("variant").get<std::string>();
                const std::optional<ConvShape> shape = ConvShape::parse(e.at("layer").get<std::string>());
                p.ms = e.at("ms").get<double>();
                if (!shape || !(p.ms > 0)) continue;  // a hand-edited point that cannot be a layer or a time
                p.shape = *shape;
                points_[p.key()] = p;
            }
            for (const auto &e : j.value("calibration_used", nlohmann::json::array()))
                verdicts_[e.at("key").get<std::string>()] = e.at("used").get<bool>();
        } catch (const std::exception &) {
            entries_.clear();
            points_.clear();
            verdicts_.clear();
        }
    }

    void save() {
        nlohmann::json j;
        j["about"] = "wino's tuning table: the fastest compiled variant per target, layer and thread count "
                     "(wino_tune --select, or RunOptions::measure_unknown_layers), and the times the cost model "
                     "is calibrated on (wino_tune --calibrate). Delete to start over.";
        j["entries"] = nlohmann::json::array();
        for (const auto &[key, e] : entries_) j["entries"].push_back({{"key", key}, {"variant", e.variant}, {"ms", e.ms}});
        // The cost model's calibration points (calibrate_cost_model): a layer
        // as "N,C,K,H,W,P".
        j["calibration"] = nlohmann::json::array();
        for (const auto &[key, p] : points_)
            j["calibration"].push_back({{"target", p.target}, {"threads", p.threads}, {"variant", p.variant},
                                        {"layer", p.shape.spec()}, {"ms", p.ms}});
        // Per target and thread count: whether the calibrated model picked
        // better than the analytic one on the layers held out of its fit.
        j["calibration_used"] = nlohmann::json::array();
        for (const auto &[key, used] : verdicts_) j["calibration_used"].push_back({{"key", key}, {"used", used}});
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
    std::map<std::string, CalibrationPoint> points_;
    std::map<int, std::map<std::string, std::vector<double>>> fits_;
    std::map<std::string, bool> verdicts_;
};

std::string table_key(const ConvShape &s, int threads, const RunOptions &options) {
    const std::string target = variants().empty() ? "none" : variants().front().target;
    const std::string layout = options.layout == "nchw" ? "" : " layout:" + options.layout;
    return target + " " + s.str() + " threads:" + std::to_string(threads) + " device:" + options.device + layout;
}

// The target the CPU variants run here.
std::string cpu_target() {
    for (const VariantInfo &v : variants())
        if (v.device == "cpu") return v.target;
    return "none";
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

// The transformed input (V) a fused call's threads read out of another
// core's cache, in the units of the cost model (kStreamedBytesPerOp), for
// breaking ties between rows that split the same work differently. Every
// block of KB output channels reads its band's V once. With fewer bands than
// threads, parallel=channels runs a band's channel blocks on threads other
// than the one that transformed its V ((T - bands) / T of them), and
// parallel=all has V's channel vectors transformed on every thread ((T - 1)
// / T of it remote to any reader); parallel=groups transforms V in each
// group that reads it. Zen 5, 2 threads: 1x128x28² F(4,3) 7x1 band 1024
// 0.41 ms with channel blocks in parallel, 0.22 in groups; 1x256x14² 4x2
// 0.36 channels, 0.32 all, 0.28 groups (bench/results/zen5-2core/session17).
// parallel=points nests a point's channel blocks inside the point's task
// (schedules/winograd.cpp), so a thread runs many blocks of one point and
// reads that point's plane of V from another core about once, not once per
// block; and its output transform reads the products (M_band) of points
// computed on every thread. Counting V per block, the tie on 1x256x14² and
// 1x512x7² at 16 threads went to groups, where points ran 1.27-1.57x faster
// on the Xeon host (bench/results/h200-29); now to points. (8x256x14², 1.22-
// 1.25x faster with points there, stays with groups, which its 8 bands give
// 16 tasks; and the Zen 5 at 2 threads with groups, 1.02-1.08x slower than
// points: zen5-2core/session26/points.)
double remote_input_cost(const VariantInfo &v, const ConvShape &s, int threads) {
    if (v.device != "cpu" || v.schedule != "fused" || threads <= 1) return 0;
    const Machine machine = machine_of_target_string(v.target);
    const ScheduleParams p = parse_schedule_params(v.parameters);
    if (!parallel_channels(p) || parallel_groups(p)) return 0;
    const long long Ho = s.out_h(), Wo = s.out_w();
    const long long bands = schedule_bands(v, p, s, threads);
    if (bands >= threads) return 0;
    const double remote = parallel_all(p) ? double(threads - 1) / threads : double(threads - bands) / threads;
    const long long tiles = s.N * ((Wo + v.m - 1) / v.m) * ((Ho + v.m - 1) / v.m);
    const double alpha2 = double(v.m + 2) * (v.m + 2);  // transform points
    const double L = machine.lanes, V_bytes = alpha2 * 4 * std::ceil(s.C / L) * L * tiles;
    const double blocks = double(padded_k(s.K)) / register_block(machine, p).k();
    const double point_tasks = alpha2 * bands;
    const double reads = parallel_points(p) ? std::clamp(threads / point_tasks, 1.0, blocks) : blocks;
    // parallel=points' output transform reads the products of every point,
    // each computed in its own task: M_band, once.
    const double M_bytes = parallel_points(p) ? alpha2 * 4 * double(padded_k(s.K)) * tiles : 0;
    return remote * (reads * V_bytes + M_bytes) / kStreamedBytesPerOp / threads;
}

namespace {

// A thread's vector FMAs per microsecond on `lanes`-lane vectors: the FMA
// peak of one thread, measured once per process (~10 ms).
double vector_fmas_per_us(int lanes) {
    static std::mutex mutex;
    static std::map<int, double> rates;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = rates.find(lanes);
    if (it == rates.end()) {
        const detail::FmaPeak peak = detail::measure_fma_peak(1, lanes, 0.004);
        it = rates.emplace(lanes, peak.gflops * 1e3 / (2.0 * peak.lanes)).first;
    }
    return it->second;
}

// The thread counts call_threads weighs, up to `threads`: 1 to 4, then
// steps of about 1.5x (6, 8, 12, 16, 24, ...), and `threads` itself. The
// pool's cost is measured once per count tried (~1-2 ms each), and the
// predicted time changes little between neighbours.
std::vector<int> thread_candidates(int threads) {
    std::vector<int> out;
    for (int t = 1; t < threads; t = t < 4 ? t + 1 : (t % 3 == 0 ? t / 3 * 4 : t / 2 * 3)) out.push_back(t);
    out.push_back(threads);
    return out;
}

// call_threads for a CPU direct or fused variant: of thread_candidates, the
// count of the least predicted time. The work at t is the busiest thread's
// share of the model's work terms (calibration_features: a layer of few
// tasks keeps few threads busy whatever t is), or the weights it streams
// over t cores, whichever is larger, as estimated_cost takes the larger.
int threads_for_work(const VariantInfo &v, const ConvShape &layer, int threads) {
    const double rate = vector_fmas_per_us(machine_of_target_string(v.target).lanes);
    int best_t = threads;
    double best_us = std::numeric_limits<double>::infinity();
    for (int t : thread_candidates(threads)) {
        const std::optional<std::vector<double>> f = calibration_features(v, layer, t);
        if (!f) return threads;
        const double ops = std::max((*f)[0] + (*f)[1] + (*f)[2], (*f)[3] / t);
        const double us = ops / rate + detail::fork_join_microseconds(t);
        if (us < best_us) best_us = us, best_t = t;
    }
    return best_t;
}

}  // namespace

int call_threads(const std::string &variant_name, const ConvShape &layer, const RunOptions &options) {
    const int threads = detail::resolve_threads(options.threads);
    const VariantInfo &v = variant(variant_name);
    if (!options.threads_by_work || threads <= 1 || v.device != "cpu" ||
        (v.schedule != "direct" && v.schedule != "fused"))
        return threads;
    // A call of a small layer takes microseconds: the answer is kept per
    // variant, layer and thread count, not worked out again.
    using Key = std::tuple<std::string, int, int, int, int, int, int, int>;
    static std::mutex mutex;
    static std::map<Key, int> chosen;
    const Key key{v.name, layer.N, layer.C, layer.K, layer.H, layer.W, layer.padding, threads};
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (auto it = chosen.find(key); it != chosen.end()) return it->second;
    }
    const int t = threads_for_work(v, layer, threads);  // measures on first use: outside the lock
    std::lock_guard<std::mutex> lock(mutex);
    return chosen[key] = t;
}

std::vector<Estimate> estimate_variants(const ConvShape &layer, const RunOptions &options) {
    const int threads = detail::resolve_threads(options.threads);
    // The calibrated model, where this thread count was calibrated and the
    // calibration's verdict keeps it: the variants it has fits for (CPU
    // only; a GPU variant's time is not on the same scale).
    const std::map<std::string, std::vector<double>> fits =
        options.device == "cpu" ? TuningTable::instance().fits(threads) : std::map<std::string, std::vector<double>>{};
    std::vector<Estimate> out;
    for (const VariantInfo &v : variants()) {
        if (!can_run(v, layer) || !on_device(v, options)) continue;
        Estimate e;
        e.variant = v.name;
        e.model_cost = competes(v, layer, threads) ? estimated_cost(v, layer, threads) : std::numeric_limits<double>::infinity();
        e.calibrated_ms = std::numeric_limits<double>::quiet_NaN();
        auto w = fits.find(v.name);
        const std::optional<std::vector<double>> f = calibration_features(v, layer, threads);
        e.remote_cost = remote_input_cost(v, layer, threads);
        e.busiest_cost = (f ? (*f)[0] + (*f)[1] + (*f)[2] : e.model_cost) + e.remote_cost;
        if (f) {  // a CPU direct or fused variant
            e.multiply_fmas = cpu_work_terms(v, layer)->fmas;
            const ScheduleParams p = parse_schedule_params(v.parameters);
            e.tasks = schedule_tasks(v, p, layer, threads);
            e.bands = schedule_bands(v, p, layer, threads);
            e.streamed_cost = (*f)[3];  // calibration_features' streamed term
        }
        if (w != fits.end() && f) {
            for (size_t i = 0; i < f->size(); i++) e.calibrated_terms_ms.push_back(w->second[i] * (*f)[i]);
            e.calibrated_ms = dot(w->second, *f);
        }
        out.push_back(std::move(e));
    }
    // auto's order; stable, so the table's order breaks what remains tied.
    std::stable_sort(out.begin(), out.end(), [](const Estimate &a, const Estimate &b) {
        const bool ca = !std::isnan(a.calibrated_ms), cb = !std::isnan(b.calibrated_ms);
        if (ca != cb) return ca;
        if (ca) return a.calibrated_ms < b.calibrated_ms;
        return a.model_cost != b.model_cost ? a.model_cost < b.model_cost : a.busiest_cost < b.busiest_cost;
    });
    return out;
}

Selection select_variant(const ConvShape &layer, const RunOptions &options) {
    const int threads = detail::resolve_threads(options.threads);
    Entry e;
    if (TuningTable::instance().find(table_key(layer, threads, options), e)) {
        for (const VariantInfo &v : variants())
            if (v.name == e.variant && can_run(v, layer) && on_device(v, options)) return {v.name, "tuning table", e.ms};
    }
    if (options.measure_unknown_layers || measure_by_default()) return select_by_measuring(layer, options);
    const std::vector<Estimate> estimates = estimate_variants(layer, options);  // auto's pick first
    if (!estimates.empty() && !std::isnan(estimates.front().calibrated_ms))
        return {estimates.front().variant, "calibrated model", estimates.front().calibrated_ms};
    if (estimates.empty() || !std::isfinite(estimates.front().model_cost))
        throw Error(ErrorCode::Unsupported, "auto: no compiled variant can run layer " + layer.str());
    return {estimates.front().variant, "cost model", 0};
}

namespace {

// Random input and weights for timing a layer, and an output to write.
struct TimingData {
    std::vector<float> x, w, y;
    explicit TimingData(const ConvShape &layer) {
        std::mt19937 rng(1);
        std::uniform_real_distribution<float> dist(-1, 1);
        x.resize(size_t(layer.N) * layer.C * layer.H * layer.W);
        w.resize(size_t(layer.K) * layer.C * 9);
        y.resize(size_t(layer.N) * layer.K * layer.out_h() * layer.out_w());
        for (float &f : x) f = dist(rng);
        for (float &f : w) f = dist(rng);
    }
};

// The fastest of a few calls of a variant on a layer (at least 3, about
// 20 ms in all, after one to warm up: noise only slows a call down), ms;
// nullopt if the variant refuses the layer (e.g. over a memory limit).
std::optional<double> fastest_ms(const VariantInfo &v, const ConvShape &layer, TimingData &d, RunOptions options) {
    options.layout = v.layout;  // the same values, read in the variant's layout
    try {
        const PreparedWeights p = prepare_weights(v.name, {d.w.data(), layer.weights()}, options);
        auto once = [&] {
            conv2d(v.name, {d.x.data(), layer.input(v.layout)}, p, {d.y.data(), layer.output(v.layout)}, layer.padding,
                   options);
        };
        once();
        double fastest = std::numeric_limits<double>::infinity(), spent = 0;
        for (int i = 0; i < 3 || (spent < 0.02 && i < 100); i++) {
            const auto t0 = std::chrono::steady_clock::now();
            once();
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            fastest = std::min(fastest, s);
            spent += s;
        }
        return fastest * 1e3;
    } catch (const Error &) {
        return std::nullopt;
    }
}

RunOptions timing_options(const RunOptions &options, int threads) {
    RunOptions run_options = options;
    run_options.threads = threads;
    run_options.stats = nullptr;
    return run_options;
}

}  // namespace

Selection select_by_measuring(const ConvShape &layer, const RunOptions &options) {
    const int threads = detail::resolve_threads(options.threads);
    const RunOptions run_options = timing_options(options, threads);
    TimingData data(layer);
    Selection best;
    best.source = "measured now";
    for (const VariantInfo &v : variants()) {
        if (!can_run(v, layer) || !on_device(v, options)) continue;
        const std::optional<double> ms = fastest_ms(v, layer, data, run_options);
        if (ms && (best.variant.empty() || *ms < best.ms)) best = {v.name, best.source, *ms};
    }
    if (best.variant.empty())
        throw Error(ErrorCode::Unsupported, "auto: no compiled variant ran layer " + layer.str());
    TuningTable::instance().record(table_key(layer, threads, options), {best.variant, best.ms});
    return best;
}

const std::vector<std::string> &calibrated_terms() { return kCalibratedTerms; }

Calibration calibrate_cost_model(const std::vector<ConvShape> &layers, const RunOptions &options, int rounds,
                                 const std::function<void(const std::string &)> &progress) {
    if (rounds < 1) throw Error(ErrorCode::InvalidArgument, "calibrate_cost_model: rounds must be at least 1");
    const int threads = detail::resolve_threads(options.threads);
    const RunOptions run_options = timing_options(options, threads);
    // Rounds over every layer and variant, each point's fastest kept: a
    // noisy spell of a few seconds (other tenants of a cloud machine) then
    // slows one round of a point, not all of its timings.
    std::map<std::string, CalibrationPoint> measured;
    for (int round = 1; round <= rounds; round++) {
        for (const ConvShape &layer : layers) {
            TimingData data(layer);
            for (const VariantInfo &v : variants()) {
                if (!can_run(v, layer) || !calibration_features(v, layer, threads)) continue;
                const std::optional<double> ms = fastest_ms(v, layer, data, run_options);
                if (!ms) continue;
                const CalibrationPoint p{v.target, threads, v.name, layer, *ms};
                auto [it, added] = measured.emplace(p.key(), p);
                if (!added) it->second.ms = std::min(it->second.ms, *ms);
            }
            if (progress)
                progress("round " + std::to_string(round) + "/" + std::to_string(rounds) + ", " + layer.str());
        }
    }
    std::vector<CalibrationPoint> points;
    for (const auto &[key, p] : measured) points.push_back(p);
    TuningTable &table = TuningTable::instance();
    table.add_points(points);

    // Every point at this thread count, the earlier calibrations' included.
    Calibration out;
    out.threads = threads;
    out.table = tuning_table_path();
    const std::vector<CalibrationPoint> all = table.points_at(threads);
    const std::map<std::string, std::vector<double>> fits = table.fits(threads);
    std::map<std::string, std::vector<const CalibrationPoint *>> by_variant;
    std::map<std::string, std::vector<const CalibrationPoint *>> by_layer;
    for (const CalibrationPoint &p : all) {
        by_variant[p.variant].push_back(&p);
        by_layer[p.shape.str()].push_back(&p);
    }
    for (const auto &[name, w] : fits) {
        const VariantInfo &v = variant(name);
        Calibration::Fit fit{name, w, 0, 0, 0};
        std::vector<double> errors;
        for (const CalibrationPoint *p : by_variant[name]) {
            if (p->target != v.target) continue;
            errors.push_back(std::abs(dot(w, *calibration_features(v, p->shape, threads)) / p->ms - 1));
        }
        std::sort(errors.begin(), errors.end());
        fit.points = int(errors.size());
        fit.median_error = errors.empty() ? 0 : errors[errors.size() / 2];
        fit.max_error = errors.empty() ? 0 : errors.back();
        out.fits.push_back(fit);
    }
    // Each layer held out in turn: the fits to the other layers' points pick
    // a variant for it, set against the fastest measured there.
    for (const auto &[layer_name, points] : by_layer) {
        const ConvShape layer = points.front()->shape;
        std::map<std::string, std::vector<const CalibrationPoint *>> others;
        for (const CalibrationPoint &p : all)
            if (p.shape.str() != layer_name) others[p.variant].push_back(&p);
        Calibration::HeldOut h{layer, "", 0, "", 0, "", 0};
        double best_prediction = std::numeric_limits<double>::infinity();
        double best_analytic = std::numeric_limits<double>::infinity();
        for (const CalibrationPoint *p : points) {
            const VariantInfo &v = variant(p->variant);
            if (p->target != v.target) continue;
            if (h.fastest.empty() || p->ms < h.fastest_ms) h.fastest = p->variant, h.fastest_ms = p->ms;
            const double analytic = estimated_cost(v, layer, threads);
            if (analytic < best_analytic) best_analytic = analytic, h.analytic = p->variant, h.analytic_ms = p->ms;
            const std::optional<std::vector<double>> w = fit_variant(v, others[p->variant]);
            if (!w) continue;
            const double prediction = dot(*w, *calibration_features(v, layer, threads));
            if (prediction < best_prediction) best_prediction = prediction, h.picked = p->variant, h.picked_ms = p->ms;
        }
        if (!h.picked.empty()) out.held_out.push_back(h);
    }
    double calibrated_log = 0, analytic_log = 0;
    for (const Calibration::HeldOut &h : out.held_out) {
        calibrated_log += std::log(h.picked_ms / h.fastest_ms);
        analytic_log += std::log(h.analytic_ms / h.fastest_ms);
    }
    const double n = double(std::max<size_t>(1, out.held_out.size()));
    out.calibrated_score = std::exp(calibrated_log / n);
    out.analytic_score = std::exp(analytic_log / n);
    out.used = !out.held_out.empty() && out.calibrated_score <= out.analytic_score;
    table.set_verdict(cpu_target(), threads, out.used);
    return out;
}

}  // namespace wino
