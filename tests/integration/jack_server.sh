# Sourced by the JACK integration tests: a private dummy jackd and the helpers around it.
# The caller sets JACK_DEFAULT_SERVER and tmp (jackd's log goes to $tmp/jackd.log).
jackd_pid=""

stop_pid() { [ -n "$1" ] && kill "$1" 2>/dev/null && { wait "$1"; } 2>/dev/null; }

# start_jackd [CHANNELS] [RATE]: a dummy server with CHANNELS capture and playback ports; waits
# until it answers (up to 20 s: a loaded CI machine starts jackd slowly). 1 when it cannot start.
start_jackd() {
    jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r "${2:-48000}" -p 256 -C "${1:-8}" -P "${1:-8}" >>"$tmp/jackd.log" 2>&1 &
    jackd_pid=$!
    for _ in $(seq 200); do
        timeout 3 jack_lsp >/dev/null 2>&1 && return 0
        kill -0 "$jackd_pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# SIGTERM: jackd then frees its slot in JACK's server registry (a SIGKILLed server keeps it
# until a server of the same name starts again; 8 leaked slots and no jackd can start).
stop_jackd() {
    if [ -n "$jackd_pid" ] && kill -TERM "$jackd_pid" 2>/dev/null; then
        for _ in $(seq 50); do kill -0 "$jackd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$jackd_pid" 2>/dev/null
        { wait "$jackd_pid"; } 2>/dev/null
    fi
    jackd_pid=""
}

wait_port() {  # wait_port PORT SECONDS
    for _ in $(seq $(( $2 * 10 ))); do
        timeout 3 jack_lsp 2>/dev/null | grep -qx "$1" && return 0
        sleep 0.1
    done
    return 1
}
