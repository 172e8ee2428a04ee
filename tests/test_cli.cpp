// The `wino` tool, run as a process: .npy round trips against the float64
// reference, `wino list`, and every kind of bad input, which must fail with
// one 'wino: error: ' line on stderr, a non-zero exit, and the output path
// left as it was. Also the .npy reader/writer it is built on (CliNpy*).
//
// The .npy inputs are written byte by byte here, not with the library under
// test, so a symmetric bug in its reader and writer cannot hide.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "npy.h"
#include "reference.h"
#include "wino/wino.h"

#ifndef WINO_CLI_PATH
#error "WINO_CLI_PATH must name the wino executable"
#endif

namespace {

namespace fs = std::filesystem;
using wino::test::ConvShape;

// ---------------------------------------------------------------------------
// Files and processes.

std::string read_bytes(const fs::path &path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

void write_bytes(const fs::path &path, const std::string &bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    ASSERT_TRUE(f.good()) << "cannot write " << path;
}

// Every entry under `dir`, recursively, with the contents of regular files:
// a snapshot to tell whether a command created, removed or changed anything.
std::map<std::string, std::string> snapshot(const fs::path &dir) {
    std::map<std::string, std::string> files;
    for (const auto &entry : fs::recursive_directory_iterator(dir)) {
        const std::string rel = fs::relative(entry.path(), dir).string();
        files[rel] = entry.is_regular_file() ? read_bytes(entry.path()) : std::string("<dir>");
    }
    return files;
}

std::string shell_quote(const std::string &s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

struct Result {
    int status = -1;  // the exit status; -1 if killed by a signal
    std::string out, err;
};

// A little-endian float32 or other scalar, as bytes.
template <typename T>
std::string le_bytes(const std::vector<T> &values) {
    std::string b(values.size() * sizeof(T), '\0');
    if (!b.empty()) std::memcpy(b.data(), values.data(), b.size());  // little-endian hosts only (checked in SetUp)
    return b;
}

// A .npy file, byte by byte: header dict text as given, padded to 64 bytes.
std::string npy_file(const std::string &dict, const std::string &data, int major = 1) {
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

std::string shape_text(const std::vector<int64_t> &shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

std::string dict_text(const std::string &descr, bool fortran, const std::vector<int64_t> &shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
           ", 'shape': " + shape_text(shape) + ", }";
}

size_t count_of(const std::vector<int64_t> &shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= size_t(d);
    return n;
}

std::string f32_npy(const std::vector<int64_t> &shape, const std::vector<float> &data) {
    return npy_file(dict_text("<f4", false, shape), le_bytes(data));
}

class CliTest : public ::testing::Test {
protected:
    fs::path dir;
    wino::test::Random rng;

    void SetUp() override {
        uint32_t probe = 1;
        unsigned char first;
        std::memcpy(&first, &probe, 1);
        ASSERT_EQ(first, 1) << "these tests write little-endian files with memcpy";
        std::string pattern = (fs::temp_directory_path() / "wino_cli_test_XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
        dir = pattern;
        RecordProperty("seed", std::to_string(rng.seed()));
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    // Runs bin/wino with `args` in the temp dir (stdout, stderr captured outside it).
    Result run(const std::vector<std::string> &args) {
        const fs::path out = dir.string() + ".stdout", err = dir.string() + ".stderr";
        std::string command = "cd " + shell_quote(dir.string()) + " && " + shell_quote(WINO_CLI_PATH);
        for (const std::string &a : args) command += " " + shell_quote(a);
        command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
        const int raw = std::system(command.c_str());
        Result r;
        if (raw != -1 && WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
        r.out = read_bytes(out);
        r.err = read_bytes(err);
        fs::remove(out);
        fs::remove(err);
        return r;
    }
};

// ---------------------------------------------------------------------------
// Successful runs.

class CliRun : public CliTest {
protected:
    // Runs `variant` on random data through .npy files; returns the max scaled error.
    double round_trip(const std::string &variant, const ConvShape &s) {
        const std::vector<float> x = rng.uniform(size_t(s.N) * s.C * s.H * s.W);
        const std::vector<float> w = rng.uniform(size_t(s.K) * s.C * 9);
        write_bytes(dir / "x.npy", f32_npy(s.input(), x));
        write_bytes(dir / "w.npy", f32_npy(s.weights(), w));
        const Result r = run({"run", "--variant", variant, "--input", "x.npy", "--weights", "w.npy", "--padding",
                              std::to_string(s.padding), "--output", "y.npy", "--threads", "2"});
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.err, "");
        EXPECT_EQ(r.out, "");
        const std::string y_bytes = read_bytes(dir / "y.npy");
        // The header is the one numpy writes (version 1.0, data 64-byte aligned).
        const std::string expected_head = npy_file(dict_text("<f4", false, s.output()), "");
        EXPECT_EQ(y_bytes.substr(0, expected_head.size()), expected_head);
        const npy::Array y = npy::load((dir / "y.npy").string());
        EXPECT_EQ(y.shape, s.output());
        EXPECT_EQ(y_bytes.size(), expected_head.size() + y.data.size() * 4);
        return wino::test::max_scaled_error(y.data, wino::test::reference_conv(s, x, w),
                                            wino::test::error_scale(s, x, w));
    }
};

TEST_F(CliRun, FusedF4RoundTripMatchesReference) {
    for (const ConvShape &s : {ConvShape{2, 3, 5, 9, 11, 1}, ConvShape{1, 4, 3, 7, 6, 0}}) {
        SCOPED_TRACE(s.str());
        EXPECT_LE(round_trip("wino_fused_f4", s), 2e-5);
    }
}

TEST_F(CliRun, DirectRoundTripMatchesReference) {
    for (const ConvShape &s : {ConvShape{2, 3, 5, 9, 11, 1}, ConvShape{1, 4, 3, 7, 6, 0}}) {
        SCOPED_TRACE(s.str());
        EXPECT_LE(round_trip("direct", s), 1e-6);
    }
}

TEST_F(CliRun, ExistingOutputIsReplacedAndNoTemporaryFileRemains) {
    write_bytes(dir / "y.npy", "old contents");
    ASSERT_EQ(chmod((dir / "y.npy").c_str(), 0640), 0);
    const ConvShape s{1, 2, 2, 5, 5, 1};
    EXPECT_LE(round_trip("wino_tensor_f2", s), 2e-6);
    std::vector<std::string> names;
    for (const auto &entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"w.npy", "x.npy", "y.npy"}));
    struct stat st;
    ASSERT_EQ(stat((dir / "y.npy").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u) << "the replaced file keeps its permissions";
}

TEST_F(CliRun, ListPrintsEveryVariantNameOnItsOwnLine) {
    const Result r = run({"list"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "");
    std::string expected;
    for (const auto &v : wino::variants()) expected += v.name + "\n";
    EXPECT_EQ(r.out, expected);
}

TEST_F(CliRun, HelpPrintsUsageAndSucceeds) {
    for (const std::vector<std::string> &args :
         {std::vector<std::string>{"--help"}, {"-h"}, {"help"}, {"run", "--help"}, {"run", "--variant", "x", "-h"}}) {
        const Result r = run(args);
        EXPECT_EQ(r.status, 0) << args[0];
        EXPECT_EQ(r.err, "");
        for (const char *word : {"usage: wino", "wino list", "wino run", "--variant", "--input", "--weights",
                                 "--padding", "--output", "--threads"})
            EXPECT_NE(r.out.find(word), std::string::npos) << word;
    }
}

// ---------------------------------------------------------------------------
// Bad input. Each case starts from a valid `wino run` and breaks one thing.

const std::vector<int64_t> kInputShape{1, 3, 6, 7};
const std::vector<int64_t> kWeightsShape{4, 3, 3, 3};

struct Invocation {
    std::vector<std::string> args;       // the whole command line
    std::map<std::string, std::string> files;  // name in the temp dir -> bytes
    std::vector<std::string> dirs;       // directories to create in the temp dir
    std::string output = "y.npy";        // where an old output is planted; "" = nowhere

    // Replaces the value after `flag` (or removes flag and value, for nullopt).
    void set(const std::string &flag, const std::optional<std::string> &value) {
        for (size_t i = 0; i + 1 < args.size(); i++)
            if (args[i] == flag) {
                if (value) {
                    args[i + 1] = *value;
                } else {
                    args.erase(args.begin() + long(i), args.begin() + long(i) + 2);
                }
                return;
            }
        ADD_FAILURE() << "no flag " << flag;
    }
};

struct BadCase {
    std::string name;
    std::function<void(Invocation &, wino::test::Random &)> tweak;
    std::vector<std::string> keywords;  // all in the error line
    int status = 1;                     // 2: a command-line error
};

std::ostream &operator<<(std::ostream &os, const BadCase &c) { return os << c.name; }

std::string input_npy(wino::test::Random &rng, const std::vector<int64_t> &shape = kInputShape) {
    return f32_npy(shape, rng.uniform(count_of(shape)));
}

// Setting input or weights file bytes.
auto input_file(std::function<std::string(wino::test::Random &)> make) {
    return [make](Invocation &s, wino::test::Random &rng) { s.files["x.npy"] = make(rng); };
}
auto weights_file(std::function<std::string(wino::test::Random &)> make) {
    return [make](Invocation &s, wino::test::Random &rng) { s.files["w.npy"] = make(rng); };
}
auto flag(const std::string &name, std::optional<std::string> value) {
    return [name, value](Invocation &s, wino::test::Random &) { s.set(name, value); };
}

std::vector<BadCase> bad_cases() {
    std::vector<BadCase> c;
    // Files.
    c.push_back({"MissingInputFile", [](Invocation &s, auto &) { s.files.erase("x.npy"); },
                 {"input x.npy", "cannot open", "No such file or directory"}});
    c.push_back({"MissingWeightsFile", [](Invocation &s, auto &) { s.files.erase("w.npy"); },
                 {"weights w.npy", "No such file or directory"}});
    c.push_back({"InputIsADirectory", [](Invocation &s, auto &) { s.files.erase("x.npy"); s.dirs.push_back("x.npy"); },
                 {"input x.npy", "is a directory"}});
    c.push_back({"EmptyInputFile", input_file([](auto &) { return std::string(); }), {"input x.npy", "empty"}});
    c.push_back({"TruncatedInputData", input_file([](auto &rng) {
                     const std::string f = input_npy(rng);
                     return f.substr(0, f.size() - 10);
                 }),
                 {"input x.npy", "truncated data", "(1, 3, 6, 7)", "needs 504 bytes", "has 494"}});
    c.push_back({"TruncatedWeightsData", weights_file([](auto &rng) {
                     const std::string f = f32_npy(kWeightsShape, rng.uniform(count_of(kWeightsShape)));
                     return f.substr(0, f.size() - 432 + 12);  // 12 of its 432 data bytes
                 }),
                 {"weights w.npy", "truncated data", "needs 432 bytes", "has 12"}});
    c.push_back({"TruncatedHeaderPrefix", input_file([](auto &rng) { return input_npy(rng).substr(0, 9); }),
                 {"input x.npy", "truncated header"}});
    c.push_back({"TruncatedHeaderDict", input_file([](auto &rng) { return input_npy(rng).substr(0, 40); }),
                 {"input x.npy", "truncated header", "118 header bytes expected, the file has 30"}});
    c.push_back({"BadMagic", input_file([](auto &) { return std::string("GIF89a and then some more bytes"); }),
                 {"input x.npy", "not a .npy file", "bad magic"}});
    c.push_back({"Float64Input", input_file([](auto &rng) {
                     const std::vector<float> f = rng.uniform(count_of(kInputShape));
                     return npy_file(dict_text("<f8", false, kInputShape),
                                     le_bytes(std::vector<double>(f.begin(), f.end())));
                 }),
                 {"input x.npy", "dtype '<f8' (float64) is not supported", "'<f4'"}});
    c.push_back({"Int32Weights", weights_file([](auto &) {
                     return npy_file(dict_text("<i4", false, kWeightsShape),
                                     le_bytes(std::vector<int32_t>(count_of(kWeightsShape), 1)));
                 }),
                 {"weights w.npy", "dtype '<i4' (int32) is not supported"}});
    c.push_back({"BigEndianFloat32Input", input_file([](auto &) {
                     return npy_file(dict_text(">f4", false, kInputShape),
                                     std::string(count_of(kInputShape) * 4, '\0'));
                 }),
                 {"dtype '>f4' (big-endian float32) is not supported"}});
    c.push_back({"Float16Input", input_file([](auto &) {
                     return npy_file(dict_text("<f2", false, kInputShape),
                                     std::string(count_of(kInputShape) * 2, '\0'));
                 }),
                 {"dtype '<f2' (float16)"}});
    c.push_back({"FortranOrderInput", input_file([](auto &rng) {
                     return npy_file(dict_text("<f4", true, kInputShape), le_bytes(rng.uniform(count_of(kInputShape))));
                 }),
                 {"input x.npy", "fortran_order is True", "C-order"}});
    c.push_back({"MalformedHeaderDict", input_file([](auto &) {
                     return npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 6, 7) ",
                                     std::string(504, '\0'));
                 }),
                 {"input x.npy", "malformed header dict", "expected ',' or '}'"}});
    c.push_back({"HeaderWithoutShape", input_file([](auto &) {
                     return npy_file("{'descr': '<f4', 'fortran_order': False, }", std::string(4, '\0'));
                 }),
                 {"malformed header dict", "missing key 'shape'"}});
    c.push_back({"HeaderWithUnknownKey", input_file([](auto &) {
                     return npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
                                     std::string(4, '\0'));
                 }),
                 {"malformed header dict", "unexpected key 'x'"}});
    c.push_back({"HeaderShapeNotATuple", input_file([](auto &) {
                     return npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': 7, }", std::string(28, '\0'));
                 }),
                 {"malformed header dict", "shape is not a tuple"}});
    c.push_back({"UnsupportedFormatVersion", input_file([](auto &rng) {
                     std::string f = input_npy(rng);
                     f[6] = 3;
                     return f;
                 }),
                 {"input x.npy", "unsupported .npy format version 3.0"}});
    c.push_back({"TrailingBytesAfterData", input_file([](auto &rng) { return input_npy(rng) + "junk"; }),
                 {"input x.npy", "4 unexpected bytes after the 504 bytes of data"}});
    // Shapes.
    c.push_back({"Rank3Input", input_file([](auto &rng) { return input_npy(rng, {3, 6, 7}); }),
                 {"input must be 4-D", "(3, 6, 7)"}});
    c.push_back({"Rank2Weights", weights_file([](auto &rng) { return input_npy(rng, {4, 27}); }),
                 {"weights must be 4-D", "rank 2"}});
    c.push_back({"ScalarWeights", weights_file([](auto &rng) { return input_npy(rng, {}); }),
                 {"weights must be 4-D", "rank 0"}});
    c.push_back({"MismatchedChannels", weights_file([](auto &rng) { return input_npy(rng, {4, 2, 3, 3}); }),
                 {"input has C = 3 channels but the weights have C = 2"}});
    c.push_back({"FiveByFiveKernel", weights_file([](auto &rng) { return input_npy(rng, {4, 3, 5, 5}); }),
                 {"weights must be (K, C, 3, 3)", "5x5"}});
    c.push_back({"InputSmallerThanKernel",
                 [](Invocation &s, wino::test::Random &rng) {
                     s.files["x.npy"] = input_npy(rng, {1, 3, 2, 2});
                     s.set("--padding", "0");
                 },
                 {"input 2x2 is smaller than the 3x3 kernel at padding 0"}});
    c.push_back({"ZeroSizedInput", input_file([](auto &rng) { return input_npy(rng, {1, 3, 0, 7}); }),
                 {"input shape (1, 3, 0, 7) has a dimension < 1"}});
    c.push_back({"ZeroFilters", weights_file([](auto &rng) { return input_npy(rng, {0, 3, 3, 3}); }),
                 {"weights shape (0, 3, 3, 3) has a dimension < 1"}});
    // Flags.
    c.push_back({"UnknownVariant", flag("--variant", "nope"), {"unknown variant 'nope'", "direct"}});
    c.push_back({"PaddingTwo", flag("--padding", "2"), {"padding must be 0 or 1, got 2"}});
    c.push_back({"PaddingMinusOne", flag("--padding", "-1"), {"padding must be 0 or 1, got -1"}});
    c.push_back({"PaddingNotANumber", flag("--padding", "one"), {"--padding must be 0 or 1, got 'one'"}, 2});
    c.push_back({"PaddingWithTrailingText", flag("--padding", "1x"), {"--padding must be 0 or 1, got '1x'"}, 2});
    c.push_back({"PaddingOutOfIntRange", flag("--padding", "99999999999"), {"--padding", "'99999999999'"}, 2});
    c.push_back({"ThreadsNegative", flag("--threads", "-2"), {"threads must be >= 0", "got -2"}});
    c.push_back({"ThreadsNotANumber", flag("--threads", "two"), {"--threads must be a non-negative integer"}, 2});
    c.push_back({"MissingVariantFlag", flag("--variant", std::nullopt), {"missing required option --variant"}, 2});
    c.push_back({"MissingInputFlag", flag("--input", std::nullopt), {"missing required option --input"}, 2});
    c.push_back({"MissingPaddingFlag", flag("--padding", std::nullopt), {"missing required option --padding"}, 2});
    c.push_back({"MissingOutputFlag", flag("--output", std::nullopt), {"missing required option --output"}, 2});
    c.push_back({"FlagWithoutValue", [](Invocation &s, auto &) { s.set("--threads", std::nullopt); s.args.push_back("--threads"); },
                 {"option --threads needs a value"}, 2});
    c.push_back({"FlagFollowedByFlag", [](Invocation &s, auto &) { s.args.insert(s.args.begin() + 1, "--input"); },
                 {"option --input needs a value"}, 2});
    c.push_back({"EmptyFlagValue", flag("--weights", ""), {"option --weights has an empty value"}, 2});
    c.push_back({"UnknownFlag", [](Invocation &s, auto &) { s.args.insert(s.args.end(), {"--bogus", "1"}); },
                 {"unknown option '--bogus'"}, 2});
    c.push_back({"DuplicateFlag", [](Invocation &s, auto &) { s.args.insert(s.args.end(), {"--padding=0"}); },
                 {"option --padding is given more than once"}, 2});
    c.push_back({"UnexpectedArgument", [](Invocation &s, auto &) { s.args.push_back("extra"); },
                 {"unexpected argument 'extra'"}, 2});
    c.push_back({"UnknownCommand", [](Invocation &s, auto &) { s.args[0] = "frobnicate"; },
                 {"unknown command 'frobnicate'"}, 2});
    c.push_back({"NoCommand", [](Invocation &s, auto &) { s.args.clear(); }, {"no command given"}, 2});
    c.push_back({"ListWithArguments", [](Invocation &s, auto &) { s.args = {"list", "extra"}; },
                 {"'wino list' takes no arguments"}, 2});
    // Output paths.
    c.push_back({"OutputDirectoryMissing",
                 [](Invocation &s, auto &) {
                     s.set("--output", "missing/y.npy");
                     s.output = "";
                 },
                 {"output missing/y.npy", "cannot write into directory 'missing'", "No such file or directory"}});
    c.push_back({"OutputParentIsAFile",
                 [](Invocation &s, auto &) {
                     s.set("--output", "x.npy/y.npy");
                     s.output = "";
                 },
                 {"output x.npy/y.npy", "not a directory"}});
    c.push_back({"OutputIsADirectory",
                 [](Invocation &s, auto &) {
                     s.dirs.push_back("out");
                     s.files["out/keep"] = "kept";
                     s.set("--output", "out");
                     s.output = "";
                 },
                 {"output out", "is a directory"}});
    return c;
}

class CliRejectsBadInput : public CliTest, public ::testing::WithParamInterface<BadCase> {
protected:
    Invocation valid_invocation() {
        Invocation s;
        s.args = {"run", "--variant", "direct", "--input", "x.npy", "--weights", "w.npy",
                  "--padding", "1", "--output", "y.npy", "--threads", "1"};
        s.files["x.npy"] = input_npy(rng);
        s.files["w.npy"] = f32_npy(kWeightsShape, rng.uniform(count_of(kWeightsShape)));
        return s;
    }

    void materialize(const Invocation &s) {
        for (const std::string &d : s.dirs) fs::create_directories(dir / d);
        for (const auto &[name, bytes] : s.files) write_bytes(dir / name, bytes);
    }

    // Runs the case; nothing under the temp dir may change.
    void expect_rejected(const Invocation &s, const BadCase &c) {
        const auto before = snapshot(dir);
        const Result r = run(s.args);
        EXPECT_NE(r.status, 0);
        EXPECT_EQ(r.status, c.status) << r.err;
        EXPECT_EQ(r.out, "");
        EXPECT_EQ(r.err.rfind("wino: error: ", 0), 0u) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.err.back(), '\n');
        for (const std::string &k : c.keywords) EXPECT_NE(r.err.find(k), std::string::npos) << "'" << k << "' in " << r.err;
        EXPECT_EQ(snapshot(dir), before) << "the failed run created, removed or changed a file";
    }
};

TEST_P(CliRejectsBadInput, WithOneErrorLineAndOutputUntouched) {
    const BadCase &c = GetParam();
    Invocation s = valid_invocation();
    // The valid run works: the error below comes from what the case breaks.
    {
        materialize(s);
        const Result ok = run(s.args);
        ASSERT_EQ(ok.status, 0) << ok.err;
        fs::remove(dir / "y.npy");
    }
    c.tweak(s, rng);
    fs::remove_all(dir);
    fs::create_directory(dir);
    materialize(s);
    {
        SCOPED_TRACE("no output file before");
        expect_rejected(s, c);
    }
    if (!s.output.empty()) {
        SCOPED_TRACE("an output file before");
        write_bytes(dir / s.output, "previous output, not to be touched\n");
        expect_rejected(s, c);
    }
}

INSTANTIATE_TEST_SUITE_P(Cli, CliRejectsBadInput, ::testing::ValuesIn(bad_cases()),
                         [](const auto &info) { return info.param.name; });

// ---------------------------------------------------------------------------
// The .npy library itself, for what the tool does not reach.

class CliNpy : public CliTest {};

TEST_F(CliNpy, SaveThenLoadIsBitwiseForAnyShape) {
    const std::vector<std::vector<int64_t>> shapes = {{}, {0}, {5}, {2, 0, 3}, {2, 3, 4, 5}};
    for (const auto &shape : shapes) {
        SCOPED_TRACE(npy::shape_string(shape));
        npy::Array a{shape, rng.uniform(count_of(shape))};
        if (!a.data.empty()) a.data[0] = -0.0f;
        if (a.data.size() > 2) a.data[1] = std::numeric_limits<float>::infinity();
        npy::save((dir / "a.npy").string(), a);
        const npy::Array b = npy::load((dir / "a.npy").string());
        EXPECT_EQ(b.shape, shape);
        ASSERT_EQ(b.data.size(), a.data.size());
        if (!a.data.empty()) EXPECT_EQ(std::memcmp(a.data.data(), b.data.data(), a.data.size() * 4), 0);
    }
}

TEST_F(CliNpy, SavedHeaderIsNumpysVersion1Layout) {
    npy::save((dir / "a.npy").string(), {2, 3}, std::vector<float>(6, 1.0f).data());
    const std::string bytes = read_bytes(dir / "a.npy");
    // What np.save(np.ones((2, 3), np.float32)) writes.
    std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                           "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    expected += std::string(128 - 1 - expected.size(), ' ') + "\n";
    EXPECT_EQ(bytes.substr(0, 128), expected);
    EXPECT_EQ(bytes.size(), 128u + 24u);
}

TEST_F(CliNpy, LoadsFormatVersion2AndPython2Headers) {
    const std::vector<float> data = rng.uniform(6);
    write_bytes(dir / "v2.npy", npy_file(dict_text("<f4", false, {2, 3}), le_bytes(data), 2));
    npy::Array a = npy::load((dir / "v2.npy").string());
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.data, data);
    // Old numpy under Python 2 wrote longs ("2L"); keys may come in any order.
    write_bytes(dir / "py2.npy",
                npy_file("{'shape': (2L, 3L), \"fortran_order\": False, 'descr': '<f4'}", le_bytes(data)));
    a = npy::load((dir / "py2.npy").string());
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.data, data);
}

TEST_F(CliNpy, FailedSaveLeavesTheDirectoryAsItWas) {
    fs::create_directory(dir / "occupied");
    write_bytes(dir / "occupied" / "keep", "kept");
    write_bytes(dir / "old.npy", "old");
    const std::vector<float> data(4, 2.0f);
    const auto before = snapshot(dir);
    // The target is a directory: caught before writing.
    EXPECT_THROW(npy::save((dir / "occupied").string(), {4}, data.data()), npy::Error);
    // No such directory.
    EXPECT_THROW(npy::save((dir / "none" / "a.npy").string(), {4}, data.data()), npy::Error);
    // A shape the data does not fill.
    EXPECT_THROW(npy::save((dir / "old.npy").string(), npy::Array{{5}, data}), npy::Error);
    EXPECT_THROW(npy::check_writable((dir / "none" / "a.npy").string()), npy::Error);
    EXPECT_EQ(snapshot(dir), before);
    // check_writable leaves nothing behind when it succeeds either.
    npy::check_writable((dir / "new.npy").string());
    npy::check_writable((dir / "old.npy").string());
    EXPECT_EQ(snapshot(dir), before);
}

// A write that fails half way (here: the file size limit) must remove the
// temporary file and leave the old file. Run in a child process, whose limit
// and signal disposition cannot leak into this one.
TEST_F(CliNpy, FailedWriteRemovesTheTemporaryFileAndKeepsTheOldOne) {
    write_bytes(dir / "old.npy", "old contents");
    const auto before = snapshot(dir);
    const std::vector<float> data(100000, 1.0f);  // 400 KB, over the limit below
    const pid_t child = fork();
    ASSERT_GE(child, 0) << std::strerror(errno);
    if (child == 0) {
        signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing
        const rlimit limit{4096, 4096};
        if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(3);
        try {
            npy::save((dir / "old.npy").string(), {100000}, data.data());
        } catch (const npy::Error &e) {
            _exit(std::string(e.what()).find("write failed") != std::string::npos ? 0 : 1);
        }
        _exit(2);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: another error, 2: no error, 3: setrlimit failed";
    EXPECT_EQ(snapshot(dir), before);
}

TEST_F(CliNpy, ErrorsNameTheFile) {
    const std::string path = (dir / "missing.npy").string();
    try {
        npy::load(path);
        ADD_FAILURE() << "no error";
    } catch (const npy::Error &e) {
        EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    }
}

}  // namespace
