// Fuzzing the `wino` tool, run as a process, with hostile files, shapes,
// streams, paths and flags. Every run must end by itself within kTimeout, in
// bounded memory, either with exit 0 and a correct output, or with exactly one
// 'wino: error: ' line on stderr and a non-zero exit, never by a signal; and
// nothing that existed on disk may change (the output of a successful run
// aside).
//
//   WINO_FUZZ_SEED=N    replays a run (every run prints its seed first)
//   WINO_FUZZ_CASES=N   how many cases (default 500: about 4 s, 12 s under
//                       ASan; a nightly run: WINO_FUZZ_CASES=20000, 3 minutes)
//   WINO_FUZZ_CLASS=X   only the cases of one class (header, shape, huge,
//                       pipe, path, flags, valid)
//   WINO_FUZZ_VERBOSE=1 print every case and how it ended
//
// Each case is drawn from its own seed (printed with any failure), so one
// case replays without the ones before it: WINO_FUZZ_SEED=<case seed>
// WINO_FUZZ_CASES=1 WINO_FUZZ_CLASS=<class>.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>

#include "cli_harness.h"
#include "npy.h"
#include "reference.h"
#include "wino/wino.h"

#ifndef WINO_CLI_PATH
#error "WINO_CLI_PATH must name the wino executable"
#endif

namespace {

using namespace wino::test;

constexpr double kTimeout = 10;  // seconds a run may take, hostile or not
// Address space a child gets (no limit under ASan, which reserves terabytes),
// and the resident memory it may reach: far below anything a declared shape
// in these cases could make it allocate.
constexpr uint64_t kAddressSpace = kUnderAsan ? 0 : uint64_t(2) << 30;
constexpr long kMaxRssKib = kUnderAsan ? 400 * 1024 : 64 * 1024;  // wino peaks near 6 MiB (140 under ASan)

enum class Expect { Fail, Succeed, Either };

// One run of wino in a fresh directory, and what is there before it.
struct Case {
    std::string cls;   // the class it was drawn from
    std::string what;  // what it tries, for a failure message
    std::vector<std::string> args;
    std::map<std::string, std::string> files;  // path in the case dir -> bytes
    std::vector<std::string> dirs, fifos, chardevs, sockets;
    std::vector<std::pair<std::string, std::string>> symlinks;  // link -> target
    std::vector<std::pair<std::string, std::string>> hardlinks;  // new name -> existing file
    std::map<int, std::string> pipes;                            // fd -> bytes, read as /dev/fd/N
    std::vector<std::string> readonly_dirs;                      // chmod 0555 (and run as nobody if root)
    bool read_fifo_output = false;  // the test reads the output FIFO (else nobody does)
    bool variant_may_refuse = false;  // the variant may refuse a valid layer (see valid_case)
    Expect expect = Expect::Fail;

    // What a case that breaks nothing must do.
    Expect success() const { return variant_may_refuse ? Expect::Either : Expect::Succeed; }
};

// ---------------------------------------------------------------------------
// Drawing cases.

class Draw {
public:
    explicit Draw(uint64_t seed) : rng_(seed) {}
    std::mt19937_64 &rng() { return rng_; }
    uint64_t below(uint64_t n) { return n ? std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_) : 0; }
    int between(int lo, int hi) { return int(lo + int64_t(below(uint64_t(hi - lo + 1)))); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    template <typename T>
    const T &pick(const std::vector<T> &v) { return v[below(v.size())]; }
    std::vector<float> floats(size_t n) {
        std::uniform_real_distribution<float> d(-1, 1);
        std::vector<float> v(n);
        for (float &f : v) f = d(rng_);
        return v;
    }
    std::string bytes(size_t n) {
        std::string s(n, '\0');
        for (char &c : s) c = char(below(256));
        return s;
    }

private:
    std::mt19937_64 rng_;
};

// A small valid convolution: files x.npy and w.npy, and the command line.
Case valid_case(Draw &d, const std::string &cls) {
    Case c;
    c.cls = cls;
    const int padding = d.between(0, 1);
    const int N = d.between(1, 2), C = d.between(1, 5), K = d.between(1, 5);
    const int H = d.between(3 - 2 * padding, 12), W = d.between(3 - 2 * padding, 12);
    const ConvShape s{N, C, K, H, W, padding};
    c.files["x.npy"] = f32_npy(s.input(), d.floats(count_of(s.input())));
    c.files["w.npy"] = f32_npy(s.weights(), d.floats(count_of(s.weights())));
    // Mostly the hand-written schedules, which run any layer; sometimes any
    // variant: an autoscheduled one may refuse a layer smaller than the one it
    // was scheduled for, with an error (fine here: not a crash, not a wrong answer).
    std::vector<wino::VariantInfo> any_layer;
    for (const wino::VariantInfo &v : wino::variants())
        if ((v.schedule == "direct" || v.schedule == "tensor" || v.schedule == "fused") && v.layout == "nchw")
            any_layer.push_back(v);
    const wino::VariantInfo &info = d.chance(0.8) && !any_layer.empty() ? d.pick(any_layer) : d.pick(wino::variants());
    const std::string variant = info.name;
    // (An NHWC variant refuses these NCHW files with LayoutMismatch; test_cli runs it with --layout nhwc.)
    c.variant_may_refuse = info.schedule != "direct" && info.schedule != "tensor" && info.schedule != "fused" ||
                           info.layout != "nchw";
    c.args = {"run", "--variant", variant, "--input", "x.npy", "--weights", "w.npy",
              "--padding", std::to_string(padding), "--output", "y.npy"};
    if (d.chance(0.7)) c.args.insert(c.args.end(), {"--threads", std::to_string(d.between(0, 3))});
    if (d.chance(0.5)) c.files["y.npy"] = "an old output\n";
    c.what = "valid " + s.str() + " " + variant;
    c.expect = c.success();
    return c;
}

// The index of the value of `flag` in args (the form "--flag VALUE").
size_t value_index(const Case &c, const std::string &flag) {
    for (size_t i = 0; i + 1 < c.args.size(); i++)
        if (c.args[i] == flag) return i + 1;
    return std::string::npos;
}

// Which of the two input files a case breaks.
std::string pick_input(Draw &d) { return d.chance(0.6) ? "x.npy" : "w.npy"; }

// The header of a .npy file (magic to the final '\n'), as the file says.
size_t header_end(const std::string &f) {
    if (f.size() < 10) return f.size();
    if (f[6] == 2 && f.size() >= 12)
        return std::min(f.size(), 12 + size_t(uint8_t(f[8]) | uint8_t(f[9]) << 8 | uint8_t(f[10]) << 16 |
                                              size_t(uint8_t(f[11])) << 24));
    return std::min(f.size(), 10 + size_t(uint8_t(f[8]) | uint8_t(f[9]) << 8));
}

// The dict text of a file written by npy_file(), and its data.
std::pair<std::string, std::string> split_npy(const std::string &f) {
    const size_t end = header_end(f);
    std::string dict = f.substr(10, end - 10);
    dict.erase(dict.find_last_not_of(" \n") + 1);
    return {dict, f.substr(end)};
}

Case header_case(Draw &d) {
    Case c = valid_case(d, "header");
    c.expect = Expect::Fail;  // unless the mutation below says otherwise
    const std::string name = pick_input(d);
    std::string &f = c.files[name];
    auto [dict, data] = split_npy(f);
    switch (d.below(8)) {
    case 0: {  // byte flips in the header
        const int flips = d.between(1, 4);
        for (int i = 0; i < flips; i++) f[d.below(header_end(f))] = char(d.below(256));
        c.what = name + ": " + std::to_string(flips) + " header bytes flipped";
        c.expect = Expect::Either;
        break;
    }
    case 1: {  // truncated anywhere
        const size_t at = d.below(f.size());
        f.resize(at);
        c.what = name + ": truncated to " + std::to_string(at) + " bytes";
        break;
    }
    case 2: {  // brackets nested, in the shape or anywhere in the dict
        const size_t depth = d.pick(std::vector<size_t>{2, 15, 16, 17, 100, 4000, 4990, 13000, 13000, 30000});
        const std::string open(depth, d.chance(0.5) ? '(' : '['), close(depth, open[0] == '(' ? ')' : ']');
        if (d.chance(0.5)) {
            const size_t at = dict.find("'shape': ") + 9;
            dict.insert(at, open);
            dict.insert(dict.find(')', at + depth) + 1, close);
        } else {
            dict.insert(d.below(dict.size() + 1), d.chance(0.5) ? open : open + close);
        }
        f = npy_file(dict, data, dict.size() > 60000 ? 2 : 1);
        c.what = name + ": brackets nested " + std::to_string(depth) + " deep";
        break;
    }
    case 3: {  // a header length that is huge, zero, or just off
        const bool v2 = d.chance(0.4);
        const uint64_t len = d.pick(std::vector<uint64_t>{0, 1, 63, 9999, 10000, 10001, 65535, 1u << 20,
                                                          0x7fffffffu, 0xffffffffu});
        f = npy_file(dict, data, v2 ? 2 : 1);
        for (int i = 0; i < (v2 ? 4 : 2); i++) f[8 + i] = char((len >> (8 * i)) & 0xff);
        c.what = name + ": header length set to " + std::to_string(len) + (v2 ? " (v2)" : " (v1)");
        c.expect = Expect::Either;  // a length that still parses is not impossible
        break;
    }
    case 4: {  // dtype or order strings
        if (d.chance(0.6)) {
            const std::string descr = d.pick(std::vector<std::string>{
                "<f8", ">f4", "|f4", "f4", "<f4 ", "<F4", "", "<f4\\x00", "<i4", "|O", "<U10", "\x1b[31m", "<f44",
                "<f4<f4", std::string(5000, 'f')});
            dict.replace(dict.find("'<f4'"), 5, "'" + descr + "'");
            c.what = name + ": descr '" + descr.substr(0, 20) + "'";
        } else {
            const std::string order = d.pick(std::vector<std::string>{"True", "1", "0", "None", "'False'", "Falsee",
                                                                      "false", "()", "{}", "F"});
            dict.replace(dict.find("False"), 5, order);
            c.what = name + ": fortran_order " + order;
        }
        f = npy_file(dict, data);
        break;
    }
    case 5: {  // whitespace of every kind between tokens
        const std::vector<std::string> spaces = {" ", "\t", "\n", "\r", "\v", "\f", "  \t ", "\xc2\xa0"};
        for (int i = d.between(1, 6); i > 0; i--) {
            std::vector<size_t> gaps;  // after punctuation
            for (size_t k = 0; k < dict.size(); k++)
                if (std::string("{}(),:").find(dict[k]) != std::string::npos) gaps.push_back(k + 1);
            dict.insert(d.pick(gaps), d.pick(spaces));
        }
        f = npy_file(dict, data);
        c.what = name + ": whitespace inserted: " + dict.substr(0, 200);
        c.expect = Expect::Either;
        break;
    }
    case 6: {  // keys duplicated, missing, extra, reordered, quoted otherwise
        const std::vector<std::string> edits = {"'descr': '<f4', ", "'shape': (1,), ", "'extra': 1, ", "\"descr\"",
                                                "'fortran_order': False, "};
        const std::string edit = d.pick(edits);
        const size_t at = dict.find(',') + 2;
        if (d.chance(0.5)) {
            dict.insert(at, edit);
        } else {
            const size_t from = dict.find(edit);
            if (from != std::string::npos) dict.erase(from, edit.size());
        }
        f = npy_file(dict, data);
        c.what = name + ": key edit '" + edit + "': " + dict;
        c.expect = Expect::Either;
        break;
    }
    default: {  // the version bytes
        f[6] = char(d.pick(std::vector<int>{0, 1, 2, 3, 255}));
        f[7] = char(d.pick(std::vector<int>{0, 0, 0, 1, 255}));
        c.what = name + ": version " + std::to_string(uint8_t(f[6])) + "." + std::to_string(uint8_t(f[7]));
        c.expect = Expect::Either;
    }
    }
    return c;
}

// Dimensions at and past every limit, as text (some are not integers at all).
const std::vector<std::string> kWildDims = {
    "0", "1", "2", "3", "-1", "-5", "2147483647", "2147483648", "4294967296", "46341", "4611686018427387904",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999999", "1L",
    "0x10", "3.0", "True", "None", "'3'", "1e3", "+3", "(3,)", "", "1_000"};

Case shape_case(Draw &d) {
    Case c = valid_case(d, "shape");
    c.expect = Expect::Fail;  // unless the mutation below says otherwise
    const std::string name = pick_input(d);
    const size_t rank = d.pick(std::vector<size_t>{0, 1, 2, 3, 4, 4, 4, 5, 8, 100, 3000, 100000});
    std::string shape = "(";
    for (size_t i = 0; i < rank; i++) {
        // Mostly plausible dimensions, so the wild one is what the run meets.
        shape += (i ? ", " : "") + (d.chance(rank > 8 ? 0.01 : 0.4) ? d.pick(kWildDims) : std::to_string(d.between(1, 3)));
    }
    shape += rank == 1 ? ",)" : ")";
    const std::string dict = dict_text_with("<f4", false, shape);
    const size_t data = d.pick(std::vector<size_t>{0, 4, 36, 64, 108});
    c.files[name] = npy_file(dict, d.bytes(data), dict.size() > 60000 ? 2 : 1);
    c.what = name + ": shape " + shape.substr(0, 200) + " with " + std::to_string(data) + " data bytes";
    c.expect = Expect::Either;  // a small shape may happen to match its data
    return c;
}

// Shapes that are valid or nearly (huge, or products that overflow), with
// almost no data behind them.
std::vector<int64_t> huge_shape(Draw &d, bool weights) {
    const int64_t big = d.pick(std::vector<int64_t>{46340, 46341, 65536, 1 << 20, 2147483647, int64_t(1) << 32,
                                                   int64_t(1) << 40, std::numeric_limits<int64_t>::max()});
    if (weights) {
        switch (d.below(3)) {
        case 0: return {big, 1, 3, 3};
        case 1: return {1, big, 3, 3};
        default: return {big, big, 3, 3};
        }
    }
    switch (d.below(4)) {
    case 0: return {1, 1, big, big};
    case 1: return {big, 1, 3, 3};
    case 2: return {1, 1, 3, big};
    default: return {big, big, big, big};
    }
}

Case huge_case(Draw &d) {
    Case c = valid_case(d, "huge");
    c.expect = Expect::Fail;  // unless the mutation below says otherwise
    const std::string name = pick_input(d);
    const std::vector<int64_t> shape = huge_shape(d, name == "w.npy");
    // Weights' C must match the input's to get past the channel check; sometimes it does.
    c.files[name] = npy_file(dict_text("<f4", false, shape), d.bytes(d.pick(std::vector<size_t>{0, 4, 100, 4096})));
    if (name == "x.npy" && d.chance(0.5))
        c.files["w.npy"] = f32_npy({2, shape[1] < 8 ? shape[1] : 1, 3, 3}, d.floats(2 * 9 * size_t(shape[1] < 8 ? shape[1] : 1)));
    c.what = name + ": tiny file declaring " + shape_text(shape);
    return c;
}

Case pipe_case(Draw &d) {
    Case c = valid_case(d, "pipe");
    // Input, weights or both through pipes the child reads as /dev/fd/N.
    const int which = d.between(1, 3);
    std::vector<std::string> described;
    const int mode = d.between(0, 3);  // 0: whole valid file; 1: huge declared; 2: cut short; 3: empty
    for (int bit : {1, 2}) {
        if (!(which & bit)) continue;
        const std::string name = bit == 1 ? "x.npy" : "w.npy";
        const int fd = bit == 1 ? 60 : 61;
        std::string bytes = c.files[name];
        c.files.erase(name);
        if (mode == 1) {
            // Both far beyond the 0-200 bytes behind them (weights of
            // {2, 1, 3, 3}, 72 bytes, were complete one draw in 201).
            bytes = npy_file(dict_text("<f4", false, bit == 1 ? std::vector<int64_t>{1, 1, 20000, 20000}
                                                                : std::vector<int64_t>{65536, 1, 3, 3}),
                             d.bytes(d.between(0, 200)));
        } else if (mode == 2) {
            bytes.resize(d.below(bytes.size()));
        } else if (mode == 3) {
            bytes.clear();
        }
        c.pipes[fd] = bytes;
        c.args[value_index(c, bit == 1 ? "--input" : "--weights")] = "/dev/fd/" + std::to_string(fd);
        described.push_back(name + " via /dev/fd/" + std::to_string(fd));
    }
    static const char *kModes[] = {"whole", "declaring huge data", "cut short", "empty"};
    c.what = "pipes (" + std::string(kModes[mode]) + "): " + described[0] + (described.size() > 1 ? ", " + described[1] : "");
    c.expect = mode == 0 ? c.success() : Expect::Fail;
    return c;
}

Case path_case(Draw &d) {
    Case c = valid_case(d, "path");
    c.expect = Expect::Fail;  // unless the mutation below says otherwise
    std::string &out = c.args[value_index(c, "--output")];
    switch (d.below(16)) {
    case 0:
        out = d.pick(std::vector<std::string>{"x.npy", "./x.npy", "sub/../x.npy", "w.npy", ".//w.npy"});
        c.dirs.push_back("sub");
        c.what = "output is an input, as " + out;
        break;
    case 1:
        c.symlinks.push_back({"link.npy", d.chance(0.5) ? "x.npy" : "w.npy"});
        c.hardlinks.push_back({"hard.npy", "w.npy"});
        out = d.chance(0.5) ? "link.npy" : "hard.npy";
        c.what = "output is an input, through " + out;
        break;
    case 2:  // a chain of links to an existing file, or to a new one
        c.dirs.push_back("t");
        if (d.chance(0.5)) c.files["t/real.npy"] = "old target\n";
        c.symlinks.push_back({"mid.npy", "t/real.npy"});
        c.symlinks.push_back({"y.npy", "mid.npy"});
        c.files.erase("y.npy");
        c.what = "output through a chain of links to t/real.npy";
        c.expect = c.success();
        break;
    case 3:
        c.symlinks.push_back({"y.npy", "none/new.npy"});
        c.files.erase("y.npy");
        c.what = "output a link dangling into a missing directory";
        break;
    case 4:
        c.symlinks.push_back({"loop1", "loop2"});
        c.symlinks.push_back({"loop2", "loop1"});
        out = "loop1";
        c.what = "output a loop of links";
        break;
    case 5:
        c.fifos.push_back("y.fifo");
        out = "y.fifo";
        c.read_fifo_output = true;
        c.expect = c.success();
        c.what = "output a FIFO, read";
        break;
    case 6:  // a FIFO no one reads, and an input that fails first: wino must not open it
        c.fifos.push_back("y.fifo");
        out = "y.fifo";
        c.files["x.npy"].resize(c.files["x.npy"].size() - 1);
        c.what = "output an unread FIFO, input truncated";
        break;
    case 7:
        c.chardevs.push_back("null");
        out = "null";
        c.expect = c.success();
        c.what = "output a character device of our own (1, 3)";
        break;
    case 8:
        c.dirs.push_back("out");
        c.files["out/keep"] = "kept";
        out = d.pick(std::vector<std::string>{"out", "out/", "out/.", "out/..", ".", "/"});
        c.what = "output a directory: " + out;
        break;
    case 9:
        out = std::string(size_t(d.between(256, 400)), 'n') + (d.chance(0.5) ? ".npy" : "");
        c.what = "output name of " + std::to_string(out.size()) + " bytes";
        break;
    case 10: {
        std::string p;
        while (p.size() < size_t(d.between(4096, 6000))) p += "./";
        out = p + "y.npy";
        c.what = "output path of " + std::to_string(out.size()) + " bytes";
        break;
    }
    case 11:
        out = d.pick(std::vector<std::string>{"missing/y.npy", "x.npy/y.npy", "missing/deeper/y.npy"});
        c.what = "output in a directory that is not one: " + out;
        break;
    case 12:
        c.dirs.push_back("ro");
        c.readonly_dirs.push_back("ro");
        out = d.chance(0.5) ? "ro/y.npy" : "ro/sub/y.npy";
        c.what = "output in a read-only directory: " + out;
        break;
    case 13:
        c.sockets.push_back("sock");
        out = "sock";
        c.what = "output a socket";
        break;
    case 14: {  // the inputs odd instead
        std::string &in = c.args[value_index(c, d.chance(0.5) ? "--input" : "--weights")];
        in = d.pick(std::vector<std::string>{"missing.npy", "sub", "", "/dev/null", "sub/", "x.npy/"});
        c.dirs.push_back("sub");
        if (in.empty()) in = "sub";
        c.what = "an input that is not a .npy file: " + in;
        break;
    }
    default:
        c.symlinks.push_back({"y.npy", d.chance(0.5) ? "new.npy" : "t/new.npy"});
        c.dirs.push_back("t");
        c.files.erase("y.npy");
        c.expect = c.success();
        c.what = "output a dangling link to " + c.symlinks.back().second;
    }
    return c;
}

Case flags_case(Draw &d) {
    Case c = valid_case(d, "flags");
    c.expect = Expect::Either;  // e.g. a junk output name is a fine file name
    const std::vector<std::string> junk = {
        "", "-", "--", "-1", "2", "99999999999", "1x", " 1", "0x1", "\x1b[2J", "a\nb", "\xff\xfe", "--input",
        std::string(300, 'j'), std::string(100000, 'j'), "--threads=1", "\xe2\x80\xae" "evil", "%s%n"};
    switch (d.below(7)) {
    case 0: {  // a flag dropped
        const size_t i = 1 + 2 * d.below((c.args.size() - 1) / 2);
        c.what = "dropped " + c.args[i];
        c.args.erase(c.args.begin() + long(i), c.args.begin() + long(i) + 2);
        c.expect = c.what == "dropped --threads" ? c.success() : Expect::Fail;
        break;
    }
    case 1: {  // a flag repeated
        const size_t i = 1 + 2 * d.below((c.args.size() - 1) / 2);
        c.what = "repeated " + c.args[i];
        c.args.insert(c.args.end(), {c.args[i], c.args[i + 1]});
        c.expect = Expect::Fail;
        break;
    }
    case 2: {  // a value replaced with junk
        const size_t i = 2 + 2 * d.below((c.args.size() - 1) / 2);
        c.args[i] = d.pick(junk);
        c.what = "value of " + c.args[i - 1] + " is junk: " + c.args[i].substr(0, 40);
        break;
    }
    case 3:  // padding and threads at and past their ranges
        c.args[value_index(c, "--padding")] =
            d.pick(std::vector<std::string>{"-1", "2", "2147483647", "2147483648", "-2147483649", "1.0", "01", "+1"});
        c.what = "padding " + c.args[value_index(c, "--padding")];
        if (c.args[value_index(c, "--padding")] == "01") c.expect = Expect::Either;
        break;
    case 4:
        c.args.insert(c.args.end(), {d.pick(std::vector<std::string>{"--threads", "--thread", "--bogus", "-t", "--"}),
                                     d.pick(std::vector<std::string>{"-1", "2147483648", "x", "", "1"})});
        c.what = "extra flag " + c.args[c.args.size() - 2] + " " + c.args.back();
        break;
    case 5:  // the command itself
        c.args[0] = d.pick(std::vector<std::string>{"", "runn", "RUN", "list", "--version", "\x01"});
        c.what = "command '" + c.args[0] + "'";
        c.expect = Expect::Fail;
        break;
    default:  // the variant
        c.args[2] = d.pick(std::vector<std::string>{"", "nope", "DIRECT", "direct ", std::string(5000, 'v'),
                                                    "wino_fused_f4\n", "\x1b]0;title\x07"});
        c.what = "variant '" + c.args[2].substr(0, 40) + "'";
        c.expect = Expect::Fail;
    }
    return c;
}

const std::vector<std::string> kClasses = {"header", "shape", "huge", "pipe", "path", "flags", "valid"};

Case draw_case(const std::string &cls, Draw &d) {
    if (cls == "header") return header_case(d);
    if (cls == "shape") return shape_case(d);
    if (cls == "huge") return huge_case(d);
    if (cls == "pipe") return pipe_case(d);
    if (cls == "path") return path_case(d);
    if (cls == "flags") return flags_case(d);
    return valid_case(d, "valid");
}

// ---------------------------------------------------------------------------
// Running and judging a case.

// A case's value of `--flag`: the last "--flag V" or "--flag=V"; nullopt if none.
std::optional<std::string> flag_value(const std::vector<std::string> &args, const std::string &flag) {
    std::optional<std::string> v;
    for (size_t i = 0; i < args.size(); i++) {
        if (args[i] == flag && i + 1 < args.size()) v = args[i + 1];
        if (args[i].rfind(flag + "=", 0) == 0) v = args[i].substr(flag.size() + 1);
    }
    return v;
}

double tolerance(int m) { return m == 0 || m == 2 ? 1e-6 : 3e-5; }  // test_variants.cpp's, with margin

class CliFuzz : public ::testing::Test {
protected:
    // Sets the case up in `dir`; false (with a failure) if it cannot be.
    static bool materialize(const Case &c, const fs::path &dir) {
        std::error_code ec;
        for (const std::string &d : c.dirs) fs::create_directories(dir / d, ec);
        for (const auto &[name, bytes] : c.files) write_bytes(dir / name, bytes);
        for (const auto &[link, target] : c.symlinks) fs::create_symlink(target, dir / link, ec);
        for (const auto &[name, existing] : c.hardlinks) fs::create_hard_link(dir / existing, dir / name, ec);
        for (const std::string &f : c.fifos) EXPECT_EQ(mkfifo((dir / f).c_str(), 0644), 0) << std::strerror(errno);
        for (const std::string &dev : c.chardevs)
            if (mknod((dir / dev).c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) return false;  // not allowed here
        for (const std::string &s : c.sockets) {
            const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            const std::string path = (dir / s).string();
            if (fd < 0 || path.size() >= sizeof addr.sun_path) return false;
            std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
            const bool bound = bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
            close(fd);  // the socket file stays
            if (!bound) return false;
        }
        for (const std::string &d : c.readonly_dirs) chmod((dir / d).c_str(), 0555);
        return true;
    }

    // The bytes a run reads for an --input/--weights value: a pipe's or a file's.
    static std::optional<std::string> source_bytes(const Case &c, const fs::path &dir, const std::string &arg) {
        if (arg.rfind("/dev/fd/", 0) == 0) {
            const auto it = c.pipes.find(std::atoi(arg.c_str() + 8));
            if (it != c.pipes.end()) return it->second;
        }
        std::error_code ec;
        const fs::path p = fs::path(arg).is_absolute() ? fs::path(arg) : dir / arg;
        if (!fs::is_regular_file(p, ec)) return std::nullopt;
        return read_bytes(p);
    }

    // A successful run's output against the float64 reference on what it read.
    static void expect_correct(const Case &c, const std::string &x_bytes, const std::string &w_bytes,
                               const std::string &y_bytes, const fs::path &scratch) {
        // The inputs as the library reads them (a mutated header may still be valid).
        write_bytes(scratch / "x.npy", x_bytes);
        write_bytes(scratch / "w.npy", w_bytes);
        const npy::Array x = npy::load((scratch / "x.npy").string());
        const npy::Array w = npy::load((scratch / "w.npy").string());
        ASSERT_EQ(x.shape.size(), 4u);
        ASSERT_EQ(w.shape.size(), 4u);
        const int padding = std::stoi(*flag_value(c.args, "--padding"));
        const ConvShape s{int(x.shape[0]), int(x.shape[1]), int(w.shape[0]), int(x.shape[2]), int(x.shape[3]), padding};
        ASSERT_EQ(w.shape, s.weights());
        std::vector<float> y;
        ASSERT_TRUE(decode_f32_npy(y_bytes, s.output(), y)) << "not the .npy of shape " << shape_text(s.output());
        // Data made of random bytes (a mutated file) may hold NaN, infinities
        // or magnitudes near FLT_MAX, which fp32 transforms overflow where the
        // float64 reference does not: only finite data well inside fp32's
        // range is held to the error bound.
        const auto finite = [](const std::vector<float> &v) {
            return std::all_of(v.begin(), v.end(), [](float f) { return std::isfinite(f); });
        };
        if (!finite(x.data) || !finite(w.data)) return;
        const std::vector<double> scale = error_scale(s, x.data, w.data);
        if (!scale.empty() && *std::max_element(scale.begin(), scale.end()) > 1e30) return;
        const int m = wino::variant(*flag_value(c.args, "--variant")).m;
        EXPECT_LE(max_scaled_error(y, reference_conv(s, x.data, w.data), error_scale(s, x.data, w.data)), tolerance(m));
    }

    // Runs one case; returns false if it could not be set up here (skipped).
    bool run_case(const Case &c, const fs::path &root, int index) {
        // A read-only directory is tested on a child run as nobody.
        const std::string *cli = c.readonly_dirs.empty() ? &cli_ : nobody_cli(root);
        if (!cli) return false;
        const fs::path dir = root / ("case" + std::to_string(index));
        fs::create_directory(dir);
        chmod(dir.c_str(), 0755);
        const fs::path scratch = root / "scratch";
        fs::create_directories(scratch);
        if (!materialize(c, dir)) {
            std::error_code ec;
            fs::remove_all(dir, ec);
            return false;
        }
        const auto before = snapshot(dir);
        const std::optional<std::string> output_arg = flag_value(c.args, "--output");
        const std::optional<std::string> x_arg = flag_value(c.args, "--input"), w_arg = flag_value(c.args, "--weights");
        const std::optional<std::string> x_bytes = x_arg ? source_bytes(c, dir, *x_arg) : std::nullopt;
        const std::optional<std::string> w_bytes = w_arg ? source_bytes(c, dir, *w_arg) : std::nullopt;

        // An output FIFO the case reads: opened for reading first, so wino's open
        // for writing does not wait; a valid case's output (under 6 KB) fits the
        // pipe's buffer, and is read after the run.
        int fifo_fd = -1;
        if (c.read_fifo_output) {
            fifo_fd = open((dir / *output_arg).c_str(), O_RDONLY | O_NONBLOCK);
            EXPECT_GE(fifo_fd, 0) << std::strerror(errno);
        }
        ChildOptions options;
        options.cwd = dir;
        options.timeout_s = kTimeout;
        options.address_space_bytes = kAddressSpace;
        options.pipes = c.pipes;
        options.as_nobody = !c.readonly_dirs.empty();
        if (kUnderAsan) options.env.push_back(asan_options());
        std::vector<std::string> argv{*cli};
        argv.insert(argv.end(), c.args.begin(), c.args.end());
        const ChildResult r = run_child(argv, options);
        if (std::getenv("WINO_FUZZ_VERBOSE")) {
            std::string err = r.err.substr(0, 160);
            if (!err.empty() && err.back() == '\n') err.pop_back();
            std::cout << "[ case " << index << " ] [" << c.cls << "] " << c.what.substr(0, 160) << " -> "
                      << (r.signal ? "signal " + std::to_string(r.signal) : "exit " + std::to_string(r.status)) << " ("
                      << r.seconds << " s, " << r.max_rss_kib / 1024 << " MiB) " << err << std::endl;
        }
        std::string fifo_bytes;
        if (fifo_fd >= 0) {
            char buf[65536];
            for (ssize_t n; (n = read(fifo_fd, buf, sizeof buf)) > 0;) fifo_bytes.append(buf, size_t(n));
            close(fifo_fd);
        }

        // Every run: ended by itself, in time and memory, not by a signal.
        EXPECT_FALSE(r.timed_out) << "still running after " << kTimeout << " s";
        EXPECT_EQ(r.signal, 0) << "killed by signal " << r.signal;
        EXPECT_LT(r.max_rss_kib, kMaxRssKib) << "peak resident memory";
        const bool succeeded = r.status == 0 && r.signal == 0 && !r.timed_out;
        if (c.expect == Expect::Fail) {
            EXPECT_FALSE(succeeded) << "succeeded, expected an error";
        }
        if (c.expect == Expect::Succeed) {
            EXPECT_TRUE(succeeded) << "failed: " << r.err;
        }

        auto after = snapshot(dir);
        for (const std::string &d : c.readonly_dirs) chmod((dir / d).c_str(), 0755);  // to remove it
        if (!succeeded) {
            expect_one_error_line(r);
            EXPECT_LE(r.err.size(), 1200u) << "an error line this long is not one to read";
            EXPECT_TRUE(after == before) << "a failed run changed the directory";
        } else {
            EXPECT_EQ(r.err, "");
            EXPECT_TRUE(output_arg && x_bytes && w_bytes) << "succeeded without the files it needs";
            if (output_arg && x_bytes && w_bytes) {
                // Where the output went: into the FIFO, nowhere (a null device), or
                // into the file at the end of its links, which alone may differ.
                std::error_code ec;
                const fs::path out = dir / *output_arg;
                auto expected = before;
                if (c.read_fifo_output) {
                    expect_correct(c, *x_bytes, *w_bytes, fifo_bytes, scratch);
                } else if (!fs::is_character_file(fs::status(out, ec))) {
                    EXPECT_TRUE(fs::is_regular_file(out, ec)) << "no output file";
                    expect_correct(c, *x_bytes, *w_bytes, read_bytes(out), scratch);
                    const std::string target = fs::relative(fs::canonical(out, ec), fs::canonical(dir, ec), ec).string();
                    expected.erase(target);
                    after.erase(target);
                }
                EXPECT_TRUE(after == expected) << "a successful run changed more than its output";
            }
            ok[c.cls]++;
        }
        std::error_code ec;
        fs::remove_all(dir, ec);
        return true;
    }

    std::map<std::string, int> ok;  // successful runs per class

    // The wino binary a case run as nobody executes: the build's own if
    // nobody can reach it, else a copy under the test's root (0755); none if
    // the test cannot become nobody: its read-only cases are then skipped, as
    // a child that stays root writes anywhere.
    const std::string *nobody_cli(const fs::path &root) {
        if (!nobody_cli_checked_) {
            nobody_cli_checked_ = true;
            const int access = nobody_access(cli_);
            if (access == 0) {
                nobody_cli_ = cli_;
            } else if (access == 1) {
                const fs::path copy = root / "bin" / "wino";
                std::error_code ec;
                fs::create_directories(copy.parent_path(), ec);
                fs::copy_file(cli_, copy, fs::copy_options::overwrite_existing, ec);
                chmod(copy.parent_path().c_str(), 0755);
                chmod(copy.c_str(), 0755);
                if (!ec && nobody_access(copy.string()) == 0) nobody_cli_ = copy.string();
            }
        }
        return nobody_cli_.empty() ? nullptr : &nobody_cli_;
    }

    const std::string cli_ = WINO_CLI_PATH;
    std::string nobody_cli_;
    bool nobody_cli_checked_ = false;

    // ASan's own bound on the child: its resident memory (RLIMIT_AS is off).
    static std::string asan_options() {
        const char *existing = std::getenv("ASAN_OPTIONS");
        return std::string("ASAN_OPTIONS=") + (existing ? existing + std::string(":") : "") +
               "hard_rss_limit_mb=" + std::to_string(kMaxRssKib / 1024);
    }
};

uint64_t env_or(const char *name, uint64_t fallback) {
    const char *v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST_F(CliFuzz, HostileInputsFailWithOneLineInBoundedTimeAndMemory) {
    const uint64_t seed = env_or("WINO_FUZZ_SEED", std::random_device{}() | uint64_t(std::random_device{}()) << 32);
    const uint64_t cases = env_or("WINO_FUZZ_CASES", 500);
    const char *only = std::getenv("WINO_FUZZ_CLASS");
    std::cout << "[ fuzz     ] WINO_FUZZ_SEED=" << seed << " WINO_FUZZ_CASES=" << cases
              << (only ? std::string(" WINO_FUZZ_CLASS=") + only : "") << (kUnderAsan ? " (ASan: no RLIMIT_AS)" : "")
              << std::endl;
    RecordProperty("seed", std::to_string(seed));
    if (only) {
        ASSERT_NE(std::find(kClasses.begin(), kClasses.end(), only), kClasses.end()) << "no class " << only;
    }

    TempDir root("wino_cli_fuzz");
    std::mt19937_64 seeds(seed);
    std::map<std::string, int> ran, skipped, failed;
    for (uint64_t i = 0; i < cases; i++) {
        // Each case from a seed of its own: the first case of a run replays it.
        const uint64_t case_seed = i == 0 ? seed : seeds();
        Draw d(case_seed);
        // The class is drawn even when WINO_FUZZ_CLASS names it, so that a
        // case replays from its seed alone (the draws after it are the same).
        const std::string drawn = kClasses[d.below(kClasses.size())];
        const std::string cls = only ? std::string(only) : drawn;
        const Case c = draw_case(cls, d);
        std::string command = "wino";
        for (const std::string &a : c.args) command += " '" + a.substr(0, 80) + (a.size() > 80 ? "...'" : "'");
        SCOPED_TRACE("case " + std::to_string(i) + " [" + cls + "] " + c.what + "; replay: WINO_FUZZ_SEED=" +
                     std::to_string(case_seed) + " WINO_FUZZ_CASES=1 WINO_FUZZ_CLASS=" + cls + "\n  " + command);
        const int failures_before = ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
        if (!run_case(c, root.path(), int(i))) {
            skipped[cls]++;
            continue;
        }
        ran[cls]++;
        if (::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() != failures_before) failed[cls]++;
        if (failed[cls] > 20) FAIL() << "too many failures in class " << cls << "; stopping";
    }
    std::cout << "[ fuzz     ] cases by class:";
    for (const std::string &cls : kClasses)
        if (ran[cls] || skipped[cls])
            std::cout << " " << cls << "=" << ran[cls] << " (" << ok[cls] << " ok"
                      << (skipped[cls] ? ", " + std::to_string(skipped[cls]) + " skipped" : "") << ")";
    std::cout << std::endl;
}

}  // namespace
