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

RegisterBlock register_block(const Machine &machine, const std::string &spec) {
    RegisterBlock b = register_block(machine);
    if (spec.empty() || spec == "auto") return b;
    char tail;
    int x = 0, y = 0;
    if (std::sscanf(spec.c_str(), "%dx%d%c", &x, &y, &tail) != 2 || x < 1 || y < 1)
        throw std::invalid_argument("register block '" + spec + "': expected tiles XxY, e.g. 7x2");
    // The same accumulator budget as the default block. A block of more tiles
    // than that loses rows (then columns) on this target; the channel vectors
    // fill what remains, at most 2 (a block must divide kWeightKAlign).
    const int budget = machine.registers * 3 / 4;
    while (x * y > budget) (y > 1 ? y : x)--;
    b.k_vectors = std::max(1, std::min(2, budget / (x * y)));
    while (kWeightKAlign % b.k() != 0) b.k_vectors--;
    b.columns = x * y;
    b.y = y;
    return b;
}

}  // namespace wino
