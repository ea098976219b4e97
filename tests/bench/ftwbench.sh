#!/bin/sh
# Benchmark of the test command (figures, never assertions): wall time and
# tests/s of `modsec-callback-audit test` on a corpus, with --jobs 1 and
# --jobs 2 (median of RUNS runs), then bare libmodsecurity time for the
# same transactions (ftwtxbench: engine_run alone, one thread).
#   sh tests/bench/ftwbench.sh BIN FTWTXBENCH CORPUS [RUNS] [-r RULES...]
# Default rules: the CRS regression setup (testdata/ftw/crs-regression.conf)
# and Debian's CRS 3.3.4. With no CORPUS directory, one of 2000 synthetic
# tests is generated (gen-corpus.sh).
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
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
count=$("$bin" test "$@" "$corpus" --format json 2>/dev/null | awk -F'[:,]' '/"run":/ {gsub(/[ \t]/, "", $2); print $2; exit}')
echo "corpus: $corpus ($count tests run)"
echo "rules: $*"
for jobs in 1 2; do
	t=$(i=0; while [ $i -lt "$runs" ]; do
		t0=$(now); "$bin" test --jobs $jobs "$@" "$corpus" >/dev/null 2>&1; t1=$(now)
		echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}'; i=$((i + 1)); done | median)
	echo "$t $count $jobs" | awk '{printf "test --jobs %d: %.3f s wall (median of '"$runs"'), %.0f tests/s\n", $3, $1, $2 / $1}'
done
"$txb" "$@" "$corpus"
