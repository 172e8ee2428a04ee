// The public API: validation with typed errors, then the compiled pipelines.
#include "wino/wino.h"
#include "wino/aligned.h"
#include "wino/profile.h"

#include <chrono>
#include <climits>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <type_traits>

#include "HalideBuffer.h"
#include "cuda_driver.h"
#include "halide_hooks.h"
#include "layout.h"
#include "registry.h"
#if WINO_HAVE_CUDA
#include "HalideRuntimeCuda.h"
#endif

namespace wino {

const char *to_string(ErrorCode code) {
    switch (code) {
    case ErrorCode::UnknownVariant: return "unknown variant";
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::NullBuffer: return "null buffer";
    case ErrorCode::WrongRank: return "wrong rank";
    case ErrorCode::BadShape: return "bad shape";
    case ErrorCode::BufferTooSmall: return "buffer too small";
    case ErrorCode::KernelNot3x3: return "kernel not 3x3";
    case ErrorCode::ChannelMismatch: return "channel mismatch";
    case ErrorCode::OutputShapeMismatch: return "output shape mismatch";
    case ErrorCode::Aliasing: return "aliasing";
    case ErrorCode::PreparedWeightsMismatch: return "prepared weights mismatch";
    case ErrorCode::Runtime: return "runtime error";
    case ErrorCode::OutOfMemory: return "out of memory";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::LayoutMismatch: return "layout mismatch";
    }
    return "error";
}

Error::Error(ErrorCode code, const std::string &message) : std::runtime_error(message), code_(code) {}

const std::vector<VariantInfo> &variants() {
    static const std::vector<VariantInfo> list = [] {
        std::vector<VariantInfo> l;
        for (const auto &v : detail::compiled_variants()) l.push_back(v.info);
        return l;
    }();
    return list;
}

namespace {

constexpr const char *kAuto = "auto";

// The selector's entry in variant(): not a compiled variant, so not in variants().
const VariantInfo &auto_info() {
    static const VariantInfo info{kAuto, "selector", "auto", -1,
                                  "per layer and thread count: the tuning table, else a cost model",
                                  variants().empty() ? "none" : variants().front().target, "cpu", false, false,
                                  variants().empty() ? "none" : variants().front().targets};
    return info;
}

}  // namespace

const VariantInfo &variant(const std::string &name) {
    if (name == kAuto) return auto_info();
    return detail::compiled_variant(name).info;
}

namespace {

constexpr int kTaps = 3;

[[noreturn]] void fail(ErrorCode code, const std::string &message) { throw Error(code, message); }

// "(1, 3, 224, 224)"; a shape of absurd rank is cut, so messages stay one short line.
std::string shape_str(const std::vector<int64_t> &shape) {
    constexpr size_t kShown = 8;
    std::ostringstream s;
    s << "(";
    for (size_t i = 0; i < shape.size() && i < kShown; i++) s << (i ? ", " : "") << shape[i];
    if (shape.size() > kShown) s << ", ... " << shape.size() - kShown << " more";
    s << (shape.size() == 1 ? ",)" : ")");
    return s.str();
}

// Halide buffers hold int32 extents and strides: a dense tensor's elements
// must fit, or its outermost stride overflows.
constexpr int64_t kMaxElements = INT32_MAX;

// Rank and dimensions of a tensor's shape, and the pipelines' element limit.
void check_shape(const std::vector<int64_t> &shape, const std::string &what, const char *layout) {
    if (shape.size() != 4)
        fail(ErrorCode::WrongRank, what + " must be 4-D " + layout + ", got rank " + std::to_string(shape.size()) +
                                       " shape " + shape_str(shape));
    for (int64_t d : shape) {
        if (d < 1) fail(ErrorCode::BadShape, what + " shape " + shape_str(shape) + " has a dimension < 1");
        if (d > INT32_MAX) fail(ErrorCode::BadShape, what + " shape " + shape_str(shape) + " has a dimension over 2^31 - 1");
    }
    // Each dimension is below 2^31, so the product of four fits in 128 bits; in 64 it may not.
    int64_t elements = 1;
    for (int64_t d : shape)
        if (__builtin_mul_overflow(elements, d, &elements) || elements > kMaxElements)
            fail(ErrorCode::BadShape, what + " shape " + shape_str(shape) +
                                          " has more than the 2^31 - 1 elements a pipeline can index");
}

template <typename T>
void check_tensor(const TensorView<T> &t, const std::string &what, const char *layout) {
    if (!t.data) fail(ErrorCode::NullBuffer, what + " has a null data pointer");
    check_shape(t.shape, what, layout);
    if (t.capacity < t.elements())
        fail(ErrorCode::BufferTooSmall, what + " shape " + shape_str(t.shape) + " needs " +
                                            std::to_string(t.elements()) + " floats, buffer holds " +
                                            std::to_string(t.capacity));
}

void check_padding(int padding) {
    if (padding != 0 && padding != 1)
        fail(ErrorCode::InvalidArgument, "padding must be 0 or 1, got " + std::to_string(padding));
}

void check_layout_name(const std::string &layout) {
    if (layout != "nchw" && layout != "nhwc")
        fail(ErrorCode::InvalidArgument, "layout must be nchw or nhwc, got '" + layout + "'");
}

// How the messages name the input's and the output's dimension order.
const char *input_order(const std::string &layout) { return layout == "nhwc" ? "NHWC" : "NCHW"; }
const char *output_order(const std::string &layout) { return layout == "nhwc" ? "NHWK" : "NKHW"; }

void check_options(const RunOptions &options) {
    if (options.device != "cpu" && options.device != "cuda" && options.device != "any")
        fail(ErrorCode::InvalidArgument, "device must be cpu, cuda or any, got '" + options.device + "'");
    check_layout_name(options.layout);
    if (options.threads < 0)
        fail(ErrorCode::InvalidArgument, "threads must be >= 0 (0 = one per core), got " +
                                             std::to_string(options.threads));
}

// The C-order shape of a variant's prepared weights (generators/layout.h).
std::vector<int64_t> prepared_shape_of(const VariantInfo &v, int64_t K, int64_t C) {
    return prepared_shape(v.m, K, C, detail::weights_layout(v) == "nhwc");
}

// The weights' shape, and that the weights prepared from them for tile size m
// (0: direct) stay within a pipeline's limit too.
void check_weights_shape(const std::vector<int64_t> &shape, int m) {
    check_shape(shape, "weights", "KCRS (K, C, 3, 3)");
    if (shape[2] != kTaps || shape[3] != kTaps)
        fail(ErrorCode::KernelNot3x3, "weights must be (K, C, 3, 3), got kernel " + std::to_string(shape[2]) + "x" +
                                          std::to_string(shape[3]) + " in shape " + shape_str(shape));
    // (Either layout's packing: the same size.)
    const std::vector<int64_t> prepared = prepared_shape(m, shape[0], shape[1], /*channels_last=*/false);
    int64_t elements = 1;
    for (int64_t d : prepared)
        if (__builtin_mul_overflow(elements, d, &elements) || elements > kMaxElements)
            fail(ErrorCode::BadShape, "weights shape " + shape_str(shape) + " would need prepared weights " +
                                          shape_str(prepared) + " for " + (m ? "Winograd F(" + std::to_string(m) + ",3)" : std::string("direct")) +
                                          ", more than the 2^31 - 1 elements a pipeline can index");
}

void check_weights(const ConstTensor &weights, int m) {
    if (!weights.data) fail(ErrorCode::NullBuffer, "weights has a null data pointer");
    check_weights_shape(weights.shape, m);
    check_tensor(weights, "weights", "KCRS (K, C, 3, 3)");
}

bool overlaps(const void *a, size_t a_bytes, const void *b, size_t b_bytes) {
    auto pa = reinterpret_cast<uintptr_t>(a), pb = reinterpret_cast<uintptr_t>(b);
    return pa < pb + b_bytes && pb < pa + a_bytes;
}

// A variant runs only on the layout it was compiled for.
void check_layout(const VariantInfo &v, const RunOptions &options) {
    if (v.layout != options.layout)
        fail(ErrorCode::LayoutMismatch, "variant " + v.name + " takes " + input_order(v.layout) + " tensors, but " +
                                            "the call's layout is " + options.layout +
                                            " (RunOptions::layout; wino run --layout)");
}

// The input's shape (in `layout`'s order) against weights of K filters and C
// channels; returns the output shape, in the same order.
std::vector<int64_t> check_conv_shapes(const std::vector<int64_t> &input_shape, int64_t K, int64_t C, int padding,
                                       const std::string &layout) {
    check_shape(input_shape, "input", input_order(layout));
    const std::vector<int64_t> input = ConvShape::to_nchw(input_shape, layout);
    if (input[1] != C)
        fail(ErrorCode::ChannelMismatch, "input has C = " + std::to_string(input[1]) +
                                             " channels but the weights have C = " + std::to_string(C));
    const int64_t H = input[2], W = input[3];
    if (H + 2 * padding < kTaps || W + 2 * padding < kTaps)
        fail(ErrorCode::BadShape, "input " + std::to_string(H) + "x" + std::to_string(W) +
                                      " is smaller than the 3x3 kernel at padding " + std::to_string(padding));
    const std::vector<int64_t> out = ConvShape::in_layout(output_shape(input, K, padding), layout);
    check_shape(out, "output", output_order(layout));
    return out;
}

// Checks input and output against each other for a convolution with K filters of C channels.
void check_conv(const ConstTensor &input, int64_t K, int64_t C, const Tensor &output, int padding,
                const std::string &layout) {
    if (!input.data) fail(ErrorCode::NullBuffer, "input has a null data pointer");
    const std::vector<int64_t> expected = check_conv_shapes(input.shape, K, C, padding, layout);
    check_tensor(input, "input", input_order(layout));
    check_tensor(output, "output", output_order(layout));
    if (output.shape != expected)
        fail(ErrorCode::OutputShapeMismatch, "output shape " + shape_str(output.shape) + " does not match " +
                                                 shape_str(expected) + " for input " + shape_str(input.shape) +
                                                 ", K = " + std::to_string(K) + ", padding " +
                                                 std::to_string(padding));
    if (overlaps(output.data, output.elements() * sizeof(float), input.data, input.elements() * sizeof(float)))
        fail(ErrorCode::Aliasing, "output memory overlaps the input");
}

size_t elements_of(const std::vector<int64_t> &shape) {  // shapes already checked against kMaxElements
    size_t e = 1;
    for (int64_t d : shape) e *= size_t(d);
    return e;
}

// A Halide view of a dense C-order tensor: Halide lists dimensions innermost first.
template <typename T>
Halide::Runtime::Buffer<T> halide_view(T *data, const std::vector<int64_t> &shape) {
    std::vector<int> sizes(shape.rbegin(), shape.rend());
    return Halide::Runtime::Buffer<T>(data, sizes);
}

// A Halide view of a convolution's input or output, dense in `layout`'s
// order: the pipelines index (x, y, channel, image) whatever the strides.
template <typename T>
Halide::Runtime::Buffer<T> conv_view(T *data, const std::vector<int64_t> &shape, const std::string &layout) {
    const std::vector<int64_t> nchw = ConvShape::to_nchw(shape, layout);
    const TensorDims d = conv_tensor_dims(nchw[0], nchw[1], nchw[2], nchw[3], layout == "nhwc");
    halide_dimension_t dims[4];
    for (int i = 0; i < 4; i++) dims[i] = {0, int32_t(d.extent[i]), int32_t(d.stride[i])};  // checked: < 2^31 elements
    return Halide::Runtime::Buffer<T>(data, 4, dims);
}

// A failed Halide call as the typed error that names its cause.
void check_result(const std::string &what, const RunOptions &options, detail::CallScope &scope, int result) {
    if (result == 0) return;
    const std::string message = scope.halide_message();
    const std::string detail = message.empty() ? "" : ": " + message;
    if (scope.context().over_limit)
        fail(ErrorCode::OutOfMemory, what + " needs more than the memory limit of " +
                                         std::to_string(options.memory_limit) + " bytes for its temporaries" + detail);
    if (result == halide_error_code_out_of_memory)
        fail(ErrorCode::OutOfMemory, what + " could not allocate its temporaries" + detail);
    // The API has checked every buffer against the shapes, so an access out
    // of bounds means the schedule cannot cover this layer (autoscheduled
    // splits sized for larger layers than this one); Halide checks bounds
    // before it computes anything.
    if (result == halide_error_code_access_out_of_bounds)
        fail(ErrorCode::Unsupported, what + " cannot run this layer (its schedule assumes a larger one)" + detail);
    fail(ErrorCode::Runtime, what + " failed (Halide error " + std::to_string(result) + ")" + detail);
}

double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Runs a compiled pipeline under the call's thread count and memory limit;
// a failure becomes the typed error check_result names. `what` names the
// pipeline in that error: a string, or a function that makes one (only on
// failure: a call of a small layer takes under a microsecond).
template <typename What, typename Fn, typename... Args>
void call_pipeline(const What &what, const RunOptions &options, int threads, RunStats *stats, Fn fn, Args... args) {
    detail::CallScope scope(threads, options.memory_limit, stats && options.trace_tasks);
    const auto start = scope.context().start;  // the trace's origin too
    const int result = fn(args...);
    if (stats) {
        *stats = RunStats{};
        stats->peak_temporary_bytes = scope.context().peak.load();
        stats->threads = scope.context().threads;
        stats->parallel_tasks = scope.context().widest.load();
        stats->fork_joins = scope.context().fork_joins.load();
        stats->compute_ms = ms_since(start);
        if (options.trace_tasks) detail::collect_trace(scope.context(), *stats);
    }
    if (result == 0) return;
    if constexpr (std::is_invocable_v<What>) check_result(what(), options, scope, result);
    else check_result(what, options, scope, result);
}

}  // namespace

std::vector<int64_t> output_shape(const std::vector<int64_t> &input_shape, int64_t K, int padding,
                                  const std::string &layout) {
    check_layout_name(layout);
    if (layout == "nhwc") return ConvShape::in_layout(output_shape(ConvShape::to_nchw(input_shape, layout), K, padding), layout);
    if (input_shape.size() != 4)
        fail(ErrorCode::WrongRank, "input must be 4-D NCHW, got shape " + shape_str(input_shape));
    check_padding(padding);
    for (int64_t d : input_shape)
        if (d < 0 || d > INT32_MAX)
            fail(ErrorCode::BadShape, "input shape " + shape_str(input_shape) + " has a dimension outside [0, 2^31 - 1]");
    if (K < 0 || K > INT32_MAX)
        fail(ErrorCode::BadShape, "K = " + std::to_string(K) + " is outside [0, 2^31 - 1]");
    return {input_shape[0], K, input_shape[2] + 2 * padding - (kTaps - 1),
            input_shape[3] + 2 * padding - (kTaps - 1)};
}

std::vector<int64_t> validate_shapes(const std::string &variant_name, const std::vector<int64_t> &input_shape,
                                     const std::vector<int64_t> &weights_shape, int padding,
                                     const RunOptions &options) {
    const VariantInfo &info = variant(variant_name);
    check_padding(padding);
    check_options(options);
    if (variant_name != kAuto) check_layout(info, options);
    // auto picks only variants that can run the layer; direct (m = 0) needs the least.
    check_weights_shape(weights_shape, std::max(info.m, 0));
    return check_conv_shapes(input_shape, weights_shape[0], weights_shape[1], padding, options.layout);
}

namespace {

// The layer "auto" chooses for: the checked shapes of the call (the input in `layout`'s order).
ConvShape layer_of(const std::vector<int64_t> &input_shape, const std::vector<int64_t> &weights_shape, int padding,
                   const std::string &layout) {
    const std::vector<int64_t> in = ConvShape::to_nchw(input_shape, layout);
    return {int(in[0]), int(in[1]), int(weights_shape[0]), int(in[2]), int(in[3]), padding};
}

}  // namespace

PreparedWeights prepare_weights(const std::string &variant_name, ConstTensor weights, const RunOptions &options,
                                const std::vector<int64_t> &input_shape, int padding) {
    if (variant_name == kAuto) {
        if (input_shape.empty())
            fail(ErrorCode::InvalidArgument, "auto chooses a variant per layer: prepare_weights(\"auto\", ...) needs "
                                             "the input shape (N, C, H, W) it will run on (N, H, W, C at layout nhwc)");
        if (!weights.data) fail(ErrorCode::NullBuffer, "weights has a null data pointer");
        validate_shapes(kAuto, input_shape, weights.shape, padding, options);
        const Selection chosen = select_variant(layer_of(input_shape, weights.shape, padding, options.layout), options);
        return prepare_weights(chosen.variant, weights, options);
    }
    const VariantInfo &info = variant(variant_name);
    check_options(options);
    check_weights(weights, info.m);
    PreparedWeights p;
    p.variant_ = info.name;
    p.m_ = info.m;
    p.layout_ = detail::weights_layout(info);
    p.K_ = weights.shape[0];
    p.C_ = weights.shape[1];
    const std::vector<int64_t> shape = prepared_shape_of(info, p.K_, p.C_);
    p.size_ = elements_of(shape);
    // On a cache line, as the tensors should be (wino/aligned.h): the
    // micro-kernels load the weights in vectors, and from new[]'s 16 bytes
    // past a page (glibc, past its mmap threshold) each load crossed two lines.
    std::shared_ptr<float[]> data(AlignedAllocator<float>().allocate(p.size_), free_aligned);
    const detail::CompiledPreparation &prep = detail::weight_preparation(info);
    auto w = halide_view(weights.data, weights.shape);
    auto out = halide_view(data.get(), shape);
    call_pipeline(prep.name, options, options.threads, nullptr, prep.run, w.raw_buffer(), out.raw_buffer());
    p.data_ = std::move(data);
    if (info.device == "cuda") p.device_ = std::make_shared<detail::DeviceCopy>();
    return p;
}

namespace {

std::string algorithm_name(int m) { return m ? "Winograd F(" + std::to_string(m) + ",3)" : "direct"; }

// Checks, then runs `fn` (the variant's pipeline or its profiled twin) on prepared weights.
// The checks every call on prepared weights makes.
void check_prepared(const detail::CompiledVariant &v, const PreparedWeights &weights, int padding,
                    const RunOptions &options) {
    check_padding(padding);
    check_options(options);
    if (weights.m() != v.info.m)
        fail(ErrorCode::PreparedWeightsMismatch, "weights were prepared for " + algorithm_name(weights.m()) +
                                                     " but variant " + v.info.name + " needs " +
                                                     algorithm_name(v.info.m));
    if (!weights.data())
        fail(ErrorCode::InvalidArgument, "prepared weights are empty (not made by prepare_weights)");
    if (weights.layout() != detail::weights_layout(v.info))
        fail(ErrorCode::PreparedWeightsMismatch, "weights were packed for direct variants of layout " +
                                                     weights.layout() + " but variant " + v.info.name + " takes " +
                                                     v.info.layout + " and reads them in another order");
    check_layout(v.info, options);
}

bool on_gpu(const VariantInfo &v) { return v.device == "cuda"; }

#if WINO_HAVE_CUDA
void require_gpu(const VariantInfo &v) {
    std::string why;
    if (!detail::cuda::available(&why))
        fail(ErrorCode::Unsupported, "variant " + v.name + " runs on a CUDA GPU, and this machine has " + why);
}
#endif

}  // namespace

namespace detail {

// Prepared weights on the device: copied by the first GPU call, then reused
// (the host copy stays the original; this one is never written).
struct DeviceCopy {
    std::mutex mutex;
    Halide::Runtime::Buffer<float> buffer;
    bool ready = false;
};

}  // namespace detail

namespace {

#if WINO_HAVE_CUDA
// The weights' device copy, made now if this is the first call that needs it.
halide_buffer_t *device_weights(const detail::CompiledVariant &v, const PreparedWeights &weights,
                                detail::DeviceCopy &copy) {
    std::lock_guard<std::mutex> lock(copy.mutex);
    if (!copy.ready) {
        const std::vector<int64_t> shape = prepared_shape_of(v.info, weights.K(), weights.C());
        copy.buffer = halide_view(const_cast<float *>(weights.data()), shape);
        copy.buffer.set_host_dirty();
        if (int r = copy.buffer.copy_to_device(halide_cuda_device_interface()))
            fail(ErrorCode::Runtime, "copying the prepared weights to the GPU failed (Halide error " +
                                         std::to_string(r) + ")");
        // Done before any kernel reads them: calls may run on a stream that
        // does not wait for the default one (RunOptions::cuda_stream).
        if (int r = copy.buffer.device_sync())
            fail(ErrorCode::Runtime, "copying the prepared weights to the GPU failed (Halide error " +
                                         std::to_string(r) + ")");
        copy.ready = true;
    }
    return copy.buffer.raw_buffer();
}
#endif

// Runs `fn` (the variant's pipeline or its profiled twin) on prepared weights:
// on the CPU, or on the GPU with the input copied in and the output copied
// back, each timed on its own.
void run_prepared(const detail::CompiledVariant &v, detail::ConvFn fn, const ConstTensor &input,
                  const PreparedWeights &weights, const std::shared_ptr<detail::DeviceCopy> &device,
                  const Tensor &output, int padding, const RunOptions &options) {
    check_prepared(v, weights, padding, options);
    check_conv(input, weights.K(), weights.C(), output, padding, options.layout);
    auto in = conv_view(input.data, input.shape, options.layout);
    auto out = conv_view(output.data, output.shape, options.layout);
    if (!on_gpu(v.info)) {
        auto w = halide_view(weights.data(), prepared_shape_of(v.info, weights.K(), weights.C()));
        // Most calls take the threads asked for; only threads_by_work pays for
        // call_threads' lookups.
        const int threads =
            options.threads_by_work
                ? call_threads(v.info.name, layer_of(input.shape, {weights.K(), weights.C(), 3, 3}, padding, options.layout),
                               options)
                : detail::resolve_threads(options.threads);
        call_pipeline([&] { return "variant " + v.info.name; }, options, threads, options.stats, fn, in.raw_buffer(),
                      w.raw_buffer(), padding, threads, out.raw_buffer());
        return;
    }
    const std::string what = "variant " + v.info.name;
    if (options.cuda_stream)
        fail(ErrorCode::InvalidArgument, "RunOptions::cuda_stream is for conv2d_device: conv2d copies through host "
                                         "memory and waits for the copies");
#if WINO_HAVE_CUDA
    require_gpu(v.info);
    if (!device) fail(ErrorCode::InvalidArgument, "prepared weights carry no device copy (not made by prepare_weights)");
    halide_buffer_t *w = device_weights(v, weights, *device);
    const halide_device_interface_t *cuda = halide_cuda_device_interface();
    detail::CallScope scope(options.threads, options.memory_limit);
    RunStats stats;
    auto t = std::chrono::steady_clock::now();
    in.set_host_dirty();
    check_result(what + " (copying the input to the GPU)", options, scope, in.copy_to_device(cuda));
    stats.copy_in_ms = ms_since(t);
    detail::cuda::EventTimer timer;
    timer.start();
    const int result = fn(in.raw_buffer(), w, padding, 1, out.raw_buffer());
    stats.compute_ms = timer.stop();
    if (result == 0) {
        t = std::chrono::steady_clock::now();
        const int copied = out.copy_to_host();
        stats.copy_out_ms = ms_since(t);
        in.device_free();
        out.device_free();
        check_result(what + " (copying the output back)", options, scope, copied);
    } else {
        in.device_free();
        out.device_free();
        check_result(what, options, scope, result);
    }
    stats.peak_temporary_bytes = scope.context().peak.load();
    if (options.stats) *options.stats = stats;
#else
    (void)device;
    fail(ErrorCode::Unsupported, what + " runs on a CUDA GPU, and this build has no CUDA support (WINO_CUDA=OFF)");
#endif
}

}  // namespace

void conv2d(const std::string &variant_name, ConstTensor input, const PreparedWeights &weights, Tensor output,
            int padding, const RunOptions &options) {
    // auto runs what it chose when it prepared the weights.
    const bool chosen = variant_name == kAuto;
    if (chosen && weights.variant().empty())
        fail(ErrorCode::InvalidArgument, "prepared weights are empty (not made by prepare_weights)");
    const detail::CompiledVariant &v = detail::compiled_variant(chosen ? weights.variant() : variant_name);
    run_prepared(v, v.run, input, weights, weights.device_, output, padding, options);
}

bool gpu_available(std::string *why) {
#if WINO_HAVE_CUDA
    return detail::cuda::available(why);
#else
    if (why) *why = "no CUDA support in this build (WINO_CUDA=OFF)";
    return false;
#endif
}

void conv2d_device(const std::string &variant_name, DeviceTensor input, const PreparedWeights &weights,
                   DeviceTensor output, int padding, const RunOptions &options) {
    const detail::CompiledVariant &v =
        detail::compiled_variant(variant_name == kAuto ? weights.variant() : variant_name);
    if (!on_gpu(v.info))
        fail(ErrorCode::InvalidArgument, "variant " + v.info.name + " runs on the CPU; conv2d_device needs a GPU variant");
    check_prepared(v, weights, padding, options);
    if (!input.ptr) fail(ErrorCode::NullBuffer, "input has a null device pointer");
    if (!output.ptr) fail(ErrorCode::NullBuffer, "output has a null device pointer");
    const std::vector<int64_t> expected = check_conv_shapes(input.shape, weights.K(), weights.C(), padding, options.layout);
    check_shape(output.shape, "output", output_order(options.layout));
    if (output.shape != expected)
        fail(ErrorCode::OutputShapeMismatch, "output shape " + shape_str(output.shape) + " does not match " +
                                                 shape_str(expected) + " for input " + shape_str(input.shape));
    const size_t in_bytes = elements_of(input.shape) * sizeof(float), out_bytes = elements_of(output.shape) * sizeof(float);
    if (overlaps(reinterpret_cast<void *>(output.ptr), out_bytes, reinterpret_cast<void *>(input.ptr), in_bytes))
        fail(ErrorCode::Aliasing, "output memory overlaps the input");
#if WINO_HAVE_CUDA
    require_gpu(v.info);
    halide_buffer_t *w = device_weights(v, weights, *weights.device_);
    // Halide buffers with no host memory around the caller's device memory.
    auto wrap = [](uint64_t ptr, const std::vector<int64_t> &shape) {
        std::vector<int> sizes(shape.rbegin(), shape.rend());
        Halide::Runtime::Buffer<float> b(nullptr, sizes);
        halide_cuda_wrap_device_ptr(nullptr, b.raw_buffer(), ptr);
        return b;
    };
    auto in = wrap(input.ptr, input.shape), out = wrap(output.ptr, output.shape);
    const std::string what = "variant " + v.info.name;
    detail::CallScope scope(options.threads, options.memory_limit);
    scope.context().cuda_stream = options.cuda_stream;
    // On the default stream the call is timed and waits; on the caller's
    // stream it only enqueues (and may be captured into a graph).
    std::optional<detail::cuda::EventTimer> timer;
    if (!options.cuda_stream) timer.emplace().start();
    const int result = v.run(in.raw_buffer(), w, padding, 1, out.raw_buffer());
    const double ms = timer ? timer->stop() : 0;  // stop() waits for the kernels: the output is ready
    halide_cuda_detach_device_ptr(nullptr, in.raw_buffer());
    halide_cuda_detach_device_ptr(nullptr, out.raw_buffer());
    check_result(what, options, scope, result);
    if (options.stats) {
        *options.stats = RunStats{};
        options.stats->compute_ms = ms;
        options.stats->peak_temporary_bytes = scope.context().peak.load();
    }
#else
    fail(ErrorCode::Unsupported, "variant " + v.info.name + " runs on a CUDA GPU, and this build has no CUDA support");
#endif
}

#if WINO_HAVE_CUDA
namespace {
// Runs `f`, a call into the runtime's CUDA driver code: its failures
// (std::runtime_error) become Error(Runtime); this API's own errors pass.
template <typename F>
auto driver_call(F &&f) {
    try {
        return f();
    } catch (const Error &) {
        throw;
    } catch (const std::runtime_error &e) {
        fail(ErrorCode::Runtime, e.what());
    }
}
}  // namespace

struct GpuGraphTimer::State {
    detail::cuda::Stream stream;
    Halide::Runtime::Buffer<float> in, out;  // the device copies the calls read and write
    int calls = 0;
    // The copies are freed after this, back to Halide's cache: nothing may
    // still run on them (a constructor that failed midway included).
    ~State() {
        try {
            stream.synchronize();
        } catch (const std::runtime_error &) {
        }
    }
};
#else
struct GpuGraphTimer::State {};
#endif

GpuGraphTimer::GpuGraphTimer(const std::string &variant_name, ConstTensor input, const PreparedWeights &weights,
                             int padding, int calls) {
    const detail::CompiledVariant &v =
        detail::compiled_variant(variant_name == kAuto ? weights.variant() : variant_name);
    if (!on_gpu(v.info))
        fail(ErrorCode::InvalidArgument, "variant " + v.info.name + " runs on the CPU; a graph timer needs a GPU variant");
    if (calls < 1) fail(ErrorCode::InvalidArgument, "a graph needs at least 1 call, not " + std::to_string(calls));
    check_prepared(v, weights, padding, {});
    if (!input.data) fail(ErrorCode::NullBuffer, "input has a null data pointer");
    const std::vector<int64_t> out_shape = check_conv_shapes(input.shape, weights.K(), weights.C(), padding, "nchw");
    check_tensor(input, "input", "NCHW");
#if WINO_HAVE_CUDA
    require_gpu(v.info);
    try {
        s_ = std::make_unique<State>();
    } catch (const std::runtime_error &e) {
        fail(ErrorCode::Unsupported, std::string("cannot time CUDA graphs here: ") + e.what());
    }
    s_->calls = calls;
    const halide_device_interface_t *cuda = halide_cuda_device_interface();
    s_->in = halide_view(const_cast<float *>(input.data), input.shape);
    s_->in.set_host_dirty();
    s_->out = halide_view<float>(nullptr, out_shape);
    s_->out.allocate();
    if (s_->in.copy_to_device(cuda) || s_->in.device_sync() || s_->out.device_malloc(cuda))
        fail(ErrorCode::Runtime, "cannot place the input and output of the timed calls on the GPU");
    const DeviceTensor din{halide_cuda_get_device_ptr(nullptr, s_->in.raw_buffer()), input.shape},
        dout{halide_cuda_get_device_ptr(nullptr, s_->out.raw_buffer()), out_shape};
    RunOptions options;
    options.cuda_stream = s_->stream.handle();
    // Once outside the capture: loads the kernels, allocates on the stream.
    conv2d_device(variant_name, din, weights, dout, padding, options);
    driver_call([&] { s_->stream.synchronize(); });
    // NaN until a replay writes it, so output() shows what the graph computed.
    s_->out.fill(std::numeric_limits<float>::quiet_NaN());
    s_->out.set_host_dirty();
    if (s_->out.copy_to_device(cuda) || s_->out.device_sync())
        fail(ErrorCode::Runtime, "cannot place the output of the timed calls on the GPU");
    driver_call([&] {
        s_->stream.capture([&] {
            for (int i = 0; i < calls; i++) conv2d_device(variant_name, din, weights, dout, padding, options);
        });
    });
#else
    (void)padding;
    fail(ErrorCode::Unsupported, "variant " + v.info.name + " runs on a CUDA GPU, and this build has no CUDA support");
#endif
}

GpuGraphTimer::~GpuGraphTimer() = default;

double GpuGraphTimer::replay_ms() {
#if WINO_HAVE_CUDA
    return driver_call([&] { return s_->stream.replay() / s_->calls; });
#endif
    return 0;  // not reached: the constructor threw
}

std::vector<float> GpuGraphTimer::output() {
#if WINO_HAVE_CUDA
    driver_call([&] { s_->stream.synchronize(); });
    s_->out.set_device_dirty();
    if (s_->out.copy_to_host()) fail(ErrorCode::Runtime, "copying the timed calls' output back failed");
    return std::vector<float>(s_->out.data(), s_->out.data() + s_->out.number_of_elements());
#else
    return {};
#endif
}

void conv2d(const std::string &variant_name, ConstTensor input, ConstTensor weights, Tensor output, int padding,
            const RunOptions &options) {
    if (variant_name == kAuto) {
        check_padding(padding);
        if (!input.data) fail(ErrorCode::NullBuffer, "input has a null data pointer");
        if (!weights.data) fail(ErrorCode::NullBuffer, "weights has a null data pointer");
        validate_shapes(kAuto, input.shape, weights.shape, padding, options);
        const Selection chosen = select_variant(layer_of(input.shape, weights.shape, padding, options.layout), options);
        return conv2d(chosen.variant, input, weights, output, padding, options);
    }
    const detail::CompiledVariant &v = detail::compiled_variant(variant_name);
    check_padding(padding);
    check_options(options);
    check_layout(v.info, options);
    check_weights(weights, v.info.m);
    check_conv(input, weights.shape[0], weights.shape[1], output, padding, options.layout);
    if (overlaps(output.data, output.elements() * sizeof(float), weights.data, weights.elements() * sizeof(float)))
        fail(ErrorCode::Aliasing, "output memory overlaps the weights");
    conv2d(variant_name, input, prepare_weights(variant_name, weights, options), output, padding, options);
}

bool profiling_available() {
    const auto &all = detail::compiled_variants();
    return !all.empty() && all.front().profiled != nullptr;
}

namespace {

// Halide 14's halide_profiler_get_pipeline_state() matches names by pointer
// (it expects the pipeline's own string constant), so walk the list by name.
PipelineProfile read_profile(const std::string &pipeline) {
    PipelineProfile p;
    p.pipeline = pipeline;
    halide_profiler_state *state = halide_profiler_get_state();
    halide_mutex_lock(&state->lock);
    for (auto *stats = state->pipelines; stats; stats = static_cast<halide_profiler_pipeline_stats *>(stats->next)) {
        if (!stats->name || pipeline != stats->name || stats->runs == 0) continue;
        p.runs = stats->runs;
        p.ms = stats->time / 1e6 / stats->runs;
        for (int i = 0; i < stats->num_funcs; i++) {
            const halide_profiler_func_stats &f = stats->funcs[i];
            if (f.time > 0) p.funcs.push_back({f.name, f.time / 1e6 / stats->runs});
        }
    }
    halide_mutex_unlock(&state->lock);
    return p;
}

}  // namespace

ConvProfile profile_conv(const std::string &variant_name, ConstTensor input, ConstTensor weights, Tensor output,
                         int padding, int runs, const RunOptions &options) {
    const detail::CompiledVariant &v = detail::compiled_variant(variant_name);
    if (!v.profiled) fail(ErrorCode::Unsupported, "profiled pipelines are not built (configure with WINO_PROFILE=ON)");
    if (runs < 1) fail(ErrorCode::InvalidArgument, "runs must be >= 1, got " + std::to_string(runs));
    check_options(options);
    check_layout(v.info, options);
    PreparedWeights prepared = prepare_weights(variant_name, weights, options);
    check_conv(input, prepared.K(), prepared.C(), output, padding, options.layout);

    // The profiler's statistics are process-wide: one profile at a time.
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    halide_profiler_reset();
    ConvProfile result;
    const detail::CompiledPreparation &prep = detail::weight_preparation(v.info);
    std::vector<float> scratch(prepared.size());
    auto w = halide_view(weights.data, weights.shape);
    auto out = halide_view(scratch.data(), prepared_shape_of(v.info, prepared.K(), prepared.C()));
    for (int i = 0; i < runs; i++)
        call_pipeline("profiled " + prep.name, options, options.threads, nullptr, prep.profiled, w.raw_buffer(), out.raw_buffer());
    result.prepare = read_profile(prep.name + "_profiled");
    for (int i = 0; i < runs; i++)
        run_prepared(v, v.profiled, input, prepared, prepared.device_, output, padding, options);
    result.conv = read_profile(v.info.name + "_profiled");
    halide_profiler_reset();
    return result;
}

}  // namespace wino
