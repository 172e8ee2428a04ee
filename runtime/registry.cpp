#include "registry.h"

#include "wino_variants.inc"

namespace wino::detail {

namespace {

std::string target_of(const halide_filter_metadata_t *metadata) {
    return metadata && metadata->target ? metadata->target : "unknown";
}

}  // namespace

const std::vector<CompiledVariant> &compiled_variants() {
    static const std::vector<CompiledVariant> table = [] {
        std::vector<CompiledVariant> t;
#define WINO_VARIANT(name, algorithm, schedule, m) \
    t.push_back({{#name, algorithm, schedule, m, target_of(name##_metadata())}, &name});
#include "wino_variants.inc"
        return t;
    }();
    return table;
}

const CompiledVariant &compiled_variant(const std::string &name) {
    for (const CompiledVariant &v : compiled_variants())
        if (v.info.name == name) return v;
    std::string known;
    for (const CompiledVariant &v : compiled_variants()) known += (known.empty() ? "" : ", ") + v.info.name;
    throw Error(ErrorCode::UnknownVariant, "unknown variant '" + name + "' (compiled in: " + known + ")");
}

FilterFn filter_transform(int m) {
#define WINO_FILTER(name, filter_m) \
    if (m == filter_m) return &name;
#include "wino_variants.inc"
    return nullptr;
}

}  // namespace wino::detail
