// wino: the command-line tool. Lists the compiled variants, or runs one on
// .npy files. Every failure is one line on stderr and a non-zero exit, found
// before anything large is allocated or computed (both headers are read and
// the shapes validated before any data), and the output is written only after
// a successful convolution: atomically for a file, through its symbolic links.
#include <signal.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "npy.h"
#include "wino/wino.h"

namespace {

constexpr int kExitFailure = 1;  // bad data, files, or a failed convolution
constexpr int kExitUsage = 2;    // a bad command line

constexpr const char *kUsage = R"(usage: wino list [--long]
       wino run --variant NAME --input X.npy --weights W.npy --padding P --output Y.npy [--threads T]
                [--layout nchw|nhwc]
       wino --help

commands:
  list     print every compiled variant, one name per line; with --long, a table:
           name, algorithm, schedule, m, device, schedule parameters and
           Halide target, and the selector 'auto' with the variant it would
           pick for a 1x64x64x56x56 layer here
  run      3x3 convolution of an input with weights by one variant

run options (--name VALUE or --name=VALUE):
  --variant NAME    a name printed by 'wino list', or 'auto' (picks per layer)
  --input X.npy     input, float32 (N, C, H, W), C order; (N, H, W, C) with --layout nhwc
  --weights W.npy   weights, float32 (K, C, 3, 3), C order
  --padding P       zero padding on each side: 0 or 1
  --output Y.npy    output, float32 (N, K, H + 2P - 2, W + 2P - 2); (N, H', W', K) with
                    --layout nhwc; a file is replaced atomically (a symbolic link
                    stays, its target is replaced), a FIFO or character device is
                    written directly; never an input file
  --threads T       worker threads; 0 (the default) = one per core
  --layout L        the input's and output's layout: nchw (the default) or nhwc
                    (channels innermost); a variant runs on the layout it was
                    compiled for ('wino list --long' shows layout=nhwc)

.npy files must hold float32 little-endian ('<f4') C-order arrays; inputs may
be pipes (e.g. --input <(zcat x.npy.gz)).
On error wino prints one line 'wino: error: ...' on stderr, exits with 1
(2 for a bad command line) and leaves the output path untouched.
)";

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The longest error line printed (before the prefix): a message quoting a
// hostile file or argument stays one readable line.
constexpr size_t kMaxMessageBytes = 1000;

// The length of the UTF-8 sequence at s[i] if it is valid and encodes a
// character safe to print (not a C1 control, line separator or bidi
// override); 0 otherwise.
size_t printable_utf8_length(const std::string &s, size_t i) {
    const unsigned char lead = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (lead >= 0xc2 && lead <= 0xdf) {
        len = 2, cp = lead & 0x1fu;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        len = 3, cp = lead & 0x0fu;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        len = 4, cp = lead & 0x07u;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (size_t k = 1; k < len; k++) {
        const unsigned char c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (c & 0x3fu);
    }
    static const uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};  // shorter forms are overlong
    if (cp < kMinimum[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069))
        return 0;
    return len;
}

// `message` made safe for a terminal and for line-oriented readers: control
// bytes, invalid UTF-8 and the like as \xNN (so a newline cannot split the
// line, nor an escape sequence reach the terminal), cut to kMaxMessageBytes.
std::string one_safe_line(const std::string &message) {
    std::string line;
    size_t i = 0;
    while (i < message.size() && line.size() < kMaxMessageBytes) {
        const unsigned char c = static_cast<unsigned char>(message[i]);
        if (c >= 0x20 && c < 0x7f) {
            line += char(c);
            i++;
        } else if (const size_t len = printable_utf8_length(message, i)) {
            line.append(message, i, len);
            i += len;
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            line += escaped;
            i++;
        }
    }
    if (i < message.size()) line += "... (cut; " + std::to_string(message.size()) + " bytes in all)";
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

// One line on stderr whatever the message holds, so callers can rely on it.
void report(const std::string &message) {
    std::fprintf(stderr, "wino: error: %s\n", one_safe_line(message).c_str());
}

// The whole of `text` as an int; false if it is not one (or out of range).
bool parse_int(const std::string &text, int &value) {
    const char *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc() && ptr == end && !text.empty();
}

struct RunArgs {
    std::string variant, input, weights, output, layout = "nchw";
    int padding = 0;
    int threads = 0;
};

// Parses `run`'s options; returns false if --help was asked for.
bool parse_run_args(const std::vector<std::string> &args, RunArgs &out) {
    static const std::vector<std::string> kRequired = {"variant", "input", "weights", "padding", "output"};
    static const std::vector<std::string> kOptional = {"threads", "layout"};
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
    if (given.count("layout")) out.layout = given["layout"];  // checked by the API
    // Integers are checked here; their range (padding 0/1, threads >= 0) by the
    // API, whose messages say what is allowed.
    if (!parse_int(given["padding"], out.padding))
        throw UsageError("--padding must be 0 or 1, got '" + given["padding"] + "'");
    if (given.count("threads") && !parse_int(given["threads"], out.threads))
        throw UsageError("--threads must be a non-negative integer, got '" + given["threads"] + "'");
    return true;
}

// Runs f(), prefixing an npy error (which names the file) with the argument it
// came from: "input x.npy: ...".
template <typename F>
auto as_argument(const char *role, F &&f) -> decltype(f()) {
    try {
        return f();
    } catch (const npy::Error &e) {
        throw npy::Error(std::string(role) + " " + e.what());
    }
}

int run(const RunArgs &a) {
    wino::variant(a.variant);  // an unknown name fails before any file is read
    npy::install_signal_cleanup();  // a SIGINT or SIGTERM during a save leaves no temporary file
    as_argument("output", [&] { npy::check_writable(a.output); });

    // Both headers, then every check that depends on shapes alone: a bad shape
    // is refused before any data is read or memory allocated for it.
    const auto input = as_argument("input", [&] { return std::make_unique<npy::Reader>(a.input); });
    const auto weights = as_argument("weights", [&] { return std::make_unique<npy::Reader>(a.weights); });
    for (const auto &[role, reader] : {std::pair{"input", input.get()}, {"weights", weights.get()}})
        if (reader->is_same_file(a.output))
            throw npy::Error("output " + npy::display_path(a.output) + " is the same file as the " + role + " " +
                             npy::display_path(reader->path()) + "; refusing to overwrite an input");
    wino::RunOptions options;
    options.threads = a.threads;
    options.layout = a.layout;
    const std::vector<int64_t> out_shape =
        wino::validate_shapes(a.variant, input->shape(), weights->shape(), a.padding, options);

    const std::vector<float> x = as_argument("input", [&] { return input->read_data(); });
    const std::vector<float> w = as_argument("weights", [&] { return weights->read_data(); });
    // Not zero-filled: the convolution writes every element.
    const size_t count = npy::element_count(out_shape);
    const std::unique_ptr<float[]> y(new (std::nothrow) float[count]);
    if (!y) throw std::runtime_error("out of memory for the output of shape " + npy::shape_string(out_shape));
    wino::conv2d(a.variant, {x.data(), input->shape(), x.size()}, {w.data(), weights->shape(), w.size()},
                 {y.get(), out_shape, count}, a.padding, options);

    as_argument("output", [&] { npy::save(a.output, out_shape, y.get()); });
    return 0;
}

int list(bool long_form) {
    if (!long_form) {
        for (const wino::VariantInfo &v : wino::variants()) std::cout << v.name << '\n';
    } else {
        // One row per variant: its metadata from the variant table and the target it was compiled for.
        auto row = [](const std::string &name, const std::string &algorithm, const std::string &schedule,
                      const std::string &m, const std::string &device, const std::string &parameters,
                      const std::string &target) {
            std::printf("%-24s %-9s %-14s %-3s %-6s %-40s %s\n", name.c_str(), algorithm.c_str(), schedule.c_str(),
                        m.c_str(), device.c_str(), parameters.empty() ? "-" : parameters.c_str(), target.c_str());
        };
        row("name", "algorithm", "schedule", "m", "device", "parameters", "target");
        for (const wino::VariantInfo &v : wino::variants())
            row(v.name, v.algorithm, v.schedule, std::to_string(v.m), v.device, v.parameters, v.target);
        const wino::VariantInfo &a = wino::variant("auto");
        const wino::Selection example = wino::select_variant({1, 64, 64, 56, 56, 1});
        row(a.name, a.algorithm, a.schedule, "-", "any",
            "picks per layer; 1x64x64x56x56: " + example.variant + " (" + example.source + ")", a.target);
        std::fflush(stdout);
    }
    std::cout.flush();
    if (!std::cout || std::ferror(stdout)) throw std::runtime_error("cannot write to standard output");
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
        if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) {
            std::cout << kUsage;
            return 0;
        }
        for (const std::string &arg : rest)
            if (arg != "--long") throw UsageError("'wino list' takes only --long, got '" + arg + "'");
        return list(!rest.empty());
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
    // A reader that went away (a FIFO output, `wino list | head -0`) is a
    // write error with a message, not a silent death by SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
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
