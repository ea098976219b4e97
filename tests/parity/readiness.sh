#!/bin/sh
# The probe's readiness checks against a real nginx (part of `make check`).
#
# Starts one nginx on 127.0.0.1 with a private config in a temporary
# directory (free ports, pid and logs there) serving four sites that
# stand in for WordPress + WooCommerce the way each check sees them:
#   healthy   https (a self-signed certificate made here with openssl; the
#             probe gets it with --cacert), http redirecting to https,
#             /wc-api/<x>/ answering WooCommerce's 400 "-1"
#   plain     http only, answering itself (no redirect to https)
#   nopretty  no pretty permalinks: /wc-api/<x>/ is WordPress's 404 page,
#             /?wc-api=<x> WooCommerce's "-1"
#   lang      a multilingual plugin: /wc-api/... -> 301 /en/wc-api/...
# and asserts each check's verdict, a pass and a fail per check
# (public-address: a numeric public address passes, localhost fails).
#
# Skips (exit 77) only when nginx or openssl is missing.
# Environment (set by make check): MCA_BIN.
set -u

bin=${MCA_BIN:-$PWD/modsec-callback-audit}
PATH=$PATH:/usr/sbin:/sbin
export PATH

# Unlike the parity suite this one is quick: it runs in .ci/run's
# sanitizer pass too (MCA_PARITY_SKIP does not skip it).
missing=
command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
if [ -n "$missing" ]; then
	echo "SKIP: the readiness suite needs:$missing (apt-get install$missing)"
	exit 77
fi

tmp=$(mktemp -d /tmp/mca-readiness-XXXXXX) || { echo "0 passed, 1 failed"; exit 1; }
chmod 755 "$tmp"
mkdir -p "$tmp/run" "$tmp/logs" "$tmp/conf" "$tmp/ngx-temp" "$tmp/out"
RUNAS=
if [ "$(id -u)" = 0 ]; then
	RUNAS=www-data
	id "$RUNAS" >/dev/null 2>&1 || RUNAS=nobody
	chown "$RUNAS" "$tmp/ngx-temp"
fi

# stop_pidfile, port_in_use, pick_port: the helpers parity.sh and logs.sh share
srcdir=${MCA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/parity/servers.sh"

cleanup() {
	stop_pidfile "$tmp/run/nginx.pid"
	[ -n "${MCA_PARITY_KEEP:-}" ] && mkdir -p "$MCA_PARITY_KEEP" &&
		cp -r "$tmp/out" "$tmp/logs" "$tmp/conf" "$MCA_PARITY_KEEP/"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- a self-signed certificate for localhost, made now ----
if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$tmp/conf/site.key" -out "$tmp/conf/site.pem" >"$tmp/logs/openssl.log" 2>&1; then
	echo "readiness: openssl could not make a certificate:"; cat "$tmp/logs/openssl.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# WooCommerce's answer to an unknown wc-api endpoint, and WordPress's 404
WC='default_type "text/html; charset=UTF-8"; return 400 "-1";'
NOTFOUND='default_type "text/html; charset=UTF-8"; return 404 "<!DOCTYPE html><html><head><title>Page not found - Shop</title></head><body class=\"error404\"><h1>Oops! That page can&rsquo;t be found.</h1></body></html>";'
# the home page: WooCommerce's "-1" when ?wc-api= is there, else a page
HOME='default_type "text/html; charset=UTF-8"; if ($args ~ "(^|&)wc-api=") { return 400 "-1"; } return 200 "<!DOCTYPE html><html><body>Shop</body></html>";'

started=
for try in 1 2 3; do
	HTTPS=$(pick_port); HTTP=$(pick_port); PLAIN=$(pick_port); NOPRETTY=$(pick_port); LANG_PORT=$(pick_port)
	cat >"$tmp/conf/nginx.conf" <<EOF
${RUNAS:+user $RUNAS;}
worker_processes 1;
pid $tmp/run/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log $tmp/logs/access.log;
  client_body_temp_path $tmp/ngx-temp/body;
  proxy_temp_path $tmp/ngx-temp/proxy;
  fastcgi_temp_path $tmp/ngx-temp/fcgi;
  uwsgi_temp_path $tmp/ngx-temp/uwsgi;
  scgi_temp_path $tmp/ngx-temp/scgi;
  server_tokens off;
  # healthy: https, pretty permalinks
  server {
    listen 127.0.0.1:$HTTPS ssl;
    server_name localhost;
    ssl_certificate $tmp/conf/site.pem;
    ssl_certificate_key $tmp/conf/site.key;
    location / { $HOME }
    location /wc-api/ { $WC }
  }
  # healthy's http side: everything to https
  server {
    listen 127.0.0.1:$HTTP;
    location / { return 301 https://localhost:$HTTPS\$request_uri; }
  }
  # plain: http only, no redirect
  server {
    listen 127.0.0.1:$PLAIN;
    location / { $HOME }
    location /wc-api/ { $WC }
  }
  # nopretty: no pretty permalinks
  server {
    listen 127.0.0.1:$NOPRETTY;
    location = / { $HOME }
    location / { $NOTFOUND }
  }
  # lang: a language prefix forced on every URL, /wc-api/ included
  server {
    listen 127.0.0.1:$LANG_PORT;
    location = / { $HOME }
    location /en/ { $WC }
    location / { return 301 http://localhost:$LANG_PORT/en\$request_uri; }
  }
}
EOF
	if nginx -p "$tmp" -c "$tmp/conf/nginx.conf" >"$tmp/logs/start.log" 2>&1; then
		i=0
		while [ $i -lt 100 ] && ! { [ -s "$tmp/run/nginx.pid" ] && port_in_use "$LANG_PORT"; }; do
			sleep 0.1
			i=$((i + 1))
		done
		port_in_use "$LANG_PORT" && { started=1; break; }
	fi
	stop_pidfile "$tmp/run/nginx.pid"
done
if [ -z "$started" ]; then
	echo "readiness: nginx did not start:"; cat "$tmp/logs/start.log" "$tmp/logs/error.log" 2>/dev/null
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# expect NAME CHECK VERDICT EXIT -- probe arguments: the text report's line
# for CHECK must say VERDICT (OK, FAIL, SKIP) and the exit status be EXIT
expect() {
	name=$1 check=$2 verdict=$3 want=$4
	shift 5
	out=$tmp/out/$name.txt
	"$bin" probe --checks-only --color never --timeout 10 "$@" >"$out" 2>"$out.err"
	st=$?
	line=$(grep -E "^[A-Z]+ +$check " "$out")
	if printf '%s\n' "$line" | grep -Eq "^$verdict +$check " && [ "$st" = "$want" ]; then
		ok "$name: $check $verdict (exit $st): $(printf '%s' "$line" | cut -c 24-140)"
	else
		bad "$name: $check expected $verdict and exit $want, got exit $st: ${line:-no line} $(head -c 300 "$out.err")"
	fi
}

H=https://localhost:$HTTPS
# https: validates with the site's own certificate as the CA; without it, not
expect https-pass https OK 0 -- --checks https --cacert "$tmp/conf/site.pem" "$H"
expect https-fail https FAIL 1 -- --checks https "$H"
# --insecure does not make the certificate check pass
expect https-fail-k https FAIL 1 -- --checks https -k "$H"
# http-redirect: healthy's http side redirects; plain answers itself
expect redirect-pass http-redirect OK 0 -- --checks http-redirect --http-url "http://localhost:$HTTP" "$H"
expect redirect-fail http-redirect FAIL 1 -- --checks http-redirect "http://localhost:$PLAIN"
# permalinks: WooCommerce's -1 at /wc-api/x/; a 404 page where it is off
expect permalinks-pass permalinks OK 0 -- --checks permalinks --cacert "$tmp/conf/site.pem" "$H"
expect permalinks-fail permalinks FAIL 1 -- --checks permalinks "http://localhost:$NOPRETTY"
# the failure says why: /?wc-api= reached WooCommerce, so permalinks are off
if grep -q "pretty permalinks are off" "$tmp/out/permalinks-fail.txt"; then
	ok "permalinks-fail names pretty permalinks"
else
	bad "permalinks-fail does not name pretty permalinks: $(cat "$tmp/out/permalinks-fail.txt")"
fi
# no-lang-redirect: healthy is not redirected; lang is, to /en/wc-api/
expect lang-pass no-lang-redirect OK 0 -- --checks no-lang-redirect "http://localhost:$PLAIN"
expect lang-fail no-lang-redirect FAIL 1 -- --checks no-lang-redirect "http://localhost:$LANG_PORT"
if grep -q "/en/wc-api/modsec_callback_audit_check/.*multilingual" "$tmp/out/lang-fail.txt"; then
	ok "lang-fail names the /en/ prefix and a multilingual plugin"
else
	bad "lang-fail evidence: $(cat "$tmp/out/lang-fail.txt")"
fi
# public-address: a numeric public address (no lookup, nothing sent with
# --checks public-address) passes; localhost fails
expect public-pass public-address OK 0 -- --checks public-address "http://93.184.216.34"
expect public-fail public-address FAIL 1 -- --checks public-address "$H"
# all checks at once on the healthy site: only public-address fails
out=$tmp/out/healthy-all.txt
"$bin" probe --checks-only --color never --cacert "$tmp/conf/site.pem" --http-url "http://localhost:$HTTP" "$H" >"$out" 2>&1
st=$?
if [ "$st" = 1 ] && [ "$(grep -c '^OK ' "$out")" = 4 ] && grep -Eq '^FAIL +public-address ' "$out"; then
	ok "healthy site, every check: 4 OK, public-address FAIL (127.0.0.1), exit 1"
else
	bad "healthy site, every check: exit $st: $(cat "$out")"
fi
# the probe's callbacks still go out after the checks (one, to the plain site)
out=$tmp/out/with-callbacks.json
"$bin" probe --format json --checks permalinks --callback kco-push-nosession --url-form path \
	"http://localhost:$PLAIN" >"$out" 2>&1
if grep -q '"check":[[:space:]]*"permalinks"' "$out" && grep -q '"verdict":[[:space:]]*"pass"' "$out" &&
   grep -q '"name":[[:space:]]*"kco-push-nosession"' "$out"; then
	ok "JSON: readiness and callbacks in one report"
else
	bad "JSON report: $(head -c 600 "$out")"
fi
# the dry run lists the checks and sends nothing
before=$(wc -l <"$tmp/logs/access.log")
"$bin" probe --dry-run --checks-only --http-url "http://localhost:$HTTP" "$H" >"$tmp/out/dry.txt" 2>&1
after=$(wc -l <"$tmp/logs/access.log")
if [ "$before" = "$after" ] && [ "$(grep -c '^# [a-z-]* *would ' "$tmp/out/dry.txt")" = 5 ]; then
	ok "dry run: 5 checks listed, nothing sent"
else
	bad "dry run: access log $before -> $after lines: $(cat "$tmp/out/dry.txt")"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
