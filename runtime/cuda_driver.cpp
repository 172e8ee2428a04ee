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
    CUcontext context = nullptr;
    int multiprocessors = 0;
    std::string problem;  // empty when usable
};

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
        auto describe = [&](CUresult r) {
            const char *s = nullptr;
            d.cuGetErrorString(r, &s);
            return std::string(s ? s : "unknown error") + " (" + std::to_string(r) + ")";
        };
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

}  // namespace wino::detail::cuda
