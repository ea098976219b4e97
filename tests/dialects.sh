#!/bin/sh
# Every exclusion dialect loads where it is meant to go, and so does every
# exclusion section of the text report, cut out exactly as printed:
#   runtime, startup: through libmodsecurity (the tool itself loads them
#     around the demo rules, and every callback must pass);
#   apache, cpanel: `apache2 -t` with mod_security2 and the Comodo-style rules;
#   nginx: `nginx -t` with the ModSecurity module, which parses the rules.
# Servers are only configuration-tested here (nothing listens); the parity
# suite runs them. Prints "N passed, N failed".
set -u
bin=${MCA_BIN:-./modsec-callback-audit}
src=${MCA_SRCDIR:-.}
data=${MCA_DATADIR:-$src}
tmp=$(mktemp -d /tmp/mca-dialects-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; shift; printf '     %s\n' "$@"; failed=$((failed + 1)); }

demo="-r $data/rules/demo/modsecurity.conf -r $data/rules/demo/comodo-style/rules.conf.main"
# shellcheck disable=SC2086
"$bin" $demo --dialect runtime,startup,apache,nginx,cpanel,cloudflare,paths \
	--exclusions-dir "$tmp" --no-attack-probes >"$tmp/report.txt" 2>"$tmp/err.txt"
st=$?
if [ $st -eq 1 ] && [ -s "$tmp/klarna-exclusions.runtime.conf" ]; then
	ok "the demo audit writes every dialect"
else
	bad "the demo audit writes every dialect" "exit $st" "$(cat "$tmp/err.txt")"
fi
for d in runtime.conf startup.conf apache.conf nginx.conf cpanel.conf cloudflare.txt paths.txt; do
	if grep -q 211180 "$tmp/klarna-exclusions.$d" 2>/dev/null || grep -q KCO_WC_Push "$tmp/klarna-exclusions.$d" 2>/dev/null; then
		ok "$d names the push's exclusion"
	else
		bad "$d names the push's exclusion" "$(head -c 300 "$tmp/klarna-exclusions.$d" 2>&1)"
	fi
done

# runtime before the rules, startup after them: every callback passes
# shellcheck disable=SC2086
if "$bin" -r "$tmp/klarna-exclusions.runtime.conf" $demo --no-attack-probes >/dev/null 2>&1; then
	ok "runtime form loaded before the rules: every callback passes"
else
	bad "runtime form loaded before the rules: every callback passes"
fi
# the startup form is not offered unscoped (it would act on the whole
# site): every line is a comment, and it says why
if ! grep -v '^#' "$tmp/klarna-exclusions.startup.conf" | grep -q '[^[:space:]]' &&
   grep -q 'NOT OFFERED' "$tmp/klarna-exclusions.startup.conf"; then
	ok "startup form: no unscoped directive, and it says why"
else
	bad "startup form: no unscoped directive, and it says why" "$(grep -v '^#' "$tmp/klarna-exclusions.startup.conf" | head -5)"
fi
# and without it, they do not (the check above can fail)
# shellcheck disable=SC2086
if ! "$bin" $demo --no-attack-probes >/dev/null 2>&1; then
	ok "without the exclusions the demo blocks"
else
	bad "without the exclusions the demo blocks"
fi

# The text report's exclusion sections, cut out exactly as printed (the
# lines between its "# ..." markers): each must load as it is, the runtime
# section and the apache form in Apache, the nginx form in nginx.
# shellcheck disable=SC2086
"$bin" $demo --dialect runtime,apache,nginx --no-attack-probes --color never >"$tmp/text.txt" 2>/dev/null
awk '/^# Exclusions/{on=1} /^# --- /{on=0} on' "$tmp/text.txt" >"$tmp/klarna-exclusions.pasted-runtime.conf"
awk '/^# --- apache form ---/{on=1;next} /^# --- /||/^# Startup form/||/^Attack probes/{on=0} on' "$tmp/text.txt" >"$tmp/klarna-exclusions.pasted-apache.conf"
awk '/^# --- nginx form ---/{on=1;next} /^# --- /||/^# Startup form/||/^Attack probes/{on=0} on' "$tmp/text.txt" >"$tmp/klarna-exclusions.pasted-nginx.conf"
if grep -q 'SecRule REQUEST_URI_RAW' "$tmp/klarna-exclusions.pasted-runtime.conf" &&
   grep -q 'LocationMatch' "$tmp/klarna-exclusions.pasted-apache.conf" &&
   grep -q 'location ~' "$tmp/klarna-exclusions.pasted-nginx.conf"; then
	ok "the text report prints the runtime, apache and nginx sections"
else
	bad "the text report prints the runtime, apache and nginx sections" "$(head -c 400 "$tmp/text.txt")"
fi

# Apache + mod_security2: syntax and module directives check
if command -v apache2 >/dev/null 2>&1 && [ -f /usr/lib/apache2/modules/mod_security2.so ]; then
	for form in apache cpanel pasted-runtime pasted-apache; do
		cat >"$tmp/httpd-$form.conf" <<CONF
ServerRoot "$data/rules/demo/comodo-style"
PidFile $tmp/httpd.pid
ErrorLog $tmp/error.log
Listen 127.0.0.1:8
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule unique_id_module /usr/lib/apache2/modules/mod_unique_id.so
LoadModule security2_module /usr/lib/apache2/modules/mod_security2.so
SecRuleEngine On
SecRequestBodyAccess On
Include rules.conf.main
<VirtualHost 127.0.0.1:8>
    ServerName shop.example.com
    Include $tmp/klarna-exclusions.$form.conf
</VirtualHost>
CONF
		if out=$(apache2 -t -f "$tmp/httpd-$form.conf" 2>&1); then
			ok "$form form passes apache2 -t with mod_security2"
		else
			bad "$form form passes apache2 -t with mod_security2" "$out"
		fi
	done
	if grep -q '<LocationMatch' "$tmp/klarna-exclusions.apache.conf" && grep -q 'ctl:ruleRemoveTargetById' "$tmp/klarna-exclusions.apache.conf"; then
		ok "apache form has both runtime target exclusions and <LocationMatch> removals"
	else
		bad "apache form has both runtime target exclusions and <LocationMatch> removals"
	fi
	# the check can fail: a variable mod_security2 does not know
	sed 's/SecRule REQUEST_URI_RAW/SecRule REQUEST_URI_RAWX/' "$tmp/klarna-exclusions.apache.conf" >"$tmp/broken.conf"
	sed "s|$tmp/klarna-exclusions.apache.conf|$tmp/broken.conf|" "$tmp/httpd-apache.conf" >"$tmp/httpd-broken.conf"
	if ! apache2 -t -f "$tmp/httpd-broken.conf" >/dev/null 2>&1; then
		ok "apache2 -t rejects a broken block (the check is real)"
	else
		bad "apache2 -t rejects a broken block (the check is real)"
	fi
else
	echo "SKIP apache: apache2 or libapache2-mod-security2 not installed"
fi

# nginx + ModSecurity-nginx: nginx -t parses the rules with libmodsecurity
if command -v nginx >/dev/null 2>&1 && [ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ]; then
	mkdir -p "$tmp/nginx/logs"
	cat >"$tmp/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_modsecurity_module.so;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events {}
http {
    access_log off;
    server {
        listen 127.0.0.1:8;
        server_name shop.example.com;
        root $tmp/nginx;
        modsecurity on;
        modsecurity_rules_file $data/rules/demo/modsecurity.conf;
        modsecurity_rules_file $data/rules/demo/comodo-style/rules.conf.main;
        include $tmp/klarna-exclusions.nginx.conf;
    }
}
CONF
	sed "s|include $tmp/klarna-exclusions.nginx.conf|include $tmp/klarna-exclusions.pasted-nginx.conf|" "$tmp/nginx/nginx.conf" >"$tmp/nginx/pasted.conf"
	if out=$(cd "$data/rules/demo/comodo-style" && nginx -t -p "$tmp/nginx" -c "$tmp/nginx/pasted.conf" 2>&1); then
		ok "the text report's nginx section passes nginx -t as printed"
	else
		bad "the text report's nginx section passes nginx -t as printed" "$out"
	fi
	if out=$(cd "$data/rules/demo/comodo-style" && nginx -t -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>&1); then
		ok "nginx form passes nginx -t with ModSecurity-nginx"
	else
		bad "nginx form passes nginx -t with ModSecurity-nginx" "$out"
	fi
	sed 's/SecRuleUpdateTargetById 211180 /SecRuleUpdateTargetByIdd 211180 /' "$tmp/klarna-exclusions.nginx.conf" >"$tmp/broken-nginx.conf"
	sed "s|include $tmp/klarna-exclusions.nginx.conf|include $tmp/broken-nginx.conf|" "$tmp/nginx/nginx.conf" >"$tmp/nginx/broken.conf"
	if ! (cd "$data/rules/demo/comodo-style" && nginx -t -p "$tmp/nginx" -c "$tmp/nginx/broken.conf") >/dev/null 2>&1; then
		ok "nginx -t rejects a broken rule (the check is real)"
	else
		bad "nginx -t rejects a broken rule (the check is real)"
	fi
else
	echo "SKIP nginx: nginx or libnginx-mod-http-modsecurity not installed"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
