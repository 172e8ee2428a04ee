// The .npy format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a
// minor version byte, the header length (uint16 LE in 1.0, uint32 LE in 2.0),
// then the header, a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a final '\n', then the raw data.
#include "npy.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <random>

namespace npy {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kPrefixV1 = kMagicLen + 2 + 2;  // magic, version, uint16 length
constexpr size_t kPrefixV2 = kMagicLen + 2 + 4;  // magic, version, uint32 length
constexpr size_t kAlign = 64;  // numpy aligns the data to 64 bytes
constexpr size_t kShapeShown = 8;  // dimensions a shape_string() shows
constexpr int kMaxSymlinks = 40;  // links followed to an output's target, as Linux does (ELOOP)

[[noreturn]] void fail(const std::string &path, const std::string &problem) {
    throw Error(display_path(path) + ": " + problem);
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
    void reset(int fd) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
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

    // One level of brackets, for as long as it lives: value() -> sequence() ->
    // value() recurses, and "((((..." must not exhaust the stack.
    class Nested {
    public:
        explicit Nested(HeaderParser &p) : p_(p) {
            if (++p_.depth_ > kMaxHeaderDepth)
                p_.malformed("nested too deeply: more than " + std::to_string(kMaxHeaderDepth) + " levels of brackets");
        }
        ~Nested() { p_.depth_--; }
        Nested(const Nested &) = delete;
        Nested &operator=(const Nested &) = delete;

    private:
        HeaderParser &p_;
    };

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
        const Nested nested(*this);
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
        const Nested nested(*this);
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
    int depth_ = 0;
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
    if (header_len > kMaxHeaderBytes)
        fail(path, "header length " + std::to_string(header_len) + " is over the limit of " +
                       std::to_string(kMaxHeaderBytes) + " bytes (numpy's max_header_size; corrupt file?)");
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

std::string truncated_data(const std::vector<int64_t> &shape, size_t bytes, uint64_t got) {
    return "truncated data: shape " + shape_string(shape) + " needs " + std::to_string(bytes) +
           " bytes of float32 data, the file has " + std::to_string(got);
}

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

// "a directory", "a socket", ...: what a stat() found, for messages.
std::string file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISREG(mode)) return "a regular file";
    return "a special file";
}

// Why the system found `p` too long (ENAMETOOLONG): a name over NAME_MAX
// bytes, or the whole path over PATH_MAX.
std::string name_too_long(const std::string &p) {
    for (size_t start = 0; start <= p.size();) {
        size_t end = p.find('/', start);
        if (end == std::string::npos) end = p.size();
        if (end - start > NAME_MAX)
            return "a name in the path is " + std::to_string(end - start) + " bytes long, over the limit of " +
                   std::to_string(NAME_MAX) + " (NAME_MAX)";
        start = end + 1;
    }
    if (p.size() >= PATH_MAX)
        return "the path is " + std::to_string(p.size()) + " bytes long, over the limit of " +
               std::to_string(PATH_MAX - 1) + " (PATH_MAX)";
    return errno_text(ENAMETOOLONG);
}

// A system call's failure on `p`, for messages.
std::string failure_text(int err, const std::string &p) {
    return err == ENAMETOOLONG ? name_too_long(p) : errno_text(err);
}

// ---------------------------------------------------------------------------
// Temporary files and signals. A save() writes a temporary file; the handler
// installed by install_signal_cleanup() removes the ones being written. The
// paths live in static storage, written before a slot is armed and never
// while it is, so the handler reads them without locks or allocation.

struct TempSlot {
    std::atomic<int> state{0};  // kFree, kClaimed (path being written), kArmed
    char path[PATH_MAX];
};
constexpr int kFree = 0, kClaimed = 1, kArmed = 2;
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler reads these atomics");
// One slot per save() in progress; a save() beyond these (from many threads
// at once) still works, its temporary file just outlives a signal.
TempSlot g_temp_slots[8];

void remove_temp_files_and_reraise(int sig) {
    const int saved_errno = errno;
    for (TempSlot &slot : g_temp_slots)
        if (slot.state.load() == kArmed) ::unlink(slot.path);
    // SA_RESETHAND restored the previous (default) action: re-raised, the
    // signal ends the process as it would have, once this handler returns.
    ::raise(sig);
    errno = saved_errno;
}

// A temporary file: removed when this is destroyed unless kept, and, while it
// exists, by the signal handler.
class TempFile {
public:
    // Known to the signal handler before the file exists, so that it never
    // exists unknown to it. (Its name is unique to this process: a file the
    // handler might find there, were create() to fail, is not another's.)
    explicit TempFile(std::string path) : path_(std::move(path)) {
        if (path_.size() >= sizeof g_temp_slots[0].path) return;
        for (TempSlot &slot : g_temp_slots) {
            int expected = kFree;
            if (slot.state.compare_exchange_strong(expected, kClaimed)) {
                std::memcpy(slot.path, path_.c_str(), path_.size() + 1);
                slot.state.store(kArmed);
                slot_ = &slot;
                return;
            }
        }
    }
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;
    ~TempFile() {
        if (created_ && !kept_) ::unlink(path_.c_str());
        release();
    }
    // Creates the file, new; false (errno set) if it could not be.
    bool create() {
        // 0666 less the umask: the permissions a plain new file would get.
        fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
        created_ = fd_.get() >= 0;
        return created_;
    }
    const std::string &path() const { return path_; }
    Fd &fd() { return fd_; }
    // The file has been renamed into place: it is no longer temporary.
    void keep() {
        kept_ = true;
        release();
    }

private:
    void release() {
        if (slot_) slot_->state.store(kFree);
        slot_ = nullptr;
    }
    std::string path_;
    Fd fd_;
    TempSlot *slot_ = nullptr;
    bool created_ = false, kept_ = false;
};

// Creates a new temporary file in `dir` for the file `target` there: in the
// same directory, so that rename() is atomic (same file system); hidden, and
// unique to this process and call. `path` is the caller's name, for messages.
std::unique_ptr<TempFile> create_temp(const std::string &path, const std::string &dir, const std::string &target) {
    static std::atomic<unsigned> counter{0};
    static const unsigned salt = std::random_device{}();
    // The base name is cut so that the temporary name stays within NAME_MAX.
    const std::string prefix = (dir == "/" ? "/" : dir + "/") + "." + basename_of(target).substr(0, 64) + ".tmp-" +
                               std::to_string(::getpid()) + "-";
    for (int attempt = 0; attempt < 100; attempt++) {
        auto temp = std::make_unique<TempFile>(prefix + std::to_string(salt ^ counter.fetch_add(1)));
        if (temp->create()) return temp;
        const int err = errno;
        if (err != EEXIST)
            fail(path, "cannot create a file in directory '" + display_path(dir) + "': " +
                           failure_text(err, temp->path()));
    }
    fail(path, "cannot create a unique temporary file in directory '" + display_path(dir) + "'");
}

// ---------------------------------------------------------------------------
// Where a save() writes.

struct Destination {
    enum Kind {
        NewFile,      // nothing there yet: created by rename()
        RegularFile,  // replaced by rename(), keeping its permissions
        Stream,       // a character device or FIFO: written in place
    } kind = NewFile;
    std::string path;  // the end of the chain of symbolic links from the caller's path
    mode_t mode = 0;   // a RegularFile's
};

// The target of the symbolic link `link`; a relative one is relative to the link's directory.
std::string link_target(const std::string &path, const std::string &link) {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
    const int err = errno;
    if (n < 0) fail(path, "cannot read the symbolic link '" + display_path(link) + "': " + errno_text(err));
    if (size_t(n) >= sizeof buf) fail(path, "the symbolic link '" + display_path(link) + "' has a target longer than PATH_MAX");
    const std::string target(buf, size_t(n));
    const size_t slash = link.find_last_of('/');
    if (target[0] == '/' || slash == std::string::npos) return target;
    return link.substr(0, slash + 1) + target;
}

// The end of the chain of symbolic links that starts at `path` (`path` itself
// if it is not a link). Only the final component is followed by hand: the
// directories on the way are resolved by the system, and a rename() in them
// works.
std::string follow_links(const std::string &path) {
    std::string p = path;
    for (int links = 0;; links++) {
        struct stat st;
        if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
        if (links == kMaxSymlinks) fail(path, "too many levels of symbolic links");
        p = link_target(path, p);
    }
}

// Where a save to `path` writes, checked: a link stays, the file it leads to
// is what a save replaces. Special files are judged by what the system finds
// at `path` (and later opened by that name), so that the kernel's own links
// (/dev/stdout, /dev/fd/N, which may name a pipe) work as the shell's would.
Destination resolve_destination(const std::string &path) {
    if (path.empty()) throw Error("output path is empty");
    const std::string base = basename_of(path);
    if (base.empty() || base == "." || base == "..") fail(path, "is a directory, not a file name");
    Destination d;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
            d.kind = Destination::Stream;
            d.path = path;
            return d;
        }
        if (S_ISDIR(st.st_mode)) fail(path, "is a directory");
        if (!S_ISREG(st.st_mode))
            fail(path, "is " + file_kind(st.st_mode) + "; only a regular file, a character device or a FIFO can be written");
        d.kind = Destination::RegularFile;
        d.path = follow_links(path);
        d.mode = st.st_mode & 07777;
        // The links, read by hand, must lead where the system's did (not so for
        // a /proc link to a deleted file, or links changing meanwhile).
        struct stat target;
        if (::stat(d.path.c_str(), &target) != 0 || target.st_dev != st.st_dev || target.st_ino != st.st_ino)
            fail(path, "cannot tell which file its symbolic links lead to, to replace it");
        return d;
    }
    const int err = errno;
    if (err == ELOOP) fail(path, "too many levels of symbolic links");
    if (err != ENOENT && err != ENOTDIR) fail(path, "cannot write there: " + failure_text(err, path));
    // Nothing there (a dangling link included): created at the end of the links,
    // in a directory that must exist.
    d.kind = Destination::NewFile;
    d.path = follow_links(path);
    const std::string target_base = basename_of(d.path);
    if (target_base.empty() || target_base == "." || target_base == "..")
        fail(path, "leads to '" + display_path(d.path) + "', a directory, not a file name");
    const std::string dir = directory_of(d.path);
    struct stat dir_st;
    if (::stat(dir.c_str(), &dir_st) != 0) {
        const int dir_err = errno;
        fail(path, "cannot write into directory '" + display_path(dir) + "': " + failure_text(dir_err, dir));
    }
    if (!S_ISDIR(dir_st.st_mode)) fail(path, "cannot write into '" + display_path(dir) + "': not a directory");
    // Some file systems say ENOENT, not ENAMETOOLONG, for a long name that is
    // not there; the rename would fail only after the work.
    const long name_max = ::pathconf(dir.c_str(), _PC_NAME_MAX);
    const size_t limit = name_max > 0 ? size_t(name_max) : size_t(NAME_MAX);
    if (target_base.size() > limit)
        fail(path, "the file name is " + std::to_string(target_base.size()) + " bytes long, over the limit of " +
                       std::to_string(limit) + " (NAME_MAX)");
    return d;
}

// A shape as a Python tuple, its first `shown` dimensions and how many more.
std::string tuple_text(const std::vector<int64_t> &shape, size_t shown) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size() && i < shown; i++) s += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() > shown) s += ", ... " + std::to_string(shape.size() - shown) + " more";
    return s + (shape.size() == 1 ? ",)" : ")");
}

std::string header_dict(const std::vector<int64_t> &shape) {
    // Every dimension: this is the file's header, not a message.
    return "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple_text(shape, shape.size()) + ", }";
}

// The whole file before the data: magic, version, length, and the header,
// padded with spaces to end with '\n' on a 64-byte boundary.
std::string file_head(const std::vector<int64_t> &shape) {
    std::string dict = header_dict(shape);
    const bool v2 = kPrefixV1 + dict.size() + 1 > 0xffff;
    const size_t prefix_len = v2 ? kPrefixV2 : kPrefixV1;
    const size_t total = (prefix_len + dict.size() + 1 + kAlign - 1) / kAlign * kAlign;
    const size_t header_len = total - prefix_len;
    std::string head(kMagic, kMagicLen);
    head += char(v2 ? 2 : 1);
    head += char(0);
    for (size_t i = 0; i < (v2 ? 4u : 2u); i++) head += char((header_len >> (8 * i)) & 0xff);
    head += dict;
    head.append(header_len - dict.size() - 1, ' ');
    head += '\n';
    return head;
}

// Writes the head and `bytes` of data, little-endian; false with errno set on failure.
bool write_npy(int fd, const std::string &head, const float *data, size_t bytes) {
    if (!write_fully(fd, head.data(), head.size())) return false;
    if (!bytes) return true;
    if (host_is_little_endian()) return write_fully(fd, data, bytes);
    std::vector<float> swapped(data, data + bytes / sizeof(float));
    byteswap_floats(swapped.data(), swapped.size());
    return write_fully(fd, swapped.data(), bytes);
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

std::string display_path(const std::string &path) {
    constexpr size_t kHead = 120, kTail = 80;
    if (path.size() <= kHead + kTail + 40) return path;
    return path.substr(0, kHead) + "[... " + std::to_string(path.size() - kHead - kTail) + " bytes ...]" +
           path.substr(path.size() - kTail);
}

std::string shape_string(const std::vector<int64_t> &shape) { return tuple_text(shape, kShapeShown); }

Reader::Reader(const std::string &path) : path_(path) {
    if (path.empty()) throw Error("input path is empty");
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail(path, "cannot open: " + failure_text(errno, path));
    if (::fstat(fd_, &stat_) != 0) fail(path, "cannot stat: " + errno_text(errno));
    if (S_ISDIR(stat_.st_mode)) fail(path, "is a directory, not a .npy file");
    const Header header = read_header(fd_, path);
    shape_ = header.shape;
    data_offset_ = header.data_offset;
}

Reader::~Reader() {
    if (fd_ >= 0) ::close(fd_);
}

bool Reader::is_same_file(const std::string &other) const {
    struct stat st;
    return ::stat(other.c_str(), &st) == 0 && st.st_dev == stat_.st_dev && st.st_ino == stat_.st_ino;
}

std::vector<float> Reader::read_data() {
    if (data_read_) fail(path_, "data already read");
    data_read_ = true;
    const size_t bytes = data_bytes(shape_, path_);
    std::vector<float> data;
    size_t got = 0;
    if (S_ISREG(stat_.st_mode)) {
        // The size is known: judge it before allocating, so a corrupt shape
        // cannot ask for more memory than the file could fill.
        const uint64_t size = uint64_t(stat_.st_size);
        const uint64_t available = size > data_offset_ ? size - data_offset_ : 0;
        if (available < bytes) fail(path_, truncated_data(shape_, bytes, available));
        if (available > bytes)
            fail(path_, std::to_string(available - bytes) + " unexpected bytes after the " + std::to_string(bytes) +
                            " bytes of data for shape " + shape_string(shape_));
        try {
            data.resize(bytes / sizeof(float));
        } catch (const std::bad_alloc &) {
            fail(path_, "out of memory for shape " + shape_string(shape_));
        }
        got = read_fully(fd_, data.data(), bytes, path_);
    } else {
        // A stream's size is what it delivers: grow by chunks as data arrives
        // (the vector's doubling keeps the copies linear).
        while (got < bytes) {
            const size_t want = std::min(bytes, got + kStreamChunkBytes);
            try {
                data.resize(want / sizeof(float));
            } catch (const std::bad_alloc &) {
                fail(path_, "out of memory for shape " + shape_string(shape_) + " after reading " +
                                std::to_string(got) + " bytes");
            }
            const size_t n = read_fully(fd_, reinterpret_cast<char *>(data.data()) + got, want - got, path_);
            got += n;
            if (got < want) break;  // end of the stream
        }
    }
    if (got < bytes) fail(path_, truncated_data(shape_, bytes, got));
    char extra;
    if (read_fully(fd_, &extra, 1, path_) != 0)
        fail(path_, "unexpected bytes after the " + std::to_string(bytes) + " bytes of data for shape " +
                        shape_string(shape_));
    if (!host_is_little_endian()) byteswap_floats(data.data(), data.size());
    return data;
}

Array load(const std::string &path) {
    Reader reader(path);
    Array a;
    a.shape = reader.shape();
    a.data = reader.read_data();
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
    const std::string head = file_head(shape);
    const Destination d = resolve_destination(path);

    if (d.kind == Destination::Stream) {
        // No temporary file, no rename: a device or FIFO is written as it is.
        // A FIFO blocks here until a reader opens it, as `cat > fifo` would.
        Fd fd(::open(d.path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
        if (fd.get() < 0) fail(path, "cannot open for writing: " + errno_text(errno));
        if (!write_npy(fd.get(), head, data, bytes)) fail(path, "write failed: " + errno_text(errno));
        if (fd.close() != 0) fail(path, "close failed: " + errno_text(errno));
        return;
    }

    const std::string dir = directory_of(d.path);
    const std::unique_ptr<TempFile> temp = create_temp(path, dir, d.path);  // removed on every failure
    // Replacing a file keeps its permissions, as writing into it would.
    if (d.kind == Destination::RegularFile) (void)::fchmod(temp->fd().get(), d.mode);
    if (!write_npy(temp->fd().get(), head, data, bytes)) fail(path, "write failed: " + errno_text(errno));
    // Data on disk before the rename makes it visible: a crash leaves the old
    // file or the new one, never a torn one.
    if (::fsync(temp->fd().get()) != 0) fail(path, "fsync failed: " + errno_text(errno));
    if (temp->fd().close() != 0) fail(path, "close failed: " + errno_text(errno));
    if (::rename(temp->path().c_str(), d.path.c_str()) != 0)
        fail(path, "cannot replace it: " + failure_text(errno, d.path));
    temp->keep();
    // Persist the rename itself; a failure here loses nothing already visible.
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() >= 0) (void)::fsync(dir_fd.get());
}

void check_writable(const std::string &path) {
    const Destination d = resolve_destination(path);
    if (d.kind == Destination::Stream) {
        // Opening a FIFO would wait for its reader; its permission is what can be checked.
        if (::access(d.path.c_str(), W_OK) != 0) fail(path, "cannot write: " + errno_text(errno));
        return;
    }
    create_temp(path, directory_of(d.path), d.path);  // and removed at once
}

void install_signal_cleanup() {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) != 0) continue;
        // An ignored signal stays ignored (nohup, a shell's background job);
        // a handler someone else installed stays theirs.
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
        struct sigaction action {};
        action.sa_handler = remove_temp_files_and_reraise;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        (void)::sigaction(sig, &action, nullptr);
    }
}

}  // namespace npy
