#!/bin/sh
# fleet.sh BIN [N]: --all-hosts over a generated Apache server of N vhosts
# (default 200; tests/fleet/gen-apache-vhosts.sh: two rule sets, engine Off,
# SecRuleRemoveById and <LocationMatch> per vhost), beside one audit of one
# of its CRS vhosts. Figures only, never assertions.
set -u
bin=$1
n=${2:-200}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/mca-fleet-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sh "$here/tests/fleet/gen-apache-vhosts.sh" "$tmp/srv" "$n"
sh "$here/tests/fleet/gen-apache-vhosts.sh" "$tmp/one" 1
t() { /usr/bin/time -f "%e s wall, %U s user, %M KB peak" "$@" >/dev/null 2>"$tmp/t"; tail -n 1 "$tmp/t"; }
printf 'one audit (1 CRS vhost):          '
t "$bin" --server-config /etc/apache2/apache2.conf --root "$tmp/one" --host v0.example.com -o "$tmp/one.txt"
printf -- '--all-hosts, %s vhosts:           ' "$n"
t "$bin" --all-hosts --server-config /etc/apache2/apache2.conf --root "$tmp/srv" --format json -o "$tmp/all.json"
grep -E '"(hosts|rule_sets_audited|passed|blocked)":' "$tmp/all.json" | tail -n 4 | tr -d '\t\n'; echo
