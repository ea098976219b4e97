#!/usr/bin/env python3
"""ftw-live.py PORT ERRLOG TESTS [ID...|ALL]

Ground truth for `test --platform apache`: send ftw tests (legacy or go-ftw
v2 files; TESTS is a file or a directory) to a live server one at a time and
judge them from its answer and the ModSecurity lines its error log gained
([id "N"]), as ftw does: status, log_contains / no_log_contains,
log.expect_ids / no_expect_ids. Prints "ID PASSED|FAILED status=S ids=..."
per test. Not go-ftw: no templates or response checks; the request is built
like go-ftw's (Content-Type for a body when missing, Content-Length), text
sent as UTF-8. Needs python3-yaml. tests/live/apache.sh starts a server.
ENV: SLEEP seconds to wait for the log after each answer (default 0.3).
"""
import base64, glob, os, re, socket, sys, time
import yaml

port, errlog, tdir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
want = set(sys.argv[4:]) or {'ALL'}
SLEEP = float(os.environ.get('SLEEP', '0.3'))

tests = {}
files = [tdir] if os.path.isfile(tdir) else sorted(glob.glob(tdir + '/**/*.y*ml', recursive=True))
for f in files:
    try:
        d = yaml.safe_load(open(f, encoding='utf-8'))
    except Exception as e:
        print('%s: not read (%s)' % (f, e), file=sys.stderr)
        continue
    for i, t in enumerate((d or {}).get('tests', []) or []):
        if 'test_title' in t:
            tests[str(t['test_title'])] = t
        else:
            tests['%s-%s' % (d.get('rule_id'), t.get('test_id', i + 1))] = t


def build(inp):
    if 'encoded_request' in inp:
        return base64.b64decode(inp['encoded_request'])
    if 'raw_request' in inp:
        raw = inp['raw_request']
        return ('\r\n'.join(raw) if isinstance(raw, list) else raw).encode('utf-8')
    hs = dict(inp.get('headers', {}) or {})
    data = inp.get('data', '') or ''
    if isinstance(data, list):
        data = '\r\n'.join(data)
    body = data.encode('utf-8')
    if body and not inp.get('stop_magic') and inp.get('autocomplete_headers', True):
        if not any(k.lower() == 'content-type' for k in hs):
            hs['Content-Type'] = 'application/x-www-form-urlencoded'
        if not any(k.lower() == 'content-length' for k in hs):
            hs['Content-Length'] = str(len(body))
    head = '%s %s %s\r\n' % (inp.get('method', 'GET'), inp.get('uri', '/'), inp.get('version', 'HTTP/1.1'))
    head += ''.join('%s: %s\r\n' % (k, v) for k, v in hs.items()) + '\r\n'
    return head.encode('utf-8') + body


def send(b):
    s = socket.create_connection(('127.0.0.1', port), timeout=3)
    out = b''
    try:
        s.sendall(b)
        while True:
            c = s.recv(65536)
            if not c:
                break
            out += c
            h = out.find(b'\r\n\r\n')
            if h >= 0:
                m = re.search(rb'(?i)\r\ncontent-length: *(\d+)', out[:h])
                if m and len(out) >= h + 4 + int(m.group(1)):
                    break
    except OSError:
        pass
    s.close()
    m = re.match(rb'HTTP/\d\.\d (\d+)', out)
    return int(m.group(1)) if m else None


def natural(x):
    return [int(p) if p.isdigit() else p for p in re.split(r'(\d+)', x)]


ids_wanted = sorted(tests if want == {'ALL'} else want, key=natural)
for tid in ids_wanted:
    t = tests.get(tid)
    if t is None:
        print(tid, 'NOT-FOUND')
        continue
    verdict, notes = 'PASSED', []
    for st in t.get('stages', []) or []:
        st = st.get('stage', st)
        inp, out = st.get('input', {}) or {}, st.get('output', {}) or {}
        before = os.path.getsize(errlog)
        status = send(build(inp))
        time.sleep(SLEEP)
        with open(errlog, 'rb') as fh:
            fh.seek(before)
            log = fh.read().decode('latin-1')
        fired = sorted(set(re.findall(r'\[id "(\d+)"\]', log)), key=int)
        notes.append('status=%s ids=%s' % (status, ','.join(fired)))
        checks = [(out.get('log_contains'), True), (out.get('no_log_contains'), False)]
        for rx, must in checks:
            if rx and bool(re.search(rx, log)) != must:
                verdict = 'FAILED'
                notes.append('%s %r' % ('missing' if must else 'present', rx))
        lg = out.get('log') or {}
        for i in lg.get('expect_ids', []) or []:
            if str(i) not in fired:
                verdict = 'FAILED'
                notes.append('%s did not fire' % i)
        for i in lg.get('no_expect_ids', []) or []:
            if str(i) in fired:
                verdict = 'FAILED'
                notes.append('%s fired' % i)
        want_st = out.get('status')
        if want_st is not None and status not in (want_st if isinstance(want_st, list) else [want_st]):
            verdict = 'FAILED'
            notes.append('status %s, expected %s' % (status, want_st))
    print(tid, verdict, '; '.join(notes))
