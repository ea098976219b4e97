#!/bin/sh
# Part of `make check`: replay every fuzz target over its seeds and its
# regression corpus testdata/fuzz/NAME/ (see tests/fuzz/fuzz.h), with a
# plain main instead of libFuzzer; under .ci/run's ASan/UBSan pass too.
# One result per target; ends "N passed, N failed".
set -u
src=${MCA_SRCDIR:?}
build=${MCA_BUILDDIR:?}
. "$src/tests/fuzz/targets.sh"
passed=0
failed=0
for t in $fuzz_targets; do
	dirs=""
	for d in $(fuzz_seeds "$t") "testdata/fuzz/$t"; do
		[ -d "$src/$d" ] && dirs="$dirs $src/$d"
	done
	log=$build/tests/fuzz/replay-$t.out
	# shellcheck disable=SC2086
	if "$build/tests/fuzz/replay-$t" $dirs >"$log" 2>&1; then
		echo "PASS fuzz replay $t: $(tail -n 1 "$log")"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz replay $t (last input first):"
		grep '^replay: ' "$log" | tail -n 1
		grep -v '^replay: ' "$log" | head -n 30
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
