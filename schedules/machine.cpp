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

RegisterBlock register_block(const Machine &machine) {
    // Accumulators = k_vectors x columns; each step of the reduction also needs
    // k_vectors registers for the loaded weights, broadcasts, and whatever the
    // compiler hoists. Two vectors of channels amortize each broadcast over two
    // FMAs. Filling more than ~3/4 of the registers with accumulators spilled
    // (measured: 2 x 14 on 32 zmm spilled, as 2 x 7 did on 16 ymm), so:
    // 2 x 6 = 12 of 16 registers (AVX2), 2 x 12 = 24 of 32 (AVX-512).
    RegisterBlock b;
    b.lanes = machine.lanes;
    b.k_vectors = 2;
    b.columns = machine.registers * 3 / 4 / b.k_vectors;
    if (kWeightKAlign % b.k() != 0) b.k_vectors = 1;  // blocks must divide the weight padding
    return b;
}

RegisterBlock register_block(const Machine &machine, const ScheduleParams &p) {
    RegisterBlock b = register_block(machine);
    const int budget = machine.registers * 3 / 4;  // accumulators, as in the default block
    if (p.k_vectors < 0 || p.k_vectors * b.lanes > kWeightKAlign || (p.k_vectors && kWeightKAlign % (p.k_vectors * b.lanes)))
        throw std::invalid_argument("k_vectors=" + std::to_string(p.k_vectors) + ": a block of channel vectors must divide " +
                                    std::to_string(kWeightKAlign) + " channels");
    if (p.block.empty() || p.block == "auto") {
        if (p.k_vectors) {
            b.k_vectors = p.k_vectors;
            b.columns = std::max(1, budget / b.k_vectors);
        }
        return b;
    }
    char tail;
    int x = 0, y = 0;
    if (std::sscanf(p.block.c_str(), "%dx%d%c", &x, &y, &tail) != 2 || x < 1 || y < 1)
        throw std::invalid_argument("register block '" + p.block + "': expected columns XxY, e.g. 7x2");
    // A block of more columns than the accumulator budget loses rows (then
    // columns) on this target; the channel vectors fill what remains, at most
    // 2 (a block must divide kWeightKAlign), unless k_vectors says.
    while (x * y > budget) (y > 1 ? y : x)--;
    b.k_vectors = p.k_vectors ? p.k_vectors : std::max(1, std::min(2, budget / (x * y)));
    while (kWeightKAlign % b.k() != 0) b.k_vectors--;
    b.columns = x * y;
    b.y = y;
    return b;
}

int band_bytes(const ScheduleParams &p) {
    if (p.band_kb < 0) throw std::invalid_argument("band_kb must be >= 0");
    return (p.band_kb ? p.band_kb : 512) * 1024;
}

bool parallel_channels(const ScheduleParams &p) {
    if (p.parallel.empty() || p.parallel == "channels") return true;
    if (p.parallel == "bands") return false;
    throw std::invalid_argument("parallel='" + p.parallel + "': expected 'bands' or 'channels'");
}

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
    // many rows as the columns allow.
    const Expr x = max(1, min((cols_x + block_x - 1) / block_x, columns / block)) * block_x;
    const Expr y = clamp(columns / x / block_y, 1, (cols_y + block_y - 1) / block_y) * block_y;
    return {x, y};
}

}  // namespace wino
