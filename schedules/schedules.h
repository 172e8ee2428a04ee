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
// A block of "XxY" columns (e.g. "7x2": tiles in x and y) with as many channel
// vectors as this target's registers allow; "" or "auto": the default block.
// Throws std::invalid_argument for a malformed spec.
RegisterBlock register_block(const Machine &machine, const std::string &spec);

// Each throws std::invalid_argument for a schedule name it does not know.
void schedule_direct(const std::string &schedule, DirectStages &s, const Halide::Target &target);
// `block`: the fused schedule's register block (see register_block); "" = default.
void schedule_winograd(const std::string &schedule, const std::string &block, WinogradStages &s,
                       const Halide::Target &target);
void schedule_filter_transform(FilterStages &s, const Halide::Target &target);
void schedule_weight_packing(PackStages &s, const Halide::Target &target);

}  // namespace wino
