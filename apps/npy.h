// NumPy .npy files of float32, the format the `wino` tool reads and writes.
//
// Reads format versions 1.0 and 2.0, writes 1.0 (2.0 only if a header would
// not fit in 1.0's 64 KiB). Data must be '<f4' (float32, little-endian) in C
// order; anything else (another dtype, Fortran order, a truncated or malformed
// file) throws npy::Error with a message naming the file and the problem.
//
// Hostile files are refused in bounded time and memory: the header is at most
// kMaxHeaderBytes long and nests at most kMaxHeaderDepth brackets; no data
// buffer is allocated before the file (or, for a pipe, the data that has
// actually arrived) could fill it.
#pragma once

#include <sys/stat.h>

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

// The longest header (dict and padding) read: numpy's own reader refuses
// longer ones by default (max_header_size), and a float32 header numpy writes
// for any shape of rank <= 64 is far shorter.
constexpr size_t kMaxHeaderBytes = 10000;
// The deepest nesting of brackets in a header; numpy writes depth 2 (a dict
// holding the shape tuple). Bounds the recursion of the parser.
constexpr int kMaxHeaderDepth = 16;
// A pipe or other stream is read in chunks of this many bytes, the buffer
// growing only as data arrives: a stream that declares gigabytes and delivers
// a few bytes costs one chunk.
constexpr size_t kStreamChunkBytes = size_t(1) << 20;

struct Array {
    std::vector<int64_t> shape;  // outermost first; empty for a 0-d array
    std::vector<float> data;     // product(shape) elements, C order
};

// A .npy file opened and its header read, its data not yet: a caller can
// judge the shape (and refuse it) before anything is allocated for the data.
// Any readable file works: regular files, pipes, FIFOs, /dev/fd/N (a shell's
// process substitution).
class Reader {
public:
    // Opens `path` and reads and checks its header; throws Error.
    explicit Reader(const std::string &path);
    ~Reader();
    Reader(const Reader &) = delete;
    Reader &operator=(const Reader &) = delete;

    const std::string &path() const { return path_; }
    const std::vector<int64_t> &shape() const { return shape_; }
    // Whether `other` (symbolic links followed) is the file this reader
    // opened: same device and inode.
    bool is_same_file(const std::string &other) const;
    // Reads product(shape()) floats and checks the file ends there; once.
    // For a regular file the size is checked before allocating; a stream is
    // read in chunks of kStreamChunkBytes.
    std::vector<float> read_data();

private:
    std::string path_;
    int fd_ = -1;
    struct stat stat_ {};
    std::vector<int64_t> shape_;
    size_t data_offset_ = 0;
    bool data_read_ = false;
};

// Reads a float32 little-endian C-order .npy file: Reader, then read_data().
Array load(const std::string &path);

// Writes `data` (product(shape) floats, C order) as a .npy file.
//
// A regular file (or a new one) is written atomically: into a temporary file
// in the same directory, then renamed over it. On any failure `path` is left
// as it was (absent, or its old contents) and the temporary file is removed
// (also on SIGINT, SIGTERM and SIGHUP, once install_signal_cleanup() ran).
// A symbolic link (or a chain of them) is followed: the link stays, the file
// it ends at is replaced (or created, for a dangling link). A character device
// or a FIFO is written in place, as a shell's '>' would. Anything else (a
// directory, a socket, a block device) is refused.
void save(const std::string &path, const std::vector<int64_t> &shape, const float *data);
// The same; throws Error if a.data does not hold product(a.shape) elements.
void save(const std::string &path, const Array &a);

// Throws Error if save(path, ...) could not write there (no such directory,
// no permission, a name longer than NAME_MAX or PATH_MAX, `path` is a
// directory or a socket, ...). Leaves nothing behind. Lets a caller refuse
// early, before expensive work whose result would be lost.
void check_writable(const std::string &path);

// Makes SIGINT, SIGTERM and SIGHUP remove the temporary file of a save() in
// progress, then end the process by the same signal as before. Signals that
// are ignored (or already handled) are left alone. For programs, not for
// libraries that do not own the process's signal handling.
void install_signal_cleanup();

// The number of elements of `shape`; throws Error on a negative dimension or
// on overflow of size_t.
size_t element_count(const std::vector<int64_t> &shape);

// `path` as messages show it: a very long one (a name near PATH_MAX) is cut
// in the middle, so what follows it in a message stays visible.
std::string display_path(const std::string &path);

// "(2, 3)", "(5,)", "()": a shape as Python writes a tuple. A shape of more
// than 8 dimensions shows the first 8 and how many more, so messages stay short.
std::string shape_string(const std::vector<int64_t> &shape);

}  // namespace npy
