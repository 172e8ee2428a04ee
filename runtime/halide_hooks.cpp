// The Halide runtime's thread pool, error handler and allocator, replaced.
//
// Halide's own pool has one process-wide thread count and its default error
// handler prints and aborts. A library needs a thread count per call (callers on
// several threads may each ask for a different one) and errors it can throw. So
// parallel loops run on oneTBB, or on OpenMP where built in (WINO_POOL), with
// each call's own thread count (the calling thread works too), and everything a
// worker reports (errors, memory) goes to the CallContext of the call it works
// for.
#include "halide_hooks.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <thread>
#include <tuple>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#if WINO_HAVE_OPENMP
#include <omp.h>
#endif

#include "HalideRuntime.h"
#include "cpu_features.h"
#include "cuda_driver.h"
#if WINO_HAVE_CUDA
#include "HalideRuntimeCuda.h"
#endif

namespace wino::detail {

namespace {

thread_local CallContext *t_call = nullptr;  // the call this thread works for
thread_local long long t_width = 1;          // iterations of the parallel loops enclosing this task
thread_local int t_depth = 0;                // nesting depth of a loop this task would start
thread_local double t_nested_us = 0;         // traced: time this task spent in loops it started

// Read once: std::thread::hardware_concurrency() reads /sys on every call
// (glibc's get_nprocs), microseconds a parallel loop would pay.
int hardware_threads() {
    static const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    return threads;
}

// Sets this thread's call, loop width and depth for the duration of a task.
class TaskScope {
public:
    TaskScope(CallContext *call, long long width, int depth)
        : call_(t_call), width_(t_width), depth_(t_depth), nested_us_(t_nested_us) {
        t_call = call;
        t_width = width;
        t_depth = depth;
        t_nested_us = 0;
    }
    ~TaskScope() {
        t_call = call_;
        t_width = width_;
        t_depth = depth_;
        t_nested_us = nested_us_;
    }

private:
    CallContext *call_;
    long long width_;
    int depth_;
    double nested_us_;
};

// Tracing (RunOptions::trace_tasks): each thread appends to its own ThreadTrace.
double us_since(const CallContext &call, std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::micro>(t - call.start).count();
}

// This thread's number in the process, from 0 in the order threads first
// ran a traced call's code: the same thread keeps it from call to call.
int my_worker() {
    static std::atomic<int> threads_seen{0};
    thread_local const int worker = threads_seen.fetch_add(1, std::memory_order_relaxed);
    return worker;
}

// This thread's record of the call, and its index among the call's threads:
// looked up (under the lock) once per call and thread.
struct ThreadTraceRef {
    unsigned long long call = 0;  // CallContext::trace_id
    ThreadTrace *trace = nullptr;
    int index = 0;
};
thread_local ThreadTraceRef t_trace;

ThreadTraceRef &my_trace(CallContext &call) {
    if (t_trace.call == call.trace_id) return t_trace;
    std::lock_guard<std::mutex> lock(call.trace_mutex);
    const int me = my_worker();
    size_t i = 0;
    while (i < call.thread_traces.size() && call.thread_traces[i]->worker != me) i++;
    if (i == call.thread_traces.size()) {
        call.thread_traces.push_back(std::make_unique<ThreadTrace>());
        call.thread_traces.back()->worker = me;
    }
    t_trace = {call.trace_id, call.thread_traces[i].get(), int(i)};
    return t_trace;
}

// One parallel loop of a traced call, from its start to its return; its
// length counts as nested time of the task that started it (t_nested_us).
class LoopTrace {
public:
    LoopTrace(CallContext *call, int size, bool pooled)
        : call_(call && call->trace ? call : nullptr), depth_(t_depth) {
        if (!call_) return;
        start_ = std::chrono::steady_clock::now();
        ThreadTraceRef &me = my_trace(*call_);
        thread_ = me.index;
        index_ = int(me.trace->loops.size());
        me.trace->loops.push_back({thread_, depth_, size, pooled, us_since(*call_, start_), 0});
    }
    ~LoopTrace() {
        if (!call_) return;
        const auto end = std::chrono::steady_clock::now();
        t_nested_us += std::chrono::duration<double, std::micro>(end - start_).count();
        my_trace(*call_).trace->loops[size_t(index_)].end_us = us_since(*call_, end);
    }
    LoopTrace(const LoopTrace &) = delete;
    LoopTrace &operator=(const LoopTrace &) = delete;

    // Runs iteration i of the loop as a task of the call, on whichever thread
    // calls this: in a TaskScope one level deeper than the loop, and traced.
    int run(halide_task_t task, void *uc, int i, uint8_t *closure, CallContext *call, long long width) const {
        TaskScope scope(call, width, depth_ + 1);
        if (!call_) return task(uc, i, closure);
        const auto start = std::chrono::steady_clock::now();
        const int result = task(uc, i, closure);
        const auto end = std::chrono::steady_clock::now();
        const double us = std::chrono::duration<double, std::micro>(end - start).count();
        my_trace(*call_).trace->tasks.push_back(
            {thread_, index_, i, us_since(*call_, start), us_since(*call_, end), us - t_nested_us});
        return result;
    }

private:
    CallContext *call_;  // null: not traced
    int depth_;          // the loop's: t_depth of the thread that started it
    int thread_ = 0;     // the starter's index, and the loop's index in its ThreadTrace
    int index_ = 0;
    std::chrono::steady_clock::time_point start_;
};

// A parallel loop nest offers (enclosing iterations) x (its own) independent tasks.
long long record_width(int size) {
    const long long width = t_width * std::max(size, 1);
    if (t_call) {
        long long seen = t_call->widest.load(std::memory_order_relaxed);
        while (width > seen && !t_call->widest.compare_exchange_weak(seen, width)) {
        }
    }
    return width;
}

// An integer setting from the environment, read by the caller once per
// process: `fallback` when unset, or when not an integer in [lo, hi] (then
// with a line on stderr that names the accepted values).
int env_int(const char *name, int fallback, int lo, int hi, const char *what) {
    const char *env = std::getenv(name);
    if (!env || !*env) return fallback;
    char *end = nullptr;
    errno = 0;
    const long v = std::strtol(env, &end, 10);
    if (*end || errno || v < lo || v > hi) {
        std::fprintf(stderr, "wino: %s='%s' is not %s (%d-%d); using %d\n", name, env, what, lo, hi, fallback);
        return fallback;
    }
    return int(v);
}

int env_microseconds(const char *name, int fallback) {
    return env_int(name, fallback, 0, 1000000, "a number of microseconds");
}

// Between calls oneTBB's workers spin for ~0.1-0.2 ms, then sleep; waking
// them costs the next call tens of microseconds (Zen 5 VM: +34 us on a 10 us
// two-thread loop after 1 ms idle), and a worker that wakes late leaves the
// caller most of the tasks (1x64x56² F(4,3), 2 threads, 1 ms idle between
// calls: 0.54 ms against 0.39 back to back). OpenMP's workers, oneDNN's,
// spin for milliseconds and pay nothing. So while a caller pauses between
// its loops (Pool::kPausing), after each loop the arena's workers are kept
// awake for WINO_SPIN_US microseconds (default 2000; 0: off): one task per
// worker slot spins until the next loop starts or the time is up, and the
// worker, still in the arena, takes the new loop's tasks at once. Any
// caller's loop ends the spinning, not only this arena's: TBB's workers are
// shared by every arena, and a worker held here would leave another
// thread's call without it.
int spin_microseconds() {
    static const int us = env_microseconds("WINO_SPIN_US", 2000);
    return us;
}

// How long a thread that finished its task of a top-level loop of at most
// one task per thread waits for the loop's other tasks (WINO_HOLD_US, default
// 0: not at all), instead of going back to oneTBB. Back to back, a worker that
// returns early idles until the next call's loop, falls asleep and is woken
// late: 16-core Xeon, 1x512x7², 16 groups, the last worker started 57-64 us
// into a 0.25 ms call (bench/results/h200-34). A held worker returns with the
// loop's last task. It stops waiting as soon as a task starts a nested
// parallel loop (that loop needs thieves), or a task of its loop has not
// started yet (it may steal it). Off by default: on a 16-core Sapphire Rapids
// host it cut that row's lag from 38 to 7 us and its time by 17%, made
// another 7x7 row 24% slower, and left 48 cells level in geometric mean
// (bench/results/h200-35).
int hold_microseconds() {
    static const int us = env_microseconds("WINO_HOLD_US", 0);
    return us;
}

// Whether a top-level loop hands each thread the tasks it ran the last time
// the same loop (same pipeline, same range) ran in this arena (oneTBB's
// affinity_partitioner), instead of whatever stealing gives it: a thread then
// finds its tasks' data (a band's weights, a block of channels' transformed
// filter) still in its own cache, as OpenMP's static schedules give oneDNN's
// threads. WINO_AFFINITY=0 off, 1 for loops of more tasks than threads, 2
// (default) for every top-level loop: the static partitioner of a loop of at
// most one task per thread maps tasks to arena slots, but a worker need not
// take the same slot each time. 16-core Xeon host, 7 layers x 6 rows at 16
// threads, against oneDNN's drift between the processes: N = 1 layers 8%
// faster with 2, 3% with 1; N = 8 level with 2, 8% slower with 1
// (bench/results/h200-54). 2-core Zen 5: level (zen5-2core/session43).
int affinity_level() {
    static const int level = env_int("WINO_AFFINITY", 2, 0, 2, "an affinity level");
    return level;
}

// Whether a loop nested in tasks whose enclosing loops already give each of
// the call's threads the same number of tasks (their iterations, t_width, a
// multiple of the threads) runs in order on the thread that runs its
// enclosing task (WINO_NESTED=1, the default), instead of being split among
// the arena's threads (0; oneTBB lets idle threads steal its halves). A
// fused band's channel blocks read the transformed input (V) its thread just
// wrote: stolen, a block reads it from another core's cache, and a band's
// blocks waited for the band's thread to finish its transform. Zen 5, 2
// threads: 1x128x28² F(4,3) 7x1, two bands, 0.294 -> 0.222 ms; over the
// suite level, our rows 1.008x against oneDNN's drift of 1.019x
// (zen5-2core/session44/nested_2t). Not yet measured on many cores.
int nested_level() {
    static const int level = env_int("WINO_NESTED", 1, 0, 1, "a nested-loop setting");
    return level;
}

bool runs_in_order(int threads) { return t_width > 1 && t_width % threads == 0 && nested_level() == 1; }

// Which runtime runs the parallel loops: WINO_POOL=tbb or openmp, read once per
// process; unset, kDefaultPool.
constexpr PoolKind kDefaultPool = PoolKind::Tbb;
PoolKind read_pool_kind() {
    const char *env = std::getenv("WINO_POOL");
    if (!env || !*env) return kDefaultPool;
    const std::string name = env;
    if (name == "tbb") return PoolKind::Tbb;
#if WINO_HAVE_OPENMP
    if (name == "openmp") return PoolKind::OpenMP;
    const char *choices = "tbb or openmp";
#else
    const char *choices = "tbb (this build has no OpenMP)";
#endif
    std::fprintf(stderr, "wino: WINO_POOL='%s' is not a thread pool of this build (%s); using %s\n", env, choices,
                 pool_kind_name(kDefaultPool));
    return kDefaultPool;
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

// Parallel loops run on oneTBB (or OpenMP, below): a task_arena caps the threads that run its
// work, so each calling thread keeps one arena per thread count it asks for
// (a call gets its own `threads`, whatever other threads call at the same
// time), and the loop is a parallel_for inside it; TBB balances nested loops
// (bands, then channel blocks inside a band) across the arena's threads.
// Measured against a pool of this runtime's own (a caller that claims
// iterations too, workers that spin before sleeping, nested loops filling
// idle threads) with wino_bench, TBB was as fast or faster: on this 2-core
// Xeon at 2 threads, e.g. 14x14 C=256 F(4,3) 0.64-0.71 ms against
// 0.77-0.94; on the GPU machine's 16-core Xeon host at 16 threads, 56x56 C=64
// 0.162 ms against 0.230 and 8x14x14 C=256 1.27 ms against 1.79 (README).
class Pool {
public:
    static Pool &instance() {
        static Pool *pool = new Pool();  // never destroyed: tasks may run during static destruction
        return *pool;
    }

    int par_for(halide_task_t task, void *uc, int min, int size, uint8_t *closure) {
        CallContext *call = t_call;
        const int threads = call ? call->threads : 1;
        const long long width = record_width(size);
        const bool pooled = threads > 1 && size > 1 && !runs_in_order(threads);
        const LoopTrace loop(call, size, pooled);
        if (!pooled) {
            // One thread, one iteration (a loop over one image or one
            // band), or a nested loop whose enclosing loops split evenly
            // (runs_in_order): the caller runs the iterations in order,
            // without TBB's tasks (they cost a small call a fifth of its
            // time). A loop nested in a loop of one iteration at the top
            // enters the arena itself.
            for (int i = min; i < min + size; i++)
                if (int r = loop.run(task, uc, i, closure, call, width)) return r;
            return 0;
        }
        if (call) call->fork_joins.fetch_add(1, std::memory_order_relaxed);
        std::atomic<int> result{0};
        auto one = [&](int i) {
            if (int r = loop.run(task, uc, i, closure, call, width)) result.store(r);
        };
#if WINO_HAVE_OPENMP
        if (kind_ == PoolKind::OpenMP) {
            openmp_par_for(one, min, size, threads);
            return result.load();
        }
#endif
        // Without affinity (nested loops; top-level ones with WINO_AFFINITY=0,
        // or 1 for these): a loop of at most one task per thread has nothing
        // to balance: the static partitioner hands each task to a thread of its own at once,
        // where the default one splits the range by stealing, a hop per
        // halving. 16-core Xeon (wino_pool_probe, one loop of a 20 us task
        // per thread): 46 -> 33 us at 16 threads, 36 -> 26 at 8; real layers
        // at 8 and 16 threads 1.9% faster in geometric mean over 70 cells,
        // with every loop static no faster than auto (bench/results/h200-31).
        auto body = [&] {
            if (size <= threads) tbb::parallel_for(min, min + size, one, tbb::static_partitioner());
            else tbb::parallel_for(min, min + size, one);
        };
        auto body_affine = [&](tbb::affinity_partitioner &ap) {
            tbb::parallel_for(
                tbb::blocked_range<int>(min, min + size),
                [&](const tbb::blocked_range<int> &r) {
                    for (int i = r.begin(); i < r.end(); i++) one(i);
                },
                ap);
        };
        if (t_width > 1) {
            if (call) call->nested_fork_joins.fetch_add(1, std::memory_order_relaxed);
            body();  // nested inside a task of the call's arena, whose loops split unevenly: TBB balances it there
        } else {
            Arena &a = arena(threads);
            epoch().fetch_add(1, std::memory_order_release);  // spinners let their workers go
            const auto start = std::chrono::steady_clock::now();
            if (start - a.last_end > kTbbSpin) a.last_gap = start;
            if (size <= threads && hold_microseconds() > 0 && call) {
                LoopHold hold(size, *call);
                auto held = [&](int i) {
                    hold.started();
                    one(i);
                    hold.finished();
                };
                a.arena.execute([&] { tbb::parallel_for(min, min + size, held, tbb::static_partitioner()); });
            } else if (affinity_level() >= (size > threads ? 1 : 2)) {
                tbb::affinity_partitioner &ap = a.partitioner(task, min, size);
                a.arena.execute([&] { body_affine(ap); });
            } else {
                a.arena.execute(body);
            }
            a.last_end = std::chrono::steady_clock::now();
            if (a.last_end - a.last_gap < kPausing) keep_warm(a);
        }
        return result.load();
    }

    PoolKind kind() const { return kind_; }

private:
    // The settings are read (and a bad value reported) on the first loop,
    // whether or not a loop of this process ever gets to spin.
    Pool() : kind_(read_pool_kind()) {
        spin_microseconds();
        hold_microseconds();
        affinity_level();
        nested_level();
    }

    const PoolKind kind_;

#if WINO_HAVE_OPENMP
    // OpenMP (oneDNN's runtime): a top-level loop is a parallel for over a
    // team of the call's threads, whose workers spin between loops for
    // milliseconds by default (libgomp's GOMP_SPINCOUNT), so nothing here
    // keeps them warm. A loop nested in one of its tasks becomes tasks of
    // that team (taskloop): the threads that ran out of top-level iterations
    // take them at the loop's closing barrier, as TBB's workers steal a
    // nested loop's halves. (A nested parallel for would start a second
    // team, or with libgomp's default of one active level, run on its
    // thread alone.) Calls from threads not in a team each get a team of
    // their own. 16-core Xeon, wino_pool_probe, one loop of one task per
    // thread: 4-6 us over the ideal against oneTBB's 9-33 (h200-31).
    template <typename One>
    static void openmp_par_for(One one, int min, int size, int threads) {
        if (t_width > 1 && omp_in_parallel()) {
#pragma omp taskloop grainsize(1)
            for (int i = min; i < min + size; i++) one(i);
            return;
        }
        // More threads than cores would only oversubscribe them (TBB's arena is
        // capped likewise).
        const int team = std::min(threads, hardware_threads());
        if (size <= team) {
            // One task per thread at most: each to its own thread at once.
#pragma omp parallel for num_threads(team) schedule(static, 1)
            for (int i = min; i < min + size; i++) one(i);
        } else {
            // Contiguous chunks, smaller toward the end for balance, as oneTBB's
            // default partitioner splits a range. (guided, static, dynamic 1
            // and dynamic 4 ran alike on the Zen 5 at 2 threads: session29.)
#pragma omp parallel for num_threads(team) schedule(guided)
            for (int i = min; i < min + size; i++) one(i);
        }
    }
#endif

    // A top-level loop's threads waiting for its last task (hold_microseconds).
    class LoopHold {
    public:
        LoopHold(int size, const CallContext &call)
            : call_(call), size_(size), nested_(call.nested_fork_joins.load(std::memory_order_relaxed)) {}
        void started() { started_.fetch_add(1, std::memory_order_relaxed); }
        void finished() {
            if (left_.fetch_sub(1, std::memory_order_acq_rel) == 1) return;  // the last
            const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(hold_microseconds());
            for (int spins = 0; left_.load(std::memory_order_acquire) > 0; spins++) {
                if (started_.load(std::memory_order_relaxed) < size_ ||
                    call_.nested_fork_joins.load(std::memory_order_relaxed) != nested_)
                    return;
                cpu_relax();
                if (spins % 64 == 63) {
                    if (std::chrono::steady_clock::now() >= until) return;
                    std::this_thread::yield();  // as keep_warm's spinners: other runtimes' threads may need the core
                }
            }
        }

    private:
        const CallContext &call_;
        const int size_;
        const long long nested_;  // nested loops the call had started before this one
        std::atomic<int> started_{0}, left_{size_};
    };

    struct Arena {
        explicit Arena(int threads) : arena(threads), workers(threads - 1) {}
        tbb::task_arena arena;
        int workers;  // worker slots (one slot is the caller's)
        std::chrono::steady_clock::time_point last_end;  // when its last loop returned
        std::chrono::steady_clock::time_point last_gap;  // when a loop last came after a gap

        // The affinity of a top-level loop (its task function, i.e. its
        // place in a pipeline, and its range) to the arena's threads. The
        // arena is its calling thread's, so no other thread uses these. A
        // process that runs many shapes starts over after kMostLoops.
        tbb::affinity_partitioner &partitioner(halide_task_t task, int min, int size) {
            static constexpr size_t kMostLoops = 512;
            if (affinity.size() >= kMostLoops) affinity.clear();
            auto &p = affinity[{reinterpret_cast<uintptr_t>(task), min, size}];
            if (!p) p = std::make_unique<tbb::affinity_partitioner>();
            return *p;
        }
        std::map<std::tuple<uintptr_t, int, int>, std::unique_ptr<tbb::affinity_partitioner>> affinity;
    };

    // Loops closer together than kTbbSpin find TBB's workers still awake, and
    // keeping them so costs more than it saves: on the 16-core Xeon, calls
    // back to back ran 1.1-1.7x slower with spinners enqueued after every
    // loop (15 enqueues each). So the workers are kept warm only while the
    // caller pauses between loops: within kPausing of a loop that came after
    // a gap (every loop of a call, not only its first, since the gap is
    // before the call's first loop and the sleep after its last).
    static constexpr std::chrono::microseconds kTbbSpin{100};
    static constexpr std::chrono::milliseconds kPausing{20};

    // Top-level loops started, by any caller.
    static std::atomic<unsigned> &epoch() {
        static std::atomic<unsigned> *e = new std::atomic<unsigned>(0);  // never destroyed, as the pool
        return *e;
    }

    static void keep_warm(Arena &a) {
        const int us = spin_microseconds();
        if (us == 0 || a.workers == 0) return;
        const unsigned seen = epoch().load(std::memory_order_relaxed);
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
        for (int i = 0; i < a.workers; i++) {
            a.arena.enqueue([seen, until] {
                for (int spins = 0; epoch().load(std::memory_order_acquire) == seen; spins++) {
                    cpu_relax();
                    if (spins % 64 == 63) {
                        if (std::chrono::steady_clock::now() >= until) break;
                        // Another library's threads (oneDNN's OpenMP team) may be
                        // waiting for this core: without yielding, their barrier
                        // stalled for milliseconds (16-core Xeon).
                        std::this_thread::yield();
                    }
                }
            });
        }
    }

    static Arena &arena(int threads) {
        // More threads than TBB has (its workers + the caller) would only
        // print a warning on stderr; the call gets all there are.
        static const int most = tbb::info::default_concurrency();
        threads = std::min(threads, most);
        thread_local std::map<int, std::unique_ptr<Arena>> arenas;
        auto &a = arenas[threads];
        if (!a) a = std::make_unique<Arena>(threads);
        return *a;
    }
};

// Halide's temporaries (per band, per tile row...) are allocated and freed on
// every call. With plain malloc, glibc trims a worker thread's arena after each
// free and the next call page-faults the memory in again: direct at N=8,
// 56x56 ran 1.7x slower on 2 threads than with trimming off. So each thread
// keeps a few recently freed blocks for reuse. Every block's header records
// its size and the call it was allocated for, so that call's memory figures
// (CallContext::live, peak) and its limit hold whichever thread frees it.
class BlockCache {
public:
    static constexpr size_t kAlign = 128;  // what Halide's own allocator guarantees
    struct Header {
        size_t bytes;       // usable size of the block
        size_t charged;     // bytes asked for, charged to `call` while allocated
        CallContext *call;  // or null
    };
    static_assert(sizeof(Header) <= kAlign);

    ~BlockCache() {
        for (const Block &b : blocks_) std::free(b.base);
    }
    void *allocate(size_t bytes) {
        // Best fit among cached blocks at most twice the size asked for.
        size_t best = blocks_.size();
        for (size_t i = 0; i < blocks_.size(); i++)
            if (blocks_[i].bytes >= bytes && blocks_[i].bytes <= 2 * bytes &&
                (best == blocks_.size() || blocks_[i].bytes < blocks_[best].bytes))
                best = i;
        void *base;
        size_t usable = bytes;
        if (best < blocks_.size()) {
            base = blocks_[best].base;
            usable = blocks_[best].bytes;
            blocks_.erase(blocks_.begin() + best);
            cached_bytes_ -= usable;
        } else {
            if (bytes > SIZE_MAX - 2 * kAlign) return nullptr;
            const size_t size = (bytes + kAlign - 1) / kAlign * kAlign + kAlign;
            base = std::aligned_alloc(kAlign, size);
            if (!base) return nullptr;
        }
        *static_cast<Header *>(base) = {usable, bytes, t_call};
        return static_cast<char *>(base) + kAlign;
    }
    void release(void *ptr) {
        if (!ptr) return;
        void *base = static_cast<char *>(ptr) - kAlign;
        const size_t bytes = static_cast<Header *>(base)->bytes;
        if (blocks_.size() >= kMaxBlocks || cached_bytes_ + bytes > kMaxBytes) {
            std::free(base);
            return;
        }
        blocks_.push_back({base, bytes});
        cached_bytes_ += bytes;
    }
    static Header &header(void *ptr) { return *reinterpret_cast<Header *>(static_cast<char *>(ptr) - kAlign); }

private:
    struct Block {
        void *base;
        size_t bytes;
    };
    static constexpr size_t kMaxBlocks = 16, kMaxBytes = size_t(64) << 20;
    std::vector<Block> blocks_;
    size_t cached_bytes_ = 0;
};

thread_local BlockCache t_blocks;

void *counted_malloc(void *, size_t bytes) {
    CallContext *call = t_call;
    if (call) {
        const size_t live = call->live.fetch_add(bytes) + bytes;
        if (call->memory_limit && live > call->memory_limit) {
            call->live.fetch_sub(bytes);
            call->over_limit = true;
            return nullptr;  // Halide reports "out of memory" and the pipeline fails
        }
        size_t peak = call->peak.load(std::memory_order_relaxed);
        while (live > peak && !call->peak.compare_exchange_weak(peak, live)) {
        }
    }
    void *ptr = t_blocks.allocate(bytes);
    if (!ptr && call) call->live.fetch_sub(bytes);
    return ptr;
}

void counted_free(void *, void *ptr) {
    if (!ptr) return;
    BlockCache::Header &h = BlockCache::header(ptr);
    if (h.call) h.call->live.fetch_sub(h.charged);
    t_blocks.release(ptr);
}

int do_par_for(void *uc, halide_task_t task, int min, int size, uint8_t *closure) {
    return Pool::instance().par_for(task, uc, min, size, closure);
}

void on_error(void *, const char *message) {
    if (CallContext *call = t_call) {
        std::lock_guard<std::mutex> lock(call->mutex);
        call->message += message;
    } else {
        std::fprintf(stderr, "wino: Halide error outside an API call: %s\n", message);
    }
}

}  // namespace

int resolve_threads(int requested) { return requested > 0 ? requested : hardware_threads(); }

const char *pool_kind_name(PoolKind kind) { return kind == PoolKind::OpenMP ? "openmp" : "tbb"; }

PoolKind pool_kind() { return Pool::instance().kind(); }

int pool_hold_microseconds() { return hold_microseconds(); }

int pool_affinity_level() { return affinity_level(); }
int pool_nested_level() { return nested_level(); }

double fork_join_microseconds(int threads) {
    if (threads <= 1) return 0;
    static std::mutex mutex;
    static std::map<int, double> measured;
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = measured.find(threads); it != measured.end()) return it->second;
    // Each task busy for a while (clock-timed, so alike on any CPU), as a
    // small layer's are: a loop of empty tasks is over before a worker wakes
    // (the caller takes them all), so it would show no cost at all.
    static constexpr double kTaskUs = 5;
    auto busy = [](void *, int, uint8_t *) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double, std::micro>(kTaskUs);
        while (std::chrono::steady_clock::now() < until) {
        }
        return 0;
    };
    CallScope scope(threads);
    constexpr int kWarm = 100, kTimed = 31;
    std::vector<double> us;
    for (int i = 0; i < kWarm + kTimed; i++) {
        const auto start = std::chrono::steady_clock::now();
        do_par_for(nullptr, busy, 0, threads, nullptr);
        const double loop = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
        if (i >= kWarm) us.push_back(loop - kTaskUs);
    }
    std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
    return measured[threads] = std::max(0.0, us[us.size() / 2]);
}

const RuntimeHooks &runtime_hooks() {
    static const RuntimeHooks hooks{&do_par_for, &counted_malloc, &counted_free, &on_error};
    return hooks;
}

#if WINO_HAVE_CUDA
// Halide's CUDA pipelines run in device 0's primary context, the one the CUDA
// runtime API and frameworks allocate in, so device pointers from them work.
int acquire_primary_context(void *, void **ctx, bool) {
    *ctx = cuda::primary_context();
    return *ctx ? 0 : halide_error_code_generic_error;
}
int release_context(void *) { return 0; }
// The stream of the call this thread makes (RunOptions::cuda_stream): its
// kernels, and Halide's reuse of device allocations, stay on that stream.
int call_stream(void *, void *, void **stream) {
    *stream = t_call ? t_call->cuda_stream : nullptr;
    return 0;
}
#endif

void install_halide_hooks() {
    static std::once_flag once;
    std::call_once(once, [] {
        halide_set_custom_do_par_for(&do_par_for);
        halide_set_error_handler(&on_error);
        halide_set_custom_malloc(&counted_malloc);
        halide_set_custom_free(&counted_free);
        install_cpu_level();
#if WINO_HAVE_CUDA
        halide_set_cuda_acquire_context(&acquire_primary_context);
        halide_set_cuda_release_context(&release_context);
        halide_set_cuda_get_stream(&call_stream);
        // Device buffers go back to Halide's cache between calls, not to the driver.
        halide_reuse_device_allocations(nullptr, true);
        // Halide 14's CUDA runtime caps every kernel at 64 registers when the
        // driver compiles the PTX, unless this is set before the first kernel
        // loads; the GPU schedules keep 100-150 accumulators and operands in
        // registers per lane and spill under that cap.
        setenv("HL_CUDA_JIT_MAX_REGISTERS", "256", /*overwrite=*/0);
#endif
    });
}

CallScope::CallScope(int threads, size_t memory_limit, bool trace) : saved_(t_call) {
    install_halide_hooks();
    context_.threads = resolve_threads(threads);
    context_.memory_limit = memory_limit;
    if (trace) {
        static std::atomic<unsigned long long> traced_calls{0};
        context_.trace = true;
        context_.trace_id = ++traced_calls;
        my_trace(context_);  // the caller is thread 0
    }
    t_call = &context_;
    context_.start = std::chrono::steady_clock::now();
}

CallScope::~CallScope() { t_call = saved_; }

void collect_trace(CallContext &call, RunStats &stats) {
    std::vector<LoopSpan> &loops = stats.loops;
    std::vector<TaskSpan> &tasks = stats.tasks;
    loops.clear();
    tasks.clear();
    stats.thread_workers.clear();
    std::lock_guard<std::mutex> lock(call.trace_mutex);
    // Every thread's loops in one list by start; first[t] + i: loop i of thread t before sorting.
    std::vector<size_t> first;
    for (const auto &t : call.thread_traces) {
        first.push_back(loops.size());
        loops.insert(loops.end(), t->loops.begin(), t->loops.end());
        stats.thread_workers.push_back(t->worker);
    }
    std::vector<int> order(loops.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = int(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return loops[size_t(a)].start_us < loops[size_t(b)].start_us; });
    std::vector<int> global(loops.size());
    std::vector<LoopSpan> sorted;
    for (size_t i = 0; i < order.size(); i++) {
        global[size_t(order[i])] = int(i);
        sorted.push_back(loops[size_t(order[i])]);
    }
    loops = std::move(sorted);
    for (size_t t = 0; t < call.thread_traces.size(); t++)
        for (const ThreadTrace::Task &k : call.thread_traces[t]->tasks)
            tasks.push_back({int(t), global[first[size_t(k.loop_thread)] + size_t(k.loop)], k.iteration, k.start_us,
                             k.end_us, k.work_us});
    std::stable_sort(tasks.begin(), tasks.end(),
                     [](const TaskSpan &a, const TaskSpan &b) { return a.start_us < b.start_us; });
}

std::string CallScope::halide_message() {
    std::lock_guard<std::mutex> lock(context_.mutex);
    std::string m = context_.message;
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
}

}  // namespace wino::detail
