#!/usr/bin/env bash
# headroom record on a real JACK server (dummy driver, private server name) with the JACK
# transport rolling from frame 4,800,000 (100 s): every clip line carries the transport position
# where it started (transport_frame, transport_s), continuous with the stream (the same offset
# for every event), and `log --markers` places the markers at transport time by default.
set -u
HEADROOM=${1:?usage: jack_transport_test.sh /path/to/headroom}
skip() { echo "jack_transport_test: SKIP: $*" >&2; echo "jack_transport_test: *** NOT RUN: $* ***" >&2; exit 77; }
fail() { echo "jack_transport_test: FAIL: $*" >&2; exit 1; }
for t in jackd jack-play jack_lsp jack_connect jack_transport python3; do
    command -v "$t" >/dev/null || skip "$t is not installed (packages jackd2, jack-tools, python3)"
done

export JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1
export JACK_DEFAULT_SERVER="hrt-$$-$RANDOM"
tmp=$(mktemp -d)
export XDG_DATA_HOME="$tmp/xdg"
rec_pid="" play_pid=""
. "$(dirname "${BASH_SOURCE[0]}")/jack_server.sh"
cleanup() {
    stop_pid "$play_pid"; stop_pid "$rec_pid"
    stop_jackd
    [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

start_jackd 2 || skip "jackd -d dummy cannot start on this machine: $(tr "\n" " " <"$tmp/jackd.log")"

# 1 s of silence (the ports get connected), then two 4-sample full-scale runs 1 s apart.
python3 - "$tmp/two.wav" <<'PY'
import struct, sys
rate, n = 48000, 3 * 48000
data = [0.0] * n
for start in (rate, 2 * rate):
    for i in range(start, start + 4):
        data[i] = 1.0
frames = b"".join(struct.pack("<f", v) for v in data)
fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
with open(sys.argv[1], "wb") as out:
    out.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(frames)) + b"WAVE")
    out.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(frames)) + frames)
PY

printf 'locate 4800000\nplay\n' | timeout 10 jack_transport >"$tmp/transport.log" 2>&1 || fail "jack_transport: $(cat "$tmp/transport.log")"
timeout -s KILL 60 "$HEADROOM" record --host-api jack --duration 6 --session-dir "$tmp/s" >"$tmp/rec.out" 2>"$tmp/rec.err" &
rec_pid=$!
wait_port headroom:in_1 10 || fail "headroom's JACK ports did not appear: $(cat "$tmp/rec.err")"
timeout -s KILL 30 jack-play -u -n "hrtplay-$$" -c 1 "$tmp/two.wav" >"$tmp/play.log" 2>&1 &
play_pid=$!
wait_port "hrtplay-$$:out_1" 5 || fail "jack-play's port did not appear: $(cat "$tmp/play.log")"
ok=0
for _ in 1 2 3 4 5; do
    timeout 3 jack_connect "hrtplay-$$:out_1" headroom:in_1 2>>"$tmp/connect.log" && { ok=1; break; }
    sleep 0.2
done
[ $ok -eq 1 ] || fail "jack_connect: $(cat "$tmp/connect.log")"
{ wait "$play_pid"; } 2>/dev/null; play_pid=""
wait "$rec_pid"; rc=$?; rec_pid=""
[ $rc -eq 0 ] || fail "record --host-api jack exited $rc: $(cat "$tmp/rec.err")"
folder=$(ls -d "$tmp"/s/*/)
python3 - "$folder/clips.jsonl" <<'PY' || fail "the clip lines do not carry the transport position"
import json, sys
clips = [json.loads(l) for l in open(sys.argv[1])]
clips = [c for c in clips if c["type"] == "clip" and not c["provisional"]]
assert len(clips) == 2, clips
a, b = clips
assert b["start_sample"] - a["start_sample"] == 48000, (a, b)
for c in clips:
    assert isinstance(c["transport_frame"], int) and c["transport_frame"] >= 4800000, c
    assert abs(c["transport_s"] - c["transport_frame"] / 48000) < 1e-6, c
assert a["transport_frame"] - a["start_sample"] == b["transport_frame"] - b["start_sample"], (a, b)
print("jack_transport_test: clips at transport", a["transport_s"], "and", b["transport_s"], "s (stream", a["start_s"], b["start_s"], ")")
PY
"$HEADROOM" log "$folder" --markers audacity >"$tmp/labels" || fail "log --markers audacity"
want=$(python3 -c 'import json,sys; c=[json.loads(l) for l in open(sys.argv[1])]; c=[x for x in c if x["type"]=="clip"]; print("%.6f" % c[0]["transport_s"])' "$folder/clips.jsonl")
[ "$(head -1 "$tmp/labels" | cut -f1)" = "$want" ] || fail "markers not at transport time ($want): $(cat "$tmp/labels")"
"$HEADROOM" log "$folder" --markers reaper --timeline session | grep -q '^M1,.*,0:0[0-9]\.[0-9]*,,$' || fail "--timeline session should place markers at stream time"
echo "jack_transport_test: ok"
