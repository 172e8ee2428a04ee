// wino: the command-line tool. Lists the compiled variants, or runs one on
// .npy files. Every failure is one line on stderr and a non-zero exit, and the
// output file is written (atomically) only after a successful convolution.
#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "npy.h"
#include "wino/wino.h"

namespace {

constexpr int kExitFailure = 1;  // bad data, files, or a failed convolution
constexpr int kExitUsage = 2;    // a bad command line

constexpr const char *kUsage = R"(usage: wino list
       wino run --variant NAME --input X.npy --weights W.npy --padding P --output Y.npy [--threads T]
       wino --help

commands:
  list     print every compiled variant, one name per line
  run      3x3 convolution of an input with weights by one variant

run options (--name VALUE or --name=VALUE):
  --variant NAME    a name printed by 'wino list'
  --input X.npy     input, float32 (N, C, H, W), C order
  --weights W.npy   weights, float32 (K, C, 3, 3), C order
  --padding P       zero padding on each side: 0 or 1
  --output Y.npy    output, float32 (N, K, H + 2P - 2, W + 2P - 2); replaced atomically
  --threads T       worker threads; 0 (the default) = one per core

.npy files must hold float32 little-endian ('<f4') C-order arrays.
On error wino prints one line 'wino: error: ...' on stderr, exits with 1
(2 for a bad command line) and leaves the output path untouched.
)";

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One line on stderr whatever the message holds, so callers can rely on it.
void report(const std::string &message) {
    std::string line = message;
    for (char &c : line)
        if (c == '\n' || c == '\r') c = ' ';
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::fprintf(stderr, "wino: error: %s\n", line.c_str());
}

// The whole of `text` as an int; false if it is not one (or out of range).
bool parse_int(const std::string &text, int &value) {
    const char *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc() && ptr == end && !text.empty();
}

struct RunArgs {
    std::string variant, input, weights, output;
    int padding = 0;
    int threads = 0;
};

// Parses `run`'s options; returns false if --help was asked for.
bool parse_run_args(const std::vector<std::string> &args, RunArgs &out) {
    static const std::vector<std::string> kRequired = {"variant", "input", "weights", "padding", "output"};
    static const std::vector<std::string> kOptional = {"threads"};
    auto known = [&](const std::string &name) {
        for (const auto *list : {&kRequired, &kOptional})
            for (const std::string &n : *list)
                if (n == name) return true;
        return false;
    };

    std::map<std::string, std::string> given;
    for (size_t i = 0; i < args.size(); i++) {
        const std::string &arg = args[i];
        if (arg == "--help" || arg == "-h") return false;
        if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
            throw UsageError("unexpected argument '" + arg + "' (see 'wino --help')");
        std::string name = arg.substr(2), value;
        const size_t eq = name.find('=');
        bool has_value = eq != std::string::npos;
        if (has_value) {
            value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (!known(name)) throw UsageError("unknown option '--" + name + "' (see 'wino --help')");
        if (!has_value) {
            // A following option is not a value: "--input --weights w.npy" lacks the input.
            if (i + 1 >= args.size() || args[i + 1].compare(0, 2, "--") == 0)
                throw UsageError("option --" + name + " needs a value");
            value = args[++i];
        }
        if (value.empty()) throw UsageError("option --" + name + " has an empty value");
        if (!given.emplace(name, value).second) throw UsageError("option --" + name + " is given more than once");
    }
    for (const std::string &name : kRequired)
        if (!given.count(name)) throw UsageError("missing required option --" + name + " (see 'wino --help')");

    out.variant = given["variant"];
    out.input = given["input"];
    out.weights = given["weights"];
    out.output = given["output"];
    // Integers are checked here; their range (padding 0/1, threads >= 0) by the
    // API, whose messages say what is allowed.
    if (!parse_int(given["padding"], out.padding))
        throw UsageError("--padding must be 0 or 1, got '" + given["padding"] + "'");
    if (given.count("threads") && !parse_int(given["threads"], out.threads))
        throw UsageError("--threads must be a non-negative integer, got '" + given["threads"] + "'");
    return true;
}

// npy errors name the file; say which argument it was.
npy::Array load_arg(const std::string &role, const std::string &path) {
    try {
        return npy::load(path);
    } catch (const npy::Error &e) {
        throw npy::Error(role + " " + e.what());
    }
}

// An array with a zero dimension has no storage, and its data() may be null;
// a valid pointer (with capacity 0) lets the API report the shape instead.
const float *data_of(const npy::Array &a) {
    static const float none = 0.0f;
    return a.data.empty() ? &none : a.data.data();
}

int run(const RunArgs &a) {
    wino::variant(a.variant);  // an unknown name fails before any file is read
    try {
        npy::check_writable(a.output);
    } catch (const npy::Error &e) {
        throw npy::Error(std::string("output ") + e.what());
    }
    const npy::Array input = load_arg("input", a.input);
    const npy::Array weights = load_arg("weights", a.weights);

    // Throws for an input that is not 4-D and for a padding other than 0/1.
    // K is a placeholder for weights of rank 0, which conv2d rejects below.
    const int64_t K = weights.shape.empty() ? 1 : weights.shape[0];
    const std::vector<int64_t> out_shape = wino::output_shape(input.shape, K, a.padding);

    // If a dimension comes out < 1, the input is empty or smaller than the
    // kernel, or the weights are empty: conv2d reports which, from its input
    // and weight checks, provided the output view itself is well formed. So
    // such dimensions are raised to 1 here; conv2d then throws before it
    // computes (the view cannot match its expected shape), never returns.
    std::vector<int64_t> view_shape = out_shape;
    bool placeholder = false;
    for (int64_t &d : view_shape)
        if (d < 1) {
            d = 1;
            placeholder = true;
        }
    std::vector<float> output;
    try {
        output.resize(npy::element_count(view_shape));
    } catch (const std::bad_alloc &) {
        throw std::runtime_error("out of memory for the output of shape " + npy::shape_string(out_shape));
    }

    wino::RunOptions options;
    options.threads = a.threads;
    wino::conv2d(a.variant, {data_of(input), input.shape, input.data.size()},
                 {data_of(weights), weights.shape, weights.data.size()},
                 {output.data(), view_shape, output.size()}, a.padding, options);
    if (placeholder)  // unreachable by the reasoning above; never write a wrong shape
        throw std::logic_error("internal error: convolution accepted an invalid output shape " +
                               npy::shape_string(out_shape));

    try {
        npy::save(a.output, out_shape, output.data());
    } catch (const npy::Error &e) {
        throw npy::Error(std::string("output ") + e.what());
    }
    return 0;
}

int list() {
    for (const wino::VariantInfo &v : wino::variants()) std::cout << v.name << '\n';
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("cannot write to standard output");
    return 0;
}

int main_impl(const std::vector<std::string> &args) {
    if (args.empty()) throw UsageError("no command given (see 'wino --help')");
    const std::string &command = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << kUsage;
        return 0;
    }
    if (command == "list") {
        if (!rest.empty()) {
            if (rest[0] == "--help" || rest[0] == "-h") {
                std::cout << kUsage;
                return 0;
            }
            throw UsageError("'wino list' takes no arguments, got '" + rest[0] + "'");
        }
        return list();
    }
    if (command == "run") {
        RunArgs run_args;
        if (!parse_run_args(rest, run_args)) {
            std::cout << kUsage;
            return 0;
        }
        return run(run_args);
    }
    throw UsageError("unknown command '" + command + "' (expected 'list' or 'run'; see 'wino --help')");
}

}  // namespace

int main(int argc, char **argv) {
    try {
        return main_impl(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const UsageError &e) {
        report(e.what());
        return kExitUsage;
    } catch (const std::bad_alloc &) {
        report("out of memory");
        return kExitFailure;
    } catch (const std::exception &e) {  // npy::Error, wino::Error: their messages name the problem
        report(e.what());
        return kExitFailure;
    } catch (...) {
        report("unexpected internal error");
        return kExitFailure;
    }
}
