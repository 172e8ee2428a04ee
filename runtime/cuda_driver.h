// The few CUDA driver calls the runtime makes itself, through libcuda.so.1
// loaded at run time (the library needs no CUDA at build or link time, and a
// machine without a driver gets a clear error instead of a failed load):
// whether a GPU is there, the device's primary context (the one the CUDA
// runtime API and frameworks use, so device pointers from them are valid in
// Halide's pipelines), and events to time work on the device.
#pragma once

#include <cstdint>
#include <string>

namespace wino::detail::cuda {

// True if libcuda loads, initializes and sees a device; else false, and
// `why` says what was missing.
bool available(std::string *why = nullptr);

// The primary context of device 0, retained once for the process.
void *primary_context();

// Device 0's multiprocessors (SMs); 0 without a usable device.
int multiprocessors();

// Device time between two points in the work queued on the default stream.
class EventTimer {
public:
    EventTimer();
    ~EventTimer();
    void start();
    // Waits for the work queued since start(); returns milliseconds of device time.
    double stop();

private:
    void *start_ = nullptr, *stop_ = nullptr;
};

}  // namespace wino::detail::cuda
