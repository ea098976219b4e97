#!/usr/bin/env python3
"""read-junit.py FILE: read a JUnit XML report as CI tools do, with
python3-junitparser (Debian's JUnit/xUnit reader), and print what it saw:
"suites=N tests=N failures=N errors=N skipped=N", then per suite
"SUITE name tests failures errors" computed from its test cases (not from
the attributes), so a caller can compare the two. Exits 2 when the file
does not parse."""
import sys

import junitparser


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        xml = junitparser.JUnitXml.fromfile(argv[1])
    except Exception as e:  # noqa: BLE001 - any parse failure is the answer
        print("%s: does not parse as JUnit: %s" % (argv[1], e))
        return 2
    suites = [xml] if isinstance(xml, junitparser.TestSuite) else list(xml)
    tot = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    lines = []
    for s in suites:
        n = f = e = k = 0
        for case in s:
            n += 1
            for r in case.result:
                if isinstance(r, junitparser.Failure):
                    f += 1
                elif isinstance(r, junitparser.Error):
                    e += 1
                elif isinstance(r, junitparser.Skipped):
                    k += 1
        if (n, f, e) != (int(s.tests or 0), int(s.failures or 0), int(s.errors or 0)):
            lines.append("MISMATCH %s: attributes tests=%s failures=%s errors=%s, cases %d/%d/%d"
                         % (s.name, s.tests, s.failures, s.errors, n, f, e))
        lines.append("SUITE %s %d %d %d" % (s.name, n, f, e))
        tot["tests"] += n
        tot["failures"] += f
        tot["errors"] += e
        tot["skipped"] += k
    print("suites=%d tests=%d failures=%d errors=%d skipped=%d"
          % (len(suites), tot["tests"], tot["failures"], tot["errors"], tot["skipped"]))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
