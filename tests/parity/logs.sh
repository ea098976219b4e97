#!/bin/sh
# The logs command on logs real servers wrote (part of `make check`).
#
# Apache + mod_security2 (Serial and Concurrent audit logs, error log) and
# nginx + libmodsecurity 3 (JSON audit log, error log), each with the demo
# set and Debian's CRS, on 127.0.0.1 (helpers shared with parity.sh in
# servers.sh), receive the catalogue's callbacks (sent by `probe`, whose
# report says which ones the server blocked and by which rules) mixed with
# ordinary requests, attacks and a payment callback the catalogue lacks.
# Then, for every log the server wrote:
#   - `logs` finds exactly the callbacks the server blocked, with the
#     probe's blocking rule ids and the order ids sent;
#   - the unmatched payment request is listed as unmatched;
#   - `logs -r ... --exclusions F` with the server's rules: F loaded into the
#     server (before its rules) lets every callback through.
#
# `logs.sh --capture DIR` only writes the logs (small: the demo set, a few
# requests) to DIR: testdata/logs/ was made that way, so the unit tests and
# cases read real server output without the servers.
#
# Skips (exit 77) when a server is missing. Environment: MCA_BIN,
# MCA_SRCDIR, MCA_PARITY_SKIP (as parity.sh), MCA_LOGS_KEEP=DIR keeps the
# logs and reports.
set -u

bin=${MCA_BIN:-$PWD/modsec-callback-audit}
srcdir=${MCA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PATH=$PATH:/usr/sbin:/sbin
export PATH
capture=
if [ "${1:-}" = --capture ]; then
	capture=${2:?usage: logs.sh --capture DIR}
	mkdir -p "$capture" && capture=$(cd "$capture" && pwd)
fi

if [ -n "${MCA_PARITY_SKIP:-}" ] && [ -z "$capture" ]; then
	echo "SKIP: logs suite ($MCA_PARITY_SKIP)"
	exit 77
fi
. "$srcdir/tests/parity/servers.sh"
missing=$(servers_missing crs curl)
if [ -n "$missing" ]; then
	echo "SKIP: the logs suite needs real servers; missing:$missing"
	exit 77
fi

HOST=shop.example.com
ORDER_A=5f0c3a9e-1b2d-4c6e-8f10-2a3b4c5d6e7f
ORDER_B=9d8c7b6a-5e4f-4a3b-9c2d-1e0f9a8b7c6d

servers_workdir logs "${MCA_LOGS_KEEP:-}" || { echo "0 passed, 1 failed"; exit 1; }


# logdir TAG: where the server TAG writes; owned by the workers' user
logdir() {
	d=$tmp/logs/$1
	mkdir -p "$d/audit.d"
	[ -n "$RUNAS" ] && chown -R "$RUNAS" "$d"
	echo "$d"
}

# start_nginx_logging TAG JSON|Native FILE...: nginx + libmodsecurity 3,
# the audit log in that format and the error log (info: the anomaly
# scores) under logdir TAG.
start_nginx_logging() {
	tag=$1 format=$2; shift 2
	d=$(logdir "$tag")
	cat >"$tmp/conf/audit-$tag.conf" <<EOF
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLogParts ABCFHKZ
SecAuditLogType Serial
SecAuditLogFormat $format
SecAuditLog $d/audit.log
EOF
	start_modsec_nginx "$tag" "$d/error.log" "$@" "$tmp/conf/audit-$tag.conf"
}

# start_apache_logging TAG Serial|Concurrent FILE...: Apache + mod_security2
# with that audit log type and the error log under logdir TAG.
start_apache_logging() {
	tag=$1 type=$2; shift 2
	d=$(logdir "$tag")
	cat >"$tmp/conf/audit-$tag.conf" <<EOF
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLogParts ${AUDIT_PARTS:-ABCFHKZ}
SecAuditLogType $type
SecAuditLog $d/audit.log
SecAuditLogStorageDir $d/audit.d
EOF
	start_modsec_apache "$tag" "$d/error.log" "$@" "$tmp/conf/audit-$tag.conf"
}

D=$srcdir/rules/demo
P=$srcdir/testdata/parity
sed -e "s|^SecAuditLog .*|SecAuditLog $tmp/logs/modsec_audit.log|" \
    -e "s|^SecDataDir .*|SecDataDir $tmp/ngx-temp|" \
    -e "s|^SecTmpDir .*|SecTmpDir $tmp/ngx-temp|" \
    "$D/modsecurity.conf" >"$tmp/conf/modsecurity.conf"
ruleset_files() {	# SERVER RULESET (as parity.sh)
	case $1 in
	nginx) engine=$tmp/conf/modsecurity.conf; crs=$P/crs-v3.conf ;;
	apache) engine=$P/modsecurity-v2.conf; crs=$D/crs.conf ;;
	esac
	case $2 in
	demo)
		if [ "$1" = nginx ]; then
			echo "$engine $D/comodo-style/rules.conf.main $crs"
		else
			echo "$engine $D/comodo-style/02_Global_Generic.conf $D/comodo-style/10_HTTP_HTTPDoS.conf $crs"
		fi ;;
	crs) echo "$engine $crs" ;;
	esac
}

# traffic BASEURL OUT: what a shop sees in a day, in miniature
traffic() {
	base=$1 out=$2
	c() { curl -s -o /dev/null -m 10 -H "Host: $HOST" "$@"; }
	c -A 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' "$base/"
	c -A 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' "$base/shop/?orderby=price"
	c -A 'Mozilla/5.0' -d 'billing_email=asa%40example.se&payment_method=kco' "$base/?wc-ajax=update_order_review"
	c -A 'sqlmap/1.7' "$base/?id=1%27%20UNION%20SELECT%20user_pass%20FROM%20wp_users--"
	c -A 'Mozilla/5.0' "$base/?s=%3Cscript%3Ealert(1)%3C/script%3E"
	# the catalogue's callbacks (probe's report: which ones the server blocked)
	# shellcheck disable=SC2086
	"$bin" probe --checks none --format json --host "$HOST" --order-id "$ORDER_A" --url-form path,query $rargs \
		--error-log "$ERRLOG" "$base" >"$out.probe-a.json" 2>"$out.probe-a.err"
	# a payment callback no catalogue knows (Amazon Pay's notification; the
	# catalogue has PayPal's IPN since the providers' catalogues), blocked
	c -A 'Amazon Simple Notification Service Agent' \
		-d "txn_id=61E67681CH3238416&custom=%7B%22order_id%22%3A4711%7D&memo=1%27%20or%201%3D1--%20" \
		"$base/wc-api/WC_Gateway_Amazon_Payments_Advanced/"
	# the push again, for another order: counts and order lists
	# shellcheck disable=SC2086
	"$bin" probe --checks none --format json --host "$HOST" --order-id "$ORDER_B" --callback kco-push \
		--url-form path $rargs --error-log "$ERRLOG" "$base" >"$out.probe-b.json" 2>"$out.probe-b.err"
	c -A 'Mozilla/5.0' "$base/checkout/"
}

start_backend || { echo "0 passed, 1 failed"; exit 1; }

# run_traffic SERVER RULESET [TYPE]: start, send the traffic, stop; sets
# LOGD (the logs), TAG, RARGS
run_traffic() {
	server=$1 rs=$2 type=${3:-}
	files=$(ruleset_files "$server" "$rs")
	rargs=
	for f in $files; do rargs="$rargs -r $f"; done
	RARGS=$rargs
	TAG=$server-$rs${type:+-$type}
	# shellcheck disable=SC2086
	if [ "$server" = nginx ]; then start_nginx_logging "$TAG" "${type:-JSON}" $files; else start_apache_logging "$TAG" "$type" $files; fi ||
		{ fail "$TAG: server did not start"; return 1; }
	traffic "http://127.0.0.1:$PORT" "$tmp/out/$TAG"
	stop_pidfile "$tmp/run/$server-$TAG.pid"
	stop_pidfile "$tmp/run/$TAG.pid"
	LOGD=$tmp/logs/$TAG
}

if [ -n "$capture" ]; then
	for spec in "nginx demo" "nginx demo Native" "apache demo Serial" "apache demo Concurrent"; do
		# shellcheck disable=SC2086
		set -- $spec
		# part K (the rules that matched, in full) makes the files large:
		# the Serial capture keeps it, the Concurrent one does without
		AUDIT_PARTS=ABCFHKZ
		[ "${3:-}" = Concurrent ] && AUDIT_PARTS=ABCFHZ
		run_traffic "$@" || continue
		case $1-${3:-} in
		nginx-Native) cp "$LOGD/audit.log" "$capture/nginx-native-audit.log" ;;
		nginx-) cp "$LOGD/audit.log" "$capture/nginx-json-audit.log"
			grep 'ModSecurity: ' "$LOGD/error.log" >"$capture/nginx-error.log" ;;
		apache-Serial) gzip -9 -n <"$LOGD/audit.log" >"$capture/apache-serial-audit.log.gz"
			cp "$LOGD/error.log" "$capture/apache-error.log" ;;
		apache-Concurrent) rm -rf "$capture/apache-concurrent"
			mkdir -p "$capture/apache-concurrent"
			cp "$LOGD/audit.log" "$capture/apache-concurrent/index"
			cp -r "$LOGD/audit.d/." "$capture/apache-concurrent/" ;;
		esac
	done
	ls -lR "$capture"
	exit 0
fi

# ---- the checks ----
# expected OUT: "name|rule ids" of each callback the probe saw blocked
# (rule ids from the server's error log, as the probe reads them)
expected() {
	python3 - "$@" <<'PY'
import json, sys
seen = {}
for f in sys.argv[1:]:
    for c in json.load(open(f))["callbacks"]:
        if c.get("verdict") != "blocked":
            continue
        ids = seen.setdefault(c["name"], set())
        for r in c.get("blocking_rules") or []:
            ids.add(r["id"])
for n in sorted(seen):
    print(n + "|" + " ".join(str(i) for i in sorted(seen[n])))
PY
}
# found JSON: the same from the logs report (blocking and contributing ids)
found() {
	python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for c in sorted(j["callbacks"], key=lambda c: c["name"]):
    print(c["name"] + "|" + " ".join(str(i) for i in sorted(c["rule_ids"])))
PY
}
# covered EXPECTED FOUND: same callbacks, and the probe's ids among the log's
covered() {
	python3 - "$1" "$2" <<'PY'
import sys
def load(f):
    d = {}
    for l in open(f):
        n, _, ids = l.rstrip("\n").partition("|")
        d[n] = set(ids.split())
    return d
e, f = load(sys.argv[1]), load(sys.argv[2])
bad = []
if set(e) != set(f):
    bad.append("callbacks differ: server blocked %s, logs found %s" % (sorted(e), sorted(f)))
for n in e:
    if n in f and not e[n] <= f[n]:
        bad.append("%s: rule ids %s not in the log's %s" % (n, sorted(e[n] - f[n]), sorted(f[n])))
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
}
# orders JSON NAME...: each named callback lists ORDER_A; kco-push ORDER_B too
orders_ok() {
	python3 - "$1" "$ORDER_A" "$ORDER_B" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
a, b = sys.argv[2], sys.argv[3]
bad = []
for c in j["callbacks"]:
    # callbacks without an order in the request (KP's authorization) carry none
    if c["name"].startswith("kp-") or c["name"].startswith("wc-store"):
        continue
    if a not in c["order_ids"]:
        bad.append("%s lacks %s (has %s)" % (c["name"], a, c["order_ids"]))
    if c["name"] == "kco-push" and b not in c["order_ids"]:
        bad.append("kco-push lacks %s" % b)
pushed = any(c["name"] == "kco-push" for c in j["callbacks"])
if j["summary"]["orders_affected"] < (2 if pushed else 1):
    bad.append("orders_affected %s" % j["summary"]["orders_affected"])
un = [u for u in j["unmatched"] if u["path"] == "/wc-api/WC_Gateway_Amazon_Payments_Advanced/"]
if not un:
    bad.append("the Amazon Pay request is not listed as unmatched")
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
}

check_one() {	# SERVER RULESET [TYPE]
	run_traffic "$@" || return
	server=$1 rs=$2
	out=$tmp/out/$TAG
	expected "$out.probe-a.json" "$out.probe-b.json" >"$out.expected"
	if [ ! -s "$out.expected" ]; then
		fail "$TAG: the server blocked no callback (nothing to compare)"
		return
	fi
	# every log the server wrote: the audit log, then the error log
	for log in audit error; do
		src=$LOGD/$log.log
		[ "$log" = audit ] && [ "${3:-}" = Concurrent ] && src=$LOGD	# the index and its files
		"$bin" logs --format json "$src" >"$out.$log.json" 2>"$out.$log.err"
		st=$?
		if [ $st -ne 1 ]; then
			fail "$TAG $log log: logs exited $st (want 1): $(head -c 300 "$out.$log.err")"
			continue
		fi
		found "$out.$log.json" >"$out.$log.found"
		if [ "$log" = error ]; then
			# an error log names no User-Agent, and Apache's no method
			# or query: the callbacks sharing an endpoint merge there.
			# What must hold: every refusing rule of the audit log is
			# found, and the log's blocked payment requests are all seen
			python3 - "$out.audit.json" "$out.error.json" <<'PY' >"$out.error.diff"
import json, sys
a, e = (json.load(open(f)) for f in sys.argv[1:3])
def blocking(j):
    return {r["id"] for c in j["callbacks"] for r in c["rules"] if r["blocking"]}
bad = []
if not blocking(a) <= blocking(e):
    bad.append("refusing rules %s missing" % sorted(blocking(a) - blocking(e)))
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
			if [ $? -eq 0 ]; then ok "$TAG error log: the refusing rules $(tr '\n' ' ' <"$out.error.found" | head -c 200)"
			else fail "$TAG error log: $(cat "$out.error.diff")"; fi
			continue
		fi
		if why=$(covered "$out.expected" "$out.$log.found"); then
			ok "$TAG $log log: the $(wc -l <"$out.expected") callbacks the server blocked, with its rule ids"
		else
			fail "$TAG $log log: $why"
		fi
		if why=$(orders_ok "$out.$log.json"); then
			ok "$TAG $log log: order ids and the unmatched Amazon Pay request"
		else
			fail "$TAG $log log: $why"
		fi
	done

	# the replay through the server's rules: exclusions that, loaded into
	# the server before its rules, let every callback through
	files=$(ruleset_files "$server" "$rs")
	[ "$server" = apache ] && eng=v2 || eng=v3
	# shellcheck disable=SC2086
	"$bin" logs --format json $RARGS --engine $eng --exclusions "$out.excl.conf" \
		"$( [ "${3:-}" = Concurrent ] && echo "$LOGD" || echo "$LOGD/audit.log")" >"$out.replay.json" 2>"$out.replay.err"
	st=$?
	if [ $st -ne 1 ] || ! grep -q '^SecRule' "$out.excl.conf" 2>/dev/null; then
		fail "$TAG replay: logs -r exited $st, exclusions: $(grep -c '^SecRule' "$out.excl.conf" 2>/dev/null): $(head -c 300 "$out.replay.err")"
		return
	fi
	# On Apache, a callback testdata/parity/known-differences explains as
	# blocked by ModSecurity 2 only ([names]: v2 names JSON fields without
	# "json.") passes in libmodsecurity's replay and gets no exclusion
	v2only=
	if [ "$server" = apache ]; then
		v2only=$(awk '$1 == "apache" && $2 ~ /[+]excl$/ && $3 !~ /[*]/ && / \[names\] [0-9]+ matches in ModSecurity 2 only/ { print $3 }' \
			"$srcdir/testdata/parity/known-differences" | sort -u | tr '\n' ' ')
	fi
	if python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
v2only = sys.argv[2].split()
bad = [c["name"] for c in j["callbacks"] if c.get("still_blocked") is not True and c["name"] not in v2only]
bad += ["exclusion %s unverified" % x["rule_id"] for x in j["exclusions"] if not x["verified"]]
print(", ".join(bad)); sys.exit(1 if bad else 0)' "$out.replay.json" "$v2only" >"$out.replay.diff"; then
		ok "$TAG replay: every logged callback still blocked by today's rules${v2only:+ (but $v2only: ModSecurity 2 only)}, every exclusion verified"
	else
		fail "$TAG replay: $(cat "$out.replay.diff")"
	fi
	# shellcheck disable=SC2086
	if [ "$server" = nginx ]; then start_nginx_logging "$TAG-excl" JSON "$out.excl.conf" $files; else start_apache_logging "$TAG-excl" Serial "$out.excl.conf" $files; fi ||
		{ fail "$TAG: server with the exclusions did not start"; return; }
	# shellcheck disable=SC2086
	"$bin" probe --checks none --format json --host "$HOST" --order-id "$ORDER_A" --url-form path,query \
		$(sed 's/|.*//' "$out.expected" | grep -v -x -F "$(echo "$v2only" | tr ' ' '\n' | grep .)" | sed 's/^/--callback /') \
		"http://127.0.0.1:$PORT" >"$out.probe-excl.json" 2>&1
	st=$?
	stop_pidfile "$tmp/run/$server-$TAG-excl.pid"
	stop_pidfile "$tmp/run/$TAG-excl.pid"
	if [ $st -eq 0 ]; then
		ok "$TAG: with the exclusions from its logs the server lets the callbacks through${v2only:+ (but $v2only: ModSecurity 2 only, see known-differences)}"
	else
		fail "$TAG: with the exclusions the server still blocks: $(python3 -c '
import json, sys
print(" ".join(c["name"] + "/" + c["url_form"] for c in json.load(open(sys.argv[1]))["callbacks"] if c["verdict"] != "passed"))' "$out.probe-excl.json" 2>&1 | head -c 300)"
	fi
}

# MCA_LOGS_SPECS narrows a run while debugging: "SERVER RULESET [TYPE],..."
specs=${MCA_LOGS_SPECS:-nginx demo,nginx crs,nginx demo Native,apache demo Serial,apache demo Concurrent,apache crs Serial}
old_ifs=$IFS
IFS=,
for spec in $specs; do
	IFS=$old_ifs
	# shellcheck disable=SC2086
	check_one $spec
done
IFS=$old_ifs

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
