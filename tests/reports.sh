#!/bin/sh
# The people and CI formats in the tools that read them:
#   junit: well-formed XML (xmllint), as CI parsers read it;
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
