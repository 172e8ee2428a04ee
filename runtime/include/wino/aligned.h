// Storage for wino's tensors: floats on 64-byte boundaries (a cache line, an
// AVX-512 vector), as oneDNN and PyTorch allocate theirs.
//
// wino reads and writes caller-owned memory wherever it starts, but speed
// depends on where: a vector load or store that crosses a cache line costs
// two. A std::vector<float> of a large tensor starts 16 bytes past a page
// (glibc serves allocations past its mmap threshold, 128 KiB by default, from
// fresh pages behind a 16-byte header), so each of its 64-byte vectors
// straddles two lines.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace wino {

inline constexpr std::size_t kTensorAlignment = 64;

// Frees what AlignedAllocator allocated: its own deallocate, and the deleter
// of owners that hold a bare pointer (a shared_ptr, a Python capsule).
inline void free_aligned(void *p) { ::operator delete(p, std::align_val_t(kTensorAlignment)); }

template <typename T>
struct AlignedAllocator {
    using value_type = T;
    AlignedAllocator() = default;
    template <typename U>
    AlignedAllocator(const AlignedAllocator<U> &) {}
    T *allocate(std::size_t n) {
        return static_cast<T *>(::operator new(n * sizeof(T), std::align_val_t(kTensorAlignment)));
    }
    void deallocate(T *p, std::size_t) { free_aligned(p); }
    template <typename U>
    bool operator==(const AlignedAllocator<U> &) const { return true; }
    template <typename U>
    bool operator!=(const AlignedAllocator<U> &) const { return false; }
};

// A tensor's floats, aligned for wino's (and oneDNN's) vectors.
using AlignedFloats = std::vector<float, AlignedAllocator<float>>;

}  // namespace wino
