#!/usr/bin/env bash
# Whole-process timing (issue 2 §6): `headroom analyze --json FILE` against `sox FILE -n stats`
# on a 16-channel, 60 s, 48 kHz float32 WAV. Best of 3 runs each (page cache warm), timed with
# /usr/bin/time (wall, user, sys). Target: analyze no slower than sox stats.
#
# Usage: bash tests/bench/analyze_vs_sox.sh [path/to/headroom] [typical|loud]
#   typical: 16 tones/noises peaking at -18 dBFS (inside the general preset's window);
#   loud:    the same at -6 dBFS, above the general preset's -12 dBFS ceiling (every loud
#            sample is "hot" and takes the MeterBank's per-sample event path).
# The verdict compares CPU time (user + sys), which a busy shared machine disturbs less than
# wall time; both are printed. Exit 0 when the target is met, 1 when not.
set -euo pipefail
H=${1:-build/app/headroom}
KIND=${2:-typical}
command -v sox >/dev/null || { echo "analyze_vs_sox: sox is not installed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "analyze_vs_sox: /usr/bin/time is not installed (apt-get install time)" >&2; exit 2; }
[ -x "$H" ] || { echo "analyze_vs_sox: $H is not an executable (build it first)" >&2; exit 2; }
case $KIND in typical) VOL=0.125 ;; loud) VOL=0.5 ;; *) echo "analyze_vs_sox: kind is typical or loud" >&2; exit 2 ;; esac

F=${TMPDIR:-/tmp}/headroom_analyze_vs_sox_16ch_60s_$KIND.wav
if [ ! -s "$F" ]; then
    sox -n -r 48000 -c 16 -e floating-point -b 32 "$F" synth 60 \
        sine 110 sine 220 sine 330 sine 440 whitenoise pinknoise sine 1000 sine 2000 \
        sine 3000 sine 50 sine 60 sine 70 brownnoise sine 90 sine 5000 sine 120 vol $VOL
fi

best() {  # best LABEL CMD...: prints "wall cpu" of the fastest (by CPU) of 3 runs
    local b_wall="" b_cpu=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %U %S" -o time.$$ "$@" >/dev/null 2>/dev/null
        read -r wall user sys <time.$$
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
        if [ -z "$b_cpu" ] || awk -v a="$cpu" -v b="$b_cpu" 'BEGIN { exit !(a < b) }'; then b_cpu=$cpu; b_wall=$wall; fi
    done
    rm -f time.$$
    echo "$b_wall $b_cpu"
}
"$H" analyze --json "$F" >/dev/null  # warm the page cache
read -r a_wall a_cpu < <(best "$H" analyze --json "$F")
read -r s_wall s_cpu < <(best sox "$F" -n stats)
ratio=$(awk -v a="$a_cpu" -v b="$s_cpu" 'BEGIN { printf "%.2f", a / b }')
printf '%-40s %8s %8s\n' "16 ch, 60 s, 48 kHz float ($KIND)" "wall s" "CPU s"
printf '%-40s %8s %8s\n' "headroom analyze --json" "$a_wall" "$a_cpu"
printf '%-40s %8s %8s\n' "sox FILE -n stats" "$s_wall" "$s_cpu"
printf 'analyze / sox (CPU): %s  (target <= 1)\n' "$ratio"
awk -v a="$a_cpu" -v b="$s_cpu" 'BEGIN { exit !(a <= b) }'
