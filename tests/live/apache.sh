#!/bin/sh
# apache.sh DIR RULES...: start real Apache 2.4 + mod_security2 on 127.0.0.1
# (a free port) in front of a plain nginx backend (tests/parity/servers.sh),
# Including each RULES file in order inside <IfModule security2_module>
# (audit log off, data under DIR). Prints the port; the error log is
# DIR/logs/apache.error.log. Stop it with: apache.sh --stop DIR
# Used by hand with tests/live/ftw-live.py, e.g. for the CRS 3.3.4 corpus:
#   port=$(tests/live/apache.sh /tmp/live $PWD/testdata/ftw/crs-regression.conf \
#          '/usr/share/modsecurity-crs/rules/*.conf')
#   tests/live/ftw-live.py $port /tmp/live/logs/apache.error.log CRS/tests/regression/tests
set -u
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = --stop ]; then
	tmp=$2
	. "$srcdir/tests/parity/servers.sh"
	for pf in "$tmp"/run/*.pid; do stop_pidfile "$pf"; done
	exit 0
fi
tmp=${1:?usage: apache.sh DIR RULES... | --stop DIR}; shift
mkdir -p "$tmp/run" "$tmp/logs" "$tmp/conf" "$tmp/ngx-temp" "$tmp/apache/lock" "$tmp/apache/data" || exit 1
chmod 755 "$tmp"
RUNAS=
if [ "$(id -u)" = 0 ]; then
	RUNAS=www-data
	chown "$RUNAS" "$tmp/apache/data" "$tmp/ngx-temp"
fi
. "$srcdir/tests/parity/servers.sh"
start_backend >&2 || exit 1
AP_MODS=/usr/lib/apache2/modules
PORT=$(pick_port)
rules=
for f in "$@"; do rules="$rules    Include $f
"; done
cat >"$tmp/conf/apache.conf" <<EOC
ServerRoot $tmp/apache
PidFile $tmp/run/apache.pid
Mutex file:$tmp/apache/lock default
Listen 127.0.0.1:$PORT
ServerName localhost
${RUNAS:+User $RUNAS}
${RUNAS:+Group $(id -gn "$RUNAS" 2>/dev/null || echo nogroup)}
ErrorLog $tmp/logs/apache.error.log
LogLevel warn
LoadModule mpm_event_module $AP_MODS/mod_mpm_event.so
LoadModule authz_core_module $AP_MODS/mod_authz_core.so
LoadModule unique_id_module $AP_MODS/mod_unique_id.so
LoadModule proxy_module $AP_MODS/mod_proxy.so
LoadModule proxy_http_module $AP_MODS/mod_proxy_http.so
LoadModule security2_module $AP_MODS/mod_security2.so
<IfModule security2_module>
$rules    SecAuditEngine Off
    SecDataDir $tmp/apache/data
    SecTmpDir $tmp/apache/data
</IfModule>
ProxyPreserveHost On
ProxyPass / http://127.0.0.1:$BACK_PORT/
EOC
if apache2 -d "$tmp/apache" -f "$tmp/conf/apache.conf" -k start >"$tmp/logs/apache.start" 2>&1 &&
   wait_port "$PORT" "$tmp/run/apache.pid"; then
	echo "$PORT"
	exit 0
fi
cat "$tmp/logs/apache.start" >&2
tail -n 5 "$tmp/logs/apache.error.log" >&2 2>/dev/null
stop_pidfile "$tmp/run/backend.pid"
exit 1
