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

}  // namespace wino
