#!/usr/bin/env bash
# Buses, loudness and bands end to end (DESIGN.md §6, issue 15), through `headroom analyze`
# and `headroom record --input-file`, against closed-form signals and sox:
#  - a 1- or 2-channel file is the bus "programme" without options; more channels: only --bus;
#  - EBU Tech 3341 case 1 (stereo 1 kHz at -23 dBFS): M, S, I = -23.0 LUFS, PLR = TP - I;
#  - the mastering verdict of the one-line text;
#  - bands against sox's LR4 (lowpass 150 twice, etc.) within 0.05 dB, low_share_db;
#  - record --json and session.json carry the same bus and band figures as analyze;
#  - every --bus mistake is exit 2 with a message naming the option.
# Usage: bash programme_test.sh /path/to/headroom     (exit 77 = skipped, with the reason)
set -u
H=${1:?usage: programme_test.sh /path/to/headroom}
for tool in sox python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "programme_test: SKIPPED: '$tool' is not installed (apt-get install $tool)" >&2
        exit 77
    fi
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
failures=0
checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# check LABEL FILE EXPR: the python expression over d (the parsed JSON) is true.
check() {
    checks=$((checks + 1))
    python3 - "$2" "$3" <<'PY' || fail "$1"
import json, sys
d = json.load(open(sys.argv[1]))
try:
    ok = eval(sys.argv[2])
except Exception as e:
    print(f"  {sys.argv[2]}: {e!r}", file=sys.stderr); sys.exit(1)
if not ok:
    print(f"  not true: {sys.argv[2]}", file=sys.stderr); sys.exit(1)
PY
}
run_rc() {  # run_rc LABEL RC REGEX -- ARGS...
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

# --- 1. the programme bus: Tech 3341 case 1 ----------------------------------------------------
# 1 kHz at -23 dBFS (peak) in both channels, 20 s: M = S = I = -23.0 +- 0.1 LUFS, LRA ~ 0.
sox -n -r 48000 -c 2 -e floating-point -b 32 case1.wav synth 20 sine 1000 vol 0.0707946
"$H" analyze --json case1.wav >case1.json || fail "analyze case1.wav failed"
check "stereo file: one bus 'programme', channels 1-2, mix_bus" case1.json \
    "[(b['name'], b['channels'], b['preset']) for b in d[0]['buses']] == [('programme', [1, 2], 'mix_bus')]"
check "bus fields in DESIGN §6 order" case1.json \
    "list(d[0]['buses'][0].keys()) == ['name','channels','preset','sample_peak_dbfs','true_peak_dbtp','headroom_db','integrated_lufs','momentary_max_lufs','short_term_max_lufs','loudness_range_lu','plr_lu','bands','low_share_db']"
check "Tech 3341 case 1: integrated -23.0 +- 0.1 LUFS" case1.json "abs(d[0]['buses'][0]['integrated_lufs'] + 23) <= 0.1"
check "Tech 3341 case 1: momentary max -23.0 +- 0.1" case1.json "abs(d[0]['buses'][0]['momentary_max_lufs'] + 23) <= 0.1"
check "Tech 3341 case 1: short-term max -23.0 +- 0.1" case1.json "abs(d[0]['buses'][0]['short_term_max_lufs'] + 23) <= 0.1"
check "steady tone: LRA under 0.1 LU" case1.json "d[0]['buses'][0]['loudness_range_lu'] < 0.1"
check "bus peaks are its channels' maxima" case1.json \
    "d[0]['buses'][0]['sample_peak_dbfs'] == max(c['sample_peak_dbfs'] for c in d[0]['channels'])"
check "PLR = true peak - integrated (as printed, within rounding)" case1.json \
    "abs(d[0]['buses'][0]['plr_lu'] - (d[0]['buses'][0]['true_peak_dbtp'] - d[0]['buses'][0]['integrated_lufs'])) <= 0.011"
check "headroom = -max(peak, TP)" case1.json \
    "abs(d[0]['buses'][0]['headroom_db'] + max(d[0]['buses'][0]['sample_peak_dbfs'], d[0]['buses'][0]['true_peak_dbtp'])) <= 0.011"
"$H" analyze case1.wav >case1.txt 2>&1
checks=$((checks + 1))
grep -Eq 'bus programme \(ch 1,2, mix_bus\): headroom 2[23]\.[0-9]+ dB, more than mastering needs' case1.txt ||
    fail "text: the bus line with its verdict: $(grep bus case1.txt)"

# A mono file is a one-channel programme; a mix too hot for mastering says by how much.
sox -n -r 44100 -c 1 hot.wav synth 5 sine 440 vol 0.9
"$H" analyze --json hot.wav >hot.json && "$H" analyze hot.wav >hot.txt 2>&1
check "mono file: programme bus of channel 1" hot.json "d[0]['buses'][0]['channels'] == [1]"
checks=$((checks + 1))
grep -Eq 'too hot for mastering \(wants 3-6 dB\): lower by 2\.[0-9]+ dB' hot.txt || fail "hot verdict: $(grep bus hot.txt)"

# Silence: no loudness (null), never -inf.
sox -n -r 48000 -c 2 silence.wav trim 0 2
"$H" analyze --json silence.wav >silence.json
check "silence: every loudness figure null" silence.json \
    "all(d[0]['buses'][0][k] is None for k in ('integrated_lufs','momentary_max_lufs','short_term_max_lufs','loudness_range_lu','plr_lu','headroom_db'))"
# Shorter than 3 s: short-term and LRA null, the rest measured.
sox -n -r 48000 -c 2 short.wav synth 1 sine 1000 vol 0.1
"$H" analyze --json short.wav >short.json
check "1 s file: momentary and integrated measured, short-term null" short.json \
    "d[0]['buses'][0]['momentary_max_lufs'] is not None and d[0]['buses'][0]['integrated_lufs'] is not None and d[0]['buses'][0]['short_term_max_lufs'] is None"

# --- 2. more channels: only the buses given ---------------------------------------------------
sox -n -r 48000 -c 4 quad.wav synth 4 sine 1000 sine 1000 sine 1000 sine 1000 vol 0.1
"$H" analyze --json quad.wav >quad.json
check "4-channel file without --bus: no bus" quad.json "d[0]['buses'] == []"
"$H" analyze --json --bus front=1-2 quad.wav --bus rear=3,4 >quad2.json
check "--bus before and after the file: two buses in order" quad2.json \
    "[(b['name'], b['channels']) for b in d[0]['buses']] == [('front', [1, 2]), ('rear', [3, 4])]"
check "equal programmes read equal loudness" quad2.json \
    "d[0]['buses'][0]['integrated_lufs'] == d[0]['buses'][1]['integrated_lufs'] and d[0]['buses'][0]['integrated_lufs'] is not None"

# --- 3. bands against sox's LR4 ---------------------------------------------------------------
sox -n -r 48000 -c 1 -e floating-point -b 32 pink.wav synth 10 pinknoise vol 0.3
sox -n -r 48000 -c 1 -e floating-point -b 32 low.wav synth 4 sine 50 vol 0.5
sox -n -r 96000 -c 1 -e floating-point -b 32 high.wav synth 4 sine 10000 vol 0.5
for f in pink low high; do
    "$H" analyze --json $f.wav >$f.json || fail "analyze $f.wav"
    sox $f.wav -n lowpass 150 lowpass 150 stats 2>&1 | awk '/RMS lev dB/ {print $4}' >$f.low
    sox $f.wav -n highpass 150 highpass 150 lowpass 5000 lowpass 5000 stats 2>&1 | awk '/RMS lev dB/ {print $4}' >$f.mid
    sox $f.wav -n highpass 150 highpass 150 highpass 5000 highpass 5000 stats 2>&1 | awk '/RMS lev dB/ {print $4}' >$f.high
    for band in low mid high; do
        want=$(cat $f.$band)
        case "$want" in -inf|"") continue ;; esac
        # Bands far below the signal are filter skirts: compared where sox prints above -60 dB.
        awk "BEGIN {exit !($want > -60)}" || continue
        check "$f: $band band RMS within 0.05 dB of sox ($want)" $f.json \
            "abs(d[0]['channels'][0]['bands']['$band']['rms_dbfs'] - ($want)) <= 0.05"
    done
done
check "50 Hz sine: the low band carries it (LR4 at 150/3 Hz: -0.11 dB)" low.json "abs(d[0]['channels'][0]['low_share_db'] + 0.11) <= 0.02"
check "10 kHz sine: low share far down" high.json "d[0]['channels'][0]['low_share_db'] is None or d[0]['channels'][0]['low_share_db'] < -40"
check "bands keys low, mid, high, each peak_dbfs and rms_dbfs" pink.json \
    "list(d[0]['channels'][0]['bands'].keys()) == ['low','mid','high'] and all(list(v.keys()) == ['peak_dbfs','rms_dbfs'] for v in d[0]['channels'][0]['bands'].values())"
check "the programme bus's bands are its channel's" pink.json \
    "d[0]['buses'][0]['bands'] == d[0]['channels'][0]['bands'] and d[0]['buses'][0]['low_share_db'] == d[0]['channels'][0]['low_share_db']"

# --- 4. block sizes give the same figures ------------------------------------------------------
for b in 1 37 4096; do "$H" analyze --json --block $b pink.wav | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(json.dumps([d["channels"], d["buses"]]))' >blk$b.txt; done
checks=$((checks + 1))
cmp -s blk1.txt blk37.txt && cmp -s blk37.txt blk4096.txt || fail "--block 1/37/4096 differ in bands or buses"

# --- 5. record: the same figures in record --json and session.json -----------------------------
# (--input-file plays in real time: a 5 s file.)
sox -n -r 48000 -c 2 -e floating-point -b 32 rec.wav synth 5 sine 1000 vol 0.0707946
"$H" analyze --json rec.wav >rec_analyze.json
"$H" record --input-file rec.wav --duration 30 --bus mix=1-2 --bands --json --session-dir "$T/s" >rec.json 2>rec.err ||
    fail "record --input-file failed: $(cat rec.err)"
check "record --json: the bus measured like analyze (integrated)" rec.json \
    "abs(d['buses'][0]['integrated_lufs'] - json.load(open('rec_analyze.json'))[0]['buses'][0]['integrated_lufs']) <= 0.02"
check "record --json: channels carry bands" rec.json "d['channels'][0]['bands'] is not None and d['channels'][0]['low_share_db'] is not None"
session=$(python3 -c 'import json; print(json.load(open("rec.json"))["session"])')
check "session.json: buses named at start, bus_summary at the end equal to record --json" "$session/session.json" \
    "d['buses'] == [{'name': 'mix', 'channels': [1, 2], 'preset': 'mix_bus'}] and d['bus_summary'] == json.load(open('rec.json'))['buses'] and d['meter']['bands'] is True"
check "session.json: levels hold one bus pair per record" "$session/session.json" "d['levels']['buses'] == 1"
checks=$((checks + 1))
python3 - "$session" <<'PY' || fail "levels.f32: the bus's short-term loudness is not in the level history"
import json, struct, sys, math
s = json.load(open(sys.argv[1] + '/session.json'))
per = (s['levels']['channels'] + s['levels']['buses']) * 2
raw = open(sys.argv[1] + '/levels.f32', 'rb').read()
n = len(raw) // (per * 4)
vals = [struct.unpack_from('<%df' % per, raw, k * per * 4) for k in range(n)]
st = [v[s['levels']['channels'] * 2] for v in vals]
later = [x for x in st[31:n - 2] if x > 0]
assert later, 'no short-term values'
lufs = [-0.691 + 10 * math.log10(x) for x in later]
assert all(abs(x + 23) < 0.15 for x in lufs), lufs[:5]
PY
"$H" log "$session" >log.txt 2>&1
checks=$((checks + 1))
grep -q 'bus mix (ch 1,2, mix_bus)' log.txt || fail "log: no bus line: $(tail -3 log.txt)"
"$H" log --json "$session" >log.json 2>/dev/null
check "log --json: the buses as session.json holds them" log.json "d['buses'] == json.load(open('rec.json'))['buses']"
"$H" record --input-file rec.wav --duration 1 --json --session-dir "$T/s" >rec2.json 2>/dev/null
check "record without --bands: bands null" rec2.json "d['channels'][0]['bands'] is None and d['buses'] == []"

# --- 6. --bus mistakes: exit 2, the option named -----------------------------------------------
run_rc "no '='" 2 '^headroom: --bus mix: .* is not NAME=CHANNELS' -- analyze --bus mix case1.wav
run_rc "empty list" 2 '^headroom: --bus mix=: ' -- analyze --bus mix= case1.wav
run_rc "channel 0" 2 '^headroom: --bus mix=0-1: .*not a channel list' -- analyze --bus mix=0-1 case1.wav
run_rc "beyond the file" 2 'channel 3 is beyond the 2 channels' -- analyze --bus mix=1-3 case1.wav
run_rc "twice the same name" 2 "a bus named 'a' is given twice" -- analyze --bus a=1 --bus a=2 case1.wav
run_rc "17 buses" 2 '17 buses, at most 16' -- analyze $(for i in $(seq 17); do printf -- '--bus b%d=1 ' "$i"; done) case1.wav
run_rc "record: beyond the source" 2 'channel 9 is beyond' -- record --demo --bus mix=1-9 --duration 1 --session-dir "$T/s"
run_rc "--bus on log" 2 '^headroom: --bus: an option of' -- log --bus a=1
run_rc "--bands on devices" 2 '^headroom: --bands: an option of' -- devices --bands

echo "programme_test: $checks checks, $failures failed"
[ "$failures" = 0 ]
