// Register blocks and the other schedule parameters, as plain C++: the
// schedules (schedules/) size themselves by these, and the runtime's `auto`
// (runtime/select.cpp) reads the same numbers to estimate a variant's work,
// without Halide.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layout.h"

namespace wino {

// What a schedule sizes itself by.
struct Machine {
    int lanes;      // fp32 lanes per vector: 4 (SSE), 8 (AVX2), 16 (AVX-512)
    int registers;  // vector registers: 16, or 32 with AVX-512
};
// The machine a Halide target string ("x86-64-linux-avx-avx2-...") describes:
// what the runtime knows of a compiled variant (VariantInfo::target).
Machine machine_of_target_string(const std::string &target);

// A register block for the "vector of output channels x a few columns" micro-kernels
// (direct convolution: columns are output pixels; Winograd: columns are tiles).
struct RegisterBlock {
    int lanes;
    int k_vectors;  // vectors of output channels per block
    int columns;    // broadcast operands per block (pixels, or Winograd tiles)
    int k() const { return k_vectors * lanes; }
    // The columns as a 2-D block (x, y), so image edges cut fewer blocks:
    // 4 x 3 (AVX-512) divides ResNet widths 56, 28 and (nearly) 14; 3 x 2 (AVX2).
    int cols_y() const { return y ? y : columns >= 12 ? 3 : 2; }
    int cols_x() const { return columns / cols_y(); }
    int y = 0;  // explicit rows of the 2-D block (0: derived from columns)
};
RegisterBlock register_block(const Machine &machine);

// A schedule's parameters, one field per generator parameter: a row of the
// variant table sets them, the tuner (wino_tune) searches them. Zero or empty
// means "derive it from the target".
struct ScheduleParams {
    std::string block;     // register block columns "XxY" (pixels for direct, tiles for Winograd)
    int k_vectors = 0;     // vectors of output channels per register block
    int band_kb = 0;       // KiB of transformed input (Winograd) or padded input (direct) per band
    std::string parallel;  // inside a band: "bands" (all serial), "channels" (channel blocks in parallel, default),
                           // "all" (fused: the input transform's channel vectors in parallel too) or "groups"
                           // (fused: channel blocks in as many groups as the threads need, each transforming
                           // the band's input itself; direct: the weight blocks in a group per thread, the
                           // groups outermost, each padding its bands itself) or "points" (fused: as "all", and the band's products
                           // for all output channels first, in parallel over transform points and channel
                           // blocks)
    std::string vectorize; // direct: "k" (output channels, default) or "x" (pixels along a row)
    std::string store;     // fused, direct (vectorize=k): "channels" (default) or "rows" (a vector of pixels
                           // per store, through a stack block, when whole tiles or register blocks fill one)
    int c_slice = 0;       // GPU multiply (gpu_tensor, gpu_staged): input channels per unrolled step
    std::string load;      // gpu_staged's input transform: "tiles" (default: each thread reads its tile's
                           // window) or "shared" (a block stages its input patch in shared memory)
    std::string pad;       // direct: "bands" (default: each band pads the rows it reads through the
                           // boundary condition), "image" (each image zero-filled, then copied in) or
                           // "blocks" (layout=nhwc: as bands, each band's pixels in blocks of 16 channels);
                           // fused: "bands" (default: each band copies the input it reads, padded, channels
                           // innermost) or "inline" (layout=nhwc: the input transform loads the input
                           // through the boundary condition, no copy)
    std::string layout;    // the input's and output's layout: "nchw" (default: each channel a plane) or
                           // "nhwc" (channels innermost: a pixel's channels are one dense vector)
    std::string taps;      // direct (vectorize=k, blocks of one row): "all" (default: every output takes all 9
                           // taps, those on the zero padding included) or "rows" (outputs in the first and
                           // last rows skip the row of taps on the padding)
    int c_block = 0;       // fused (CPU, not parallel=points): the multiply's channel loop in blocks of this many
                           // input channels, each swept over all of a band's tile blocks for one transform point
                           // (0, the default: the whole channel loop per tile block)
};

// The fused multiply's block of input channels (c_block; 0: none); throws
// std::invalid_argument for a negative one.
int fused_c_block(const ScheduleParams &p);

// Whether the direct algorithm pads whole images by a copy (pad=image);
// throws std::invalid_argument for an unknown value.
bool pads_image(const ScheduleParams &p);

// Whether the direct algorithm copies each band of NHWC input in blocks of
// kInputChannelBlock channels (pad=blocks, layout.h); throws
// std::invalid_argument for an unknown value, or pad=blocks without layout=nhwc.
bool pads_channel_blocks(const ScheduleParams &p);

// The channels per pixel of a direct row's padded band: C, or with pad=blocks
// whole blocks of kInputChannelBlock. For the schedule's Halide::Expr and the
// model's counts alike, so that both size the bands the same.
template <typename T>
T direct_band_channels(const ScheduleParams &p, const T &C) {
    if (!pads_channel_blocks(p)) return C;
    return (C + kInputChannelBlock - 1) / kInputChannelBlock * kInputChannelBlock;
}

// Whether the fused schedule's input transform reads the input through the
// boundary condition rather than a padded copy per band (pad=inline);
// throws std::invalid_argument for a value the fused schedule does not take.
bool pads_inline(const ScheduleParams &p);

// Whether the direct algorithm skips the rows of taps that fall on the zero
// padding (taps=rows); throws std::invalid_argument for an unknown value.
bool skips_padded_rows(const ScheduleParams &p);

// Whether the pipeline's input and output are channels-innermost (layout=nhwc)
// rather than planar (nchw, the default); throws std::invalid_argument for an
// unknown value.
bool channels_last(const ScheduleParams &p);
// Register blocks of KB channels per block of the parallel channel loop
// below: all of a weight block's when KB divides it, else one.
inline int register_blocks_per_channel_block(int KB) { return kWeightKBlock % KB == 0 ? kWeightKBlock / KB : 1; }
// The loop over blocks of output channels that runs in parallel
// (parallel=channels) has this many iterations for K channels in register
// blocks of KB: the weights' blocks of kWeightKBlock when KB divides them,
// else the register blocks themselves. For ints and Halide Exprs alike.
template <typename I>
I channel_blocks(const I &K, int KB) {
    const int per = register_blocks_per_channel_block(KB);
    return ((K + KB - 1) / KB + per - 1) / per;
}

// The weight blocks per group of the direct schedule with parallel=groups:
// the `blocks` channel blocks in one group per thread, at most one group
// per block, equal but the last (ceil(blocks / this) groups).
// (schedules/direct.cpp computes the same on Halide Exprs.)
long long direct_group_blocks(long long blocks, long long threads);

// The parallel tasks of a band's products with parallel=points: each of the
// alpha² transform points times each register block of KB of K channels.
// For ints and Halide Exprs alike.
template <typename I>
I point_tasks(int alpha, const I &K, int KB) {
    return alpha * alpha * ((K + KB - 1) / KB);
}

// The layout's name as the runtime reports it (VariantInfo::layout): "nchw" or "nhwc".
std::string layout_name(const ScheduleParams &p);

// The register block for `p` on this machine: columns "XxY" (as many channel
// vectors as the registers allow, at most 2 and dividing kWeightKBlock,
// unless p.k_vectors says: 1 to 4) or the target's default. Throws
// std::invalid_argument for a malformed spec.
RegisterBlock register_block(const Machine &machine, const ScheduleParams &p);

// Bytes of working set per band (band_kb, or the default).
int band_bytes(const ScheduleParams &p);
// Register blocks ("XxY") that cut a grid of extent_x x extent_y columns
// (Winograd: tiles, direct: output pixels) with little waste, for the tuner
// to try besides its fixed list: at most `count`, each of 8 / k_vectors to
// max_columns columns (enough accumulators to cover the FMAs' latency, no
// more than the registers hold), computing at most 10% more columns than
// the grid has; those wasting least first, then the most columns, then the
// widest. Layers the fixed list was not written for get blocks that fit
// them: F(6,3) at 56x56 has 10 x 10 tiles (5x2, 10x1), a 19x23 channel tail
// F(4,3) 5 x 6.
std::vector<std::string> grid_blocks(long long extent_x, long long extent_y, int k_vectors, int max_columns, int count);
// Whether channel blocks inside a band run in parallel as well.
bool parallel_channels(const ScheduleParams &p);
// Whether the fused schedule's per-band input padding and transform run in
// parallel too, per vector of input channels, on calls with fewer bands than
// threads (parallel=all; channel blocks as with parallel=channels).
bool parallel_all(const ScheduleParams &p);
// Whether the fused schedule splits a band's blocks of output channels into
// groups, one task each, that each pad and transform the band's input
// themselves (parallel=groups): no transformed input is shared between
// cores, no thread waits for another's transform, and each group reads only
// its channels' slice of U, at the price of transforming a band's input once
// per group. Bands are cut for one group task per thread (not two): every
// band reads U once more.
bool parallel_groups(const ScheduleParams &p);
// Whether the fused schedule computes a band's products for all output
// channels before its output transform, each transform point and block of
// KB channels a task of its own (parallel=points; the input transform as
// with parallel=all): alpha² times the tasks of channel blocks, for small
// planes on many threads, where a band's channel blocks alone are fewer
// than the threads.
bool parallel_points(const ScheduleParams &p);
// The blocks of output channels that parallel=groups groups: the register
// block's channels (KB), across U's blocks of kWeightKBlock.
long long group_units(const Machine &machine, const ScheduleParams &p, long long K);
// The groups a band's `units` blocks of channels are split into with
// parallel=groups: enough for `threads` threads across `bands` bands, at
// most one per block, all but the last of ceil(units / wanted) blocks
// (schedules/winograd.cpp splits them so).
long long channel_groups(long long bands, long long units, long long threads);

// The direct schedule's channel-vectorized block: as register_block, but by
// default with a third fewer pixels (neighbouring taps share input pixels,
// and LLVM keeps the shared broadcasts in registers across the tap loops).
RegisterBlock direct_block(const Machine &machine, const ScheduleParams &p);

// Whether NHWC direct unrolls the 3 column taps inside its channel loop, so
// that a row's XB + 2 broadcasts serve all three: where the block's
// accumulators, those broadcasts and its vectors of weights fit the
// registers (7x1 by 2 vectors: 14 + 9 + 2 of 32). Otherwise the taps stay
// outside the channels (8x3 by 1 vector, 55 registers, ran up to 1.25x
// slower unrolled; bench/results/xeon-2core/session35/rx_taps).
bool direct_unrolls_column_taps(const Machine &machine, const RegisterBlock &b);

// The GPU Winograd schedules' tiles per thread along x (gpu_fused: per lane):
// "Tx1" in p.block, 1 <= T <= 8, or the schedule's default (gpu_fused 2;
// gpu_tensor and gpu_staged, whose multiply it blocks, 4). Throws
// std::invalid_argument for another block.
int gpu_tiles(const std::string &schedule, const ScheduleParams &p);

// Throws std::invalid_argument unless `p` holds only what the GPU schedule
// takes: block; k_vectors (gpu_direct, gpu_tensor, gpu_staged); c_slice
// (gpu_tensor, gpu_staged); store and load (gpu_staged).
void check_gpu_params(const std::string &schedule, const ScheduleParams &p);

// The float4s of output channels per thread of the GPU multiply (gpu_tensor,
// gpu_staged; default 2) and of the direct kernel (gpu_direct; default 4):
// p.k_vectors, 1, 2, 4 or 8 (a thread's channels stay within one weight
// block of kWeightKBlock). Throws std::invalid_argument for another value,
// or for a parameter the schedule does not take.
int gpu_k_vectors(const std::string &schedule, const ScheduleParams &p);

// The input channels per unrolled step of the GPU multiply (gpu_tensor,
// gpu_staged): p.c_slice, 1, 2, 4, 8 or 16, default 4. Throws
// std::invalid_argument for another value, or another schedule.
int gpu_c_slice(const std::string &schedule, const ScheduleParams &p);

// Whether the staged output transform stores rows of pixels through shared
// memory (gpu_staged, store=rows) rather than a tile per thread (store=tiles,
// the default). Throws std::invalid_argument for another value or schedule.
bool gpu_store_rows(const std::string &schedule, const ScheduleParams &p);
// Whether the staged input transform reads its input through shared memory
// (gpu_staged, load=shared) rather than a window per thread (load=tiles,
// the default). Throws std::invalid_argument for another value or schedule.
bool gpu_load_shared(const std::string &schedule, const ScheduleParams &p);
// The block of both (store=rows, load=shared): kTiles x kRows tiles of
// kChannels channels.
struct GpuRowsBlock {
    static constexpr int kTiles = 4, kRows = 2, kChannels = 16;
};

// The GPU direct kernel's block per thread (gpu_direct): `rows` output rows
// of one pixel column ("1xY" in p.block, 1 <= Y <= 8, default 4) x
// `channels` output channels (4 per k_vectors). Throws
// std::invalid_argument for another block.
struct GpuDirectBlock {
    int rows, channels;
    // A block of threads: kThreadsX pixels along x (a warp) x kRowThreads
    // groups of `rows` rows.
    static constexpr int kThreadsX = 32, kRowThreads = 4;
};
GpuDirectBlock gpu_direct_block(const ScheduleParams &p);

// A row's parameters ("block=7x1 band_kb=256 features=large_buffers", the
// variant table's form; features are the target's, not the schedule's).
// Throws std::invalid_argument for a key it does not know.
ScheduleParams parse_schedule_params(const std::string &row);

// Whether the channel-vectorized direct kernel stores rows of pixels
// (store=rows, when a vector holds whole register blocks along x).
bool direct_stores_rows(const Machine &machine, const ScheduleParams &p);
// Whether Winograd fused F(m, 3) stores rows of pixels (store=rows).
bool fused_stores_rows(const Machine &machine, const ScheduleParams &p, int m);
// The tiles whose output transforms store=rows places side by side before
// storing their rows: the fewest whole tiles whose pixels fill whole vectors
// (F(4,3) at 16 lanes: 4 tiles, one vector; F(6,3): 8 tiles, three).
int fused_row_group(const Machine &machine, int m);

// The x-vectorized direct micro-kernel's register block: one vector of L
// pixels along a row x KU output channels x YB rows.
struct RowBlock {
    int L, KU, YB;
};
RowBlock row_block(const Machine &machine, const ScheduleParams &p);

// The direct schedule's padding with pad=bands loads each row of a band's
// padded input in vectors of this many pixels (fewer than a full vector: see
// schedules/direct.cpp).
int padding_lanes(const Machine &machine);

// The vector widths of the direct schedule's padded band from NHWC input
// (layout=nhwc), narrowest first: a pixel's C channels go in the first that
// holds them (4, 8, ... below the machine's lanes), else in vectors of lanes.
std::vector<int> channel_padding_widths(const Machine &machine);
// The one of them that holds a pixel of C channels.
int channel_padding_width(const Machine &machine, long long C);

// A band of columns (pixels or Winograd tiles) per image, the unit of work a
// parallel task takes (its padded or transformed input is computed once,
// then reused by every channel block), for n images of cols_x x cols_y
// columns of unit_bytes of working set each, in register blocks of block_x x
// block_y. The size rule: as large as budget_bytes allows (whole rows first,
// then chunks of rows), smaller if needed so that bands x channel_tasks give
// each of `threads` threads two tasks, then as many bands as equal as whole
// blocks make them. With threads, a smaller band if it evens out the
// threads' shares (blocking.cpp). Extents never exceed the image's (rounded
// up to the block). The schedules ask for it at run time (wino_band_extent).
struct Bands {
    long long x, y;  // columns per band in x and in y
};
Bands band_shape_of(long long cols_x, long long cols_y, long long n, long long unit_bytes, int block_x, int block_y,
                    long long budget_bytes, long long channel_tasks, long long threads);

// The bands a CPU schedule cuts a layer into (N images, C -> K channels, an
// Ho x Wo output) when called on `threads` threads (band_shape in
// schedules/machine.cpp, the same integer arithmetic, here without Halide),
// across images. The runtime's cost model counts the weights each band reads.
long long direct_bands(const Machine &machine, const ScheduleParams &p, long long N, long long C, long long K,
                       long long Ho, long long Wo, int threads);
long long fused_bands(const Machine &machine, const ScheduleParams &p, int m, long long N, long long C, long long K,
                      long long Ho, long long Wo, int threads);
// The parallel tasks those schedules offer: bands times the widest parallel
// loop inside a band (channel blocks, or the fused input transform's channel
// vectors with parallel=all). A test holds them equal to the tasks the
// compiled pipelines report (RunStats).
long long direct_tasks(const Machine &machine, const ScheduleParams &p, long long N, long long C, long long K,
                       long long Ho, long long Wo, int threads);
long long fused_tasks(const Machine &machine, const ScheduleParams &p, int m, long long N, long long C, long long K,
                      long long Ho, long long Wo, int threads);

}  // namespace wino

// band_shape_of's x (axis 0) or y (axis 1), for compiled pipelines: the
// schedules call it by this name (schedules/machine.cpp), so the band is
// chosen when the call's shape and thread count are known, by the same code
// as auto's cost model.
extern "C" int32_t wino_band_extent(int32_t axis, int32_t cols_x, int32_t cols_y, int32_t n, int64_t unit_bytes,
                                    int32_t block_x, int32_t block_y, int64_t budget_bytes, int32_t channel_tasks,
                                    int32_t threads);

