// Per-stage times of a variant, from the same pipelines compiled with Halide's
// sampling profiler (built when the project is configured with WINO_PROFILE=ON).
#pragma once

#include <string>
#include <vector>

#include "wino/wino.h"

namespace wino {

struct FuncTime {
    std::string func;   // the Halide Func (stage) name, e.g. "V", "M", "output"
    double ms = 0;      // time per run
};

struct PipelineProfile {
    std::string pipeline;  // the compiled function's name
    int runs = 0;
    double ms = 0;         // total time per run
    std::vector<FuncTime> funcs;
};

struct ConvProfile {
    PipelineProfile conv;     // the convolution on prepared weights
    PipelineProfile prepare;  // the weight preparation (direct: packing; Winograd: filter transform)
};

bool profiling_available();

// Runs the profiled twins of `variant` `runs` times each (the weight
// preparation and the convolution separately) and returns the profiler's per-Func times.
// The profiler samples every millisecond: ask for enough runs to total ~1 s.
// Calls are serialized (the profiler state is global). Throws like conv2d.
ConvProfile profile_conv(const std::string &variant, ConstTensor input, ConstTensor weights, Tensor output,
                         int padding, int runs, const RunOptions &options = {});

}  // namespace wino
