// Schedule of the Winograd filter transform U = G g Gᵀ. It runs once per set
// of weights (or once per call on the raw-weights path), so it only needs to be
// vectorized and parallel, not clever.
#include "schedules.h"

namespace wino {

using namespace Halide;

void schedule_filter_transform(FilterStages &s, const Target &target) {
    const int L = machine_of(target).lanes;
    const Var ki = s.ki, c = s.c, kb = s.kb, u = s.u, v = s.v;
    Var ko("ko"), kv("kv");
    // Output U(ki, c, u, v, kb): a vector of output channels is a dense store.
    // One parallel task per block of channels walks c innermost, so its reads of
    // KCRS weights (rows 9·C floats apart) advance through a few streams in order.
    s.output.split(ki, ko, kv, L)
        .reorder(kv, u, v, ko, c, kb)
        .vectorize(kv)
        .unroll(u)
        .unroll(v)
        .parallel(kb);
    // First pass (alpha x 3 per channel vector) once per (c, vector), not per (u, v).
    s.U.rows.compute_at(s.output, ko).bound_extent(s.k, L).vectorize(s.k).unroll(u).unroll(v);
}

}  // namespace wino
