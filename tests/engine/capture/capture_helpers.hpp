#pragma once
// Helpers shared by the capture tests that run a real source through Capture: meter options
// that match what the source opened, and a reader that folds every take and keeps every
// clip event, as the window and the recorder do between them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/capture/capture.hpp"

namespace headroom::test {

inline MeterOptions options_for(const SourceInfo& info) {
    MeterOptions o;
    o.sample_rate = info.sample_rate;
    o.channels = info.channels;
    o.max_block = static_cast<std::size_t>(std::max(info.buffer_frames, 1));
    return o;
}

// What a reader saw over a whole run: every take folded, every clip event kept.
struct Seen {
    std::vector<ChannelReading> total;
    std::vector<MeterEvent> clips;
    std::uint64_t takes = 0, blocks = 0, frames = 0;

    void take(Capture& cap) {
        MeterSnapshot s;
        if (cap.snapshots().take(s)) {
            if (total.size() < s.channels) total.resize(s.channels);
            for (std::uint32_t c = 0; c < s.channels; ++c) total[c].merge(s.ch[c]);
            ++takes;
            blocks += s.blocks;
            frames = s.frames;
        }
        MeterEvent e;
        while (cap.events().try_pop(e))
            if (e.type == EventType::Clip) clips.push_back(e);
    }
};

} // namespace headroom::test
