#pragma once
// Layout maths of the meter bridge: how 1..256 strips share the window (rows, widths,
// scrolling, compact mode), where the parts of a strip go, and the dBFS scale. Pure
// arithmetic in ImGui's logical pixels; `scale` is the content scale (HiDPI).
//
// Threads: any thread (pure functions, no allocation).
namespace headroom::ui {

struct Rect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    float w() const { return x1 - x0; }
    float h() const { return y1 - y0; }
    bool contains(float x, float y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
};

struct LayoutLimits {
    float min_strip_w = 72.0f;      // normal mode (logical px at scale 1)
    float max_strip_w = 220.0f;
    float min_strip_w_compact = 34.0f;
    float max_strip_w_compact = 64.0f;
    float min_row_h = 330.0f;
    float min_row_h_compact = 150.0f; // a 150 px compact row keeps a bar of about 85 px (1.3 px per dB)
    float scale_w = 40.0f;          // the dBFS scale column at the left of each row
    float gap = 4.0f;               // between strips
};

struct BridgeLayout {
    bool compact = false;           // the strips are compact (asked for, or needed to fit)
    int per_row = 1;
    int rows = 1;
    float strip_w = 0;              // including the gap on its right
    float row_h = 0;
    float scale_w = 0;
    float left = 0;                 // x of the scale column: strips at their widest that leave
                                    // room (2 channels in a wide window) are centred with it
    float content_h = 0;            // rows * row_h; > avail_h means the area scrolls
    bool scrolls = false;
};

// Lays `channels` strips into an area of avail_w x avail_h. Fewest rows whose strips are at
// least the minimum width; rows at least the minimum height (else the area scrolls). When
// compact is not asked for and the normal strips would have to scroll, compact strips are
// used instead (they show more at once, and may not need to scroll). Strips held at the
// maximum width with room to spare are centred, with their scale, in the area.
BridgeLayout compute_layout(int channels, float avail_w, float avail_h, float scale, bool want_compact,
                            const LayoutLimits& lim = {});

// Top-left corner of strip `index` (0-based) relative to the area's origin.
void strip_origin(const BridgeLayout& l, int index, float& x, float& y);

// The parts of one strip, top to bottom.
struct StripRects {
    Rect header;        // channel name and preset
    Rect clip;          // latched clip indicator (click resets)
    Rect peak_text;     // max sample peak since reset, large
    Rect bar;           // the bar area, the scale's top_db .. bottom_db
    Rect bands;         // the band view under the bar (empty when it is off)
    Rect readouts;      // true peak, headroom, RMS, gain advice (empty in compact mode)
};
StripRects strip_rects(float x, float y, float w, float h, float scale, bool compact, bool bands = false);
// Height of the band view (three band rows and the low share line) at `scale`.
float bands_height(float scale, bool compact);

// The dBFS scale of the bars: linear in dB from top_db (room above full scale for float
// sources) down to bottom_db.
struct DbScale {
    double top_db = 6.0;
    double bottom_db = -60.0;
    float y_top = 0, y_bottom = 1;
    // y of a level; levels outside the scale are pinned to its ends (the numbers are not).
    float y_of(double db) const;
};

// Where the clip log goes in a viewport of vw x vh (logical px at `scale`). Docked: a side
// pane at the right that splits the main window (the bridge keeps the rest, at least half).
// Floating: a window at the right that covers at most about half the bridge, never narrower
// than what its header row needs (min_log_w) unless the viewport itself is narrower.
struct LogPlacement {
    float bridge_w = 0;   // width left to the bridge (the viewport's when floating)
    Rect log;             // the log window
};
LogPlacement place_log(bool docked, float vw, float vh, float scale);
inline constexpr float kMinLogWidth = 520.0f;  // logical px at scale 1

// Tick marks every 6 dB from top_db down to bottom_db: writes up to `max` values into `out`
// and returns how many.
int scale_marks(const DbScale& s, double* out, int max);

} // namespace headroom::ui
