#!/usr/bin/env bash
# `record --input-file F --loop` of very short files runs in real time at low CPU: a 1-sample
# and a 3-frame file looped for 2 s give 2 s of frames (not 60 % of it), no xrun, and the
# process uses a small part of one core.
set -u
HEADROOM=${1:?usage: loop_test.sh /path/to/headroom}
command -v python3 >/dev/null || { echo "loop_test: SKIP: python3 is needed" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/xdgconf"
python3 - "$HEADROOM" "$tmp" <<'PY'
import json, os, resource, struct, subprocess, sys, time, wave
H, tmp = sys.argv[1], sys.argv[2]
bad = []
for frames, nch in ((1, 1), (3, 2)):
    path = os.path.join(tmp, "short%d.wav" % frames)
    with wave.open(path, "wb") as w:
        w.setnchannels(nch); w.setsampwidth(2); w.setframerate(48000)
        w.writeframes(b"".join(struct.pack("<h", 8000) for _ in range(frames * nch)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run([H, "record", "--input-file", path, "--loop", "--duration", "2", "--json",
                        "--session-dir", os.path.join(tmp, "s")], capture_output=True, text=True, timeout=30)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        bad.append("%d-frame loop: exit %d: %s" % (frames, p.returncode, p.stderr.strip()))
        continue
    j = json.loads(p.stdout)
    got = j["frames"] / 48000.0
    print("loop_test: %d-frame file looped: %.3f s of audio in %.2f s wall, %.2f s CPU, %d xruns"
          % (frames, got, wall, cpu, j["xruns"]))
    if not 1.9 <= got <= 2.2: bad.append("%d-frame loop: %.3f s of audio in 2 s (want real time)" % (frames, got))
    if j["xruns"] != 0: bad.append("%d-frame loop: %d xruns" % (frames, j["xruns"]))
    if cpu > 0.6 * wall: bad.append("%d-frame loop: %.2f s CPU in %.2f s" % (frames, cpu, wall))
    if j["channels"][0]["sample_peak_dbfs"] is None or abs(j["channels"][0]["sample_peak_dbfs"] - (-12.25)) > 0.05:
        bad.append("%d-frame loop: peak %s (want -12.25)" % (frames, j["channels"][0]["sample_peak_dbfs"]))
for b in bad: print("loop_test: FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
