// How the runtime drives Halide: per-call thread counts and error capture.
#pragma once

#include <string>

namespace wino::detail {

// Installs (once) the thread pool and the error handler into the Halide runtime.
void install_halide_hooks();

// While alive, Halide pipelines called on this thread use at most `threads`
// threads (0: one per core), and Halide's error messages are collected.
class CallScope {
public:
    explicit CallScope(int threads);
    ~CallScope();
    // The message(s) the Halide runtime reported during this call.
    std::string halide_message() const;

private:
    int saved_threads_;
};

}  // namespace wino::detail
