// Schedules compiled with Halide's JIT from the same algorithm (generators/
// algorithms.h) and schedule code (schedules/) the AOT variants use, and run
// on the runtime's own thread pool and allocator: what the tuner measures is
// what the library would ship.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "Halide.h"
#include "wino/shape.h"

namespace wino::tune {

// One point of the schedule space: an algorithm, a schedule and its
// parameters, as a variant-table row names them.
struct Candidate {
    std::string algorithm = "winograd";  // "direct" or "winograd"
    std::string schedule = "fused";
    int m = 4;                           // Winograd tile; 0 for direct
    std::map<std::string, std::string> params;  // ScheduleParams fields: block, k_vectors, band_kb, parallel, vectorize

    // "winograd fused m=4 block=7x1 band_kb=256": a stable key for logs.
    std::string key() const;
    // The row's parameters, "block=7x1 band_kb=256" (the variant table's form).
    std::string row_parameters() const;
    static Candidate from_key(const std::string &key);  // throws std::invalid_argument
    // A variant name that says what it is and stays the same when other rows
    // come and go: "tuned_f4_4x2_band1024", "tuned_direct_8x1_k2_bands".
    std::string row_name() const;
};

// A candidate compiled for this machine, with its weight preparation.
class Compiled {
public:
    // Throws std::invalid_argument for parameters the schedule rejects, and
    // Halide's CompileError for a schedule Halide cannot lower.
    Compiled(const Candidate &candidate, const Halide::Target &target);
    ~Compiled();

    double compile_seconds() const { return compile_seconds_; }

    // Prepares KCRS weights (K, C, 3, 3) for this candidate's algorithm.
    Halide::Buffer<float> prepare(const std::vector<float> &weights, const ConvShape &shape, int threads);
    // The layout its input and output are stored in: "nchw", or "nhwc" (layout=nhwc).
    std::string layout() const;
    // Runs the convolution, on an input and an output stored in layout()'s
    // order; throws std::runtime_error with Halide's message on failure.
    void run(const float *input, const Halide::Buffer<float> &prepared, const ConvShape &shape, int threads,
             float *output);

private:
    struct State;
    std::unique_ptr<State> s_;
    double compile_seconds_ = 0;
};

}  // namespace wino::tune
