#!/bin/sh
# gen-apache-vhosts.sh ROOT N [mixed|two-sets]: a Debian Apache +
# mod_security2 server tree under ROOT (for --root ROOT) with N name-based
# vhosts over two rule sets, for --all-hosts tests and benchmarks. Vhost i
# (0-based), host vI.example.com (alias www.vI.example.com):
#   rule set: i even: OWASP CRS (Debian's, included in the vhost);
#             i odd:  the Comodo-style vendor set (rules/demo/comodo-style)
# two-sets: nothing else (engine On everywhere): 2 distinct configurations.
# mixed (the default):
#   (i / 2) % 5 == 1: SecRuleEngine Off
#   (i / 2) % 5 == 2: SecRuleRemoveById (211180 vendor / 949110 CRS)
#   (i / 2) % 5 == 3: <LocationMatch "^/wc-api/"> SecRuleRemoveById the same </LocationMatch>
#   else (0, 4):      the rule set as it is
# So 8 distinct (rule set, engine, exclusions) combinations.
set -eu
root=$1
n=$2
mode=${3:-mixed}
case $mode in mixed|two-sets) ;; *) echo "gen-apache-vhosts.sh: mode mixed or two-sets, not $mode" >&2; exit 2 ;; esac
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$root/etc/apache2/sites-enabled" "$root/etc/modsecurity/crs" "$root/usr/share"
rm -rf "$root/etc/modsecurity/vendor" && cp -R "$src/rules/demo/comodo-style" "$root/etc/modsecurity/vendor"
ln -sfn /usr/share/modsecurity-crs "$root/usr/share/modsecurity-crs"
for f in crs-setup.conf REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf; do
	ln -sfn "/etc/modsecurity/crs/$f" "$root/etc/modsecurity/crs/$f"
done
cat >"$root/etc/modsecurity/modsecurity.conf" <<'CONF'
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^application/json" \
     "id:'200001',phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecResponseBodyAccess Off
CONF
cat >"$root/etc/apache2/apache2.conf" <<'CONF'
ServerRoot "/etc/apache2"
Listen 80
<IfModule security2_module>
	IncludeOptional /etc/modsecurity/*.conf
</IfModule>
IncludeOptional sites-enabled/*.conf
CONF
i=0
out="$root/etc/apache2/sites-enabled/vhosts.conf"
: >"$out"
while [ "$i" -lt "$n" ]; do
	if [ $((i % 2)) -eq 0 ]; then
		inc="/usr/share/modsecurity-crs/owasp-crs.load"; id=949110
	else
		inc="/etc/modsecurity/vendor/rules.conf.main"; id=211180
	fi
	{
		echo "<VirtualHost *:80>"
		echo "	ServerName v$i.example.com"
		echo "	ServerAlias www.v$i.example.com"
		echo "	DocumentRoot /var/www/v$i"
		echo "	Include $inc"
		[ "$mode" = two-sets ] && v=0 || v=$((i / 2 % 5))
		case $v in
		1) echo "	SecRuleEngine Off" ;;
		2) echo "	SecRuleRemoveById $id" ;;
		3) printf '\t<LocationMatch "^/wc-api/">\n\t\tSecRuleRemoveById %s\n\t</LocationMatch>\n' "$id" ;;
		esac
		echo "</VirtualHost>"
	} >>"$out"
	i=$((i + 1))
done
