// The compiled variants, as the runtime sees them: generated from the variant
// table (CMakeLists.txt) through <build>/generated/wino_variants.inc.
#pragma once

#include <string>
#include <vector>

#include "HalideRuntime.h"
#include "wino/wino.h"

namespace wino::detail {

// Every conv pipeline: (input, weights or U, padding, threads, output). `threads`
// is the thread count the call runs on: schedules size their parallel tasks by it.
using ConvFn = int (*)(halide_buffer_t *, halide_buffer_t *, int32_t, int32_t, halide_buffer_t *);
// Every weight-preparation pipeline (direct: packing; Winograd: the filter
// transform for m): (KCRS weights, prepared weights).
using PrepareFn = int (*)(halide_buffer_t *, halide_buffer_t *);

struct CompiledPreparation {
    std::string name;
    PrepareFn run;
    PrepareFn profiled;  // or nullptr
};

struct CompiledVariant {
    VariantInfo info;
    ConvFn run;
    ConvFn profiled;  // the same pipeline built with Halide's profiler, or nullptr
};

const std::vector<CompiledVariant> &compiled_variants();
const CompiledVariant &compiled_variant(const std::string &name);  // throws UnknownVariant
// The layout a variant's prepared weights are packed for: direct packs them
// per layout (generators/layout.h), Winograd's U is the same for both ("").
inline std::string weights_layout(const VariantInfo &v) { return v.m == 0 ? v.layout : std::string(); }
// The preparation pipeline a variant's weights need; throws UnknownVariant if none.
const CompiledPreparation &weight_preparation(const VariantInfo &v);

}  // namespace wino::detail
