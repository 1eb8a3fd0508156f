#!/usr/bin/env bash
# headroom log on hand-made session folders: a torn last line and a garbage line are skipped
# and noted; the newest session is chosen by default, -N suffixes sort by number; CSV and
# Audacity labels are exact; options that exclude each other are usage errors.
set -u
HEADROOM=${1:?usage: log_test.sh /path/to/headroom}
fail() { echo "log_test: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg"

mk() {  # mk NAME: a 2-channel session with one clip and a torn tail
    local d="$tmp/s/$1"
    mkdir -p "$d"
    printf '%s\n' '{"sample_rate": 48000, "channels": 2, "channel_names": ["Vox", "Gtr"], "presets": ["vocals", "guitar_di"], "start_time": "2026-11-23T10:15:00.000+00:00", "end_time": null}' >"$d/session.json"
    {
        printf '%s\n' '{"type":"start","time":"2026-11-23T10:15:00.000+00:00"}'
        printf '%s\n' 'garbage'
        printf '%s\n' '{"type":"clip","time":"2026-11-23T10:15:01.500+00:00","channel":2,"start_sample":72000,"start_s":1.5,"end_s":1.5001,"runs":1,"clipped_samples":5,"sample_peak_dbfs":0.0,"true_peak_dbtp":1.23}'
        printf '%s' '{"type":"clip","time":"2026-11-23T10:15:0'
    } >"$d/clips.jsonl"
}
mk 2026-11-23T10-15-00
mk 2026-11-23T10-15-00-2
mk 2026-11-23T10-15-00-10

"$HEADROOM" log --session-dir "$tmp/s" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "log exited $rc: $(cat "$tmp/err")"
grep -q "^Session 2026-11-23T10-15-00-10$" "$tmp/out" || fail "the newest session is -10: $(head -1 "$tmp/out")"
grep -q "last line of clips.jsonl was incomplete" "$tmp/out" || fail "the torn tail is not noted"
grep -q "1 line of clips.jsonl did not parse" "$tmp/out" || fail "the bad line is not noted"
grep -q "no stop line" "$tmp/out" || fail "the missing stop line is not noted"
grep -Eq "00:00:01\.500 +2 +Gtr +clip +\+0\.00 dBFS +\+1\.23 dBTP" "$tmp/out" || fail "clip row: $(cat "$tmp/out")"

"$HEADROOM" log 2026-11-23T10-15-00 --session-dir "$tmp/s" --csv >"$tmp/csv" || fail "log --csv"
printf '%s\n' 'time,timecode,channel,channel_name,preset,type,start_sample,start_s,end_s,duration_ms,runs,samples,sample_peak_dbfs,true_peak_dbtp,peak_sample,peak_s,transport_s,id,provisional' \
    '2026-11-23T10:15:01.500+00:00,00:00:01.500,2,Gtr,guitar_di,clip,72000,1.500000,1.500100,0.100,1,5,0.00,1.23,,,,clip-2-72000,false' >"$tmp/want.csv"
cmp -s "$tmp/csv" "$tmp/want.csv" || fail "CSV: $(cat "$tmp/csv")"
"$HEADROOM" log "$tmp/s/2026-11-23T10-15-00-2" --markers audacity >"$tmp/labels" || fail "log --markers"
printf '1.500000\t1.500100\tCLIP ch2 Gtr +1.2 dBTP (5 samples)\n' | cmp -s - "$tmp/labels" || fail "labels: $(cat "$tmp/labels")"
n=$("$HEADROOM" log --session-dir "$tmp/s" --json | grep -c '"type":')
[ "$n" -eq 2 ] || fail "--json should hold the 2 whole entries, got $n"
"$HEADROOM" log --session-dir "$tmp/s" --json 2>/dev/null | grep -q '"malformed_lines": 1' || fail "--json should count the malformed line"

# Malformed lines: skipped, counted on stderr, never printed as nonsense.
d="$tmp/s/2026-11-23T10-15-00-2"
{
    printf '%s\n' '{"type":"clip","time":"2026-11-23T10:15:02.000+00:00","channel":1,"start_sample":-5,"start_s":2.0,"end_s":2.1,"runs":1,"clipped_samples":1,"sample_peak_dbfs":0.0,"true_peak_dbtp":null}'
    printf '%s\n' '{"type":"hot","time":"2026-11-23T10:15:02.000+00:00","channel":"1","start_sample":5,"start_s":2.0,"end_s":2.1,"runs":1,"samples":1,"sample_peak_dbfs":0.0}'
} >>"$d/clips.jsonl.new"
{ head -3 "$d/clips.jsonl"; cat "$d/clips.jsonl.new"; } >"$d/x" && mv "$d/x" "$d/clips.jsonl" && rm "$d/clips.jsonl.new"
"$HEADROOM" log "$d" >"$tmp/out" 2>"$tmp/err" || fail "log with malformed lines exited $?"
grep -q "3 malformed lines skipped" "$tmp/err" || fail "malformed lines not counted on stderr: $(cat "$tmp/err")"
grep -q "18446744073709551611" "$tmp/out" && fail "a negative start_sample was printed"
"$HEADROOM" log "$d" --csv 2>/dev/null | grep -q -- "-5\|18446744073709551611" && fail "CSV printed a malformed line"

# A folder that is not named as a session is never the newest.
mkdir -p "$tmp/s/zz-not-a-session" && cp "$d/clips.jsonl" "$tmp/s/zz-not-a-session/"
"$HEADROOM" log --session-dir "$tmp/s" 2>/dev/null | head -1 | grep -q "^Session 2026-11-23T10-15-00-10$" \
    || fail "a folder not named as a session was taken as the newest"

# A clips.jsonl that is a FIFO: named on stderr, exit 3, no hang.
f="$tmp/s/2026-11-23T10-15-00"
rm "$f/clips.jsonl" && mkfifo "$f/clips.jsonl"
timeout 10 "$HEADROOM" log "$f" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -q "clips.jsonl: not a regular file" "$tmp/err" || fail "a FIFO clips.jsonl: want exit 3 naming it, got $rc: $(cat "$tmp/err")"
"$HEADROOM" log "$d" > /dev/full 2>"$tmp/err"; rc=$?
[ $rc -eq 4 ] || fail "log > /dev/full: want exit 4, got $rc"
"$HEADROOM" log "$d" --markers reaper >"$tmp/reaper" || fail "log --markers reaper"
head -1 "$tmp/reaper" | grep -q '^#,Name,Start,End,Length$' || fail "REAPER header: $(cat "$tmp/reaper")"
grep -q '^M1,CLIP ch2 Gtr +1.2 dBTP (5 samples),0:01.500,,$' "$tmp/reaper" || fail "REAPER marker: $(cat "$tmp/reaper")"
"$HEADROOM" log "$d" --markers cubase >/dev/null 2>&1; [ $? -eq 2 ] || fail "--markers cubase should be a usage error"
"$HEADROOM" log "$d" --markers audacity --timeline dawn >/dev/null 2>&1; [ $? -eq 2 ] || fail "--timeline dawn should be a usage error"

"$HEADROOM" log --json --csv --session-dir "$tmp/s" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "--json with --csv should be a usage error, got $rc"
mkdir -p "$tmp/s/not-a-session"
"$HEADROOM" log "$tmp/s/not-a-session" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -q "not a session folder" "$tmp/err" || fail "a folder that is not a session: exit 3 with a message ($rc: $(cat "$tmp/err"))"
# record + kill -9: a clip still merging (a full-scale sample every 100 ms from 0.5 s, merge
# 500 ms) is on disk as a provisional line within 1 s of its start; a closed clip too; `log`
# shows each once.
if command -v python3 >/dev/null; then
    python3 - "$tmp/open.wav" <<'PY'
import struct, sys
rate, n = 48000, 48000 * 6
left = [0.0] * n
right = [0.0] * n
for k in range(5, 56):
    left[k * 4800] = 1.0          # channel 1: 0.5 s .. 5.5 s, one open clip
right[9600] = 1.0                 # channel 2: one clip at 0.2 s, closed at 0.7 s
frames = b"".join(struct.pack("<2f", left[i], right[i]) for i in range(n))
fmt = struct.pack("<HHIIHH", 3, 2, rate, rate * 8, 8, 32)
with open(sys.argv[1], "wb") as out:
    out.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(frames)) + b"WAVE")
    out.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
    out.write(b"data" + struct.pack("<I", len(frames)) + frames)
PY
    "$HEADROOM" record --input-file "$tmp/open.wav" --session-dir "$tmp/kill" >/dev/null 2>"$tmp/kill.err" &
    pid=$!
    sleep 2
    kill -9 "$pid"; { wait "$pid"; } 2>/dev/null
    killed=$(ls -d "$tmp"/kill/*/)
    python3 - "$killed/clips.jsonl" <<'PY' || fail "killed at 2 s: the open clip (0.5 s) or the closed one (0.2 s) is not on disk"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
clips = [l for l in lines if l["type"] == "clip"]
closed = [c for c in clips if c["channel"] == 2 and c["start_sample"] == 9600 and not c["provisional"]]
opened = [c for c in clips if c["channel"] == 1 and c["id"] == "clip-1-24000" and c["provisional"]]
assert len(closed) == 1, clips
assert 1 <= len(opened) <= 2, clips
assert all(c["start_sample"] == 24000 for c in opened), opened
PY
    "$HEADROOM" log "$killed" >"$tmp/kill.log" 2>&1 || fail "log of the killed session"
    [ "$(grep -c "dBFS" "$tmp/kill.log")" -eq 2 ] || fail "each clip once in the log: $(cat "$tmp/kill.log")"
    grep -q "still open when last written" "$tmp/kill.log" || fail "the open event is not noted"
    grep -q "^2 clip events" "$tmp/kill.log" || fail "the count: $(cat "$tmp/kill.log")"
fi
echo "log_test: ok"
