#include "engine/errors.hpp"
#include "engine/source_live.hpp"
namespace headroom {
std::unique_ptr<LiveSource> open_device_source(const SourceSpec&) {
    throw InputError("device capture is not ready yet");
}
} // namespace headroom
