// Which of a library's sub-targets runs on this CPU (multi-target builds:
// WINO_HALIDE_TARGET=portable), and a way to hold the CPU to a lower level,
// so that every sub-target's code can be tested on one machine.
#pragma once

#include <string>

namespace wino::detail {

// Installs (once, with the other hooks) Halide's check of a sub-target's CPU
// features, limited to the level WINO_CPU_LEVEL names ("avx2": no AVX-512;
// "sse41": no AVX, AVX2, FMA or F16C; unset or "native": the CPU as it is).
// A multi-target library chooses its sub-target at its first call, so the
// level holds for the whole process.
void install_cpu_level();

// The CPU level in force ("native", "avx2" or "sse41").
std::string cpu_level();

// Whether this CPU, at its level, has every feature of a Halide target string
// ("avx512", "avx2-fma"): the check Halide's dispatch makes.
bool cpu_can_use(const std::string &features);

// Of a comma-separated list of Halide target strings, the first this CPU
// (at its level) can run: what Halide's dispatch chooses. The last when none
// passes (Halide's fallback).
std::string runnable_target(const std::string &targets);

}  // namespace wino::detail
