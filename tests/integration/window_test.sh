#!/usr/bin/env bash
# The meter bridge window under Xvfb, driven by a generated 3-channel file (DESIGN.md §1):
# channel 1 clipped, channel 2 on target for its preset (vocals, -15..-12 dBFS: a sine
# peaking at -13.5), channel 3 silent. The window renders 90 frames, writes a PNG and a
# geometry sidecar; the test checks pixels at the places the sidecar names:
#   the clipped channel's clip indicator is red, the on-target bar is green, the silent
#   channel shows no bar. Also: without a display the window exits 3 with one line.
# Then (docs/ui.md): no clip out of sight (256 channels, only channel 250 clipping: the clip
# overview lists it, in red, inside the PNG); a window session where nothing happened leaves
# no folder; the clip log docked at 800x600 keeps its export buttons and headers inside the
# window, and floating it covers at most 60 % of the bridge; the UI scale follows a
# 3840x2160 screen and config.json's window.ui_scale.
# Usage: window_test.sh /path/to/headroom
set -u
HEADROOM=${1:?usage: window_test.sh /path/to/headroom}

if ! command -v xvfb-run >/dev/null 2>&1 || ! command -v Xvfb >/dev/null 2>&1; then
    echo "window_test: SKIPPED: xvfb-run/Xvfb not installed (apt-get install xvfb); the window is NOT tested" >&2
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "window_test: SKIPPED: python3 not found (needed to make the input file and read the PNG)" >&2
    exit 77
fi

work=$(mktemp -d /tmp/headroom-window-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1" >&2; fail=1; else echo "ok: $1"; fi; }

# 1. No display: one line, exit 3, no audio system opened (demo source).
out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$HEADROOM" --demo --session-dir "$work/s0" 2>&1); rc=$?
check "no display exits 3 (got $rc)" '[ "$rc" -eq 3 ]'
check "no display says so in one line" '[ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ] && printf "%s" "$out" | grep -q "^headroom: no display: set DISPLAY or use .headroom record."'

# 2. The generated file: 16-bit PCM, 48 kHz, 3 channels, 6 s.
python3 - "$work/three.wav" <<'PY'
import math, struct, sys, wave
rate, secs = 48000, 6
target = 10 ** (-13.5 / 20)
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(3); w.setsampwidth(2); w.setframerate(rate)
    frames = bytearray()
    for n in range(rate * secs):
        s = math.sin(2 * math.pi * 997 * n / rate)
        clipped = max(-1.0, min(1.0, 1.6 * s))          # a hard-clipped sine: full-scale runs
        frames += struct.pack("<hhh", int(clipped * 32767), int(round(target * s * 32767)), 0)
    w.writeframes(bytes(frames))
PY

# 3. The window, 90 frames at 60/s, then the screenshot.
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --input-file "$work/three.wav" --preset 2=vocals \
    --session-dir "$work/sessions" --screenshot "$work/shot.png" --frames 90 2>"$work/stderr"; rc=$?
check "window exits 0 (got $rc; stderr: $(head -c 400 "$work/stderr"))" '[ "$rc" -eq 0 ]'
check "PNG written" '[ -s "$work/shot.png" ]'
check "geometry sidecar written" '[ -s "$work/shot.png.json" ]'
check "the session was recorded" '[ -n "$(ls "$work/sessions" 2>/dev/null)" ]'
[ "$fail" -eq 0 ] || exit 1

# 4. A corrupt settings file: reported with its path and line, defaults used, left untouched.
printf '{\n  "devices": {\n    "demo": oops\n  }\n}\n' > "$work/bad.json"
cp "$work/bad.json" "$work/bad.json.orig"
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --demo --demo-channels 2 --config "$work/bad.json" \
    --session-dir "$work/sessions" --screenshot "$work/bad.png" --frames 5 2>"$work/bad.stderr"; rc=$?
check "corrupt config: the window still runs (got $rc)" '[ "$rc" -eq 0 ]'
check "corrupt config: stderr names path and line ($(head -c 300 "$work/bad.stderr"))" 'grep -q "$work/bad.json:3: " "$work/bad.stderr"'
check "corrupt config: the file is left untouched" 'cmp -s "$work/bad.json" "$work/bad.json.orig"'

# 5. A screenshot that cannot be written: exit 4, one line naming the file.
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --demo --demo-channels 2 --session-dir "$work/sessions" \
    --screenshot /proc/headroom-no/shot.png --frames 3 2>"$work/unwritable.stderr"; rc=$?
check "unwritable screenshot exits 4 (got $rc)" '[ "$rc" -eq 4 ]'
check "unwritable screenshot is named on stderr" 'grep -q "^headroom: /proc/headroom-no/shot.png: " "$work/unwritable.stderr"'
# A full disk (/dev/full: every write fails) and a folder that does not exist: exit 4, one
# line naming the file, never a silent 0.
for target in /dev/full /nonexistent/dir/x.png; do
    xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --demo --demo-channels 2 --session-dir "$work/sessions" \
        --screenshot "$target" --frames 3 2>"$work/full.stderr"; rc=$?
    check "screenshot to $target exits 4 (got $rc)" '[ "$rc" -eq 4 ]'
    check "screenshot to $target: one line naming it ($(head -c 300 "$work/full.stderr"))" \
        'grep -q "^headroom: $target: " "$work/full.stderr" && [ "$(grep -c "$target" "$work/full.stderr")" -eq 1 ]'
done
check "/dev/full is still the device" '[ -c /dev/full ]'

# 6. Pixels, read with the standard library (zlib + PNG filters).
cat > "$work/pngread.py" <<'PY'
import struct, zlib

def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "unexpected PNG format"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line); prev = line
    return w, h, bpp, rows
PY
python3 - "$work/shot.png" "$work/shot.png.json" "$work" <<'PY' || fail=1
import json, sys
sys.path.insert(0, sys.argv[3])
from pngread import read_png

w, h, bpp, rows = read_png(sys.argv[1])
geo = json.load(open(sys.argv[2]))
assert (w, h) == (geo["width"], geo["height"]), "sidecar size differs from the PNG"
ch = {c["channel"]: c for c in geo["channels"]}
def px(x, y): r = rows[int(y)]; return tuple(r[int(x) * bpp:int(x) * bpp + 3])
def bar_probe(c):   # inside the peak bar, left of the RMS column, a quarter up from the bottom
    x0, y0, x1, y1 = c["bar"]; return px(x0 + 0.2 * (x1 - x0), y1 - 0.25 * (y1 - y0))
def centre(r): return px(r[0] + 4, (r[1] + r[3]) / 2)   # inside, left of the centred label
ok = True
def check(name, cond, got):
    global ok
    print(("ok: " if cond else "FAIL: ") + name + " " + str(got), file=sys.stdout if cond else sys.stderr)
    ok &= bool(cond)

r, g, b = centre(ch[1]["clip"])
check("channel 1 clip indicator is the clip colour (raspberry red 248,60,104)", r > 180 and g < 90 and r - b > 100, (r, g, b))
check("channel 1 latched in the sidecar", ch[1]["clip_latched"], ch[1]["clip_latched"])
r, g, b = bar_probe(ch[2])
check("channel 2 (on target, vocals) bar is green", g > 150 and r < 110 and b < 120, (r, g, b))
check("channel 2 zone is target", ch[2]["zone"] == "target", ch[2]["zone"])
r, g, b = centre(ch[2]["clip"])
check("channel 2 clip indicator is not red", not (r > 180 and g < 90), (r, g, b))
r, g, b = bar_probe(ch[3])
check("channel 3 (silent) shows no bar", max(r, g, b) < 70, (r, g, b))
r, g, b = centre(ch[3]["clip"])
check("channel 3 clip indicator is not red", not (r > 180 and g < 90), (r, g, b))
sys.exit(0 if ok else 1)
PY

# 7. No clip out of sight: 256 channels, only channel 250 clips (the whole file long).
python3 - "$work/many.wav" <<'PY'
import math, struct, sys, wave
rate, secs, n = 48000, 3, 256
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(n); w.setsampwidth(2); w.setframerate(rate)
    frame = bytearray(2 * n)
    out = bytearray()
    for i in range(rate * secs):
        v = max(-1.0, min(1.0, 1.6 * math.sin(2 * math.pi * 997 * i / rate)))
        frame[2 * 249:2 * 250] = struct.pack("<h", int(v * 32767))
        out += frame
    w.writeframes(bytes(out))
PY
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --input-file "$work/many.wav" --size 1600x900 \
    --session-dir "$work/sessions" --screenshot "$work/many.png" --frames 60 2>"$work/many.stderr"; rc=$?
check "256 channels: window exits 0 (got $rc; $(head -c 300 "$work/many.stderr"))" '[ "$rc" -eq 0 ]'
python3 - "$work/many.png" "$work/many.png.json" "$work" <<'PY' || fail=1
import json, sys
sys.path.insert(0, sys.argv[3])
from pngread import read_png
w, h, bpp, rows = read_png(sys.argv[1])
geo = json.load(open(sys.argv[2]))
ok = True
def check(name, cond, got):
    global ok
    print(("ok: " if cond else "FAIL: ") + name + " " + str(got), file=sys.stdout if cond else sys.stderr)
    ok &= bool(cond)
ov = geo.get("clip_overview")
check("the sidecar has the clip overview", isinstance(ov, list), ov)
ov = ov or []
check("the overview lists channel 250 and only it", [e["channel"] for e in ov] == [250], ov)
if ov:
    x0, y0, x1, y1 = ov[0]["rect"]
    check("the overview entry is inside the PNG", 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, ov[0]["rect"])
    r, g, b = tuple(rows[(y0 + y1) // 2][(x0 + 3) * bpp:(x0 + 3) * bpp + 3])
    check("the overview entry is the clip colour (red dominant)", r > 180 and g < 90 and r > b + 100, (r, g, b))
    # Proof that this is not the strip itself: some strips were drawn, channel 250's need not be.
    latched = [c["channel"] for c in geo["channels"] if c["clip_latched"]]
    check("no other strip drawn is latched", set(latched) <= {250}, latched)
sys.exit(0 if ok else 1)
PY

# 8. Sessions that hold nothing are not kept: a silent file, a few frames, a clean close.
python3 - "$work/quiet.wav" <<'PY'
import sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(48000)
    w.writeframes(bytes(4 * 48000))
PY
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --input-file "$work/quiet.wav" --session-dir "$work/quiet" \
    --screenshot "$work/quiet.png" --frames 10 2>"$work/quiet.stderr"; rc=$?
check "quiet window exits 0 (got $rc)" '[ "$rc" -eq 0 ]'
check "a quiet short window session leaves no folder ($(ls "$work/quiet" 2>/dev/null | tr '\n' ' '))" \
    '[ -z "$(ls "$work/quiet" 2>/dev/null)" ]'
check "the clipped session was kept" '[ -n "$(ls "$work/sessions" 2>/dev/null)" ]'

# 9. The clip log at 800x600: docked beside the bridge (config.json), then floating.
mkdir -p "$work/cfgdock"
printf '{"window": {"log_docked": true}}\n' > "$work/cfgdock/config.json"
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --input-file "$work/three.wav" --size 800x600 --show-log \
    --config "$work/cfgdock/config.json" --session-dir "$work/sessions" --screenshot "$work/dock.png" --frames 40 \
    2>"$work/dock.stderr"; rc=$?
check "docked log exits 0 (got $rc; $(head -c 300 "$work/dock.stderr"))" '[ "$rc" -eq 0 ]'
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --input-file "$work/three.wav" --size 800x600 --show-log \
    --session-dir "$work/sessions" --screenshot "$work/float.png" --frames 40 2>"$work/float.stderr"; rc=$?
check "floating log exits 0 (got $rc)" '[ "$rc" -eq 0 ]'
python3 - "$work/dock.png.json" "$work/float.png.json" <<'PY' || fail=1
import json, sys
ok = True
def check(name, cond, got):
    global ok
    print(("ok: " if cond else "FAIL: ") + name + " " + str(got), file=sys.stdout if cond else sys.stderr)
    ok &= bool(cond)
def inside(r, o): return o[0] <= r[0] < r[2] <= o[2] and o[1] <= r[1] < r[3] <= o[3]
for path, docked in ((sys.argv[1], True), (sys.argv[2], False)):
    geo = json.load(open(path))
    W, H = geo["width"], geo["height"]
    log = geo.get("log")
    check("%s: the log window is in the sidecar" % path, log is not None, log)
    if not log: continue
    r = log["rect"]
    check("%s: docked is %s" % (path, docked), log["docked"] == docked, log["docked"])
    check("%s: the log is inside the window" % path, inside(r, [0, 0, W, H]), (r, W, H))
    check("%s: the export buttons are inside the log" % path, inside(log["export_buttons"], r), (log["export_buttons"], r))
    check("%s: the summary's headers are inside the log" % path, inside(log["summary_header"], r), (log["summary_header"], r))
    strips = [c["strip"] for c in geo["channels"]]
    if docked:
        check("docked: no strip under the log", all(s[2] <= r[0] + 1 for s in strips), (r, strips))
    else:
        area = (r[2] - r[0]) * (r[3] - r[1])
        check("floating: covers at most 60 % of the bridge", area <= 0.6 * W * H, area / (W * H))
sys.exit(0 if ok else 1)
PY

# 10. UI scale: a 3840x2160 screen gives at least 2 (readable text); config.json's wins.
xvfb-run -a -s "-screen 0 3840x2160x24" "$HEADROOM" --demo --demo-channels 8 --size 3840x2160 \
    --session-dir "$work/sessions" --screenshot "$work/uhd.png" --frames 5 2>"$work/uhd.stderr"; rc=$?
check "3840x2160 exits 0 (got $rc)" '[ "$rc" -eq 0 ]'
check "3840x2160: UI scale at least 2" 'python3 -c "import json,sys; sys.exit(0 if json.load(open(\"$work/uhd.png.json\")).get(\"ui_scale\", 0) >= 2 else 1)"'
mkdir -p "$work/cfgscale"
printf '{"window": {"ui_scale": 1.25}}\n' > "$work/cfgscale/config.json"
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --demo --demo-channels 8 --config "$work/cfgscale/config.json" \
    --session-dir "$work/sessions" --screenshot "$work/scale.png" --frames 5 2>"$work/scale.stderr"; rc=$?
check "config ui_scale 1.25 is used" 'python3 -c "import json,sys; sys.exit(0 if abs(json.load(open(\"$work/scale.png.json\")).get(\"ui_scale\", 0) - 1.25) < 1e-6 else 1)"'

# 11. Buses and the band view (issue 15): --bus NAME=CHANNELS and --bands; a device's buses
# from config.json when the command line gives none; a bad --bus is a usage error naming it.
xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --input-file "$work/three.wav" --bus mix=1-2 --bands \
    --session-dir "$work/sessions" --screenshot "$work/bus.png" --frames 30 2>"$work/bus.stderr"; rc=$?
check "--bus mix=1-2 --bands: exits 0 (got $rc; $(head -c 300 "$work/bus.stderr"))" '[ "$rc" -eq 0 ]'
mkdir -p "$work/cfgbus"
printf '{"devices": {"file:three.wav": {"buses": [{"name": "drums", "channels": [3, 2], "preset": "master_in"}]}}}\n' \
    > "$work/cfgbus/config.json"
xvfb-run -a -s "-screen 0 800x600x24" "$HEADROOM" --input-file "$work/three.wav" --config "$work/cfgbus/config.json" \
    --size 800x600 --session-dir "$work/sessions" --screenshot "$work/cfgbus.png" --frames 5 2>"$work/cfgbus.stderr"; rc=$?
check "config.json bus: exits 0 (got $rc; $(head -c 300 "$work/cfgbus.stderr"))" '[ "$rc" -eq 0 ]'
python3 - "$work/bus.png" "$work/bus.png.json" "$work/cfgbus.png.json" "$work" <<'PY' || fail=1
import json, re, sys
sys.path.insert(0, sys.argv[4])
from pngread import read_png
w, h, bpp, rows = read_png(sys.argv[1])
geo = json.load(open(sys.argv[2]))
ok = True
def check(name, cond, got):
    global ok
    print(("ok: " if cond else "FAIL: ") + name + " " + str(got), file=sys.stdout if cond else sys.stderr)
    ok &= bool(cond)
def px(x, y): r = rows[int(y)]; return tuple(r[int(x) * bpp:int(x) * bpp + 3])
buses = geo.get("buses", [])
check("one bus strip in the sidecar", len(buses) == 1, buses)
if buses:
    b = buses[0]
    check("named mix, channels 1-2, preset mix_bus", (b["name"], b["channels"], b["preset"]) == ("mix", [1, 2], "mix_bus"), b)
    right = max(c["strip"][2] for c in geo["channels"])
    check("the bus strip is right of every channel strip", b["strip"][0] >= right - 1, (b["strip"], right))
    check("the bus strip is inside the window", b["strip"][2] <= geo["width"] and b["strip"][3] <= geo["height"], b["strip"])
    lufs = re.compile(r"^(--|-?\d+\.\d)$")   # one decimal, the shared formatter's, or no value
    for k in ("integrated_lufs", "loudness_range_lu", "plr_lu", "momentary_max_lufs", "short_term_max_lufs"):
        check("%s reads as one decimal or --" % k, lufs.match(b[k]) is not None, b[k])
    check("the stopwatch reads m:ss", re.match(r"^\d+:\d\d$", b["stopwatch"]) is not None, b["stopwatch"])
    x0, y0, x1, y1 = b["reset_button"]
    check("the reset button is drawn (not background)", px((x0 + x1) / 2, y0 + 2) != (18, 20, 24), px((x0 + x1) / 2, y0 + 2))
    check("M and S bars side by side, tall", b["momentary_bar"][2] <= b["short_term_bar"][0]
          and b["momentary_bar"][3] - b["momentary_bar"][1] > 100, (b["momentary_bar"], b["short_term_bar"]))
check("the band view is on", geo.get("bands") is True, geo.get("bands"))
for c in geo["channels"]:
    bd = c.get("bands")
    check("channel %d: band view under its bar" % c["channel"], bd is not None and bd["rect"][1] >= c["bar"][3] - 1, bd)
cfg = json.load(open(sys.argv[3]))
cb = cfg.get("buses", [])
check("config.json's bus is used without --bus", [(b["name"], b["channels"], b["preset"]) for b in cb] == [("drums", [3, 2], "master_in")], cb)
check("without --bands the band view is off", cfg.get("bands") is False, cfg.get("bands"))
sys.exit(0 if ok else 1)
PY
for bad in "mix=1-9" "=1-2" "mix" "mix=0" "mix=1,1"; do
    xvfb-run -a -s "-screen 0 800x600x24" "$HEADROOM" --input-file "$work/three.wav" --bus "$bad" \
        --session-dir "$work/sessions" --screenshot "$work/badbus.png" --frames 2 2>"$work/badbus.stderr"; rc=$?
    check "--bus $bad exits 2 (got $rc)" '[ "$rc" -eq 2 ]'
    check "--bus $bad: one line naming --bus ($(head -c 200 "$work/badbus.stderr"))" \
        '[ "$(wc -l < "$work/badbus.stderr")" -eq 1 ] && grep -q -- "--bus" "$work/badbus.stderr"'
done

# 12. A bus made in the window (xdotool drives the real window): Ctrl+click strips 1 and 2,
# Buses > Make bus from selection, type a name, Enter. The bus is saved for the device and the
# meters are rebuilt in a new session (docs/ui.md "Buses"). The places come from a screenshot
# sidecar of the same window at the same size.
if command -v xdotool >/dev/null 2>&1; then
    mkdir -p "$work/mk"
    xvfb-run -a -s "-screen 0 1600x900x24" "$HEADROOM" --demo --demo-channels 4 --size 1600x900 \
        --config "$work/mk/cfg.json" --session-dir "$work/mk/sess" --screenshot "$work/mk/probe.png" --frames 3 2>/dev/null
    rm -rf "$work/mk/sess" "$work/mk/cfg.json"
    cat > "$work/mk/drive.sh" <<'SH'
#!/bin/bash
H=$1; out=$2
read -r x1 x2 y < <(python3 -c "import json; g = json.load(open('$out/probe.png.json')); c = g['channels']; print(int((c[0]['strip'][0] + c[0]['strip'][2]) / 2), int((c[1]['strip'][0] + c[1]['strip'][2]) / 2), int((c[0]['bar'][1] + c[0]['bar'][3]) / 2))")
"$H" --demo --demo-channels 4 --size 1600x900 --config "$out/cfg.json" --session-dir "$out/sess" 2>"$out/err" &
hp=$!
# Wait for the session (made after the window is up), then act slowly: a loaded machine
# renders with llvmpipe at a few frames a second, and ImGui sees a hover only in a frame
# after the move. (`xdotool search --sync` is not used: after it, no click reached the window.)
for _ in $(seq 100); do [ -n "$(ls "$out/sess" 2>/dev/null)" ] && break; sleep 0.2; done
sleep 4
ls "$out/sess" > "$out/before"
step() { sleep 1.2; }
# Each target is approached with a second move one pixel on, so that a frame sees the pointer
# over it before the button goes down.
to() { xdotool mousemove "$1" "$2"; step; xdotool mousemove "$(($1 + 1))" "$2"; step; }
to "$x1" "$y"; xdotool keydown ctrl; step; xdotool click 1; step
to "$x2" "$y"; xdotool click 1; step; xdotool keyup ctrl; step
to 143 10; xdotool click 1; step          # the Buses menu
to 200 36; xdotool click 1; step          # Make bus from selection
xdotool key ctrl+a; step; xdotool type --delay 80 pair; step; xdotool key Return
for _ in $(seq 50); do [ -f "$out/cfg.json" ] && [ -n "$(ls "$out/sess" | comm -13 "$out/before" -)" ] && break; sleep 0.2; done
sleep 1
ls "$out/sess" > "$out/after"
kill -0 $hp 2>/dev/null && echo alive > "$out/alive"
kill -TERM $hp; wait $hp
SH
    # Synthetic input under Xvfb without a window manager can lose an event on a loaded machine
    # (seen in CI runs; alone it passes at the first or second attempt): up to five attempts, each a fresh window,
    # config and session folder, every retry said out loud. A window that cannot make a bus
    # fails all five.
    for attempt in 1 2 3 4 5; do
        rm -rf "$work/mk/sess" "$work/mk/cfg.json" "$work/mk/alive" "$work/mk/before" "$work/mk/after"
        xvfb-run -a -s "-screen 0 1600x900x24" bash "$work/mk/drive.sh" "$HEADROOM" "$work/mk"
        [ -f "$work/mk/cfg.json" ] && break
        echo "window_test: NOTE: attempt $attempt of making a bus in the window saved nothing; trying again" >&2
    done
    check "made in the window: still running after the rebuild ($(head -c 300 "$work/mk/err"))" '[ -f "$work/mk/alive" ]'
    check "made in the window: saved for the device (channels 1, 2; mix_bus)" \
        'python3 -c "import json,sys; b = json.load(open(\"$work/mk/cfg.json\"))[\"devices\"][\"demo\"][\"buses\"]; sys.exit(0 if b == [{\"name\": \"pair\", \"channels\": [1, 2], \"preset\": \"mix_bus\"}] else 1)"'
    check "made in the window: a new session was started ($(cat "$work/mk/before" | tr '\n' ' ') -> $(cat "$work/mk/after" | tr '\n' ' '))" \
        '[ -n "$(comm -13 "$work/mk/before" "$work/mk/after")" ]'
else
    echo "FAIL: xdotool not found (scripts/setup.sh installs it): the window's bus making is not tested" >&2
    fail=1
fi

exit "$fail"
