// The few CUDA driver calls the runtime makes itself, through libcuda.so.1
// loaded at run time (the library needs no CUDA at build or link time, and a
// machine without a driver gets a clear error instead of a failed load):
// whether a GPU is there, the device's primary context (the one the CUDA
// runtime API and frameworks use, so device pointers from them are valid in
// Halide's pipelines), events to time work on the device, and streams whose
// work can be captured into a CUDA graph.
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

// A non-blocking stream of its own in the primary context, and one CUDA graph
// captured on it. Throws std::runtime_error naming the driver's error (the
// graph entry points need a CUDA 11.4 driver or newer).
class Stream {
public:
    Stream();
    ~Stream();
    Stream(const Stream &) = delete;
    Stream &operator=(const Stream &) = delete;
    void *handle() const { return stream_; }  // a CUstream
    void synchronize();
    // Records the work `enqueue` puts on this stream into a graph instead of
    // running it (relaxed capture mode: the driver calls Halide's runtime
    // makes between launches are allowed); replaces any earlier graph.
    template <typename F>
    void capture(F &&enqueue) {
        begin_capture();
        try {
            enqueue();
        } catch (...) {
            abandon_capture();
            throw;
        }
        end_capture();
    }
    // Runs the captured graph once and waits; returns its device time, ms.
    double replay();

private:
    void begin_capture();
    void end_capture();
    void abandon_capture();
    void destroy_graph();
    void *stream_ = nullptr, *graph_ = nullptr, *start_ = nullptr, *stop_ = nullptr;
};

}  // namespace wino::detail::cuda
