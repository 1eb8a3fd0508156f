// LoudnessGate (loudness.hpp): BS.1770 gating and Tech 3342 loudness range over fixed-size
// histograms. Bins are kept in reverse order of loudness (slot 0: above the top; slot
// kBins - b: bin b), so the sums a relative gate keeps (everything at or above a bin) are
// prefix sums of the Fenwick trees: sums of positive terms, no cancellation.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/meter/loudness.hpp"

namespace headroom {
namespace {

constexpr double kLowestLufs = -70.0;  // the absolute gate, and bin 0's lower edge
constexpr double kBinLu = 0.01;
constexpr int kBins = 10000;           // -70 .. +30 LUFS
constexpr std::size_t kSlots = kBins + 1;

double energy_of(double lufs) noexcept { return std::pow(10.0, (lufs + 0.691) / 10.0); }

const double kAbsoluteGate = energy_of(kLowestLufs);

// The bin of an energy >= kAbsoluteGate (kBins and above: beyond the top).
int bin_of(double energy) noexcept {
    const double b = std::floor((lufs_from_mean_square(energy) - kLowestLufs) / kBinLu);
    if (!(b < kBins)) return kBins;
    return std::max(0, static_cast<int>(b));
}

double bin_centre(int b) noexcept { return energy_of(kLowestLufs + (b + 0.5) * kBinLu); }

std::size_t slot_of(int bin) noexcept { return static_cast<std::size_t>(kBins - std::min(bin, kBins)); }

} // namespace

struct LoudnessGate::Histogram {
    // Per slot: exact count and energy sum. Fenwick trees (1-based) over the slots.
    std::vector<std::uint64_t> count = std::vector<std::uint64_t>(kSlots, 0);
    std::vector<double> energy = std::vector<double>(kSlots, 0.0);
    std::vector<std::uint64_t> tree_count = std::vector<std::uint64_t>(kSlots + 1, 0);
    std::vector<double> tree_energy = std::vector<double>(kSlots + 1, 0.0);
    std::uint64_t total_count = 0;
    double total_energy = 0.0;

    void add(double e) noexcept {
        if (!(e >= kAbsoluteGate) || !std::isfinite(e)) return;
        const std::size_t s = slot_of(bin_of(e));
        count[s] += 1;
        energy[s] += e;
        for (std::size_t i = s + 1; i <= kSlots; i += i & (~i + 1)) {
            tree_count[i] += 1;
            tree_energy[i] += e;
        }
        total_count += 1;
        total_energy += e;
    }

    void clear() noexcept {
        std::fill(count.begin(), count.end(), 0);
        std::fill(energy.begin(), energy.end(), 0.0);
        std::fill(tree_count.begin(), tree_count.end(), 0);
        std::fill(tree_energy.begin(), tree_energy.end(), 0.0);
        total_count = 0;
        total_energy = 0.0;
    }

    // Count and energy of slots [0, n).
    void prefix(std::size_t n, std::uint64_t& c, double& e) const noexcept {
        c = 0;
        e = 0.0;
        for (std::size_t i = n; i > 0; i -= i & (~i + 1)) {
            c += tree_count[i];
            e += tree_energy[i];
        }
    }

    // The slots a relative gate `factor` below the mean energy keeps: [0, n). 0 when empty.
    std::size_t gated_slots(double factor) const noexcept {
        if (total_count == 0) return 0;
        const double threshold = total_energy / static_cast<double>(total_count) * factor;
        if (threshold < kAbsoluteGate) return kSlots;
        const int b = bin_of(threshold);
        if (b >= kBins) return 1;
        // The threshold's own bin is kept when the threshold is at or below its centre.
        return threshold <= bin_centre(b) ? slot_of(b) + 1 : slot_of(b);
    }

    // The slot holding the value of descending rank d (0: the loudest), d < count of all.
    std::size_t slot_of_rank(std::uint64_t d) const noexcept {
        std::size_t pos = 0;
        std::size_t step = 1;
        while (step * 2 <= kSlots) step *= 2;
        for (; step > 0; step /= 2)
            if (pos + step <= kSlots && tree_count[pos + step] <= d) {
                pos += step;
                d -= tree_count[pos];
            }
        return pos;  // 0-based slot: prefix(pos) <= d < prefix(pos + 1)
    }

    double slot_mean(std::size_t s) const noexcept { return energy[s] / static_cast<double>(count[s]); }
};

LoudnessGate::LoudnessGate() : blocks_(std::make_unique<Histogram>()), short_terms_(std::make_unique<Histogram>()) {}
LoudnessGate::~LoudnessGate() = default;
LoudnessGate::LoudnessGate(const LoudnessGate& o)
    : blocks_(std::make_unique<Histogram>(*o.blocks_)), short_terms_(std::make_unique<Histogram>(*o.short_terms_)) {}
LoudnessGate::LoudnessGate(LoudnessGate&&) noexcept = default;
LoudnessGate& LoudnessGate::operator=(LoudnessGate&&) noexcept = default;
LoudnessGate& LoudnessGate::operator=(const LoudnessGate& o) {
    if (this != &o) {
        *blocks_ = *o.blocks_;
        *short_terms_ = *o.short_terms_;
    }
    return *this;
}

void LoudnessGate::add_block(double block_ms) noexcept { blocks_->add(block_ms); }
void LoudnessGate::add_short_term(double short_term_ms) noexcept { short_terms_->add(short_term_ms); }

void LoudnessGate::reset() noexcept {
    blocks_->clear();
    short_terms_->clear();
}

std::uint64_t LoudnessGate::block_count() const noexcept { return blocks_->total_count; }
std::uint64_t LoudnessGate::short_term_count() const noexcept { return short_terms_->total_count; }

double LoudnessGate::integrated_ms() const noexcept {
    const Histogram& h = *blocks_;
    const std::size_t n = h.gated_slots(0.1);  // -10 LU
    std::uint64_t c = 0;
    double e = 0.0;
    h.prefix(n, c, e);
    return c == 0 ? -1.0 : e / static_cast<double>(c);
}

double LoudnessGate::loudness_range_lu() const noexcept {
    const Histogram& h = *short_terms_;
    const std::size_t n = h.gated_slots(0.01);  // -20 LU
    std::uint64_t c = 0;
    double e = 0.0;
    h.prefix(n, c, e);
    if (c < 2) return -1.0;
    // Ascending ranks as libebur128 takes them; descending rank = c - 1 - ascending.
    const auto low_rank = static_cast<std::uint64_t>(static_cast<double>(c - 1) * 0.10 + 0.5);
    const auto high_rank = static_cast<std::uint64_t>(static_cast<double>(c - 1) * 0.95 + 0.5);
    const double low = h.slot_mean(h.slot_of_rank(c - 1 - low_rank));
    const double high = h.slot_mean(h.slot_of_rank(c - 1 - high_rank));
    return std::max(0.0, lufs_from_mean_square(high) - lufs_from_mean_square(low));
}

} // namespace headroom
