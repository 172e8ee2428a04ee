#include "cpu_features.h"

#include <cstdlib>
#include <map>
#include <sstream>
#include <vector>

#include "HalideRuntime.h"

namespace wino::detail {

namespace {

constexpr int kWords = (halide_target_feature_end + 63) / 64;

// The target features a level denies.
std::vector<halide_target_feature_t> denied(const std::string &level) {
    const std::vector<halide_target_feature_t> avx512 = {
        halide_target_feature_avx512, halide_target_feature_avx512_knl, halide_target_feature_avx512_skylake,
        halide_target_feature_avx512_cannonlake, halide_target_feature_avx512_sapphirerapids};
    if (level == "avx2") return avx512;
    if (level == "sse41") {
        std::vector<halide_target_feature_t> d = avx512;
        for (auto f : {halide_target_feature_avx, halide_target_feature_avx2, halide_target_feature_fma,
                       halide_target_feature_f16c})
            d.push_back(f);
        return d;
    }
    return {};
}

std::string read_level() {
    const char *env = std::getenv("WINO_CPU_LEVEL");
    const std::string level = env && *env ? env : "native";
    return level == "avx2" || level == "sse41" ? level : "native";
}

int limited_can_use(int count, const uint64_t *features) {
    for (halide_target_feature_t f : denied(cpu_level()))
        if (f / 64 < count && (features[f / 64] >> (f % 64) & 1)) return 0;
    return halide_default_can_use_target_features(count, features);
}

// The feature bits of a target string's CPU features (the ones dispatch checks).
std::vector<uint64_t> feature_bits(const std::string &target) {
    static const std::map<std::string, halide_target_feature_t> names = {
        {"sse41", halide_target_feature_sse41},
        {"avx", halide_target_feature_avx},
        {"avx2", halide_target_feature_avx2},
        {"fma", halide_target_feature_fma},
        {"f16c", halide_target_feature_f16c},
        {"avx512", halide_target_feature_avx512},
        {"avx512_knl", halide_target_feature_avx512_knl},
        {"avx512_skylake", halide_target_feature_avx512_skylake},
        {"avx512_cannonlake", halide_target_feature_avx512_cannonlake},
        {"avx512_sapphirerapids", halide_target_feature_avx512_sapphirerapids},
    };
    std::vector<uint64_t> bits(kWords, 0);
    std::istringstream in(target);
    for (std::string word; std::getline(in, word, '-');)
        if (auto it = names.find(word); it != names.end()) bits[it->second / 64] |= uint64_t(1) << (it->second % 64);
    return bits;
}

}  // namespace

void install_cpu_level() { halide_set_custom_can_use_target_features(&limited_can_use); }

std::string cpu_level() {
    static const std::string level = read_level();
    return level;
}

bool cpu_can_use(const std::string &features) {
    std::vector<uint64_t> bits = feature_bits(features);
    return limited_can_use(kWords, bits.data()) != 0;
}

std::string runnable_target(const std::string &targets) {
    std::vector<std::string> list;
    std::istringstream in(targets);
    for (std::string t; std::getline(in, t, ',');) list.push_back(t);
    if (list.empty()) return targets;
    for (const std::string &t : list) {
        if (cpu_can_use(t)) return t;
    }
    return list.back();
}

}  // namespace wino::detail
