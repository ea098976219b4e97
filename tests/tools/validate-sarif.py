#!/usr/bin/env python3
"""validate-sarif.py SCHEMA FILE...: validate SARIF logs against the SARIF
2.1.0 JSON schema with python3-jsonschema (the validator class the schema's
$schema names: draft-04 for SARIF 2.1.0, format checks included where the
library can make them). Prints one line per file ("FILE: N errors") and the
first errors, each with its JSON path; exits 1 when any file has an error,
2 when the schema itself is not a valid schema or a file does not read."""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print("%s: not a usable schema: %s" % (argv[1], e), file=sys.stderr)
        return 2
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    bad = 0
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("%s: does not read as JSON: %s" % (path, e))
            return 2
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        print("%s: %d errors (%s, %s)" % (path, len(errors), cls.__name__, schema.get("title", "")))
        for e in errors[:10]:
            print("  /%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300]))
        bad += len(errors) > 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
