// The schedules: how each algorithm's stages (generators/stages.h) are
// computed. One algorithm x many schedules = the variants; the variant table in
// the top-level CMakeLists.txt names which schedule each variant uses.
#pragma once

#include <string>

#include "Halide.h"
#include "stages.h"

namespace wino {

// What a schedule sizes itself by, read from the Halide target.
struct Machine {
    int lanes;      // fp32 lanes per vector: 4 (SSE), 8 (AVX2), 16 (AVX-512)
    int registers;  // vector registers: 16, or 32 with AVX-512
};
Machine machine_of(const Halide::Target &target);

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
    std::string parallel;  // "bands" (channel blocks serial inside a band) or "channels" (nested too)
};

// The register block for `p` on this machine: columns "XxY" (as many channel
// vectors as the registers allow, at most 2, unless p.k_vectors says) or the
// target's default. Throws std::invalid_argument for a malformed spec.
RegisterBlock register_block(const Machine &machine, const ScheduleParams &p);

// Bytes of working set per band (band_kb, or the default).
int band_bytes(const ScheduleParams &p);
// Whether channel blocks inside a band run in parallel as well.
bool parallel_channels(const ScheduleParams &p);

// The shape of a band: the unit of work a parallel task takes (its padded or
// transformed input is computed once, then reused by every channel block).
struct BandShape {
    Halide::Expr x, y;  // columns (pixels or tiles) per band in x and in y
};
// A band of columns (x, y) (per image, n images) of unit_bytes of working set
// each, as large as `budget_bytes` allows (whole rows first, then chunks of
// rows), in multiples of the register block (block_x, block_y); then smaller,
// if needed, so that bands x channel_tasks offer each of `threads` threads two
// tasks. Extents never exceed the image's (rounded up to the block).
BandShape band_shape(const Halide::Expr &cols_x, const Halide::Expr &cols_y, const Halide::Expr &n,
                     const Halide::Expr &unit_bytes, int block_x, int block_y, const Halide::Expr &budget_bytes,
                     const Halide::Expr &channel_tasks, const Halide::Expr &threads);

// Each throws std::invalid_argument for a schedule name or parameter it does not take.
void schedule_direct(const std::string &schedule, const ScheduleParams &p, DirectStages &s,
                     const Halide::Target &target);
void schedule_winograd(const std::string &schedule, const ScheduleParams &p, WinogradStages &s,
                       const Halide::Target &target);
void schedule_filter_transform(FilterStages &s, const Halide::Target &target);
void schedule_weight_packing(PackStages &s, const Halide::Target &target);

}  // namespace wino
