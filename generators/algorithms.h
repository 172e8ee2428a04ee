// The algorithms, written once for every way they are compiled: the AOT
// generators (conv_generators.cpp, with Input<Buffer>/Output<Buffer>) and
// the JIT tuner (tune/, with ImageParam/Param and a plain Func). Each
// function states what is computed, constrains the buffers' layouts and
// returns the stages for a schedule (schedules/); none schedules anything.
//
// Layouts (Halide dimension order is innermost first):
//   input   (x, y, c, n)   = NCHW      weights (rx, ry, c, k) = KCRS
//   output  (x, y, k, n)   = NKHW
// or, with channels_last (a variant row's layout=nhwc), the same dimensions
// stored channels innermost: input NHWC, output NHWK. The algorithm is the
// same either way; only the buffers' strides differ.
// Both convolutions run on weights prepared by their own pipeline, in blocks
// of output channels (layout.h): packed W (ki, rx, ry, c, kb) for direct
// (W (ki, c, rx, ry, kb) with channels_last), transformed U (ki, c, u, v, kb) for Winograd.
// Output size: H' = H + 2·padding - 2, W' likewise; padding is 0 or 1.
#pragma once

#include "Halide.h"
#include "cook_toom.h"
#include "layout.h"
#include "stages.h"
#include "transform.h"

namespace wino {

constexpr int kTaps = 3;  // r: the filter size this project targets

namespace detail {

// Dimension i of a buffer: an Input/Output<Buffer>, an ImageParam, or a Func's output buffer.
template <typename B>
auto dim(B &buffer, int i) {
    return buffer.dim(i);
}
inline Halide::Internal::Dimension dim(Halide::Func &f, int i) { return f.output_buffer().dim(i); }

// Every buffer starts at 0: lets the schedules fold x % m and x / m to constants.
template <typename B>
void pin_mins_to_zero(B &buffer) {
    for (int i = 0; i < buffer.dimensions(); i++) dim(buffer, i).set_min(0);
}

// A 4-D (x, y, channel, image) buffer stored channels innermost (NHWC):
// the channel dimension has stride 1 and x loses Halide's default unit
// stride. Otherwise (NCHW) Halide's default stands: x has stride 1.
template <typename B>
void constrain_layout(B &buffer, bool channels_last) {
    if (!channels_last) return;
    dim(buffer, 0).set_stride(Halide::Expr());
    dim(buffer, 2).set_stride(1);
}

// The input seen through the padding: in(x, y, c, n) = input(x - p, y - p, c, n), 0 outside.
// planes_only: bounded in x and y only, so the loads of a vector of channels
// carry no per-lane test; a schedule then reads only channels and images
// that exist.
template <typename B>
Halide::Func padded_input(const B &input, const Halide::Expr &padding, bool planes_only = false) {
    using namespace Halide;
    Var x("x"), y("y"), c("c"), n("n");
    const Region planes{Range(0, input.dim(0).extent()), Range(0, input.dim(1).extent())};
    Func zero_ext = planes_only ? BoundaryConditions::constant_exterior(input, 0.0f, planes)
                                : BoundaryConditions::constant_exterior(input, 0.0f);
    Func in("in");
    in(x, y, c, n) = zero_ext(x - padding, y - padding, c, n);
    return in;
}

// The padded input bounded in x and y only, its channel index promised to lie
// in [0, C): for a schedule that reads only channels that exist (a channel
// tail's last vector shifted to end at channel C - 1), so that bounds
// inference asks for no channel past C and a vector of channels stays one
// dense load (through the boundary condition's clamped index it is a gather
// that LLVM spells lane by lane). Inlined where it is read.
template <typename B>
Halide::Func unclamped_channels_input(const B &input, const Halide::Expr &padding) {
    using namespace Halide;
    Var x("x"), y("y"), c("c"), n("n");
    const Expr C = input.dim(2).extent();
    const Region planes{Range(0, input.dim(0).extent()), Range(0, input.dim(1).extent())};
    Func planes_ext = BoundaryConditions::constant_exterior(input, 0.0f, planes);
    Func in("in_unclamped");
    in(x, y, c, n) = planes_ext(x - padding, y - padding, unsafe_promise_clamped(c, 0, C - 1), n);
    return in;
}

// The same padded input, made by zero-filling it and copying the input in
// (an update over the input's extent): every vector of the copy is a dense
// load. Through the boundary condition, the vectors that straddle the left
// and right edges clamp each lane's index and load it by a gather; on small
// planes (32x32, C = 16) that padding took a quarter of a direct call. The
// update spans the whole image whatever region is asked for, so a schedule
// computes it per image, never per band.
template <typename B>
Halide::Func padded_input_by_copy(const B &input, const Halide::Expr &padding) {
    using namespace Halide;
    Var x("x"), y("y"), c("c"), n("n");
    RDom r(0, input.dim(0).extent(), 0, input.dim(1).extent(), "r_pad");
    Func in("in");
    in(x, y, c, n) = 0.0f;
    in(r.x + padding, r.y + padding, c, n) = input(r.x, r.y, c, n);
    return in;
}

// Weights zero-extended in k only, so schedules may compute whole blocks of k.
template <typename B>
Halide::Func weights_zero_beyond_k(const B &w, const std::string &name) {
    using namespace Halide;
    Region bounds{Range(), Range(), Range(), Range(0, w.dim(3).extent())};
    Func ext = BoundaryConditions::constant_exterior(w, 0.0f, bounds);
    Var rx("rx"), ry("ry"), c("c"), k("k");
    Func f(name);
    f(rx, ry, c, k) = ext(rx, ry, c, k);
    return f;
}

}  // namespace detail

// Direct 3x3 convolution on packed weights W. `output` is the pipeline's
// output (an Output<Buffer> or a Func); `threads` only sizes parallel tasks.
// `pad_image`: the padded input made by a copy (padded_input_by_copy), for
// schedules that pad whole images (pad=image). `skip_padded_rows`
// (taps=rows): an output in the first or last row sums only the rows of taps
// that fall inside the input, as oneDNN's direct kernels skip padded taps;
// the skipped row reads the zero padding, so the result is the same, with
// 2·padding / 3H' fewer multiply-adds (9.5% at 7x7, 4.8% at 14x14). Halide
// bounds the row taps' loop by the predicate where a block's pixels share a
// row; elsewhere it tests it per row. (The columns' taps too, tested per
// pixel inside the channel loop, ran faster or slower from one process to
// the next, up to 1.5x slower at C = 3: bench/results/zen5-2core/session21.)
// `channel_blocks` (pad=blocks, channels_last only): the reduction reads the
// padded input through in_blocked, blocks of kInputChannelBlock channels.
template <typename In, typename Wt, typename Out>
DirectStages direct_algorithm(In &input, Wt &W, const Halide::Expr &padding, const Halide::Expr &threads, Out &output,
                              bool pad_image = false, bool channels_last = false, bool skip_padded_rows = false,
                              bool channel_blocks = false) {
    using namespace Halide;
    DirectStages s;
    s.threads = threads;
    s.in = pad_image ? detail::padded_input_by_copy(input, padding) : detail::padded_input(input, padding);
    s.r = RDom(0, kTaps, 0, kTaps, 0, input.dim(2).extent(), "r");
    const RVar rx = s.r.x, ry = s.r.y, rc = s.r.z;
    if (skip_padded_rows) {
        const Expr iy = s.y + ry - padding;  // the input row a tap reads
        s.r.where(iy >= 0 && iy < input.dim(1).extent());
    }
    // kb clamped to the packed blocks: a register block of channels that does
    // not divide kWeightKBlock (3 vectors: 48) reaches past the packing for
    // its last block's lanes beyond K, which are computed and never stored.
    const Expr ki = s.k % kWeightKBlock, kb = min(s.k / kWeightKBlock, W.dim(4).extent() - 1);
    s.conv = Func("conv");
    s.conv(s.x, s.y, s.k, s.n) = 0.0f;
    // W in the order the layout's micro-kernel reads it (layout.h).
    const Expr w = channels_last ? W(ki, rc, rx, ry, kb) : W(ki, rx, ry, rc, kb);
    if (channel_blocks) {
        // The same padded input, in blocks of kInputChannelBlock channels
        // (layout.h). Block co starts at channel first(co): co·16, but with
        // C >= 16 a channel tail's last block ends at channel C - 1 (it
        // repeats some of the block before), so that each block is one dense
        // vector load of channels that exist. A block reaching past C went
        // through the boundary condition's clamped channel index, a gather
        // that LLVM spells lane by lane: 1x24->40 at 19x23, 1 thread, 12% of
        // the call in the band copy (Intel Xeon, perf). With C < 16 the one
        // block still reads through the boundary condition (zeros past C).
        const Expr C = input.dim(2).extent(), B = kInputChannelBlock;
        const auto first = [&](const Expr &block) { return max(min(block * B, C - B), 0); };
        Func unclamped = detail::unclamped_channels_input(input, padding);
        Var ci("ci"), co("co");
        s.in_blocked = Func("in_blocked");
        // With C >= 16, first(co) + ci lies in [0, C): the load stays a ramp.
        s.in_blocked(ci, s.x, s.y, co, s.n) =
            select(C >= B, unclamped(s.x, s.y, first(co) + ci, s.n), s.in(s.x, s.y, co * B + ci, s.n));
        // Channel rc's lane in its block: rc % 16, or in a tail's last block
        // rc - (C - 16); in [0, 16) either way.
        const Expr block = rc / B, lane = unsafe_promise_clamped(rc - first(block), 0, B - 1);
        s.conv(s.x, s.y, s.k, s.n) += w * s.in_blocked(lane, s.x + rx, s.y + ry, block, s.n);
    } else {
        s.conv(s.x, s.y, s.k, s.n) += w * s.in(s.x + rx, s.y + ry, rc, s.n);
    }
    output(s.x, s.y, s.k, s.n) = s.conv(s.x, s.y, s.k, s.n);
    s.output = output;

    detail::pin_mins_to_zero(input);
    detail::pin_mins_to_zero(W);
    detail::pin_mins_to_zero(output);
    detail::constrain_layout(input, channels_last);
    detail::constrain_layout(output, channels_last);
    W.dim(0).set_extent(kWeightKBlock);
    W.dim(channels_last ? 2 : 1).set_extent(kTaps);
    W.dim(channels_last ? 3 : 2).set_extent(kTaps);
    // Dense, as prepare_weights makes it: a schedule may read whole vectors of a block.
    W.dim(1).set_stride(kWeightKBlock);
    for (int i = 2; i < 5; i++) W.dim(i).set_stride(W.dim(i - 1).stride() * W.dim(i - 1).extent());
    return s;
}

// Winograd F(m x m, 3 x 3) on transformed weights U. `pad_inline`: the
// padded input is bounded in x and y only (pad=inline: the fused schedule's
// input transform reads it without a copy, guarding the channel tail).
// `shifted_tail` (the CPU fused schedule, which computes no channel past C
// when fills_channel_vector): with that many channels the padded input reads
// channels unclamped, so that its vectors of channels are dense loads.
template <typename In, typename Wt, typename Out>
WinogradStages winograd_algorithm(int m, In &input, Wt &U, const Halide::Expr &padding, const Halide::Expr &threads,
                                  Out &output, bool channels_last = false, bool pad_inline = false,
                                  bool shifted_tail = false) {
    using namespace Halide;
    const WinogradMatrices w = cook_toom(m, kTaps);
    WinogradStages s;
    s.m = w.m;
    s.alpha = w.alpha;
    s.threads = threads;
    Var i("i"), j("j");
    s.in = detail::padded_input(input, padding, /*planes_only=*/pad_inline);
    if (shifted_tail && !pad_inline) {
        Func unclamped = detail::unclamped_channels_input(input, padding);
        Func rounded = s.in;  // channels past C read as zeros
        Var x("x"), y("y"), c("c"), n("n");
        s.in = Func("in_shifted");
        s.in(x, y, c, n) =
            select(fills_channel_vector(input.dim(2).extent()), unclamped(x, y, c, n), rounded(x, y, c, n));
    }

    // Tile t = (tx, ty) reads the alpha x alpha window at (tx·m, ty·m); windows overlap by r - 1.
    s.d = Func("d");
    s.d(i, j, s.tx, s.ty, s.c, s.n) = s.in(s.tx * s.m + i, s.ty * s.m + j, s.c, s.n);

    s.V = kron(w.B_T, s.d, s.u, s.v, {s.tx, s.ty, s.c, s.n}, "V");

    // Per transform point (u, v), a matrix multiply over channels: M = U · V.
    s.rc = RDom(0, input.dim(2).extent(), "rc");
    s.M = Func("M");
    s.M(s.u, s.v, s.k, s.tx, s.ty, s.n) = 0.0f;
    // kb clamped as in direct_algorithm: a register block of 48 channels
    // reaches past the packed blocks for its last lanes beyond K.
    const Expr kb = min(s.k / kWeightKBlock, U.dim(4).extent() - 1);
    s.M(s.u, s.v, s.k, s.tx, s.ty, s.n) += U(s.k % kWeightKBlock, s.rc, s.u, s.v, kb) * s.V.out(s.u, s.v, s.tx, s.ty, s.rc, s.n);

    s.Y = kron(w.A_T, s.M, s.u, s.v, {s.k, s.tx, s.ty, s.n}, "Y");

    output(s.x, s.y, s.k, s.n) = s.Y.out(s.x % s.m, s.y % s.m, s.k, s.x / s.m, s.y / s.m, s.n);
    s.output = output;

    detail::pin_mins_to_zero(input);
    detail::pin_mins_to_zero(U);
    detail::pin_mins_to_zero(output);
    detail::constrain_layout(input, channels_last);
    detail::constrain_layout(output, channels_last);
    U.dim(0).set_extent(kWeightKBlock);
    U.dim(2).set_extent(s.alpha);
    U.dim(3).set_extent(s.alpha);
    // Dense, as prepare_weights makes it: a schedule may read whole vectors of a block.
    U.dim(1).set_stride(kWeightKBlock);
    for (int i = 2; i < 5; i++) U.dim(i).set_stride(U.dim(i - 1).stride() * U.dim(i - 1).extent());
    return s;
}

// Direct convolution's weight packing: KCRS into output-channel blocks, zero
// beyond K: W(ki, rx, ry, c, kb), or for channels_last variants W(ki, c, rx, ry, kb) (layout.h).
template <typename Wt, typename Out>
PackStages pack_algorithm(Wt &weights, Out &W, bool channels_last) {
    PackStages s;
    s.channels_last = channels_last;
    Halide::Func g = detail::weights_zero_beyond_k(weights, "g");
    const Halide::Expr value = g(s.rx, s.ry, s.c, s.kb * kWeightKBlock + s.ki);
    if (channels_last) W(s.ki, s.c, s.rx, s.ry, s.kb) = value;
    else W(s.ki, s.rx, s.ry, s.c, s.kb) = value;
    s.output = W;
    detail::pin_mins_to_zero(weights);
    detail::pin_mins_to_zero(W);
    weights.dim(0).set_extent(kTaps);
    weights.dim(1).set_extent(kTaps);
    detail::dim(W, 0).set_extent(kWeightKBlock);
    return s;
}

// The Winograd filter transform U = G g Gᵀ into output-channel blocks U(ki, c, u, v, kb).
template <typename Wt, typename Out>
FilterStages filter_algorithm(int m, Wt &weights, Out &U) {
    const WinogradMatrices w = cook_toom(m, kTaps);
    FilterStages s;
    s.m = w.m;
    s.alpha = w.alpha;
    s.g = detail::weights_zero_beyond_k(weights, "g");
    s.U = kron(w.G, s.g, s.u, s.v, {s.c, s.k}, "U_uvck");
    U(s.ki, s.c, s.u, s.v, s.kb) = s.U.out(s.u, s.v, s.c, s.kb * kWeightKBlock + s.ki);
    s.output = U;
    detail::pin_mins_to_zero(weights);
    detail::pin_mins_to_zero(U);
    weights.dim(0).set_extent(kTaps);
    weights.dim(1).set_extent(kTaps);
    detail::dim(U, 0).set_extent(kWeightKBlock);
    detail::dim(U, 2).set_extent(s.alpha);
    detail::dim(U, 3).set_extent(s.alpha);
    return s;
}

}  // namespace wino
