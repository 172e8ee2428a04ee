// How the runtime drives Halide: per-call thread counts, errors, memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>

namespace wino::detail {

// The threads a call with RunOptions::threads = `requested` runs on (0: one per core).
int resolve_threads(int requested);

// The runtime that runs the parallel loops of this process: oneTBB, or OpenMP
// where the build found it; WINO_POOL=tbb|openmp picks, read on the first loop.
enum class PoolKind { Tbb, OpenMP };
PoolKind pool_kind();
const char *pool_kind_name(PoolKind kind);

// The hooks as plain functions, for pipelines this runtime does not link
// (the tuner's JIT pipelines): the same pool, allocator and error capture,
// so a JIT-compiled schedule runs as its AOT twin would.
struct RuntimeHooks {
    int (*do_par_for)(void *, int (*)(void *, int, unsigned char *), int, int, unsigned char *);
    void *(*malloc)(void *, size_t);
    void (*free)(void *, void *);
    void (*error)(void *, const char *);
};
const RuntimeHooks &runtime_hooks();

// Installs (once) the thread pool, the error handler and the allocator into the Halide runtime.
void install_halide_hooks();

// What one API call collects from the Halide runtime, from every thread that
// works for it (the caller and the pool's workers).
struct CallContext {
    int threads = 1;                  // threads this call may use
    size_t memory_limit = 0;          // bytes of temporaries allowed at once; 0: no limit
    std::atomic<size_t> live{0};      // bytes of Halide temporaries now allocated
    std::atomic<size_t> peak{0};      // the most allocated at once
    std::atomic<bool> over_limit{false};
    std::atomic<long long> widest{0}; // most independent tasks a parallel loop nest offered
    std::atomic<long long> fork_joins{0};  // parallel loops handed to the pool's threads (each a fork and a join)
    std::mutex mutex;
    std::string message;              // Halide's error messages (under mutex)
    void *cuda_stream = nullptr;      // the CUstream its kernels go on; null: the default stream
};

// While alive, Halide pipelines called on this thread use at most `threads`
// threads (0: one per core), and report into context().
class CallScope {
public:
    explicit CallScope(int threads, size_t memory_limit = 0);
    ~CallScope();
    CallScope(const CallScope &) = delete;
    CallScope &operator=(const CallScope &) = delete;
    CallContext &context() { return context_; }
    // The message(s) the Halide runtime reported during this call.
    std::string halide_message();

private:
    CallContext context_;
    CallContext *saved_;
};

}  // namespace wino::detail
