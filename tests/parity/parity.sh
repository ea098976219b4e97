#!/bin/sh
# Parity with real servers (part of `make check`).
#
# Starts real nginx + libnginx-mod-http-modsecurity (libmodsecurity 3) and
# real Apache + libapache2-mod-security2 (ModSecurity 2.9) on 127.0.0.1,
# with private configs in a temporary directory (free ports chosen now,
# pid and log files there, workers as www-data when run as root), behind
# them a tiny nginx backend answering 200 "-1" like WooCommerce. For each
# server and rule set (the demo set, Debian's CRS 3.3.4 at PL1 and PL4, a
# JSON-body blocker) it runs
#   modsec-callback-audit --format json (the same files the server loads)
#   modsec-callback-audit probe --error-log (the server's error log)
# and compares every callback: same verdict, same blocking rule ids. Then
# it loads the audit's --exclusions file into the server (before the rules)
# and probes again: every callback must pass.
#
# A row that differs passes only when testdata/parity/known-differences
# explains that difference (ModSecurity 2 and 3 genuinely differ); anything
# else fails. The table is printed here (the test's log), then a matrix of
# callbacks x servers x rule sets, then "N passed, N failed".
#
# Also: the backend serves a Wordfence-style 503 page and a Cloudflare-style
# 403 page, so the probe's classification is tested on real answers.
#
# Skips (exit 77) only when a package is missing, saying which.
# Environment (set by make check): MCA_BIN, MCA_SRCDIR, MCA_BUILDDIR;
# MCA_PARITY_KEEP=DIR keeps reports and logs, MCA_PARITY_SERVERS and
# MCA_PARITY_RULESETS narrow a run (a narrowed run is for debugging only).
set -u

bin=${MCA_BIN:-$PWD/modsec-callback-audit}
srcdir=${MCA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${MCA_BUILDDIR:-$PWD}
compare=$builddir/tests/parity/compare
known=$srcdir/testdata/parity/known-differences
PATH=$PATH:/usr/sbin:/sbin
export PATH

# .ci/run's sanitizer pass sets this: the servers were compared in the
# plain pass already, and this suite is most of the CI's time.
if [ -n "${MCA_PARITY_SKIP:-}" ]; then
	echo "SKIP: parity suite ($MCA_PARITY_SKIP)"
	exit 77
fi

# ---- what must be installed ----
. "$srcdir/tests/parity/servers.sh"
missing=$(servers_missing crs)
if [ -n "$missing" ]; then
	echo "SKIP: the parity suite needs real servers; missing:$missing"
	echo "      (apt-get install nginx libnginx-mod-http-modsecurity apache2 libapache2-mod-security2 modsecurity-crs)"
	exit 77
fi
for f in "$bin" "$compare" "$known"; do
	[ -e "$f" ] || { echo "parity: $f is missing"; echo "0 passed, 1 failed"; exit 1; }
done

FAKE_ID=00000000-0000-4000-8000-000000000000
HOST=shop.example.com

servers_workdir parity "${MCA_PARITY_KEEP:-}" || { echo "parity: mktemp failed"; echo "0 passed, 1 failed"; exit 1; }

# ---- the servers under test ----
# start_nginx TAG FILE...: nginx + ModSecurity 3 loading each FILE as one
# modsecurity_rules_file, in order (servers.sh). Sets PORT and ERRLOG.
# The probe's marker becomes ModSecurity's transaction id in its error log.
NGX_HTTP_EXTRA='  map $http_x_modsec_callback_audit $mca_marker {
    "~^probe (?<m>[0-9a-f]+)$" $m;
    default $request_id;
  }'
NGX_SERVER_EXTRA='    modsecurity_transaction_id $mca_marker;'
start_nginx() {
	tag=$1; shift
	start_modsec_nginx "$tag" "$tmp/logs/nginx-$tag.error.log" "$@"
}

# start_apache TAG FILE...: Apache + mod_security2 including each FILE in
# order (servers.sh). Sets PORT and ERRLOG.
start_apache() {
	tag=$1; shift
	start_modsec_apache "$tag" "$tmp/logs/apache-$tag.error.log" "$@"
}

# ---- the rule sets, per server: the files each server loads, in order ----
D=$srcdir/rules/demo
P=$srcdir/testdata/parity
# The demo's engine file names the server's own paths (its audit log under
# /var/log/nginx, which nginx creates at load time even when a later load
# switches it off): nginx and the audit load a copy pointing into $tmp.
sed -e "s|^SecAuditLog .*|SecAuditLog $tmp/logs/modsec_audit.log|" \
    -e "s|^SecDataDir .*|SecDataDir $tmp/ngx-temp|" \
    -e "s|^SecTmpDir .*|SecTmpDir $tmp/ngx-temp|" \
    "$D/modsecurity.conf" >"$tmp/conf/modsecurity.conf"
ruleset_files() {	# SERVER RULESET
	case $1 in
	nginx) engine=$tmp/conf/modsecurity.conf; crs=$P/crs-v3.conf ;;
	apache) engine=$P/modsecurity-v2.conf; crs=$D/crs.conf ;;
	esac
	case $2 in
	demo)
		# Apache resolves relative Includes against ServerRoot: it gets
		# the vendor set's numbered files, as cPanel writes them
		if [ "$1" = nginx ]; then
			echo "$engine $D/comodo-style/rules.conf.main $crs"
		else
			echo "$engine $D/comodo-style/02_Global_Generic.conf $D/comodo-style/10_HTTP_HTTPDoS.conf $crs"
		fi ;;
	crs-pl1) echo "$engine $crs" ;;
	crs-pl4) echo "$engine $P/crs-pl4.conf $crs" ;;
	json) echo "$engine $P/json-blocker.conf" ;;
	# Apache only (V2_RULESETS below): what the audit emulates of ModSecurity 2
	json-names) echo "$engine $P/json-names-v2.conf" ;;
	points) echo "$engine $P/cwaf-points.conf" ;;
	apache-directives) echo "$engine $P/apache-directives.conf" ;;
	v2-syntax) echo "$engine $P/v2-syntax.conf" ;;
	crs4-pl2) echo "$engine $tmp/conf/crs4-pl2.conf $tmp/conf/crs4.conf" ;;
	esac
}
# audit_files SERVER RULESET: what the audit loads when it differs from the
# server's files (then with the options that stand for the difference)
audit_files() {
	case $2 in
	# the server's level comes from a file setting CRS 4's
	# tx.blocking_paranoia_level (as an admin sets it); the audit gets
	# CRS 4 alone and --paranoia 2
	crs4-pl2) echo "--paranoia 2 -r $P/modsecurity-v2.conf -r $tmp/conf/crs4.conf" ;;
	esac
}
C4=$srcdir/testdata/crs4
printf 'Include %s/crs-setup.conf.example\nInclude %s/rules/*.conf\n' "$C4" "$C4" >"$tmp/conf/crs4.conf"
echo 'SecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.blocking_paranoia_level=2"' >"$tmp/conf/crs4-pl2.conf"

rows=$tmp/out/rows
: >"$rows"

start_backend || { echo "0 passed, 1 failed"; exit 1; }

run_one() {	# SERVER RULESET
	server=$1 rs=$2
	files=$(ruleset_files "$server" "$rs")
	rargs=
	for f in $files; do rargs="$rargs -r $f"; done
	aargs=$(audit_files "$server" "$rs")
	[ -n "$aargs" ] || aargs=$rargs
	out=$tmp/out/$server-$rs
	# the audit, on the same files, with the probe's order id, client and marker header
	# shellcheck disable=SC2086
	# (PL4 needs about 10 exclusion rounds to verify everything)
	# the audit reads the rules as the server does: ModSecurity 2 for Apache
	eng=v3
	[ "$server" = apache ] && eng=v2
	"$bin" --format json --engine $eng $aargs --host "$HOST" --client-ip 127.0.0.1 --order-id "$FAKE_ID" --max-rounds 20 \
		-H 'X-Modsec-Callback-Audit: probe 0000000000000000' \
		--exclusions "$out.excl.conf" >"$out.audit.json" 2>"$out.audit.err"
	st=$?
	if [ $st -gt 1 ]; then
		fail "$server $rs: the audit exited $st: $(head -c 300 "$out.audit.err")"
		return
	fi
	# shellcheck disable=SC2086
	"start_$server" "$rs" $files || { fail "$server $rs: server did not start"; return; }
	# shellcheck disable=SC2086
	"$bin" probe --format json --host "$HOST" --error-log "$ERRLOG" $rargs --timeout 20 \
		"http://127.0.0.1:$PORT" >"$out.probe.json" 2>"$out.probe.err"
	st=$?
	stop_pidfile "$tmp/run/$server-$rs.pid"
	if [ $st -gt 1 ]; then
		fail "$server $rs: the probe exited $st: $(head -c 300 "$out.probe.err")"
		return
	fi
	"$compare" parity "$server" "$rs" "$out.audit.json" "$out.probe.json" "$known" >"$out.rows" 2>&1
	cat "$out.rows" >>"$rows"
	grep -q '^ROW' "$out.rows" || fail "$server $rs: compare printed no row: $(head -c 300 "$out.rows")"

	# the exclusions, loaded before the rules, make every callback pass
	# (where the audit verified them; where it did not, the server agrees)
	if grep -q '^SecRule' "$out.excl.conf" 2>/dev/null; then
		# shellcheck disable=SC2086
		"start_$server" "$rs-excl" "$out.excl.conf" $files || { fail "$server $rs: server with exclusions did not start"; return; }
		# shellcheck disable=SC2086
		"$bin" probe --format json --host "$HOST" --error-log "$ERRLOG" $rargs --timeout 20 \
			"http://127.0.0.1:$PORT" >"$out.probe-excl.json" 2>"$out.probe-excl.err"
		st=$?
		stop_pidfile "$tmp/run/$server-$rs-excl.pid"
		if [ $st -gt 1 ]; then
			fail "$server $rs: the probe with exclusions exited $st: $(head -c 300 "$out.probe-excl.err")"
			return
		fi
		"$compare" exclusions "$server" "$rs+excl" "$out.audit.json" "$out.probe-excl.json" "$known" >"$out.excl-rows" 2>&1
		cat "$out.excl-rows" >>"$rows"
	fi
}

# MCA_PARITY_SERVERS / MCA_PARITY_RULESETS narrow a run while debugging
for server in ${MCA_PARITY_SERVERS:-nginx apache}; do
	for rs in ${MCA_PARITY_RULESETS:-demo crs-pl1 crs-pl4 json}; do
		run_one "$server" "$rs"
	done
done
# ModSecurity 2 only, against the audit's --engine v2: JSON arguments'
# names (arrays, nested objects), Comodo's points mode (214310), Apache
# directives inside a rule file, CRS 4 at paranoia level 2 (--paranoia 2),
# translated v2 syntax (a comma in a setvar value, ctl:ruleRemoveByMsg)
case " ${MCA_PARITY_SERVERS:-apache} " in *" apache "*)
	for rs in ${MCA_PARITY_V2_RULESETS-json-names points apache-directives crs4-pl2 v2-syntax}; do
		run_one apache "$rs"
	done ;;
esac

# ---- exclusions where each ecosystem expects them, in the real servers ----
# (tests/crs-plugin.sh checks the same files through libmodsecurity)
# nginx + a real CRS 4 release (testdata/crs4, v4.20.0) + the Comodo-style
# set, with the audit's woocommerce-callbacks plugin in CRS's plugin slots:
# every callback passes, attacks on the callbacks' paths are still caught.
# Apache + mod_security2 + the Comodo-style set + the rules the WHM API
# script adds to modsec2.user.conf: every callback passes.
if [ -z "${MCA_PARITY_SERVERS:-}" ]; then
	mkdir -p "$tmp/crs4-plugins"
	printf 'Include %s/crs-setup.conf.example\nInclude %s/*-config.conf\nInclude %s/*-before.conf\nInclude %s/rules/*.conf\nInclude %s/*-after.conf\n' \
		"$C4" "$tmp/crs4-plugins" "$tmp/crs4-plugins" "$C4" "$tmp/crs4-plugins" >"$tmp/conf/crs4-plugins.conf"
	"$bin" -r "$tmp/conf/modsecurity.conf" -r "$tmp/conf/crs4.conf" -r "$D/comodo-style/rules.conf.main" \
		--no-attack-probes --host "$HOST" --dialect crs-plugin --exclusions-dir "$tmp/crs4-plugins" \
		>"$tmp/out/crs4.txt" 2>"$tmp/out/crs4.err"
	if [ -s "$tmp/crs4-plugins/woocommerce-callbacks-before.conf" ] &&
	   start_nginx crs4plugin "$tmp/conf/modsecurity.conf" "$tmp/conf/crs4-plugins.conf" "$D/comodo-style/rules.conf.main"; then
		"$bin" probe --format json --host "$HOST" --error-log "$ERRLOG" --timeout 20 \
			-r "$tmp/conf/modsecurity.conf" -r "$tmp/conf/crs4-plugins.conf" -r "$D/comodo-style/rules.conf.main" \
			"http://127.0.0.1:$PORT" >"$tmp/out/crs4-probe.json" 2>"$tmp/out/crs4-probe.err"
		st=$?
		# judged on the callbacks' verdicts (the probe's readiness checks of a
		# 127.0.0.1 test server may fail and set its exit status)
		if [ $st -le 1 ] && grep -q '"verdict":[[:space:]]*"passed"' "$tmp/out/crs4-probe.json" &&
		   ! grep -q '"verdict":[[:space:]]*"blocked"' "$tmp/out/crs4-probe.json"; then
			ok "nginx + CRS 4.20.0 + the woocommerce-callbacks plugin: every callback passes"
		else
			fail "nginx + CRS 4 + plugin: the probe exited $st: $(grep -E '"(name|verdict)"' "$tmp/out/crs4-probe.json" | tr -d '\t\n' | head -c 600) $(head -c 300 "$tmp/out/crs4-probe.err")"
		fi
		for u in "/wc-api/KCO_WC_Push/?kco-action=push&kco_wc_order_id=%3Cscript%3Ealert(1)%3C%2Fscript%3E" \
			 "/wc-api/KCO_WC_Validation/?kco_wc_order_id=1%27%20UNION%20SELECT%20password%20FROM%20wp_users--%20-" \
			 "/index.php/wc-api/KCO_WC_Validation/?x=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"; do
			code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Host: $HOST" -H 'Content-Type: application/json' \
				--data '{"order_id":"b6d2a5e4"}' "http://127.0.0.1:$PORT$u" 2>/dev/null)
			if [ "$code" = 403 ]; then
				ok "nginx + CRS 4 + plugin: attack on a callback path still caught (403): $u"
			else
				fail "nginx + CRS 4 + plugin: attack $u answered ${code:-nothing}, expected 403"
			fi
		done
		stop_pidfile "$tmp/run/nginx-crs4plugin.pid"
	else
		fail "nginx + CRS 4 + plugin: no plugin written or nginx did not start: $(head -c 300 "$tmp/out/crs4.err")"
	fi

	"$bin" --engine v2 -r "$P/modsecurity-v2.conf" -r "$D/comodo-style/rules.conf.main" --no-attack-probes \
		--host "$HOST" --client-ip 127.0.0.1 --dialect whmapi --exclusions-dir "$tmp/out" >/dev/null 2>"$tmp/out/whm.err"
	sed -n 's/^whmapi1 modsec_add_rule config=modsec2.user.conf rule=//p' "$tmp/out/klarna-exclusions.whmapi.sh" |
		awk 'BEGIN { for (i = 0; i < 256; i++) hex[sprintf("%02X", i)] = sprintf("%c", i) }
		     { out = ""; s = $0
		       while ((i = index(s, "%")) > 0) { out = out substr(s, 1, i - 1) hex[substr(s, i + 1, 2)]; s = substr(s, i + 3) }
		       print out s; print "" }' >"$tmp/conf/modsec2.user.conf"
	# (Apache resolves relative Includes against ServerRoot: the vendor set's numbered files)
	if bash -n "$tmp/out/klarna-exclusions.whmapi.sh" && grep -q '^SecRule' "$tmp/conf/modsec2.user.conf" &&
	   start_apache whmapi "$P/modsecurity-v2.conf" "$D/comodo-style/02_Global_Generic.conf" \
		"$D/comodo-style/10_HTTP_HTTPDoS.conf" "$tmp/conf/modsec2.user.conf"; then
		"$bin" probe --format json --host "$HOST" --error-log "$ERRLOG" --timeout 20 \
			-r "$P/modsecurity-v2.conf" -r "$D/comodo-style/rules.conf.main" -r "$tmp/conf/modsec2.user.conf" \
			"http://127.0.0.1:$PORT" >"$tmp/out/whm-probe.json" 2>"$tmp/out/whm-probe.err"
		st=$?
		if [ $st -le 1 ] && grep -q '"verdict":[[:space:]]*"passed"' "$tmp/out/whm-probe.json" &&
		   ! grep -q '"verdict":[[:space:]]*"blocked"' "$tmp/out/whm-probe.json"; then
			ok "Apache + mod_security2 with the WHM API script's rules as modsec2.user.conf: every callback passes"
		else
			fail "Apache + WHM API rules: the probe exited $st: $(grep -E '"(name|verdict)"' "$tmp/out/whm-probe.json" | tr -d '\t\n' | head -c 600)"
		fi
		stop_pidfile "$tmp/run/apache-whmapi.pid"
	else
		fail "Apache + WHM API rules: script, rules or server: $(head -c 300 "$tmp/out/whm.err")"
	fi
fi

# ---- the probe's classification on real answers ----
classify_check() {	# NAME BASEPATH VERDICT BLOCKER STATUS
	j=$tmp/out/classify-$1.json
	"$bin" probe --format json --callback kco-validation --url-form path --host "$HOST" \
		"http://127.0.0.1:$BACK_PORT$2" >"$j" 2>"$tmp/out/classify-$1.err"
	if grep -Eq "\"verdict\":[[:space:]]*\"$3\"" "$j" &&
	   grep -Eq "\"blocker\":[[:space:]]*$4" "$j" &&
	   grep -Eq "\"status\":[[:space:]]*$5," "$j"; then
		ok "classify: $1 ($2) -> $3, blocker $4, status $5"
	else
		fail "classify: $1 ($2) expected $3/$4/$5, got: $(grep -E '"(verdict|blocker|status|evidence)"' "$j" | tr -d '\t\n')"
	fi
}
classify_check wordfence /wordfence blocked '"wordfence"' 503
classify_check cloudflare /cloudflare blocked '"cloudflare"' 403
classify_check woocommerce "" passed null 200
# a 403 that nginx itself gives ("directory index ... is forbidden") is not
# ModSecurity's: without --error-log the probe must not say it is
mkdir -p "$tmp/www/dirindex/wc-api/KCO_WC_Validation"
classify_check nginx-dirindex /dirindex blocked '"unknown"' 403
# what reached the backend: the marker header and the fake order id, never a real-looking one
if grep -q "kco_wc_order_id=$FAKE_ID" "$tmp/logs/backend.access.log" &&
   grep -Eq '\|probe [0-9a-f]{16}\|APIs-Klarna$' "$tmp/logs/backend.access.log" &&
   ! grep -q 'b6d2a5e4-3f1c-4d8e-9a7b-2c5e8f1d4a93' "$tmp/logs/backend.access.log"; then
	ok "probe requests carry the fake order id and the marker header"
else
	fail "probe requests: marker header or fake order id missing in the backend's access log"
fi
# the markers are unique per request
if [ "$(cut -d'|' -f2 "$tmp/logs/backend.access.log" | grep -c '^probe ')" = \
     "$(cut -d'|' -f2 "$tmp/logs/backend.access.log" | grep '^probe ' | sort -u | wc -l)" ]; then
	ok "each probe request has its own marker"
else
	fail "markers repeat across probe requests"
fi

# ---- the table ----
echo
echo "== parity table: callback x URL form x server x rule set"
echo "   (audit = libmodsecurity in-process; probe = the real server, rule ids from its error log)"
grep '^ROW' "$rows" | sed 's/^ROW //'
echo
echo "== matrix: = equal in every URL form, E<n> explained difference (see below), X unexplained"
awk -F'|' '
	/^ROW / {
		split($1, f, " ")
		st = f[2]; col = f[3] "/" f[4]; cb = f[5]
		if (!(col in cols)) { cols[col] = ++ncol; colname[ncol] = col }
		if (!(cb in cbs)) { cbs[cb] = ++ncb; cbname[ncb] = cb }
		key = cb SUBSEP col
		note = $4; sub(/^ +/, "", note); sub(/ +$/, "", note)
		if (st == "FAIL") cell[key] = "X"
		else if (st == "explained") {
			if (!(note in expl)) { expl[note] = ++nexpl; explname[nexpl] = note }
			if (cell[key] != "X") cell[key] = "E" expl[note]
		} else if (!(key in cell)) cell[key] = "="
	}
	END {
		printf "%-28s", "callback"
		for (c = 1; c <= ncol; c++) printf " %s", colname[c]
		printf "\n"
		for (r = 1; r <= ncb; r++) {
			printf "%-28s", cbname[r]
			for (c = 1; c <= ncol; c++) {
				k = cbname[r] SUBSEP colname[c]
				printf " %-" length(colname[c]) "s", (k in cell) ? cell[k] : "."
			}
			printf "\n"
		}
		for (e = 1; e <= nexpl; e++) printf "E%d: %s\n", e, explname[e]
	}' "$rows"
echo

rp=$(grep -c '^ROW \(equal\|explained\)' "$rows")
rf=$(grep -c '^ROW FAIL' "$rows")
passed=$((passed + rp))
failed=$((failed + rf))
[ "$rf" -eq 0 ] || { echo "unexplained differences:"; grep '^ROW FAIL' "$rows"; }
# the servers write only into $tmp: no config of ours names a system path
if grep -rn '/var/' "$tmp/conf"; then
	fail "a server config names a path outside the temporary directory"
else
	ok "the servers' configs write only into the temporary directory"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
