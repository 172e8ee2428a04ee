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
                                     bool pixel_major) {
    Halide::Var co("ico"), cv("icv");
    stage.split(a[2], co, cv, lanes, Halide::TailStrategy::RoundUp)
        .reorder(pixel_major ? std::vector<Halide::VarOrRVar>{cv, co, a[0], a[1], a[3]}
                             : std::vector<Halide::VarOrRVar>{cv, a[0], a[1], co, a[3]})
        .vectorize(cv);
}

void schedule_channel_vector_padding(Halide::Func in, int lanes, bool pixel_major) {
    const std::vector<Halide::Var> a = in.args();  // (x, y, c, n)
    in.reorder_storage(a[2], a[0], a[1], a[3]);
    schedule_channel_vector_padding(Halide::Stage(in), a, lanes, pixel_major);
}

namespace {

// The size of each of ceil(n / size) parts of n, as equal as can be.
Halide::Expr evenly(const Halide::Expr &n, const Halide::Expr &size) {
    const Halide::Expr parts = (n + size - 1) / size;
    return (n + parts - 1) / parts;
}

}  // namespace

BandShape band_shape(const Halide::Expr &cols_x, const Halide::Expr &cols_y, const Halide::Expr &n,
                     const Halide::Expr &unit_bytes, int block_x, int block_y, const Halide::Expr &budget_bytes,
                     const Halide::Expr &channel_tasks, const Halide::Expr &threads) {
    using namespace Halide;
    // Kept shallow on purpose: these expressions end up in the bounds of
    // every stage computed per band, and a deep select/min/max tree there
    // made Halide's simplifier take minutes per pipeline.
    const int block = block_x * block_y;
    // Columns the budget holds (int64: budget / bytes per column), at least one register block.
    const Expr cap = cast<int>(clamp(cast<int64_t>(budget_bytes) / max(cast<int64_t>(unit_bytes), 1), block, 1 << 24));
    // Columns per band so that bands x channel_tasks give every thread about
    // two tasks (2T - 1: a single thread gets one band).
    const Expr bands = max(1, (2 * threads - 1 + channel_tasks - 1) / max(channel_tasks, 1));
    const Expr all = cast<int64_t>(n) * cols_x * cols_y;
    const Expr columns = min(cap, cast<int>(max(cast<int64_t>(block), all / bands)));
    // Whole rows if they fit, else a chunk of a row (whole blocks); then as
    // many rows as the columns allow. In register blocks:
    const Expr blocks_x = (cols_x + block_x - 1) / block_x, blocks_y = (cols_y + block_y - 1) / block_y;
    const Expr x = max(1, min(blocks_x, columns / block));
    const Expr y = clamp(columns / (x * block_x) / block_y, 1, blocks_y);
    // Then the same number of bands, as equal as whole blocks make them
    // (19 rows in 4 bands: 5, 5, 5, 4, not 6, 6, 6, 1): the threads' shares
    // of bands are more even. The clamp is a no-op Halide needs: without a
    // bound it could prove, it compiled the fused schedule to leave outputs
    // unwritten.
    return {clamp(evenly(blocks_x, x), 1, x) * block_x, clamp(evenly(blocks_y, y), 1, y) * block_y};
}

}  // namespace wino
