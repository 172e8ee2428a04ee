#include "registry.h"

#include <unordered_map>

#include "blocking.h"
#include "cpu_features.h"
#include "halide_hooks.h"

#include "wino_variants.inc"

namespace wino::detail {

namespace {

std::string target_of(const halide_filter_metadata_t *metadata) {
    return metadata && metadata->target ? metadata->target : "unknown";
}

// The targets a library was compiled for: the table's list, or (for a
// "host" build) the target Halide resolved, from the library's metadata.
std::string compiled_targets(const std::string &targets, const halide_filter_metadata_t *metadata) {
    return targets.find(',') == std::string::npos ? target_of(metadata) : targets;
}

// The one of them that runs on this CPU (at WINO_CPU_LEVEL).
std::string selected_target(const std::string &targets, const halide_filter_metadata_t *metadata) {
    install_halide_hooks();  // the CPU level, before anything asks which target runs
    return runnable_target(compiled_targets(targets, metadata));
}

// "cuda" if the target string has the cuda feature, else "cpu".
std::string device_of(const std::string &target) {
    return ("-" + target + "-").find("-cuda-") != std::string::npos ? "cuda" : "cpu";
}

}  // namespace

#if WINO_HAVE_PROFILED
#define WINO_PROFILED(name) &name##_profiled
#else
#define WINO_PROFILED(name) nullptr
#endif

const std::vector<CompiledVariant> &compiled_variants() {
    static const std::vector<CompiledVariant> table = [] {
        std::vector<CompiledVariant> t;
#define WINO_VARIANT(name, algorithm, schedule, m, parameters, autoscheduled, tuned, targets)                  \
    t.push_back({{#name, algorithm, schedule, m, parameters, selected_target(targets, name##_metadata()),          \
                  device_of(target_of(name##_metadata())), autoscheduled, tuned,                                  \
                  compiled_targets(targets, name##_metadata())},                                                  \
                 &name, WINO_PROFILED(name)});                                                                   \
    t.back().info.layout = layout_name(parse_schedule_params(parameters));
#include "wino_variants.inc"
        return t;
    }();
    return table;
}

const CompiledVariant &compiled_variant(const std::string &name) {
    // Every call looks its variant up: by a hash of the name, not a scan.
    static const std::unordered_map<std::string, const CompiledVariant *> by_name = [] {
        std::unordered_map<std::string, const CompiledVariant *> m;
        for (const CompiledVariant &v : compiled_variants()) m.emplace(v.info.name, &v);
        return m;
    }();
    if (auto it = by_name.find(name); it != by_name.end()) return *it->second;
    std::string known;
    for (const CompiledVariant &v : compiled_variants()) known += (known.empty() ? "" : ", ") + v.info.name;
    throw Error(ErrorCode::UnknownVariant, "unknown variant '" + name + "' (compiled in: " + known + ")");
}

const CompiledPreparation &weight_preparation(const VariantInfo &v) {
    struct Row {
        int m;
        std::string layout;  // direct: the layout it packs for; Winograd: "" (U is the same for both)
        CompiledPreparation p;
    };
    static const std::vector<Row> table = [] {
        std::vector<Row> t;
#define WINO_PREPARE(name, prepare_m, prepare_layout) \
    t.push_back({prepare_m, prepare_layout, {#name, &name, WINO_PROFILED(name)}});
#include "wino_variants.inc"
        return t;
    }();
    const std::string layout = weights_layout(v);
    for (const Row &r : table)
        if (r.m == v.m && r.layout == layout) return r.p;
    throw Error(ErrorCode::UnknownVariant, "no weight preparation compiled for variant " + v.name + " (m = " +
                                               std::to_string(v.m) + (layout.empty() ? "" : ", layout " + layout) +
                                               ")");
}

}  // namespace wino::detail
