#!/bin/sh
# Benchmarks (never timed assertions): wall time of the demo audit and of one
# callback transaction, medians of several runs.
#   sh tests/bench/bench.sh [path/to/modsec-callback-audit] [runs]
# Prints the commands it timed with the figures.
set -u
bin=${1:-./modsec-callback-audit}
runs=${2:-11}
top=$(cd "$(dirname "$0")/../.." && pwd)
export MCA_DATADIR=${MCA_DATADIR:-$top}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

time_cmd() {
	i=0
	while [ $i -lt "$runs" ]; do
		t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
		echo "$t0 $t1" | awk '{printf "%.4f\n", $2 - $1}'
		i=$((i + 1))
	done | median
}

demo=$(time_cmd "$bin")
echo "demo audit (all callbacks, 3 URL forms, exclusion rounds): median ${demo}s over $runs runs"
echo "  command: $bin"

# The audit replays every request at least twice (the server as it is,
# then with the exclusions); txbench (make bench) times one transaction alone.
