#!/usr/bin/env bash
# headroom analyze, end to end, against outside oracles (issue 2 §3 and §5):
#  - sample peak and RMS equal `sox FILE -n stats` ("Pk lev dB", "RMS lev dB", per channel, to
#    sox's printed precision) on tones and noise, 1..8 channels, int16/int24/float files;
#  - clip events sample-exact on constructed files; NaN/Inf counted and kept out of levels;
#  - --block 1 / 37 / 4096 give identical JSON; null for a silent channel;
#  - every exit code and message of DESIGN.md §4 for bad files and bad options;
#  - the harness itself can fail (expect_fail with deliberately wrong values).
# Usage: bash analyze_test.sh /path/to/headroom     (exit 77 = skipped, with the reason)
set -u
H=${1:?usage: analyze_test.sh /path/to/headroom}
for tool in sox python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "analyze_test: SKIPPED: '$tool' is not installed (apt-get install $tool)" >&2
        exit 77
    fi
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
failures=0
checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# --- helpers -------------------------------------------------------------------------------
cat > lib.py <<'PY'
import json, math, struct, sys, wave

def write_int(path, rate, chans, width):
    """chans: list of per-channel lists of ints; width 2 (int16) or 3 (int24)."""
    n = len(chans[0])
    with wave.open(path, 'wb') as w:
        w.setnchannels(len(chans)); w.setsampwidth(width); w.setframerate(rate)
        out = bytearray()
        for i in range(n):
            for ch in chans:
                out += int(ch[i]).to_bytes(width, 'little', signed=True)
        w.writeframes(bytes(out))

def write_float(path, rate, chans):
    """IEEE float32 WAV (format tag 3) written directly, so NaN and Inf survive."""
    n, c = len(chans[0]), len(chans)
    data = bytearray()
    for i in range(n):
        for ch in chans:
            data += struct.pack('<f', ch[i])
    fmt = struct.pack('<HHIIHH', 3, c, rate, rate * 4 * c, 4 * c, 32)
    fact = struct.pack('<I', n)
    body = b'WAVE' + b'fmt ' + struct.pack('<I', 16) + fmt + b'fact' + struct.pack('<I', 4) + fact \
        + b'data' + struct.pack('<I', len(data)) + bytes(data)
    with open(path, 'wb') as f:
        f.write(b'RIFF' + struct.pack('<I', len(body)) + body)

def sox_stats(text):
    """{'Pk lev dB': [per channel...], 'RMS lev dB': [...]} from `sox -n stats` output."""
    rows = {}
    for line in text.splitlines():
        for key in ('Pk lev dB', 'RMS lev dB'):
            if line.startswith(key):
                vals = line[len(key):].split()
                rows[key] = vals if len(vals) == 1 else vals[1:]   # drop "Overall" column
    return rows
PY

# jcheck FILE EXPR EXPECTED: python expression over d (the parsed JSON) equals EXPECTED
# (a python literal). Prints why on failure; returns 1.
jcheck() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = eval(sys.argv[2])
want = eval(sys.argv[3])
if got != want:
    print(f"  {sys.argv[2]}: got {got!r}, want {want!r}", file=sys.stderr)
    sys.exit(1)
PY
}
check() {  # check LABEL FILE EXPR EXPECTED
    checks=$((checks + 1))
    jcheck "$2" "$3" "$4" || fail "$1"
}
# A deliberately wrong expectation must fail: proves the comparison can fail at all.
expect_fail() {  # expect_fail LABEL COMMAND...
    checks=$((checks + 1))
    if "${@:2}" 2>/dev/null; then fail "harness: '$1' passed with a wrong expectation"; fi
}
# run_rc LABEL WANT_RC STDERR_PATTERN -- ARGS...: exit code and a stderr line matching the pattern.
run_rc() {
    local label=$1 want=$2 pat=$3; shift 4
    checks=$((checks + 1))
    "$H" "$@" >out.txt 2>err.txt
    local rc=$?
    if [ "$rc" != "$want" ]; then fail "$label: exit $rc, want $want (stderr: $(head -c 300 err.txt))"; return; fi
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" err.txt; then
        fail "$label: stderr does not match /$pat/: $(head -c 300 err.txt)"; return
    fi
    if grep -Eqi 'terminate|exception|Aborted|what\(\)' err.txt; then fail "$label: crash-like stderr: $(cat err.txt)"; fi
}

# --- 1. sample peak and RMS against sox stats ------------------------------------------------
# Mono files of different signals and levels, merged into 1..8 channel files per encoding.
sox -n -r 48000 -c 1 -e floating-point -b 32 s1.wav synth 2 sine 997 vol 0.5
sox -n -r 48000 -c 1 -e floating-point -b 32 s2.wav synth 2 whitenoise vol 0.25
sox -n -r 48000 -c 1 -e floating-point -b 32 s3.wav synth 2 sine 61 vol 0.9
sox -n -r 48000 -c 1 -e floating-point -b 32 s4.wav synth 2 pinknoise vol 0.05
sox -n -r 48000 -c 1 -e floating-point -b 32 s5.wav synth 2 square 440 vol 0.1
sox -n -r 48000 -c 1 -e floating-point -b 32 s6.wav synth 2 sine 12000 vol 0.7
sox -n -r 48000 -c 1 -e floating-point -b 32 s7.wav synth 2 brownnoise vol 0.3
sox -n -r 48000 -c 1 -e floating-point -b 32 s8.wav synth 2 sine 3000 vol 0.001
compare_sox() {  # compare_sox FILE: analyze --json vs sox stats, every channel
    local f=$1
    checks=$((checks + 1))
    "$H" analyze --json "$f" >"$f.json" 2>"$f.err" || { fail "$f: analyze exit $? ($(cat "$f.err"))"; return; }
    sox "$f" -n stats 2>"$f.stats" || { fail "$f: sox stats failed"; return; }
    python3 - "$f.json" "$f.stats" <<'PY' || fail "$f: differs from sox stats"
import json, sys
sys.path.insert(0, '.')
from lib import sox_stats
d = json.load(open(sys.argv[1]))[0]
s = sox_stats(open(sys.argv[2]).read())
ok = True
for key, field in (('Pk lev dB', 'sample_peak_dbfs'), ('RMS lev dB', 'rms_dbfs')):
    want = s[key]
    if len(want) != len(d['channels']):
        print(f"  {key}: sox has {len(want)} channels, analyze {len(d['channels'])}", file=sys.stderr); ok = False; continue
    for ch, w in zip(d['channels'], want):
        got = ch[field]
        if f"{got:.2f}" != f"{float(w):.2f}":
            print(f"  ch {ch['channel']} {key}: analyze {got}, sox {w}", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY
}
for n in 1 2 3 5 8; do
    inputs=$(seq -f 's%g.wav' 1 "$n")
    for enc in "-e signed-integer -b 16" "-e signed-integer -b 24" "-e floating-point -b 32"; do
        tag=$(echo "$enc" | tr -dc 'a-z0-9' | cut -c1-12)
        out="tones_${n}ch_${tag}.wav"
        # shellcheck disable=SC2086
        if [ "$n" = 1 ]; then sox s1.wav $enc -D "$out"; else sox -M $inputs $enc -D "$out"; fi
        compare_sox "$out"
    done
done
# Other rates and containers libsndfile reads.
sox -M s1.wav s2.wav s3.wav -r 44100 -e signed-integer -b 24 -D tones_44k_int24.wav
sox -M s4.wav s5.wav -r 96000 -e floating-point -b 32 tones_96k_float.wav
sox -M s6.wav s7.wav s2.wav s8.wav -b 16 -D tones_4ch.flac
sox -M s1.wav s2.wav -e signed-integer -b 24 -D tones_2ch.aiff
for f in tones_44k_int24.wav tones_96k_float.wav tones_4ch.flac tones_2ch.aiff; do compare_sox "$f"; done
check "a 96 kHz file keeps its rate" tones_96k_float.wav.json 'd[0]["sample_rate"]' '96000'
# The sox comparison can fail: a file whose analysis is compared against another file's stats.
sox tones_2ch_esignedinteg.wav -n stats 2>wrong.stats
python3 - <<'PY' >/dev/null 2>&1 && fail "harness: a sox comparison with the wrong file passed"
import json, sys
sys.path.insert(0, '.')
from lib import sox_stats
d = json.load(open('tones_3ch_esignedinteg.wav.json'))[0]
s = sox_stats(open('wrong.stats').read())
sys.exit(0 if [f"{c['rms_dbfs']:.2f}" for c in d['channels']] == [f"{float(v):.2f}" for v in s['RMS lev dB']] else 1)
PY
checks=$((checks + 1))

# --- 2. clip events, sample-exact ------------------------------------------------------------
python3 - <<'PY'
import sys
sys.path.insert(0, '.')
from lib import write_int
n = 192000
a, b, c = [0] * n, [0] * n, [0] * n
for i in range(n):                      # a quiet tone under everything
    a[i] = b[i] = c[i] = (i % 100) - 50
a[1000] = 32767                          # ch1: single-sample spike (32767/32768 = -0.0003 dBFS)
for i in range(30000, 30003): a[i] = 32767   # ch1: burst of 3 ...
for i in range(30100, 30102): a[i] = -32768  # ... and 2, negative, 98 samples later: they merge
b[2000] = -32768                         # ch2: negative polarity, one sample
for i in range(50000, 50002): b[i] = 32767   # ch2: run of 2
for i in range(80000, 80003): b[i] = 32767   # ch2: run of 3
c[100000] = 32767                        # ch3: merge boundary at 500 ms = 24000 samples:
c[124001] = 32767                        #   gap 24000: a new event
c[148001] = 32767                        #   gap 23999: merges with the one before
write_int('clips.wav', 48000, [a, b, c], 2)
PY
"$H" analyze --json clips.wav >clips.json 2>clips.err || fail "clips.wav: exit $? ($(cat clips.err))"
ev='[(e["channel"], e["start_sample"], e["runs"], e["clipped_samples"]) for e in d[0]["clips"]]'
check "clip events (default options)" clips.json "sorted($ev)" \
    "[(1,1000,1,1),(1,30000,2,5),(2,2000,1,1),(2,50000,1,2),(2,80000,1,3),(3,100000,1,1),(3,124001,2,2)]"
check "clip end_s is the end of the last sample" clips.json \
    '[e["end_s"] for e in d[0]["clips"] if e["channel"] == 1 and e["start_sample"] == 30000]' '[round(30102 / 48000, 6)]'
check "clip start_s" clips.json '[e["start_s"] for e in d[0]["clips"] if e["start_sample"] == 2000]' '[round(2000 / 48000, 6)]'
check "negative full scale reads 0.00 dBFS" clips.json \
    '[e["sample_peak_dbfs"] for e in d[0]["clips"] if e["start_sample"] == 2000]' '[0.0]'
check "per-channel clip counts" clips.json \
    '[(c["clip_events"], c["clipped_samples"]) for c in d[0]["channels"]]' '[(2, 6), (3, 6), (2, 3)]'
expect_fail "wrong clip start" jcheck clips.json "sorted($ev)[0]" "(1,1001,1,1)"
expect_fail "wrong clipped count" jcheck clips.json "sorted($ev)[1]" "(1,30000,2,4)"

"$H" analyze --json --clip-min-run 3 clips.wav >minrun.json 2>/dev/null || fail "--clip-min-run 3: exit $?"
check "runs shorter than --clip-min-run do not count" minrun.json "sorted($ev)" "[(1,30000,1,3),(2,80000,1,3)]"
"$H" analyze --json --merge-ms 0 clips.wav >nomerge.json 2>/dev/null || fail "--merge-ms 0: exit $?"
check "--merge-ms 0: every run its own event" nomerge.json "sorted($ev)" \
    "[(1,1000,1,1),(1,30000,1,3),(1,30100,1,2),(2,2000,1,1),(2,50000,1,2),(2,80000,1,3),(3,100000,1,1),(3,124001,1,1),(3,148001,1,1)]"
"$H" analyze clips.wav >clips.txt 2>/dev/null || fail "clips.wav text: exit $?"
checks=$((checks + 1))
grep -Eq 'ch 1 +0\.020833 s .*sample 1000 +1 clipped in 1 run ' clips.txt || fail "text clip list: $(cat clips.txt)"
checks=$((checks + 1))
grep -Eq '^ +2 +general .* 3 +6 +0 ' clips.txt || fail "text table row of ch 2: $(cat clips.txt)"

# --- 3. NaN / Inf and a silent channel -------------------------------------------------------
python3 - <<'PY'
import sys
sys.path.insert(0, '.')
from lib import write_float
n = 48000
a = [0.25] * n
for i, v in ((100, float('nan')), (5000, float('inf')), (5001, float('-inf')), (20000, float('nan'))):
    a[i] = v
write_float('nan.wav', 48000, [a, [0.0] * n])
PY
"$H" analyze --json nan.wav >nan.json 2>nan.err || fail "nan.wav: exit $? ($(cat nan.err))"
check "non-finite samples counted" nan.json '[c["nonfinite_samples"] for c in d[0]["channels"]]' '[4, 0]'
check "non-finite kept out of levels" nan.json \
    '[(c["sample_peak_dbfs"], c["rms_dbfs"], c["clip_events"]) for c in d[0]["channels"]][0]' '(-12.04, -12.04, 0)'
check "silent channel reads null" nan.json \
    '[c[k] for c in d[0]["channels"][1:] for k in ("sample_peak_dbfs","true_peak_dbtp","rms_dbfs","rms_max_dbfs","gain_advice_db")]' \
    '[None] * 5'
expect_fail "silence is not -inf text" jcheck nan.json 'd[0]["channels"][1]["rms_dbfs"]' '-120.0'
checks=$((checks + 1))
grep -q -- '-inf\|Infinity\|NaN' nan.json && fail "JSON holds -inf/NaN: $(cat nan.json)"

# --- 4. JSON shape, field names exactly DESIGN.md §4 -------------------------------------------
check "file object fields" clips.json 'list(d[0].keys())' \
    '["file","sample_rate","frames","duration_s","channels","clips","buses"]'
check "channel object fields" clips.json 'list(d[0]["channels"][0].keys())' \
    '["channel","preset","sample_peak_dbfs","true_peak_dbtp","rms_dbfs","rms_max_dbfs","clip_events","clipped_samples","nonfinite_samples","gain_advice_db","bands","low_share_db"]'
check "clip object fields" clips.json 'list(d[0]["clips"][0].keys())' \
    '["channel","start_sample","start_s","end_s","runs","clipped_samples","sample_peak_dbfs","true_peak_dbtp","peak_sample","peak_s"]'
check "file facts" clips.json '(d[0]["file"], d[0]["sample_rate"], d[0]["frames"], d[0]["duration_s"])' \
    '("clips.wav", 48000, 192000, 4.0)'
"$H" analyze --json --preset 2=vocals --rms aes17 tones_3ch_esignedinteg.wav >opts.json 2>/dev/null || fail "options: exit $?"
"$H" analyze --json --preset 2=vocals clips.wav --preset 1=bass nan.wav >multi.json 2>/dev/null || fail "--preset between files: exit $?"
check "--preset before and between several files: every FILE stays a file" multi.json \
    '[(f["file"], [c["preset"] for c in f["channels"]]) for f in d]' \
    '[("clips.wav", ["bass","vocals","general"]), ("nan.wav", ["bass","vocals"])]'
check "--preset CH=ID" opts.json '[c["preset"] for c in d[0]["channels"]]' '["general","vocals","general"]'
check "--rms aes17 adds 3.01 dB" opts.json \
    'round(d[0]["channels"][0]["rms_dbfs"] - json.load(open("tones_3ch_esignedinteg.wav.json"))[0]["channels"][0]["rms_dbfs"], 2)' '3.01'

# --- 4b. the loudest moment of an event (peak_sample, peak_s) ---------------------------------
# sox: a 997 Hz sine at 0.3 (hot against the general preset's -12 dBFS ceiling) for 2 s, with
# frames 48000..48047 raised to 0.99 (above the -0.1 dBFS clip threshold: a clip inside the hot
# passage; below 1.0, so sox clips nothing and the loudest sample is one frame). The
# loudest sample, found by python in the raw floats sox writes back, is in that stretch:
# `analyze --json` puts the clip's peak_sample there, and `record --json` (which also tracks
# hot events) gives the hot event around it the same peak and frame; `log` says where.
sox -n -r 48000 -c 1 -e floating-point -b 32 hot_a.wav synth 2 sine 997 vol 0.3
sox hot_a.wav hot_b.wav trim 0 48000s
sox hot_a.wav hot_c.wav trim 48000s 48s vol 3.3
sox hot_a.wav hot_d.wav trim 48048s
sox hot_b.wav hot_c.wav hot_d.wav hot.wav
sox hot.wav -t raw -e floating-point -b 32 -L hot.raw
loudest=$(python3 -c '
import struct
data = open("hot.raw", "rb").read()
x = struct.unpack("<%df" % (len(data) // 4), data)
print(max(range(len(x)), key=lambda i: (abs(x[i]), -i)))')
[ "$loudest" -ge 48000 ] && [ "$loudest" -lt 48048 ] || fail "harness: the loudest sample $loudest is not in the raised stretch"
sox_peak=$(sox hot.wav -n stats 2>&1 | awk '/^Pk lev dB/ {print $NF}')
"$H" analyze --json hot.wav >hot.json 2>/dev/null || fail "analyze hot.wav: exit $?"
check "one clip event in the raised stretch" hot.json 'len(d[0]["clips"])' '1'
check "clip: peak_sample is the loudest frame" hot.json 'd[0]["clips"][0]["peak_sample"]' "$loudest"
check "clip: peak_s = peak_sample / rate" hot.json 'd[0]["clips"][0]["peak_s"]' "round($loudest / 48000, 6)"
check "clip: its peak is the file's (sox stats $sox_peak)" hot.json 'round(d[0]["clips"][0]["sample_peak_dbfs"], 1)' \
    "round($sox_peak, 1)"
expect_fail "peak_sample is not the frame after" jcheck hot.json 'd[0]["clips"][0]["peak_sample"]' "$loudest + 1"
"$H" record --input-file hot.wav --session-dir rec_hot --json >rec_hot.json 2>/dev/null || fail "record hot.wav: exit $?"
check "record: one hot event around the clip" rec_hot.json \
    '(len(d["hot"]), d["hot"][0]["start_sample"] < d["clips"][0]["start_sample"])' '(1, True)'
check "hot object fields" rec_hot.json 'list(d["hot"][0].keys())' \
    '["channel","start_sample","start_s","end_s","runs","samples","sample_peak_dbfs","true_peak_dbtp","peak_sample","peak_s"]'
check "hot event: the clip's peak and loudest frame" rec_hot.json \
    '(d["hot"][0]["sample_peak_dbfs"], d["hot"][0]["peak_sample"], d["hot"][0]["peak_s"])' \
    "(json.load(open('hot.json'))[0]['clips'][0]['sample_peak_dbfs'], $loudest, round($loudest / 48000, 6))"
checks=$((checks + 1))
want_at=$(python3 -c "print('%.3f' % ($loudest / 48000))")
"$H" log --session-dir rec_hot | grep -q "hot .*loudest at $want_at s" \
    || fail "log text: no 'loudest at $want_at s' for the hot event: $("$H" log --session-dir rec_hot)"

# --- 5. block size does not change anything --------------------------------------------------
sox -M s1.wav s2.wav s3.wav s4.wav s5.wav s6.wav s7.wav s8.wav -e floating-point -b 32 blk.wav
python3 - <<'PY'
import sys, wave
sys.path.insert(0, '.')
from lib import write_float
import random
random.seed(7)
n = 3 * 48000 + 123
ch = [[random.uniform(-0.5, 0.5) for _ in range(n)] for _ in range(3)]
for i in (500, 501, 502, 9000, 47999, 48000, 100000, n - 1): ch[0][i] = 1.2
for i in range(70000, 70010): ch[1][i] = -1.0
ch[2][12345] = float('nan')
write_float('blk2.wav', 44100, ch)
PY
for f in blk.wav blk2.wav clips.wav; do
    "$H" analyze --json --block 4096 "$f" >b4096.json 2>/dev/null || fail "$f --block 4096: exit $?"
    for b in 1 37 8192; do
        checks=$((checks + 1))
        "$H" analyze --json --block $b "$f" >b$b.json 2>/dev/null || fail "$f --block $b: exit $?"
        cmp -s b4096.json b$b.json || fail "$f: --block $b differs from --block 4096: $(diff b4096.json b$b.json | head -5)"
    done
done
checks=$((checks + 1))
"$H" analyze --json --block 37 --rms-window 50 blk.wav >w50.json 2>/dev/null
cmp -s w50.json b4096.json && fail "harness: a different --rms-window gave the same JSON"

# --- 6. unreadable files: one stderr line each, exit 3, the readable ones still reported -------
: >empty.wav
mkdir folder.wav
echo "this is not audio" >text.wav
head -c 5000 /dev/urandom >garbage.wav
head -c 30 clips.wav >cut_header.wav                      # truncated inside the header
head -c 44 clips.wav >cut_nodata.wav                      # header, no audio at all
head -c 100044 clips.wav >cut_part.wav                    # truncated part-way: analysed as far as it goes
run_rc "missing file" 3 '^headroom: nope\.wav: .*(No such file|cannot open)' -- analyze nope.wav
run_rc "empty file" 3 '^headroom: empty\.wav: .*empty' -- analyze empty.wav
run_rc "a folder" 3 '^headroom: folder\.wav: .*directory' -- analyze folder.wav
run_rc "not audio" 3 '^headroom: text\.wav: .*not a readable sound file' -- analyze text.wav
run_rc "garbage" 3 '^headroom: garbage\.wav: ' -- analyze garbage.wav
# Not a regular file: refused before it is opened, so a FIFO can never block (timeout: a
# regression fails instead of hanging the suite).
mkfifo fifo.wav
for cmd in "analyze fifo.wav" "record --input-file fifo.wav --session-dir rec_fifo --duration 1"; do
    checks=$((checks + 1))
    # shellcheck disable=SC2086
    timeout 10 "$H" $cmd >out.txt 2>err.txt; rc=$?
    [ "$rc" = 3 ] || fail "$cmd: exit $rc, want 3 (124: it blocked) (stderr: $(head -c 300 err.txt))"
    grep -q '^headroom: fifo\.wav: is a FIFO (named pipe), not a sound file$' err.txt || fail "$cmd: stderr: $(cat err.txt)"
    [ "$(wc -l <err.txt)" -eq 1 ] || fail "$cmd: more than one stderr line: $(cat err.txt)"
done
run_rc "a device" 3 '^headroom: /dev/zero: is a device, not a sound file$' -- analyze /dev/zero
run_rc "truncated inside the header" 3 '^headroom: cut_header\.wav: ' -- analyze cut_header.wav
run_rc "header without audio" 3 '^headroom: cut_nodata\.wav: ' -- analyze cut_nodata.wav
run_rc "truncated part-way: analysed" 0 '^headroom: cut_part\.wav: truncated' -- analyze --json cut_part.wav
check "truncated file: the frames present" out.txt 'd[0]["frames"]' '(100044 - 44) // 6'
run_rc "several files" 3 '' -- analyze --json clips.wav nope.wav empty.wav folder.wav text.wav garbage.wav nan.wav
check "several files: every readable one reported" out.txt '[f["file"] for f in d]' '["clips.wav", "nan.wav"]'
checks=$((checks + 1))
[ "$(wc -l <err.txt)" = 5 ] || fail "several files: want 5 stderr lines, got: $(cat err.txt)"
for f in nope empty folder text garbage; do
    checks=$((checks + 1))
    [ "$(grep -c "^headroom: $f\.wav: " err.txt)" = 1 ] || fail "several files: no single line for $f.wav: $(cat err.txt)"
done
run_rc "several files, text output" 3 '' -- analyze clips.wav nope.wav nan.wav
checks=$((checks + 1))
[ "$(grep -c '^clips.wav: \|^nan.wav: ' out.txt)" = 2 ] || fail "text output of several files: $(cat out.txt)"
run_rc "all readable" 0 '' -- analyze clips.wav nan.wav
checks=$((checks + 1))
[ -s err.txt ] && fail "all readable: unexpected stderr: $(cat err.txt)"

if [ -w /dev/full ]; then
    checks=$((checks + 1))
    "$H" analyze --json clips.wav >/dev/full 2>err.txt
    rc=$?
    [ "$rc" = 4 ] && grep -q '^headroom: standard output: cannot write' err.txt ||
        fail "report to a full disk: exit $rc, want 4 ($(cat err.txt))"
fi

# --- 7. bad options: exit 2, the option named, the valid range or ids given -------------------
run_rc "unknown preset" 2 '--preset 1=nope.*unknown preset.*vocals.*master_in' -- analyze --preset 1=nope clips.wav
run_rc "preset channel 0" 2 '--preset 0=vocals' -- analyze --preset 0=vocals clips.wav
run_rc "preset beyond the file" 2 'clips\.wav: --preset 4=vocals.*out of range' -- analyze --preset 4=vocals clips.wav
run_rc "block 0" 2 '--block.*1\.\.8192' -- analyze --block 0 clips.wav
run_rc "block negative" 2 '--block.*1\.\.8192' -- analyze --block -5 clips.wav
run_rc "block too big" 2 '--block.*1\.\.8192' -- analyze --block 8193 clips.wav
run_rc "block not a number" 2 '--block.*1\.\.8192' -- analyze --block abc clips.wav
run_rc "rms window 0" 2 '--rms-window.*50\.\.3000' -- analyze --rms-window 0 clips.wav
run_rc "rms window negative" 2 '--rms-window.*50\.\.3000' -- analyze --rms-window -300 clips.wav
run_rc "clip run 0" 2 '--clip-min-run.*1\.\.16' -- analyze --clip-min-run 0 clips.wav
run_rc "clip run negative" 2 '--clip-min-run.*1\.\.16' -- analyze --clip-min-run -1 clips.wav
run_rc "merge negative" 2 '--merge-ms.*0\.\.60000' -- analyze --merge-ms -1 clips.wav
run_rc "clip threshold" 2 '--clip-threshold.*-20\.\.0' -- analyze --clip-threshold 3 clips.wav
run_rc "rms convention" 2 '--rms.*plain, aes17' -- analyze --rms loud clips.wav
run_rc "unknown option" 2 '--bogus' -- analyze --bogus clips.wav
run_rc "no file" 2 'FILE' -- analyze
run_rc "bad option wins before files" 2 '--block' -- analyze --block 0 nope.wav
# The exit-code check can fail: a deliberately wrong expected code must be reported.
before=$failures
run_rc "deliberately wrong exit code" 0 '' -- analyze nope.wav 2>/dev/null
if [ "$failures" = $((before + 1)) ]; then failures=$before; else fail "harness: run_rc accepted a wrong exit code"; fi
before=$failures
run_rc "deliberately wrong message" 3 'no such words' -- analyze nope.wav 2>/dev/null
if [ "$failures" = $((before + 1)) ]; then failures=$before; else fail "harness: run_rc accepted a wrong message"; fi

# --- 7b. --true-peak off: no true-peak figure anywhere, everything else as with it on ---------
# (docs/true_peak.md: null, never the sample peak standing in for a true peak)
"$H" analyze --json clips.wav >tp_default.json 2>/dev/null || fail "true peak default: analyze failed"
"$H" analyze --json --true-peak on clips.wav >tp_on.json 2>/dev/null || fail "--true-peak on: analyze failed"
"$H" analyze --json --true-peak off clips.wav >tp_off.json 2>err.txt || fail "--true-peak off: analyze failed ($(cat err.txt))"
checks=$((checks + 1))
cmp -s tp_default.json tp_on.json || fail "--true-peak on differs from the default"
check "true peak on: channels measured" tp_on.json \
    "all(c['true_peak_dbtp'] is not None for c in d[0]['channels'] if c['sample_peak_dbfs'] is not None)" True
check "true peak on: clips measured" tp_on.json "len(d[0]['clips']) > 0 and all(c['true_peak_dbtp'] is not None for c in d[0]['clips'])" True
check "true peak off: channels null" tp_off.json "[c['true_peak_dbtp'] for c in d[0]['channels']]" "[None] * len(d[0]['channels'])"
check "true peak off: clips null" tp_off.json "[c['true_peak_dbtp'] for c in d[0]['clips']]" "[None] * len(d[0]['clips'])"
# Everything but true peak is the same: sample peaks, RMS, clip events sample-exact.
python3 - tp_on.json tp_off.json <<'PY' || fail "true peak off changed figures other than true peak"
import json, sys
on, off = (json.load(open(p))[0] for p in sys.argv[1:3])
for d in (on, off):
    for item in d['channels'] + d['clips']:
        item.pop('true_peak_dbtp')
    for item in d['channels']:  # a clipped channel's advice counts the true peak when measured
        if item['clip_events'] > 0:
            item.pop('gain_advice_db')
sys.exit(0 if on == off else 1)
PY
checks=$((checks + 1))
"$H" analyze --true-peak off clips.wav >tp_off.txt 2>/dev/null
grep -q 'true peak off' tp_off.txt && ! grep -q 'dBTP$' tp_off.txt ||
    fail "text with true peak off: no 'true peak off' note, or a dBTP figure: $(cat tp_off.txt)"
expect_fail "true peak off is not on" jcheck tp_off.json "d[0]['channels'][0]['true_peak_dbtp']" \
    "json.load(open('tp_on.json'))[0]['channels'][0]['true_peak_dbtp']"
run_rc "true peak value" 2 '^headroom: --true-peak: .maybe. is not one of on, off$' -- analyze --true-peak maybe clips.wav

# --- 8. analyze never opens the audio system --------------------------------------------------
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
    checks=$((checks + 1))
    strace -f -e trace=openat,open,connect -o trace.txt "$H" analyze --json clips.wav >/dev/null 2>&1
    # Loading a shared library (libasound.so, libjack.so) is not opening the audio system;
    # PortAudio's initialisation reads ALSA's configuration, opens /dev/snd or JACK's sockets.
    pat='/dev/snd|/share/alsa|asoundrc|asound\.conf|jack|pulse'
    if grep -v '\.so[."]' trace.txt | grep -Eq "$pat"; then
        fail "analyze touched the audio system: $(grep -v '\.so[.\"]' trace.txt | grep -E "$pat" | head -3)"
    fi
    grep -q 'clips.wav' trace.txt || fail "harness: strace did not see the file being opened"
else
    echo "analyze_test: note: strace unavailable here; the 'no audio system' check was not run" >&2
fi

echo "analyze_test: $checks checks, $failures failed"
[ "$failures" = 0 ]
