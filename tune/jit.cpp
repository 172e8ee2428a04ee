#include "jit.h"

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "algorithms.h"
#include "halide_hooks.h"
#include "layout.h"
#include "schedules.h"

namespace wino::tune {

using namespace Halide;

std::string Candidate::row_parameters() const {
    std::string out;
    for (const auto &[k, v] : params) out += (out.empty() ? "" : " ") + k + "=" + v;
    return out;
}

std::string Candidate::row_name() const {
    // Parameters in the key's (sorted) order, each as a short word; the
    // values the space takes are identifier characters already.
    static const std::map<std::string, std::string> prefix{
        {"block", ""}, {"k_vectors", "k"}, {"band_kb", "band"}, {"parallel", ""}, {"vectorize", "vec"}, {"store", ""}, {"c_slice", "c"}, {"load", "load"}, {"pad", "pad_"}, {"layout", ""}, {"c_block", "cb"}};
    const std::string f = "f" + std::to_string(m);
    std::string name = "tuned_" + (algorithm == "direct" ? "direct" : schedule == "fused" ? f : schedule + "_" + f);
    for (const auto &[k, v] : params) {
        const auto it = prefix.find(k);
        name += "_" + (it == prefix.end() ? k : it->second) + v;
    }
    for (char &ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') ch = '_';
    return name;
}

std::string Candidate::key() const {
    std::string key = algorithm + " " + schedule + " m=" + std::to_string(m);
    const std::string p = row_parameters();
    return p.empty() ? key : key + " " + p;
}

Candidate Candidate::from_key(const std::string &key) {
    std::istringstream in(key);
    Candidate c;
    std::string m;
    if (!(in >> c.algorithm >> c.schedule >> m) || m.rfind("m=", 0) != 0)
        throw std::invalid_argument("not a candidate key: '" + key + "'");
    c.m = std::stoi(m.substr(2));
    for (std::string kv; in >> kv;) {
        const size_t eq = kv.find('=');
        if (eq == std::string::npos) throw std::invalid_argument("not key=value: '" + kv + "' in '" + key + "'");
        c.params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return c;
}

namespace {

// The runtime's hooks for a JIT call: its pool, allocator and error capture.
JITUserContext jit_context() {
    const detail::RuntimeHooks &h = detail::runtime_hooks();
    JITUserContext ctx;
    using ParFor = int (*)(JITUserContext *, int (*)(JITUserContext *, int, uint8_t *), int, int, uint8_t *);
    ctx.handlers.custom_do_par_for = reinterpret_cast<ParFor>(h.do_par_for);
    ctx.handlers.custom_malloc = reinterpret_cast<void *(*)(JITUserContext *, size_t)>(h.malloc);
    ctx.handlers.custom_free = reinterpret_cast<void (*)(JITUserContext *, void *)>(h.free);
    ctx.handlers.custom_error = reinterpret_cast<void (*)(JITUserContext *, const char *)>(h.error);
    return ctx;
}

Buffer<float> view(float *data, const std::vector<int64_t> &shape) {
    std::vector<int> sizes(shape.rbegin(), shape.rend());  // Halide lists dimensions innermost first
    return Buffer<float>(data, sizes);
}

// A convolution's input or output of NCHW extents, stored in the candidate's layout.
Buffer<float> conv_view(float *data, const std::vector<int64_t> &nchw, bool channels_last) {
    const TensorDims d = conv_tensor_dims(nchw[0], nchw[1], nchw[2], nchw[3], channels_last);
    halide_dimension_t dims[4];
    for (int i = 0; i < 4; i++) dims[i] = {0, int32_t(d.extent[i]), int32_t(d.stride[i])};
    return Buffer<float>(data, 4, dims);
}

}  // namespace

struct Compiled::State {
    Target target;
    int m = 0;
    bool channels_last = false;  // layout=nhwc: input and output channels innermost
    // The convolution: (input, prepared weights, padding, threads) -> output.
    ImageParam input{Float(32), 4, "input"}, weights{Float(32), 5, "prepared"};
    Param<int> padding{"padding", 1, 0, 1}, threads{"threads", 1, 1, 1 << 16};
    Func output{"output"};
    Pipeline conv;
    // The weight preparation: KCRS -> prepared.
    ImageParam raw{Float(32), 4, "weights"};
    Func prepared{"prepared_out"};
    Pipeline prep;

    void realize(Pipeline &p, Buffer<float> &out, const ParamMap &params, int nthreads) {
        JITUserContext ctx = jit_context();
        detail::CallScope scope(nthreads);
        try {
            p.realize(&ctx, out, target, params);
        } catch (const Halide::RuntimeError &e) {
            throw std::runtime_error(std::string(e.what()) + " " + scope.halide_message());
        }
    }
};

Compiled::Compiled(const Candidate &c, const Target &target) : s_(new State) {
    s_->target = target;
    s_->m = c.m;
    const ScheduleParams p = parse_schedule_params(c.row_parameters());
    s_->channels_last = channels_last(p);
    const auto start = std::chrono::steady_clock::now();
    if (c.algorithm == "direct") {
        DirectStages st =
            direct_algorithm(s_->input, s_->weights, s_->padding, s_->threads, s_->output, pads_image(p),
                             s_->channels_last, skips_padded_rows(p), pads_channel_blocks(p));
        schedule_direct(c.schedule, p, st, target);
        PackStages ps = pack_algorithm(s_->raw, s_->prepared, s_->channels_last);
        schedule_weight_packing(ps, target);
    } else if (c.algorithm == "winograd") {
        WinogradStages st =
            winograd_algorithm(c.m, s_->input, s_->weights, s_->padding, s_->threads, s_->output, s_->channels_last,
                               pads_inline(p), /*shifted_tail=*/c.schedule == "fused");
        schedule_winograd(c.schedule, p, st, target);
        FilterStages fs = filter_algorithm(c.m, s_->raw, s_->prepared);
        schedule_filter_transform(fs, target);
    } else {
        throw std::invalid_argument("unknown algorithm '" + c.algorithm + "'");
    }
    s_->conv = Pipeline(s_->output);
    // The band a CPU schedule computes by is chosen at run time by the
    // runtime's C++ (schedules/machine.cpp), which JIT code finds here.
    s_->conv.set_jit_externs({{"wino_band_extent", JITExtern(wino_band_extent)}});
    s_->prep = Pipeline(s_->prepared);
    // WINO_TUNE_STMT=dir: the lowered loop nest of every candidate and its
    // assembly, for reading.
    if (const char *dir = std::getenv("WINO_TUNE_STMT")) {
        std::string name = c.key();
        for (char &ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        const std::vector<Argument> args = s_->conv.infer_arguments();
        s_->conv.compile_to_lowered_stmt(std::string(dir) + "/" + name + ".stmt", args, Text, target);
        s_->conv.compile_to_assembly(std::string(dir) + "/" + name + ".s", args, "conv", target);
    }
    s_->conv.compile_jit(target);
    s_->prep.compile_jit(target);
    compile_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Compiled::~Compiled() = default;

std::string Compiled::layout() const { return s_->channels_last ? "nhwc" : "nchw"; }

Buffer<float> Compiled::prepare(const std::vector<float> &weights, const ConvShape &shape, int threads) {
    const std::vector<int64_t> dims = prepared_shape(s_->m, shape.K, shape.C, s_->channels_last);
    std::vector<int> sizes(dims.rbegin(), dims.rend());
    Buffer<float> out(sizes);
    ParamMap params;
    params.set(s_->raw, view(const_cast<float *>(weights.data()), shape.weights()));
    s_->realize(s_->prep, out, params, threads);
    return out;
}

void Compiled::run(const float *input, const Buffer<float> &prepared, const ConvShape &shape, int threads,
                   float *output) {
    Buffer<float> out = conv_view(output, shape.output(), s_->channels_last);
    ParamMap params;
    params.set(s_->input, conv_view(const_cast<float *>(input), shape.input(), s_->channels_last));
    params.set(s_->weights, prepared);
    params.set(s_->padding, shape.padding);
    params.set(s_->threads, threads);
    s_->realize(s_->conv, out, params, threads);
}

}  // namespace wino::tune
