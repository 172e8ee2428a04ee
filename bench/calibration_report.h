// Calibrating auto's cost model with a report (wino_tune --calibrate,
// wino_bench --calibrate): each variant's fit, and what the calibrated and the
// analytic model pick on each calibration layer held out of the fit.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "wino/wino.h"

namespace wino::bench {

// Calibrates at `threads` (progress on stderr) and prints the report to `out`.
inline wino::Calibration calibrate_and_report(const std::vector<wino::ConvShape> &layers, int threads, int rounds,
                                              const std::string &machine, FILE *out) {
    wino::RunOptions options;
    options.threads = threads;
    const char *s_threads = threads > 1 ? "s" : "";
    const auto t0 = std::chrono::steady_clock::now();
    const wino::Calibration c = wino::calibrate_cost_model(layers, options, rounds, [&](const std::string &step) {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "calibrating at %d thread%s: %s, %.0f s\n", threads, s_threads, step.c_str(), s);
    });
    std::fprintf(out, "cost model calibrated at %d thread%s, %s; points in %s\n", threads, s_threads, machine.c_str(),
                 c.table.c_str());
    std::fprintf(out, "%-36s %6s %8s %8s", "variant", "points", "med err", "max err");
    for (const std::string &term : wino::calibrated_terms()) std::fprintf(out, " %12s", term.c_str());
    std::fprintf(out, "\n");
    for (const wino::Calibration::Fit &f : c.fits) {
        std::fprintf(out, "%-36s %6d %7.1f%% %7.1f%%", f.variant.c_str(), f.points, 100 * f.median_error,
                     100 * f.max_error);
        for (double w : f.weights) std::fprintf(out, " %12.4g", w);
        std::fprintf(out, "\n");
    }
    std::fprintf(out, "each layer held out of the fit: what the fit to the other layers picks, and the analytic model\n");
    std::fprintf(out, "%-22s %-32s %9s %-32s %9s %-32s %9s\n", "", "fastest", "ms", "calibrated picks", "x fastest",
                 "analytic picks", "x fastest");
    std::vector<double> calibrated, analytic;
    for (const wino::Calibration::HeldOut &h : c.held_out) {
        calibrated.push_back(h.picked_ms / h.fastest_ms);
        analytic.push_back(h.analytic_ms / h.fastest_ms);
        std::fprintf(out, "%-22s %-32s %9.4f %-32s %8.2fx %-32s %8.2fx\n", h.layer.str().c_str(), h.fastest.c_str(),
                     h.fastest_ms, h.picked.c_str(), calibrated.back(), h.analytic.c_str(), analytic.back());
    }
    auto within = [](const std::vector<double> &r) {
        return size_t(std::count_if(r.begin(), r.end(), [](double x) { return x <= 1.1; }));
    };
    std::fprintf(out,
                 "held out: calibrated %.3fx the fastest (geometric mean; %zu of %zu within 1.1x), analytic %.3fx (%zu)"
                 "; auto uses the %s model at %d thread%s\n",
                 c.calibrated_score, within(calibrated), calibrated.size(), c.analytic_score, within(analytic),
                 c.used ? "calibrated" : "analytic", threads, s_threads);
    return c;
}

}  // namespace wino::bench
