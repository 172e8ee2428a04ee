// NumPy .npy files of float32, the format the `wino` tool reads and writes.
//
// Reads format versions 1.0 and 2.0, writes 1.0 (2.0 only if a header would
// not fit in 1.0's 64 KiB). Data must be '<f4' (float32, little-endian) in C
// order; anything else (another dtype, Fortran order, a truncated or malformed
// file) throws npy::Error with a message naming the file and the problem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace npy {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Array {
    std::vector<int64_t> shape;  // outermost first; empty for a 0-d array
    std::vector<float> data;     // product(shape) elements, C order
};

// Reads a float32 little-endian C-order .npy file.
Array load(const std::string &path);

// Writes `data` (product(shape) floats, C order) as a .npy file, atomically:
// into a temporary file in the same directory, then renamed over `path`. On
// any failure `path` is left as it was (absent, or its old contents) and the
// temporary file is removed.
void save(const std::string &path, const std::vector<int64_t> &shape, const float *data);
// The same; throws Error if a.data does not hold product(a.shape) elements.
void save(const std::string &path, const Array &a);

// Throws Error if save(path, ...) could not create its file there (no such
// directory, no permission, `path` is a directory, ...). Leaves nothing behind.
// Lets a caller refuse early, before expensive work whose result would be lost.
void check_writable(const std::string &path);

// The number of elements of `shape`; throws Error on a negative dimension or
// on overflow of size_t.
size_t element_count(const std::vector<int64_t> &shape);

// "(2, 3)", "(5,)", "()": a shape as Python writes a tuple.
std::string shape_string(const std::vector<int64_t> &shape);

}  // namespace npy
