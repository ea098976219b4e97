#!/bin/sh
# Benchmarks (never timed assertions). For each rule set: one load (`check`
# of the same files), the whole audit (every callback in every URL form,
# exclusions, attack probes, JSON and the exclusions file written), the
# ratio, and the work the audit reports (rule units parsed, engines built,
# transactions run), medians of several runs; then peak memory.
#   sh tests/bench/bench.sh [path/to/modsec-callback-audit] [runs]
# Sets: the demo; Debian's CRS 3.3.4 + a 3-rule vendor set; a generated
# 2,850-rule Comodo-style set (tests/bench/gen-comodo-style.sh, from CRS's
# operators) + the demo's Comodo-style rules; CRS + vendor with
# --paranoia-sweep. MCA_BENCH_CWAF=DIR adds a real Comodo WAF tree (its
# rules.conf.main; never committed, measured where you have one).
# Wall times are medians (hyperfine when installed); on a shared machine
# read the CPU column too (user+sys of the same runs). Memory: the peak of
# one process holding the set loaded (MCA_LOADSET, tests/bench/loadset, fed
# the audit's --dump-rules; `check` never holds a set whole) next to the
# audit's.
set -u
bin=${1:-./modsec-callback-audit}
runs=${2:-5}
top=$(cd "$(dirname "$0")/../.." && pwd)
export MCA_DATADIR=${MCA_DATADIR:-$top}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mca-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

crs=/usr/share/modsecurity-crs
cat >"$tmp/vendor.conf" <<'VENDOR'
# A 3-rule hosting vendor set (written for the benchmark)
SecRule REQUEST_HEADERS:User-Agent "@rx ^(?:python-requests|curl/|libwww-perl)" "id:3900001,phase:1,deny,status:403,log,msg:'Scripted client'"
SecRule ARGS_NAMES "@rx (?:^|_)session_id$" "id:3900002,phase:2,deny,status:403,log,msg:'Session id in parameters'"
SecRule REQUEST_URI "@contains wc-api" "id:3900003,phase:1,pass,log,msg:'Payment callback',setvar:tx.vendor_cb=1"
VENDOR
sh "$top/tests/bench/gen-comodo-style.sh" "$crs/rules" 2850 >"$tmp/comodo-style.conf"

demo="-r $top/rules/demo/modsecurity.conf -r $top/rules/demo/comodo-style/rules.conf.main -r $top/rules/demo/crs.conf"
crsv="-r $top/rules/demo/modsecurity.conf -r $top/rules/demo/crs.conf -r $tmp/vendor.conf"
gen="-R SecRuleEngine\ On -r $top/rules/demo/comodo-style/rules.conf.main -r $tmp/comodo-style.conf"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# "wall cpu" medians of `runs` runs of the command line in $1.
timeit() {
	i=0
	while [ $i -lt "$runs" ]; do
		# exit status 1 (a callback blocked) is the audit's answer, not a failure
		/usr/bin/time -f '%e %U %S' -o "$tmp/t" sh -c "$1; true" >/dev/null 2>&1
		tail -n 1 "$tmp/t" | awk '{printf "%.3f %.3f\n", $1, $2 + $3}'
		i=$((i + 1))
	done >"$tmp/times"
	w=$(cut -d' ' -f1 "$tmp/times" | median)
	c=$(cut -d' ' -f2 "$tmp/times" | median)
	echo "$w $c"
}

peak() {	# peak resident memory (MiB) of one run
	/usr/bin/time -f '%M' -o "$tmp/m" sh -c "exec $1" >/dev/null 2>&1
	tail -n 1 "$tmp/m" | awk '{printf "%.0f", $1 / 1024}'
}

work() {	# units parsed, rule sets built, engines, transactions, runs not run, stage seconds, from the JSON report
	python3 -c 'import json,sys; w=json.load(open(sys.argv[1]))["summary"]["work"]; s=w["seconds"]; print(w["rule_units_parsed"], w["rule_sets_built"], w["engines"], w["transactions"], w["reruns_skipped"] + w["probe_runs_skipped"], "%.2f/%.2f/%.2f/%.2f" % (s["load"], s["round1"], s["unmask"] + s["sweep"], s["probes"]))' "$1" 2>/dev/null ||
		echo "? ? ? ? ? ?"
}

printf '%-24s %9s %9s %7s %9s %9s %6s %5s %7s %8s %8s %10s  %s\n' set "load s" "audit s" ratio "load cpu" "aud cpu" units sets engines "tx run" "not run" "MiB set/aud" "stages s"
row() {	# name, rule args, extra audit args
	name=$1 rules=$2 extra=$3
	l=$(timeit "$bin check $rules")
	a=$(timeit "$bin $rules $extra --format json -o $tmp/out.json --exclusions $tmp/excl.conf")
	set -- $l $a
	lw=$1 lc=$2 aw=$3 ac=$4
	ratio=$(awk -v a="$aw" -v l="$lw" 'BEGIN {printf "%.1fx", (l > 0) ? a / l : 0}')
	set -- $(work "$tmp/out.json")
	if [ -n "${MCA_LOADSET:-}" ] && eval "$bin $rules --dump-rules" >"$tmp/set.conf" 2>/dev/null; then
		ml=$(peak "$MCA_LOADSET $tmp/set.conf")
	else
		ml=$(peak "$bin check $rules")
	fi
	ma=$(peak "$bin $rules $extra --format json -o $tmp/out.json")
	printf '%-24s %9s %9s %7s %9s %9s %6s %5s %7s %8s %8s %10s  %s\n' "$name" "$lw" "$aw" "$ratio" "$lc" "$ac" "$1" "$2" "$3" "$4" "$5" "$ml/$ma" "$6"
}
row demo "$demo" ""
row "crs3.3.4+vendor" "$crsv" ""
row "comodo-style 2850" "$gen" ""
row "crs+vendor sweep" "$crsv" "--paranoia-sweep"
if [ -n "${MCA_BENCH_CWAF:-}" ]; then
	# as tests/real-sets.sh audits it: a ModSecurity 2 server with PCRE1
	row "cwaf (local)" "--engine v2 --pcre 1 -R SecRuleEngine\ On -R SecRequestBodyAccess\ On -r $MCA_BENCH_CWAF/rules.conf.main" ""
fi
echo "(medians of $runs runs; wall and CPU (user+sys) seconds; load = 'check' of the same files;"
echo " units/sets/engines/tx run/not run = rule units parsed, libmodsecurity rule sets built (parses,"
echo " fitting checks, engines), engines built, transactions run, runs answered without running, from"
echo " the audit's JSON); MiB set/aud = peak resident memory of one process holding the set loaded"
echo " (tests/bench/loadset with MCA_LOADSET; else of 'check') and of the audit; stages s = wall seconds"
echo " of the last run's stages (work.seconds): load / round 1 (each callback request once, as the server"
echo " is: what any answer costs) / unmasking and verifying the exclusions (and the sweep) / attack probes"
echo "  audit command: $bin RULES --format json -o OUT --exclusions EXCL"
