// Facts about tensor layouts shared by the generators and the runtime API.
// Plain C++: no Halide dependency.
#pragma once

#include <cstdint>
#include <vector>

namespace wino {

// Prepared weights (packed for direct, transformed for Winograd) are stored in blocks of this many output
// channels: U(ki, c, u, v, kb) holds output channel k = kb·kWeightKBlock + ki
// (ki innermost; C-order shape (K/kWeightKBlock, alpha, alpha, C, kWeightKBlock)).
// K is rounded up to a whole block, zero-filled. Blocking keeps the slice a
// channel block reads for one transform point (C x kWeightKBlock floats) one
// contiguous stream, and the block outermost keeps all alpha² of its slices
// one stream too: the fused schedules run a channel block's points in turn
// (but parallel=points, which runs a point's blocks in turn: winograd.cpp).
// (Points outermost, each of a block's 36 slices began a stream 1 MiB from the
// last at C = K = 512: 1x512x7² F(4,3), 1 thread, U from DRAM, Zen 5: the
// multiply took 2.0 ms; in this order 1.3.)
// The zero fill lets a schedule compute whole register blocks. Every
// output-channel block a schedule uses must divide it.
//   direct:   W(ki, rx, ry, c, kb), C-order shape (K/kWeightKBlock, C, 3, 3, kWeightKBlock);
//             for layout=nhwc variants W(ki, c, rx, ry, kb), C-order (K/kWeightKBlock, 3, 3, C, kWeightKBlock).
// Each in the order its micro-kernel reads it: NCHW direct runs the taps
// inside each input channel, NHWC direct the input channels inside each tap
// (or inside each row of taps, the column taps unrolled inside them: three
// streams C·32 floats apart, level with a packing for that order), and read
// the NCHW packing 9·32 floats apart per channel (JIT, Intel Xeon, 1 thread:
// 2-13% slower; bench/results/xeon-2core/session35).
constexpr int kWeightKBlock = 32;

// NHWC direct with pad=blocks copies each band of padded input in blocks of
// this many channels, in_blocked(ci, x, y, co, n) (a 64-byte cache line of
// floats, as oneDNN's nChw16c): pixels of one block are 16 floats apart, a
// compile-time stride, so the micro-kernel's broadcasts of a row of pixels
// sit at constant offsets from one pointer. From a plain NHWC band (pixels C
// floats apart, a run-time stride) LLVM needs an address register per pixel,
// ran out on the 8x1 block and computed four of ten addresses in vector
// registers, on the FMA ports, per channel (bench/results/xeon-2core/
// session36). With C >= 16 a channel tail's last block holds the last 16
// channels (one dense load; algorithms.h), with fewer the channels past C are
// zero.
constexpr int kInputChannelBlock = 16;

// The widest CPU vector of floats (AVX-512). A layer with at least this many
// input channels fills one, so a channel tail's last vector can end at
// channel C - 1 instead of reaching past C (fills_channel_vector in
// stages.h): the fused schedule's padded copy (pad=bands) then loads it
// densely.
constexpr int kWidestChannelVector = 16;

inline long long padded_k(long long K) { return (K + kWeightKBlock - 1) / kWeightKBlock * kWeightKBlock; }

// C-order shape of the weights prepared for tile size m (0: direct) from K x C
// filters, for variants of the given layout (channels_last: nhwc).
inline std::vector<int64_t> prepared_shape(int m, int64_t K, int64_t C, bool channels_last) {
    const int64_t blocks = padded_k(K) / kWeightKBlock, alpha = m + 2;
    if (m == 0) return channels_last ? std::vector<int64_t>{blocks, 3, 3, C, kWeightKBlock}
                                     : std::vector<int64_t>{blocks, C, 3, 3, kWeightKBlock};
    return {blocks, alpha, alpha, C, kWeightKBlock};
}

// A convolution's input or output (N, C, H, W) as Halide indexes it, (x, y,
// c, n) innermost first, stored dense in NCHW order or, channels_last, in NHWC
// order (channels innermost): each dimension's extent and stride, in elements.
struct TensorDims {
    int64_t extent[4], stride[4];
};
inline TensorDims conv_tensor_dims(int64_t N, int64_t C, int64_t H, int64_t W, bool channels_last) {
    if (channels_last) return {{W, H, C, N}, {C, W * C, 1, H * W * C}};
    return {{W, H, C, N}, {1, W, W * H, W * H * C}};
}

}  // namespace wino
