#!/usr/bin/env bash
# The common options (DESIGN.md §4) before and after each subcommand: every one is honoured
# in both places with the same effect, or refused in both with exit 2 and a message naming it
# and the commands it belongs to. Also: empty values refused; a single-valued option given
# twice (one on each side) refused; a command's own option before the subcommand said where
# it belongs; `analyze -dash.wav` names the file and -- works.
set -u
HEADROOM=${1:?usage: options_test.sh /path/to/headroom}
command -v python3 >/dev/null || { echo "options_test: SKIP: python3 is needed" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/xdgconf"   # never touch the user's files
python3 - "$HEADROOM" "$tmp" <<'PY'
import json, math, os, struct, subprocess, sys
H, tmp = sys.argv[1], sys.argv[2]
failures = []
count = 0

def wav(path, nch, frames, fill, rate=48000):
    data = bytearray()
    for i in range(frames):
        data += struct.pack("<%df" % nch, *(fill(c, i) for c in range(nch)))
    fmt = struct.pack("<HHIIHH", 3, nch, rate, rate * 4 * nch, 4 * nch, 32)
    with open(path, "wb") as out:
        out.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE")
        out.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
        out.write(b"data" + struct.pack("<I", len(data)) + data)

# 3 channels, 0.25 s: ch1 a 0.25 sine with one sample at 0.6 (-4.4 dBFS) at 1000 and two
# full-scale samples at 6000 and 6480 (10 ms apart); ch2 0.25 sine; ch3 silent.
def fill(c, i):
    if c == 2: return 0.0
    if c == 0 and i == 1000: return 0.6
    if c == 0 and i in (6000, 6480): return 1.0
    return 0.25 * math.sin(2 * math.pi * 440 * i / 48000)
take = os.path.join(tmp, "take.wav")
wav(take, 3, 12000, fill)
dash = os.path.join(tmp, "-dash.wav")
wav(dash, 1, 480, lambda c, i: 0.5)
cfg = os.path.join(tmp, "cfg.json")
json.dump({"version": 1, "meter": {"clip_threshold": -6}}, open(cfg, "w"))

def run(args, timeout=20):
    try:
        p = subprocess.run([H] + args, capture_output=True, text=True, timeout=timeout, cwd=tmp)
    except subprocess.TimeoutExpired:  # e.g. a file source ignored: the demo records until stopped
        return -1, "", "timed out after %d s" % timeout
    return p.returncode, p.stdout, p.stderr

def check(cond, what):
    global count
    count += 1
    if not cond:
        failures.append(what)

def both(sub, opt, rest, expect):
    """`headroom OPT SUB REST` and `headroom SUB REST OPT`: expect(rc, out, err, label) both ways."""
    for label, args in (("before", opt + [sub] + rest), ("after", [sub] + rest + opt)):
        rc, out, err = run(args)
        try:
            expect(rc, out, err, label)
            check(True, "")
        except Exception as e:
            check(False, "%s %s: %s (rc %d, stderr %r)" % (label, " ".join(args), e, rc, err.strip()[:300]))

def refused(*words):
    def f(rc, out, err, label):
        assert rc == 2, "exit %d, want 2" % rc
        line = err.strip()
        assert "\n" not in line, "more than one line"
        for w in words:
            assert w in line, "message lacks %r" % w
    return f

def rec_json(check_fn):
    def f(rc, out, err, label):
        assert rc == 0, "exit %d" % rc
        check_fn(json.loads(out))
    return f

def ch(j, n): return [c for c in j["channels"] if c["channel"] == n][0]

def an_json(check_fn):
    def f(rc, out, err, label):
        assert rc == 0, "exit %d" % rc
        check_fn(json.loads(out)[0])
    return f

sess = os.path.join(tmp, "s")
REC = ["--json", "--session-dir", sess]            # record's own options (after `record`)
RECF = REC + ["--input-file", take]

# --- record: each common option's effect, before and after -------------------------------
both("record", ["--input-file", take], REC, rec_json(lambda j: (
    None if (j["source"] == "file" and len(j["channels"]) == 3 and j["ended_by"] == "end of file")
    else (_ for _ in ()).throw(AssertionError("not the file: %s %s" % (j["source"], len(j["channels"])))))))
def in_dir(d):
    def f(j):
        assert os.path.dirname(j["session"]) == d, j["session"]
    return f
both("record", ["--session-dir", os.path.join(tmp, "X")], ["--json", "--input-file", take], rec_json(in_dir(os.path.join(tmp, "X"))))
def is_demo(n):
    def f(j):
        assert j["source"] == "demo" and len(j["channels"]) == n, (j["source"], len(j["channels"]))
    return f
both("record", ["--demo"], REC + ["--duration", "0.3"], rec_json(is_demo(8)))
both("record", ["--demo-channels", "2"], REC + ["--demo", "--duration", "0.3"], rec_json(is_demo(2)))
def rate_is(r):
    def f(j):
        assert j["sample_rate"] == r, j["sample_rate"]
    return f
both("record", ["--rate", "44100"], REC + ["--demo", "--duration", "0.3"], rec_json(rate_is(44100)))
def buffer_is(b):
    def f(j):
        assert j["buffer_frames"] == b, j["buffer_frames"]
    return f
both("record", ["--buffer", "64"], REC + ["--demo", "--duration", "0.3"], rec_json(buffer_is(64)))
def looped(j):
    assert j["frames"] > 12000 * 2, j["frames"]
both("record", ["--loop"], RECF + ["--duration", "1"], rec_json(looped))
both("record", ["--device", "no-such-device-xyz"], REC + ["--duration", "0.2"],
     lambda rc, out, err, l: (_ for _ in ()).throw(AssertionError("exit %d" % rc)) if rc != 3 or "no-such-device-xyz" not in err else None)
both("record", ["--host-api", "no-such-api-xyz"], REC + ["--duration", "0.2"],
     lambda rc, out, err, l: (_ for _ in ()).throw(AssertionError("exit %d" % rc)) if rc != 3 or "no-such-api-xyz" not in err else None)
def clips1(n):
    def f(j):
        assert ch(j, 1)["clip_events"] == n, ch(j, 1)["clip_events"]
    return f
def clipped1(n):   # default: the two full-scale samples; at -6 dBFS the 0.6 one too
    def f(j):
        assert ch(j, 1)["clipped_samples"] == n, ch(j, 1)["clipped_samples"]
    return f
both("record", ["--clip-threshold", "-6"], RECF, rec_json(clipped1(3)))
both("record", ["--clip-min-run", "2"], RECF, rec_json(clips1(0)))
both("record", ["--merge-ms", "0"], RECF, rec_json(clips1(2)))
def rms_window_50(j):
    assert ch(j, 1)["rms_max_dbfs"] > ch(j, 1)["rms_dbfs"] + 0.01, ch(j, 1)
both("record", ["--rms-window", "50"], RECF, rec_json(rms_window_50))
def aes17(j):
    assert abs(ch(j, 2)["rms_dbfs"] - (20 * math.log10(0.25))) < 0.05, ch(j, 2)["rms_dbfs"]
both("record", ["--rms", "aes17"], RECF, rec_json(aes17))
def tp_off(j):
    assert ch(j, 1)["true_peak_dbtp"] is None, ch(j, 1)["true_peak_dbtp"]
both("record", ["--true-peak", "off"], RECF, rec_json(tp_off))
def vocals(j):
    assert ch(j, 1)["preset"] == "vocals" and ch(j, 2)["preset"] == "general", (ch(j, 1)["preset"], ch(j, 2)["preset"])
both("record", ["--preset", "1=vocals"], RECF, rec_json(vocals))
both("record", ["--config", cfg], RECF, rec_json(clipped1(3)))
both("record", ["--verbose"], RECF, lambda rc, out, err, l: None if rc == 0 and "debug" in err else
     (_ for _ in ()).throw(AssertionError("no debug output")))
both("record", ["--block", "64"], RECF, refused("--block", "analyze", "record does not take it"))

# --- analyze -----------------------------------------------------------------------------
AN = [take, "--json"]
both("analyze", ["--clip-threshold", "-6"], AN, an_json(clipped1(3)))
both("analyze", ["--clip-min-run", "2"], AN, an_json(clips1(0)))
both("analyze", ["--merge-ms", "0"], AN, an_json(clips1(2)))
both("analyze", ["--rms-window", "50"], AN, an_json(rms_window_50))
both("analyze", ["--rms", "aes17"], AN, an_json(aes17))
both("analyze", ["--true-peak", "off"], AN, an_json(tp_off))
both("analyze", ["--preset", "1=vocals"], AN, an_json(vocals))
both("analyze", ["--config", cfg], AN, an_json(clipped1(3)))
both("analyze", ["--block", "7"], AN, an_json(clips1(1)))
both("analyze", ["--block", "0"], AN, refused("--block", "1..8192"))
both("analyze", ["--clip-threshold", "5"], AN, refused("--clip-threshold", "-20..0"))
both("analyze", ["--preset", "1=nosuch"], AN, refused("--preset", "nosuch"))
both("analyze", ["--verbose"], AN, lambda rc, out, err, l: None if rc == 0 and "debug" in err else
     (_ for _ in ()).throw(AssertionError("no debug output")))
for opt in (["--device", "x"], ["--host-api", "x"], ["--rate", "48000"], ["--buffer", "64"], ["--input-file", take],
            ["--loop"], ["--demo"], ["--demo-channels", "2"], ["--session-dir", tmp]):
    both("analyze", opt, AN, refused(opt[0], "analyze does not take it"))

# --- devices and log ------------------------------------------------------------------------
METER = (["--preset", "1=vocals"], ["--clip-threshold", "-6"], ["--clip-min-run", "2"], ["--merge-ms", "0"],
         ["--rms-window", "50"], ["--rms", "aes17"], ["--true-peak", "off"])
SOURCE = (["--device", "x"], ["--host-api", "x"], ["--rate", "48000"], ["--buffer", "64"], ["--input-file", take],
          ["--loop"], ["--demo"], ["--demo-channels", "2"])
for opt in METER + SOURCE + (["--config", cfg], ["--block", "64"], ["--session-dir", tmp]):
    both("devices", opt, [], refused(opt[0], "devices does not take it"))
for opt in METER + SOURCE + (["--config", cfg], ["--block", "64"]):
    both("log", opt, [], refused(opt[0], "log does not take it"))
both("devices", ["--verbose"], ["--json"], lambda rc, out, err, l: None if rc == 0 and json.loads(out) is not None else
     (_ for _ in ()).throw(AssertionError("exit %d" % rc)))
logdir = os.path.join(tmp, "X")   # the sessions recorded above with --session-dir X
newest = sorted(os.listdir(logdir))[-1] if os.path.isdir(logdir) and os.listdir(logdir) else "(no session in X)"
both("log", ["--session-dir", logdir], ["--json"], lambda rc, out, err, l: None if rc == 0 and json.loads(out)["entries"][0]["type"] == "start"
     else (_ for _ in ()).throw(AssertionError("exit %d" % rc)))
both("log", ["--verbose"], ["--session-dir", logdir], lambda rc, out, err, l: None if rc == 0 and newest in out else
     (_ for _ in ()).throw(AssertionError("exit %d" % rc)))

# --- the window: refused before any display is opened ------------------------------------------
for opt in (["--block", "64"],):
    rc, out, err = run(opt)
    check(rc == 2 and "--block" in err and "analyze" in err, "window %s: rc %d %r" % (opt, rc, err))

# --- the window's own options before a subcommand: refused, never ignored ----------------------
for opt in (["--screenshot", os.path.join(tmp, "x.png")], ["--frames", "5"], ["--show-log"], ["--show-help"],
            ["--compact"], ["--size", "800x600"]):
    for sub in (["analyze", take], ["record", "--json", "--session-dir", sess, "--input-file", take], ["devices"],
                ["log", "--session-dir", sess]):
        rc, out, err = run(opt + sub)
        check(rc == 2 and opt[0] in err and "window" in err and sub[0] in err and "\n" not in err.strip(),
              "%s before %s: rc %d %r" % (opt, sub[0], rc, err))

# --- empty values, both positions, every command that takes them ---------------------------
for opt in ("--device", "--host-api", "--rate", "--buffer", "--input-file", "--demo-channels", "--preset",
            "--clip-threshold", "--clip-min-run", "--merge-ms", "--rms-window", "--rms", "--true-peak",
            "--session-dir", "--config"):
    both("record", [opt, ""], REC, refused(opt, "empty"))
for opt in ("--block", "--preset", "--clip-threshold", "--config"):
    both("analyze", [opt, ""], AN, refused(opt, "empty"))
both("log", ["--session-dir", ""], [], refused("--session-dir", "empty"))
for args in (["record", "--duration", ""], ["--screenshot", ""]):
    rc, out, err = run(args)
    check(rc == 2 and args[-2] in err and "empty" in err, "%s: rc %d %r" % (args, rc, err))

# --- once only; a command's own option before the subcommand ---------------------------------
rc, out, err = run(["--clip-threshold", "-1", "analyze", take, "--clip-threshold", "-2"])
check(rc == 2 and "--clip-threshold" in err and "2 times" in err, "twice: rc %d %r" % (rc, err))
rc, out, err = run(["analyze", take, "--rate", "48000", "--rate", "44100"])
check(rc == 2 and "--rate" in err, "twice after: rc %d %r" % (rc, err))
rc, out, err = run(["--preset", "1=vocals", "analyze", take, "--json", "--preset", "2=bass"])
check(rc == 0 and [c["preset"] for c in json.loads(out)[0]["channels"]] == ["vocals", "bass", "general"],
      "--preset on both sides adds up: rc %d %r" % (rc, err))
for args, owner in ((["--duration", "1", "record"], "record"), (["--json", "analyze", take], "analyze"),
                    (["--markers", "audacity", "log"], "log"), (["record", "--screenshot", "x.png"], "window")):
    rc, out, err = run(args)
    check(rc == 2 and args[0 if args[0].startswith("--") else 1] in err and owner in err,
          "%s: rc %d %r" % (args, rc, err))

# --- a file name that starts with '-' ----------------------------------------------------------
rc, out, err = run(["analyze", "-dash.wav"])
check(rc == 2 and "-dash.wav" in err and "--" in err and "./-dash.wav" in err, "-dash.wav: rc %d %r" % (rc, err))
rc, out, err = run(["analyze", "--json", "--", "-dash.wav"])
check(rc == 0 and json.loads(out)[0]["file"].endswith("-dash.wav"), "-- -dash.wav: rc %d %r" % (rc, err))

print("options_test: %d checks, %d failed" % (count, len(failures)))
for f in failures:
    print("options_test: FAIL:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
PY
