#!/usr/bin/env bash
# headroom record on a real JACK server (dummy driver, private server name):
#  1. a 3-channel WAV with known peaks and clips is played sample-exactly (jack-play, zero-order
#     hold resampler at ratio 1) into headroom's ports; record --json and clips.jsonl must give
#     the file's values (peaks, clip counts, runs, and the clips' spacing to the sample);
#     without --device it captures the physical capture ports and says so; a pretty-name names
#     a channel; --device nosuch lists JACK's clients only (exit 3);
#  2. the server is killed mid-record and restarted: a device_lost line, then device_back, an
#     intact log ending with "stop", exit 0 at the end of the duration, no crash;
#  3. the server comes back at 44100 Hz: said once on stderr and in the log, no device_back, exit 0;
#  4. the server stays but the source goes (issue 16): --device a jack-play client, killed
#     mid-record -> device_lost within 2 s naming the client; started again -> device_back;
#     jack_disconnect of headroom's ports -> device_lost "ports unlinked", not relinked by
#     headroom; jack_connect by hand -> device_back; record --json device_losses == 2.
set -u
HEADROOM=${1:?usage: jack_record_test.sh /path/to/headroom}
skip() { echo "jack_record_test: SKIP: $*" >&2; echo "jack_record_test: *** NOT RUN: $* ***" >&2; exit 77; }
fail() { echo "jack_record_test: FAIL: $*" >&2; exit 1; }
for t in jackd jack-play jack_lsp jack_connect python3; do
    command -v "$t" >/dev/null || skip "$t is not installed (packages jackd2, jack-tools, python3)"
done

export JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1
export JACK_DEFAULT_SERVER="hr-$$-$RANDOM"
export XDG_DATA_HOME
tmp=$(mktemp -d)
XDG_DATA_HOME="$tmp/xdg"
rec_pid="" play_pid=""
. "$(dirname "${BASH_SOURCE[0]}")/jack_server.sh"
cleanup() {
    stop_pid "$play_pid"; stop_pid "$rec_pid"
    stop_jackd
    rm -rf "$tmp"
}
trap cleanup EXIT

start_jackd || skip "jackd -d dummy cannot start on this machine: $(tr "\n" " " <"$tmp/jackd.log")"

# --- 1. known peaks and clips, played into headroom's ports ----------------------------------
# 1 s of silence first (the ports are connected during it), then:
#  ch1: a 12 kHz sine of amplitude 0.5 (samples 0, +-0.5: sample peak exactly -6.02 dBFS)
#  ch2: a quiet sine (0.1) and two 4-sample full-scale runs 10000 samples apart (one event, 2 runs)
#  ch3: silence and one sample at 1.25 (+1.94 dBFS, a float above full scale), 24000 after ch2's
python3 - "$tmp/known.wav" <<'PY'
import math, struct, sys
rate, nch, n = 48000, 3, 4 * 48000
lead = rate
c1 = 2 * rate
data = [[0.0] * n for _ in range(nch)]
for i in range(lead, n - rate // 2):
    data[0][i] = 0.5 * math.sin(math.pi / 2 * i) if i % 2 else 0.0
    data[1][i] = 0.1 * math.sin(2 * math.pi * 440 * i / rate)
for s in (c1, c1 + 10000):
    for i in range(s, s + 4):
        data[1][i] = 1.0
data[2][c1 + 24000] = 1.25
frames = b"".join(struct.pack("<3f", data[0][i], data[1][i], data[2][i]) for i in range(n))
fmt = struct.pack("<HHIIHH", 3, nch, rate, rate * 4 * nch, 4 * nch, 32)
with open(sys.argv[1], "wb") as out:
    out.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(frames)) + b"WAVE")
    out.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(frames)) + frames)
PY

# A channel named by JACK's pretty-name metadata (as PipeWire or a session manager sets it).
timeout 5 jack_property -p -s system:capture_2 http://jackaudio.org/metadata/pretty-name "Snare Top" 2>>"$tmp/prop.log" ||
    fail "jack_property cannot set a pretty-name: $(cat "$tmp/prop.log")"
# A channel named by an alias that names the interface's input (the backend's own dummy_pcm
# alias is not a name; a pretty-name wins over an alias).
timeout 5 jack_alias system:capture_3 "Scarlett 18i8:Input 3" 2>>"$tmp/prop.log" ||
    fail "jack_alias cannot set an alias: $(cat "$tmp/prop.log")"
timeout 5 jack_alias system:capture_2 "Scarlett 18i8:Input 2" 2>>"$tmp/prop.log" ||
    fail "jack_alias cannot set an alias: $(cat "$tmp/prop.log")"
# --device that matches nothing: exit 3, and the message lists JACK's clients only.
"$HEADROOM" record --host-api jack --device nosuch --duration 1 --session-dir "$tmp/s0" >/dev/null 2>"$tmp/s0.err"; rc=$?
[ $rc -eq 3 ] || fail "--device nosuch on JACK: exit $rc, want 3: $(cat "$tmp/s0.err")"
grep -q "JACK clients with outputs: .*'system'" "$tmp/s0.err" && ! grep -qi "alsa" "$tmp/s0.err" ||
    fail "--device nosuch should list JACK's clients only: $(cat "$tmp/s0.err")"
[ "$(wc -l <"$tmp/s0.err")" -eq 1 ] || fail "--device nosuch: more than one stderr line: $(cat "$tmp/s0.err")"

timeout -s KILL 60 "$HEADROOM" record --host-api jack --duration 7 --json --session-dir "$tmp/s1" >"$tmp/s1.json" 2>"$tmp/s1.err" &
rec_pid=$!
wait_port headroom:in_1 10 || fail "headroom's JACK ports did not appear: $(cat "$tmp/s1.err")"
timeout -s KILL 30 jack-play -u -n "hrplay-$$" -c 3 "$tmp/known.wav" >"$tmp/play.log" 2>&1 &
play_pid=$!
wait_port "hrplay-$$:out_3" 5 || fail "jack-play's ports did not appear: $(cat "$tmp/play.log")"
for c in 1 2 3; do
    ok=0
    for _ in 1 2 3 4 5; do
        timeout 3 jack_connect "hrplay-$$:out_$c" "headroom:in_$c" 2>>"$tmp/connect.log" && { ok=1; break; }
        timeout 3 jack_lsp -c 2>/dev/null | grep -A3 "^hrplay-$$:out_$c\$" | grep -q "headroom:in_$c" && { ok=1; break; }
        sleep 0.2
    done
    [ $ok -eq 1 ] || fail "jack_connect out_$c -> in_$c: $(cat "$tmp/connect.log"); ports: $(timeout 3 jack_lsp -c 2>&1 | tr '\n' ' ')"
done
{ wait "$play_pid"; } 2>/dev/null; play_pid=""
wait "$rec_pid"; rc=$?; rec_pid=""
[ $rc -eq 0 ] || fail "record --host-api jack exited $rc: $(cat "$tmp/s1.err")"
grep -q "physical capture ports system:capture_1 … system:capture_8" "$tmp/s1.err" ||
    fail "no --device: stderr should name the physical capture ports chosen: $(cat "$tmp/s1.err")"
python3 - "$tmp/s1.json" <<'PY' || fail "the JACK session does not match the file"
import json, os, sys
j = json.load(open(sys.argv[1]))
ch = j["channels"]
assert len(ch) == 8, len(ch)
assert ch[0]["sample_peak_dbfs"] == -6.02, ch[0]
assert ch[0]["clip_events"] == 0
assert ch[1]["sample_peak_dbfs"] == 0.0 and ch[1]["clip_events"] == 1 and ch[1]["clipped_samples"] == 8, ch[1]
assert ch[2]["sample_peak_dbfs"] == 1.94 and ch[2]["clip_events"] == 1 and ch[2]["clipped_samples"] == 1, ch[2]
for c in ch[3:]:
    assert c["sample_peak_dbfs"] is None and c["clip_events"] == 0, c   # nothing played there
clips = sorted(j["clips"], key=lambda c: c["channel"])
assert [c["channel"] for c in clips] == [2, 3], clips
a, b = clips
assert a["runs"] == 2 and a["end_s"] * 48000 - a["start_s"] * 48000 > 10003.9, a
assert b["start_sample"] - a["start_sample"] == 24000, (a["start_sample"], b["start_sample"])
lines = [json.loads(l) for l in open(os.path.join(j["session"], "clips.jsonl"))]
assert lines[0]["type"] == "start" and lines[-1]["type"] == "stop"
logged = sorted((l["channel"], l["start_sample"], l["clipped_samples"], l["runs"]) for l in lines if l["type"] == "clip" and not l["provisional"])
assert logged == [(c["channel"], c["start_sample"], c["clipped_samples"], c["runs"]) for c in clips], logged
assert j["host_api"].lower().find("jack") >= 0, j["host_api"]
names = json.load(open(os.path.join(j["session"], "session.json")))["channel_names"]
assert names[:3] == ["capture_1", "Snare Top", "Input 3"], names   # pretty-name metadata, then an alias
print("jack_record_test: played into JACK and metered exactly: ch2 clip at", a["start_sample"], "ch3 at", b["start_sample"])
PY

# --- 2. the server dies mid-record and comes back ----------------------------------------------
timeout -s KILL 60 "$HEADROOM" record --host-api jack --duration 10 --session-dir "$tmp/s2" >"$tmp/s2.out" 2>"$tmp/s2.err" &
rec_pid=$!
wait_port headroom:in_1 10 || fail "headroom's ports did not appear (second run): $(cat "$tmp/s2.err")"
sleep 2
kill -9 "$jackd_pid"; { wait "$jackd_pid"; } 2>/dev/null; jackd_pid=""   # a crash; the restart below reuses the name (and its registry slot)
sleep 3
echo "jack_record_test: server killed at $(date +%T), restarting" >&2
start_jackd || fail "jackd did not restart: $(tail -5 "$tmp/jackd.log")"
wait "$rec_pid"; rc=$?; rec_pid=""
echo "jack_record_test: record ended at $(date +%T) with $rc" >&2
[ $rc -eq 0 ] || fail "record should end with 0 at the end of the duration after a device loss, got $rc: $(cat "$tmp/s2.err")"
grep -q "device lost" "$tmp/s2.err" || fail "no device-lost message on stderr: $(cat "$tmp/s2.err")"
[ "$(grep -c "device lost" "$tmp/s2.err")" -eq 1 ] || fail "device lost reported more than once: $(cat "$tmp/s2.err")"
folder=$(ls -d "$tmp"/s2/*/)
python3 - "$folder" <<'PY' || fail "the log after the server loss is not intact"
import json, os, sys
raw = open(os.path.join(sys.argv[1], "clips.jsonl")).read()
assert raw.endswith("\n")
lines = [json.loads(l) for l in raw.splitlines()]
types = [l["type"] for l in lines]
assert types[0] == "start" and types[-1] == "stop", types
assert types.count("device_lost") == 1, types
lost = lines[types.index("device_lost")]
assert lost["reason"], lost
assert "device_back" in types and types.index("device_back") > types.index("device_lost"), types
assert json.load(open(os.path.join(sys.argv[1], "session.json")))["end_time"]
print("jack_record_test: server killed and restarted:", types)
PY

# --- 3. the server comes back at another rate ----------------------------------------------------
timeout -s KILL 60 "$HEADROOM" record --host-api jack --duration 9 --session-dir "$tmp/s3" >"$tmp/s3.out" 2>"$tmp/s3.err" &
rec_pid=$!
wait_port headroom:in_1 10 || fail "headroom's ports did not appear (third run): $(cat "$tmp/s3.err")"
sleep 1
kill -9 "$jackd_pid"; { wait "$jackd_pid"; } 2>/dev/null; jackd_pid=""
sleep 1
jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r 44100 -p 256 -C 8 -P 8 >>"$tmp/jackd.log" 2>&1 &
jackd_pid=$!
wait "$rec_pid"; rc=$?; rec_pid=""
[ $rc -eq 0 ] || fail "record should end with 0 after the server came back at another rate, got $rc: $(cat "$tmp/s3.err")"
grep -q "back at 44100 Hz.*this take runs at 48000 Hz" "$tmp/s3.err" || fail "a server back at 44100 Hz is not said on stderr: $(cat "$tmp/s3.err")"
[ "$(grep -c "back at 44100" "$tmp/s3.err")" -eq 1 ] || fail "the rate change is said more than once: $(cat "$tmp/s3.err")"
folder=$(ls -d "$tmp"/s3/*/)
python3 - "$folder" <<'PY' || fail "the log after a return at another rate is wrong"
import json, os, sys
lines = [json.loads(l) for l in open(os.path.join(sys.argv[1], "clips.jsonl"))]
types = [l["type"] for l in lines]
# lost, then a second device_lost saying why the take stays lost (once), never device_back
assert types.count("device_lost") == 2 and "device_back" not in types and types[-1] == "stop", types
why = [l["reason"] for l in lines if l["type"] == "device_lost"][1]
assert "back at 44100 Hz" in why and "this take runs at 48000 Hz" in why, why
print("jack_record_test: server back at another rate: not metered, said on stderr and in the log:", types, why)
PY
# --- 4. the source goes away while the server stays, and comes back; ports unlinked -----------
stop_jackd   # part 3's 44100 Hz server
start_jackd || fail "jackd did not start for part 4: $(tail -5 "$tmp/jackd.log")"
python3 - "$tmp/tone.wav" <<'PY'
import math, struct, sys
rate, n = 48000, 40 * 48000   # 40 s, longer than any take below: jack-play never ends by itself
frames = b"".join(struct.pack("<f", 0.25 * math.sin(2 * math.pi * 1000 * i / rate)) for i in range(n))
fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
with open(sys.argv[1], "wb") as out:
    out.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(frames)) + b"WAVE")
    out.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(frames)) + frames)
PY
src="hrsrc-$$"
start_player() {
    # no timeout wrapper: kill -9 below must reach jack-play itself (40 s file: it ends by itself)
    jack-play -u -n "$src" -c 3 "$tmp/tone.wav" >>"$tmp/play4.log" 2>&1 &
    play_pid=$!
    wait_port "$src:out_1" 5 || fail "jack-play $src did not appear: $(cat "$tmp/play4.log")"
}
wait_line() {  # wait_line PATTERN TENTHS: the pattern in s4.err within TENTHS tenths of a second
    for _ in $(seq "$2"); do grep -q "$1" "$tmp/s4.err" && return 0; sleep 0.1; done
    return 1
}
start_player
timeout -s KILL 60 "$HEADROOM" record --host-api jack --device "$src" --duration 16 --json --session-dir "$tmp/s4" >"$tmp/s4.json" 2>"$tmp/s4.err" &
rec_pid=$!
wait_port headroom:in_1 10 || fail "headroom's ports did not appear (part 4): $(cat "$tmp/s4.err")"
sleep 1.5
kill -9 "$play_pid"; { wait "$play_pid"; } 2>/dev/null; play_pid=""   # the player crashes; the server stays
wait_line "device lost: JACK client '$src' went away" 20 ||
    fail "jack-play killed: no device lost naming the client within 2 s: $(cat "$tmp/s4.err")"
echo "jack_record_test: source client killed at $(date +%T): device lost" >&2
start_player
wait_line "device back" 30 || fail "jack-play started again: no device back within 3 s: $(cat "$tmp/s4.err")"
echo "jack_record_test: source client back at $(date +%T): device back" >&2
sleep 0.5
timeout 3 jack_disconnect "$src:out_1" headroom:in_1 || fail "jack_disconnect $src:out_1 headroom:in_1 failed"
wait_line "device lost: JACK ports unlinked" 20 || fail "ports unlinked: no device lost within 2 s: $(cat "$tmp/s4.err")"
sleep 2.5   # two re-open attempts: headroom does not fight a deliberate disconnect
[ "$(grep -c "device back" "$tmp/s4.err")" -eq 1 ] || fail "headroom relinked ports the user unlinked: $(cat "$tmp/s4.err")"
timeout 3 jack_connect "$src:out_1" headroom:in_1 || fail "jack_connect $src:out_1 headroom:in_1 failed"
wait "$rec_pid"; rc=$?; rec_pid=""
stop_pid "$play_pid"; play_pid=""
[ $rc -eq 0 ] || fail "record after a source loss should exit 0, got $rc: $(cat "$tmp/s4.err")"
python3 - "$tmp/s4.json" "$src" <<'PY' || fail "the log after the source losses is wrong: $(cat "$tmp/s4.err")"
import json, os, sys
j = json.load(open(sys.argv[1]))
assert j["device_losses"] == 2, j["device_losses"]
lines = [json.loads(l) for l in open(os.path.join(j["session"], "clips.jsonl"))]
seq = [(l["type"], l.get("reason", "")) for l in lines if l["type"] in ("device_lost", "device_back")]
assert [t for t, _ in seq] == ["device_lost", "device_back", "device_lost", "device_back"], seq
assert seq[0][1] == "JACK client '%s' went away" % sys.argv[2], seq
assert seq[2][1].startswith("JACK ports unlinked"), seq
assert lines[-1]["type"] == "stop", lines[-1]
assert j["channels"][0]["sample_peak_dbfs"] == -12.04, j["channels"][0]
print("jack_record_test: source killed, back, unlinked, relinked by hand:", seq)
PY
echo "jack_record_test: ok"
