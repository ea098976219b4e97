#!/bin/sh
# fleet.sh BIN [N]: what --all-hosts costs (fleet.c: hosts whose rules,
# engine, locations and callbacks are identical share one audit).
#   Apache, N vhosts over exactly two rule sets (CRS, the Comodo-style demo
#   set; engine On; tests/fleet/gen-apache-vhosts.sh two-sets) against two
#   single audits, one per rule set (--host v0 / v1 of the same generator's
#   two-vhost server): the fleet should cost little more than their sum
#   (its extra: one read of the whole configuration, for the hosts' keys);
#   one --host audit on the N-vhost server (it reads every vhost);
#   Apache, N vhosts mixed (engine Off, SecRuleRemoveById, <LocationMatch>
#   per vhost: 8 distinct configurations);
#   nginx, the same two ways (tests/fleet/gen-nginx-vhosts.sh).
# CPU time (user + system), not wall time: the machine may be shared.
# Transactions are libmodsecurity transactions run (summary.work). Figures
# only, never assertions (default N 200).
set -u
bin=$1
n=${2:-200}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/mca-fleet-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for kind in apache nginx; do
	for mode in two-sets mixed; do
		sh "$here/tests/fleet/gen-$kind-vhosts.sh" "$tmp/$kind-$mode" "$n" "$mode" || exit 2
	done
	sh "$here/tests/fleet/gen-$kind-vhosts.sh" "$tmp/$kind-two" 2 two-sets || exit 2
done

# run NAME ARGS...: CPU seconds, peak RSS and the JSON report's work
# (the last "audits"/"transactions" in it: the fleet's summary, or the
# single audit's own)
run() {
	name=$1
	shift
	/usr/bin/time -f "%U %S %M" -o "$tmp/time" "$@" --format json -o "$tmp/out.json" >/dev/null 2>"$tmp/err"
	st=$?
	if [ $st -gt 1 ]; then
		echo "fleet.sh: $name: exit $st: $(head -c 300 "$tmp/err")" >&2
		return
	fi
	read -r user sys peak <<EOT
$(tail -n 1 "$tmp/time")
EOT
	tx=$(sed -n 's/.*"transactions":[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/out.json" | tail -n 1)
	audits=$(sed -n 's/.*"audits":[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/out.json" | tail -n 1)
	hosts=$(sed -n 's/.*"hosts":[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/out.json" | tail -n 1)
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	printf '%-50s %5s %6s %12s %9s %9s\n' "$name" "${hosts:-1}" "${audits:-1}" "$tx" "$cpu" "$peak"
	echo "$cpu $tx" >"$tmp/last"
}
sum_last() { cat "$tmp/last" >>"$tmp/$1"; }
ratio() {	# LABEL FLEET-ROW-FILE SINGLES-FILE
	awk -v label="$1" 'NR == FNR { fc = $1; ft = $2; next } { sc += $1; st += $2 }
		END { printf "%-50s %5s %6s %12s %9s\n", label, "", "", (st ? sprintf("%.2fx", ft / st) : "-"),
		      (sc ? sprintf("%.2fx", fc / sc) : "-") }' "$2" "$3"
}

printf '%-50s %5s %6s %12s %9s %9s\n' "run" hosts audits transactions "CPU s" "peak KB"
for kind in apache nginx; do
	case $kind in
	apache) conf=/etc/apache2/apache2.conf ;;
	nginx) conf=/etc/nginx/nginx.conf ;;
	esac
	: >"$tmp/singles"
	for v in 0 1; do
		[ $v -eq 0 ] && set_name=CRS || set_name="Comodo-style"
		run "$kind: one audit, --host v$v ($set_name)" "$bin" --server-config "$conf" --root "$tmp/$kind-two" \
			--host "v$v.example.com"
		sum_last singles
	done
	awk '{ c += $1; t += $2 } END { printf "%-50s %5s %6s %12s %9.2f\n", "'"$kind"': the two single audits together", 2, 2, t, c }' "$tmp/singles"
	run "$kind: --all-hosts, $n vhosts, two rule sets" "$bin" --all-hosts --server-config "$conf" \
		--root "$tmp/$kind-two-sets"
	ratio "$kind: --all-hosts two sets / the two audits" "$tmp/last" "$tmp/singles"
	run "$kind: one audit, --host v0, on the $n-vhost server" "$bin" --server-config "$conf" \
		--root "$tmp/$kind-two-sets" --host v0.example.com
	run "$kind: --all-hosts, $n vhosts, mixed" "$bin" --all-hosts --server-config "$conf" --root "$tmp/$kind-mixed"
done
