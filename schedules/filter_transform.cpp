// Schedule of the Winograd filter transform U = G g Gᵀ. It runs once per set
// of weights (or once per call on the raw-weights path), so it only needs to be
// vectorized and parallel, not clever.
#include "schedules.h"

namespace wino {

using namespace Halide;

void schedule_filter_transform(FilterStages &s, const Target &target) {
    const int L = machine_of(target).lanes;
    // Output U(k, c, u, v): vectors of output channels are dense stores.
    s.output.reorder(s.k, s.u, s.v, s.c)
        .vectorize(s.k, L, TailStrategy::GuardWithIf)
        .unroll(s.u)
        .unroll(s.v)
        .parallel(s.c);
    // First pass per vector of channels (3 rows x alpha), reused by all alpha² outputs.
    s.U.rows.compute_at(s.output, s.k).bound_extent(s.k, L).vectorize(s.k).unroll(s.u).unroll(s.v);
}

}  // namespace wino
