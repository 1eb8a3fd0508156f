#!/usr/bin/env bash
# The plain `headroom record` on a PipeWire graph (a private PipeWire + WirePlumber: own dbus
# session bus, own XDG_RUNTIME_DIR, no system service):
#  1. an 8-channel virtual source (support.null-audio-sink, Audio/Source/Virtual, AUX0..AUX7) is
#     the default source; pw-cat plays 997 Hz tones at -6, -12, ... -48 dBFS (sox) with 3 clips
#     on channel 3 into it (pw-link). `headroom record --json` with no source option must report
#     8 channels at 48000 Hz from PipeWire, the fed levels (+-0.05 dB), the 3 clips on channel 3
#     and channel names from the positions (Aux 1 ..);
#  2. the source node is destroyed mid-record and created again: device_lost (stderr, log),
#     then device_back, exit 0.
# Stops what it started by PID. Without PipeWire it says why, loudly, and exits 77 (ctest SKIP).
set -u
HEADROOM=${1:?usage: pipewire_record_test.sh /path/to/headroom}
skip() { echo "pipewire_record_test: SKIP: $*" >&2; echo "pipewire_record_test: *** NOT RUN: $* ***" >&2; exit 77; }
fail() { echo "pipewire_record_test: FAIL: $*" >&2; exit 1; }
for t in pipewire wireplumber pw-cli pw-cat pw-link dbus-daemon sox python3; do
    command -v "$t" >/dev/null || skip "$t is not installed (packages pipewire, pipewire-bin, wireplumber, dbus, sox)"
done

tmp=$(mktemp -d /tmp/hr-pw-XXXXXX)
export XDG_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" XDG_DATA_HOME="$tmp/data"
unset PIPEWIRE_REMOTE PIPEWIRE_RUNTIME_DIR JACK_DEFAULT_SERVER
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" && chmod 700 "$XDG_RUNTIME_DIR"
dbus_pid="" pw_pid="" wp_pid="" rec_pid="" play_pid=""
stop_pid() { [ -n "$1" ] && kill "$1" 2>/dev/null && { wait "$1"; } 2>/dev/null; }
cleanup() {
    stop_pid "$play_pid"; stop_pid "$rec_pid"; stop_pid "$wp_pid"; stop_pid "$pw_pid"
    [ -n "$dbus_pid" ] && kill "$dbus_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- a private graph -------------------------------------------------------------------------
dbus-daemon --session --print-address=3 --print-pid=4 --fork 3>"$tmp/dbus.addr" 4>"$tmp/dbus.pid" 2>"$tmp/dbus.log" ||
    skip "dbus-daemon --session cannot start: $(cat "$tmp/dbus.log")"
dbus_pid=$(cat "$tmp/dbus.pid")
export DBUS_SESSION_BUS_ADDRESS; DBUS_SESSION_BUS_ADDRESS=$(head -1 "$tmp/dbus.addr")
pipewire >"$tmp/pipewire.log" 2>&1 &
pw_pid=$!
for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && break; kill -0 "$pw_pid" 2>/dev/null || break; sleep 0.1; done
[ -S "$XDG_RUNTIME_DIR/pipewire-0" ] || skip "pipewire cannot start here: $(tail -5 "$tmp/pipewire.log" | tr '\n' ' ')"
wireplumber >"$tmp/wireplumber.log" 2>&1 &
wp_pid=$!

node_id() {  # the id of node $1, or nothing
    timeout 5 pw-cli ls Node 2>/dev/null | python3 -c '
import re, sys
cur = None
for line in sys.stdin:
    m = re.match(r"\s*id (\d+), type PipeWire:Interface:Node", line)
    if m: cur = m.group(1)
    m = re.match(r"\s*node.name = \"(.*)\"", line)
    if m and m.group(1) == sys.argv[1]: print(cur); break' "$1"
}
make_source() {
    timeout 5 pw-cli create-node adapter '{ factory.name=support.null-audio-sink node.name=hr-8ch
        node.description="Headroom test 8ch" media.class=Audio/Source/Virtual object.linger=true
        audio.channels=8 audio.rate=48000 audio.position=[AUX0 AUX1 AUX2 AUX3 AUX4 AUX5 AUX6 AUX7] }' >>"$tmp/pwcli.log" 2>&1
    for _ in $(seq 50); do [ -n "$(node_id hr-8ch)" ] && return 0; sleep 0.1; done
    return 1
}
default_is_ours() { timeout 5 pw-metadata 0 default.audio.source 2>/dev/null | grep -q '"hr-8ch"'; }
linked() {  # linked SRC_PORT DST_PREFIX
    timeout 5 pw-link -l 2>/dev/null | python3 -c '
import sys
src, dst, cur, ok = sys.argv[1], sys.argv[2], None, False
for line in sys.stdin:
    s = line.strip()
    if not line.startswith(" "): cur = s
    elif cur == src and s.startswith("|->") and s[3:].strip().startswith(dst): ok = True
sys.exit(0 if ok else 1)' "$1" "$2"
}

make_source || skip "PipeWire runs but cannot create a null-audio-sink node: $(tail -3 "$tmp/pwcli.log")"
for _ in $(seq 50); do default_is_ours && break; sleep 0.1; done
default_is_ours || skip "WirePlumber did not start or did not make hr-8ch the default source: $(tail -5 "$tmp/wireplumber.log" | tr '\n' ' ')"

# ---- 1. the plain command on the default source ------------------------------------------------
# 4 s: 997 Hz tones, channel k at -6k dBFS; channel 3 gets full-scale samples at 1, 2 and 3 s.
levels="-6 -12 -18 -24 -30 -36 -42 -48"
# one mono tone per channel, merged by sox -M
for i in 1 2 3 4 5 6 7 8; do
    l=$(echo $levels | cut -d' ' -f$i)
    sox -n -r 48000 -c 1 -b 32 -e floating-point "$tmp/t$i.wav" synth 4 sine 997 gain "$l" 2>>"$tmp/sox.log" ||
        fail "sox cannot make the tone: $(cat "$tmp/sox.log")"
done
sox -M "$tmp"/t{1,2,3,4,5,6,7,8}.wav -b 32 -e floating-point "$tmp/tones.wav" 2>>"$tmp/sox.log" || fail "sox -M: $(cat "$tmp/sox.log")"
python3 - "$tmp/tones.wav" <<'PY' || fail "cannot put the clips into the test file"
import struct, sys
raw = bytearray(open(sys.argv[1], "rb").read())
pos, data = 12, None
while pos < len(raw):
    cid, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
    if cid == b"data": data = pos + 8; break
    pos += 8 + size + (size & 1)
for s in (48000, 96000, 144000):     # channel 3 (index 2) of frames 1 s, 2 s, 3 s
    struct.pack_into("<f", raw, data + (s * 8 + 2) * 4, 1.0)
open(sys.argv[1], "wb").write(raw)
PY

timeout -s KILL 60 "$HEADROOM" record --duration 7 --json --session-dir "$tmp/s1" >"$tmp/s1.json" 2>"$tmp/s1.err" &
rec_pid=$!
for _ in $(seq 100); do linked hr-8ch:capture_AUX7 headroom: && break; sleep 0.1; done
linked hr-8ch:capture_AUX7 headroom: || fail "headroom's stream was not linked to hr-8ch's 8 channels: $(cat "$tmp/s1.err"); $(timeout 5 pw-link -l 2>&1 | tr '\n' ' ')"
timeout -s KILL 20 pw-cat -p --target 0 -P '{ node.name=hr-play node.autoconnect=false }' --channels 8 \
    --channel-map AUX0,AUX1,AUX2,AUX3,AUX4,AUX5,AUX6,AUX7 "$tmp/tones.wav" >"$tmp/play.log" 2>&1 &
play_pid=$!
for _ in $(seq 50); do timeout 5 pw-link -o 2>/dev/null | grep -q "^hr-play:output_AUX7" && break; sleep 0.1; done
for c in 0 1 2 3 4 5 6 7; do
    timeout 5 pw-link "hr-play:output_AUX$c" "hr-8ch:input_AUX$c" 2>>"$tmp/link.log" || fail "pw-link AUX$c: $(cat "$tmp/link.log"); $(cat "$tmp/play.log")"
done
{ wait "$play_pid"; } 2>/dev/null; play_pid=""
wait "$rec_pid"; rc=$?; rec_pid=""
[ $rc -eq 0 ] || fail "plain record exited $rc: $(cat "$tmp/s1.err")"
python3 - "$tmp/s1.json" <<'PY' || fail "the PipeWire session does not match the fed levels: $(cat "$tmp/s1.err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["host_api"] == "PipeWire", j["host_api"]
assert j["sample_rate"] == 48000, j["sample_rate"]
ch = j["channels"]
assert len(ch) == 8, len(ch)
for i, c in enumerate(ch):
    want = 0.0 if i == 2 else -6.0 * (i + 1)
    got = c["sample_peak_dbfs"]
    assert got is not None and abs(got - want) <= 0.05, (i + 1, got, want)
    assert c["clip_events"] == (3 if i == 2 else 0), (i + 1, c["clip_events"])
    if i != 2:
        assert abs(c["rms_dbfs"] - (want - 3.01)) < 0.5 or c["rms_dbfs"] < want - 3.01, (i + 1, c["rms_dbfs"])
clips = [c for c in j["clips"] if c["channel"] == 3]
assert len(clips) == 3, j["clips"]
d = [b["start_sample"] - a["start_sample"] for a, b in zip(clips, clips[1:])]
assert d == [48000, 48000], d   # sample for sample, one second apart
import os
names = json.load(open(os.path.join(j["session"], "session.json")))["channel_names"]
assert names == ["Aux %d" % n for n in range(1, 9)], names   # PipeWire's AUX0..AUX7, numbered from 1
print("pipewire_record_test: plain record: 8 channels", [c["sample_peak_dbfs"] for c in ch], "clips at", [c["start_sample"] for c in clips], "names", names)
PY

# ---- 2. the source removed and created again mid-record -----------------------------------------
timeout -s KILL 60 "$HEADROOM" record --duration 9 --session-dir "$tmp/s2" >"$tmp/s2.out" 2>"$tmp/s2.err" &
rec_pid=$!
for _ in $(seq 100); do linked hr-8ch:capture_AUX7 headroom: && break; sleep 0.1; done
linked hr-8ch:capture_AUX7 headroom: || fail "not linked (second run): $(cat "$tmp/s2.err")"
sleep 1.5
timeout 5 pw-cli destroy "$(node_id hr-8ch)" >>"$tmp/pwcli.log" 2>&1 || fail "cannot destroy hr-8ch: $(tail -3 "$tmp/pwcli.log")"
removed_at=$(date +%s.%N)
echo "pipewire_record_test: source removed at $(date +%T.%N)" >&2
sleep 2.5
make_source || fail "cannot create hr-8ch again"
echo "pipewire_record_test: source back at $(date +%T.%N)" >&2
wait "$rec_pid"; rc=$?; rec_pid=""
[ $rc -eq 0 ] || fail "record should end with 0 after the source came back, got $rc: $(cat "$tmp/s2.err")"
grep -q "device lost" "$tmp/s2.err" || fail "no device-lost message on stderr: $(cat "$tmp/s2.err")"
folder=$(ls -d "$tmp"/s2/*/)
python3 - "$folder" "$removed_at" <<'PY' || fail "no device_lost / device_back in the log: $(cat "$tmp/s2.err")"
import json, os, sys
lines = [json.loads(l) for l in open(os.path.join(sys.argv[1], "clips.jsonl"))]
types = [l["type"] for l in lines]
assert types[0] == "start" and types[-1] == "stop", types
assert types.count("device_lost") == 1, types
assert "device_back" in types and types.index("device_back") > types.index("device_lost"), types
lost = lines[types.index("device_lost")]
from datetime import datetime
t = datetime.fromisoformat(lost["time"].replace("Z", "+00:00")).timestamp()
assert t - float(sys.argv[2]) < 2.0, ("device_lost later than 2 s after the removal", t - float(sys.argv[2]))
print("pipewire_record_test: source removed and re-created:", types, "reason:", lost.get("reason"))
PY
echo "pipewire_record_test: ok"
