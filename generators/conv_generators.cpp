// The AOT generators: thin wrappers binding the algorithms (algorithms.h) to
// Input/Output buffers, their estimates (for the autoschedulers) and the
// schedule a variant-table row names (schedules/). No scheduling directive
// lives in this file.

#include "Halide.h"
#include "algorithms.h"
#include "schedules.h"

namespace {

using namespace Halide;
using wino::kTaps;

template <typename In, typename Out, typename P, typename T>
void estimate_conv_shapes(In &input, Out &output, P &padding, T &threads) {
    // A mid-sized layer; autoschedulers size their splits from these.
    input.set_estimates({{0, 56}, {0, 56}, {0, 64}, {0, 1}});
    output.set_estimates({{0, 56}, {0, 56}, {0, 64}, {0, 1}});
    padding.set_estimate(1);
    threads.set_estimate(1);
}

// The packed weights of the mid-sized layer above, in the layout's order (layout.h).
Region packed_estimates(bool channels_last) {
    const Range taps{0, kTaps}, channels{0, 64};
    if (channels_last) return {{0, wino::kWeightKBlock}, channels, taps, taps, {0, 2}};
    return {{0, wino::kWeightKBlock}, taps, taps, channels, {0, 2}};
}

// The schedule parameters every conv generator takes (schedules/schedules.h),
// set per row of the variant table. A member of the generator: Halide finds
// GeneratorParams anywhere inside the generator object.
struct ScheduleParamsMember {
    GeneratorParam<std::string> block{"block", ""};        // register block columns, "XxY"
    GeneratorParam<int> k_vectors{"k_vectors", 0};         // channel vectors per register block
    GeneratorParam<int> band_kb{"band_kb", 0};             // fused: transformed input per band, KiB
    GeneratorParam<std::string> parallel{"parallel", ""};  // what runs in parallel
    GeneratorParam<std::string> vectorize{"vectorize", ""};  // direct: the vectorized dimension
    GeneratorParam<std::string> store{"store", ""};          // fused, direct: how the output is stored
    GeneratorParam<int> c_slice{"c_slice", 0};             // GPU multiply: input channels per step
    GeneratorParam<std::string> load{"load", ""};            // GPU staged: how the input transform reads
    GeneratorParam<std::string> pad{"pad", ""};              // direct, fused: how the input is padded
    GeneratorParam<std::string> layout{"layout", ""};        // the input's and output's layout: nchw or nhwc
    GeneratorParam<std::string> taps{"taps", ""};            // direct: all taps, or skip the padded rows of taps
    GeneratorParam<int> c_block{"c_block", 0};             // fused: input channels per sweep of the tile blocks
    wino::ScheduleParams get() const {
        return {block, k_vectors, band_kb, parallel, vectorize, store, c_slice, load, pad, layout, taps, c_block};
    }
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
        wino::DirectStages s = wino::direct_algorithm(input, W, padding, threads, output,
                                                      wino::pads_image(schedule_params.get()),
                                                      wino::channels_last(schedule_params.get()),
                                                      wino::skips_padded_rows(schedule_params.get()),
                                                      wino::pads_channel_blocks(schedule_params.get()));
        estimate_conv_shapes(input, output, padding, threads);
        W.set_estimates(packed_estimates(wino::channels_last(schedule_params.get())));
        // GPU variants may read W as float4 (as U below).
        if (get_target().has_gpu_feature()) W.set_host_alignment(16);

        if (!get_auto_schedule()) wino::schedule_direct(schedule, schedule_params.get(), s, get_target());
    }
};

class DirectPack : public Generator<DirectPack> {
public:
    // The layout of the variants it packs for: their micro-kernels read the
    // weights in different orders (layout.h).
    GeneratorParam<std::string> layout{"layout", "nchw"};

    Input<Buffer<float, 4>> weights{"weights"};  // (rx, ry, c, k)
    Output<Buffer<float, 5>> W{"W"};             // (ki, rx, ry, c, kb) or (ki, c, rx, ry, kb): channel blocks (layout.h)

    void generate() {
        // channels_last names the problem of any other layout, as for the conv generators.
        wino::ScheduleParams p;
        p.layout = layout.value();
        const bool channels_last = wino::channels_last(p);
        wino::PackStages s = wino::pack_algorithm(weights, W, channels_last);
        weights.set_estimates({{0, 3}, {0, 3}, {0, 64}, {0, 64}});
        W.set_estimates(packed_estimates(channels_last));

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
        wino::WinogradStages s = wino::winograd_algorithm(m, input, U, padding, threads, output,
                                                              wino::channels_last(schedule_params.get()),
                                                              wino::pads_inline(schedule_params.get()),
                                                              /*shifted_tail=*/schedule.value() == "fused");
        estimate_conv_shapes(input, output, padding, threads);
        U.set_estimates({{0, wino::kWeightKBlock}, {0, 64}, {0, 2}, {0, s.alpha}, {0, s.alpha}});
        // GPU variants read U as float4: the device copy is cuMemAlloc'ed (256-byte aligned), its host
        // original malloc'ed (16).
        if (get_target().has_gpu_feature()) U.set_host_alignment(16);

        if (!get_auto_schedule()) wino::schedule_winograd(schedule, schedule_params.get(), s, get_target());
    }
};

class WinogradFilter : public Generator<WinogradFilter> {
public:
    GeneratorParam<int> m{"m", 4};

    Input<Buffer<float, 4>> weights{"weights"};  // (rx, ry, c, k)
    Output<Buffer<float, 5>> U{"U"};             // (ki, c, u, v, kb): channel blocks (layout.h)

    void generate() {
        wino::FilterStages s = wino::filter_algorithm(m, weights, U);
        weights.set_estimates({{0, 3}, {0, 3}, {0, 64}, {0, 64}});
        U.set_estimates({{0, wino::kWeightKBlock}, {0, 64}, {0, 2}, {0, s.alpha}, {0, s.alpha}});

        if (!get_auto_schedule()) wino::schedule_filter_transform(s, get_target());
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(ConvDirect, conv_direct)
HALIDE_REGISTER_GENERATOR(DirectPack, direct_pack)
HALIDE_REGISTER_GENERATOR(ConvWinograd, conv_winograd)
HALIDE_REGISTER_GENERATOR(WinogradFilter, winograd_filter)
