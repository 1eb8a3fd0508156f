#!/usr/bin/env bash
# Capture from a real JACK server (dummy driver): open the device, lose it when the server is
# killed, get it back when the server returns. Drives the JACK test case of engine_tests
# (tests/engine/capture/source_jack_test.cpp), which is skipped in the normal unit run.
set -u
HEADROOM=${1:?usage: capture_jack_test.sh /path/to/headroom}
skip() { echo "capture_jack_test: SKIPPED: $*" >&2; exit 77; }
command -v jackd >/dev/null || skip "jackd is not installed (apt install jackd2)"
ENGINE_TESTS=$(cd "$(dirname "$HEADROOM")/.." && pwd)/tests/engine_tests
[ -x "$ENGINE_TESTS" ] || skip "engine_tests not found at $ENGINE_TESTS"

export JACK_DEFAULT_SERVER="hrcap-$$-$RANDOM" JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1
jpid= tpid=
log=$(mktemp); trap 'kill $jpid 2>/dev/null; kill $tpid 2>/dev/null; rm -f "$log"' EXIT
start_jackd() {
    jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 256 -C 8 -P 8 >>"$log" 2>&1 &
    jpid=$!
    for _ in $(seq 50); do jack_lsp >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "capture_jack_test: FAIL: jackd did not start (JACK allows 8 servers at once; killed servers can leave stale registrations in /dev/shm):" >&2; cat "$log" >&2; exit 1
}
start_jackd
"$ENGINE_TESTS" --no-skip -tc="Capture JACK device*" &
tpid=$!
sleep 2.5
kill "$jpid"; wait "$jpid" 2>/dev/null
sleep 3
start_jackd
wait "$tpid"; rc=$?
[ $rc -eq 0 ] || { echo "capture_jack_test: FAIL (engine_tests exit $rc)" >&2; exit 1; }
echo "capture_jack_test: ok"
