// The algorithms: a direct 3x3 convolution, Winograd F(m x m, 3 x 3), and the
// Winograd filter transform. Each generator states what is computed and hands
// its stages to the schedule named by the `schedule` generator parameter
// (schedules/). No scheduling directive lives in this file.
//
// Layouts (Halide dimension order is innermost first):
//   input   (x, y, c, n)   = NCHW      weights (rx, ry, c, k) = KCRS
//   output  (x, y, k, n)   = NKHW
// Both algorithms run on weights prepared by their own pipeline, in blocks of
// output channels (layout.h): packed W (ki, rx, ry, c, kb) for direct,
// transformed U (ki, c, kb, u, v) for Winograd.
// Output size: H' = H + 2·padding - 2, W' likewise; padding is 0 or 1.
#include "Halide.h"
#include "cook_toom.h"
#include "layout.h"
#include "schedules.h"
#include "stages.h"
#include "transform.h"

namespace {

using namespace Halide;
using wino::kron;

constexpr int kTaps = 3;  // r: the filter size this project targets

// Every buffer starts at 0: lets the schedules fold x % m and x / m to constants.
template <typename B>
void pin_mins_to_zero(B &buffer) {
    for (int i = 0; i < buffer.dimensions(); i++) buffer.dim(i).set_min(0);
}

// The input seen through the padding: in(x, y, c, n) = input(x - p, y - p, c, n), 0 outside.
template <typename B>
Func padded_input(const B &input, const Expr &padding) {
    Var x("x"), y("y"), c("c"), n("n");
    Func zero_ext = BoundaryConditions::constant_exterior(input, 0.0f);
    Func in("in");
    in(x, y, c, n) = zero_ext(x - padding, y - padding, c, n);
    return in;
}

// Weights zero-extended in k only, so schedules may compute whole blocks of k.
template <typename B>
Func weights_zero_beyond_k(const B &w, const std::string &name) {
    Region bounds{Range(), Range(), Range(), Range(0, w.dim(3).extent())};
    Func ext = BoundaryConditions::constant_exterior(w, 0.0f, bounds);
    Var rx("rx"), ry("ry"), c("c"), k("k");
    Func f(name);
    f(rx, ry, c, k) = ext(rx, ry, c, k);
    return f;
}

template <typename In, typename Out, typename P, typename T>
void estimate_conv_shapes(In &input, Out &output, P &padding, T &threads) {
    // A mid-sized layer; autoschedulers size their splits from these.
    input.set_estimates({{0, 56}, {0, 56}, {0, 64}, {0, 1}});
    output.set_estimates({{0, 56}, {0, 56}, {0, 64}, {0, 1}});
    padding.set_estimate(1);
    threads.set_estimate(1);
}

// The schedule parameters every conv generator takes (schedules/schedules.h),
// set per row of the variant table. A member of the generator: Halide finds
// GeneratorParams anywhere inside the generator object.
struct ScheduleParamsMember {
    GeneratorParam<std::string> block{"block", ""};        // register block columns, "XxY"
    GeneratorParam<int> k_vectors{"k_vectors", 0};         // channel vectors per register block
    GeneratorParam<int> band_kb{"band_kb", 0};             // fused: transformed input per band, KiB
    GeneratorParam<std::string> parallel{"parallel", ""};  // what runs in parallel
    wino::ScheduleParams get() const { return {block, k_vectors, band_kb, parallel}; }
};

class ConvDirect : public Generator<ConvDirect> {
public:
    GeneratorParam<std::string> schedule{"schedule", "direct"};
    ScheduleParamsMember schedule_params;

    Input<Buffer<float, 4>> input{"input"};
    Input<Buffer<float, 5>> W{"W"};  // from the weight-packing pipeline
    Input<int> padding{"padding", 1, 0, 1};
    Input<int> threads{"threads", 1, 1, 1 << 16};  // only sizes parallel tasks: results do not depend on it
    Output<Buffer<float, 4>> output{"output"};

    void generate() {
        wino::DirectStages s;
        s.threads = threads;
        s.in = padded_input(input, padding);
        s.r = RDom(0, kTaps, 0, kTaps, 0, input.dim(2).extent(), "r");
        const RVar rx = s.r.x, ry = s.r.y, rc = s.r.z;
        const Expr ki = s.k % wino::kWeightKAlign, kb = s.k / wino::kWeightKAlign;

        s.conv = Func("conv");
        s.conv(s.x, s.y, s.k, s.n) = 0.0f;
        s.conv(s.x, s.y, s.k, s.n) += W(ki, rx, ry, rc, kb) * s.in(s.x + rx, s.y + ry, rc, s.n);
        output(s.x, s.y, s.k, s.n) = s.conv(s.x, s.y, s.k, s.n);
        s.output = output;

        pin_mins_to_zero(input);
        pin_mins_to_zero(W);
        pin_mins_to_zero(output);
        W.dim(0).set_extent(wino::kWeightKAlign);
        W.dim(1).set_extent(kTaps);
        W.dim(2).set_extent(kTaps);
        estimate_conv_shapes(input, output, padding, threads);
        W.set_estimates({{0, wino::kWeightKAlign}, {0, 3}, {0, 3}, {0, 64}, {0, 2}});

        if (!get_auto_schedule()) wino::schedule_direct(schedule, schedule_params.get(), s, get_target());
    }
};

class DirectPack : public Generator<DirectPack> {
public:
    Input<Buffer<float, 4>> weights{"weights"};  // (rx, ry, c, k)
    Output<Buffer<float, 5>> W{"W"};             // (ki, rx, ry, c, kb): channel blocks (layout.h)

    void generate() {
        wino::PackStages s;
        Func g = weights_zero_beyond_k(weights, "g");
        W(s.ki, s.rx, s.ry, s.c, s.kb) = g(s.rx, s.ry, s.c, s.kb * wino::kWeightKAlign + s.ki);
        s.output = W;

        pin_mins_to_zero(weights);
        pin_mins_to_zero(W);
        weights.dim(0).set_extent(kTaps);
        weights.dim(1).set_extent(kTaps);
        W.dim(0).set_extent(wino::kWeightKAlign);
        weights.set_estimates({{0, 3}, {0, 3}, {0, 64}, {0, 64}});
        W.set_estimates({{0, wino::kWeightKAlign}, {0, 3}, {0, 3}, {0, 64}, {0, 2}});

        if (!get_auto_schedule()) wino::schedule_weight_packing(s, get_target());
    }
};

class ConvWinograd : public Generator<ConvWinograd> {
public:
    GeneratorParam<std::string> schedule{"schedule", "fused"};
    GeneratorParam<int> m{"m", 4};
    ScheduleParamsMember schedule_params;

    Input<Buffer<float, 4>> input{"input"};
    Input<Buffer<float, 5>> U{"U"};  // from the filter-transform pipeline
    Input<int> padding{"padding", 1, 0, 1};
    Input<int> threads{"threads", 1, 1, 1 << 16};  // only sizes parallel tasks: results do not depend on it
    Output<Buffer<float, 4>> output{"output"};

    void generate() {
        const wino::WinogradMatrices w = wino::cook_toom(m, kTaps);
        wino::WinogradStages s;
        s.m = w.m;
        s.alpha = w.alpha;
        s.threads = threads;
        Var i("i"), j("j");
        s.in = padded_input(input, padding);

        // Tile t = (tx, ty) reads the alpha x alpha window at (tx·m, ty·m); windows overlap by r - 1.
        s.d = Func("d");
        s.d(i, j, s.tx, s.ty, s.c, s.n) = s.in(s.tx * s.m + i, s.ty * s.m + j, s.c, s.n);

        s.V = kron(w.B_T, s.d, s.u, s.v, {s.tx, s.ty, s.c, s.n}, "V");

        // Per transform point (u, v), a matrix multiply over channels: M = U · V.
        s.rc = RDom(0, input.dim(2).extent(), "rc");
        s.M = Func("M");
        s.M(s.u, s.v, s.k, s.tx, s.ty, s.n) = 0.0f;
        s.M(s.u, s.v, s.k, s.tx, s.ty, s.n) +=
            U(s.k % wino::kWeightKAlign, s.rc, s.k / wino::kWeightKAlign, s.u, s.v) *
            s.V.out(s.u, s.v, s.tx, s.ty, s.rc, s.n);

        s.Y = kron(w.A_T, s.M, s.u, s.v, {s.k, s.tx, s.ty, s.n}, "Y");

        output(s.x, s.y, s.k, s.n) =
            s.Y.out(s.x % s.m, s.y % s.m, s.k, s.x / s.m, s.y / s.m, s.n);
        s.output = output;

        pin_mins_to_zero(input);
        pin_mins_to_zero(U);
        pin_mins_to_zero(output);
        U.dim(0).set_extent(wino::kWeightKAlign);
        U.dim(3).set_extent(s.alpha);
        U.dim(4).set_extent(s.alpha);
        estimate_conv_shapes(input, output, padding, threads);
        U.set_estimates({{0, wino::kWeightKAlign}, {0, 64}, {0, 2}, {0, s.alpha}, {0, s.alpha}});

        if (!get_auto_schedule()) wino::schedule_winograd(schedule, schedule_params.get(), s, get_target());
    }
};

class WinogradFilter : public Generator<WinogradFilter> {
public:
    GeneratorParam<int> m{"m", 4};

    Input<Buffer<float, 4>> weights{"weights"};  // (rx, ry, c, k)
    Output<Buffer<float, 5>> U{"U"};             // (ki, c, kb, u, v): channel blocks (layout.h)

    void generate() {
        const wino::WinogradMatrices w = wino::cook_toom(m, kTaps);
        wino::FilterStages s;
        s.m = w.m;
        s.alpha = w.alpha;
        s.g = weights_zero_beyond_k(weights, "g");
        s.U = kron(w.G, s.g, s.u, s.v, {s.c, s.k}, "U_uvck");
        U(s.ki, s.c, s.kb, s.u, s.v) = s.U.out(s.u, s.v, s.c, s.kb * wino::kWeightKAlign + s.ki);
        s.output = U;

        pin_mins_to_zero(weights);
        pin_mins_to_zero(U);
        U.dim(0).set_extent(wino::kWeightKAlign);
        U.dim(3).set_extent(s.alpha);
        U.dim(4).set_extent(s.alpha);
        weights.dim(0).set_extent(kTaps);
        weights.dim(1).set_extent(kTaps);
        weights.set_estimates({{0, 3}, {0, 3}, {0, 64}, {0, 64}});
        U.set_estimates({{0, wino::kWeightKAlign}, {0, 64}, {0, 2}, {0, s.alpha}, {0, s.alpha}});

        if (!get_auto_schedule()) wino::schedule_filter_transform(s, get_target());
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(ConvDirect, conv_direct)
HALIDE_REGISTER_GENERATOR(DirectPack, direct_pack)
HALIDE_REGISTER_GENERATOR(ConvWinograd, conv_winograd)
HALIDE_REGISTER_GENERATOR(WinogradFilter, winograd_filter)
