// The Halide runtime's thread pool and error handler, replaced.
//
// Halide's own pool has one process-wide thread count and its default error
// handler prints and aborts. A library needs a thread count per call (callers on
// several threads may each ask for a different one) and errors it can throw. So
// parallel loops run on this pool: the calling thread works too and at most
// `threads - 1` pool workers join it; and Halide's messages are kept per thread.
#include "halide_hooks.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "HalideRuntime.h"

namespace wino::detail {

namespace {

thread_local int t_threads = 1;         // threads allowed for loops started on this thread
thread_local bool t_sharing = false;    // this thread runs a loop that other threads help with
thread_local std::string t_message;     // Halide's messages on this thread

// A spin-wait hint to the CPU.
inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

struct Job {
    halide_task_t task;
    void *user_context;
    int min, size;
    uint8_t *closure;
    int helper_slots;                    // workers that may still join (pool mutex)
    int active_helpers = 0;              // workers inside run_iterations (pool mutex)
    // Iterations not yet claimed: [front, back). The caller claims from the
    // front, helpers from the back, so threads work on distant iterations (in
    // Halide's loops, distant rows: no cache lines shared at their boundaries)
    // and each thread's iterations stay contiguous.
    std::mutex claim;
    int front = 0, back;
    std::atomic<int> result{0};
    std::string message;                 // a worker's Halide message (pool mutex)
};

class Pool {
public:
    static Pool &instance() {
        static Pool *pool = new Pool();  // never destroyed: workers may outlive statics
        return *pool;
    }

    int par_for(halide_task_t task, void *uc, int min, int size, uint8_t *closure, int threads) {
        // A loop nested in one that already has helpers runs serially: the call
        // then never has more than `threads` threads busy. A loop whose outer
        // loop had nothing to share (one iteration) may recruit helpers itself.
        Job job{task, uc, min, size, closure, t_sharing ? 0 : std::min(threads, size) - 1};
        job.back = size;
        if (job.helper_slots <= 0) {
            run_iterations(job, true);
            return job.result.load();
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            queue_.push_back(&job);
            queued_.store(int(queue_.size()), std::memory_order_relaxed);
            wake_.notify_all();
        }
        t_sharing = true;
        run_iterations(job, true);
        t_sharing = false;
        std::unique_lock<std::mutex> lock(mutex_);
        queue_.erase(std::remove(queue_.begin(), queue_.end(), &job), queue_.end());
        queued_.store(int(queue_.size()), std::memory_order_relaxed);
        done_.wait(lock, [&] { return job.active_helpers == 0; });
        if (!job.message.empty()) t_message += job.message;
        return job.result.load();
    }

private:
    Pool() {
        // The calling thread works too: one worker fewer than cores, or an
        // idle worker spinning would take a core from the two that work.
        const unsigned workers = std::max(1u, std::thread::hardware_concurrency() - 1);
        for (unsigned i = 0; i < workers; i++) std::thread([this] { work(); }).detach();
    }

    static void run_iterations(Job &job, bool from_front) {
        for (;;) {
            int i;
            {
                std::lock_guard<std::mutex> lock(job.claim);  // tasks are coarse: a lock is cheap here
                if (job.front >= job.back) return;
                i = from_front ? job.front++ : --job.back;
            }
            int r = job.task(job.user_context, job.min + i, job.closure);
            if (r != 0) job.result.store(r);
        }
    }

    void work() {
        t_threads = 1;     // a loop nested inside a task runs serially on its worker
        t_sharing = true;
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            if (queue_.empty()) {
                // Spin a little before sleeping: parallel loops come in bursts
                // (several per call, calls back to back), and waking a thread
                // from a condition variable takes tens of microseconds, as long
                // as a whole small convolution.
                lock.unlock();
                const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
                while (queued_.load(std::memory_order_relaxed) == 0 && std::chrono::steady_clock::now() < until)
                    pause();
                lock.lock();
                wake_.wait(lock, [&] { return !queue_.empty(); });
            }
            Job *job = queue_.front();
            if (--job->helper_slots == 0) {
                queue_.pop_front();
                queued_.store(int(queue_.size()), std::memory_order_relaxed);
            }
            job->active_helpers++;
            lock.unlock();
            t_message.clear();
            run_iterations(*job, false);
            lock.lock();
            job->message += t_message;
            if (--job->active_helpers == 0) done_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::deque<Job *> queue_;
    std::atomic<int> queued_{0};  // queue_.size(), readable without the lock while spinning
};

// Halide's temporaries (per band, per tile row...) are allocated and freed on
// every call. With plain malloc, glibc trims a worker thread's arena after each
// free and the next call page-faults the memory in again: direct at N=8,
// 56x56 ran 1.7x slower on 2 threads than with trimming off. So each thread
// keeps a few recently freed blocks for reuse.
class BlockCache {
public:
    static constexpr size_t kAlign = 128;  // what Halide's own allocator guarantees
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
        if (best < blocks_.size()) {
            Block b = blocks_[best];
            blocks_.erase(blocks_.begin() + best);
            cached_bytes_ -= b.bytes;
            return static_cast<char *>(b.base) + kAlign;
        }
        const size_t size = (bytes + kAlign - 1) / kAlign * kAlign + kAlign;
        void *base = std::aligned_alloc(kAlign, size);
        if (!base) return nullptr;
        *static_cast<size_t *>(base) = bytes;  // header: the usable size
        return static_cast<char *>(base) + kAlign;
    }
    void release(void *ptr) {
        if (!ptr) return;
        void *base = static_cast<char *>(ptr) - kAlign;
        const size_t bytes = *static_cast<size_t *>(base);
        if (blocks_.size() >= kMaxBlocks || cached_bytes_ + bytes > kMaxBytes) {
            std::free(base);
            return;
        }
        blocks_.push_back({base, bytes});
        cached_bytes_ += bytes;
    }

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

void *cached_malloc(void *, size_t bytes) { return t_blocks.allocate(bytes); }
void cached_free(void *, void *ptr) { t_blocks.release(ptr); }

int do_par_for(void *uc, halide_task_t task, int min, int size, uint8_t *closure) {
    return Pool::instance().par_for(task, uc, min, size, closure, t_threads);
}

void on_error(void *, const char *message) {
    t_message += message;
}

int hardware_threads() {
    return int(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

void install_halide_hooks() {
    static std::once_flag once;
    std::call_once(once, [] {
        halide_set_custom_do_par_for(&do_par_for);
        halide_set_error_handler(&on_error);
        halide_set_custom_malloc(&cached_malloc);
        halide_set_custom_free(&cached_free);
    });
}

CallScope::CallScope(int threads) : saved_threads_(t_threads) {
    install_halide_hooks();
    t_threads = threads > 0 ? threads : hardware_threads();
    t_message.clear();
}

CallScope::~CallScope() {
    t_threads = saved_threads_;
}

std::string CallScope::halide_message() const {
    std::string m = t_message;
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
}

}  // namespace wino::detail
