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
# the cases: "N passed, N failed" at the end of the harness's log
if [ -f tests/run-cases.log ]; then
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' tests/run-cases.log | tail -n 1)
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	grep -E '^FAIL ' -A1 tests/run-cases.log
fi
# the parity suite: "N passed, N failed" at the end of its log (or SKIP)
if [ -f tests/parity/parity.log ]; then
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' tests/parity/parity.log | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
		passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	fi
	grep -E '^SKIP' tests/parity/parity.log
	grep -E '^(ROW )?FAIL' tests/parity/parity.log
fi
# Check: "100%: Checks: N, Failures: F, Errors: E"
if [ -f tests/unit.log ]; then
	line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' tests/unit.log | tail -n 1)
	n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	passed=$((passed + ${n:-0} - ${f:-0} - ${e:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
	grep -E ':[EF]:' tests/unit.log
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1	# a test program crashed or did not build: that is a failure
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
