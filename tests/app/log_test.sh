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
printf '%s\n' 'time,timecode,channel,channel_name,preset,type,start_sample,start_s,end_s,duration_ms,runs,samples,sample_peak_dbfs,true_peak_dbtp' \
    '2026-11-23T10:15:01.500+00:00,00:00:01.500,2,Gtr,guitar_di,clip,72000,1.500000,1.500100,0.100,1,5,0.00,1.23' >"$tmp/want.csv"
cmp -s "$tmp/csv" "$tmp/want.csv" || fail "CSV: $(cat "$tmp/csv")"
"$HEADROOM" log "$tmp/s/2026-11-23T10-15-00-2" --markers audacity >"$tmp/labels" || fail "log --markers"
printf '1.500000\t1.500100\tCLIP ch2 Gtr +1.2 dBTP (5 samples)\n' | cmp -s - "$tmp/labels" || fail "labels: $(cat "$tmp/labels")"
n=$("$HEADROOM" log --session-dir "$tmp/s" --json | grep -c '"type":')
[ "$n" -eq 2 ] || fail "--json should hold the 2 whole entries, got $n"

"$HEADROOM" log --json --csv --session-dir "$tmp/s" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "--json with --csv should be a usage error, got $rc"
mkdir -p "$tmp/s/not-a-session"
"$HEADROOM" log "$tmp/s/not-a-session" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -q "not a session folder" "$tmp/err" || fail "a folder that is not a session: exit 3 with a message ($rc: $(cat "$tmp/err"))"
echo "log_test: ok"
