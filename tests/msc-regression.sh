#!/bin/sh
# The rule sets of ModSecurity 3's own regression tests (each test's
# "rules", test/test-cases/regression/*.json of a libmodsecurity checkout,
# e.g. `git archive v3.0.9 test/test-cases`) through `check`, against
# libmodsecurity 3.0.9 itself loading the same text (tests/bench/loadset):
# the reader must never be stricter than the library it imitates. A set
# libmodsecurity loads must not make check exit 2; no set may crash it or
# hang it (20 s). Sets libmodsecurity refuses may be findings (1) or
# errors (2). The corpus stays out of the repository; name it:
#   MCA_MSC_TESTS  the test/ directory of a ModSecurity v3 checkout
# Skipped (exit 77) when it is not named. Ends with "N passed, N failed".
set -u
bin=${MCA_BIN:?MCA_BIN}
loadset=${MCA_BUILDDIR:?MCA_BUILDDIR}/tests/bench/loadset
dir=${MCA_MSC_TESTS:-}
if [ -z "$dir" ]; then
	echo "SKIP: set MCA_MSC_TESTS to a ModSecurity v3 checkout's test/ directory to run it"
	exit 77
fi
[ -x "$loadset" ] || { echo "msc-regression: $loadset is not built (make tests/bench/loadset)"; echo "0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# one file per test that has rules (@pmFromFile etc. name files relative
# to the test/ directory: run from there)
python3 - "$dir" "$tmp" <<'PY' || { echo "0 passed, 1 failed"; exit 1; }
import glob, json, os, sys
d, out = sys.argv[1], sys.argv[2]
n = 0
for f in sorted(glob.glob(os.path.join(d, 'test-cases/regression/*.json'))):
    try:
        tests = json.load(open(f, encoding='utf-8'))
    except Exception as e:
        print('not JSON, skipped: %s (%s)' % (f, e))
        continue
    if isinstance(tests, dict):
        tests = [tests]
    for i, t in enumerate(tests):
        rules = [r for r in (t.get('rules') or []) if isinstance(r, str)]
        if rules:
            name = '%s-%d.conf' % (os.path.basename(f)[:-5], i)
            open(os.path.join(out, name), 'w', encoding='utf-8').write('\n'.join(rules) + '\n')
            n += 1
print('%d rule sets' % n)
PY
passed=0 failed=0 lib_ok=0
cd "$dir" || exit 1
for f in "$tmp"/*.conf; do
	"$loadset" "$f" >/dev/null 2>&1
	lst=$?
	timeout 20 "$bin" check -r "$f" >"$tmp/out" 2>&1
	st=$?
	name=$(basename "$f" .conf)
	if [ $st -gt 2 ]; then
		echo "FAIL $name: check exited $st (crash or hang): $(tail -n 2 "$tmp/out")"
		failed=$((failed + 1))
	elif [ $lst -eq 0 ] && [ $st -eq 2 ]; then
		echo "FAIL $name: libmodsecurity loads it, check refuses it: $(tail -n 1 "$tmp/out")"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
	[ $lst -eq 0 ] && lib_ok=$((lib_ok + 1))
done
echo "($lib_ok of the sets load in libmodsecurity 3.0.9)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
