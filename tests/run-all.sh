#!/bin/sh
# The whole test suite, as README.md and .ci/run give it: build out of tree
# (autoreconf and configure when needed), run `make check` (Check unit
# tests, the end-to-end cases in testdata/cases, the parity suite against
# real nginx and Apache in tests/parity), then print one line
# "N passed, N failed" counting every unit test, case and parity row.
#
# MCA_BUILD_DIR (default _build), MCA_CFLAGS and MCA_LDFLAGS choose the
# build; .ci/run uses them for the AddressSanitizer/UBSan pass.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${MCA_BUILD_DIR:-$top/_build}
case $build in /*) ;; *) build=$top/$build ;; esac

fail() { echo "run-all: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1) || fail "autoreconf failed"
mkdir -p "$build" && cd "$build" || fail "cannot enter $build"
if [ ! -f Makefile ]; then
	"$top/configure" -q CFLAGS="${MCA_CFLAGS:--g -O2}" LDFLAGS="${MCA_LDFLAGS:-}" || fail "configure failed"
fi
make -s -j2 >/dev/null || fail "build failed"
make -s -j2 check >check.out 2>&1
status=$?
cat check.out

passed=0
failed=0
for log in $(find tests -name '*.log' ! -name test-suite.log | sort); do
	# Check: "100%: Checks: N, Failures: F, Errors: E"
	line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		passed=$((passed + n - f - e)); failed=$((failed + f + e))
		grep -E ':[EF]:' "$log"
		continue
	fi
	# everything else ends with "N passed, N failed"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
		passed=$((passed + p)); failed=$((failed + f))
		grep -E '^(ROW )?FAIL|^SKIP' -A3 "$log"
	fi
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1	# a test program crashed or did not build: that is a failure
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
