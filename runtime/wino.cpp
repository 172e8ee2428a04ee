// The public API: validation with typed errors, then the compiled pipelines.
#include "wino/wino.h"

#include <climits>
#include <sstream>

#include "HalideBuffer.h"
#include "halide_hooks.h"
#include "layout.h"
#include "registry.h"

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

const VariantInfo &variant(const std::string &name) { return detail::compiled_variant(name).info; }

namespace {

constexpr int kTaps = 3;

[[noreturn]] void fail(ErrorCode code, const std::string &message) { throw Error(code, message); }

std::string shape_str(const std::vector<int64_t> &shape) {
    std::ostringstream s;
    s << "(";
    for (size_t i = 0; i < shape.size(); i++) s << (i ? ", " : "") << shape[i];
    s << (shape.size() == 1 ? ",)" : ")");
    return s.str();
}

template <typename T>
void check_tensor(const TensorView<T> &t, const std::string &what, const char *layout) {
    if (!t.data) fail(ErrorCode::NullBuffer, what + " has a null data pointer");
    if (t.shape.size() != 4)
        fail(ErrorCode::WrongRank, what + " must be 4-D " + layout + ", got rank " +
                                       std::to_string(t.shape.size()) + " shape " + shape_str(t.shape));
    for (int64_t d : t.shape) {
        if (d < 1) fail(ErrorCode::BadShape, what + " shape " + shape_str(t.shape) + " has a dimension < 1");
        if (d > INT32_MAX) fail(ErrorCode::BadShape, what + " shape " + shape_str(t.shape) + " has a dimension over 2^31");
    }
    if (t.capacity < t.elements())
        fail(ErrorCode::BufferTooSmall, what + " shape " + shape_str(t.shape) + " needs " +
                                            std::to_string(t.elements()) + " floats, buffer holds " +
                                            std::to_string(t.capacity));
}

void check_padding(int padding) {
    if (padding != 0 && padding != 1)
        fail(ErrorCode::InvalidArgument, "padding must be 0 or 1, got " + std::to_string(padding));
}

void check_options(const RunOptions &options) {
    if (options.threads < 0)
        fail(ErrorCode::InvalidArgument, "threads must be >= 0 (0 = one per core), got " +
                                             std::to_string(options.threads));
}

void check_weights(const ConstTensor &weights) {
    check_tensor(weights, "weights", "KCRS (K, C, 3, 3)");
    if (weights.shape[2] != kTaps || weights.shape[3] != kTaps)
        fail(ErrorCode::KernelNot3x3, "weights must be (K, C, 3, 3), got kernel " +
                                          std::to_string(weights.shape[2]) + "x" +
                                          std::to_string(weights.shape[3]) + " in shape " +
                                          shape_str(weights.shape));
}

bool overlaps(const void *a, size_t a_bytes, const void *b, size_t b_bytes) {
    auto pa = reinterpret_cast<uintptr_t>(a), pb = reinterpret_cast<uintptr_t>(b);
    return pa < pb + b_bytes && pb < pa + a_bytes;
}

// Checks input and output against each other for a convolution with K filters of C channels.
void check_conv(const ConstTensor &input, int64_t K, int64_t C, const Tensor &output, int padding) {
    check_tensor(input, "input", "NCHW");
    check_tensor(output, "output", "NKHW");
    if (input.shape[1] != C)
        fail(ErrorCode::ChannelMismatch, "input has C = " + std::to_string(input.shape[1]) +
                                             " channels but the weights have C = " + std::to_string(C));
    const int64_t H = input.shape[2], W = input.shape[3];
    if (H + 2 * padding < kTaps || W + 2 * padding < kTaps)
        fail(ErrorCode::BadShape, "input " + std::to_string(H) + "x" + std::to_string(W) +
                                      " is smaller than the 3x3 kernel at padding " + std::to_string(padding));
    const std::vector<int64_t> expected = output_shape(input.shape, K, padding);
    if (output.shape != expected)
        fail(ErrorCode::OutputShapeMismatch, "output shape " + shape_str(output.shape) + " does not match " +
                                                 shape_str(expected) + " for input " + shape_str(input.shape) +
                                                 ", K = " + std::to_string(K) + ", padding " +
                                                 std::to_string(padding));
    if (overlaps(output.data, output.elements() * sizeof(float), input.data, input.elements() * sizeof(float)))
        fail(ErrorCode::Aliasing, "output memory overlaps the input");
}

// A Halide view of a dense C-order tensor: Halide lists dimensions innermost first.
template <typename T>
Halide::Runtime::Buffer<T> halide_view(T *data, const std::vector<int64_t> &shape) {
    std::vector<int> sizes(shape.rbegin(), shape.rend());
    return Halide::Runtime::Buffer<T>(data, sizes);
}

template <typename Fn, typename... Args>
void call_pipeline(const std::string &what, const RunOptions &options, Fn fn, Args... args) {
    detail::CallScope scope(options.threads);
    int result = fn(args...);
    if (result != 0) {
        std::string message = scope.halide_message();
        fail(ErrorCode::Runtime, what + " failed (Halide error " + std::to_string(result) + ")" +
                                     (message.empty() ? "" : ": " + message));
    }
}

}  // namespace

std::vector<int64_t> output_shape(const std::vector<int64_t> &input_shape, int64_t K, int padding) {
    if (input_shape.size() != 4)
        fail(ErrorCode::WrongRank, "input must be 4-D NCHW, got shape " + shape_str(input_shape));
    check_padding(padding);
    return {input_shape[0], K, input_shape[2] + 2 * padding - (kTaps - 1),
            input_shape[3] + 2 * padding - (kTaps - 1)};
}

PreparedWeights prepare_weights(const std::string &variant_name, ConstTensor weights, const RunOptions &options) {
    const VariantInfo &info = variant(variant_name);
    check_options(options);
    check_weights(weights);
    PreparedWeights p;
    p.m_ = info.m;
    p.K_ = weights.shape[0];
    p.C_ = weights.shape[1];
    if (info.m == 0) {
        p.data_.assign(weights.data, weights.data + weights.elements());
        return p;
    }
    detail::FilterFn transform = detail::filter_transform(info.m);
    if (!transform) fail(ErrorCode::UnknownVariant, "no filter transform compiled for m = " + std::to_string(info.m));
    const int alpha = info.m + kTaps - 1;
    const std::vector<int64_t> U_shape{alpha, alpha, p.C_, padded_k(int(p.K_))};
    p.data_.assign(size_t(alpha) * alpha * p.C_ * padded_k(int(p.K_)), 0.0f);
    auto w = halide_view(weights.data, weights.shape);
    auto U = halide_view(p.data_.data(), U_shape);
    call_pipeline("filter transform F(" + std::to_string(info.m) + ",3)", options, transform, w.raw_buffer(),
                  U.raw_buffer());
    return p;
}

void conv2d(const std::string &variant_name, ConstTensor input, const PreparedWeights &weights, Tensor output,
            int padding, const RunOptions &options) {
    const detail::CompiledVariant &v = detail::compiled_variant(variant_name);
    check_padding(padding);
    check_options(options);
    if (weights.m() != v.info.m)
        fail(ErrorCode::PreparedWeightsMismatch,
             "weights were prepared for " +
                 (weights.m() ? "Winograd F(" + std::to_string(weights.m()) + ",3)" : std::string("direct")) +
                 " but variant " + v.info.name + " needs " +
                 (v.info.m ? "Winograd F(" + std::to_string(v.info.m) + ",3)" : std::string("direct")));
    if (weights.data_.empty()) fail(ErrorCode::NullBuffer, "prepared weights are empty (not made by prepare_weights)");
    check_conv(input, weights.K(), weights.C(), output, padding);

    auto in = halide_view(input.data, input.shape);
    auto out = halide_view(output.data, output.shape);
    std::vector<int64_t> w_shape = {weights.K(), weights.C(), kTaps, kTaps};
    if (v.info.m) {
        const int64_t alpha = v.info.m + kTaps - 1;
        w_shape = {alpha, alpha, weights.C(), padded_k(int(weights.K()))};
    }
    auto w = halide_view(weights.data_.data(), w_shape);
    call_pipeline("variant " + v.info.name, options, v.run, in.raw_buffer(), w.raw_buffer(), padding,
                  out.raw_buffer());
}

void conv2d(const std::string &variant_name, ConstTensor input, ConstTensor weights, Tensor output, int padding,
            const RunOptions &options) {
    const detail::CompiledVariant &v = detail::compiled_variant(variant_name);
    check_padding(padding);
    check_options(options);
    check_weights(weights);
    check_conv(input, weights.shape[0], weights.shape[1], output, padding);
    if (overlaps(output.data, output.elements() * sizeof(float), weights.data, weights.elements() * sizeof(float)))
        fail(ErrorCode::Aliasing, "output memory overlaps the weights");
    if (v.info.m == 0) {
        auto in = halide_view(input.data, input.shape);
        auto w = halide_view(weights.data, weights.shape);
        auto out = halide_view(output.data, output.shape);
        call_pipeline("variant " + v.info.name, options, v.run, in.raw_buffer(), w.raw_buffer(), padding,
                      out.raw_buffer());
        return;
    }
    conv2d(variant_name, input, prepare_weights(variant_name, weights, options), output, padding, options);
}

}  // namespace wino
