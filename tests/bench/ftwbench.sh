#!/bin/sh
# Benchmark of the test command (figures, never assertions), on one corpus
# and rule set, each row the median of RUNS runs:
#   - `test --jobs 1` and `--jobs 2`: wall time, CPU time (user + sys), tests/s
#   - bare libmodsecurity (ftwtxbench): the same transactions through
#     engine_run alone, one thread, no checking or reports; the overhead
#     row is test --jobs 1's CPU time over this one's
#   - ftwrunner (digitalwave, one thread) on the same corpus and rules,
#     when FTWRUNNER names its binary (never built or shipped here)
# CPU time is what compares on a shared machine; wall time is what a user
# waits for (with 2 cores idle, test --jobs 2's wall time is what the
# "half of ftwrunner's" target is about).
#
#   FTWRUNNER=/path/to/ftwrunner sh tests/bench/ftwbench.sh BIN FTWTXBENCH CORPUS [RUNS] [-r RULES...]
#
# Default rules: the CRS 3.3 regression setup (testdata/ftw/crs-regression.conf)
# and Debian's CRS 3.3.4. For CRS 4 (a checkout at CRS):
#   ... CORPUS=CRS/tests/regression/tests 3 -r testdata/ftw/crs4-regression.conf \
#       -r CRS/crs-setup.conf.example -r 'CRS/rules/*.conf'
# With no CORPUS directory, one of 2000 synthetic tests is generated
# (gen-corpus.sh). ftwrunner gets a ModSecurity config made of the same
# files (ModSecurity's recommended file without the directives
# libmodsecurity 3 refuses, which `test` drops itself) in a temp dir.
set -u
bin=$1; txb=$2; corpus=$3; runs=${4:-3}
shift 3; [ $# -gt 0 ] && shift
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -eq 0 ]; then
	set -- -r "$top/testdata/ftw/crs-regression.conf" -r '/usr/share/modsecurity-crs/rules/*.conf'
fi
if [ ! -e "$corpus" ]; then
	sh "$top/tests/bench/gen-corpus.sh" "$corpus" 2000 >/dev/null
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# time_cmd OUT CMD...: RUNS runs; prints "wall cpu" medians
time_cmd() {
	i=0
	: >"$tmp/walls"; : >"$tmp/cpus"
	while [ $i -lt "$runs" ]; do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >/dev/null 2>&1
			# the last line: time prefixes "Command exited with non-zero status"
			tail -n 1 "$tmp/t" | awk '{print $1}' >>"$tmp/walls"
			tail -n 1 "$tmp/t" | awk '{printf "%.2f\n", $2 + $3}' >>"$tmp/cpus"
		else
			t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
			echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}' >>"$tmp/walls"
			echo "-" >>"$tmp/cpus"
		fi
		i=$((i + 1))
	done
	echo "$(median <"$tmp/walls") $(median <"$tmp/cpus")"
}

count=$("$bin" test "$@" "$corpus" --format json 2>/dev/null | awk -F'[:,]' '/"run":/ {gsub(/[ \t]/, "", $2); print $2; exit}')
echo "corpus: $corpus ($count tests run)"
echo "rules: $*"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %9s %9s\n' "run (median of $runs)" "wall s" "cpu s" "tests/s"
row() { echo "$2 $3" | awk -v n="$1" -v c="$count" '{printf "%-34s %9s %9s %9.0f\n", n, $1, $2, c / $1}'; }
set -- "$@"
j1=$(time_cmd "$bin" test --jobs 1 "$@" "$corpus"); row "test --jobs 1" $j1
j2=$(time_cmd "$bin" test --jobs 2 "$@" "$corpus"); row "test --jobs 2" $j2
bare=$(time_cmd "$txb" "$@" "$corpus"); row "bare libmodsecurity (1 thread)" $bare
echo "$j1 $bare" | awk '$2 != "-" && $4 != "-" {printf "overhead of test over bare libmodsecurity: %+.1f%% CPU (test --jobs 1 vs ftwtxbench, same transactions)\n", ($2 / $4 - 1) * 100}'
if [ -n "${FTWRUNNER:-}" ]; then
	# ftwrunner's config: the same files, included in order
	grep -v -E '^[[:space:]]*(SecRequestBodyInMemoryLimit|SecAuditLog|SecUnicodeMapFile)' \
		/etc/modsecurity/modsecurity.conf-recommended >"$tmp/recommended.conf"
	: >"$tmp/modsec.conf"
	n=0
	while [ $# -gt 0 ]; do
		if [ "$1" = -r ] && [ $# -gt 1 ]; then
			n=$((n + 1))
			case $2 in
			*'*'*) echo "Include $2" >>"$tmp/modsec.conf" ;;
			*) sed "s|Include /etc/modsecurity/modsecurity.conf-recommended|Include $tmp/recommended.conf|" \
				"$2" >"$tmp/r$n.conf"
			   echo "Include $tmp/r$n.conf" >>"$tmp/modsec.conf"
			   echo "SecAuditEngine Off" >>"$tmp/modsec.conf" ;;
			esac
			shift 2
		else
			shift
		fi
	done
	printf 'modsecurity_config: %s\nftwtest_root: %s\ntest_whitelist: []\n' "$tmp/modsec.conf" "$corpus" >"$tmp/ftwrunner.yaml"
	fr=$(time_cmd "$FTWRUNNER" -c "$tmp/ftwrunner.yaml" -e modsecurity); row "ftwrunner (1 thread)" $fr
	echo "$j2 $fr" | awk '{printf "test --jobs 2 wall / ftwrunner wall: %.2f; CPU per test, test / ftwrunner: %.2f\n", $1 / $5, ($2 == "-" || $6 == "-") ? 0 : $2 / $6}'
	echo "ftwrunner: $FTWRUNNER -c $tmp/ftwrunner.yaml -e modsecurity"
fi
