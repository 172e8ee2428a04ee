// Facts about tensor layouts shared by the generators and the runtime API.
// Plain C++: no Halide dependency.
#pragma once

namespace wino {

// Pre-transformed Winograd weights U(k, c, u, v) (k innermost) store K rounded
// up to a multiple of this, zero-filled, so that a schedule may compute whole
// register blocks of output channels without reading past the buffer. Every
// output-channel block a schedule uses must divide it.
constexpr int kWeightKAlign = 32;

inline int padded_k(int K) { return (K + kWeightKAlign - 1) / kWeightKAlign * kWeightKAlign; }

}  // namespace wino
