#!/bin/sh
# ModSecurity's own regression configurations through `check`, judged by
# what the real engines say of the same text: the reader must never be
# stricter than what it imitates, nor miss what stops the server.
#   MCA_MSC_TESTS   the test/ directory of a ModSecurity v3 checkout (e.g.
#                   `git archive v3.0.9 test/test-cases`): each test's
#                   "rules" (test-cases/regression/*.json), against
#                   libmodsecurity 3.0.9 loading the same text
#                   (tests/bench/loadset): a set it loads must not make
#                   check exit 2.
#   MCA_MSC2_TESTS  the tests/regression directory of a ModSecurity 2
#                   checkout (e.g. `git archive v2.9.7 tests/regression`):
#                   each test's conf => qq(...) (Perl, interpolated),
#                   through `check --engine v2 --pcre 2` against
#                   `apache2 -t` with this machine's mod_security2 (PCRE2):
#                   check exits 0 exactly when Apache starts, 1 (a finding)
#                   when it does not.
# No set may crash or hang check (20 s). The corpora stay out of the
# repository. Skipped (exit 77) when neither is named. Ends with
# "N passed, N failed".
set -u
bin=${MCA_BIN:?MCA_BIN}
loadset=${MCA_BUILDDIR:?MCA_BUILDDIR}/tests/bench/loadset
dir=${MCA_MSC_TESTS:-}
dir2=${MCA_MSC2_TESTS:-}
if [ -z "$dir" ] && [ -z "$dir2" ]; then
	echo "SKIP: set MCA_MSC_TESTS (ModSecurity v3's test/) or MCA_MSC2_TESTS (v2's tests/regression) to run it"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
if [ -n "$dir2" ]; then
	PATH=$PATH:/usr/sbin:/sbin
	mods=/usr/lib/apache2/modules
	mkdir -p "$tmp/v2/confs" "$tmp/v2/run/data" "$tmp/v2/run/tmp" "$tmp/v2/run/upload" "$tmp/v2/run/logs" "$tmp/v2/ap"
	python3 - "$dir2" "$tmp/v2" <<'PY' || { echo "0 passed, 1 failed"; exit 1; }
import glob, os, re, sys
d, out = sys.argv[1], sys.argv[2]
run = os.path.join(out, 'run')
env = {'DEBUG_LOG': run + '/debug.log', 'CONF_DIR': os.path.join(d, 'server_root/conf'),
       'DATA_DIR': run + '/data', 'TEMP_DIR': run + '/tmp', 'UPLOAD_DIR': run + '/upload',
       'LOG_DIR': run + '/logs', 'AUDIT_LOG': run + '/audit.log', 'SERVER_ROOT': os.path.join(d, 'server_root'),
       'SERVER_NAME': 'localhost', 'SERVER_PORT': '8088', 'REGRESSION_DIR': d}
def interp(s):  # Perl qq(): $ENV{X}, then backslash escapes
    s = re.sub(r'\$ENV\{(\w+)\}', lambda m: env.get(m.group(1), run + '/none'), s)
    o, i = [], 0
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s):
            o.append({'n': '\n', 't': '\t'}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            o.append(s[i])
            i += 1
    return ''.join(o)
n = 0
for f in sorted(glob.glob(os.path.join(d, '*/*.t'))):
    t = open(f, encoding='latin-1').read()
    for k, m in enumerate(re.finditer(r'conf\s*=>\s*(qq|q)\s*\(', t)):
        i = j = m.end()
        depth = 1
        while j < len(t) and depth:
            if t[j] == '\\':
                j += 2
                continue
            depth += {'(': 1, ')': -1}.get(t[j], 0)
            j += 1
        body = t[i:j - 1]
        if m.group(1) == 'qq':
            body = interp(body)
        name = '%s-%s-%d.conf' % (os.path.basename(os.path.dirname(f)), os.path.basename(f)[:-2], k)
        open(os.path.join(out, 'confs', name), 'w', encoding='latin-1').write(body + '\n')
        n += 1
print('%d ModSecurity 2 configurations' % n)
PY
	for f in "$tmp"/v2/confs/*.conf; do
		{
			echo "ServerRoot $tmp/v2/ap"
			echo "PidFile $tmp/v2/ap/pid"
			echo "Mutex file:$tmp/v2/ap default"
			echo "Listen 127.0.0.1:8088"
			echo "ServerName localhost"
			echo "ErrorLog $tmp/v2/run/error.log"
			for m in mpm_event authz_core unique_id security2; do
				echo "LoadModule ${m}_module $mods/mod_$m.so"
			done
			echo "Include $f"
		} >"$tmp/v2/httpd.conf"
		apache2 -d "$tmp/v2/ap" -f "$tmp/v2/httpd.conf" -t >"$tmp/v2/apache.out" 2>&1
		ast=$?
		timeout 20 "$bin" check --engine v2 --pcre 2 -r "$f" >"$tmp/out" 2>&1
		st=$?
		name=$(basename "$f" .conf)
		if [ $st -gt 2 ]; then
			echo "FAIL v2 $name: check exited $st (crash or hang): $(tail -n 2 "$tmp/out")"
			failed=$((failed + 1))
		elif { [ $ast -eq 0 ] && [ $st -ne 0 ]; } || { [ $ast -ne 0 ] && [ $st -eq 0 ]; }; then
			echo "FAIL v2 $name: apache2 -t exits $ast ($(tail -n 1 "$tmp/v2/apache.out")), check $st: $(grep -v '^load\|^Rule\|^  ' "$tmp/out" | tail -n 1)"
			failed=$((failed + 1))
		else
			passed=$((passed + 1))
		fi
	done
fi
if [ -z "$dir" ]; then
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi
[ -x "$loadset" ] || { echo "msc-regression: $loadset is not built (make tests/bench/loadset)"; echo "0 passed, 1 failed"; exit 1; }
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
lib_ok=0
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
