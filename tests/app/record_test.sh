#!/usr/bin/env bash
# headroom record / log end to end: the demo session and its JSON; a file with clips at known
# samples, logged sample-exactly; an unwritable sessions folder (exit 4 before capture);
# SIGTERM (clean end); SIGKILL mid-session (the clip logged a second earlier is on disk, whole).
set -u
HEADROOM=${1:?usage: record_test.sh /path/to/headroom}
fail() { echo "record_test: FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null || { echo "record_test: SKIP: python3 is needed to write WAVs and parse JSON" >&2; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
export XDG_DATA_HOME="$tmp/xdg"   # never touch the user's sessions

# A float WAV at 48 kHz: a quiet sine on every channel plus full-scale runs at given samples.
# usage: mkwav FILE CHANNELS SECONDS "ch:start:len[:value]" ...
mkwav() {
    python3 - "$@" <<'PY'
import math, struct, sys
path, nch, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rate = 48000
n = int(secs * rate)
data = [[0.2 * math.sin(2 * math.pi * (220 + 110 * c) * i / rate) for i in range(n)] for c in range(nch)]
for spec in sys.argv[4:]:
    f = spec.split(":")
    ch, start, length = int(f[0]) - 1, int(f[1]), int(f[2])
    value = float(f[3]) if len(f) > 3 else 1.0
    for i in range(start, start + length):
        data[ch][i] = value
frames = bytearray()
for i in range(n):
    frames += struct.pack("<%df" % nch, *(data[c][i] for c in range(nch)))
fmt = struct.pack("<HHIIHH", 3, nch, rate, rate * 4 * nch, 4 * nch, 32)
with open(path, "wb") as out:
    out.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(frames)) + b"WAVE")
    out.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
    out.write(b"data" + struct.pack("<I", len(frames)) + frames)
PY
}

# --- 1. demo, 3 s, --json ------------------------------------------------------------------
"$HEADROOM" record --demo --duration 3 --json --session-dir "$tmp/demo" >"$tmp/demo.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "record --demo exited $rc: $(cat "$tmp/err")"
python3 - "$tmp/demo.json" "$tmp/demo" <<'PY' || fail "demo session check failed"
import json, os, sys
j = json.load(open(sys.argv[1]))
folder = j["session"]
assert os.path.dirname(folder) == sys.argv[2], folder
assert "file" not in j
assert j["sample_rate"] == 48000 and 2.9 <= j["duration_s"] <= 3.3, (j["sample_rate"], j["duration_s"])
assert len(j["channels"]) == 8
for i, c in enumerate(j["channels"]):
    assert c["channel"] == i + 1
    for k in ("preset", "sample_peak_dbfs", "true_peak_dbtp", "rms_dbfs", "rms_max_dbfs", "clip_events",
              "clipped_samples", "nonfinite_samples", "gain_advice_db"):
        assert k in c, k
    assert c["sample_peak_dbfs"] is not None and c["sample_peak_dbfs"] < 0.1
assert isinstance(j["clips"], list)
lines = [json.loads(l) for l in open(os.path.join(folder, "clips.jsonl"))]
assert lines[0]["type"] == "start" and lines[-1]["type"] == "stop", [l["type"] for l in lines]
for l in lines:
    assert isinstance(l["time"], str) and len(l["time"]) == 29, l
clip_lines = [l for l in lines if l["type"] == "clip" and not l["provisional"]]  # each event once
assert len(clip_lines) == len(j["clips"])
for a, b in zip(clip_lines, j["clips"]):
    assert a["start_sample"] == b["start_sample"] and a["clipped_samples"] == b["clipped_samples"]
s = json.load(open(os.path.join(folder, "session.json")))
assert s["channels"] == 8 and len(s["channel_names"]) == 8 and len(s["presets"]) == 8
assert s["start_time"] == lines[0]["time"] and s["end_time"] is not None
assert s["presets"][0] == "vocals", s["presets"]
ticks = os.path.getsize(os.path.join(folder, "levels.f32")) / (8 * 2 * 4)
assert ticks == int(ticks) and 30 <= ticks <= 32, ticks
print("record_test: demo session %s, %d lines, %d level ticks" % (os.path.basename(folder), len(lines), ticks))
PY
demo=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$tmp/demo.json")

"$HEADROOM" log --session-dir "$tmp/demo" >"$tmp/log.txt" 2>"$tmp/err" || fail "log exited $?: $(cat "$tmp/err")"
grep -q "Session $(basename "$demo")" "$tmp/log.txt" || fail "log does not name the newest session"
grep -q "recording started" "$tmp/log.txt" && grep -q "recording stopped" "$tmp/log.txt" || fail "log text lacks start/stop"
"$HEADROOM" log "$demo" --csv >"$tmp/log.csv" || fail "log --csv failed"
[ "$(head -1 "$tmp/log.csv")" = "time,timecode,channel,channel_name,preset,type,start_sample,start_s,end_s,duration_ms,runs,samples,sample_peak_dbfs,true_peak_dbtp,peak_sample,peak_s,transport_s,id,provisional" ] \
    || fail "CSV header: $(head -1 "$tmp/log.csv")"
"$HEADROOM" log "$(basename "$demo")" --session-dir "$tmp/demo" --json >"$tmp/log.json" || fail "log --json by name failed"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["entries"]; assert a[0]["type"]=="start" and a[-1]["type"]=="stop"' "$tmp/log.json" \
    || fail "log --json is not the entries array"

# --- 2. a file with clips at known samples ---------------------------------------------------
# ch1: 5 full-scale samples at 24000 (0.5 s); ch2: runs of 3 at 72000 and 72100 (merged, 2 runs,
# -1.0); ch3: one sample at +1.5 (float above full scale) at 100001.
mkwav "$tmp/clips.wav" 3 2.5 1:24000:5 2:72000:3:-1.0 2:72100:3:-1.0 3:100001:1:1.5
"$HEADROOM" record --input-file "$tmp/clips.wav" --json --session-dir "$tmp/file" >"$tmp/file.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "record --input-file exited $rc: $(cat "$tmp/err")"
python3 - "$tmp/file.json" <<'PY' || fail "file session check failed"
import json, os, sys
j = json.load(open(sys.argv[1]))
assert j["ended_by"] == "end of file", j["ended_by"]
assert j["frames"] == 120000, j["frames"]
lines = [json.loads(l) for l in open(os.path.join(j["session"], "clips.jsonl"))]
clips = [(l["channel"], l["start_sample"], l["end_s"], l["runs"], l["clipped_samples"], l["sample_peak_dbfs"])
         for l in lines if l["type"] == "clip"]
want = [(1, 24000, 24005 / 48000, 1, 5, 0.0), (2, 72000, 72103 / 48000, 2, 6, 0.0),
        (3, 100001, 100002 / 48000, 1, 1, 3.52)]
got = sorted(clips)
assert len(got) == 3, got
for g, w in zip(got, want):
    assert g[:2] == w[:2] and abs(g[2] - w[2]) < 1e-6 and g[3:5] == w[3:5] and abs(g[5] - w[5]) < 0.006, (g, w)
assert sorted((c["channel"], c["start_sample"], c["clipped_samples"]) for c in j["clips"]) == [(g[0], g[1], g[4]) for g in got]
names = {l["channel"]: l["channel_name"] for l in lines if l["type"] == "clip"}
assert names == {1: "In 1", 2: "In 2", 3: "In 3"}, names
ch = {c["channel"]: c for c in j["channels"]}
assert ch[1]["clip_events"] == 1 and ch[2]["clip_events"] == 1 and ch[2]["clipped_samples"] == 6
print("record_test: file clips logged sample-exactly:", got)
PY
file_session=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$tmp/file.json")
"$HEADROOM" log "$file_session" --markers audacity >"$tmp/labels.txt" || fail "log --markers failed"
tp1=$(python3 -c 'import json,sys; print("%+.1f" % [json.loads(l) for l in open(sys.argv[1])][1]["true_peak_dbtp"])' "$file_session/clips.jsonl")
printf '0.500000\t0.500104\tCLIP ch1 In 1 %s dBTP (5 samples)\n' "$tp1" >"$tmp/want1"
head -1 "$tmp/labels.txt" | cmp -s - "$tmp/want1" || fail "first label: $(head -1 "$tmp/labels.txt") (want $(cat "$tmp/want1"))"
[ "$(wc -l <"$tmp/labels.txt")" -eq 3 ] || fail "3 labels expected: $(cat "$tmp/labels.txt")"
"$HEADROOM" log "$file_session" --csv | grep -q '^[^,]*,00:00:01.500,2,In 2,general,clip,72000,1.500000,1.502146,2.146,2,6,0.00,' \
    || fail "CSV clip row of channel 2: $("$HEADROOM" log "$file_session" --csv)"
"$HEADROOM" log "$file_session" | grep -q "3 clip events (In 1 1, In 2 1, In 3 1)" || fail "log text summary line"

# --- 2b. --true-peak off: no true-peak figure in the summary, session.json says so -----------
"$HEADROOM" record --input-file "$tmp/clips.wav" --true-peak off --json --session-dir "$tmp/tpoff" \
    >"$tmp/tpoff.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "record --true-peak off exited $rc: $(cat "$tmp/err")"
python3 - "$tmp/tpoff.json" "$tmp/file.json" <<'PY' || fail "true peak off session check failed"
import json, os, sys
off, on = (json.load(open(p)) for p in sys.argv[1:3])
assert [c["true_peak_dbtp"] for c in off["channels"]] == [None] * 3, off["channels"]
assert len(off["clips"]) == 3 and all(c["true_peak_dbtp"] is None for c in off["clips"]), off["clips"]
assert all(c["true_peak_dbtp"] is not None for c in on["channels"] + on["clips"])  # the on run measured it
key = lambda c: (c["channel"], c["start_sample"], c["clipped_samples"], c["sample_peak_dbfs"])
assert sorted(map(key, off["clips"])) == sorted(map(key, on["clips"])), (off["clips"], on["clips"])
assert [c["sample_peak_dbfs"] for c in off["channels"]] == [c["sample_peak_dbfs"] for c in on["channels"]]
assert json.load(open(os.path.join(off["session"], "session.json")))["meter"]["true_peak"] is False
assert json.load(open(os.path.join(on["session"], "session.json")))["meter"]["true_peak"] is True
# The files themselves carry no stand-in figure: every reader (the window's log too) sees null.
lines = [json.loads(l) for l in open(os.path.join(off["session"], "clips.jsonl"))]
events = [l for l in lines if l["type"] in ("clip", "hot", "nonfinite")]
assert events and all(l["true_peak_dbtp"] is None for l in events), events
summary = json.load(open(os.path.join(off["session"], "session.json")))["channel_summary"]
assert all(c["true_peak_dbtp"] is None for c in summary), summary
PY
tpoff_session=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$tmp/tpoff.json")
"$HEADROOM" log "$tpoff_session" --json >"$tmp/tpoff_log.json" || fail "log --json of a true-peak-off session failed"
python3 -c 'import json,sys; a=[e for e in json.load(open(sys.argv[1]))["entries"] if e["type"]=="clip"]; assert len(a)==3 and all(e["true_peak_dbtp"] is None for e in a), a' \
    "$tmp/tpoff_log.json" || fail "log --json shows a true peak for a true-peak-off session"
"$HEADROOM" log "$tpoff_session" --markers audacity | head -1 | grep -q 'CLIP ch1 In 1 +0.0 dBFS (5 samples)' ||
    fail "markers of a true-peak-off session: $("$HEADROOM" log "$tpoff_session" --markers audacity | head -1)"
"$HEADROOM" log "$tpoff_session" | grep -q "true peak off" || fail "log text does not say true peak is off"
"$HEADROOM" log "$file_session" | grep -q "true peak off" && fail "log text says true peak off for a session with it on"
"$HEADROOM" record --input-file "$tmp/clips.wav" --true-peak off --session-dir "$tmp/tpoff" >"$tmp/tpoff.txt" 2>"$tmp/err" ||
    fail "record --true-peak off (table) failed: $(cat "$tmp/err")"
grep -q "True peak off" "$tmp/tpoff.txt" && ! grep -q "dBTP" "$tmp/tpoff.txt" ||
    fail "the record summary with true peak off: $(cat "$tmp/tpoff.txt")"
"$HEADROOM" record --demo --duration 1 --true-peak maybe --session-dir "$tmp/tpbad" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -qx -- "headroom: --true-peak: 'maybe' is not one of on, off" "$tmp/err" ||
    fail "--true-peak maybe: exit $rc, want 2 and one line naming the option: $(cat "$tmp/err")"
[ -e "$tmp/tpbad" ] && fail "--true-peak maybe created a session before the usage error"

# Headroom is 0 - the larger of sample and true peak (DESIGN.md §2): an fs/4 sine at 45 degrees
# peaks at -2.01 dBFS in its samples and +1.0 dBTP between them, so the headroom is -1.0 dB, not 2.0.
sox -n -r 48000 -c 1 -b 32 -e floating-point "$tmp/tp.wav" synth 1 sine 12000 0 12.5 vol 1.122 ||
    fail "sox could not make the true-peak file"
"$HEADROOM" record --input-file "$tmp/tp.wav" --session-dir "$tmp/tp" >"$tmp/tp.txt" 2>"$tmp/err" ||
    fail "record of the true-peak file failed: $(cat "$tmp/err")"
python3 - "$tmp/tp.txt" <<'PY' || fail "record summary headroom: $(grep -A1 headroom "$tmp/tp.txt")"
import re, sys
row = [l for l in open(sys.argv[1]) if re.match(r"\s+1\s", l)][0]
hr = float(re.search(r"(-?\d+\.\d) dB\s+\d+\s+\d+", row).group(1))
tp = float(re.search(r"([-+]\d+\.\d) dBTP", row).group(1))
assert 0.9 <= tp <= 1.15 and hr == -tp, (hr, tp, row)   # the true peak's headroom, not the samples' 2.0
PY
"$HEADROOM" record --input-file "$tmp/tp.wav" --true-peak off --session-dir "$tmp/tp" >"$tmp/tp-off.txt" 2>"$tmp/err" ||
    fail "record of the true-peak file (true peak off) failed: $(cat "$tmp/err")"
grep -qE "^ +1 .* 2\.0 dB +0 +0 " "$tmp/tp-off.txt" ||
    fail "with true peak off the headroom is the sample peak's: $(grep -E '^ +1 ' "$tmp/tp-off.txt")"

# --- 3. missing sessions: exit 3 ----------------------------------------------------------------
"$HEADROOM" log --session-dir "$tmp/none" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "log without sessions should exit 3, got $rc"
grep -q "$tmp/none" "$tmp/err" || fail "the message should say where it looked: $(cat "$tmp/err")"
"$HEADROOM" log 1999-01-01T00-00-00 --session-dir "$tmp/file" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "log of a missing session should exit 3, got $rc"
grep -q "1999-01-01T00-00-00" "$tmp/err" || fail "the message should name the session: $(cat "$tmp/err")"
"$HEADROOM" log --markers cubase --session-dir "$tmp/file" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--markers" "$tmp/err" || fail "--markers cubase (not a format) should be a usage error naming the option ($rc)"

# --- 4. unwritable sessions folder: exit 4 before capture ----------------------------------------
touch "$tmp/file.txt"
"$HEADROOM" record --demo --duration 5 --session-dir "$tmp/file.txt/sub" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 4 ] || fail "unwritable --session-dir should exit 4, got $rc: $(cat "$tmp/err")"
grep -q "$tmp/file.txt/sub" "$tmp/err" || fail "the message should name the folder: $(cat "$tmp/err")"
grep -q "recording" "$tmp/err" && fail "capture started before the folder was checked: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "nothing should be printed on stdout"

# --- 4b. the disk fills during capture (a 6 KB file size limit; levels.f32 reaches it at ~9.6 s,
# clips.jsonl about as soon):
# metering goes on to the end, the error is reported once, the summary is printed, exit 4.
( ulimit -f 6; exec "$HEADROOM" record --demo --duration 12 --json --session-dir "$tmp/full" ) >"$tmp/full.json" 2>"$tmp/full.err"; rc=$?
[ $rc -eq 4 ] || fail "a write failure during capture should exit 4 at the end, got $rc: $(cat "$tmp/full.err")"
[ "$(grep -c "cannot write" "$tmp/full.err")" -eq 1 ] || fail "the write error should be reported once: $(cat "$tmp/full.err")"
python3 - "$tmp/full.json" <<'PY' || fail "metering did not go on after the write error"
import json, os, sys
j = json.load(open(sys.argv[1]))
assert 11.5 <= j["duration_s"] <= 12.5, j["duration_s"]   # metered to the end
assert "levels.f32" in j["write_error"] or "clips.jsonl" in j["write_error"], j["write_error"]
# clips.jsonl may reach the limit first (the demo's long hot events are rewritten once a second
# as provisional lines): every line before a torn last one is whole.
raw = open(os.path.join(j["session"], "clips.jsonl")).read()
lines = [json.loads(l) for l in raw.split("\n")[:-1]]
assert lines[0]["type"] == "start", lines[0]
assert os.path.getsize(os.path.join(j["session"], "clips.jsonl")) <= 6 * 1024
assert os.path.getsize(os.path.join(j["session"], "levels.f32")) <= 6 * 1024
print("record_test: disk full at 6 KB: reported once, metered %.1f s" % j["duration_s"])
PY

# --- 5. SIGTERM: a clean end ----------------------------------------------------------------
"$HEADROOM" record --demo --session-dir "$tmp/term" >"$tmp/term.out" 2>"$tmp/term.err" &
pid=$!; pids+=("$pid")
sleep 2
kill -TERM "$pid"
wait "$pid"; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM should end record cleanly with 0, got $rc: $(cat "$tmp/term.err")"
grep -q "ended by SIGTERM" "$tmp/term.out" || fail "no summary after SIGTERM: $(cat "$tmp/term.out")"
term=$(ls -d "$tmp"/term/*/)
[ "$(tail -1 "$term/clips.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" = stop ] \
    || fail "no stop line after SIGTERM"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["end_time"]' "$term/session.json" || fail "session.json not closed"

# --- 6. SIGKILL: the clip at 1.0 s is on disk, whole, when killed at 3 s --------------------------
mkwav "$tmp/long.wav" 2 8 2:48000:4
"$HEADROOM" record --input-file "$tmp/long.wav" --session-dir "$tmp/kill" >/dev/null 2>"$tmp/kill.err" &
pid=$!; pids+=("$pid")
sleep 3
kill -9 "$pid"
{ wait "$pid"; } 2>/dev/null
killed=$(ls -d "$tmp"/kill/*/)
python3 - "$killed" <<'PY' || fail "the SIGKILLed session lost its clip line"
import json, os, sys
folder = sys.argv[1]
raw = open(os.path.join(folder, "clips.jsonl")).read()
assert raw.endswith("\n"), "torn last line"
lines = [json.loads(l) for l in raw.splitlines()]
types = [l["type"] for l in lines]
assert types[0] == "start" and "stop" not in types, types
clips = [l for l in lines if l["type"] == "clip"]
assert len(clips) == 1 and clips[0]["channel"] == 2 and clips[0]["start_sample"] == 48000 and clips[0]["clipped_samples"] == 4, clips
s = json.load(open(os.path.join(folder, "session.json")))
assert s["end_time"] is None
assert os.path.getsize(os.path.join(folder, "levels.f32")) >= 2 * 2 * 4 * 10
print("record_test: SIGKILL at 3 s kept the 1.0 s clip:", clips[0]["time"])
PY
"$HEADROOM" log --session-dir "$tmp/kill" >"$tmp/kill.log" || fail "log of a killed session failed"
grep -q "no stop line" "$tmp/kill.log" || fail "log should say the session did not end cleanly"

echo "record_test: ok"
