#!/bin/sh
# The crs-plugin and whmapi dialects, loaded where they are meant to go,
# through libmodsecurity (the parity suite loads them into real nginx and
# Apache):
#   crs-plugin: the audit of a real CRS 4 release (testdata/crs4: v4.20.0)
#     plus the Comodo-style demo set writes woocommerce-callbacks-*.conf;
#     its ids are in the plugin block 9,847,000-9,847,999; CRS 4 loaded as
#     it loads plugins (setup, plugins/*-config, *-before, rules, *-after)
#     lets every callback through, and attacks on the callbacks' paths and
#     elsewhere are still caught (testdata/crs4-attacks, go-ftw, `test`);
#   whmapi: the script passes `bash -n`; the rules its modsec_add_rule
#     calls carry, loaded after a v2 server's rules as modsec2.user.conf
#     is, let the callbacks through.
# Prints "N passed, N failed".
set -u
bin=${MCA_BIN:-./modsec-callback-audit}
src=${MCA_SRCDIR:-.}
data=${MCA_DATADIR:-$src}
tmp=$(mktemp -d /tmp/mca-crsplugin-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; shift; printf '     %s\n' "$@"; failed=$((failed + 1)); }

crs=$src/testdata/crs4
mkdir -p "$tmp/plugins"
cat >"$tmp/crs4.conf" <<CONF
Include $crs/crs-setup.conf.example
Include $crs/rules/*.conf
CONF
cat >"$tmp/crs4-plugins.conf" <<CONF
Include $crs/crs-setup.conf.example
Include $tmp/plugins/*-config.conf
Include $tmp/plugins/*-before.conf
Include $crs/rules/*.conf
Include $tmp/plugins/*-after.conf
CONF
vendor=$data/rules/demo/comodo-style/rules.conf.main
engine=$data/rules/demo/modsecurity.conf

"$bin" -r "$engine" -r "$tmp/crs4.conf" -r "$vendor" --no-attack-probes --dialect crs-plugin \
	--exclusions-dir "$tmp/plugins" >"$tmp/report.txt" 2>"$tmp/err"
st=$?
if [ $st -eq 1 ] && [ -s "$tmp/plugins/woocommerce-callbacks-before.conf" ] &&
   [ -s "$tmp/plugins/woocommerce-callbacks-config.conf" ] && [ -s "$tmp/plugins/woocommerce-callbacks-after.conf" ]; then
	ok "the CRS 4 audit writes the plugin's config, before and after files"
else
	bad "the CRS 4 audit writes the plugin" "exit $st" "$(cat "$tmp/err")"
fi
ids=$(cat "$tmp/plugins/"*.conf | grep -o 'id:[0-9]*' | cut -d: -f2 | sort -un)
outside=$(echo "$ids" | awk '$1 < 9847000 || $1 > 9847999')
if [ -n "$ids" ] && [ -z "$outside" ]; then
	ok "every plugin rule id is in 9,847,000-9,847,999 ($(echo "$ids" | wc -l) ids)"
else
	bad "plugin rule ids in the block" "outside: $outside"
fi
"$bin" -r "$engine" -r "$tmp/crs4-plugins.conf" -r "$vendor" --no-attack-probes --format json \
	>"$tmp/with.json" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && grep -q '"blocked":	0' "$tmp/with.json"; then
	ok "CRS 4 with the plugin (and the vendor set): every callback passes (libmodsecurity)"
else
	bad "CRS 4 with the plugin lets every callback through" "exit $st" "$(grep -A3 '"summary"' "$tmp/with.json")" "$(cat "$tmp/err")"
fi
# the plugin switched off: the callbacks are blocked again
"$bin" -r "$engine" -R 'SecAction "id:9847001,phase:1,pass,nolog,setvar:tx.woocommerce-callbacks-plugin_enabled=0"' \
	-r "$tmp/crs4-plugins.conf" -r "$vendor" --no-attack-probes >/dev/null 2>"$tmp/err"
st=$?
if [ $st -eq 1 ]; then
	ok "tx.woocommerce-callbacks-plugin_enabled=0 switches the plugin off (callbacks blocked again)"
else
	bad "the plugin's off switch" "exit $st (expected 1)" "$(cat "$tmp/err")"
fi
"$bin" test -r "$engine" -r "$tmp/crs4-plugins.conf" "$src/testdata/crs4-attacks/attacks.yaml" \
	>"$tmp/attacks.txt" 2>&1
st=$?
if [ $st -eq 0 ] && grep -q '^4 passed, 0 failed' "$tmp/attacks.txt"; then
	ok "with the plugin, CRS 4 still catches the attacks on the callbacks' paths and elsewhere"
else
	bad "attacks still caught with the plugin" "exit $st" "$(tail -n 12 "$tmp/attacks.txt")"
fi

# ---- whmapi ----
v2=$src/testdata/parity/modsecurity-v2.conf
"$bin" --engine v2 -r "$v2" -r "$vendor" --no-attack-probes --dialect whmapi \
	--exclusions-dir "$tmp" >/dev/null 2>"$tmp/err"
script=$tmp/klarna-exclusions.whmapi.sh
if [ -s "$script" ] && bash -n "$script" 2>"$tmp/bash.err"; then
	ok "the WHM API script passes bash -n"
else
	bad "the WHM API script passes bash -n" "$(cat "$tmp/err" "$tmp/bash.err")"
fi
if grep -q '^whmapi1 modsec_add_rule config=modsec2.user.conf rule=' "$script" &&
   [ "$(tail -n 1 "$script")" = "whmapi1 modsec_deploy_rule_changes config=modsec2.user.conf" ]; then
	ok "the script adds each rule to modsec2.user.conf, then deploys"
else
	bad "modsec_add_rule ... then modsec_deploy_rule_changes" "$(tail -n 3 "$script")"
fi
# what WHM would write into modsec2.user.conf: each rule= value, URI-decoded
sed -n 's/^whmapi1 modsec_add_rule config=modsec2.user.conf rule=//p' "$script" |
	awk 'BEGIN { for (i = 0; i < 256; i++) hex[sprintf("%02X", i)] = sprintf("%c", i) }
	     { out = ""; s = $0
	       while ((i = index(s, "%")) > 0) { out = out substr(s, 1, i - 1) hex[substr(s, i + 1, 2)]; s = substr(s, i + 3) }
	       print out s; print "" }' >"$tmp/modsec2.user.conf"
cp "$tmp/modsec2.user.conf" "${MCA_BUILDDIR:-.}/whmapi-modsec2.user.conf" 2>/dev/null
"$bin" --engine v2 -r "$v2" -r "$vendor" -r "$tmp/modsec2.user.conf" --no-attack-probes \
	>/dev/null 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && [ -s "$tmp/modsec2.user.conf" ]; then
	ok "the rules the script adds, loaded as modsec2.user.conf after the v2 rules, let every callback through"
else
	bad "the script's rules let the callbacks through" "exit $st" "$(head -c 600 "$tmp/modsec2.user.conf")" "$(cat "$tmp/err")"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
