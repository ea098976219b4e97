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
HOST=localhost
# the corpus' rules may turn the audit log on: Off last, nothing written
printf 'SecAuditEngine Off\n' >"$tmp/conf/audit-off.conf"
if start_modsec_apache live "$tmp/logs/apache.error.log" "$@" "$tmp/conf/audit-off.conf" >&2; then
	echo "$PORT"
	exit 0
fi
stop_pidfile "$tmp/run/backend.pid"
exit 1
