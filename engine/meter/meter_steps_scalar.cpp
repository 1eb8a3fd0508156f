// The plain reference of the MeterBank's hop and tick bookkeeping (meter_steps.hpp): every
// channel through the per-channel steps of meter_steps_plain.hpp. Deliberately plain: the
// SIMD version (meter_steps_hwy.cpp) is tested against it.
#include <cstddef>
#include <cstdint>

#include "engine/meter/meter_steps.hpp"
#include "engine/meter/meter_steps_plain.hpp"

namespace headroom {
namespace {

void fold_plain(const float* slots, std::size_t slot_count, std::size_t channels, double* hop_sum, double* tick_sum) {
    for (std::size_t c = 0; c < channels; ++c)
        steps_plain::add_fold(steps_plain::fold_channel(slots, slot_count, channels, c), c, hop_sum, tick_sum);
}

void hop_plain(const float* slots, std::size_t slot_count, std::size_t channels, const HopArrays& a, double norm,
               bool rebase) {
    for (std::size_t c = 0; c < channels; ++c)
        steps_plain::hop_channel(steps_plain::fold_channel(slots, slot_count, channels, c), c, a, norm, rebase);
}

void publish_plain(std::size_t channels, const CallArrays& a, bool hop_in_call, float* out, std::size_t stride) {
    for (std::size_t c = 0; c < channels; ++c) steps_plain::publish_channel(c, a, hop_in_call, out + c * stride);
}

std::size_t above_plain(const float* sample_peak, const float* threshold, std::size_t channels, std::uint32_t* list) {
    std::size_t n = 0;
    for (std::size_t c = 0; c < channels; ++c)
        if (sample_peak[c] > threshold[c]) list[n++] = static_cast<std::uint32_t>(c);
    return n;
}

constexpr StepTable kPlain{"plain", fold_plain, hop_plain, publish_plain, above_plain};

} // namespace

const StepTable& plain_steps() noexcept { return kPlain; }

} // namespace headroom
