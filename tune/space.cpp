#include "space.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "blocking.h"
#include "wino/wino.h"

namespace wino::tune {

namespace {

// A variant's schedule parameters (VariantInfo::parameters, "block=7x1
// features=..."), without the target features, which are not the schedule's.
std::map<std::string, std::string> schedule_parameters(const std::string &row) {
    std::map<std::string, std::string> params;
    std::istringstream in(row);
    for (std::string kv; in >> kv;) {
        const size_t eq = kv.find('=');
        if (eq == std::string::npos || kv.compare(0, eq, "features") == 0) continue;
        params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return params;
}

}  // namespace

std::string canonical_key(const Candidate &c, const std::string &target) {
    const Machine machine = machine_of_target_string(target);
    const ScheduleParams p = parse_schedule_params(c.row_parameters());
    std::ostringstream out;
    out << c.algorithm << " " << c.schedule << " m=" << c.m << " band=" << band_bytes(p)
        << " parallel_channels=" << parallel_channels(p) << " parallel_all=" << parallel_all(p)
        << " parallel_groups=" << parallel_groups(p) << " parallel_points=" << parallel_points(p)
        << " layout=" << layout_name(p);
    if (c.algorithm == "direct") {
        out << " pad_image=" << pads_image(p) << " skip_padded_rows=" << skips_padded_rows(p);
        // Only when set: the keys of logs written before pad=blocks stay valid.
        if (pads_channel_blocks(p)) out << " pad_blocks=1";
    } else {
        out << " pad_inline=" << pads_inline(p);
    }
    if (c.algorithm == "direct" && p.vectorize == "x") {
        const RowBlock b = row_block(machine, p);
        out << " x-vector KU=" << b.KU << " YB=" << b.YB;
    } else {
        const RegisterBlock b = c.algorithm == "direct" ? direct_block(machine, p) : register_block(machine, p);
        const bool rows = c.algorithm == "direct" ? direct_stores_rows(machine, p) : fused_stores_rows(machine, p, c.m);
        out << " block=" << b.cols_x() << "x" << b.cols_y() << " k_vectors=" << b.k_vectors << " rows=" << rows;
    }
    return out.str();
}

std::map<std::string, std::string> hand_variants() {
    std::map<std::string, std::string> out;
    for (const VariantInfo &v : variants())
        if ((v.schedule == "fused" || v.schedule == "direct") && v.device == "cpu" && !v.tuned && !v.autoscheduled)
            out.emplace(canonical_key({v.algorithm, v.schedule, v.m, schedule_parameters(v.parameters)}, v.target),
                        v.name);
    return out;
}

std::vector<Candidate> seeds(const std::string &layout) {
    std::vector<Candidate> out;
    std::set<std::string> seen;
    auto add = [&](const Candidate &c) {
        if (seen.insert(c.key()).second) out.push_back(c);
    };
    if (layout == "nhwc") {
        // Channels innermost: the fused schedule, and direct's channel-vector kernel.
        for (int m : {4, 2, 6}) add({"winograd", "fused", m, {{"layout", "nhwc"}}});
        add({"direct", "direct", 0, {{"layout", "nhwc"}}});
    } else {
        for (int m : {4, 2, 6}) add({"winograd", "fused", m, {}});
        add({"direct", "direct", 0, {}});
        add({"direct", "direct", 0, {{"vectorize", "x"}}});
    }
    for (const VariantInfo &v : variants())
        if ((v.schedule == "fused" || v.schedule == "direct") && v.layout == layout)
            add({v.algorithm, v.schedule, v.m, schedule_parameters(v.parameters)});
    return out;
}

std::vector<std::string> layer_blocks(const Candidate &c, const ConvShape &shape, const std::string &target) {
    const ScheduleParams p = parse_schedule_params(c.row_parameters());
    if (c.algorithm == "direct" && p.vectorize == "x") return {};  // its block is rows of a vector: 1xY
    const Machine machine = machine_of_target_string(target);
    const int k_vectors = p.k_vectors ? p.k_vectors : register_block(machine).k_vectors;
    int columns = machine.registers * 3 / 4 / k_vectors;  // accumulators, as register_block allows
    long long x = shape.out_w(), y = shape.out_h();
    if (c.algorithm == "winograd") {
        x = (x + c.m - 1) / c.m, y = (y + c.m - 1) / c.m;
    } else {
        columns = columns * 2 / 3;  // as direct_block: a third for the broadcasts neighbouring taps share
    }
    return grid_blocks(x, y, k_vectors, columns, 4);
}

namespace {

// The fixed list of register blocks, then the layer's (layer_blocks).
std::vector<std::string> blocks_for(const Candidate &c, std::vector<std::string> fixed, const ConvShape &shape,
                                    const std::string &target) {
    for (const std::string &b : layer_blocks(c, shape, target))
        if (std::find(fixed.begin(), fixed.end(), b) == fixed.end()) fixed.push_back(b);
    return fixed;
}

}  // namespace

std::vector<std::pair<std::string, std::vector<std::string>>> dimensions(const Candidate &c, const ConvShape &shape,
                                                                         const std::string &target) {
    const std::vector<std::string> bands{"", "128", "256", "1024", "2048"}, pad{"", "image"};
    // Direct: channel blocks nested in bands (the default), bands alone, or
    // the weights' blocks in a group per thread, outermost (groups).
    const std::vector<std::string> parallel{"", "bands", "groups"};
    if (c.algorithm == "winograd") {
        std::vector<std::pair<std::string, std::vector<std::string>>> dims{
            {"m", {"2", "4", "6"}},
            {"block", blocks_for(c, {"", "7x1", "4x2", "2x2", "4x3", "6x2", "3x3", "8x1", "5x2", "3x2", "14x1"}, shape,
                                 target)},
            // 4 vectors: the fewest loads per FMA (U's 4 and a broadcast per
            // column), which an Intel core's load ports favour.
            {"k_vectors", {"", "1", "2", "3", "4"}},
            {"band_kb", bands},
            {"parallel", {"", "bands", "all", "groups", "points"}},
            // Blocks of input channels swept over the tile blocks: for U
            // streamed from beyond L2 (many channels on a small plane).
            {"c_block", {"", "32", "64"}}};
        // Into an NHWC output a vector of channels is already a dense store:
        // no rows; from an NHWC input, one is a dense load: the transform
        // may read it without a padded copy.
        if (!channels_last(parse_schedule_params(c.row_parameters()))) dims.push_back({"store", {"", "channels", "rows"}});
        else dims.push_back({"pad", {"", "inline"}});
        return dims;
    }
    const auto it = c.params.find("vectorize");
    if (it != c.params.end() && it->second == "x")
        return {{"block", {"", "1x2", "1x3", "1x4", "1x6"}},
                {"k_vectors", {"", "1", "2", "4"}},
                {"band_kb", bands},
                {"parallel", parallel},
                {"pad", pad}};
    std::vector<std::pair<std::string, std::vector<std::string>>> dims{
        {"block", blocks_for(c, {"", "4x2", "2x4", "8x1", "7x1", "3x3", "6x2", "4x3", "2x2", "3x2"}, shape, target)},
        {"k_vectors", {"", "1", "2", "3", "4"}},
        {"band_kb", bands},
        {"parallel", parallel},
        {"taps", {"", "rows"}}};
    // From and into NHWC, vectors of channels are dense both ways: no rows,
    // no whole-image copy; the band copied as it is or in channel blocks.
    if (!channels_last(parse_schedule_params(c.row_parameters())))
        dims.insert(dims.end(), {{"store", {"", "rows"}}, {"pad", pad}});
    else
        dims.push_back({"pad", {"", "blocks"}});
    return dims;
}

Candidate with_m(const Candidate &c, int m) {
    Candidate out = c;
    out.m = m;
    return out;
}

}  // namespace wino::tune
