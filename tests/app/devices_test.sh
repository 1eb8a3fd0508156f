#!/usr/bin/env bash
# headroom devices [--json]: exit 0, no library chatter on the terminal, JSON that parses
# with the documented fields, and a plain "no devices" message on a machine without any.
set -u
HEADROOM=${1:?usage: devices_test.sh /path/to/headroom}
fail() { echo "devices_test: FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null || { echo "devices_test: SKIP: python3 is needed to parse the JSON" >&2; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$HEADROOM" devices >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "devices exited $rc: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "devices wrote to stderr (library chatter must go to the debug log): $(head -3 "$tmp/err")"
[ -s "$tmp/out" ] || fail "devices printed nothing"

"$HEADROOM" devices --json >"$tmp/json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "devices --json exited $rc: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "devices --json wrote to stderr: $(head -3 "$tmp/err")"
python3 - "$tmp/json" "$tmp/out" <<'PY' || fail "JSON check failed"
import json, sys
j = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
assert isinstance(j["host_apis"], list), "host_apis"
assert isinstance(j["devices"], list), "devices"
assert "default_input" in j
for h in j["host_apis"]:
    assert isinstance(h["name"], str) and isinstance(h["index"], int) and isinstance(h["devices"], int)
defaults = [d["index"] for d in j["devices"] if d["default_input"]]
assert len(defaults) <= 1
assert j["default_input"] == (defaults[0] if defaults else None)
for d in j["devices"]:
    assert isinstance(d["input_channels"], int) and d["input_channels"] >= 0
    assert isinstance(d["default_sample_rate"], (int, float))
    assert d["host_api"] in [h["name"] for h in j["host_apis"]]
    assert d["name"] in text, "the text listing names every device"
if not j["devices"]:
    assert "No audio devices" in text, "the text says there are none"
print(f"devices_test: {len(j['host_apis'])} host APIs, {len(j['devices'])} devices")
PY

"$HEADROOM" devices --bogus >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "an unknown option should exit 2, got $rc"
grep -q -- "--bogus" "$tmp/err" || fail "the usage error should name the option: $(cat "$tmp/err")"
echo "devices_test: ok"
