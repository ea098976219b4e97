#!/bin/sh
# `make fuzz` and .ci/run: build the libFuzzer targets with clang
# (-fsanitize=fuzzer,address,undefined, in a build dir of their own) and run
# each for a bounded time. A target fails on a crash, a leak, an input
# running over 2 s (-timeout) or using over 512 MB (-rss_limit_mb,
# -malloc_limit_mb). What it found is copied to testdata/fuzz/NAME/, the
# regression corpus `make check` replays: fix the bug, commit the input.
#
#   MCA_FUZZ_SECONDS     per target (default 25)
#   MCA_FUZZ_TARGETS     which (default: all; see tests/fuzz/targets.sh)
#   MCA_FUZZ_BUILD_DIR   default _build-fuzz in the source tree
#
# Prints one line per target with libFuzzer's figures (executions, coverage
# "cov", features "ft", corpus size), then "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${MCA_FUZZ_BUILD_DIR:-$top/_build-fuzz}
secs=${MCA_FUZZ_SECONDS:-25}
. "$top/tests/fuzz/targets.sh"
targets=${MCA_FUZZ_TARGETS:-$fuzz_targets}

fail() { echo "fuzz: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

command -v clang >/dev/null 2>&1 || fail "clang is not installed (apt-get install clang libclang-rt-14-dev)"
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1) || fail "autoreconf failed"
mkdir -p "$build" && cd "$build" || fail "cannot enter $build"
if [ ! -f Makefile ]; then
	"$top/configure" -q CC=clang \
		CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" >configure.out 2>&1 || { tail -n 20 configure.out; fail "configure failed"; }
fi
make -s -j2 fuzz-targets >make.out 2>&1 || { tail -n 30 make.out; fail "build failed"; }

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
passed=0
failed=0
for t in $targets; do
	corpus=$build/corpus/$t
	found=$build/found/$t
	mkdir -p "$corpus" "$found" "$top/testdata/fuzz/$t"
	seeds=""
	for d in $(fuzz_seeds "$t"); do
		[ -d "$top/$d" ] && seeds="$seeds $top/$d"
	done
	log=$build/fuzz-$t.log
	# new inputs go to the first directory ($corpus, kept between runs)
	# shellcheck disable=SC2086
	"$build/tests/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=2 \
		-rss_limit_mb=512 -malloc_limit_mb=512 -print_final_stats=1 \
		-artifact_prefix="$found/" \
		"$corpus" "$top/testdata/fuzz/$t" $seeds >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
	if [ "$status" -eq 0 ]; then
		echo "PASS fuzz $t: ${execs:-?} executions in ${secs}s, ${cov:-no coverage line}"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz $t (exit $status): ${execs:-?} executions, ${cov:-no coverage line}"
		grep -E 'ERROR: |SUMMARY: |==[0-9]+==|#[0-9]+ 0x' "$log" | head -n 25
		for a in "$found"/*; do
			[ -f "$a" ] || continue
			cp "$a" "$top/testdata/fuzz/$t/" && echo "  found input kept as testdata/fuzz/$t/$(basename "$a")"
		done
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
