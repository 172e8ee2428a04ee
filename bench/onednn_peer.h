// oneDNN's convolution as a peer in the benchmark: what a user would otherwise
// call. Available when the build found oneDNN (WINO_HAVE_DNNL).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace wino::bench {

struct ConvProblem {
    int N, C, K, H, W, padding;
    int out_h() const { return H + 2 * padding - 2; }
    int out_w() const { return W + 2 * padding - 2; }
};

// One oneDNN convolution primitive, its buffers already in the layouts it chose
// (the reorders from NCHW/KCRS happen in the constructor, outside any timing).
// With `nchw_calls`, each run() also reorders the NCHW input into that layout
// and the output back to NCHW, as an app holding NCHW tensors (wino's API)
// would call it; the weights stay prepared, as wino's do.
class OneDnnConv {
public:
    // algorithm: "direct" or "winograd". Throws std::runtime_error when oneDNN
    // has no implementation of it here (e.g. Winograd without AVX-512).
    // `threads`: what every run uses. oneDNN fixes a primitive's thread count
    // when it is created (OpenMP's, at that moment) and runs with it whatever
    // is asked later, so a primitive is made for one thread count.
    OneDnnConv(const std::string &algorithm, const ConvProblem &p, const float *input_nchw,
               const float *weights_kcrs, int threads, bool nchw_calls = false);
    ~OneDnnConv();
    void run();
    std::vector<float> output_nkhw();  // reorders the result back (for a sanity check)
    std::string implementation() const;  // oneDNN's impl_info_str

    static bool available();

private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace wino::bench
