#!/usr/bin/env bash
# The meter bridge window under Xvfb, driven by a generated 3-channel file (DESIGN.md §1):
# channel 1 clipped, channel 2 on target for its preset (vocals, -15..-12 dBFS: a sine
# peaking at -13.5), channel 3 silent. The window renders 90 frames, writes a PNG and a
# geometry sidecar; the test checks pixels at the places the sidecar names:
#   the clipped channel's clip indicator is red, the on-target bar is green, the silent
#   channel shows no bar. Also: without a display the window exits 3 with one line.
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

# 6. Pixels, read with the standard library (zlib + PNG filters).
python3 - "$work/shot.png" "$work/shot.png.json" <<'PY' || fail=1
import json, struct, sys, zlib

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

exit "$fail"
