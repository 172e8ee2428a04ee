#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "layout.h"
#include "schedules.h"

namespace wino {

Machine machine_of(const Halide::Target &target) {
    Machine m;
    m.lanes = target.natural_vector_size<float>();
    m.registers = target.has_feature(Halide::Target::AVX512) ? 32 : 16;
    return m;
}

void schedule_channel_vector_padding(Halide::Stage stage, const std::vector<Halide::Var> &a, int lanes,
                                     bool pixel_major, Halide::TailStrategy tail) {
    Halide::Var co("ico"), cv("icv");
    stage.split(a[2], co, cv, lanes, tail)
        .reorder(pixel_major ? std::vector<Halide::VarOrRVar>{cv, co, a[0], a[1], a[3]}
                             : std::vector<Halide::VarOrRVar>{cv, a[0], a[1], co, a[3]})
        .vectorize(cv);
}

void schedule_channel_vector_padding(Halide::Func in, int lanes, bool pixel_major) {
    const std::vector<Halide::Var> a = in.args();  // (x, y, c, n)
    in.reorder_storage(a[2], a[0], a[1], a[3]);
    schedule_channel_vector_padding(Halide::Stage(in), a, lanes, pixel_major);
}

BandShape band_shape(const Halide::Expr &cols_x, const Halide::Expr &cols_y, const Halide::Expr &n,
                     const Halide::Expr &unit_bytes, int block_x, int block_y, const Halide::Expr &budget_bytes,
                     const Halide::Expr &channel_tasks, const Halide::Expr &threads) {
    using namespace Halide;
    // Chosen at run time by band_shape_of (blocking.cpp), the code auto's
    // cost model runs too: it searches band shapes for the call's threads,
    // which an expression here could not without a tree of selects in the
    // bounds of every stage computed per band.
    const auto extent = [&](int axis) {
        return Internal::Call::make(Int(32), "wino_band_extent",
                                    {axis, cast<int32_t>(cols_x), cast<int32_t>(cols_y), cast<int32_t>(n),
                                     cast<int64_t>(unit_bytes), block_x, block_y, cast<int64_t>(budget_bytes),
                                     cast<int32_t>(channel_tasks), cast<int32_t>(threads)},
                                    Internal::Call::PureExtern);
    };
    // Bounds Halide can prove (the call's are unknown to it), and never a
    // split by zero: one block to the whole image, in whole blocks.
    const auto bounded = [](const Expr &e, const Expr &cols, int block) {
        return clamp(e, block, max(block, (cols + block - 1) / block * block));
    };
    return {bounded(extent(0), cols_x, block_x), bounded(extent(1), cols_y, block_y)};
}

}  // namespace wino
