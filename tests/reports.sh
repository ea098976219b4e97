#!/bin/sh
# The people and CI formats in the tools that read them:
#   junit: well-formed XML (xmllint), read back by python3-junitparser
#     (Debian's JUnit reader) with the counts it computes from the test
#     cases equal to the attributes and to the audit's, for the demo, a
#     fleet (--all-hosts) and a host with nothing to audit; against a JUnit
#     XSD with xmllint --schema when MCA_JUNIT_XSD names one (none is
#     packaged in Debian or npm: e.g. Jenkins xunit-plugin's junit-10.xsd);
#   sarif: valid against the SARIF 2.1.0 JSON schema (python3-jsonschema;
#     testdata/sarif/, or MCA_SARIF_SCHEMA) for the same three, and a
#     broken copy is refused (the validator can fail);
#   html: rendered by a real headless Chromium (Debian's `chromium`):
#     --dump-dom must carry the summary sentence and the blocked
#     callback's row, and a screenshot is taken (kept as
#     $MCA_BUILDDIR/report-html.png for a human to look at).
# Skips (SKIP line, not counted) what is not installed. Prints
# "N passed, N failed".
set -u
bin=${MCA_BIN:-./modsec-callback-audit}
data=${MCA_DATADIR:-${MCA_SRCDIR:-.}}
build=${MCA_BUILDDIR:-.}
tmp=$(mktemp -d /tmp/mca-reports-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; shift; printf '     %s\n' "$@"; failed=$((failed + 1)); }

"$bin" --format junit -o "$tmp/report.xml" --no-attack-probes 2>"$tmp/err"
st=$?
if [ $st -eq 1 ] && [ -s "$tmp/report.xml" ]; then
	ok "the demo audit writes JUnit (exit 1: blocked callbacks)"
else
	bad "the demo audit writes JUnit" "exit $st" "$(cat "$tmp/err")"
fi
if command -v xmllint >/dev/null 2>&1; then
	if xmllint --noout "$tmp/report.xml" 2>"$tmp/xerr"; then
		ok "JUnit is well-formed XML (xmllint)"
	else
		bad "JUnit is well-formed XML (xmllint)" "$(head -5 "$tmp/xerr")"
	fi
else
	echo "SKIP xmllint not installed"
fi

# The demo, a fleet and a host with no payment plugin, in JUnit and SARIF.
src=${MCA_SRCDIR:-.}
py=/usr/bin/python3
[ -x "$py" ] || py=python3
fleet="--all-hosts --server-config /etc/apache2/apache2.conf --root $src/testdata/servers/fleet-apache"
none="--server-config /etc/nginx/nginx.conf --root $src/testdata/servers/fleet-nginx --host static.example.com"
for fmt in xml sarif json; do
	"$bin" --no-attack-probes -o "$tmp/demo.$fmt" >/dev/null 2>&1
	# shellcheck disable=SC2086
	"$bin" $fleet --no-attack-probes -o "$tmp/fleet.$fmt" >/dev/null 2>&1
	# shellcheck disable=SC2086
	"$bin" $none -o "$tmp/none.$fmt" >/dev/null 2>&1
done
if "$py" -c 'import junitparser' 2>/dev/null; then
	for r in demo fleet none; do
		"$py" "$src/tests/tools/read-junit.py" "$tmp/$r.xml" >"$tmp/$r.junit" 2>&1
		st=$?
		# what the JSON says: every case a test, blocked and would-block ones failures
		want=$("$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
hs = d["hosts"] if "hosts" in d else [d]
t = sum(len(h.get("callbacks", [])) for h in hs)
f = sum(1 for h in hs for c in h.get("callbacks", []) if c["verdict"] != "passed")
print("tests=%d failures=%d" % (t, f))' "$tmp/$r.json")
		got=$(head -n 1 "$tmp/$r.junit" | sed 's/^suites=[0-9]* //; s/ errors=.*//')
		attrs=$(sed -n 's/^<testsuites .* tests="\([0-9]*\)" failures="\([0-9]*\)".*/tests=\1 failures=\2/p' "$tmp/$r.xml")
		if [ $st -eq 0 ] && ! grep -q '^MISMATCH' "$tmp/$r.junit" && [ "$got" = "$want" ] && [ "$attrs" = "$want" ]; then
			ok "JUnit ($r) reads back in junitparser: $got, as the audit's JSON and the attributes say"
		else
			bad "JUnit ($r) reads back in junitparser" "junitparser: $(head -n 3 "$tmp/$r.junit")" \
				"JSON: $want" "attributes: $attrs"
		fi
	done
	if grep -q '^SUITE static.example.com 0 0 0' "$tmp/none.junit" && [ "$(grep -c '^SUITE' "$tmp/fleet.junit")" -eq 6 ]; then
		ok "JUnit: a testsuite per host (6 for the fleet, an empty one for a host with no payment plugin)"
	else
		bad "JUnit: a testsuite per host" "$(cat "$tmp/fleet.junit" "$tmp/none.junit")"
	fi
else
	echo "SKIP python3-junitparser not installed"
fi
if [ -n "${MCA_JUNIT_XSD:-}" ] && command -v xmllint >/dev/null 2>&1; then
	if xmllint --noout --schema "$MCA_JUNIT_XSD" "$tmp/demo.xml" "$tmp/fleet.xml" "$tmp/none.xml" 2>"$tmp/xerr"; then
		ok "JUnit validates against $MCA_JUNIT_XSD (xmllint --schema)"
	else
		bad "JUnit validates against $MCA_JUNIT_XSD" "$(head -5 "$tmp/xerr")"
	fi
fi
schema=${MCA_SARIF_SCHEMA:-$src/testdata/sarif/sarif-2.1.0-rtm.5.json}
if "$py" -c 'import jsonschema' 2>/dev/null; then
	if "$py" "$src/tests/tools/validate-sarif.py" "$schema" "$tmp/demo.sarif" "$tmp/fleet.sarif" "$tmp/none.sarif" \
		>"$tmp/sarif.out" 2>&1; then
		ok "SARIF (demo, fleet, no plugin) is valid against $(basename "$schema") (python3-jsonschema)"
	else
		bad "SARIF is valid against $(basename "$schema")" "$(head -n 12 "$tmp/sarif.out")"
	fi
	# the control: a result with a level SARIF does not have, a run without its tool
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"][0]["results"][0]["level"] = "severe"
d["runs"].append({"results": []})
json.dump(d, open(sys.argv[2], "w"))' "$tmp/demo.sarif" "$tmp/broken.sarif"
	"$py" "$src/tests/tools/validate-sarif.py" "$schema" "$tmp/broken.sarif" >"$tmp/broken.out" 2>&1
	st=$?
	if [ $st -eq 1 ] && grep -q "'severe' is not one of" "$tmp/broken.out" && grep -q "'tool' is a required property" "$tmp/broken.out"; then
		ok "SARIF: the validator refuses a broken copy (a bad level, a run without its tool)"
	else
		bad "SARIF: the validator refuses a broken copy" "exit $st" "$(head -n 6 "$tmp/broken.out")"
	fi
else
	echo "SKIP python3-jsonschema not installed"
fi

"$bin" --format html -o "$tmp/report.html" 2>"$tmp/err"
st=$?
if [ $st -eq 1 ] && [ -s "$tmp/report.html" ]; then
	ok "the demo audit writes HTML"
else
	bad "the demo audit writes HTML" "exit $st" "$(cat "$tmp/err")"
fi
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	echo "SKIP chromium not installed"
else
	flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
		--disable-component-update --disable-sync --disable-dev-shm-usage"
	# shellcheck disable=SC2086
	timeout 120 "$chrome" $flags --user-data-dir="$tmp/profile1" --dump-dom "file://$tmp/report.html" \
		>"$tmp/dom.html" 2>"$tmp/chrome.err"
	# what the browser built: the summary, the push's row, the hand-over snippet
	if grep -q '<p id="summary" class="summary bad">[0-9][0-9]* of [0-9][0-9]* payment callbacks are blocked by the firewall on 1 of 1 host.</p>' "$tmp/dom.html" &&
	   grep -q 'Blocked (403)' "$tmp/dom.html" &&
	   grep -q 'ctl:ruleRemoveTargetById=211180;ARGS_NAMES:kco_session_id' "$tmp/dom.html"; then
		ok "Chromium renders the HTML report: summary, verdicts and snippet in the DOM"
	else
		bad "Chromium renders the HTML report" "$(head -c 400 "$tmp/dom.html")" "$(tail -3 "$tmp/chrome.err")"
	fi
	rm -f "$build/report-html.png"
	# shellcheck disable=SC2086
	timeout 120 "$chrome" $flags --user-data-dir="$tmp/profile2" --window-size=1200,1600 \
		--screenshot="$build/report-html.png" "file://$tmp/report.html" >/dev/null 2>"$tmp/chrome.err"
	if [ -s "$build/report-html.png" ] && [ "$(head -c 4 "$build/report-html.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
		ok "Chromium takes a screenshot of it ($build/report-html.png)"
	else
		bad "Chromium takes a screenshot" "$(tail -3 "$tmp/chrome.err")"
	fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
