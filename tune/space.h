// The schedule space wino_tune searches: its seeds and, for a point, the
// values each of its parameters can take.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "jit.h"

namespace wino::tune {

// Where a search starts: each algorithm's default schedule (Winograd fused
// for m = 2, 4, 6; direct with either vector dimension) and every
// hand-written fused or direct variant compiled into this build, for tensors
// in `layout` ("nchw"; "nhwc": the fused schedule only, with layout=nhwc).
std::vector<Candidate> seeds(const std::string &layout = "nchw");

// What `c` runs on a target with `target`'s registers and vectors
// (a Halide target string): its parameters resolved (the register block the
// defaults give, the band budget, whether rows are stored at all), so two
// spellings of one schedule ("store=channels" and none; "block=4x3" and the
// default on AVX-512) compare equal. Throws std::invalid_argument for
// parameters the schedule rejects.
std::string canonical_key(const Candidate &c, const std::string &target);

// The hand-written fused and direct CPU variants compiled into this build
// (not tuned, not autoscheduled), by canonical key: a winner among them needs
// no new row.
std::map<std::string, std::string> hand_variants();

// The parameters of `c`'s schedule and the values each may take ("" = the
// target's default), m included for Winograd; the register blocks include
// those that fit `shape`'s grid of tiles or pixels on `target` (a Halide
// target string), besides a fixed list.
std::vector<std::pair<std::string, std::vector<std::string>>> dimensions(const Candidate &c, const ConvShape &shape,
                                                                         const std::string &target);

// The register blocks that cut `shape`'s grid (Winograd: c.m's tiles; direct,
// channel vectors: output pixels) with little waste, sized for c's channel
// vectors on `target` (grid_blocks in schedules/blocking.h), best fit first.
std::vector<std::string> layer_blocks(const Candidate &c, const ConvShape &shape, const std::string &target);

// `c` with tile size m (Winograd).
Candidate with_m(const Candidate &c, int m);

}  // namespace wino::tune
