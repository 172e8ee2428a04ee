#include "blocking.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "layout.h"

namespace wino {

Machine machine_of_target_string(const std::string &target) {
    // Features are '-'-separated words after arch-bits-os.
    auto has = [&](const std::string &feature) {
        std::istringstream in(target);
        for (std::string word; std::getline(in, word, '-');)
            if (word == feature) return true;
        return false;
    };
    if (has("avx512")) return {16, 32};
    if (has("avx") || has("avx2")) return {8, 16};
    return {4, 16};
}

RegisterBlock register_block(const Machine &machine) {
    // Accumulators = k_vectors x columns; each step of the reduction also needs
    // k_vectors registers for the loaded weights, broadcasts, and whatever the
    // compiler hoists. Two vectors of channels amortize each broadcast over two
    // FMAs. Filling more than ~3/4 of the registers with accumulators spilled
    // (measured: 2 x 14 on 32 zmm spilled, as 2 x 7 did on 16 ymm), so:
    // 2 x 6 = 12 of 16 registers (AVX2), 2 x 12 = 24 of 32 (AVX-512).
    RegisterBlock b;
    b.lanes = machine.lanes;
    b.k_vectors = 2;
    b.columns = machine.registers * 3 / 4 / b.k_vectors;
    if (kWeightKBlock % b.k() != 0) b.k_vectors = 1;  // blocks must divide the weight padding
    return b;
}

RegisterBlock register_block(const Machine &machine, const ScheduleParams &p) {
    RegisterBlock b = register_block(machine);
    const int budget = machine.registers * 3 / 4;  // accumulators, as in the default block
    if (p.k_vectors < 0 || p.k_vectors > 4)
        throw std::invalid_argument("k_vectors=" + std::to_string(p.k_vectors) + ": 1 to 4 vectors of output channels");
    if (p.block.empty() || p.block == "auto") {
        if (p.k_vectors) {
            b.k_vectors = p.k_vectors;
            b.columns = std::max(1, budget / b.k_vectors);
        }
        return b;
    }
    char tail;
    int x = 0, y = 0;
    if (std::sscanf(p.block.c_str(), "%dx%d%c", &x, &y, &tail) != 2 || x < 1 || y < 1)
        throw std::invalid_argument("register block '" + p.block + "': expected columns XxY, e.g. 7x2");
    // A block of more accumulators than the budget loses rows (then columns)
    // on this target; the channel vectors fill what remains, at most 2 and
    // dividing kWeightKBlock, unless k_vectors says (3 vectors: 48 channels,
    // a block that fits K = 40 or 48 where two blocks of 32 computed 64). So 8x1 with 3
    // vectors keeps its 24 accumulators on AVX-512 and is 4x1 on AVX2.
    while (x * y * std::max(1, p.k_vectors) > budget && x * y > 1) (y > 1 ? y : x)--;
    b.k_vectors = p.k_vectors ? p.k_vectors : std::max(1, std::min(2, budget / (x * y)));
    while (!p.k_vectors && kWeightKBlock % b.k() != 0) b.k_vectors--;
    b.columns = x * y;
    b.y = y;
    return b;
}

std::vector<std::string> grid_blocks(long long extent_x, long long extent_y, int k_vectors, int max_columns, int count) {
    struct Option {
        int x, y;
        double waste;
    };
    std::vector<Option> options;
    extent_x = std::max(extent_x, 1LL), extent_y = std::max(extent_y, 1LL);
    const int fewest = (8 + std::max(k_vectors, 1) - 1) / std::max(k_vectors, 1);
    for (int x = 1; x <= std::min<long long>(extent_x, max_columns); x++)
        for (int y = 1; x * y <= max_columns && y <= extent_y; y++) {
            if (x * y < fewest) continue;
            const double computed = double((extent_x + x - 1) / x * x) * double((extent_y + y - 1) / y * y);
            const double waste = computed / (double(extent_x) * double(extent_y));
            if (waste <= 1.1) options.push_back({x, y, waste});
        }
    std::sort(options.begin(), options.end(), [](const Option &a, const Option &b) {
        if (a.waste != b.waste) return a.waste < b.waste;
        if (a.x * a.y != b.x * b.y) return a.x * a.y > b.x * b.y;
        return a.x > b.x;
    });
    std::vector<std::string> out;
    for (const Option &o : options) {
        if (int(out.size()) >= count) break;
        out.push_back(std::to_string(o.x) + "x" + std::to_string(o.y));
    }
    return out;
}

int fused_c_block(const ScheduleParams &p) {
    if (p.c_block < 0) throw std::invalid_argument("c_block must be >= 0 (input channels per block)");
    return p.c_block;
}

int band_bytes(const ScheduleParams &p) {
    if (p.band_kb < 0) throw std::invalid_argument("band_kb must be >= 0");
    return (p.band_kb ? p.band_kb : 512) * 1024;
}

bool parallel_channels(const ScheduleParams &p) {
    if (p.parallel.empty() || p.parallel == "channels" || p.parallel == "all" || p.parallel == "groups" ||
        p.parallel == "points")
        return true;
    if (p.parallel == "bands") return false;
    throw std::invalid_argument("parallel='" + p.parallel + "': expected 'bands', 'channels', 'all', 'groups' or 'points'");
}

bool parallel_all(const ScheduleParams &p) {
    return parallel_channels(p) && (p.parallel == "all" || p.parallel == "points");
}

bool parallel_points(const ScheduleParams &p) { return parallel_channels(p) && p.parallel == "points"; }

bool parallel_groups(const ScheduleParams &p) { return parallel_channels(p) && p.parallel == "groups"; }

bool pads_image(const ScheduleParams &p) {
    if (p.pad.empty() || p.pad == "bands" || p.pad == "blocks") return false;
    if (p.pad == "image") return true;
    throw std::invalid_argument("pad='" + p.pad + "': expected 'bands', 'image' or 'blocks'");
}

bool pads_channel_blocks(const ScheduleParams &p) {
    if (pads_image(p) || p.pad != "blocks") return false;
    if (!channels_last(p)) throw std::invalid_argument("pad=blocks blocks the channels of an NHWC band: it needs layout=nhwc");
    return true;
}

bool pads_inline(const ScheduleParams &p) {
    if (p.pad.empty() || p.pad == "bands") return false;
    if (p.pad == "inline") return true;
    throw std::invalid_argument("pad='" + p.pad + "': the fused schedule takes 'bands' or 'inline'");
}

bool skips_padded_rows(const ScheduleParams &p) {
    if (p.taps.empty() || p.taps == "all") return false;
    if (p.taps == "rows") return true;
    throw std::invalid_argument("taps='" + p.taps + "': expected 'all' or 'rows'");
}

bool channels_last(const ScheduleParams &p) {
    if (p.layout.empty() || p.layout == "nchw") return false;
    if (p.layout == "nhwc") return true;
    throw std::invalid_argument("layout='" + p.layout + "': expected 'nchw' or 'nhwc'");
}

std::string layout_name(const ScheduleParams &p) { return channels_last(p) ? "nhwc" : "nchw"; }

RegisterBlock direct_block(const Machine &machine, const ScheduleParams &p) {
    RegisterBlock b = register_block(machine, p);
    if (p.block.empty()) b.columns = b.columns * 2 / 3;  // a third of the registers for shared broadcasts
    return b;
}

bool direct_unrolls_column_taps(const Machine &machine, const RegisterBlock &b) {
    const int accumulators = b.k_vectors * b.cols_x() * b.cols_y(), broadcasts = (b.cols_x() + 2) * b.cols_y();
    return accumulators + broadcasts + b.k_vectors <= machine.registers;
}

int gpu_tiles(const std::string &schedule, const ScheduleParams &p) {
    if (p.block.empty()) return schedule == "gpu_fused" ? 2 : 4;
    int t = 0, one = 0;
    char tail;
    if (std::sscanf(p.block.c_str(), "%dx%d%c", &t, &one, &tail) != 2 || t < 1 || t > 8 || one != 1)
        throw std::invalid_argument(schedule + ": block '" + p.block + "' must be Tx1, 1 <= T <= 8 tiles per thread");
    return t;
}

void check_gpu_params(const std::string &schedule, const ScheduleParams &p) {
    // What each GPU schedule takes besides block.
    const bool multiply = schedule == "gpu_tensor" || schedule == "gpu_staged";
    const bool k_vectors = multiply || schedule == "gpu_direct", c_slice = multiply, store = schedule == "gpu_staged";
    if ((!k_vectors && p.k_vectors) || (!c_slice && p.c_slice) || (!store && (!p.store.empty() || !p.load.empty())) ||
        p.band_kb || !p.parallel.empty() || !p.vectorize.empty() || !p.pad.empty() || !p.taps.empty() || p.c_block)
        throw std::invalid_argument(schedule + ": takes only block" + (k_vectors ? ", k_vectors" : "") +
                                    (c_slice ? ", c_slice" : "") + (store ? ", store, load" : ""));
}

int gpu_k_vectors(const std::string &schedule, const ScheduleParams &p) {
    check_gpu_params(schedule, p);
    if (p.k_vectors == 0) return schedule == "gpu_direct" ? 4 : 2;
    if (p.k_vectors != 1 && p.k_vectors != 2 && p.k_vectors != 4 && p.k_vectors != 8)
        throw std::invalid_argument(schedule + ": k_vectors=" + std::to_string(p.k_vectors) +
                                    " must be 1, 2, 4 or 8 (float4s of output channels per thread)");
    return p.k_vectors;
}

int gpu_c_slice(const std::string &schedule, const ScheduleParams &p) {
    check_gpu_params(schedule, p);
    if (schedule != "gpu_tensor" && schedule != "gpu_staged")
        throw std::invalid_argument(schedule + ": takes no c_slice (only the GPU multiply does)");
    if (p.c_slice == 0) return 4;
    if (p.c_slice != 1 && p.c_slice != 2 && p.c_slice != 4 && p.c_slice != 8 && p.c_slice != 16)
        throw std::invalid_argument(schedule + ": c_slice=" + std::to_string(p.c_slice) +
                                    " must be 1, 2, 4, 8 or 16 (input channels per step of the multiply)");
    return p.c_slice;
}

// Whether a GPU schedule's two-way parameter `key` is `on`; empty or `off`
// (the default) is not. Throws std::invalid_argument for another value.
static bool gpu_switch(const std::string &schedule, const ScheduleParams &p, const char *key,
                       const std::string &value, const std::string &off, const std::string &on) {
    check_gpu_params(schedule, p);
    if (!value.empty() && value != off && value != on)
        throw std::invalid_argument(schedule + ": " + key + "='" + value + "', expected " + off + " or " + on);
    return value == on;
}

bool gpu_store_rows(const std::string &schedule, const ScheduleParams &p) {
    return gpu_switch(schedule, p, "store", p.store, "tiles", "rows");
}

bool gpu_load_shared(const std::string &schedule, const ScheduleParams &p) {
    return gpu_switch(schedule, p, "load", p.load, "tiles", "shared");
}

GpuDirectBlock gpu_direct_block(const ScheduleParams &p) {
    GpuDirectBlock b{4, 4 * gpu_k_vectors("gpu_direct", p)};
    if (p.block.empty()) return b;
    int one = 0;
    char tail;
    if (std::sscanf(p.block.c_str(), "%dx%d%c", &one, &b.rows, &tail) != 2 || one != 1 || b.rows < 1 || b.rows > 8)
        throw std::invalid_argument("gpu_direct: block '" + p.block +
                                    "' must be 1xY, 1 <= Y <= 8 rows per thread");
    return b;
}

ScheduleParams parse_schedule_params(const std::string &row) {
    ScheduleParams p;
    std::istringstream in(row);
    for (std::string kv; in >> kv;) {
        const size_t eq = kv.find('=');
        if (eq == std::string::npos) throw std::invalid_argument("schedule parameter '" + kv + "' is not key=value");
        const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
        if (key == "block") p.block = value;
        else if (key == "k_vectors") p.k_vectors = std::stoi(value);
        else if (key == "band_kb") p.band_kb = std::stoi(value);
        else if (key == "parallel") p.parallel = value;
        else if (key == "vectorize") p.vectorize = value;
        else if (key == "store") p.store = value;
        else if (key == "c_slice") p.c_slice = std::stoi(value);
        else if (key == "load") p.load = value;
        else if (key == "pad") p.pad = value;
        else if (key == "layout") p.layout = value;
        else if (key == "taps") p.taps = value;
        else if (key == "c_block") p.c_block = std::stoi(value);
        else if (key != "features") throw std::invalid_argument("unknown schedule parameter '" + key + "'");
    }
    return p;
}

int padding_lanes(const Machine &machine) { return std::min(4, machine.lanes); }

std::vector<int> channel_padding_widths(const Machine &machine) {
    std::vector<int> widths;
    for (int w = 4; w < machine.lanes; w *= 2) widths.push_back(w);
    widths.push_back(machine.lanes);
    return widths;
}

int channel_padding_width(const Machine &machine, long long C) {
    for (int w : channel_padding_widths(machine))
        if (C <= w) return w;
    return machine.lanes;
}

// One vector of pixels x KU output channels (unrolled, each weight a
// broadcast) x YB rows (unrolled, each broadcast reused by every row). 3/4
// of the registers hold accumulators, as for the channel-vectorized block:
// 8 x 3 = 24 of 32 (AVX-512), 4 x 3 = 12 of 16 (AVX2). KU divides the
// weights' channel block. p.block "1xY" sets the rows, p.k_vectors the
// channels (in units of 4).
RowBlock row_block(const Machine &machine, const ScheduleParams &p) {
    RowBlock b{machine.lanes, machine.registers == 32 ? 8 : 4, 3};
    if (p.k_vectors) b.KU = 4 * p.k_vectors;
    if (!p.block.empty()) {
        int x = 0, y = 0;
        char tail;
        if (std::sscanf(p.block.c_str(), "%dx%d%c", &x, &y, &tail) != 2 || x != 1 || y < 1)
            throw std::invalid_argument("direct, vectorize=x: block '" + p.block + "' must be 1xY (rows)");
        b.YB = y;
    }
    if (kWeightKBlock % b.KU != 0)
        throw std::invalid_argument("direct, vectorize=x: " + std::to_string(b.KU) + " channels do not divide " +
                                    std::to_string(kWeightKBlock));
    return b;
}

bool direct_stores_rows(const Machine &machine, const ScheduleParams &p) {
    return p.vectorize != "x" && p.store == "rows" && machine.lanes % direct_block(machine, p).cols_x() == 0;
}

bool fused_stores_rows(const Machine &, const ScheduleParams &p, int) { return p.store == "rows"; }

int fused_row_group(const Machine &machine, int m) { return std::lcm(machine.lanes, m) / m; }

namespace {

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

// The size rule: a band as large as the budget allows, smaller if the
// threads need more tasks, then as many bands as equal as whole blocks make
// them (see band_shape_of in blocking.h).
Bands sized_bands(long long cols_x, long long cols_y, long long n, long long unit_bytes, int block_x, int block_y,
                  long long budget_bytes, long long channel_tasks, long long threads) {
    const long long block = block_x * block_y;
    const long long cap = std::clamp(budget_bytes / std::max(unit_bytes, 1LL), block, 1LL << 24);
    const long long bands = std::max(1LL, (2 * threads - 1 + channel_tasks - 1) / std::max(channel_tasks, 1LL));
    const long long columns = std::min(cap, std::max(block, n * cols_x * cols_y / bands));
    const long long blocks_x = ceil_div(cols_x, block_x), blocks_y = ceil_div(cols_y, block_y);
    const long long x = std::max(1LL, std::min(blocks_x, columns / block));
    const long long y = std::clamp(columns / (x * block_x) / block_y, 1LL, blocks_y);
    const auto evenly = [](long long n, long long size) { return ceil_div(n, ceil_div(n, size)); };
    return {evenly(blocks_x, x) * block_x, evenly(blocks_y, y) * block_y};
}

// What a band costs beyond its columns, in columns: it reads all the
// weights it multiplies by once (a direct band 9 C K floats, a fused band
// alpha² C K: the multiply-adds of one column), from L2 or L3 at a quarter to
// an eighth of the rate the FMA units take them, and pads its input.
constexpr double kBandOverhead = 4;

// The time the busiest of `threads` threads spends on the bands of shape b,
// in columns computed (partial register blocks count whole) plus each band's
// overhead: bands handed
// out largest first, each to the least loaded thread. A band is one task
// when there are at least as many bands as threads (its channel blocks then
// run on the thread that transformed its input: measured, a band's channel
// blocks did not even out unequal bands), else channel_tasks tasks.
double band_makespan(long long cols_x, long long cols_y, long long n, int block_x, int block_y, Bands b,
                     long long channel_tasks, long long threads) {
    const auto computed = [](long long cols, long long block) { return ceil_div(cols, block) * block; };
    const long long px = ceil_div(cols_x, b.x), py = ceil_div(cols_y, b.y);
    const long long last_x = cols_x - (px - 1) * b.x, last_y = cols_y - (py - 1) * b.y;
    struct Kind {
        double work;
        long long count;
    };
    std::vector<Kind> kinds;
    for (auto [wx, cx] : {std::pair{b.x, px - 1}, std::pair{last_x, 1LL}})
        for (auto [wy, cy] : {std::pair{b.y, py - 1}, std::pair{last_y, 1LL}})
            if (cx * cy > 0)
                kinds.push_back({double(computed(wx, block_x) * computed(wy, block_y) + kBandOverhead), cx * cy * n});
    const long long bands = px * py * n;
    if (bands < threads && channel_tasks > 1)
        for (Kind &k : kinds) k = {k.work / channel_tasks, k.count * channel_tasks};
    std::sort(kinds.begin(), kinds.end(), [](const Kind &a, const Kind &b) { return a.work > b.work; });
    // Equal tasks go round the threads, least loaded first.
    std::vector<double> load(std::min<long long>(threads, 1 << 12), 0.0);
    for (const Kind &k : kinds) {
        const long long rounds = k.count / static_cast<long long>(load.size());
        const long long rest = k.count % static_cast<long long>(load.size());
        std::sort(load.begin(), load.end());
        for (size_t t = 0; t < load.size(); t++)
            load[t] += k.work * (rounds + (static_cast<long long>(t) < rest ? 1 : 0));
    }
    return *std::max_element(load.begin(), load.end());
}

// The size rule's band, or a smaller one that shares the work among the
// threads more evenly: of every band of whole register blocks, each side
// one of the sizes that cut its rows (or columns) evenly, no larger than the
// size rule's, the one whose busiest thread computes least, if that saves
// more than 3% (a band more reads the weights once more); of those within
// 3% of it, the fewest bands, then the widest. 1x64x56² F(4,3) 7x1 at 2
// threads: bands of 4, 4, 4 and 2 rows (8 rows on one thread, 6 on the
// other) become four bands of 7 x 7 tiles. Arguments at least 1.
Bands balanced_bands(long long cols_x, long long cols_y, long long n, long long unit_bytes, int block_x, int block_y,
                     long long budget_bytes, long long channel_tasks, long long threads) {
    const Bands sized = sized_bands(cols_x, cols_y, n, unit_bytes, block_x, block_y, budget_bytes, channel_tasks, threads);
    const long long blocks_x = ceil_div(cols_x, block_x), blocks_y = ceil_div(cols_y, block_y);
    // Sizes, in blocks, that cut `blocks` into equal parts (but the last).
    const auto even_sizes = [](long long blocks, long long most) {
        std::vector<long long> sizes;
        for (long long parts = 1; parts <= blocks; parts++) {
            const long long size = ceil_div(blocks, parts);
            if (size <= most && (sizes.empty() || sizes.back() != size)) sizes.push_back(size);
        }
        return sizes;
    };
    const long long most = (sized.x / block_x) * (sized.y / block_y);  // blocks in the size rule's band
    struct Option {
        Bands b;
        double time;
        long long bands;
    };
    std::vector<Option> options;
    for (long long bx : even_sizes(blocks_x, most))
        for (long long by : even_sizes(blocks_y, most / bx)) {
            const Bands b{bx * block_x, by * block_y};
            options.push_back({b, band_makespan(cols_x, cols_y, n, block_x, block_y, b, channel_tasks, threads),
                               ceil_div(cols_x, b.x) * ceil_div(cols_y, b.y)});
        }
    double fastest = band_makespan(cols_x, cols_y, n, block_x, block_y, sized, channel_tasks, threads);
    const double sized_time = fastest;
    for (const Option &o : options) fastest = std::min(fastest, o.time);
    if (fastest > 0.97 * sized_time) return sized;
    // Within 3% of the fastest: the fewest bands, then the widest.
    const Option *best = nullptr;
    for (const Option &o : options)
        if (o.time <= 1.03 * fastest &&
            (!best || o.bands < best->bands || (o.bands == best->bands && o.b.x > best->b.x)))
            best = &o;
    return best->b;
}

}  // namespace

Bands band_shape_of(long long cols_x, long long cols_y, long long n, long long unit_bytes, int block_x, int block_y,
                    long long budget_bytes, long long channel_tasks, long long threads) {
    cols_x = std::max(cols_x, 1LL), cols_y = std::max(cols_y, 1LL), n = std::max(n, 1LL);
    block_x = std::max(block_x, 1), block_y = std::max(block_y, 1), threads = std::max(threads, 1LL);
    if (threads == 1)  // the size rule alone: nothing to balance
        return sized_bands(cols_x, cols_y, n, unit_bytes, block_x, block_y, budget_bytes, channel_tasks, 1);
    // The search takes up to ~50 us on a large image at 16 threads, and every
    // pipeline call and each of auto's estimates asks again: answers are kept.
    using Key = std::array<long long, 9>;
    const Key key{cols_x, cols_y, n, unit_bytes, block_x, block_y, budget_bytes, channel_tasks, threads};
    static std::mutex mutex;
    static std::map<Key, Bands> known;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = known.find(key);
    if (it == known.end()) {
        if (known.size() >= 4096) known.clear();  // a bound, not expected to be reached
        it = known.emplace(key, balanced_bands(cols_x, cols_y, n, unit_bytes, block_x, block_y, budget_bytes,
                                               channel_tasks, threads))
                 .first;
    }
    return it->second;
}

namespace {

// Output channels per register block of the direct schedule.
int direct_channels(const Machine &machine, const ScheduleParams &p) {
    return p.vectorize == "x" ? row_block(machine, p).KU : direct_block(machine, p).k();
}

long long channel_tasks(const ScheduleParams &p, long long K, int KB) {
    return parallel_channels(p) ? channel_blocks<long long>(K, KB) : 1;
}

// The direct schedule's tasks per band: its channel blocks (parallel=channels),
// or with parallel=groups the groups of them, which band_shape counts twice.
long long direct_channel_tasks(const ScheduleParams &p, long long K, int KB, long long threads, bool for_bands) {
    if (!parallel_groups(p)) return channel_tasks(p, K, KB);
    const long long blocks = channel_blocks<long long>(K, KB);
    const long long groups = ceil_div(blocks, direct_group_blocks(blocks, threads));
    return for_bands ? 2 * groups : groups;
}

}  // namespace

long long direct_group_blocks(long long blocks, long long threads) {
    blocks = std::max(blocks, 1LL);
    return ceil_div(blocks, std::clamp(threads, 1LL, blocks));
}

// As schedule_direct (schedules/direct.cpp) splits its output.
long long direct_bands(const Machine &machine, const ScheduleParams &p, long long N, long long C, long long K,
                       long long Ho, long long Wo, int threads) {
    const bool along_x = p.vectorize == "x";
    const RegisterBlock blk = direct_block(machine, along_x ? ScheduleParams{} : p);
    const RowBlock row = along_x ? row_block(machine, p) : RowBlock{};
    const int XB = along_x ? machine.lanes : blk.cols_x(), YB = along_x ? row.YB : blk.cols_y();
    const int XG = !along_x && direct_stores_rows(machine, p) ? machine.lanes : XB;
    const Bands b = band_shape_of(Wo, Ho, N, direct_band_channels(p, C) * 4 * (YB + 2) / YB, XG, YB, band_bytes(p),
                                  direct_channel_tasks(p, K, direct_channels(machine, p), threads, true), threads);
    return ceil_div(ceil_div(Wo, XG), std::max(1LL, b.x / XG)) * ceil_div(ceil_div(Ho, YB), std::max(1LL, b.y / YB)) *
           N;
}

long long direct_tasks(const Machine &machine, const ScheduleParams &p, long long N, long long C, long long K,
                       long long Ho, long long Wo, int threads) {
    return direct_bands(machine, p, N, C, K, Ho, Wo, threads) *
           direct_channel_tasks(p, K, direct_channels(machine, p), threads, false);
}

// As schedule_fused (schedules/winograd.cpp) splits its output.
long long fused_bands(const Machine &machine, const ScheduleParams &p, int m, long long N, long long C, long long K,
                      long long Ho, long long Wo, int threads) {
    const RegisterBlock blk = register_block(machine, p);
    const long long alpha = m + 2, L = blk.lanes;
    const long long tiles_x = ceil_div(Wo, m), tiles_y = ceil_div(Ho, m);
    const long long C_stored = ceil_div(C, L) * L;
    const long long budget = std::max<long long>(band_bytes(p), alpha * alpha * 4 * C * K / 8);
    const long long tasks = parallel_groups(p)   ? 2 * group_units(machine, p, K)
                            : parallel_points(p) ? point_tasks<long long>(int(alpha), K, blk.k())
                                                 : channel_tasks(p, K, blk.k());
    const Bands b = band_shape_of(tiles_x, tiles_y, N, alpha * alpha * 4 * C_stored, blk.cols_x(), blk.cols_y(), budget,
                                  tasks, threads);
    return ceil_div(tiles_x, b.x) * ceil_div(tiles_y, b.y) * N;
}

long long group_units(const Machine &machine, const ScheduleParams &p, long long K) {
    const int KB = register_block(machine, p).k();
    return channel_blocks<long long>(K, KB) * register_blocks_per_channel_block(KB);
}

long long channel_groups(long long bands, long long units, long long threads) {
    units = std::max(units, 1LL);
    const long long wanted = std::clamp(ceil_div(threads, std::max(bands, 1LL)), 1LL, units);
    return ceil_div(units, ceil_div(units, wanted));  // groups of equal size but the last, as the split makes them
}

long long fused_tasks(const Machine &machine, const ScheduleParams &p, int m, long long N, long long C, long long K,
                      long long Ho, long long Wo, int threads) {
    const long long bands = fused_bands(machine, p, m, N, C, K, Ho, Wo, threads);
    if (parallel_groups(p)) return bands * channel_groups(bands, group_units(machine, p, K), threads);
    const long long inputs = parallel_all(p) && bands < threads ? ceil_div(C, machine.lanes) : 1;
    const int KB = register_block(machine, p).k();
    const long long products = parallel_points(p) ? point_tasks<long long>(m + 2, K, KB) : 1;
    return bands * std::max({channel_tasks(p, K, KB), inputs, products});
}

}  // namespace wino

extern "C" int32_t wino_band_extent(int32_t axis, int32_t cols_x, int32_t cols_y, int32_t n, int64_t unit_bytes,
                                    int32_t block_x, int32_t block_y, int64_t budget_bytes, int32_t channel_tasks,
                                    int32_t threads) {
    // A pipeline asks a dozen times per call (the bounds of each stage) with
    // the same arguments: the last answer is kept per thread, without
    // band_shape_of's lock.
    using Key = std::array<int64_t, 9>;
    const Key key{cols_x, cols_y, n, unit_bytes, block_x, block_y, budget_bytes, channel_tasks, threads};
    thread_local Key last{};
    thread_local wino::Bands shape{0, 0};
    bool same = shape.x != 0;
    for (size_t i = 0; i < key.size(); i++) same &= key[i] == last[i];  // inline: no memcmp call
    if (!same) {
        shape = wino::band_shape_of(cols_x, cols_y, n, unit_bytes, block_x, block_y, budget_bytes, channel_tasks,
                                    threads);
        last = key;
    }
    return static_cast<int32_t>(axis == 0 ? shape.x : shape.y);
}
