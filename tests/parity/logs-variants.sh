#!/bin/sh
# The logs command on the log configurations real hosts use that logs.sh
# does not (part of `make check`): real Apache + mod_security2 and nginx +
# libmodsecurity 3 on 127.0.0.1, the demo rule set, the same traffic as
# logs.sh in miniature (ordinary requests, attacks, the catalogue's
# callbacks sent by `probe`), written as:
#   apache-json-serial      SecAuditLogFormat JSON, Serial (mod_security2's
#                           own JSON shape, not libmodsecurity 3's)
#   apache-json-concurrent  the same, Concurrent
#   apache-cpanel           cPanel/EasyApache: Concurrent, storage directory
#                           modsec_audit/ beside the index modsec_audit.log,
#                           parts ABIJDEFHZ, client IPv6 (mod_remoteip)
#   apache-noBody           parts AFHZ (no request, no body): Concurrent,
#                           the request line from the index
#   apache-errfmt-cu        ErrorLogFormat "[%{cu}t] [%-m:%l] ..." (ISO times)
#   apache-errfmt-notime    ErrorLogFormat without a time (logs piped to a
#                           logger that adds its own)
#   apache-detection        SecRuleEngine DetectionOnly: nothing refused
#   nginx-concurrent-json   libmodsecurity 3 Concurrent, JSON: one file per
#                           transaction, and its index
#   nginx-concurrent-native the same, native
#   nginx-warn              nginx error_log at warn: only the refusals
#   nginx-detection         SecRuleEngine DetectionOnly, JSON: nothing refused
#   nginx-app-status        a Stripe webhook the application answers 503
#                           (a bad signature secret, a fatal error) that CRS
#                           only warned about: logged (RelevantStatus), not
#                           refused by ModSecurity; an attack for contrast
# For each: `logs` reads what the server wrote without an error and finds
# the callbacks the server refused (the probe's report) with their order
# ids; DetectionOnly: none refused, exit 0.
#
# Skips (exit 77) when a server is missing. Environment: MCA_BIN,
# MCA_SRCDIR, MCA_PARITY_SKIP, MCA_LOGS_KEEP=DIR (keep the logs),
# MCA_VARIANTS="name ..." (only these).
#
# `logs-variants.sh --capture DIR` writes small captures of some variants
# to DIR (testdata/logs/variants/ was made that way; see its README).
set -u

bin=${MCA_BIN:-$PWD/modsec-callback-audit}
srcdir=${MCA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PATH=$PATH:/usr/sbin:/sbin
export PATH
capture=
if [ "${1:-}" = --capture ]; then
	capture=${2:?usage: logs-variants.sh --capture DIR}
	mkdir -p "$capture" && capture=$(cd "$capture" && pwd)
fi

if [ -n "${MCA_PARITY_SKIP:-}" ] && [ -z "$capture" ]; then
	echo "SKIP: logs variants ($MCA_PARITY_SKIP)"
	exit 77
fi
. "$srcdir/tests/parity/servers.sh"
missing=$(servers_missing curl python3)
if [ -n "$missing" ]; then
	echo "SKIP: the logs variants need real servers; missing:$missing"
	exit 77
fi

HOST=shop.example.com
ORDER_A=5f0c3a9e-1b2d-4c6e-8f10-2a3b4c5d6e7f

servers_workdir logv "${MCA_LOGS_KEEP:-}" || { echo "0 passed, 1 failed"; exit 1; }


D=$srcdir/rules/demo
P=$srcdir/testdata/parity
sed -e "s|^SecAuditLog .*|SecAuditLog $tmp/logs/modsec_audit.log|" \
    -e "s|^SecDataDir .*|SecDataDir $tmp/ngx-temp|" \
    -e "s|^SecTmpDir .*|SecTmpDir $tmp/ngx-temp|" \
    "$D/modsecurity.conf" >"$tmp/conf/modsecurity.conf"
NGX_RULES="$tmp/conf/modsecurity.conf $D/comodo-style/rules.conf.main $P/crs-v3.conf"
AP_RULES="$P/modsecurity-v2.conf $D/comodo-style/02_Global_Generic.conf $D/comodo-style/10_HTTP_HTTPDoS.conf $D/crs.conf"

# traffic BASEURL OUT: ordinary requests, attacks (one from an IPv6 client
# when the server trusts X-Forwarded-For), the catalogue's callbacks
traffic() {
	base=$1 out=$2
	c() { curl -s -o /dev/null -m 10 -H "Host: $HOST" "$@"; }
	c -A 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' "$base/"
	c -A 'Mozilla/5.0' -e 'https://shop.example.com/cart/' -d 'billing_email=asa%40example.se&payment_method=kco' "$base/?wc-ajax=update_order_review"
	c -A 'sqlmap/1.7' -H 'X-Forwarded-For: 2001:db8::5' "$base/?id=1%27%20UNION%20SELECT%20user_pass%20FROM%20wp_users--"
	c -A 'Mozilla/5.0' "$base/?s=%3Cscript%3Ealert(1)%3C/script%3E"
	# shellcheck disable=SC2086
	"$bin" probe --checks none --format json --host "$HOST" --order-id "$ORDER_A" --url-form path,query \
		${CLIENT_IP:+-H "X-Forwarded-For: $CLIENT_IP"} $RARGS "$base" >"$out.probe.json" 2>"$out.probe.err"
	c -A 'Mozilla/5.0' "$base/checkout/"
}

# app_traffic BASEURL: a Stripe webhook to a numeric Host (CRS 920350, a
# warning under the anomaly threshold) that the application answers 503,
# and an attack ModSecurity refuses
app_traffic() {
	curl -s -o /dev/null -m 10 -H "Host: 127.0.0.1" -A 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' \
		-H 'Content-Type: application/json; charset=utf-8' -H 'Stripe-Signature: t=1710410321,v1=5257a869e7' \
		-d '{"id":"evt_3OuBQ2LkdIwHu7ix0Yh3sPq1","object":"event","type":"payment_intent.succeeded"}' \
		"$1/?wc-api=wc_stripe"
	curl -s -o /dev/null -m 10 -H "Host: $HOST" -A 'sqlmap/1.7' "$1/?id=1%27%20UNION%20SELECT%20user_pass%20FROM%20wp_users--"
}

# variant NAME: sets SERVER, EXTRA (Apache's extra configuration), READ
# (what `logs` is given, relative to the log directory), WANT (refused or
# none), MATCH (exact: the callbacks the probe saw refused; endpoint: no
# headers were logged, so callbacks differing only in them merge), and
# writes the audit log directives
variant() {
	SERVER=apache EXTRA= READ=audit.log WANT=refused NGX_ERRLOG_LEVEL=info MATCH=exact CLIENT_IP=
	parts=ABCFHKZ type=Serial fmt=Native storage='$d/audit.d' index='$d/audit.log' engine=
	case $1 in
	apache-json-serial) fmt=JSON parts=${CAPTURE_PARTS:-$parts} ;;
	apache-json-concurrent) fmt=JSON type=Concurrent READ=. ;;
	apache-cpanel) type=Concurrent parts=ABIJDEFHZ storage='$d/modsec_audit' index='$d/modsec_audit.log' READ=.
		CLIENT_IP=2001:db8::7
		EXTRA="LoadModule remoteip_module $AP_MODS/mod_remoteip.so
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 127.0.0.1" ;;
	apache-noBody) type=Concurrent parts=AFHZ READ=. MATCH=endpoint ;;
	apache-errfmt-cu) READ=error.log
		EXTRA='ErrorLogFormat "[%{cu}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i"' ;;
	apache-errfmt-notime) READ=error.log
		EXTRA='ErrorLogFormat "[%-m:%l] [pid %P] [client %a] %M"' ;;
	apache-detection) engine='SecRuleEngine DetectionOnly' WANT=none ;;
	nginx-concurrent-json) SERVER=nginx type=Concurrent fmt=JSON READ=. parts=${CAPTURE_PARTS:-$parts} ;;
	nginx-concurrent-native) SERVER=nginx type=Concurrent READ=. ;;
	nginx-warn) SERVER=nginx READ=error.log NGX_ERRLOG_LEVEL=warn ;;
	nginx-detection) SERVER=nginx fmt=JSON engine='SecRuleEngine DetectionOnly' WANT=none ;;
	nginx-app-status) SERVER=nginx fmt=JSON WANT=app ;;
	*) return 1 ;;
	esac
	d=$tmp/logs/$1
	mkdir -p "$d"
	eval "storage=\"$storage\" index=\"$index\""
	mkdir -p "$storage"
	[ -n "$RUNAS" ] && chown -R "$RUNAS" "$d"
	# nginx + libmodsecurity 3.0.9 kept the demo's "SecRuleEngine On"
	# when a later modsecurity_rules_file said DetectionOnly (observed):
	# there the engine file goes first; Apache takes the last one
	echo "$engine" >"$tmp/conf/engine-$1.conf"
	cat >"$tmp/conf/audit-$1.conf" <<EOF
$engine
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLogParts $parts
SecAuditLogType $type
SecAuditLogFormat $fmt
SecAuditLog $index
SecAuditLogStorageDir $storage
EOF
	# libmodsecurity 3 writes no file for a directive it lacks; both
	# servers take SecAuditLogFormat (mod_security2 built with yajl)
	LOGD=$d
	return 0
}

# expected PROBEJSON: the names of the callbacks the server refused
expected() {
	python3 -c '
import json, sys
for n in sorted({c["name"] for c in json.load(open(sys.argv[1]))["callbacks"] if c.get("verdict") == "blocked"}):
    print(n)' "$1"
}

check_variant() {
	name=$1
	variant "$name" || { fail "$name: no such variant"; return; }
	out=$tmp/out/$name
	export NGX_ERRLOG_LEVEL
	NGX_SERVER_EXTRA=
	# the application's own error: the backend's 503 page for the webhook
	[ "$WANT" = app ] && NGX_SERVER_EXTRA='    if ($args ~ "wc-api=wc_stripe") { rewrite ^ /wordfence/ break; }'
	export NGX_SERVER_EXTRA
	if [ "$SERVER" = nginx ]; then
		RARGS=
		for f in $NGX_RULES; do RARGS="$RARGS -r $f"; done
		# shellcheck disable=SC2086
		start_modsec_nginx "$name" "$LOGD/error.log" "$tmp/conf/engine-$name.conf" $NGX_RULES "$tmp/conf/audit-$name.conf" ||
			{ fail "$name: nginx did not start"; return; }
	else
		RARGS=
		for f in $AP_RULES; do RARGS="$RARGS -r $f"; done
		# shellcheck disable=SC2086
		APACHE_EXTRA=$EXTRA start_modsec_apache "$name" "$LOGD/error.log" $AP_RULES "$tmp/conf/audit-$name.conf" ||
			{ fail "$name: apache did not start"; return; }
	fi
	if [ "$WANT" = app ]; then
		app_traffic "http://127.0.0.1:$PORT"
	else
		traffic "http://127.0.0.1:$PORT" "$out"
	fi
	stop_pidfile "$tmp/run/nginx-$name.pid"
	stop_pidfile "$tmp/run/apache-$name.pid"
	: >"$out.expected"
	[ -f "$out.probe.json" ] && expected "$out.probe.json" >"$out.expected"
	"$bin" logs --format json "$LOGD/$READ" >"$out.json" 2>"$out.err"
	st=$?
	if [ "$WANT" = app ]; then
		if [ $st -eq 0 ] && python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
# both logged; only the attack refused; the webhook is no blocked callback
sys.exit(0 if j["input"]["records"] == 2 and j["input"]["blocked"] == 1 and not j["callbacks"] and not j["unmatched"] else 1)' "$out.json" &&
		   grep -q '"http_code":503' "$LOGD/audit.log" && grep -q '"ruleId":"920350"' "$LOGD/audit.log"; then
			ok "$name: the webhook the application answered 503 (CRS only warned, 920350) is not counted as refused"
		else
			fail "$name: logs exited $st: $(head -c 400 "$out.json") $(head -c 200 "$out.err")"
		fi
		return
	fi
	if [ "$WANT" = none ]; then
		# the log holds the would-be refusals as warnings: none counted,
		# in the audit log nor in the error log
		"$bin" logs --format json "$LOGD/error.log" >"$out.err.json" 2>>"$out.err"
		st2=$?
		if [ $st -eq 0 ] && [ $st2 -eq 0 ] && [ ! -s "$out.expected" ] &&
		   python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["input"]["records"] > 0 and j["input"]["blocked"] == 0 else 1)' "$out.json"; then
			ok "$name: nothing refused, logs exit 0 on its audit and error logs"
		else
			fail "$name: logs exited $st (want 0), server refused: $(tr '\n' ' ' <"$out.expected") $(head -c 300 "$out.err")"
		fi
		return
	fi
	if [ ! -s "$out.expected" ]; then
		fail "$name: the server refused no callback (nothing to compare)"
		return
	fi
	if [ $st -ne 1 ]; then
		fail "$name: logs exited $st (want 1): $(head -c 300 "$out.err")"
		return
	fi
	if why=$(python3 - "$out.json" "$out.expected" "$ORDER_A" "$READ" "$MATCH" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
want = set(open(sys.argv[2]).read().split())
got = {c["name"] for c in j["callbacks"]}
bad = []
# an error log names neither the User-Agent nor (Apache) the method: the
# callbacks sharing an endpoint merge there, so only the endpoint counts
if sys.argv[4] == "error.log":
    if not got:
        bad.append("no callback found (server refused %s)" % sorted(want))
else:
    if sys.argv[5] == "exact" and got != want:
        bad.append("server refused %s, logs found %s" % (sorted(want), sorted(got)))
    if sys.argv[5] == "endpoint" and not (got and got <= want):
        bad.append("server refused %s, logs found %s (not among them)" % (sorted(want), sorted(got)))
    for c in j["callbacks"]:
        if c["name"].startswith(("kp-", "wc-store")):
            continue
        if sys.argv[3] not in c["order_ids"]:
            bad.append("%s lacks order %s" % (c["name"], sys.argv[3]))
    if not all(c["first_seen"] for c in j["callbacks"]):
        bad.append("a callback without its time")
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
	); then
		ok "$name: $(wc -l <"$out.expected") refused callbacks found$(grep -q . "$out.err" && printf ' (%s)' "$(head -n 2 "$out.err" | tr '\n' ' ' | head -c 200)")"
	else
		fail "$name: $why"
	fi
	# the callbacks came from an IPv6 client (mod_remoteip): its address,
	# in the audit log and in Apache's "[client 2001:db8::7:0]" error lines
	if [ -n "$CLIENT_IP" ]; then
		"$bin" logs --format json "$LOGD/error.log" >"$out.errlog.json" 2>/dev/null
		if python3 -c '
import json, sys
for f in sys.argv[2:]:
    j = json.load(open(f))
    if not j["callbacks"] or any(c["source_ips"] != [sys.argv[1]] for c in j["callbacks"]):
        print(f, [c["source_ips"] for c in j["callbacks"]]); sys.exit(1)' "$CLIENT_IP" "$out.json" "$out.errlog.json"; then
			ok "$name: the IPv6 client $CLIENT_IP, from the audit log and the error log"
		else
			fail "$name: source addresses are not [$CLIENT_IP]"
		fi
	fi
	# Concurrent: the index alone finds its transactions' files (mod_security2
	# names them relative to the storage directory, libmodsecurity 3 absolute)
	if [ "$type" = Concurrent ]; then
		"$bin" logs --format json "$index" >"$out.index.json" 2>"$out.index.err"
		if python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
k = lambda j: sorted((c["name"], c["blocked"]) for c in j["callbacks"])
sys.exit(0 if k(a) == k(b) and a["input"]["skipped"] == b["input"]["skipped"] == 0 else 1)' "$out.json" "$out.index.json" 2>/dev/null; then
			ok "$name: the index alone reads the same transactions"
		else
			fail "$name: the index alone: $(head -c 300 "$out.index.err") $(head -c 300 "$out.index.json")"
		fi
	fi
}

start_backend || { echo "0 passed, 1 failed"; exit 1; }

if [ -n "$capture" ]; then
	# part K (every rule that matched) is most of a record: left out
	export CAPTURE_PARTS=ABCFHZ
	for v in ${MCA_VARIANTS:-apache-json-serial apache-errfmt-cu apache-errfmt-notime apache-noBody nginx-concurrent-json nginx-app-status}; do
		check_variant "$v"
		case $v in
		apache-json-serial) gzip -9 -n <"$LOGD/audit.log" >"$capture/apache-json-serial-audit.log.gz" ;;
		apache-errfmt-*) gzip -9 -n <"$LOGD/error.log" >"$capture/$v-error.log.gz" ;;
		nginx-app-status) cp "$LOGD/audit.log" "$capture/nginx-app-status-audit.json" ;;
		apache-noBody|nginx-concurrent-json)
			rm -rf "${capture:?}/$v"
			mkdir -p "$capture/$v"
			cp -r "$LOGD/audit.d/." "$capture/$v/"
			# small: one attack and three callbacks (the index's other
			# lines and their files are left out)
			python3 - "$LOGD/audit.log" "$capture/$v" <<'PY'
import os, re, sys
keep, names = [], set()
want = ["GET /?s=", "POST /wc-api/KCO_WC_Push/?", "POST /wc-api/KCO_WC_Validation/?kco_wc_order_id", "POST /wc-api/KP_WC_AUTHORIZATION "]
for line in open(sys.argv[1]):
    hit = [w for w in want if '"' + w in line]
    if hit and hit[0] not in names:
        names.add(hit[0])
        keep.append(line)
open(os.path.join(sys.argv[2], "index"), "w").writelines(keep)
kept = {l.split()[-4].rsplit("/", 1)[1] for l in keep}
for root, dirs, files in os.walk(sys.argv[2]):
    for f in files:
        if f != "index" and f not in kept:
            os.unlink(os.path.join(root, f))
PY
			;;
		esac
	done
	ls -lR "$capture"
	exit 0
fi
for v in ${MCA_VARIANTS:-apache-json-serial apache-json-concurrent apache-cpanel apache-noBody apache-errfmt-cu apache-errfmt-notime apache-detection nginx-concurrent-json nginx-concurrent-native nginx-warn nginx-detection nginx-app-status}; do
	check_variant "$v"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
