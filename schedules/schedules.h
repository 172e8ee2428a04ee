// The schedules: how each algorithm's stages (generators/stages.h) are
// computed. One algorithm x many schedules = the variants; the variant table in
// the top-level CMakeLists.txt names which schedule each variant uses.
#pragma once

#include <string>

#include "Halide.h"
#include "blocking.h"
#include "stages.h"

namespace wino {

// What a schedule sizes itself by (blocking.h), read from the Halide target.
Machine machine_of(const Halide::Target &target);

// The shape of a band: the unit of work a parallel task takes (its padded or
// transformed input is computed once, then reused by every channel block).
struct BandShape {
    Halide::Expr x, y;  // columns (pixels or tiles) per band in x and in y
};
// band_shape_of (blocking.h) for the call's extents, asked at run time
// (wino_band_extent): the compiled pipeline calls the runtime's C++.
BandShape band_shape(const Halide::Expr &cols_x, const Halide::Expr &cols_y, const Halide::Expr &n,
                     const Halide::Expr &unit_bytes, int block_x, int block_y, const Halide::Expr &budget_bytes,
                     const Halide::Expr &channel_tasks, const Halide::Expr &threads);

// The zero-padded input of a CPU band (`in`, args (x, y, c, n)), stored and
// computed channels innermost in vectors of `lanes` (RoundUp: channels past
// C are the pad's zeros, read as the weights' zero rows). pixel_major: all of
// a pixel's channel vectors before the next pixel, as NHWC tensors hold them;
// otherwise one vector of channels across the band at a time (from NCHW).
void schedule_channel_vector_padding(Halide::Func in, int lanes, bool pixel_major);
// The same loops for one stage of it (a specialization), its storage left as
// is; `tail` for the channel split (ShiftInwards: a last vector that ends at
// channel C - 1, for a region of at least `lanes` channels).
void schedule_channel_vector_padding(Halide::Stage stage, const std::vector<Halide::Var> &args, int lanes,
                                     bool pixel_major,
                                     Halide::TailStrategy tail = Halide::TailStrategy::RoundUp);

// CUDA schedules (schedules/gpu.cpp), dispatched by schedule_direct and
// schedule_winograd for the names gpu_direct, gpu_tensor, gpu_staged, gpu_fused.
void schedule_gpu_direct(DirectStages &s, const ScheduleParams &p, const Halide::Target &target);
void schedule_gpu_tensor(WinogradStages &s, const ScheduleParams &p, const Halide::Target &target);
void schedule_gpu_staged(WinogradStages &s, const ScheduleParams &p, const Halide::Target &target);
void schedule_gpu_fused(WinogradStages &s, const ScheduleParams &p, const Halide::Target &target);

// Each throws std::invalid_argument for a schedule name or parameter it does not take.
void schedule_direct(const std::string &schedule, const ScheduleParams &p, DirectStages &s,
                     const Halide::Target &target);
void schedule_winograd(const std::string &schedule, const ScheduleParams &p, WinogradStages &s,
                       const Halide::Target &target);
void schedule_filter_transform(FilterStages &s, const Halide::Target &target);
void schedule_weight_packing(PackStages &s, const Halide::Target &target);

}  // namespace wino
