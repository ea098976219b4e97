#!/bin/sh
# Real Comodo WAF (CWAF) rule sets (and OWASP CRS 2.x release trees, the
# ModSecurity 2 era's set: a directory with base_rules/), audited and
# compared with real Apache 2.4
# + mod_security2 loaded with the same files. Comodo's rule text is under
# Comodo's licence: nothing of it is in this repository; give the path of a
# copy (a directory with rules.conf.main and the NN_*.conf files).
#
#   sh tests/real-sets.sh BIN COMPARE DIR...
#   (.ci/run runs it when MCA_CWAF_DIR names such directories, space-separated)
#
# For each DIR it builds, in a temporary directory, the layouts the sets are
# installed in:
#   cPanel:     etc/apache2/conf.d/modsec_vendor_configs/comodo_apache/ (each
#               file included in rules.conf.main's order, as cPanel writes
#               modsec2.cpanel.conf) after cPanel's engine settings
#   standalone: usr/local/cwaf/rules/ (Comodo's installer), included by glob
#   hosting:    a hosting company's Comodo-based variant, as its installer
#               lays it out on RHEL: etc/httpd/conf.d/waf.conf (engine
#               settings, Include modsecurity.d/*.conf) and
#               etc/httpd/modsecurity.d/ holding the set's files plus its
#               own 00_Global_Security.conf (Apache directives ServerSignature,
#               Header, Order, RewriteRule, <IfModule mod_rewrite.c>, and a
#               rule), PCRE1-only escapes in 07_XSS_XSS.conf (`[\i]`: its
#               servers run a PCRE1 build of mod_security2, where it means
#               `[i]`) and Comodo's points mode on (tx.points_blocking=on).
#               Built here from the set (nothing of it is in the repository).
# and for each:
#   1. `check --pcre 2` against `apache2 -t` (this machine's mod_security2 is
#      built with PCRE2): the audit says the server would not start exactly
#      when Apache refuses the files. Apache's refusals are then left out of
#      the copy (a commented-out rule) so Apache starts, as an admin would.
#   2. the audit (--pcre 1, timed; rules audited / translated / left out)
#   3. Apache started with the same files behind a backend, every callback
#      probed (--error-log gives the rule ids); tests/parity/compare says
#      whether each callback's verdict and blocking rules equal the audit's.
#      For hosting, this machine's mod_security2 (PCRE2) gets the files
#      with `[\i]` written `[i]` (what the PCRE1 server reads), the audit the
#      hosting tree itself with --pcre 1.
# Prints a summary per set and "N passed, N failed". Exit 77 (skip) when
# no DIR is given or Apache/nginx/mod_security2 are missing.
set -u
bin=$1; compare=$2; shift 2
if [ $# -eq 0 ]; then
	echo "SKIP: no CWAF copy given (set MCA_CWAF_DIR to run the real-set checks)"
	exit 77
fi
PATH=$PATH:/usr/sbin:/sbin
AP_MODS=/usr/lib/apache2/modules
for c in apache2 nginx; do
	command -v $c >/dev/null 2>&1 || { echo "SKIP: $c is not installed"; exit 77; }
done
[ -f "$AP_MODS/mod_security2.so" ] || { echo "SKIP: libapache2-mod-security2 is not installed"; exit 77; }

HOST=shop.example.com
FAKE_ID=00000000-0000-4000-8000-000000000000
tmp=$(mktemp -d /tmp/mca-real-XXXXXX) || exit 1
chmod 755 "$tmp"
mkdir -p "$tmp/run" "$tmp/logs" "$tmp/ngx" "$tmp/apache/lock" "$tmp/apache/data"
RUNAS=
if [ "$(id -u)" = 0 ]; then
	RUNAS=www-data
	id "$RUNAS" >/dev/null 2>&1 || RUNAS=nobody
	chown "$RUNAS" "$tmp/apache/data" "$tmp/ngx"
fi
passed=0 failed=0
ok() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

stop_pidfile() {
	[ -f "$1" ] || return 0
	pid=$(cat "$1" 2>/dev/null); rm -f "$1"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$pid" 2>/dev/null
	return 0
}
cleanup() {
	for pf in "$tmp"/run/*.pid; do stop_pidfile "$pf"; done
	[ -n "${MCA_REAL_KEEP:-}" ] && cp -r "$tmp" "$MCA_REAL_KEEP"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
port_in_use() { grep -q "$(printf ':%04X ' "$1")" /proc/net/tcp /proc/net/tcp6 2>/dev/null; }
pick_port() {
	while :; do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		port_in_use "$p" || { echo "$p"; return; }
	done
}
wait_port() {
	i=0; while [ $i -lt 100 ]; do [ -s "$2" ] && port_in_use "$1" && return 0; sleep 0.1; i=$((i + 1)); done
	return 1
}
now() { date +%s.%N; }

# the backend: WooCommerce's answer to a callback
BACK=$(pick_port)
cat >"$tmp/backend.conf" <<EOF
${RUNAS:+user $RUNAS;}
worker_processes 1;
pid $tmp/run/backend.pid;
error_log $tmp/logs/backend.error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $tmp/ngx/body; proxy_temp_path $tmp/ngx/proxy;
  fastcgi_temp_path $tmp/ngx/fcgi; uwsgi_temp_path $tmp/ngx/uwsgi; scgi_temp_path $tmp/ngx/scgi;
  server { listen 127.0.0.1:$BACK; location / { default_type "text/html"; return 200 "-1"; } }
}
EOF
nginx -p "$tmp" -c "$tmp/backend.conf" >"$tmp/logs/backend.start" 2>&1 && wait_port "$BACK" "$tmp/run/backend.pid" ||
	{ echo "real-sets: the backend did not start"; cat "$tmp/logs/backend.start"; echo "0 passed, 1 failed"; exit 1; }

# httpd.conf LAYOUT PORT: an Apache configuration loading the set as LAYOUT does
write_conf() {
	wl=$1 port=$2 root=$tmp/$1
	{
		echo "ServerRoot $tmp/apache"
		echo "PidFile $tmp/run/apache.pid"
		echo "Mutex file:$tmp/apache/lock default"
		echo "Listen 127.0.0.1:$port"
		echo "ServerName $HOST"
		[ -n "$RUNAS" ] && echo "User $RUNAS" && echo "Group $(id -gn "$RUNAS" 2>/dev/null || echo nogroup)"
		echo "ErrorLog $tmp/logs/apache-$wl.error.log"
		echo "LogLevel warn"
		for m in mpm_event authz_core unique_id proxy proxy_http headers rewrite access_compat security2; do
			echo "LoadModule ${m}_module $AP_MODS/mod_$m.so"
		done
		echo "StartServers 1"; echo "ServerLimit 1"; echo "ThreadsPerChild 8"; echo "MaxRequestWorkers 8"
		echo "<IfModule security2_module>"
		echo "    SecDataDir $tmp/apache/data"
		echo "    SecTmpDir $tmp/apache/data"
		echo "    Include $root/modsec2.conf"
		echo "</IfModule>"
		echo "ProxyPreserveHost On"
		echo "ProxyPass / http://127.0.0.1:$BACK/"
	} >"$root/httpd.conf"
}

# install DIR LAYOUT: the set's files where LAYOUT keeps them, and modsec2.conf
install_set() {
	dir=$1 layout=$2 root=$tmp/$2
	rm -rf "$root"; mkdir -p "$root"
	case $layout in
	cpanel) rules=$root/etc/apache2/conf.d/modsec_vendor_configs/comodo_apache ;;
	standalone) rules=$root/usr/local/cwaf/rules ;;
	hosting) rules=$root/etc/httpd/modsecurity.d ;;
	esac
	mkdir -p "$rules"
	cp -r "$dir"/. "$rules/"
	if [ "$layout" = hosting ]; then
		hosting_variant "$rules"
		mkdir -p "$root/etc/httpd/conf.d"
		{
			echo "# the hosting installer's waf.conf (RHEL: /etc/httpd/conf.d/waf.conf)"
			echo "<IfModule security2_module>"
			echo "    SecRuleEngine On"
			echo "    SecRequestBodyAccess On"
			echo "    SecAuditEngine RelevantOnly"
			echo "    SecAuditLog $tmp/logs/modsec_audit.log"
			echo "    Include $rules/*.conf"
			echo "</IfModule>"
		} >"$root/etc/httpd/conf.d/waf.conf"
		echo "Include $root/etc/httpd/conf.d/waf.conf" >"$root/modsec2.conf"
		RULES=$rules
		return
	fi
	{
		# cPanel's engine settings (WHM > ModSecurity Configuration defaults)
		echo "SecRuleEngine On"
		echo "SecRequestBodyAccess On"
		echo "SecAuditEngine RelevantOnly"
		echo "SecAuditLog $tmp/logs/modsec_audit.log"
		case $layout in
		cpanel)
			sed -n 's/^[[:space:]]*Include[[:space:]]*"\{0,1\}\([^"[:space:]]*\)"\{0,1\}.*/\1/p' "$rules/rules.conf.main" |
				while read -r f; do echo "Include \"$rules/${f##*/}\""; done ;;
		standalone)
			echo "Include $rules/*.conf" ;;
		esac
	} >"$root/modsec2.conf"
	RULES=$rules
}

# hosting_variant DIR: a hosting company's changes to the set in DIR
hosting_variant() {
	cat >"$1/00_Global_Security.conf" <<'EOF2'
# Global security settings (the hosting company's own file, read by Apache
# with the rule files: Apache directives and ModSecurity rules together)
ServerSignature Off
<IfModule mod_headers.c>
    Header always set X-Content-Type-Options nosniff
    Header always set X-Frame-Options SAMEORIGIN
</IfModule>
<IfModule mod_rewrite.c>
    RewriteEngine On
    RewriteCond %{REQUEST_METHOD} ^(TRACE|TRACK)
    RewriteRule .* - [F]
</IfModule>
<Files "xmlrpc.php">
    Order deny,allow
    Deny from all
</Files>
SecRule REQUEST_FILENAME "@endsWith /wp-login.php" \
    "id:9000010,phase:2,pass,nolog,t:none,setvar:'tx.hosting_login=1'"
SecRule REQUEST_HEADERS:User-Agent "@rx ^(?:curl|Wget|python-requests)/" \
    "id:9000020,phase:1,deny,status:403,log,t:none,msg:'Hosting: scripted client'"
EOF2
	# PCRE1-only escapes, as the hosting variant writes some of its XSS
	# patterns: \i is the letter i in PCRE1 (PCRE2 refuses it)
	sed -i -e 's/activexobject|expression/act[\\i]vexobject|expression/' \
	       -e 's/|<input|iframe)"/|<input|[\\i]frame)"/' \
	       -e 's/"\\\.execscript\\b"/"\\.execscr[\\i]pt\\b"/' \
	       -e 's/bjavascript:"/bjavascr[\\i]pt:"/' -e 's/bvbscript:"/bvbscr[\\i]pt:"/' "$1"/*_XSS_XSS.conf
	# Comodo's points mode, on
	sed -i 's/tx\.points_blocking=off/tx.points_blocking=on/' "$1"/*_Init_Initialization.conf
}

# Leave Apache's refusals out of the copy: comment out the directive
# `apache2 -t` names (it gives the last line of a continued directive).
apache_fixups() {
	fl=$1 n=0
	: >"$tmp/$fl.refused"
	while [ $n -lt 20 ]; do
		out=$(apache2 -d "$tmp/apache" -f "$tmp/$fl/httpd.conf" -t 2>&1) && return 0
		file=$(echo "$out" | sed -n 's/.*Syntax error on line [0-9]* of \([^:]*\):.*/\1/p' | head -n 1)
		line=$(echo "$out" | sed -n 's/.*Syntax error on line \([0-9]*\) of .*/\1/p' | head -n 1)
		[ -n "$file" ] && [ -n "$line" ] || { echo "$out" | tail -n 3; return 1; }
		echo "$file:$line: $(echo "$out" | tail -n 1)" >>"$tmp/$fl.refused"
		# from the directive's first line (the line after the previous one
		# that does not continue) to `line`
		awk -v end="$line" '
			{ l[NR] = $0 }
			END {
				s = end
				while (s > 1 && l[s - 1] ~ /\\[ \t]*$/) s--
				for (i = 1; i <= NR; i++) print (i >= s && i <= end ? "# [left out: Apache refuses it] " : "") l[i]
			}' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
		n=$((n + 1))
	done
	return 1
}

json_num() { sed -n "s/.*\"$2\":[[:space:]]*\([0-9]*\).*/\1/p" "$1" | head -n 1; }

for dir in "$@"; do
	name=$(basename "$dir")
	layouts="cpanel standalone hosting"
	if [ -d "$dir/base_rules" ] && [ -f "$dir/modsecurity_crs_10_setup.conf.example" ]; then
		# OWASP CRS 2.x (the ModSecurity 2 era's set, still on old cPanel
		# servers): its setup and base rules in one directory, listed in
		# a rules.conf.main, installed as the CWAF layouts install theirs
		# (the hosting layout is a CWAF variant: not for it)
		flat=$tmp/flat-$name
		mkdir -p "$flat"
		cp "$dir/modsecurity_crs_10_setup.conf.example" "$flat/modsecurity_crs_10_setup.conf"
		cp "$dir"/base_rules/*.conf "$dir"/base_rules/*.data "$flat/"
		for f in "$flat"/modsecurity_crs_*.conf; do echo "Include \"/usr/local/cwaf/rules/${f##*/}\""; done \
			>"$flat/rules.conf.main"
		dir=$flat layouts="cpanel standalone"
	fi
	[ -f "$dir/rules.conf.main" ] || { fail "$name: $dir/rules.conf.main is missing (not a CWAF or CRS 2 copy?)"; continue; }
	for layout in $layouts; do
		PORT=$(pick_port)
		install_set "$dir" "$layout"
		write_conf "$layout" "$PORT"
		conf=$tmp/$layout/httpd.conf
		# 1. the finding agrees with Apache (PCRE2 build) about starting
		"$bin" check --pcre 2 --server-config "$conf" --host "$HOST" >"$tmp/$layout.check" 2>&1
		cst=$?
		apache2 -d "$tmp/apache" -f "$conf" -t >"$tmp/$layout.apache-t" 2>&1
		ast=$?
		if { [ $ast -eq 0 ] && [ $cst -eq 0 ]; } || { [ $ast -ne 0 ] && [ $cst -eq 1 ]; }; then
			ok "$name/$layout: apache2 -t $( [ $ast -eq 0 ] && echo accepts || echo refuses ) the set; check --pcre 2 exits $cst"
		else
			fail "$name/$layout: apache2 -t exits $ast but check --pcre 2 exits $cst: $(grep -i 'would not\|error' "$tmp/$layout.check" | head -n 2)"
		fi
		# Apache's copy: hosting's [\i] written as the PCRE1 server reads it
		alayout=$layout
		if [ "$layout" = hosting ]; then
			alayout=hosting-apache
			rm -rf "$tmp/$alayout"
			cp -r "$tmp/hosting" "$tmp/$alayout"
			for f in "$tmp/$alayout/modsec2.conf" "$tmp/$alayout/etc/httpd/conf.d/waf.conf"; do
				sed -i "s|$tmp/hosting/|$tmp/$alayout/|g" "$f"
			done
			sed -i 's/\[\\i\]/[i]/g' "$tmp/$alayout"/etc/httpd/modsecurity.d/*_XSS_XSS.conf
			write_conf "$alayout" "$PORT"
		fi
		apache_fixups "$alayout" || { fail "$name/$layout: Apache still refuses the set"; continue; }
		if [ "$layout" = hosting ]; then
			# Apache refuses none of the hosting company's changes: not the
			# Apache directives in 00_Global_Security.conf, not [i]
			if [ "$(cat "$tmp"/hosting/etc/httpd/modsecurity.d/*_XSS_XSS.conf | grep -o '\[\\i\]' | wc -l)" -ge 3 ] &&
			   ! grep -q '00_Global_Security.conf\|_XSS_XSS.conf' "$tmp/$alayout.refused"; then
				ok "$name/hosting: Apache takes the hosting tree with [\\i] written [i] (its Apache directives in 00_Global_Security.conf included)"
			else
				fail "$name/hosting: Apache refuses the hosting company's changes, or the [\\i] edits did not apply: $(cat "$tmp/$alayout.refused")"
			fi
		fi
		# 2. the audit, as the server's PCRE1 build reads it (and as this
		# Apache, with its refusals left out, runs it)
		t0=$(now)
		"$bin" --pcre 1 --server-config "$conf" --host "$HOST" --client-ip 127.0.0.1 --order-id "$FAKE_ID" \
			-H 'X-Modsec-Callback-Audit: probe 0000000000000000' --no-attack-probes \
			--format json >"$tmp/$layout.audit.json" 2>"$tmp/$layout.audit.err"
		st=$?
		t1=$(now)
		if [ $st -gt 1 ]; then
			fail "$name/$layout: the audit exited $st: $(head -c 300 "$tmp/$layout.audit.err")"
			continue
		fi
		audited=$(json_num "$tmp/$layout.audit.json" rules_audited)
		left=$(json_num "$tmp/$layout.audit.json" rules_left_out)
		translated=$(grep -c '"note":[[:space:]]*"translated:' "$tmp/$layout.audit.json")
		tl=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
		echo "  $name/$layout: $audited rules audited, $left left out, $translated translation notes, $(wc -l <"$tmp/$alayout.refused") left out of Apache's copy; audit $tl s"
		if [ "$layout" = hosting ]; then
			# what the hosting tree needs: the PCRE1 escapes translated,
			# and, given the rule files with -r (no Apache config read),
			# the Apache directives skipped; each noted at file:line, and
			# the verdicts those of the --server-config audit
			"$bin" --engine v2 --pcre 1 -r "$tmp/hosting/etc/httpd/conf.d/waf.conf" --host "$HOST" \
				--client-ip 127.0.0.1 --order-id "$FAKE_ID" -H 'X-Modsec-Callback-Audit: probe 0000000000000000' \
				--no-attack-probes --format json >"$tmp/hosting-r.audit.json" 2>"$tmp/hosting-r.audit.err"
			miss=
			# one note object a line
			tr -d '\n\t' <"$tmp/hosting-r.audit.json" | sed 's/},[[:space:]]*{/}\n{/g' >"$tmp/$layout.notes"
			grep '_XSS_XSS.conf' "$tmp/$layout.notes" | grep -q 'PCRE1 regex: \\\\i -> i' || miss="$miss [\\i]"
			for d in ServerSignature Header RewriteEngine RewriteCond RewriteRule Order; do
				grep '00_Global_Security.conf' "$tmp/$layout.notes" | grep -q "\"$d: an Apache directive in a rule file" ||
					miss="$miss $d"
			done
			v1=$(grep -o '"verdict":[[:space:]]*"[a-z_]*"' "$tmp/$layout.audit.json" | tr -d ' \t' | tr '\n' ' ')
			v2=$(grep -o '"verdict":[[:space:]]*"[a-z_]*"' "$tmp/hosting-r.audit.json" | tr -d ' \t' | tr '\n' ' ')
			[ -n "$v1" ] && [ "$v1" = "$v2" ] || miss="$miss (verdicts with -r differ: $v2)"
			if [ -z "$miss" ]; then
				ok "$name/hosting: with -r waf.conf, [\\i] translated and the Apache directives skipped, each noted at file:line, verdicts as with --server-config"
			else
				fail "$name/hosting: notes missing for:$miss"
			fi
		fi
		echo "    command: $bin --pcre 1 --server-config $conf --host $HOST --no-attack-probes --format json"
		if [ "$audited" -gt 0 ] && [ $((left * 100)) -le $(( (audited + left) )) ]; then
			ok "$name/$layout: at least 99% of the rules audited ($audited of $((audited + left)))"
		else
			fail "$name/$layout: $left of $((audited + left)) rules left out (more than 1%)"
		fi
		# 3. real Apache with the same files
		conf=$tmp/$alayout/httpd.conf
		if ! apache2 -d "$tmp/apache" -f "$conf" -k start >"$tmp/logs/apache-$layout.start" 2>&1 ||
		   ! wait_port "$PORT" "$tmp/run/apache.pid"; then
			fail "$name/$layout: Apache did not start: $(tail -n 3 "$tmp/logs/apache-$layout.start")"
			stop_pidfile "$tmp/run/apache.pid"
			continue
		fi
		"$bin" probe --format json --host "$HOST" --error-log "$tmp/logs/apache-$alayout.error.log" \
			--timeout 20 "http://127.0.0.1:$PORT" >"$tmp/$layout.probe.json" 2>"$tmp/$layout.probe.err"
		stop_pidfile "$tmp/run/apache.pid"
		: >"$tmp/known"
		"$compare" parity apache "$name-$layout" "$tmp/$layout.audit.json" "$tmp/$layout.probe.json" "$tmp/known" \
			>"$tmp/$layout.rows" 2>&1
		sed 's/^ROW /    /' "$tmp/$layout.rows" | grep -v '^[0-9]* passed'
		rp=$(grep -c '^ROW \(equal\|explained\)' "$tmp/$layout.rows")
		rf=$(grep -c '^ROW FAIL' "$tmp/$layout.rows")
		if [ "$rf" -eq 0 ] && [ "$rp" -gt 0 ]; then
			ok "$name/$layout: every callback ($rp) has Apache's verdict and blocking rules"
		else
			fail "$name/$layout: $rf of $((rp + rf)) callbacks differ from Apache"
		fi
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
