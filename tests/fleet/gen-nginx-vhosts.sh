#!/bin/sh
# gen-nginx-vhosts.sh ROOT N [mixed|two-sets]: a Debian nginx +
# libnginx-mod-http-modsecurity server tree under ROOT (for --root ROOT,
# copied from testdata/servers/fleet-nginx without its sites) with N
# server {} blocks over two rule sets, for --all-hosts tests and benchmarks.
# Server i (0-based), server_name vI.example.com www.vI.example.com:
#   rule set: i even: OWASP CRS (Debian's), /etc/nginx/crs.conf
#             i odd:  the Comodo-style vendor set, /etc/nginx/vendor.conf
#             (each file: modsecurity.conf, then the set)
# two-sets: nothing else (modsecurity on everywhere): 2 distinct configurations.
# mixed (the default), as gen-apache-vhosts.sh:
#   (i / 2) % 5 == 1: modsecurity off
#   (i / 2) % 5 == 2: modsecurity_rules 'SecRuleRemoveById ...' (211180 vendor / 949110 CRS)
#   (i / 2) % 5 == 3: location ^~ /wc-api/ { modsecurity_rules 'SecRuleRemoveById ...'; }
#   else (0, 4):      the rule set as it is
set -eu
root=$1
n=$2
mode=${3:-mixed}
case $mode in mixed|two-sets) ;; *) echo "gen-nginx-vhosts.sh: mode mixed or two-sets, not $mode" >&2; exit 2 ;; esac
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$root"
rm -rf "$root/etc" "$root/usr"
cp -R "$src/testdata/servers/fleet-nginx/etc" "$src/testdata/servers/fleet-nginx/usr" "$root/"
rm -f "$root/etc/nginx/sites-enabled/"*
cp -R "$src/rules/demo/comodo-style" "$root/etc/nginx/vendor"
printf 'include modsecurity.conf\ninclude /usr/share/modsecurity-crs/owasp-crs.load\n' >"$root/etc/nginx/crs.conf"
printf 'include modsecurity.conf\ninclude /etc/nginx/vendor/rules.conf.main\n' >"$root/etc/nginx/vendor.conf"
out="$root/etc/nginx/sites-enabled/vhosts"
i=0
while [ "$i" -lt "$n" ]; do
	if [ $((i % 2)) -eq 0 ]; then
		set_file=/etc/nginx/crs.conf; id=949110
	else
		set_file=/etc/nginx/vendor.conf; id=211180
	fi
	[ "$mode" = two-sets ] && v=0 || v=$((i / 2 % 5))
	{
		echo "server {"
		echo "	listen 80;"
		echo "	server_name v$i.example.com www.v$i.example.com;"
		echo "	root /var/www/v$i;"
		if [ "$v" -eq 1 ]; then
			echo "	modsecurity off;"
		else
			echo "	modsecurity on;"
		fi
		echo "	modsecurity_rules_file $set_file;"
		case $v in
		2) echo "	modsecurity_rules 'SecRuleRemoveById $id';" ;;
		3) printf '\tlocation ^~ /wc-api/ {\n\t\tmodsecurity_rules '"'"'SecRuleRemoveById %s'"'"';\n\t}\n' "$id" ;;
		esac
		echo "}"
	} >>"$out"
	i=$((i + 1))
done
