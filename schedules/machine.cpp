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
    // k_vectors registers for the loaded weights and one for a broadcast. Two
    // vectors of channels amortize each broadcast over two FMAs; the column count
    // then fills what is left: 2 x 6 = 12 accumulators of 16 registers (AVX2),
    // 2 x 12 = 24 of 32 (AVX-512).
    RegisterBlock b;
    b.lanes = machine.lanes;
    b.k_vectors = 2;
    b.columns = (machine.registers - b.k_vectors - 1) / b.k_vectors;
    b.columns = b.columns > 12 ? 12 : b.columns;
    if (kWeightKAlign % b.k() != 0) b.k_vectors = 1;  // blocks must divide the weight padding
    return b;
}

}  // namespace wino
