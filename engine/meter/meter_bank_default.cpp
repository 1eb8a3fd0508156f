// MeterBank's everyday constructor: the interpolator comes from true_peak.hpp's design.
// (Its own file so that tests and benchmarks using a given design link without it.)
#include "engine/meter/meter_bank.hpp"

namespace headroom {

MeterBank::MeterBank(const MeterOptions& o, EventQueue* events)
    : MeterBank(o, events, design_true_peak_interpolator(o.sample_rate)) {}

} // namespace headroom
