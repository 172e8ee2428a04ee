// The `wino` tool, run as a process: .npy round trips against the float64
// reference, `wino list`, and every kind of bad input, which must fail with
// one 'wino: error: ' line on stderr, a non-zero exit, and the output path
// left as it was; hostile input (bounded time and memory), and output paths
// (symbolic links, special files, the inputs themselves, signals). Also the
// .npy reader/writer it is built on (CliNpy*).
//
// The .npy inputs are written byte by byte here (cli_harness.h), not with the
// library under test, so a symmetric bug in its reader and writer cannot hide.
#include <gtest/gtest.h>

#include <sstream>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "cli_harness.h"
#include "npy.h"
#include "reference.h"
#include "wino/wino.h"

#ifndef WINO_CLI_PATH
#error "WINO_CLI_PATH must name the wino executable"
#endif

namespace {

namespace fs = std::filesystem;
using namespace wino::test;
using Result = ChildResult;

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

    // Runs bin/wino with `args` in the temp dir.
    Result run(const std::vector<std::string> &args, ChildOptions options = {}) {
        std::vector<std::string> argv{WINO_CLI_PATH};
        argv.insert(argv.end(), args.begin(), args.end());
        if (options.cwd.empty()) options.cwd = dir;
        return run_child(argv, options);
    }
};

// ---------------------------------------------------------------------------
// Successful runs.

class CliRun : public CliTest {
protected:
    // Runs `variant` on random data through .npy files (the child's
    // environment extended by `env`); the run must succeed with `expected_err`
    // on stderr. Returns the max scaled error.
    // With a `layout` other than nchw, the files hold that layout and the run is given --layout.
    double round_trip(const std::string &variant, const ConvShape &s, const std::vector<std::string> &env = {},
                      const std::string &expected_err = "", const std::string &layout = "nchw") {
        const std::vector<float> x = rng.uniform(size_t(s.N) * s.C * s.H * s.W);
        const std::vector<float> w = rng.uniform(size_t(s.K) * s.C * 9);
        write_bytes(dir / "x.npy", f32_npy(s.input(layout), wino::test::to_layout(x, s.N, s.C, s.H, s.W, layout)));
        write_bytes(dir / "w.npy", f32_npy(s.weights(), w));
        ChildOptions options;
        options.env = env;
        std::vector<std::string> args{"run", "--variant", variant, "--input", "x.npy", "--weights", "w.npy", "--padding",
                                      std::to_string(s.padding), "--output", "y.npy", "--threads", "2"};
        if (layout != "nchw") args.insert(args.end(), {"--layout", layout});
        const Result r = run(args, options);
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.err, expected_err);
        EXPECT_EQ(r.out, "");
        const std::string y_bytes = read_bytes(dir / "y.npy");
        // The header is the one numpy writes (version 1.0, data 64-byte aligned).
        const std::string expected_head = npy_file(dict_text("<f4", false, s.output(layout)), "");
        EXPECT_EQ(y_bytes.substr(0, expected_head.size()), expected_head);
        const npy::Array y = npy::load((dir / "y.npy").string());
        EXPECT_EQ(y.shape, s.output(layout));
        EXPECT_EQ(y_bytes.size(), expected_head.size() + y.data.size() * 4);
        return wino::test::max_scaled_error(wino::test::from_layout(y.data, s.N, s.K, s.out_h(), s.out_w(), layout),
                                            wino::test::reference_conv(s, x, w), wino::test::error_scale(s, x, w));
    }
};

TEST_F(CliRun, FusedF4RoundTripMatchesReference) {
    for (const ConvShape &s : {ConvShape{2, 3, 5, 9, 11, 1}, ConvShape{1, 4, 3, 7, 6, 0}}) {
        SCOPED_TRACE(s.str());
        EXPECT_LE(round_trip("wino_fused_f4", s), 2e-5);
    }
}

// An NHWC variant reads and writes NHWC files when told --layout nhwc (and
// auto picks among the NHWC variants); without the flag it refuses the run
// with one line naming the layouts, and writes nothing.
TEST_F(CliRun, NhwcVariantRunsOnNhwcFilesWithTheLayoutFlag) {
    std::string nhwc;
    for (const auto &v : wino::variants())
        if (v.layout == "nhwc" && v.device == "cpu" && v.m == 4) nhwc = v.name;
    if (nhwc.empty()) GTEST_SKIP() << "no NHWC F(4,3) variant compiled";
    for (const std::string &variant : {nhwc, std::string("auto")})
        for (const ConvShape &s : {ConvShape{2, 3, 5, 9, 11, 1}, ConvShape{1, 4, 3, 7, 6, 0}}) {
            SCOPED_TRACE(variant + " " + s.str());
            EXPECT_LE(round_trip(variant, s, {}, "", "nhwc"), 2e-5);
        }
    const Result r = run({"run", "--variant", nhwc, "--input", "x.npy", "--weights", "w.npy", "--padding", "1",
                          "--output", "fresh.npy"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "wino: error: variant " + nhwc + " takes NHWC tensors, but the call's layout is nchw "
                     "(RunOptions::layout; wino run --layout)\n");
    EXPECT_FALSE(fs::exists(dir / "fresh.npy"));
    const Result bad = run({"run", "--variant", "auto", "--input", "x.npy", "--weights", "w.npy", "--padding", "1",
                            "--output", "fresh.npy", "--layout", "chwn"});
    EXPECT_EQ(bad.status, 1);
    EXPECT_EQ(bad.err, "wino: error: layout must be nchw or nhwc, got 'chwn'\n");
    EXPECT_FALSE(fs::exists(dir / "fresh.npy"));
}

TEST_F(CliRun, DirectRoundTripMatchesReference) {
    for (const ConvShape &s : {ConvShape{2, 3, 5, 9, 11, 1}, ConvShape{1, 4, 3, 7, 6, 0}}) {
        SCOPED_TRACE(s.str());
        EXPECT_LE(round_trip("direct", s), 1e-6);
    }
}

// WINO_SPIN_US (how long the pool's workers spin between loops),
// WINO_HOLD_US (how long they wait for a loop's last task), WINO_AFFINITY
// (which loops replay their task-to-thread mapping) and WINO_NESTED (whether
// evenly split loops' nested loops run in order) off, on, out of range or
// not a number: the run is still right; a bad value costs one warning line
// that names the accepted values.
TEST_F(CliRun, PoolSettingsOffOnOrInvalidStillComputeTheConvolution) {
    const ConvShape s{1, 3, 5, 9, 11, 1};
    struct Setting {
        std::string name, what, range;
        int fallback;
        std::vector<std::string> good, bad;
    };
    const Setting settings[] = {
        {"WINO_SPIN_US", "a number of microseconds", "0-1000000", 2000, {"0", "50"}, {"abc", "-5", "2000000"}},
        {"WINO_HOLD_US", "a number of microseconds", "0-1000000", 0, {"0", "50"}, {"abc", "-5"}},
        {"WINO_AFFINITY", "an affinity level", "0-2", 2, {"0", "1", "2"}, {"abc", "3", "-1", "1.5"}},
        {"WINO_NESTED", "a nested-loop setting", "0-1", 1, {"0", "1"}, {"on", "2"}},
    };
    for (const Setting &setting : settings) {
        for (const std::string &value : setting.good) {
            SCOPED_TRACE(setting.name + "=" + value);
            EXPECT_LE(round_trip("wino_fused_f4", s, {setting.name + "=" + value}, ""), 2e-5);
        }
        for (const std::string &value : setting.bad) {
            SCOPED_TRACE(setting.name + "=" + value);
            const std::string warning = "wino: " + setting.name + "='" + value + "' is not " + setting.what + " (" +
                                        setting.range + "); using " + std::to_string(setting.fallback) + "\n";
            EXPECT_LE(round_trip("wino_fused_f4", s, {setting.name + "=" + value}, warning), 2e-5);
        }
    }
}

// WINO_POOL picks the runtime that runs the parallel loops: either pool
// computes the right result; a name this build has no pool for costs one
// warning line, and the default pool (oneTBB) runs the call.
TEST_F(CliRun, PoolSettingOrInvalidStillComputesTheConvolution) {
    const ConvShape s{1, 3, 5, 9, 11, 1};
#if WINO_HAVE_OPENMP
    const std::string choices = "tbb or openmp";
    const std::set<std::string> pools{"tbb", "openmp"};
#else
    const std::string choices = "tbb (this build has no OpenMP)";
    const std::set<std::string> pools{"tbb"};
#endif
    for (const std::string value : {"tbb", "openmp", "OpenMP", "gnu"}) {
        SCOPED_TRACE("WINO_POOL=" + value);
        const std::string warning =
            pools.count(value) ? "" : "wino: WINO_POOL='" + value + "' is not a thread pool of this build (" + choices + "); using tbb\n";
        EXPECT_LE(round_trip("wino_fused_f4", s, {"WINO_POOL=" + value}, warning), 2e-5);
    }
}

// WINO_L2_BYTES (the L2 size auto's model assumes, for judging runs recorded
// on another CPU) set, or not a size: auto still computes the right result;
// a bad value costs one warning line, and the model uses this CPU's L2.
TEST_F(CliRun, L2SettingOrInvalidStillComputesTheConvolutionWithAuto) {
    const ConvShape s{1, 3, 5, 9, 11, 1};
    const std::string table = "WINO_TUNING_TABLE=" + (dir / "no-table.json").string();  // auto by its model
    for (const std::string value : {"2097152", "abc", "12"}) {
        SCOPED_TRACE("WINO_L2_BYTES=" + value);
        const std::string warning =
            value == "2097152" ? "" : "wino: WINO_L2_BYTES='" + value + "' is not a cache size in bytes; using this CPU's\n";
        EXPECT_LE(round_trip("auto", s, {"WINO_L2_BYTES=" + value, table}, warning), 2e-5);
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

TEST_F(CliRun, ListLongShowsEveryVariantsMetadataAndAuto) {
    const Result r = run({"list", "--long"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "");
    std::istringstream lines(r.out);
    std::string line;
    std::getline(lines, line);
    for (const char *column : {"name", "algorithm", "schedule", "m", "device", "parameters", "target"})
        EXPECT_NE(line.find(column), std::string::npos) << column;
    for (const auto &v : wino::variants()) {
        ASSERT_TRUE(std::getline(lines, line)) << "no row for " << v.name;
        std::istringstream words(line);
        std::string name, algorithm, schedule, m, device;
        words >> name >> algorithm >> schedule >> m >> device;
        EXPECT_EQ(name, v.name);
        EXPECT_EQ(algorithm, v.algorithm);
        EXPECT_EQ(schedule, v.schedule);
        EXPECT_EQ(m, std::to_string(v.m));
        EXPECT_EQ(device, v.device);
        EXPECT_NE(line.find(v.target), std::string::npos) << line;
        if (!v.parameters.empty()) EXPECT_NE(line.find(v.parameters), std::string::npos) << line;
    }
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line.rfind("auto ", 0), 0u) << line;
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
                 {"'wino list' takes only --long", "got 'extra'"}, 2});
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
        EXPECT_EQ(r.status, c.status) << r.err;
        expect_one_error_line(r);
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
// Hostile input: refused in bounded time and memory, before anything large is
// allocated. Output paths: symbolic links, special files, the inputs
// themselves, signals.

// A process that allocated nothing large stays under this: wino peaks near
// 6 MiB on a small job (140 under ASan, with its shadow memory).
constexpr long kSmallRssKib = kUnderAsan ? 400 * 1024 : 64 * 1024;
// The address space a child gets where the bound is to be proven (none under
// ASan, which needs terabytes of it): below any declared size in these tests.
constexpr uint64_t kSmallAddressSpace = kUnderAsan ? 0 : uint64_t(1) << 30;

ChildOptions in_little_memory() {
    ChildOptions options;
    options.address_space_bytes = kSmallAddressSpace;
    return options;
}

// A header that is `header_len` bytes long in all (dict, spaces, '\n').
std::string npy_with_header_len(const std::string &dict, size_t header_len, const std::string &data, int major = 1) {
    std::string f = "\x93NUMPY";
    f += char(major);
    f += char(0);
    for (int i = 0; i < (major == 1 ? 2 : 4); i++) f += char((header_len >> (8 * i)) & 0xff);
    return f + dict + std::string(header_len - dict.size() - 1, ' ') + "\n" + data;
}

class CliHostile : public CliTest {
protected:
    const ConvShape shape{1, 2, 3, 5, 6, 1};
    std::vector<float> x, w;

    void SetUp() override {
        CliTest::SetUp();
        x = rng.uniform(count_of(shape.input()));
        w = rng.uniform(count_of(shape.weights()));
        write_bytes(dir / "x.npy", f32_npy(shape.input(), x));
        write_bytes(dir / "w.npy", f32_npy(shape.weights(), w));
    }

    static std::vector<std::string> args(const std::string &input, const std::string &weights,
                                         const std::string &output) {
        return {"run", "--variant", "direct", "--input", input, "--weights", weights,
                "--padding", "1", "--output", output, "--threads", "1"};
    }

    // `bytes` are the .npy numpy would write for the direct convolution of x and w.
    void expect_correct_output(const std::string &bytes) {
        std::vector<float> y;
        ASSERT_TRUE(decode_f32_npy(bytes, shape.output(), y)) << bytes.size() << " bytes";
        EXPECT_LE(max_scaled_error(y, reference_conv(shape, x, w), error_scale(shape, x, w)), 1e-6);
    }

    // Names of temporary files a save may have left in `d`.
    static std::vector<std::string> temp_files(const fs::path &d) {
        std::vector<std::string> names;
        for (const auto &entry : fs::directory_iterator(d))
            if (entry.path().filename().string().find(".tmp-") != std::string::npos)
                names.push_back(entry.path().filename().string());
        return names;
    }

    // Runs and expects one error line containing every keyword, and nothing on disk changed.
    Result expect_refused(const std::vector<std::string> &a, const std::vector<std::string> &keywords,
                          ChildOptions options = {}) {
        const auto before = snapshot(dir);
        const Result r = run(a, std::move(options));
        expect_one_error_line(r);
        for (const std::string &k : keywords) EXPECT_NE(r.err.find(k), std::string::npos) << "'" << k << "' in " << r.err;
        EXPECT_EQ(snapshot(dir), before) << "the failed run created, removed or changed a file";
        return r;
    }
};

// "(((...)))": a shape nested `depth` brackets deep.
std::string nested_shape(size_t depth) { return std::string(depth, '(') + std::string(depth, ')'); }

TEST_F(CliHostile, DeeplyNestedHeaderIsRefusedNotACrash) {
    // 4,900 levels fit in the header limit; without a depth limit they recurse 14,700 frames deep.
    for (size_t depth : {size_t(npy::kMaxHeaderDepth), size_t(4900)}) {  // with the dict, 17 levels and more
        SCOPED_TRACE(depth);
        write_bytes(dir / "x.npy", npy_file(dict_text_with("<f4", false, nested_shape(depth)), ""));
        expect_refused(args("x.npy", "w.npy", "y.npy"), {"input x.npy", "nested too deeply", "16 levels"});
    }
    // The classic stack overflow, 13,000 levels, is longer than the header limit.
    write_bytes(dir / "x.npy", npy_file(dict_text_with("<f4", false, nested_shape(13000)), ""));
    expect_refused(args("x.npy", "w.npy", "y.npy"), {"input x.npy", "header length", "limit of 10000 bytes"});
}

TEST_F(CliHostile, HeaderNestingLimitIsSixteenLevels) {
    // The dict is one level: a tuple nested 15 deep reaches 16 and parses (then
    // fails as a shape); one more level is refused by the parser.
    std::string tuple = "()";  // ((((),),),): each level a valid 1-tuple
    for (int level = 1; level < 15; level++) tuple = "(" + tuple + ",)";
    write_bytes(dir / "a.npy", npy_file(dict_text_with("<f4", false, tuple), ""));
    try {
        npy::load((dir / "a.npy").string());
        ADD_FAILURE() << "no error";
    } catch (const npy::Error &e) {
        EXPECT_NE(std::string(e.what()).find("shape has an entry that is not a non-negative integer"),
                  std::string::npos) << e.what();
    }
    write_bytes(dir / "a.npy", npy_file(dict_text_with("<f4", false, "(" + tuple + ",)"), ""));
    try {
        npy::load((dir / "a.npy").string());
        ADD_FAILURE() << "no error";
    } catch (const npy::Error &e) {
        EXPECT_NE(std::string(e.what()).find("nested too deeply"), std::string::npos) << e.what();
    }
}

TEST_F(CliHostile, HeaderLongerThanTheLimitIsRefused) {
    const std::string dict = dict_text("<f4", false, shape.input());
    // Exactly the limit: read (numpy's max_header_size is inclusive too).
    write_bytes(dir / "x.npy", npy_with_header_len(dict, npy::kMaxHeaderBytes, le_bytes(x)));
    Result r = run(args("x.npy", "w.npy", "y.npy"));
    EXPECT_EQ(r.status, 0) << r.err;
    expect_correct_output(read_bytes(dir / "y.npy"));
    fs::remove(dir / "y.npy");
    // One byte more, and the largest lengths either version can declare.
    write_bytes(dir / "x.npy", npy_with_header_len(dict, npy::kMaxHeaderBytes + 1, le_bytes(x)));
    expect_refused(args("x.npy", "w.npy", "y.npy"), {"input x.npy", "header length 10001", "limit of 10000 bytes"});
    write_bytes(dir / "x.npy", std::string("\x93NUMPY\x01\x00\xff\xff", 10) + dict);
    expect_refused(args("x.npy", "w.npy", "y.npy"), {"header length 65535", "limit of 10000"});
    write_bytes(dir / "x.npy", std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12) + dict);
    r = expect_refused(args("x.npy", "w.npy", "y.npy"), {"header length 4294967295", "limit of 10000"},
                       in_little_memory());
    EXPECT_LT(r.max_rss_kib, kSmallRssKib);
}

TEST_F(CliHostile, PipeAndFifoInputsWork) {
    // More than one read chunk of input, through pipes the child reads as /dev/fd/N.
    const ConvShape big{1, 3, 2, 300, 301, 1};
    const std::vector<float> bx = rng.uniform(count_of(big.input())), bw = rng.uniform(count_of(big.weights()));
    ASSERT_GT(bx.size() * 4, npy::kStreamChunkBytes);
    ChildOptions pipes;
    pipes.pipes = {{60, f32_npy(big.input(), bx)}, {61, f32_npy(big.weights(), bw)}};
    Result r = run(args("/dev/fd/60", "/dev/fd/61", "y.npy"), pipes);
    ASSERT_EQ(r.status, 0) << r.err;
    std::vector<float> y;
    ASSERT_TRUE(decode_f32_npy(read_bytes(dir / "y.npy"), big.output(), y));
    EXPECT_LE(max_scaled_error(y, reference_conv(big, bx, bw), error_scale(big, bx, bw)), 1e-6);
    fs::remove(dir / "y.npy");

    // A shell's process substitution: --input <(cat x.npy).
    std::string script = "exec \"$0\"";
    for (const std::string &a : args("x.npy", "w.npy", "y.npy")) script += " '" + a + "'";
    script.replace(script.find("'x.npy'"), 7, "<(cat x.npy)");
    script.replace(script.find("'w.npy'"), 7, "<(cat w.npy)");
    ChildOptions in_dir;
    in_dir.cwd = dir;
    r = run_child({"/bin/bash", "-c", script, WINO_CLI_PATH}, in_dir);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    expect_correct_output(read_bytes(dir / "y.npy"));
    fs::remove(dir / "y.npy");

    // A named FIFO, written by the test while wino reads it.
    ASSERT_EQ(mkfifo((dir / "x.fifo").c_str(), 0600), 0) << std::strerror(errno);
    std::thread writer([&] {
        const int fd = open((dir / "x.fifo").c_str(), O_WRONLY);  // waits for wino to open it
        if (fd >= 0) feed_pipe(fd, f32_npy(shape.input(), x));
    });
    r = run(args("x.fifo", "w.npy", "y.npy"));
    if (r.status != 0) {  // wino never opened it: release the writer
        const int fd = open((dir / "x.fifo").c_str(), O_RDONLY | O_NONBLOCK);
        if (fd >= 0) close(fd);
    }
    writer.join();
    ASSERT_EQ(r.status, 0) << r.err;
    expect_correct_output(read_bytes(dir / "y.npy"));
}

TEST_F(CliHostile, PipeDeclaringHugeDataFailsFastInLittleMemory) {
    // 20000 x 20000 floats is a valid shape (1.6 GB), over the address space the
    // child gets: allocated up front, it would be "out of memory", not "truncated".
    const std::vector<int64_t> huge{1, 2, 20000, 20000};
    ChildOptions options = in_little_memory();
    options.pipes = {{60, npy_file(dict_text("<f4", false, huge), std::string(100, '\x01'))}};
    const Result r = expect_refused(args("/dev/fd/60", "w.npy", "y.npy"),
                                    {"input /dev/fd/60", "truncated data", "needs 3200000000 bytes", "has 100"},
                                    options);
    EXPECT_LT(r.seconds, 5.0);
    EXPECT_LT(r.max_rss_kib, kSmallRssKib);
}

TEST_F(CliHostile, TinyFileDeclaringHugeDataFailsFastInLittleMemory) {
    const std::vector<int64_t> huge{1, 2, 20000, 20000};
    write_bytes(dir / "x.npy", npy_file(dict_text("<f4", false, huge), std::string(100, '\x01')));
    const Result r = expect_refused(args("x.npy", "w.npy", "y.npy"), {"input x.npy", "truncated data", "has 100"},
                                    in_little_memory());
    EXPECT_LT(r.seconds, 5.0);
    EXPECT_LT(r.max_rss_kib, kSmallRssKib);
}

TEST_F(CliHostile, EmptyShapeWithHugeOutputIsRefusedBeforeAnyAllocation) {
    // 128 bytes declaring (0, 1, 3, 2e8): once zero-filled a 12 GB output first.
    const std::vector<int64_t> empty{0, 1, 3, 200000000};
    write_bytes(dir / "x.npy", npy_file(dict_text("<f4", false, empty), ""));
    ASSERT_EQ(fs::file_size(dir / "x.npy"), 128u);
    write_bytes(dir / "w.npy", f32_npy({2, 1, 3, 3}, rng.uniform(18)));
    const Result r = expect_refused(args("x.npy", "w.npy", "y.npy"),
                                    {"input shape (0, 1, 3, 200000000) has a dimension < 1"}, in_little_memory());
    EXPECT_LT(r.seconds, 5.0);
    EXPECT_LT(r.max_rss_kib, kSmallRssKib);
}

TEST_F(CliHostile, OutputThatIsAnInputIsRefusedAndTheInputKept) {
    fs::create_directory(dir / "sub");
    fs::create_symlink("x.npy", dir / "link.npy");
    fs::create_hard_link(dir / "w.npy", dir / "hard.npy");
    for (const std::string &out : {std::string("x.npy"), std::string("./x.npy"), std::string("sub/../x.npy"),
                                   (dir / "x.npy").string(), std::string("link.npy")}) {
        SCOPED_TRACE(out);
        expect_refused(args("x.npy", "w.npy", out), {"is the same file as the input x.npy", "refusing"});
    }
    for (const std::string &out : {std::string("w.npy"), std::string("hard.npy")}) {
        SCOPED_TRACE(out);
        expect_refused(args("x.npy", "w.npy", out), {"is the same file as the weights w.npy"});
    }
    // Reached through a link to the input: the same file too.
    expect_refused(args("link.npy", "w.npy", "x.npy"), {"is the same file as the input link.npy"});
}

TEST_F(CliHostile, SymlinkOutputKeepsTheLinksAndReplacesTheirTarget) {
    fs::create_directory(dir / "t");
    write_bytes(dir / "t" / "real.npy", "old contents");
    ASSERT_EQ(chmod((dir / "t" / "real.npy").c_str(), 0640), 0);
    fs::create_symlink("t/real.npy", dir / "mid.npy");  // relative to the link's directory
    fs::create_symlink("mid.npy", dir / "y.npy");       // a chain of two
    fs::create_symlink(dir / "t" / "real.npy", dir / "abs.npy");
    for (const char *out : {"y.npy", "abs.npy"}) {
        SCOPED_TRACE(out);
        const Result r = run(args("x.npy", "w.npy", out));
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(fs::read_symlink(dir / "y.npy"), "mid.npy");
        EXPECT_EQ(fs::read_symlink(dir / "mid.npy"), "t/real.npy");
        EXPECT_EQ(fs::read_symlink(dir / "abs.npy"), dir / "t" / "real.npy");
        expect_correct_output(read_bytes(dir / "t" / "real.npy"));
        struct stat st;
        ASSERT_EQ(stat((dir / "t" / "real.npy").c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0640u) << "the replaced target keeps its permissions";
        EXPECT_EQ(temp_files(dir), std::vector<std::string>{});
        EXPECT_EQ(temp_files(dir / "t"), std::vector<std::string>{});
        write_bytes(dir / "t" / "real.npy", "old contents");
    }
}

TEST_F(CliHostile, DanglingSymlinkOutputCreatesItsTarget) {
    fs::create_directory(dir / "t");
    fs::create_symlink("t/new.npy", dir / "y.npy");
    const Result r = run(args("x.npy", "w.npy", "y.npy"));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(fs::read_symlink(dir / "y.npy"), "t/new.npy");
    expect_correct_output(read_bytes(dir / "t" / "new.npy"));
    // Dangling into a directory that does not exist: refused before computing.
    fs::create_symlink("none/new.npy", dir / "z.npy");
    expect_refused(args("x.npy", "w.npy", "z.npy"), {"output z.npy", "cannot write into directory 'none'"});
    // A loop of links.
    fs::create_symlink("loop2.npy", dir / "loop1.npy");
    fs::create_symlink("loop1.npy", dir / "loop2.npy");
    expect_refused(args("x.npy", "w.npy", "loop1.npy"), {"output loop1.npy", "too many levels of symbolic links"});
}

TEST_F(CliHostile, FifoOutputIsWrittenInPlace) {
    ASSERT_EQ(mkfifo((dir / "y.fifo").c_str(), 0600), 0) << std::strerror(errno);
    // Opened for reading first, so wino's open for writing does not wait; the
    // output (under 1 KB) fits the pipe's buffer, and is read after the run.
    const int fd = open((dir / "y.fifo").c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    const Result r = run(args("x.npy", "w.npy", "y.fifo"));
    std::string received;
    char buf[65536];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) received.append(buf, size_t(n));
    close(fd);
    ASSERT_EQ(r.status, 0) << r.err;
    expect_correct_output(received);
    struct stat st;
    ASSERT_EQ(lstat((dir / "y.fifo").c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
    EXPECT_EQ(temp_files(dir), std::vector<std::string>{});
}

TEST_F(CliHostile, CharacterDeviceOutputIsWrittenInPlace) {
    // A null device of our own (1, 3 is /dev/null's number), never the real /dev/null.
    if (mknod((dir / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0)
        GTEST_SKIP() << "cannot create a device node here: " << std::strerror(errno);
    const auto before = snapshot(dir);
    const Result r = run(args("x.npy", "w.npy", "null"));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(snapshot(dir), before) << "the device was replaced, or a file left beside it";
}

TEST_F(CliHostile, SocketOutputIsRefused) {
    const int s = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(s, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = (dir / "sock").string();
    ASSERT_LT(path.size(), sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    ASSERT_EQ(bind(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0) << std::strerror(errno);
    expect_refused(args("x.npy", "w.npy", "sock"), {"output sock", "is a socket", "only a regular file"});
    close(s);
}

TEST_F(CliHostile, SignalDuringTheSaveLeavesNoTemporaryFile) {
    // 268 MB of output: the save takes long enough to be caught in the act.
    const ConvShape big{1, 1, 64, 1024, 1024, 1};
    write_bytes(dir / "x.npy", f32_npy(big.input(), rng.uniform(count_of(big.input()))));
    write_bytes(dir / "w.npy", f32_npy(big.weights(), rng.uniform(count_of(big.weights()))));
    for (int sig : {SIGTERM, SIGINT}) {
        SCOPED_TRACE(strsignal(sig));
        write_bytes(dir / "y.npy", "old output");
        const auto before = snapshot(dir);
        // A few tries: on a fast disk the save may finish between two looks.
        bool caught = false;
        for (int attempt = 0; attempt < 5 && !caught; attempt++) {
            bool sent = false;
            ChildOptions options;
            options.watch = [&](pid_t pid) {
                if (sent) return;
                for (const auto &entry : fs::directory_iterator(dir)) {
                    std::error_code ec;
                    // check_writable's probe is empty; the save's file grows.
                    if (entry.path().filename().string().rfind(".y.npy.tmp-", 0) == 0 && fs::file_size(entry, ec) > 0) {
                        kill(pid, sig);
                        sent = true;
                    }
                }
            };
            const Result r = run({"run", "--variant", "direct", "--input", "x.npy", "--weights", "w.npy", "--padding",
                                  "1", "--output", "y.npy"},
                                 options);
            if (r.status == 0) {  // finished before it was seen: try again from the old output
                write_bytes(dir / "y.npy", "old output");
                continue;
            }
            caught = true;
            EXPECT_EQ(r.signal, sig) << "ended by the signal it got, as before; status " << r.status << " " << r.err;
            EXPECT_EQ(temp_files(dir), std::vector<std::string>{});
            EXPECT_EQ(snapshot(dir), before);
        }
        EXPECT_TRUE(caught) << "the save was never seen in progress";
    }
}

TEST_F(CliHostile, OverlongOutputNamesAreRefusedBeforeAnyWork) {
    // The input's data is truncated: an error about it would mean the output was checked too late.
    write_bytes(dir / "x.npy", f32_npy(shape.input(), x).substr(0, 200));
    const std::string long_name(300, 'n');
    expect_refused(args("x.npy", "w.npy", long_name + ".npy"), {"output nnn", "304 bytes long", "NAME_MAX"});
    fs::create_directory(dir / "sub");
    expect_refused(args("x.npy", "w.npy", "sub/" + long_name), {"300 bytes long", "NAME_MAX"});
    std::string long_path;
    while (long_path.size() < 5000) long_path += "./";
    long_path += "y.npy";
    expect_refused(args("x.npy", "w.npy", long_path), {"output ./././", "bytes ...]", "PATH_MAX"});
}

TEST_F(CliHostile, LongShapesAreCutInMessages) {
    // Rank 3000 fits the header limit; its shape is 9000 characters.
    const std::vector<int64_t> rank3000(3000, 1);
    write_bytes(dir / "x.npy", npy_file(dict_text("<f4", false, rank3000), le_bytes(std::vector<float>(1))));
    const Result r = expect_refused(args("x.npy", "w.npy", "y.npy"),
                                    {"input must be 4-D", "rank 3000", "(1, 1, 1, 1, 1, 1, 1, 1, ... 2992 more)"});
    EXPECT_LT(r.err.size(), 400u) << r.err;
    EXPECT_EQ(npy::shape_string({1, 2, 3, 4, 5, 6, 7, 8}), "(1, 2, 3, 4, 5, 6, 7, 8)");
    EXPECT_EQ(npy::shape_string({1, 2, 3, 4, 5, 6, 7, 8, 9}), "(1, 2, 3, 4, 5, 6, 7, 8, ... 1 more)");
}

TEST_F(CliHostile, ControlBytesAreEscapedAndLinesCut) {
    // A terminal escape and a newline in an argument: printed as \xNN, on one line.
    Result r;
    std::vector<std::string> a = args("x.npy", "w.npy", "y.npy");
    a[2] = "bad\x1b[31m\nname\x7f";
    r = run(a);
    expect_one_error_line(r);
    EXPECT_NE(r.err.find("unknown variant 'bad\\x1b[31m\\x0aname\\x7f'"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
    // UTF-8 text stays readable; a C1 control (CSI, U+009B) and invalid UTF-8 do not.
    a[2] = "caf\xc3\xa9-\xc2\x9b-\xff";
    r = run(a);
    expect_one_error_line(r);
    EXPECT_NE(r.err.find("'caf\xc3\xa9-\\xc2\\x9b-\\xff'"), std::string::npos) << r.err;
    // In a path, through the .npy library's messages too.
    r = expect_refused(args("x.npy", "w.npy", "no\ndir/y.npy"), {"output no\\x0adir/y.npy", "no\\x0adir"});
    // A 100 KB argument: the line is cut, and says so.
    a[2] = std::string(100000, 'v');
    r = run(a);
    expect_one_error_line(r);
    EXPECT_LT(r.err.size(), 1100u);
    EXPECT_NE(r.err.find("bytes in all)"), std::string::npos) << r.err;
}

// ---------------------------------------------------------------------------
// The .npy library itself, for what the tool does not reach.

class CliNpy : public CliTest {};

TEST_F(CliNpy, SaveThenLoadIsBitwiseForAnyShape) {
    // Rank 10: more dimensions than messages show, all of them in the header.
    const std::vector<std::vector<int64_t>> shapes = {{}, {0}, {5}, {2, 0, 3}, {2, 3, 4, 5}, {1, 2, 1, 1, 1, 1, 1, 1, 3, 2}};
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
