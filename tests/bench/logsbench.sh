#!/bin/sh
# The logs command's reading speed and memory (figures, never assertions):
# generates audit logs of SIZE MB (default 1024) from the captured real
# logs in testdata/logs/ (a day's mix: mostly ordinary traffic, a few
# blocked callbacks), reads each once with `logs`, prints MB/s and the peak
# resident memory. The generated logs go to a temporary directory and are
# removed afterwards: never committed.
#   sh tests/bench/logsbench.sh [path/to/modsec-callback-audit] [SIZE_MB]
set -u
bin=${1:-./modsec-callback-audit}
size=${2:-1024}
top=$(cd "$(dirname "$0")/../.." && pwd)
export MCA_DATADIR=${MCA_DATADIR:-$top}
logs=$top/testdata/logs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mca-logsbench-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# gen KIND MIX OUT: a chunk of about 8 MB (MIX "day": 400 blocked attacks
# elsewhere per 13 blocked callbacks; "callbacks": blocked callbacks only,
# the worst case, every record parsed whole), repeated to SIZE MB
gen() {
	kind=$1 mix=$2 out=$3
	case $kind in
	native)
		gzip -dc "$logs/apache-serial-audit.log.gz" >"$tmp/serial.log"
		# the records of the Serial capture: ordinary ones (not on a
		# payment endpoint) and callback ones
		awk -v want=ordinary '
			/^--[0-9a-f]+-A--$/ { rec = ""; pay = 0 }
			{ rec = rec $0 "\n" }
			/^(GET|POST) .*(wc-api|wp-json)/ { pay = 1 }
			/^--[0-9a-f]+-Z--$/ { if (pay) printf "%s", rec > "'"$tmp"'/pay.rec"; else printf "%s", rec > "'"$tmp"'/ord.rec" }
		' "$tmp/serial.log" ;;
	json)
		grep -a -v -E '"uri":"[^"]*(wc-api|wp-json)' "$logs/nginx-json-audit.log" >"$tmp/ord.rec"
		grep -a -E '"uri":"[^"]*(wc-api|wp-json)' "$logs/nginx-json-audit.log" >"$tmp/pay.rec" ;;
	json2)	# mod_security2's own JSON shape
		gzip -dc "$logs/variants/apache-json-serial-audit.log.gz" | grep -a -v -E '"request_line":"[^"]*(wc-api|wp-json)' >"$tmp/ord.rec"
		gzip -dc "$logs/variants/apache-json-serial-audit.log.gz" | grep -a -E '"request_line":"[^"]*(wc-api|wp-json)' >"$tmp/pay.rec" ;;
	esac
	: >"$tmp/chunk"
	while [ "$(wc -c <"$tmp/chunk")" -lt 8000000 ]; do
		if [ "$mix" = callbacks ]; then
			cat "$tmp/pay.rec" >>"$tmp/chunk"
		else
			# a day's audit log: scanners and attacks blocked
			# everywhere, the blocked callbacks a few in a hundred
			i=0
			while [ $i -lt 200 ]; do cat "$tmp/ord.rec" >>"$tmp/chunk"; i=$((i + 1)); done
			cat "$tmp/pay.rec" >>"$tmp/chunk"
		fi
	done
	chunk=$(wc -c <"$tmp/chunk")
	n=$(( (size * 1048576 + chunk - 1) / chunk ))
	: >"$out"
	i=0
	while [ $i -lt "$n" ]; do cat "$tmp/chunk" >>"$out"; i=$((i + 1)); done
	rm -f "$tmp/chunk" "$tmp/ord.rec" "$tmp/pay.rec"
}

for spec in "native day" "json day" "json2 day" "native callbacks" "json callbacks"; do
	# shellcheck disable=SC2086
	set -- $spec
	kind=$1 mix=$2
	f=$tmp/$kind.log
	gen "$kind" "$mix" "$f"
	bytes=$(wc -c <"$f")
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$bin" logs --format json "$f" >"$tmp/out.json" 2>"$tmp/err"
	st=$?
	read -r secs usr sys kb <<EOF
$(tail -n 1 "$tmp/time")
EOF
	[ "$st" -le 1 ] || { echo "logs exited $st: $(head -c 300 "$tmp/err")"; exit 1; }
	# wall time on a shared machine includes waiting for a core: the CPU
	# time (user + system) is the figure that does not depend on the load
	awk -v b="$bytes" -v s="$secs" -v u="$usr" -v y="$sys" -v kb="$kb" -v k="$kind" -v m="$mix" 'BEGIN {
		mb = b / 1048576; c = u + y
		printf "logs, %s audit log (%s): %.0f MB in %.2fs wall = %.0f MB/s; CPU %.2fs = %.0f MB/s; peak RSS %.1f MB\n",
			k, m, mb, s, (s > 0 ? mb / s : 0), c, (c > 0 ? mb / c : 0), kb / 1024 }'
	echo "  command: $bin logs --format json $kind.log (generated, $bytes bytes)"
	grep -E '"(records|blocked)"' "$tmp/out.json" | head -2 | tr -d ' \n'; echo
	rm -f "$f"
done
