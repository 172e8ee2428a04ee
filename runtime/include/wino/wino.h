// wino: 3x3 convolution by any compiled variant (direct, Winograd tensor-level,
// Winograd fused, ...), on caller-owned fp32 buffers.
//
// Layouts are dense, C order: input NCHW, weights KCRS (K, C, 3, 3), output
// NKHW with H' = H + 2·padding - 2 and W' = W + 2·padding - 2, padding 0 or 1.
// Or, with RunOptions::layout = "nhwc", channels innermost: input NHWC and
// output NH'W'K (weights stay KCRS); each variant runs on the one layout it
// was compiled for (VariantInfo::layout).
// Every misuse throws wino::Error with a code and a message naming the problem;
// calls are thread-safe (different output buffers, any number of threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "wino/shape.h"

namespace wino {

enum class ErrorCode {
    UnknownVariant,         // no variant of that name is compiled in
    InvalidArgument,        // padding not 0/1, negative thread count, ...
    NullBuffer,             // a tensor's data pointer is null
    WrongRank,              // a tensor is not 4-D
    BadShape,               // a dimension < 1, or input smaller than the kernel
    BufferTooSmall,         // capacity < the elements its shape needs
    KernelNot3x3,           // weights are not (K, C, 3, 3)
    ChannelMismatch,        // input C != weights C
    OutputShapeMismatch,    // output is not (N, K, H', W') for this padding
    Aliasing,               // output memory overlaps an input
    PreparedWeightsMismatch,// prepared weights made for another m / shape
    Runtime,                // an error reported by the Halide runtime
    OutOfMemory,            // temporaries could not be allocated, or exceed RunOptions::memory_limit
    Unsupported,            // this build cannot run the call (e.g. no profiled pipelines compiled in)
    LayoutMismatch,         // the variant was compiled for another tensor layout than RunOptions::layout
};

const char *to_string(ErrorCode code);

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string &message);
    ErrorCode code() const { return code_; }

private:
    ErrorCode code_;
};

// A view of caller-owned memory: `capacity` elements at `data`, viewed with
// `shape` (outermost first). capacity defaults to the product of the shape.
template <typename T>
struct TensorView {
    T *data = nullptr;
    std::vector<int64_t> shape;
    size_t capacity = 0;

    TensorView() = default;
    TensorView(T *data, std::vector<int64_t> shape, size_t capacity = size_t(-1))
        : data(data), shape(std::move(shape)), capacity(capacity == size_t(-1) ? elements() : capacity) {}
    // The product of the shape; 0 if a dimension is < 1; SIZE_MAX if the
    // product does not fit (so no size check can pass by wrapping around).
    size_t elements() const {
        size_t e = 1;
        for (int64_t d : shape) {
            if (d < 1) return 0;
            if (e > SIZE_MAX / uint64_t(d)) e = SIZE_MAX;
            else e *= size_t(d);
        }
        return e;
    }
};
using ConstTensor = TensorView<const float>;
using Tensor = TensorView<float>;

struct VariantInfo {
    std::string name;       // e.g. "wino_fused_f4"
    std::string algorithm;  // "direct" or "winograd"
    std::string schedule;   // "direct", "tensor", "fused", ...
    int m = 0;              // Winograd output tile; 0 for direct
    std::string parameters; // the schedule's parameters from the variant table, e.g. "block=7x1"
    std::string target;     // the Halide target that runs on this CPU (of `targets`)
    std::string device;     // where it runs: "cpu", or "cuda" (a GPU through the CUDA driver)
    // Scheduled by one of Halide's autoschedulers (schedule names which). Its
    // splits are sized for a mid-sized layer; on a layer they cannot cover
    // it fails with Error(Unsupported), never with a wrong result.
    bool autoscheduled = false;
    // A row wino_tune wrote (tuned_variants.cmake): a searched point of the
    // fused or direct schedule's parameters.
    bool tuned = false;
    // Every target it was compiled for, comma-separated: one, or several for
    // a portable build (AVX-512, AVX2, SSE4.1), of which the CPU runs the
    // first it can (WINO_CPU_LEVEL=avx2|sse41 holds it to a lower one).
    std::string targets;
    // The layout of the input and output it takes (the table's layout=):
    // "nchw", or "nhwc" (channels innermost). See RunOptions::layout.
    std::string layout = "nchw";
};

// Every variant compiled in, in the order of the variant table.
const std::vector<VariantInfo> &variants();
// A compiled variant, or the selector "auto" (algorithm "selector"); throws Error(UnknownVariant).
const VariantInfo &variant(const std::string &name);

// One task of a parallel loop, as RunOptions::trace_tasks records it. Times
// are microseconds since the call began. A task's work excludes the time it
// spent in parallel loops it started itself (their tasks are spans of their
// own, on whichever threads ran them): the sum of a thread's work is the
// time it ran the pipeline's code, not the time it waited for other threads.
struct TaskSpan {
    int thread = 0;     // 0: the calling thread; then the pool's, in the order they first ran one of the call's tasks
    int loop = 0;       // its parallel loop: an index into RunStats::loops
    int iteration = 0;  // which of the loop's iterations it ran
    double start_us = 0, end_us = 0, work_us = 0;
};

// One parallel loop of a traced call (RunOptions::trace_tasks).
struct LoopSpan {
    int thread = 0;      // the thread that started it (as TaskSpan::thread)
    int depth = 0;       // 0: started by the pipeline itself; 1: from inside a task of a depth-0 loop; ...
    int size = 0;        // iterations (tasks)
    bool pooled = true;  // handed to the pool; false: one thread or one iteration, run in order by its starter
    double start_us = 0, end_us = 0;
};

// What a call measured about itself (RunOptions::stats).
struct RunStats {
    size_t peak_temporary_bytes = 0;  // the most memory the pipeline's temporaries held at once
    long long parallel_tasks = 0;     // independent tasks its widest parallel loop nest offered
    int threads = 0;                  // threads it ran on (RunOptions::threads, or call_threads' count)
    // Parallel loops it handed to the thread pool (nested ones included): each
    // is a fork and a join, a cost per loop that wino_pool_probe measures.
    long long fork_joins = 0;
    // Time of the call's parts, ms. compute: the pipeline (on a GPU, device
    // time between events around its kernels); copy_in / copy_out: a GPU
    // variant's copies of the input to the device and of the output back
    // (0 on the CPU, and for conv2d_device).
    double copy_in_ms = 0, compute_ms = 0, copy_out_ms = 0;
    // With RunOptions::trace_tasks (CPU variants): every parallel loop and
    // every task the call ran, in the order they began (wino_profile
    // --timeline reads them). Empty otherwise.
    std::vector<LoopSpan> loops;
    std::vector<TaskSpan> tasks;
    // Per TaskSpan::thread: which thread of the process it was, numbered
    // from 0 as threads first ran a traced call's code and kept from call to
    // call, so that traces of two calls show whether a loop's iteration ran
    // on the same thread both times (and found its data in that core's cache).
    std::vector<int> thread_workers;
};

struct RunOptions {
    int threads = 0;            // worker threads for this call; 0 = one per core
    // Opt-in: take no more of `threads` than the cost model says the layer's
    // work keeps busy (call_threads). Off by default: on the 16-core Xeon
    // host it made most small layers slower (bench/results/h200-53).
    bool threads_by_work = false;
    size_t memory_limit = 0;    // bytes the call's temporaries may hold at once; 0 = no limit
    RunStats *stats = nullptr;  // if set, filled in by the call (the convolution only, not a weight preparation)
    // With stats set: also record when each parallel loop and task ran, and on
    // which thread (RunStats::loops, tasks). Costs two clock reads and a lock
    // per task, so leave it off when timing.
    bool trace_tasks = false;
    // `auto` on a layer its tuning table lacks: measure the compiled variants
    // there and record the fastest (a one-time cost per layer and thread
    // count), instead of estimating. Also set by WINO_AUTO_MEASURE=1.
    bool measure_unknown_layers = false;
    // Where `auto` may choose: "cpu" (default), "cuda" (GPU variants only) or
    // "any". Explicitly named variants run where they were compiled for.
    std::string device = "cpu";
    // The layout of the input and output tensors: "nchw" (input (N, C, H, W),
    // output (N, K, H', W')) or "nhwc" (input (N, H, W, C), output (N, H', W',
    // K)). A named variant compiled for another layout fails with
    // LayoutMismatch; auto chooses among the variants of this layout.
    std::string layout = "nchw";
    // conv2d_device only: a CUstream (cudaStream_t) in device 0's primary
    // context. The kernels go on it and the call returns without waiting for
    // them (stats then carry no compute_ms); the caller synchronizes, and may
    // capture the call into a CUDA graph once its layer has run once on that
    // stream outside a capture (the first call loads the kernels and
    // allocates the intermediates, which later calls on the stream reuse).
    // Null: the default stream, and the call waits for its kernels.
    void *cuda_stream = nullptr;
};

// Whether a CUDA GPU is usable here; if not, `why` says what is missing.
bool gpu_available(std::string *why = nullptr);

// The selector "auto": which compiled variant it runs for a layer and a
// thread count. First the tuning table measured on this machine (filled by
// `wino_tune --select`, or by measure_unknown_layers), like FFTW's wisdom;
// else a cost model (runtime/select.cpp): each Winograd or direct variant's
// vector FMAs with the work its register blocks waste at this layer's edges,
// its transforms, and its stores. Where the model was calibrated on this
// machine at this thread count (calibrate_cost_model), those terms are
// weighed per variant by the fit, plus a cost per call. Never a variant
// that cannot run the layer.
struct Selection {
    std::string variant;  // the compiled variant chosen
    std::string source;   // "tuning table", "measured now", "calibrated model" or "cost model"
    double ms = 0;        // measured (tuning table, measured now) or predicted (calibrated model) time; 0 for the cost model
};
Selection select_variant(const ConvShape &layer, const RunOptions &options = {});
// Times every compiled variant that can run the layer (the Winograd and
// direct schedules, hand-written, tuned or autoscheduled) and records the
// fastest in the tuning table.
Selection select_by_measuring(const ConvShape &layer, const RunOptions &options = {});
// $WINO_TUNING_TABLE, else $XDG_CACHE_HOME/wino/tuning.json, else ~/.cache/wino/tuning.json.
std::string tuning_table_path();

// Calibrates the cost model on this machine at options.threads: times every
// CPU variant the model covers (direct and fused schedules) on each layer,
// adds the times to the points kept in the tuning table's file (replacing
// earlier times of the same variant and layer), and refits each variant's
// weights of calibrated_terms() to all its points at that thread count.
// Layers in the tuning table itself still take its measured choice.
struct Calibration {
    int threads = 1;
    std::string table;  // the file the points went to
    struct Fit {
        std::string variant;
        std::vector<double> weights;  // ms per unit of each calibrated_terms() term
        int points = 0;
        double median_error = 0, max_error = 0;  // |predicted / measured - 1| over its points
    };
    std::vector<Fit> fits;
    // Each calibrated layer held out in turn: what the fits to the other
    // layers pick for it, against the fastest measured there.
    struct HeldOut {
        ConvShape layer;
        std::string fastest;
        double fastest_ms = 0;
        std::string picked;
        double picked_ms = 0;  // the pick's measured time
        std::string analytic;  // what the uncalibrated cost model picks there
        double analytic_ms = 0;
    };
    std::vector<HeldOut> held_out;
    // Geometric means over held_out of picked_ms / fastest_ms and of
    // analytic_ms / fastest_ms. auto uses the calibrated model at this thread
    // count only if it picked better held out than the analytic one
    // (`used`); a noisy machine's fit can pick worse.
    double calibrated_score = 0, analytic_score = 0;
    bool used = false;
};
// `rounds` passes over all layers and variants, each point's fastest kept;
// `progress` hears of each layer timed.
Calibration calibrate_cost_model(const std::vector<ConvShape> &layers, const RunOptions &options = {}, int rounds = 3,
                                 const std::function<void(const std::string &)> &progress = {});
// The names of the calibrated model's terms, in the order of Fit::weights.
const std::vector<std::string> &calibrated_terms();

// What auto's models say of each compiled variant that can run a layer (on
// options.device, at options.threads): the analytic cost (vector
// operations; infinite for the schedules it does not model) and, where the
// calibrated model is in use, its predicted ms and each term's share of it
// (calibrated_terms() order; NaN and empty otherwise). Listed in the order
// auto ranks them, its pick first: calibrated predictions, fastest first,
// then the analytic cost, ties broken by busiest_cost, then by the variant
// table's order. Shows why auto picks what it picks (wino_tune --explain).
struct Estimate {
    std::string variant;
    double model_cost = 0;
    // The busiest thread's share of model_cost's work terms, given the
    // parallel tasks the variant's schedule offers at this thread count,
    // plus the transformed input its threads read from other cores' caches:
    // breaks ties of model_cost (variants with the same register block that
    // cut bands or split the parallel loops differently).
    double busiest_cost = 0;
    // Why, for the CPU direct and fused schedules (0 for the others): the
    // parallel tasks and the bands the schedule offers at this thread count,
    // the cost of the weights its bands stream from beyond L2 (model_cost is
    // the larger of it and the work), and the cost of what its threads read
    // from other cores (part of busiest_cost).
    long long tasks = 0, bands = 0;
    double streamed_cost = 0, remote_cost = 0;
    // The multiply-adds its multiply computes, the work its register blocks
    // and channel blocks waste at the layer's edges included (direct with
    // taps=rows: without the skipped taps); 0 for the others. At the FMA
    // peak they take the time no schedule of this block can beat (wino_bench's
    // floor_ms).
    double multiply_fmas = 0;
    double calibrated_ms = 0;
    std::vector<double> calibrated_terms_ms;
};
std::vector<Estimate> estimate_variants(const ConvShape &layer, const RunOptions &options = {});

// The threads a CPU call of `variant` on `layer` runs on, of the
// options.threads it may use: with options.threads_by_work, the count t that
// minimises its predicted time, the cost model's work at t threads (the
// busiest thread's share of the tasks the schedule cuts at t) at this CPU's
// measured FMA rate, plus what one parallel loop costs at t
// (fork_join_microseconds: the pool measured). A layer whose whole work is a
// few tens of microseconds runs on a few threads: on 16, each thread would
// get less work than its hand-off costs (bench/results/h200-52). Variants the
// model does not cover (tensor-level, autoscheduled), GPU variants and
// threads_by_work = false (the default) take options.threads as they are.
// The first call at a thread count measures the FMA rate (~10 ms, once) and
// the pool's loop. Measured against all 16 threads on the Xeon host (one
// call, bench/results/h200-53): of 22 rows on 1x16x32² and 1x24->40 at
// 19x23, 15 ran 4-40% slower on the 2-8 threads it chose, 7 ran 2-17%
// faster; the model's work for such layers is below their real one-thread
// time, so it cuts too deep.
int call_threads(const std::string &variant, const ConvShape &layer, const RunOptions &options = {});

// Output shape (N, K, H', W') for an input (N, C, H, W), K filters and a padding;
// at layout "nhwc", (N, H', W', K) for an input (N, H, W, C).
// Throws WrongRank, InvalidArgument (padding, layout), or BadShape for a dimension
// outside [0, 2^31 - 1] (so the arithmetic cannot overflow); an H' or W' < 1
// is returned as computed.
std::vector<int64_t> output_shape(const std::vector<int64_t> &input_shape, int64_t K, int padding,
                                  const std::string &layout = "nchw");

// Every check conv2d makes that depends on shapes alone, before any data
// exists: ranks, dimensions, kernel size, channels, the padding, and the
// limits of the compiled pipelines (each tensor, prepared weights included,
// at most 2^31 - 1 elements). Returns the output shape. Lets a caller (the
// CLI) refuse a call before it reads or allocates anything. Throws like conv2d.
std::vector<int64_t> validate_shapes(const std::string &variant, const std::vector<int64_t> &input_shape,
                                     const std::vector<int64_t> &weights_shape, int padding,
                                     const RunOptions &options = {});

struct ConvProfile;  // wino/profile.h

struct DeviceTensor;

namespace detail {
struct DeviceCopy;  // prepared weights resident on a GPU
}

// Weights prepared once for a variant's algorithm: packed into output-channel
// blocks for direct, the Winograd filter transform for its m.
class PreparedWeights {
public:
    const std::string &variant() const { return variant_; }  // the variant they were prepared for (auto: its choice)
    int m() const { return m_; }           // 0: prepared for direct convolution
    // Direct: the layout (nchw or nhwc) of the variants they are packed for,
    // whose micro-kernels read them in different orders; Winograd: empty (one
    // transformed U serves both layouts).
    const std::string &layout() const { return layout_; }
    int64_t K() const { return K_; }
    int64_t C() const { return C_; }
    // The prepared values (layout: generators/layout.h), read-only; null if empty.
    const float *data() const { return data_.get(); }
    size_t size() const { return size_; }

private:
    friend PreparedWeights prepare_weights(const std::string &, ConstTensor, const RunOptions &,
                                           const std::vector<int64_t> &, int);
    friend void conv2d(const std::string &, ConstTensor, const PreparedWeights &, Tensor, int,
                       const RunOptions &);
    friend void conv2d_device(const std::string &, DeviceTensor, const PreparedWeights &, DeviceTensor, int,
                              const RunOptions &);
    friend ConvProfile profile_conv(const std::string &, ConstTensor, ConstTensor, Tensor, int, int,
                                           const RunOptions &);
    std::string variant_;
    int m_ = 0;
    std::string layout_;
    int64_t K_ = 0, C_ = 0;
    // In output-channel blocks (generators/layout.h); shared and immutable
    // once prepared, so copies are cheap. Not zero-filled: the preparation
    // pipeline writes every element.
    std::shared_ptr<const float[]> data_;
    size_t size_ = 0;
    // For a GPU variant: the weights' copy on the device, made by the first
    // call that needs it and shared by copies of this object.
    std::shared_ptr<detail::DeviceCopy> device_;
};

// For "auto", `input_shape` (N, C, H, W) names the layer it chooses for
// (required), with `padding`; the weights then carry its choice, which
// conv2d("auto", ..., weights, ...) runs.
PreparedWeights prepare_weights(const std::string &variant, ConstTensor weights, const RunOptions &options = {},
                                const std::vector<int64_t> &input_shape = {}, int padding = 1);

// output = conv3x3(input, weights) with the named variant.
void conv2d(const std::string &variant, ConstTensor input, ConstTensor weights, Tensor output,
            int padding, const RunOptions &options = {});

// The same on weights prepared by prepare_weights() for a variant of the same m.
void conv2d(const std::string &variant, ConstTensor input, const PreparedWeights &weights,
            Tensor output, int padding, const RunOptions &options = {});

// CUDA device memory (device 0, its primary context: what cudaMalloc, the
// CUDA runtime API and frameworks such as PyTorch allocate in), dense, C order.
struct DeviceTensor {
    uint64_t ptr = 0;
    std::vector<int64_t> shape;
};

// A GPU variant on data already on the device: no copies; the output is
// ready when the call returns. Throws like conv2d, and Error(InvalidArgument)
// for a CPU variant, Error(Unsupported) without a GPU.
void conv2d_device(const std::string &variant, DeviceTensor input, const PreparedWeights &weights,
                   DeviceTensor output, int padding, const RunOptions &options = {});

// The device time of a GPU variant's call as a framework runs a network:
// `calls` calls back to back, captured in one CUDA graph on a stream of its
// own and replayed, so no host work (Halide's launch path, this API's checks)
// sits between the kernels. RunStats::compute_ms instead times one call
// between events, and includes the host's time to launch its kernels.
// Construction copies the input to the device, runs one call outside the
// capture, then captures (nothing runs). Throws like conv2d_device, and
// Error(Unsupported) where the driver cannot capture.
class GpuGraphTimer {
public:
    GpuGraphTimer(const std::string &variant, ConstTensor input, const PreparedWeights &weights, int padding,
                  int calls = 20);
    ~GpuGraphTimer();
    GpuGraphTimer(const GpuGraphTimer &) = delete;
    GpuGraphTimer &operator=(const GpuGraphTimer &) = delete;
    // Replays the graph once; device milliseconds per call.
    double replay_ms();
    // What the last replay wrote, copied back (C order, N x K x H' x W');
    // NaN before the first replay.
    std::vector<float> output();

private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace wino
