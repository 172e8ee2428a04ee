#include "cuda_driver.h"

#include <dlfcn.h>

#include <mutex>
#include <stdexcept>

namespace wino::detail::cuda {

namespace {

// The driver API's types, as the runtime sees them (cuda.h is not needed).
using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUevent = void *;
using CUstream = void *;
using CUgraph = void *;
using CUgraphExec = void *;

struct Driver {
    CUresult (*cuInit)(unsigned);
    CUresult (*cuDeviceGetCount)(int *);
    CUresult (*cuDeviceGet)(CUdevice *, int);
    CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
    CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
    CUresult (*cuCtxPushCurrent)(CUcontext);
    CUresult (*cuCtxPopCurrent)(CUcontext *);
    CUresult (*cuEventCreate)(CUevent *, unsigned);
    CUresult (*cuEventDestroy)(CUevent);
    CUresult (*cuEventRecord)(CUevent, CUstream);
    CUresult (*cuEventSynchronize)(CUevent);
    CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
    CUresult (*cuGetErrorString)(CUresult, const char **);
    // Streams and graphs (Stream): optional, checked when a Stream is made.
    CUresult (*cuStreamCreate)(CUstream *, unsigned);
    CUresult (*cuStreamDestroy)(CUstream);
    CUresult (*cuStreamSynchronize)(CUstream);
    CUresult (*cuStreamBeginCapture)(CUstream, int);
    CUresult (*cuStreamEndCapture)(CUstream, CUgraph *);
    CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec *, CUgraph, unsigned long long);
    CUresult (*cuGraphLaunch)(CUgraphExec, CUstream);
    CUresult (*cuGraphDestroy)(CUgraph);
    CUresult (*cuGraphExecDestroy)(CUgraphExec);
    bool graphs = false;
    CUcontext context = nullptr;
    int multiprocessors = 0;
    std::string problem;  // empty when usable
};

// The driver's name for an error code, and the code.
std::string describe_with(const Driver &d, CUresult r) {
    const char *s = nullptr;
    d.cuGetErrorString(r, &s);
    return std::string(s ? s : "unknown error") + " (" + std::to_string(r) + ")";
}

const Driver &driver() {
    static const Driver d = [] {
        Driver d{};
        void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            d.problem = "no CUDA driver (libcuda.so.1 not found)";
            return d;
        }
        bool missing = false;
        auto get = [&](auto &fn, const char *name) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
            missing |= fn == nullptr;
        };
        get(d.cuInit, "cuInit");
        get(d.cuDeviceGetCount, "cuDeviceGetCount");
        get(d.cuDeviceGet, "cuDeviceGet");
        get(d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
        get(d.cuDeviceGetAttribute, "cuDeviceGetAttribute");
        get(d.cuCtxPushCurrent, "cuCtxPushCurrent_v2");
        get(d.cuCtxPopCurrent, "cuCtxPopCurrent_v2");
        get(d.cuEventCreate, "cuEventCreate");
        get(d.cuEventDestroy, "cuEventDestroy_v2");
        get(d.cuEventRecord, "cuEventRecord");
        get(d.cuEventSynchronize, "cuEventSynchronize");
        get(d.cuEventElapsedTime, "cuEventElapsedTime");
        get(d.cuGetErrorString, "cuGetErrorString");
        if (missing) {
            d.problem = "the CUDA driver lacks functions this library needs (too old?)";
            return d;
        }
        get(d.cuStreamCreate, "cuStreamCreate");
        get(d.cuStreamDestroy, "cuStreamDestroy_v2");
        get(d.cuStreamSynchronize, "cuStreamSynchronize");
        get(d.cuStreamBeginCapture, "cuStreamBeginCapture_v2");
        get(d.cuStreamEndCapture, "cuStreamEndCapture");
        get(d.cuGraphInstantiateWithFlags, "cuGraphInstantiateWithFlags");
        get(d.cuGraphLaunch, "cuGraphLaunch");
        get(d.cuGraphDestroy, "cuGraphDestroy");
        get(d.cuGraphExecDestroy, "cuGraphExecDestroy");
        d.graphs = !missing;
        auto describe = [&](CUresult r) { return describe_with(d, r); };
        int count = 0;
        CUdevice device = 0;
        if (CUresult r = d.cuInit(0)) {
            d.problem = "the CUDA driver failed to initialize: " + describe(r);
        } else if (CUresult r2 = d.cuDeviceGetCount(&count); r2 || count == 0) {
            d.problem = "no CUDA device found";
        } else if (CUresult r3 = d.cuDeviceGet(&device, 0)) {
            d.problem = "cannot open CUDA device 0: " + describe(r3);
        } else if (CUresult r4 = d.cuDevicePrimaryCtxRetain(&d.context, device)) {
            d.problem = "cannot retain device 0's primary context: " + describe(r4);
        } else {
            constexpr int kMultiprocessorCount = 16;  // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
            if (d.cuDeviceGetAttribute(&d.multiprocessors, kMultiprocessorCount, device)) d.multiprocessors = 0;
        }
        return d;
    }();
    return d;
}

// Throws, naming what failed, when a driver call does.
void check(CUresult r, const char *what) {
    if (r) throw std::runtime_error(std::string("CUDA: ") + what + " failed: " + describe_with(driver(), r));
}

// Makes the primary context current on this thread for a scope.
class Current {
public:
    Current() { driver().cuCtxPushCurrent(driver().context); }
    ~Current() {
        CUcontext popped;
        driver().cuCtxPopCurrent(&popped);
    }
};

}  // namespace

bool available(std::string *why) {
    const Driver &d = driver();
    if (why) *why = d.problem;
    return d.problem.empty();
}

void *primary_context() { return available() ? driver().context : nullptr; }

int multiprocessors() { return available() ? driver().multiprocessors : 0; }

EventTimer::EventTimer() {
    if (!available()) throw std::runtime_error("no CUDA device");
    Current current;
    driver().cuEventCreate(&start_, 0);
    driver().cuEventCreate(&stop_, 0);
}

EventTimer::~EventTimer() {
    Current current;
    driver().cuEventDestroy(start_);
    driver().cuEventDestroy(stop_);
}

void EventTimer::start() {
    Current current;
    driver().cuEventRecord(start_, nullptr);
}

double EventTimer::stop() {
    Current current;
    driver().cuEventRecord(stop_, nullptr);
    driver().cuEventSynchronize(stop_);
    float ms = 0;
    driver().cuEventElapsedTime(&ms, start_, stop_);
    return ms;
}

Stream::Stream() {
    if (!available()) throw std::runtime_error("no CUDA device");
    if (!driver().graphs) throw std::runtime_error("the CUDA driver has no stream capture (CUDA 11.4 or newer needed)");
    Current current;
    constexpr unsigned kNonBlocking = 1;  // CU_STREAM_NON_BLOCKING: no implicit sync with the default stream
    check(driver().cuStreamCreate(&stream_, kNonBlocking), "cuStreamCreate");
    driver().cuEventCreate(&start_, 0);
    driver().cuEventCreate(&stop_, 0);
}

Stream::~Stream() {
    Current current;
    destroy_graph();
    driver().cuEventDestroy(start_);
    driver().cuEventDestroy(stop_);
    driver().cuStreamDestroy(stream_);
}

void Stream::synchronize() {
    Current current;
    check(driver().cuStreamSynchronize(stream_), "cuStreamSynchronize");
}

void Stream::destroy_graph() {
    if (graph_) driver().cuGraphExecDestroy(graph_);
    graph_ = nullptr;
}

void Stream::begin_capture() {
    Current current;
    destroy_graph();
    constexpr int kRelaxed = 2;  // CU_STREAM_CAPTURE_MODE_RELAXED
    check(driver().cuStreamBeginCapture(stream_, kRelaxed), "cuStreamBeginCapture");
}

void Stream::abandon_capture() {
    Current current;
    CUgraph graph = nullptr;
    if (driver().cuStreamEndCapture(stream_, &graph) == 0 && graph) driver().cuGraphDestroy(graph);
}

void Stream::end_capture() {
    Current current;
    CUgraph graph = nullptr;
    check(driver().cuStreamEndCapture(stream_, &graph), "cuStreamEndCapture (a call broke the capture)");
    const CUresult r = driver().cuGraphInstantiateWithFlags(&graph_, graph, 0);
    driver().cuGraphDestroy(graph);
    if (r) graph_ = nullptr;
    check(r, "cuGraphInstantiateWithFlags");
}

double Stream::replay() {
    if (!graph_) throw std::runtime_error("CUDA: no graph captured on this stream");
    Current current;
    check(driver().cuEventRecord(start_, stream_), "cuEventRecord");
    check(driver().cuGraphLaunch(graph_, stream_), "cuGraphLaunch");
    check(driver().cuEventRecord(stop_, stream_), "cuEventRecord");
    check(driver().cuEventSynchronize(stop_), "cuEventSynchronize (the graph's kernels)");
    float ms = 0;
    driver().cuEventElapsedTime(&ms, start_, stop_);
    return ms;
}

}  // namespace wino::detail::cuda
