// What the CLI tests share: running bin/wino as a child process (a time limit,
// an optional address-space limit, pipes fed by the test, and what came back:
// exit status or signal, output, peak memory), .npy files written byte by
// byte (not with the library under test, so a symmetric bug in its reader and
// writer cannot hide), and snapshots of a directory, to tell whether a run
// changed anything on disk.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace wino::test {

namespace fs = std::filesystem;

// Whether this binary runs under AddressSanitizer, whose shadow memory needs
// terabytes of address space: no RLIMIT_AS then.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnderAsan = true;
#else
constexpr bool kUnderAsan = false;
#endif
#else
constexpr bool kUnderAsan = false;
#endif

// ---------------------------------------------------------------------------
// Files.

inline std::string read_bytes(const fs::path &path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// Writes `bytes` to `path`; throws on failure (a test failure, in GoogleTest).
inline void write_bytes(const fs::path &path, const std::string &bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f.good()) throw std::runtime_error("cannot write " + path.string());
}

// Every entry under `dir`, recursively, without following links: a regular
// file's permissions and contents, a link's target, or the kind of anything
// else. Two equal snapshots: nothing was created, removed or changed.
inline void snapshot_into(const fs::path &dir, const fs::path &rel, std::map<std::string, std::string> &entries) {
    std::error_code ec;
    for (fs::directory_iterator it(dir / rel, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path entry_rel = rel / it->path().filename();
        const std::string key = entry_rel.string(), path = it->path().string();
        struct stat st;
        if (::lstat(path.c_str(), &st) != 0) {
            entries[key] = "<vanished>";
            continue;
        }
        const std::string mode = std::to_string(st.st_mode & 07777) + " ";
        if (S_ISREG(st.st_mode)) {
            entries[key] = mode + "file " + read_bytes(path);
        } else if (S_ISLNK(st.st_mode)) {
            entries[key] = "link -> " + fs::read_symlink(path, ec).string();
        } else if (S_ISDIR(st.st_mode)) {
            entries[key] = mode + "dir";
            snapshot_into(dir, entry_rel, entries);
        } else if (S_ISFIFO(st.st_mode)) {
            entries[key] = mode + "fifo";
        } else if (S_ISCHR(st.st_mode)) {
            entries[key] = mode + "chardev " + std::to_string(st.st_rdev);
        } else {
            entries[key] = mode + "other";
        }
    }
    if (ec) entries[(rel / "<error>").string()] = ec.message();
}

inline std::map<std::string, std::string> snapshot(const fs::path &dir) {
    std::map<std::string, std::string> entries;
    snapshot_into(dir, "", entries);
    return entries;
}

// A fresh directory under the system's temp dir, readable by all (a child
// may run as another user); removed when this is destroyed.
class TempDir {
public:
    explicit TempDir(const std::string &name) {
        std::string pattern = (fs::temp_directory_path() / (name + "_XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
        path_ = pattern;
        ::chmod(path_.c_str(), 0755);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const fs::path &path() const { return path_; }

private:
    fs::path path_;
};

// ---------------------------------------------------------------------------
// .npy files, byte by byte (little-endian hosts only; the tests check).

template <typename T>
std::string le_bytes(const std::vector<T> &values) {
    std::string b(values.size() * sizeof(T), '\0');
    if (!b.empty()) std::memcpy(b.data(), values.data(), b.size());
    return b;
}

// A .npy file: the header dict text as given, padded to 64 bytes, then `data`.
inline std::string npy_file(const std::string &dict, const std::string &data, int major = 1) {
    const size_t prefix = major == 1 ? 10 : 12;
    std::string header = dict;
    while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string f = "\x93NUMPY";
    f += char(major);
    f += char(0);
    for (size_t i = 0; i < prefix - 8; i++) f += char((header.size() >> (8 * i)) & 0xff);
    return f + header + data;
}

inline std::string shape_text(const std::vector<int64_t> &shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

// The header dict numpy writes, with the shape given as text (any text).
inline std::string dict_text_with(const std::string &descr, bool fortran, const std::string &shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape +
           ", }";
}
inline std::string dict_text(const std::string &descr, bool fortran, const std::vector<int64_t> &shape) {
    return dict_text_with(descr, fortran, shape_text(shape));
}

inline size_t count_of(const std::vector<int64_t> &shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= size_t(d);
    return n;
}

inline std::string f32_npy(const std::vector<int64_t> &shape, const std::vector<float> &data) {
    return npy_file(dict_text("<f4", false, shape), le_bytes(data));
}

// The floats of a float32 .npy file of `shape` as numpy writes it (version
// 1.0, this exact header); false if the bytes are anything else.
inline bool decode_f32_npy(const std::string &bytes, const std::vector<int64_t> &shape, std::vector<float> &data) {
    const std::string head = npy_file(dict_text("<f4", false, shape), "");
    if (bytes.size() != head.size() + count_of(shape) * 4 || bytes.compare(0, head.size(), head) != 0) return false;
    data.resize(count_of(shape));
    if (!data.empty()) std::memcpy(data.data(), bytes.data() + head.size(), data.size() * 4);
    return true;
}

// ---------------------------------------------------------------------------
// Child processes.

struct ChildResult {
    int status = -1;         // the exit status; -1 if it did not exit
    int signal = 0;          // the signal that ended it; 0 if it exited
    bool timed_out = false;  // killed (SIGKILL) at the deadline
    std::string out, err;
    double seconds = 0;
    long max_rss_kib = 0;  // peak resident memory
};

struct ChildOptions {
    fs::path cwd;                          // empty: the test's own
    double timeout_s = 30;                 // then killed, with its process group
    uint64_t address_space_bytes = 0;      // RLIMIT_AS; 0: none
    // child fd -> bytes the test writes into a pipe the child reads there (as
    // /dev/fd/N); use fds from 60 up, above any the test process holds.
    std::map<int, std::string> pipes;
    std::vector<std::string> env;          // NAME=VALUE added to (or replacing in) the environment
    bool as_nobody = false;                // if root: run as uid and gid 65534 (permissions then apply)
    std::function<void(pid_t)> watch;      // called about every millisecond while the child runs
};

// Drops this (root) process to user and group nobody; false if it cannot.
inline bool become_nobody() { return ::setgroups(0, nullptr) == 0 && ::setgid(65534) == 0 && ::setuid(65534) == 0; }

// What a child started with as_nobody can do with the executable `path`:
// run it (0); not reach it (1: e.g. a build under /root, mode 0700); or not
// become nobody at all (2: a container or namespace that maps only root).
// Not root: 0 (as_nobody does nothing then).
inline int nobody_access(const std::string &path) {
    if (::geteuid() != 0) return 0;
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (!become_nobody()) ::_exit(2);
        ::_exit(::access(path.c_str(), X_OK) == 0 ? 0 : 1);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 2;
    return WEXITSTATUS(status);
}

// Writes `bytes` into fd and closes it; stops early if the reader goes away.
inline void feed_pipe(int fd, std::string bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EPIPE: the child closed its end (or exited)
        done += size_t(n);
    }
    ::close(fd);
}

// Runs argv[0] (a path) with argv; stdin is /dev/null.
inline ChildResult run_child(const std::vector<std::string> &argv, const ChildOptions &options = {}) {
    // A pipe whose reader exited is EPIPE for feed_pipe, not death by SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    ChildResult r;
    // Everything the child needs, built before fork (only async-signal-safe calls after it).
    std::vector<char *> args;
    for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char **e = environ; *e; e++) {
        const std::string entry = *e;
        bool replaced = false;
        for (const std::string &extra : options.env)
            replaced |= entry.compare(0, extra.find('=') + 1, extra, 0, extra.find('=') + 1) == 0;
        if (!replaced) env_strings.push_back(entry);
    }
    env_strings.insert(env_strings.end(), options.env.begin(), options.env.end());
    std::vector<char *> env;
    for (const std::string &e : env_strings) env.push_back(const_cast<char *>(e.c_str()));
    env.push_back(nullptr);
    const std::string cwd = options.cwd.string();

    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        r.err = "pipe: " + std::string(std::strerror(errno));
        return r;
    }
    struct FedPipe {
        int child_fd, read_end, write_end;
        const std::string *bytes;
    };
    std::vector<FedPipe> fed;
    for (const auto &[child_fd, bytes] : options.pipes) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) {
            r.err = "pipe: " + std::string(std::strerror(errno));
            return r;
        }
        fed.push_back({child_fd, p[0], p[1], &bytes});
    }
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
        r.err = "fork: " + std::string(std::strerror(errno));
        return r;
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        // As a shell would start it: default signal actions (an ignored one,
        // such as this process's SIGPIPE, would be inherited), none blocked.
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) ::signal(sig, SIG_DFL);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_pipe[1], 1) < 0 || ::dup2(err_pipe[1], 2) < 0)
            ::_exit(126);
        for (const FedPipe &p : fed) {
            if (p.read_end == p.child_fd) {
                ::fcntl(p.child_fd, F_SETFD, 0);  // dup2 onto itself would keep close-on-exec
            } else if (::dup2(p.read_end, p.child_fd) < 0) {
                ::_exit(126);
            }
        }
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
        if (options.address_space_bytes) {
            const rlimit limit{options.address_space_bytes, options.address_space_bytes};
            if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(126);
        }
        if (options.as_nobody && ::geteuid() == 0 && !become_nobody()) ::_exit(126);  // callers check nobody_access() first
        ::execve(args[0], args.data(), env.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    std::vector<std::thread> feeders;
    for (const FedPipe &p : fed) {
        ::close(p.read_end);  // only the child reads: when it exits, the feeder gets EPIPE
        feeders.emplace_back(feed_pipe, p.write_end, *p.bytes);
    }

    const auto deadline = start + std::chrono::duration<double>(options.timeout_s);
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string *sinks[2] = {&r.out, &r.err};
    bool open[2] = {true, true}, exited = false;
    int status = 0;
    rusage usage{};
    std::chrono::steady_clock::time_point exit_time;
    for (;;) {
        ::poll(fds, 2, options.watch ? 1 : 10);
        for (int i = 0; i < 2; i++) {
            if (!open[i] || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[65536];
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, size_t(n));
            } else if (n == 0 || errno != EINTR) {
                open[i] = false;
                fds[i].fd = -1;
            }
        }
        const auto now = std::chrono::steady_clock::now();
        if (!exited && ::wait4(pid, &status, WNOHANG, &usage) == pid) {
            exited = true;
            exit_time = now;
            r.seconds = std::chrono::duration<double>(now - start).count();
        }
        // After the exit, what it wrote drains; a grandchild holding the pipes is not waited for long.
        if (exited && ((!open[0] && !open[1]) || now - exit_time > std::chrono::seconds(2))) break;
        if (!exited && options.watch) options.watch(pid);
        if (!exited && now > deadline && !r.timed_out) {
            r.timed_out = true;
            ::kill(-pid, SIGKILL);
            ::kill(pid, SIGKILL);
        }
    }
    for (std::thread &t : feeders) t.join();
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    if (WIFEXITED(status)) r.status = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.max_rss_kib = usage.ru_maxrss;
    return r;
}

// What a failed run must show: it ended by itself, not by a signal, with a
// non-zero status, nothing on stdout and one line "wino: error: ...\n" on stderr.
inline void expect_one_error_line(const ChildResult &r) {
    EXPECT_EQ(r.signal, 0) << "killed by signal " << r.signal << " (" << strsignal(r.signal) << ")";
    EXPECT_FALSE(r.timed_out) << "killed at the deadline";
    EXPECT_NE(r.status, 0);
    EXPECT_EQ(r.out.substr(0, 2000), "");
    ASSERT_FALSE(r.err.empty()) << "no error message";
    EXPECT_EQ(r.err.rfind("wino: error: ", 0), 0u) << r.err.substr(0, 2000);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err.substr(0, 2000);
    EXPECT_EQ(r.err.back(), '\n') << r.err.substr(0, 2000);
}

}  // namespace wino::test
