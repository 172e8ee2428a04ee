// The `wino` Python module: the C++ API on NumPy arrays (and on anything that
// gives a float32 C-order array view without a copy, e.g. torch's .numpy()).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "wino/aligned.h"
#include "wino/wino.h"

namespace py = pybind11;

namespace {

// float32, C order: NumPy converts other inputs (a copy); float32 C-order
// arrays, torch tensors' .numpy() views among them, are used in place.
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

std::vector<int64_t> shape_of(const py::array &a) {
    return std::vector<int64_t>(a.shape(), a.shape() + a.ndim());
}

wino::RunOptions options_of(int threads, const std::string &layout) {
    wino::RunOptions options;
    options.threads = threads;
    options.layout = layout;
    return options;
}

// The output array conv2d fills, once every check of the shapes has passed.
FloatArray output_for(const std::string &variant, const FloatArray &x, const std::vector<int64_t> &weights_shape,
                      int padding, int threads, const std::string &layout) {
    const std::vector<int64_t> shape =
        wino::validate_shapes(variant, shape_of(x), weights_shape, padding, options_of(threads, layout));
    // On a 64-byte boundary (wino/aligned.h): NumPy's own large arrays start
    // 16 bytes past a page, where every vector store of the output would
    // cross two cache lines.
    size_t count = 1;
    for (int64_t d : shape) count *= size_t(d);
    float *data = wino::AlignedAllocator<float>().allocate(count);
    py::capsule owner(data, wino::free_aligned);
    return FloatArray(std::vector<py::ssize_t>(shape.begin(), shape.end()), data, owner);
}

}  // namespace

PYBIND11_MODULE(wino, m) {
    m.doc() = "3x3 convolution by Halide-compiled Winograd and direct variants (wino's C++ API).";

    py::enum_<wino::ErrorCode>(m, "ErrorCode")
        .value("UnknownVariant", wino::ErrorCode::UnknownVariant)
        .value("InvalidArgument", wino::ErrorCode::InvalidArgument)
        .value("NullBuffer", wino::ErrorCode::NullBuffer)
        .value("WrongRank", wino::ErrorCode::WrongRank)
        .value("BadShape", wino::ErrorCode::BadShape)
        .value("BufferTooSmall", wino::ErrorCode::BufferTooSmall)
        .value("KernelNot3x3", wino::ErrorCode::KernelNot3x3)
        .value("ChannelMismatch", wino::ErrorCode::ChannelMismatch)
        .value("OutputShapeMismatch", wino::ErrorCode::OutputShapeMismatch)
        .value("Aliasing", wino::ErrorCode::Aliasing)
        .value("PreparedWeightsMismatch", wino::ErrorCode::PreparedWeightsMismatch)
        .value("Runtime", wino::ErrorCode::Runtime)
        .value("OutOfMemory", wino::ErrorCode::OutOfMemory)
        .value("Unsupported", wino::ErrorCode::Unsupported)
        .value("LayoutMismatch", wino::ErrorCode::LayoutMismatch);

    // wino.Error: .code (an ErrorCode) and .message; str() is the message.
    static py::exception<wino::Error> error(m, "Error");
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const wino::Error &e) {
            py::object instance = static_cast<const py::object &>(error)(e.what());
            instance.attr("code") = py::cast(e.code());
            instance.attr("message") = py::str(e.what());
            PyErr_SetObject(error.ptr(), instance.ptr());
        }
    });

    m.def("variants", [] {
        py::list out;
        for (const wino::VariantInfo &v : wino::variants()) {
            py::dict d;
            d["name"] = v.name;
            d["algorithm"] = v.algorithm;
            d["schedule"] = v.schedule;
            d["m"] = v.m;
            d["device"] = v.device;
            d["parameters"] = v.parameters;
            d["target"] = v.target;
            d["targets"] = v.targets;
            d["autoscheduled"] = v.autoscheduled;
            d["tuned"] = v.tuned;
            d["layout"] = v.layout;
            out.append(d);
        }
        return out;
    }, "Every compiled variant's metadata, in the order of the variant table.");

    py::class_<wino::PreparedWeights>(m, "PreparedWeights",
                                      "Weights prepared once for one variant's algorithm (wino.prepare_weights).")
        .def_property_readonly("variant", &wino::PreparedWeights::variant)
        .def_property_readonly("m", &wino::PreparedWeights::m)
        .def_property_readonly("layout", &wino::PreparedWeights::layout,
                               "direct: the layout of the variants they are packed for; Winograd: ''")
        .def_property_readonly("K", &wino::PreparedWeights::K)
        .def_property_readonly("C", &wino::PreparedWeights::C);

    m.def(
        "prepare_weights",
        [](const FloatArray &w, const std::string &variant, int threads, std::optional<std::vector<int64_t>> input_shape,
           int padding, const std::string &layout) {
            py::gil_scoped_release release;
            return wino::prepare_weights(variant, {w.data(), shape_of(w), size_t(w.size())}, options_of(threads, layout),
                                         input_shape.value_or(std::vector<int64_t>{}), padding);
        },
        py::arg("w"), py::arg("variant") = "auto", py::arg("threads") = 0, py::arg("input_shape") = py::none(),
        py::arg("padding") = 1, py::arg("layout") = "nchw",
        "Prepares weights (K, C, 3, 3) once for `variant`. For 'auto', input_shape (N, C, H, W), or (N, H, W, C) at "
        "layout 'nhwc', names the layer it chooses for.");

    m.def(
        "conv2d",
        [](const FloatArray &x, const FloatArray &w, int padding, const std::string &variant, int threads,
           const std::string &layout) {
            FloatArray y = output_for(variant, x, shape_of(w), padding, threads, layout);
            const wino::ConstTensor in{x.data(), shape_of(x), size_t(x.size())};
            const wino::ConstTensor weights{w.data(), shape_of(w), size_t(w.size())};
            const wino::Tensor out{y.mutable_data(), shape_of(y), size_t(y.size())};
            py::gil_scoped_release release;
            wino::conv2d(variant, in, weights, out, padding, options_of(threads, layout));
            return y;
        },
        py::arg("x"), py::arg("w"), py::arg("padding") = 1, py::arg("variant") = "auto", py::arg("threads") = 0,
        py::arg("layout") = "nchw",
        "y = conv3x3(x, w): x (N, C, H, W), w (K, C, 3, 3) float32; padding 0 or 1. Returns (N, K, H', W'). "
        "layout='nhwc': x (N, H, W, C), returns (N, H', W', K), on a variant compiled for it.");

    m.def(
        "conv2d",
        [](const FloatArray &x, const wino::PreparedWeights &w, int padding, const std::string &variant, int threads,
           const std::string &layout) {
            FloatArray y = output_for(variant == "auto" ? w.variant() : variant, x, {w.K(), w.C(), 3, 3}, padding,
                                      threads, layout);
            const wino::ConstTensor in{x.data(), shape_of(x), size_t(x.size())};
            const wino::Tensor out{y.mutable_data(), shape_of(y), size_t(y.size())};
            py::gil_scoped_release release;
            wino::conv2d(variant, in, w, out, padding, options_of(threads, layout));
            return y;
        },
        py::arg("x"), py::arg("w"), py::arg("padding") = 1, py::arg("variant") = "auto", py::arg("threads") = 0,
        py::arg("layout") = "nchw", "The same on prepared weights.");
}
