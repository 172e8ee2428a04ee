// How the runtime drives Halide: per-call thread counts, errors, memory.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "wino/wino.h"

namespace wino::detail {

// The threads a call with RunOptions::threads = `requested` runs on (0: one per core).
int resolve_threads(int requested);

// The runtime that runs the parallel loops of this process: oneTBB, or OpenMP
// where the build found it; WINO_POOL=tbb|openmp picks, read on the first loop.
enum class PoolKind { Tbb, OpenMP };
PoolKind pool_kind();
const char *pool_kind_name(PoolKind kind);
// WINO_HOLD_US: how long oneTBB's threads wait for a top-level loop's last
// task (0: not at all, the default). Read once per process.
int pool_hold_microseconds();
// WINO_AFFINITY: which top-level loops replay their last task-to-thread
// mapping (0: none, 1: those of more tasks than threads, 2: all, the
// default). Read once per process.
int pool_affinity_level();
// WINO_NESTED: whether a nested loop runs in order on its enclosing task's
// thread when the enclosing loops already give every thread the same number
// of tasks (1, the default), or is split among the threads (0). Read once
// per process.
int pool_nested_level();

// What one parallel loop costs at `threads` threads beyond its work, in
// microseconds: a loop of one short busy task per thread (5 us) through the
// pool, as a pipeline's loop hands out its tasks and waits for the last,
// back to back as calls of a layer come; its time less the task's (the
// median of 31, after 100 that wake the workers; measured once per thread
// count and process, 1-2 ms). 0 at one thread: no loop then reaches the
// pool. More threads than cores wait for a core: their loop takes several
// tasks' time, which counts here too.
double fork_join_microseconds(int threads);

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

// What one thread of a traced call ran: the loops it started (LoopSpan::thread
// is its own index) and its tasks, each naming its loop by the starter's
// index and that thread's list.
struct ThreadTrace {
    struct Task {
        int loop_thread, loop, iteration;
        double start_us, end_us, work_us;
    };
    int worker = 0;  // the thread's number in the process (RunStats::thread_workers)
    std::vector<LoopSpan> loops;
    std::vector<Task> tasks;
};

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
    std::atomic<long long> nested_fork_joins{0};  // of them, those started inside another loop's task
    std::mutex mutex;
    std::string message;              // Halide's error messages (under mutex)
    void *cuda_stream = nullptr;      // the CUstream its kernels go on; null: the default stream
    // RunOptions::trace_tasks: each thread records its loops and tasks in a
    // ThreadTrace of its own, without locks (a lock per task cost a two-thread
    // call of 600 tiny tasks 0.3 ms); trace_mutex guards only the list of them.
    bool trace = false;
    unsigned long long trace_id = 0;              // unique per traced call
    std::chrono::steady_clock::time_point start;  // when the call began (its CallScope was made)
    std::mutex trace_mutex;
    std::vector<std::unique_ptr<ThreadTrace>> thread_traces;  // index: TaskSpan::thread; 0 is the caller
};

// The loops and tasks of a traced call, in the order they began (every task has returned).
void collect_trace(CallContext &call, RunStats &stats);

// While alive, Halide pipelines called on this thread use at most `threads`
// threads (0: one per core), and report into context().
class CallScope {
public:
    explicit CallScope(int threads, size_t memory_limit = 0, bool trace = false);
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
