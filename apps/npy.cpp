// The .npy format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a
// minor version byte, the header length (uint16 LE in 1.0, uint32 LE in 2.0),
// then the header, a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a final '\n', then the raw data.
#include "npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <random>

namespace npy {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kPrefixV1 = kMagicLen + 2 + 2;  // magic, version, uint16 length
constexpr size_t kPrefixV2 = kMagicLen + 2 + 4;  // magic, version, uint32 length
// A header longer than this is not one numpy would write for any shape we
// accept; refusing it keeps a corrupt length from allocating gigabytes.
constexpr uint32_t kMaxHeaderLen = 1u << 20;
constexpr size_t kAlign = 64;  // numpy aligns the data to 64 bytes

[[noreturn]] void fail(const std::string &path, const std::string &problem) {
    throw Error(path + ": " + problem);
}

std::string errno_text(int err) { return std::strerror(err); }

// Text from a file, made safe to print on one line of a message.
std::string printable(const std::string &s, size_t max_len = 120) {
    std::string out;
    for (size_t i = 0; i < s.size() && out.size() < max_len; i++) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += char(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (out.size() >= max_len) out += "...";
    return out;
}

bool host_is_little_endian() {
    const uint16_t probe = 1;
    unsigned char first;
    std::memcpy(&first, &probe, 1);
    return first == 1;
}

void byteswap_floats(float *data, size_t count) {
    for (size_t i = 0; i < count; i++) {
        unsigned char b[4];
        std::memcpy(b, &data[i], 4);
        std::swap(b[0], b[3]);
        std::swap(b[1], b[2]);
        std::memcpy(&data[i], b, 4);
    }
}

// Closes a file descriptor on every path out of a scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    // Closes now, reporting the error close() may carry (e.g. a deferred write error).
    int close() {
        int r = ::close(fd_);
        fd_ = -1;
        return r;
    }

private:
    int fd_;
};

// Reads up to n bytes; fewer only at end of file.
size_t read_fully(int fd, void *buf, size_t n, const std::string &path) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = ::read(fd, static_cast<char *>(buf) + done, n - done);
        if (r < 0) {
            if (errno == EINTR) continue;
            fail(path, "read failed: " + errno_text(errno));
        }
        if (r == 0) break;
        done += size_t(r);
    }
    return done;
}

// Writes n bytes; false with errno set on failure.
bool write_fully(int fd, const void *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = ::write(fd, static_cast<const char *>(buf) + done, n - done);
        if (r < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += size_t(r);
    }
    return true;
}

// ---------------------------------------------------------------------------
// The header: a small parser for the Python literals numpy writes there.

struct Value {
    enum Kind { String, Bool, None, Int, Tuple, List, Dict } kind = None;
    std::string str;
    bool boolean = false;
    int64_t integer = 0;
    std::vector<Value> items;                           // Tuple, List
    std::vector<std::pair<std::string, Value>> fields;  // Dict, in file order
};

class HeaderParser {
public:
    HeaderParser(const std::string &text, const std::string &path) : s_(text), path_(path) {}

    Value parse() {
        skip_space();
        if (peek() != '{') malformed("expected a dict starting with '{'");
        Value v = value();
        skip_space();
        if (pos_ != s_.size()) malformed("unexpected text after the dict");
        return v;
    }

private:
    [[noreturn]] void malformed(const std::string &what) const {
        fail(path_, "malformed header dict (" + what + " at offset " + std::to_string(pos_) + "): " +
                        printable(s_));
    }

    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    void skip_space() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            pos_++;
    }
    void expect(char c) {
        skip_space();
        if (peek() != c) malformed(std::string("expected '") + c + "'");
        pos_++;
    }

    Value value() {
        skip_space();
        const char c = peek();
        if (c == '\'' || c == '"') return string();
        if (c == '{') return dict();
        if (c == '(') return sequence(Value::Tuple, ')');
        if (c == '[') return sequence(Value::List, ']');
        if (c == '-' || (c >= '0' && c <= '9')) return integer();
        if (std::isalpha(static_cast<unsigned char>(c))) return name();
        if (c == '\0') malformed("unexpected end of header");
        malformed(std::string("unexpected character '") + printable(std::string(1, c)) + "'");
    }

    Value string() {
        const char quote = s_[pos_++];
        Value v;
        v.kind = Value::String;
        for (;;) {
            if (pos_ >= s_.size()) malformed("unterminated string");
            char c = s_[pos_++];
            if (c == quote) break;
            if (c == '\\') {
                if (pos_ >= s_.size()) malformed("unterminated string");
                c = s_[pos_++];
            }
            v.str += c;
        }
        return v;
    }

    Value integer() {
        Value v;
        v.kind = Value::Int;
        const bool negative = peek() == '-';
        if (negative) pos_++;
        if (!(peek() >= '0' && peek() <= '9')) malformed("expected digits");
        uint64_t magnitude = 0;
        while (peek() >= '0' && peek() <= '9') {
            magnitude = magnitude * 10 + uint64_t(s_[pos_++] - '0');
            if (magnitude > uint64_t(std::numeric_limits<int64_t>::max())) malformed("integer too large");
        }
        if (peek() == 'L' || peek() == 'l') pos_++;  // Python 2 long, in files from old numpy
        v.integer = negative ? -int64_t(magnitude) : int64_t(magnitude);
        return v;
    }

    Value name() {
        const size_t start = pos_;
        while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_') pos_++;
        const std::string word = s_.substr(start, pos_ - start);
        Value v;
        if (word == "True" || word == "False") {
            v.kind = Value::Bool;
            v.boolean = word == "True";
        } else if (word == "None") {
            v.kind = Value::None;
        } else {
            pos_ = start;
            malformed("unexpected name '" + printable(word) + "'");
        }
        return v;
    }

    Value sequence(Value::Kind kind, char close) {
        pos_++;
        Value v;
        v.kind = kind;
        bool trailing_comma = false;
        for (;;) {
            skip_space();
            if (peek() == close) break;
            v.items.push_back(value());
            skip_space();
            trailing_comma = peek() == ',';
            if (trailing_comma) {
                pos_++;
            } else if (peek() != close) {
                malformed(std::string("expected ',' or '") + close + "'");
            }
        }
        // "(5)" is the integer 5 in Python, not a tuple; numpy writes "(5,)".
        if (kind == Value::Tuple && v.items.size() == 1 && !trailing_comma)
            malformed("a 1-element tuple needs a trailing comma");
        pos_++;
        return v;
    }

    Value dict() {
        pos_++;
        Value v;
        v.kind = Value::Dict;
        for (;;) {
            skip_space();
            if (peek() == '}') break;
            if (peek() != '\'' && peek() != '"') malformed("expected a quoted key");
            std::string key = string().str;
            for (const auto &field : v.fields)
                if (field.first == key) malformed("duplicate key '" + printable(key) + "'");
            expect(':');
            v.fields.emplace_back(std::move(key), value());
            skip_space();
            if (peek() == ',') {
                pos_++;
            } else if (peek() != '}') {
                malformed("expected ',' or '}'");
            }
        }
        pos_++;
        return v;
    }

    const std::string &s_;
    const std::string &path_;
    size_t pos_ = 0;
};

// "float64", "int32", ... for a numpy type string such as "<f8".
std::string dtype_name(const std::string &descr) {
    if (descr.size() < 2) return "unknown";
    size_t i = 0;
    std::string order;
    if (descr[0] == '<' || descr[0] == '>' || descr[0] == '|' || descr[0] == '=') {
        if (descr[0] == '>') order = "big-endian ";
        i = 1;
    }
    if (i >= descr.size()) return "unknown";
    const char kind = descr[i];
    const std::string size_text = descr.substr(i + 1);
    int bytes = 0;
    for (char c : size_text) {
        if (c < '0' || c > '9' || bytes > 1000) return "unknown";
        bytes = bytes * 10 + (c - '0');
    }
    const std::string bits = std::to_string(bytes * 8);
    switch (kind) {
    case 'f': return order + "float" + bits;
    case 'i': return order + "int" + bits;
    case 'u': return order + "uint" + bits;
    case 'c': return order + "complex" + bits;
    case 'b': return "bool";
    case 'U': return "unicode string";
    case 'S': return "bytes";
    case 'O': return "Python object";
    case 'M': return "datetime64";
    case 'm': return "timedelta64";
    case 'V': return "void/structured";
    default: return "unknown";
    }
}

struct Header {
    std::vector<int64_t> shape;
    size_t data_offset = 0;
};

// Checks the dict's keys and values; returns the shape.
std::vector<int64_t> interpret_header(const Value &dict, const std::string &header_text, const std::string &path) {
    const Value *descr = nullptr, *fortran = nullptr, *shape = nullptr;
    for (const auto &[key, value] : dict.fields) {
        if (key == "descr") {
            descr = &value;
        } else if (key == "fortran_order") {
            fortran = &value;
        } else if (key == "shape") {
            shape = &value;
        } else {
            fail(path, "malformed header dict (unexpected key '" + printable(key) + "'): " + printable(header_text));
        }
    }
    for (auto [found, key] : {std::pair{descr, "descr"}, {fortran, "fortran_order"}, {shape, "shape"}})
        if (!found)
            fail(path, std::string("malformed header dict (missing key '") + key + "'): " + printable(header_text));

    if (descr->kind != Value::String)
        fail(path, "structured dtype (descr is not a type string) is not supported; only '<f4' "
                   "(float32, little-endian) is");
    if (descr->str != "<f4")
        fail(path, "dtype '" + printable(descr->str) + "' (" + dtype_name(descr->str) +
                       ") is not supported; only '<f4' (float32, little-endian) is");
    if (fortran->kind != Value::Bool)
        fail(path, "malformed header dict (fortran_order is not True or False): " + printable(header_text));
    if (fortran->boolean)
        fail(path, "fortran_order is True (column-major data); only C-order arrays are supported "
                   "(save with np.ascontiguousarray)");
    if (shape->kind != Value::Tuple)
        fail(path, "malformed header dict (shape is not a tuple): " + printable(header_text));
    std::vector<int64_t> dims;
    for (const Value &d : shape->items) {
        if (d.kind != Value::Int || d.integer < 0)
            fail(path, "malformed header dict (shape has an entry that is not a non-negative integer): " +
                           printable(header_text));
        dims.push_back(d.integer);
    }
    return dims;
}

Header read_header(int fd, const std::string &path) {
    unsigned char prefix[kPrefixV2];
    const size_t got = read_fully(fd, prefix, kPrefixV1, path);
    if (got == 0) fail(path, "file is empty, not a .npy file");
    if (std::memcmp(prefix, kMagic, std::min(got, kMagicLen)) != 0)
        fail(path, "not a .npy file (bad magic: expected \\x93NUMPY, found '" +
                       printable(std::string(reinterpret_cast<char *>(prefix), std::min(got, kMagicLen))) + "')");
    if (got < kPrefixV1)
        fail(path, "truncated header: the file ends after " + std::to_string(got) + " bytes");
    const int major = prefix[6], minor = prefix[7];
    size_t prefix_len;
    uint32_t header_len;
    if (major == 1 && minor == 0) {
        prefix_len = kPrefixV1;
        header_len = uint32_t(prefix[8]) | uint32_t(prefix[9]) << 8;
    } else if (major == 2 && minor == 0) {
        prefix_len = kPrefixV2;
        if (read_fully(fd, prefix + kPrefixV1, 2, path) < 2)
            fail(path, "truncated header: the file ends inside the format 2.0 header length");
        header_len = uint32_t(prefix[8]) | uint32_t(prefix[9]) << 8 | uint32_t(prefix[10]) << 16 |
                     uint32_t(prefix[11]) << 24;
    } else {
        fail(path, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                       " (only 1.0 and 2.0 are read)");
    }
    if (header_len > kMaxHeaderLen)
        fail(path, "header length " + std::to_string(header_len) + " is implausibly large (corrupt file?)");
    std::string text(header_len, '\0');
    const size_t text_got = read_fully(fd, text.data(), header_len, path);
    if (text_got < header_len)
        fail(path, "truncated header: " + std::to_string(header_len) + " header bytes expected, the file has " +
                       std::to_string(text_got));
    // numpy pads with spaces and a final '\n'; messages quote the header without them.
    text.erase(text.find_last_not_of(" \t\r\n") + 1);
    // As numpy's own reader, refuse a NUL: a sign of a corrupt or foreign file.
    if (text.find('\0') != std::string::npos)
        fail(path, "malformed header dict (contains a NUL byte): " + printable(text));
    Header h;
    h.shape = interpret_header(HeaderParser(text, path).parse(), text, path);
    h.data_offset = prefix_len + header_len;
    return h;
}

size_t data_bytes(const std::vector<int64_t> &shape, const std::string &path) {
    size_t count;
    try {
        count = element_count(shape);
    } catch (const Error &e) {
        fail(path, e.what());
    }
    if (count > std::numeric_limits<size_t>::max() / sizeof(float))
        fail(path, "shape " + shape_string(shape) + " is too large");
    return count * sizeof(float);
}

// The file a save() writes first: in the target's directory, so that rename()
// is atomic (same file system); hidden, and unique to this process and call.
struct TempFile {
    std::string path;
    int fd = -1;
};

std::string directory_of(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string basename_of(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Checks `path` names a file that could be replaced, and creates the temp file
// beside it.
TempFile create_temp_beside(const std::string &path) {
    if (path.empty()) throw Error("output path is empty");
    const std::string base = basename_of(path);
    if (base.empty() || base == "." || base == "..") fail(path, "is a directory, not a file name");
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) fail(path, "is a directory");
    const std::string dir = directory_of(path);
    struct stat dir_st;
    if (::stat(dir.c_str(), &dir_st) != 0)
        fail(path, "cannot write into directory '" + dir + "': " + errno_text(errno));
    if (!S_ISDIR(dir_st.st_mode)) fail(path, "cannot write into '" + dir + "': not a directory");

    static std::atomic<unsigned> counter{0};
    static const unsigned salt = std::random_device{}();
    // The base name is cut so that the temp name stays within NAME_MAX.
    const std::string prefix = (dir == "/" ? "/" : dir + "/") + "." + base.substr(0, 64) + ".tmp-" +
                               std::to_string(::getpid()) + "-";
    for (int attempt = 0; attempt < 100; attempt++) {
        TempFile t;
        t.path = prefix + std::to_string(salt ^ counter.fetch_add(1));
        // 0666 less the umask: the permissions a plain new file would get.
        t.fd = ::open(t.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (t.fd >= 0) return t;
        if (errno != EEXIST) fail(path, "cannot create a file in directory '" + dir + "': " + errno_text(errno));
    }
    fail(path, "cannot create a unique temporary file in directory '" + dir + "'");
}

// Removes a file when destroyed, unless told to keep it.
class RemoveUnlessKept {
public:
    explicit RemoveUnlessKept(std::string path) : path_(std::move(path)) {}
    RemoveUnlessKept(const RemoveUnlessKept &) = delete;
    RemoveUnlessKept &operator=(const RemoveUnlessKept &) = delete;
    ~RemoveUnlessKept() {
        if (!kept_) ::unlink(path_.c_str());
    }
    void keep() { kept_ = true; }

private:
    std::string path_;
    bool kept_ = false;
};

std::string header_dict(const std::vector<int64_t> &shape) {
    return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_string(shape) + ", }";
}

}  // namespace

size_t element_count(const std::vector<int64_t> &shape) {
    size_t count = 1;
    for (int64_t d : shape) {
        if (d < 0) throw Error("shape " + shape_string(shape) + " has a negative dimension");
        if (d != 0 && count > std::numeric_limits<size_t>::max() / uint64_t(d))
            throw Error("shape " + shape_string(shape) + " has too many elements");
        count *= size_t(d);
    }
    return count;
}

std::string shape_string(const std::vector<int64_t> &shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

Array load(const std::string &path) {
    if (path.empty()) throw Error("input path is empty");
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail(path, "cannot open: " + errno_text(errno));
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) fail(path, "cannot stat: " + errno_text(errno));
    if (S_ISDIR(st.st_mode)) fail(path, "is a directory, not a .npy file");

    const Header header = read_header(fd.get(), path);
    const size_t bytes = data_bytes(header.shape, path);
    // For a regular file the size is known: judge it before allocating, so a
    // corrupt shape cannot ask for more memory than the file could fill.
    if (S_ISREG(st.st_mode)) {
        const uint64_t available = uint64_t(st.st_size) > header.data_offset ? uint64_t(st.st_size) - header.data_offset : 0;
        if (available < bytes)
            fail(path, "truncated data: shape " + shape_string(header.shape) + " needs " + std::to_string(bytes) +
                           " bytes of float32 data, the file has " + std::to_string(available));
        if (available > bytes)
            fail(path, std::to_string(available - bytes) + " unexpected bytes after the " + std::to_string(bytes) +
                           " bytes of data for shape " + shape_string(header.shape));
    }

    Array a;
    a.shape = header.shape;
    try {
        a.data.resize(bytes / sizeof(float));
    } catch (const std::bad_alloc &) {
        fail(path, "out of memory for shape " + shape_string(header.shape));
    }
    const size_t got = read_fully(fd.get(), a.data.data(), bytes, path);
    if (got < bytes)
        fail(path, "truncated data: shape " + shape_string(header.shape) + " needs " + std::to_string(bytes) +
                       " bytes of float32 data, the file has " + std::to_string(got));
    char extra;
    if (read_fully(fd.get(), &extra, 1, path) != 0)
        fail(path, "unexpected bytes after the " + std::to_string(bytes) + " bytes of data for shape " +
                       shape_string(header.shape));
    if (!host_is_little_endian()) byteswap_floats(a.data.data(), a.data.size());
    return a;
}

void save(const std::string &path, const Array &a) {
    size_t count;
    try {
        count = element_count(a.shape);
    } catch (const Error &e) {
        fail(path, e.what());
    }
    if (count != a.data.size())
        fail(path, "cannot save: shape " + shape_string(a.shape) + " needs " + std::to_string(count) +
                       " elements, the data has " + std::to_string(a.data.size()));
    save(path, a.shape, a.data.data());
}

void save(const std::string &path, const std::vector<int64_t> &shape, const float *data) {
    const size_t bytes = data_bytes(shape, path);
    if (bytes && !data) fail(path, "cannot save: null data for shape " + shape_string(shape));

    // The header, padded with spaces to end with '\n' on a 64-byte boundary.
    std::string dict = header_dict(shape);
    const bool v2 = kPrefixV1 + dict.size() + 1 > 0xffff;
    const size_t prefix_len = v2 ? kPrefixV2 : kPrefixV1;
    const size_t total = (prefix_len + dict.size() + 1 + kAlign - 1) / kAlign * kAlign;
    const size_t header_len = total - prefix_len;
    std::string file_head(kMagic, kMagicLen);
    file_head += char(v2 ? 2 : 1);
    file_head += char(0);
    for (size_t i = 0; i < (v2 ? 4u : 2u); i++) file_head += char((header_len >> (8 * i)) & 0xff);
    file_head += dict;
    file_head.append(header_len - dict.size() - 1, ' ');
    file_head += '\n';

    const TempFile created = create_temp_beside(path);
    Fd fd(created.fd);
    RemoveUnlessKept temp(created.path);  // on every failure, exceptions included
    // Replacing a file keeps its permissions, as writing into it would.
    struct stat old;
    if (::stat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode)) (void)::fchmod(fd.get(), old.st_mode & 07777);

    if (!write_fully(fd.get(), file_head.data(), file_head.size())) fail(path, "write failed: " + errno_text(errno));
    if (host_is_little_endian()) {
        if (bytes && !write_fully(fd.get(), data, bytes)) fail(path, "write failed: " + errno_text(errno));
    } else {
        std::vector<float> swapped(data, data + bytes / sizeof(float));
        byteswap_floats(swapped.data(), swapped.size());
        if (bytes && !write_fully(fd.get(), swapped.data(), bytes)) fail(path, "write failed: " + errno_text(errno));
    }
    // Data on disk before the rename makes it visible: a crash leaves the old
    // file or the new one, never a torn one.
    if (::fsync(fd.get()) != 0) fail(path, "fsync failed: " + errno_text(errno));
    if (fd.close() != 0) fail(path, "close failed: " + errno_text(errno));
    if (::rename(created.path.c_str(), path.c_str()) != 0) fail(path, "cannot replace it: " + errno_text(errno));
    temp.keep();
    // Persist the rename itself; a failure here loses nothing already visible.
    Fd dir(::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) (void)::fsync(dir.get());
}

void check_writable(const std::string &path) {
    const TempFile created = create_temp_beside(path);
    Fd fd(created.fd);
    RemoveUnlessKept temp(created.path);
}

}  // namespace npy
