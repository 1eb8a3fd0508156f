// Loss detection and re-open attempts for the live device sources; see source_reopen.hpp.
#include "engine/capture/source_reopen.hpp"

#include <spdlog/spdlog.h>

namespace headroom {
namespace {

constexpr std::int64_t kRetryNs = 2'000'000'000;    // re-open attempts every 2 s
constexpr std::int64_t kSilenceNs = 2'000'000'000;  // no callback for this long: lost

} // namespace

void ReopeningSource::watch_started() {
    running_ = true;
    if (const CaptureCore* core = core_.load(std::memory_order_acquire)) seen_callbacks_ = core->callbacks();
    seen_at_ns_ = monotonic_ns();
}

void ReopeningSource::poll(CaptureStatus& st) {
    if (running_) {
        if (!lost_) check_loss();
        else if (monotonic_ns() >= next_retry_ns_) try_reopen();
    }
    st.device_lost = lost_;
    st.lost_reason = lost_ ? reason_ : std::string();
    st.losses = losses_;
    st.returns = returns_;
    st.back_rate = back_rate_;
    st.back_channels = back_channels_;
}

void ReopeningSource::check_loss() {
    const std::int64_t now = monotonic_ns();
    std::string why = dead_reason();
    if (why.empty()) {
        if (const CaptureCore* core = core_.load(std::memory_order_acquire)) {
            const std::uint64_t cb = core->callbacks();
            if (cb != seen_callbacks_) {
                seen_callbacks_ = cb;
                seen_at_ns_ = now;
            } else if (now - seen_at_ns_ > kSilenceNs) {
                why = silence_reason_;
            }
        }
    }
    if (why.empty()) return;
    lost_ = true;
    reason_ = why;
    ++losses_;
    spdlog::debug("{} lost: {}", label(), why);
    close_lost();
    next_retry_ns_ = now + kRetryNs;
}

void ReopeningSource::try_reopen() {
    next_retry_ns_ = monotonic_ns() + kRetryNs;
    if (!reopen()) return;
    lost_ = false;
    reason_.clear();
    ++returns_;
    if (const CaptureCore* core = core_.load(std::memory_order_acquire)) seen_callbacks_ = core->callbacks();
    seen_at_ns_ = monotonic_ns();
    spdlog::debug("{} is back", label());
}

} // namespace headroom
