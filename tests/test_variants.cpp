// Every compiled variant, and the selector `auto`, against the float64
// reference, on fresh random data with the output poisoned (NaN):
//  - a fixed grid that covers degenerate sizes (1, 2), channel counts that
//    fill no vector (1, 3, 17), tiles cut by the image edge (5, 31), batches
//    and both paddings;
//  - per variant, shapes made from its own register block (XNNPACK-style):
//    the output grid and the channels equal to the block, a multiple of it,
//    one less and one more, so every edge case of its loops is reached;
//  - the benchmark's default layers (checked at sampled outputs: their
//    float64 reference is too slow to compute whole);
// each at 1 and at 3 threads (the band split follows the thread count).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "blocking.h"
#include "layout.h"
#include "reference.h"
#include "shapes.h"
#include "wino/wino.h"

namespace {

using wino::test::ConvShape;

struct Case {
    std::string variant;
    ConvShape shape;
    int threads;
    bool sampled;  // check sampled outputs (and that all are finite) instead of all
};

std::vector<ConvShape> fixed_grid() {
    std::vector<ConvShape> grid;
    const std::vector<std::array<int, 5>> base = {
        // N, C, K, H, W
        {1, 1, 1, 1, 1},   {1, 3, 1, 2, 2},    {2, 1, 3, 5, 5},    {1, 17, 17, 5, 2},
        {2, 3, 17, 31, 64}, {1, 17, 3, 64, 31}, {2, 16, 16, 12, 12}, {1, 3, 33, 7, 9},
        {1, 64, 40, 14, 14},
    };
    for (auto [N, C, K, H, W] : base)
        for (int p : {0, 1})
            if (H + 2 * p >= 3 && W + 2 * p >= 3) grid.push_back({N, C, K, H, W, p});
    return grid;
}

// Shapes from a variant's register block: `cols` (x, y) columns of `unit`
// pixels each (a Winograd tile's m, or 1 pixel) and `k` channels.
std::vector<ConvShape> block_grid(int cols_x, int cols_y, int unit, int k) {
    std::vector<ConvShape> grid;
    // (columns in x, in y, channels): equal, a multiple, one less, one more.
    const int cases[4][3] = {{cols_x, cols_y, k},
                             {2 * cols_x, 2 * cols_y, 2 * k},
                             {std::max(1, cols_x - 1), cols_y + 1, std::max(1, k - 1)},
                             {cols_x + 1, std::max(1, cols_y - 1), k + 1}};
    for (const auto &c : cases) grid.push_back({1, 5, c[2], c[1] * unit, c[0] * unit, 1});
    return grid;
}

std::vector<ConvShape> variant_grid(const wino::VariantInfo &v) {
    const wino::Machine machine = wino::machine_of_target_string(v.target);
    const wino::ScheduleParams p = wino::parse_schedule_params(v.parameters);
    if (v.schedule == "fused") {
        const wino::RegisterBlock b = wino::register_block(machine, p);
        std::vector<ConvShape> grid = block_grid(b.cols_x(), b.cols_y(), v.m, b.k());
        if (wino::fused_stores_rows(machine, p, v.m)) {
            // store=rows: the output transform's group of tiles along x.
            const auto g = block_grid(wino::fused_row_group(machine, v.m), 1, v.m, b.k());
            grid.insert(grid.end(), g.begin(), g.end());
        }
        if (wino::parallel_groups(p)) {
            // Groups of channel blocks (one band; the grid runs at 3 threads),
            // on K around U's blocks: 3 of them, 4 and one channel (a last
            // group of one channel), one channel short of 2.
            constexpr int KB = wino::kWeightKBlock;
            for (int K : {3 * KB, 4 * KB + 1, 2 * KB - 1}) grid.push_back({1, 5, K, 2 * v.m, 3 * v.m, 1});
        }
        // The input's vectors of channels: one short of the widest (rounded up or guarded), one, one more
        // (from there a channel tail's last vector ends at channel C - 1, recomputing 15 of the first's),
        // two and a channel, one short of three.
        constexpr int W = wino::kWidestChannelVector;
        for (int C : {W - 1, W, W + 1, 2 * W + 1, 3 * W - 1}) grid.push_back({1, C, 5, 2 * v.m, 3 * v.m, 1});
        return grid;
    }
    if (v.schedule == "direct" && p.vectorize == "x") {
        const wino::RowBlock b = wino::row_block(machine, p);
        return block_grid(b.L, b.YB, 1, b.KU);
    }
    if (v.schedule == "direct") {
        // store=rows: the output block along x is a vector of pixels.
        const wino::RegisterBlock b = wino::direct_block(machine, p);
        std::vector<ConvShape> grid =
            block_grid(wino::direct_stores_rows(machine, p) ? machine.lanes : b.cols_x(), b.cols_y(), 1, b.k());
        if (wino::channels_last(p))
            // The padded band's vectors of input channels: each width, one less, one more.
            for (int w : wino::channel_padding_widths(machine))
                for (int C : {w - 1, w, w + 1}) grid.push_back({1, C, 5, 3, b.cols_x() + 1, 1});
        if (wino::pads_channel_blocks(p))
            // pad=blocks: the band's blocks of input channels (the widths above cover one, one less and one
            // more): two, two and a lane (a last block of one channel), one lane short of three.
            for (int C : {2 * wino::kInputChannelBlock, 2 * wino::kInputChannelBlock + 1, 3 * wino::kInputChannelBlock - 1})
                grid.push_back({1, C, 5, 3, b.cols_x() + 1, 1});
        return grid;
    }
    if (v.schedule == "gpu_direct") {
        // A block of threads: pixels along x x groups of `rows` rows, `channels` output channels each.
        const wino::GpuDirectBlock b = wino::gpu_direct_block(p);
        return block_grid(b.kThreadsX, b.kRowThreads * b.rows, 1, b.channels);
    }
    if (v.device == "cuda" && v.m > 0) {
        // T tiles per thread (lane) along x; 32 output channels per warp or U block.
        std::vector<ConvShape> grid = block_grid(wino::gpu_tiles(v.schedule, p), 1, v.m, wino::kWeightKBlock);
        using B = wino::GpuRowsBlock;
        if (v.schedule == "gpu_staged" && wino::gpu_store_rows(v.schedule, p)) {
            // The output transform's block (store=rows): its output channels.
            const auto g = block_grid(B::kTiles, B::kRows, v.m, B::kChannels);
            grid.insert(grid.end(), g.begin(), g.end());
        }
        if (v.schedule == "gpu_staged" && wino::gpu_load_shared(v.schedule, p))
            // The input transform's block (load=shared): its input channels.
            for (ConvShape s : block_grid(B::kTiles, B::kRows, v.m, B::kChannels)) {
                s.C = s.K;
                grid.push_back(s);
            }
        return grid;
    }
    return {};  // the CPU tensor-level and autoscheduled schedules have no register block to probe
}

std::vector<Case> cases() {
    std::vector<std::string> names{"auto"};
    for (const auto &v : wino::variants()) names.push_back(v.name);
    std::vector<Case> all;
    for (const std::string &name : names) {
        std::vector<ConvShape> shapes = fixed_grid();
        if (name != "auto")
            for (const ConvShape &s : variant_grid(wino::variant(name))) shapes.push_back(s);
        std::set<std::string> seen;
        for (const ConvShape &s : shapes)
            if (seen.insert(s.str()).second)
                for (int threads : {1, 3}) all.push_back({name, s, threads, false});
        for (const ConvShape &s : wino::bench::default_shapes()) all.push_back({name, s, 2, true});
    }
    return all;
}

// How ctest lists a case (instead of its bytes).
void PrintTo(const Case &c, std::ostream *os) {
    *os << c.variant << " " << c.shape.str() << " threads " << c.threads << (c.sampled ? " sampled" : "");
}

class VariantMatchesReference : public ::testing::TestWithParam<Case> {};

TEST_P(VariantMatchesReference, OnRandomData) {
    const Case &c = GetParam();
    const ConvShape &s = c.shape;
    wino::RunOptions options;
    options.threads = c.threads;
    options.threads_by_work = false;  // the parallel splits at c.threads, however small the layer
    // A variant runs on its own layout's tensors (auto: NCHW); the data and
    // the reference stay NCHW, moved into that layout and the output back.
    const std::string layout = c.variant == "auto" ? "nchw" : wino::variant(c.variant).layout;
    options.layout = layout;
    // auto is held to the bound of the variant it picks.
    const std::string runs = c.variant == "auto" ? wino::select_variant(s, options).variant : c.variant;
    const int m = wino::variant(runs).m;
    std::string why;
    if (wino::variant(runs).device == "cuda" && !wino::gpu_available(&why))
        GTEST_SKIP() << runs << " needs a CUDA GPU: " << why;
    wino::test::Random rng;
    SCOPED_TRACE("seed " + std::to_string(rng.seed()) + " (WINO_TEST_SEED reproduces); runs " + runs);
    std::vector<float> x = rng.uniform(size_t(s.N) * s.C * s.H * s.W);
    std::vector<float> w = rng.uniform(size_t(s.K) * s.C * 9);
    std::vector<float> y = wino::test::nan_filled(size_t(s.N) * s.K * s.out_h() * s.out_w());
    const std::vector<float> x_in = wino::test::to_layout(x, s.N, s.C, s.H, s.W, layout);

    try {
        wino::conv2d(c.variant, {x_in.data(), s.input(layout)}, {w.data(), s.weights()}, {y.data(), s.output(layout)},
                     s.padding, options);
        y = wino::test::from_layout(y, s.N, s.K, s.out_h(), s.out_w(), layout);
    } catch (const wino::Error &e) {
        // An autoscheduled variant may refuse a layer smaller than the one it
        // was scheduled for; it says so, and writes nothing.
        if (!wino::variant(runs).autoscheduled || e.code() != wino::ErrorCode::Unsupported) throw;
        RecordProperty("refused", e.what());
        EXPECT_TRUE(std::all_of(y.begin(), y.end(), [](float v) { return std::isnan(v); }));
        return;
    }

    const double err = c.sampled ? wino::test::max_scaled_error_sampled(s, y, x, w, 4096, rng.seed())
                                 : wino::test::max_scaled_error(y, wino::test::reference_conv(s, x, w),
                                                                wino::test::error_scale(s, x, w));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", err);
    RecordProperty("max_scaled_error", buf);
    EXPECT_LE(err, wino::test::tolerance(m)) << c.variant << " on " << s.str() << " at " << c.threads << " threads";
}

INSTANTIATE_TEST_SUITE_P(AllVariants, VariantMatchesReference, ::testing::ValuesIn(cases()), [](const auto &info) {
    const Case &c = info.param;
    return c.variant + "_" + c.shape.str() + "_t" + std::to_string(c.threads) + (c.sampled ? "_sampled" : "");
});

// The cost model's task counts (schedules/blocking.h, used by `auto`) equal
// what each CPU direct and fused pipeline reports, on the default layers and
// the fixed grid, at thread counts that change the band split.
class TaskModel : public ::testing::TestWithParam<std::string> {};

TEST_P(TaskModel, MatchesTheTasksThePipelineReports) {
    const wino::VariantInfo &v = wino::variant(GetParam());
    const wino::Machine machine = wino::machine_of_target_string(v.target);
    const wino::ScheduleParams p = wino::parse_schedule_params(v.parameters);
    std::vector<ConvShape> shapes = fixed_grid();
    for (const ConvShape &s : wino::bench::default_shapes()) shapes.push_back(s);
    shapes.push_back({8, 256, 256, 14, 14});
    wino::test::Random rng;
    for (const ConvShape &s : shapes) {
        const std::vector<float> x = rng.uniform(size_t(s.N) * s.C * s.H * s.W), w = rng.uniform(size_t(s.K) * s.C * 9);
        std::vector<float> y(size_t(s.N) * s.K * s.out_h() * s.out_w());
        const wino::PreparedWeights prepared = wino::prepare_weights(v.name, {w.data(), s.weights()});
        for (int threads : {1, 2, 3, 16}) {
            wino::RunStats stats;
            wino::RunOptions options;
            options.threads = threads;
            options.threads_by_work = false;
            options.stats = &stats;
            options.layout = v.layout;  // the values do not matter here, only the shapes
            wino::conv2d(v.name, {x.data(), s.input(v.layout)}, prepared, {y.data(), s.output(v.layout)}, s.padding,
                         options);
            const long long model =
                v.schedule == "fused"
                    ? wino::fused_tasks(machine, p, v.m, s.N, s.C, s.K, s.out_h(), s.out_w(), threads)
                    : wino::direct_tasks(machine, p, s.N, s.C, s.K, s.out_h(), s.out_w(), threads);
            EXPECT_EQ(model, stats.parallel_tasks) << s.str() << " at " << threads << " threads";
        }
    }
}

std::vector<std::string> modelled_variants() {
    std::vector<std::string> names;
    for (const auto &v : wino::variants())
        if (v.device == "cpu" && !v.autoscheduled && (v.schedule == "fused" || v.schedule == "direct")) names.push_back(v.name);
    return names;
}

INSTANTIATE_TEST_SUITE_P(CpuVariants, TaskModel, ::testing::ValuesIn(modelled_variants()),
                         [](const auto &info) { return info.param; });

// `check` rejects the row `row` with a std::invalid_argument whose message
// contains `names` (the value or the values it takes).
template <typename Check>
void expect_rejected(Check check, const char *row, const std::string &names) {
    try {
        check(wino::parse_schedule_params(row));
        ADD_FAILURE() << row << " accepted";
    } catch (const std::invalid_argument &e) {
        EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << row << ": " << e.what();
    }
}

// What runs in parallel inside a band, as a row spells it; a value the
// schedules do not know is an error that names it.
TEST(ScheduleParams, ParallelValues) {
    auto parse = [](const char *row) { return wino::parse_schedule_params(row); };
    EXPECT_TRUE(wino::parallel_channels(parse("")));
    EXPECT_FALSE(wino::parallel_all(parse("")));
    EXPECT_TRUE(wino::parallel_channels(parse("parallel=channels")));
    EXPECT_FALSE(wino::parallel_channels(parse("parallel=bands")));
    EXPECT_FALSE(wino::parallel_all(parse("parallel=bands")));
    EXPECT_TRUE(wino::parallel_channels(parse("parallel=all")));
    EXPECT_TRUE(wino::parallel_all(parse("parallel=all")));
    EXPECT_FALSE(wino::parallel_groups(parse("parallel=all")));
    EXPECT_TRUE(wino::parallel_channels(parse("parallel=groups")));
    EXPECT_TRUE(wino::parallel_groups(parse("parallel=groups")));
    EXPECT_FALSE(wino::parallel_all(parse("parallel=groups")));
    EXPECT_FALSE(wino::parallel_groups(parse("")));
    expect_rejected(wino::parallel_channels, "parallel=cores", "'cores'");
}

// parallel=groups: enough groups of a band's blocks of channels for the
// threads, never more than the blocks, never fewer than one.
TEST(ScheduleParams, ChannelGroups) {
    EXPECT_EQ(wino::channel_groups(1, 4, 1), 1);   // one thread: the band's blocks in one task
    EXPECT_EQ(wino::channel_groups(1, 4, 2), 2);   // 2 blocks each
    EXPECT_EQ(wino::channel_groups(1, 4, 3), 2);   // a split by ceil(4 / 3) blocks: 2 groups
    EXPECT_EQ(wino::channel_groups(1, 9, 4), 3);   // by ceil(9 / 4) = 3 blocks: 3 groups
    EXPECT_EQ(wino::channel_groups(1, 4, 16), 4);  // at most one per block
    EXPECT_EQ(wino::channel_groups(3, 4, 16), 4);
    EXPECT_EQ(wino::channel_groups(8, 2, 16), 2);
    EXPECT_EQ(wino::channel_groups(16, 2, 16), 1);  // bands enough
    EXPECT_EQ(wino::channel_groups(40, 2, 16), 1);
}

// Bands: as large as the budget allows at one thread; with threads, a
// smaller band where it evens out the threads' shares. 1x64x56² F(4,3) in
// 7x1 blocks (14 x 14 tiles of 36 x 64 floats, 512 KB): four rows of tiles
// per band (4, 4, 4, 2 rows), and at 2 threads four bands of 7 x 7 tiles.
TEST(BandShape, BalancesTheThreadsShares) {
    const long long unit = 36 * 4 * 64, budget = 512 * 1024;
    const wino::Bands one = wino::band_shape_of(14, 14, 1, unit, 7, 1, budget, 2, 1);
    EXPECT_EQ(one.x, 14);
    EXPECT_EQ(one.y, 4);
    const wino::Bands two = wino::band_shape_of(14, 14, 1, unit, 7, 1, budget, 2, 2);
    EXPECT_EQ(two.x, 7);
    EXPECT_EQ(two.y, 7);
    // Eight images: 32 bands of 4 rows share out as evenly as 7 x 7 would.
    const wino::Bands eight = wino::band_shape_of(14, 14, 8, unit, 7, 1, budget, 2, 2);
    EXPECT_EQ(eight.x, 14);
    EXPECT_EQ(eight.y, 4);
}

// On any layer and thread count: whole register blocks, inside the image
// (rounded up to blocks), within the budget (or one block), never larger
// than at one thread (balance only cuts bands smaller), and what a compiled
// pipeline asks for at run time (wino_band_extent) is the same band.
TEST(BandShape, WholeBlocksWithinTheBudget) {
    std::mt19937 rng(12345);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int i = 0; i < 3000; i++) {
        const long long cols_x = pick(1, 80), cols_y = pick(1, 80), n = pick(1, 9);
        const int block_x = pick(1, 8), block_y = pick(1, 3);
        const long long unit = 4LL * pick(1, 4096), budget = 1024LL * pick(16, 2048);
        const long long tasks = pick(1, 16), threads = pick(1, 32);
        const wino::Bands b = wino::band_shape_of(cols_x, cols_y, n, unit, block_x, block_y, budget, tasks, threads);
        const std::string at = std::to_string(cols_x) + "x" + std::to_string(cols_y) + " n=" + std::to_string(n) +
                               " block " + std::to_string(block_x) + "x" + std::to_string(block_y) +
                               " unit " + std::to_string(unit) + " budget " + std::to_string(budget) + " tasks " +
                               std::to_string(tasks) + " threads " + std::to_string(threads);
        EXPECT_EQ(b.x % block_x, 0) << at;
        EXPECT_EQ(b.y % block_y, 0) << at;
        EXPECT_GE(b.x, block_x) << at;
        EXPECT_GE(b.y, block_y) << at;
        EXPECT_LE(b.x, (cols_x + block_x - 1) / block_x * block_x) << at;
        EXPECT_LE(b.y, (cols_y + block_y - 1) / block_y * block_y) << at;
        EXPECT_LE(b.x * b.y * unit, std::max<long long>(budget, block_x * block_y * unit)) << at;
        const wino::Bands alone = wino::band_shape_of(cols_x, cols_y, n, unit, block_x, block_y, budget, tasks, 1);
        EXPECT_LE(b.x * b.y, alone.x * alone.y) << at;
        for (int axis : {0, 1})
            EXPECT_EQ(wino_band_extent(axis, cols_x, cols_y, n, unit, block_x, block_y, budget, tasks, threads),
                      axis == 0 ? b.x : b.y)
                << at;
    }
}

// The tuner's blocks from a layer's grid: ResNet's tile grids get the
// blocks that cut them whole (F(6,3) at 56x56: 10 x 10 tiles; F(4,3) at
// 28x28: 7 x 7), a prime extent gets near fits, and on any grid every block
// holds 8 / k_vectors to max_columns columns and computes at most 10% more
// columns than the grid has, those wasting least first.
TEST(ScheduleParams, GridBlocks) {
    using V = std::vector<std::string>;
    EXPECT_EQ(wino::grid_blocks(10, 10, 2, 12, 4), (V{"10x1", "5x2", "2x5", "1x10"}));
    EXPECT_EQ(wino::grid_blocks(7, 7, 2, 12, 4), (V{"7x1", "1x7"}));
    EXPECT_EQ(wino::grid_blocks(4, 4, 2, 12, 2), (V{"4x2", "2x4"}));
    EXPECT_EQ(wino::grid_blocks(23, 19, 2, 8, 1), (V{"8x1"}));  // 24 of 23 columns: the least waste (4%)
    EXPECT_TRUE(wino::grid_blocks(1, 1, 2, 12, 4).empty());      // no block of 4 columns fits one tile
    std::mt19937 rng(7);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int i = 0; i < 2000; i++) {
        const long long ex = pick(1, 120), ey = pick(1, 120);
        const int kv = pick(1, 4), most = pick(1, 24), count = pick(1, 6);
        const V blocks = wino::grid_blocks(ex, ey, kv, most, count);
        const std::string at = std::to_string(ex) + "x" + std::to_string(ey) + " kv " + std::to_string(kv) +
                               " most " + std::to_string(most);
        EXPECT_LE(int(blocks.size()), count) << at;
        double last = 0;
        for (const std::string &b : blocks) {
            int x = 0, y = 0;
            ASSERT_EQ(std::sscanf(b.c_str(), "%dx%d", &x, &y), 2) << at;
            EXPECT_LE(x * y, most) << at << " " << b;
            EXPECT_GE(x * y * kv, 8) << at << " " << b;
            const double waste = double((ex + x - 1) / x * x) * double((ey + y - 1) / y * y) / double(ex * ey);
            EXPECT_LE(waste, 1.1) << at << " " << b;
            EXPECT_GE(waste, last) << at << " " << b;
            last = waste;
        }
    }
}

// Vectors of output channels per register block: 1 to 4 when asked (3: 48
// channels, direct's block for K = 33..48), else as many as the registers
// allow that divide the weights' blocks; anything else is an error that says
// what is allowed. The parallel loop over channels then has one iteration
// per weight block, or per register block where those do not divide it.
TEST(ScheduleParams, ChannelVectors) {
    auto parse = [](const char *row) { return wino::parse_schedule_params(row); };
    const wino::Machine avx512{16, 32}, avx2{8, 16};
    EXPECT_EQ(wino::register_block(avx512, parse("block=8x1")).k(), 32);
    EXPECT_EQ(wino::register_block(avx512, parse("block=8x1 k_vectors=3")).k(), 48);
    EXPECT_EQ(wino::register_block(avx512, parse("block=8x1 k_vectors=1")).k(), 16);
    EXPECT_EQ(wino::register_block(avx2, parse("block=4x1 k_vectors=3")).k(), 24);
    // Columns give way to asked-for vectors within the accumulator budget
    // (3/4 of the registers: 24 on AVX-512, 12 on AVX2).
    EXPECT_EQ(wino::register_block(avx512, parse("block=8x1 k_vectors=3")).columns, 8);
    EXPECT_EQ(wino::register_block(avx2, parse("block=8x1 k_vectors=3")).columns, 4);
    EXPECT_EQ(wino::register_block(avx2, parse("block=4x3 k_vectors=2")).cols_y(), 1);
    EXPECT_EQ(wino::register_block(avx512, parse("block=4x3 k_vectors=2")).cols_y(), 3);
    EXPECT_EQ(wino::register_block(avx512, parse("block=2x2 k_vectors=4")).columns, 4);
    EXPECT_EQ(wino::register_block(avx512, parse("k_vectors=4")).k(), 64);
    for (const char *bad : {"k_vectors=5", "block=8x1 k_vectors=-1"})
        expect_rejected([&](const wino::ScheduleParams &p) { return wino::register_block(avx512, p); }, bad,
                        "1 to 4 vectors");
    EXPECT_EQ(wino::channel_blocks<long long>(40, 32), 2);   // blocks of 32: the weights'
    EXPECT_EQ(wino::channel_blocks<long long>(40, 16), 2);   // two register blocks per weight block
    EXPECT_EQ(wino::channel_blocks<long long>(40, 48), 1);   // 48 does not divide 32: its own blocks
    EXPECT_EQ(wino::channel_blocks<long long>(100, 48), 3);
    EXPECT_EQ(wino::channel_blocks<long long>(96, 48), 2);
    EXPECT_EQ(wino::channel_blocks<long long>(1, 64), 1);
}

// NHWC direct unrolls its column taps inside the channels only where the
// block's accumulators, a row's XB + 2 broadcasts per row and its vectors of
// weights fit the registers.
TEST(ScheduleParams, DirectColumnTaps) {
    auto block = [](const wino::Machine &m, const char *row) {
        return wino::direct_block(m, wino::parse_schedule_params(row));
    };
    const wino::Machine avx512{16, 32}, avx2{8, 16};
    EXPECT_TRUE(wino::direct_unrolls_column_taps(avx512, block(avx512, "block=7x1")));              // 14 + 9 + 2
    EXPECT_TRUE(wino::direct_unrolls_column_taps(avx512, block(avx512, "block=4x1 k_vectors=4")));  // 16 + 6 + 4
    EXPECT_TRUE(wino::direct_unrolls_column_taps(avx512, block(avx512, "block=8x1 k_vectors=1")));  // 8 + 10 + 1
    EXPECT_FALSE(wino::direct_unrolls_column_taps(avx512, block(avx512, "block=8x1 k_vectors=3"))); // 24 + 10 + 3
    EXPECT_FALSE(wino::direct_unrolls_column_taps(avx512, block(avx512, "block=3x2 k_vectors=4"))); // 24 + 10 + 4
    EXPECT_FALSE(wino::direct_unrolls_column_taps(avx512, block(avx512, "block=8x3 k_vectors=1"))); // 24 + 30 + 1
    EXPECT_TRUE(wino::direct_unrolls_column_taps(avx2, block(avx2, "block=4x1 k_vectors=2")));      // 8 + 6 + 2
    EXPECT_FALSE(wino::direct_unrolls_column_taps(avx2, block(avx2, "block=6x1 k_vectors=2")));     // 12 + 8 + 2
}

// The fused schedule's store=rows at every m: a group of tiles whose pixels
// fill whole vectors (F(6,3) was once stored per channel here, silently, as
// 16 lanes hold no whole 6-pixel tiles).
TEST(ScheduleParams, FusedRowGroups) {
    const auto rows = wino::parse_schedule_params("store=rows");
    for (const wino::Machine machine : {wino::Machine{16, 32}, wino::Machine{8, 16}, wino::Machine{4, 16}})
        for (int m : {2, 4, 6}) {
            EXPECT_TRUE(wino::fused_stores_rows(machine, rows, m));
            EXPECT_FALSE(wino::fused_stores_rows(machine, wino::parse_schedule_params(""), m));
            const int g = wino::fused_row_group(machine, m);
            EXPECT_EQ(g * m % machine.lanes, 0) << "lanes " << machine.lanes << ", m " << m;
            for (int fewer = 1; fewer < g; fewer++)
                EXPECT_NE(fewer * m % machine.lanes, 0) << "lanes " << machine.lanes << ", m " << m << ": not the fewest";
        }
    EXPECT_EQ(wino::fused_row_group(wino::Machine{16, 32}, 4), 4);
    EXPECT_EQ(wino::fused_row_group(wino::Machine{16, 32}, 6), 8);
    EXPECT_EQ(wino::fused_row_group(wino::Machine{8, 16}, 6), 4);
}

// How the direct schedule pads its input: per band (default) or per image;
// anything else is an error that names the value, as is pad on a GPU
// schedule.
TEST(ScheduleParams, PadValues) {
    auto parse = [](const char *row) { return wino::parse_schedule_params(row); };
    EXPECT_FALSE(wino::pads_image(parse("")));
    EXPECT_FALSE(wino::pads_image(parse("pad=bands")));
    EXPECT_TRUE(wino::pads_image(parse("pad=image")));
    expect_rejected(wino::pads_image, "pad=rows", "'rows'");
    EXPECT_THROW(wino::gpu_k_vectors("gpu_staged", parse("pad=image")), std::invalid_argument);
    // The fused schedule's: a copy per band (default) or none (inline); each
    // schedule names the values it takes.
    EXPECT_FALSE(wino::pads_inline(parse("")));
    EXPECT_FALSE(wino::pads_inline(parse("pad=bands")));
    EXPECT_TRUE(wino::pads_inline(parse("pad=inline layout=nhwc")));
    EXPECT_THROW(wino::pads_image(parse("pad=inline")), std::invalid_argument);
    // NHWC direct's band in blocks of channels (pad=blocks): not for NCHW, nor the fused schedule.
    EXPECT_TRUE(wino::pads_channel_blocks(parse("pad=blocks layout=nhwc")));
    EXPECT_FALSE(wino::pads_image(parse("pad=blocks layout=nhwc")));
    EXPECT_FALSE(wino::pads_channel_blocks(parse("layout=nhwc")));
    EXPECT_FALSE(wino::pads_channel_blocks(parse("pad=image")));
    expect_rejected(wino::pads_channel_blocks, "pad=blocks", "layout=nhwc");
    EXPECT_THROW(wino::pads_inline(parse("pad=blocks layout=nhwc")), std::invalid_argument);
    expect_rejected(wino::pads_inline, "pad=image", "'bands' or 'inline'");
}

// Which taps direct multiplies: all (default), or all but the rows of taps
// on the padding; anything else is an error that names the value, as is taps
// on a GPU schedule.
TEST(ScheduleParams, TapsValues) {
    auto parse = [](const char *row) { return wino::parse_schedule_params(row); };
    EXPECT_FALSE(wino::skips_padded_rows(parse("")));
    EXPECT_FALSE(wino::skips_padded_rows(parse("taps=all")));
    EXPECT_TRUE(wino::skips_padded_rows(parse("block=7x1 taps=rows")));
    expect_rejected(wino::skips_padded_rows, "taps=inside", "'inside'");
    EXPECT_THROW(wino::gpu_direct_block(parse("taps=rows")), std::invalid_argument);
}

// The fused multiply's blocks of input channels: none by default, a count
// when given; a negative count is an error that names the parameter, as is
// c_block on a GPU schedule.
TEST(ScheduleParams, ChannelBlockValues) {
    auto parse = [](const char *row) { return wino::parse_schedule_params(row); };
    EXPECT_EQ(wino::fused_c_block(parse("")), 0);
    EXPECT_EQ(wino::fused_c_block(parse("block=4x2 c_block=32")), 32);
    expect_rejected(wino::fused_c_block, "c_block=-8", "c_block");
    EXPECT_THROW(wino::check_gpu_params("gpu_fused", parse("c_block=32")), std::invalid_argument);
}

// The GPU schedules' register blocks: tiles per thread (Tx1, 1..8, defaults
// per schedule), the multiply's float4s of output channels (1, 2, 4, 8) and
// the direct kernel's rows and channels per thread;
// anything else, or a CPU parameter, is an error naming the schedule.
TEST(ScheduleParams, GpuBlocks) {
    auto parse = [](const char *row) { return wino::parse_schedule_params(row); };
    EXPECT_EQ(wino::gpu_tiles("gpu_fused", parse("")), 2);
    EXPECT_EQ(wino::gpu_tiles("gpu_staged", parse("")), 4);
    EXPECT_EQ(wino::gpu_tiles("gpu_tensor", parse("block=8x1")), 8);
    EXPECT_EQ(wino::gpu_k_vectors("gpu_staged", parse("")), 2);
    EXPECT_EQ(wino::gpu_k_vectors("gpu_staged", parse("k_vectors=1")), 1);
    EXPECT_EQ(wino::gpu_k_vectors("gpu_tensor", parse("block=2x1 k_vectors=8")), 8);
    for (const char *bad : {"block=4x2", "block=9x1", "block=0x1", "block=4x1x"}) {
        try {
            wino::gpu_tiles("gpu_staged", parse(bad));
            ADD_FAILURE() << bad << " accepted";
        } catch (const std::invalid_argument &e) {
            EXPECT_NE(std::string(e.what()).find("gpu_staged"), std::string::npos) << e.what();
        }
    }
    for (const char *bad : {"k_vectors=3", "k_vectors=16", "band_kb=256", "parallel=all", "store=rows"}) {
        try {
            wino::gpu_k_vectors("gpu_tensor", parse(bad));
            ADD_FAILURE() << bad << " accepted";
        } catch (const std::invalid_argument &e) {
            EXPECT_NE(std::string(e.what()).find("gpu_tensor"), std::string::npos) << e.what();
        }
    }
    // The multiply's input channels per unrolled step: 4 by default, a power of two up to 16.
    EXPECT_EQ(wino::gpu_c_slice("gpu_staged", parse("")), 4);
    EXPECT_EQ(wino::gpu_c_slice("gpu_tensor", parse("k_vectors=1 c_slice=8")), 8);
    for (const auto &[schedule, bad] : std::vector<std::pair<const char *, const char *>>{
             {"gpu_staged", "c_slice=3"}, {"gpu_staged", "c_slice=32"}, {"gpu_tensor", "c_slice=-4"},
             {"gpu_fused", "c_slice=8"}, {"gpu_direct", "c_slice=8"}}) {
        try {
            wino::gpu_c_slice(schedule, parse(bad));
            ADD_FAILURE() << schedule << " " << bad << " accepted";
        } catch (const std::invalid_argument &e) {
            EXPECT_NE(std::string(e.what()).find(schedule), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(wino::gpu_direct_block(parse("c_slice=8")), std::invalid_argument);
    EXPECT_TRUE(wino::gpu_store_rows("gpu_staged", parse("store=rows")));
    EXPECT_FALSE(wino::gpu_store_rows("gpu_staged", parse("store=tiles")));
    EXPECT_FALSE(wino::gpu_store_rows("gpu_staged", parse("")));
    EXPECT_THROW(wino::gpu_store_rows("gpu_staged", parse("store=channels")), std::invalid_argument);
    EXPECT_THROW(wino::gpu_store_rows("gpu_tensor", parse("store=rows")), std::invalid_argument);
    EXPECT_TRUE(wino::gpu_load_shared("gpu_staged", parse("load=shared")));
    EXPECT_FALSE(wino::gpu_load_shared("gpu_staged", parse("load=tiles")));
    EXPECT_THROW(wino::gpu_load_shared("gpu_staged", parse("load=rows")), std::invalid_argument);
    EXPECT_THROW(wino::gpu_load_shared("gpu_fused", parse("load=shared")), std::invalid_argument);
    // The register-blocked direct kernel: 1xY rows per thread, 4 float4s of channels by default.
    EXPECT_EQ(wino::gpu_direct_block(parse("")).rows, 4);
    EXPECT_EQ(wino::gpu_direct_block(parse("")).channels, 16);
    EXPECT_EQ(wino::gpu_direct_block(parse("block=1x8 k_vectors=2")).rows, 8);
    EXPECT_EQ(wino::gpu_direct_block(parse("block=1x8 k_vectors=2")).channels, 8);
    for (const char *bad : {"block=2x4", "block=1x9", "block=1x0", "k_vectors=3", "store=rows"}) {
        try {
            wino::gpu_direct_block(parse(bad));
            ADD_FAILURE() << bad << " accepted";
        } catch (const std::invalid_argument &e) {
            EXPECT_NE(std::string(e.what()).find("gpu_direct"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
