// The compiled variants, as the runtime sees them: generated from the variant
// table (CMakeLists.txt) through <build>/generated/wino_variants.inc.
#pragma once

#include <string>
#include <vector>

#include "HalideRuntime.h"
#include "wino/wino.h"

namespace wino::detail {

// Every conv pipeline: (input, weights or U, padding, output).
using ConvFn = int (*)(halide_buffer_t *, halide_buffer_t *, int32_t, halide_buffer_t *);
// Every filter-transform pipeline: (weights, U).
using FilterFn = int (*)(halide_buffer_t *, halide_buffer_t *);

struct CompiledVariant {
    VariantInfo info;
    ConvFn run;
};

const std::vector<CompiledVariant> &compiled_variants();
const CompiledVariant &compiled_variant(const std::string &name);  // throws UnknownVariant
FilterFn filter_transform(int m);                                   // nullptr if none

}  // namespace wino::detail
