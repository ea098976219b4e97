/*
 * overrides: go-ftw's platform overrides file (--overrides FILE).
 *
 *   version: "v0.0.0"                 # optional, as go-ftw writes it
 *   meta: {engine: ..., platform: ..., annotations: ...}   # optional, free
 *   test_overrides:
 *     - rule_id: 920100               # none: the override applies to no test
 *       test_ids: [4, 8]              # optional; none = every test of the rule
 *       stage_ids: [1]                # optional, from 0 (go-ftw's index); none = every stage
 *       reason: "why"                 # optional, as in go-ftw
 *       expect_failure: true          # optional: the test is known to fail here
 *       output: {status: 403, log: {expect_ids: [920100]}}   # replaces the test's
 *   ignore:                           # skip list (go-ftw's testoverride.ignore)
 *     "^920400-1$": "reason"          # test-id regex: reason
 *
 * An override without `output` or `expect_failure` replaces the test's
 * output with an empty one, as go-ftw does (it then checks nothing: the
 * test passes unless the connection fails). Without test_ids it applies
 * to every test of the rule (the schema's documented meaning; go-ftw's
 * loop applies such an override to none); stage_ids count from 0, as
 * go-ftw indexes them. Keys go-ftw does not know are warnings (`warn`,
 * print_warnings' lines), an empty file overrides nothing. Errors name
 * file:line.
 * The overrides own their outputs; applied tests point at them, so the
 * overrides must outlive the suite's run.
 */
#ifndef MCA_OVERRIDES_H
#define MCA_OVERRIDES_H

#include <stddef.h>
#include "ftwtest.h"
#include "util/strbuf.h"

struct ftw_override {
	long rule_id;
	long *test_ids, *stage_ids;
	size_t ntest_ids, nstage_ids;
	char *reason;
	int expect_failure;
	int has_output;
	int has_rule;
	struct ftw_output out;
	int line;
};

struct ftw_ignore {
	struct ftw_regex re;
	char *reason;
};

struct ftw_overrides {
	char *file;
	struct ftw_override *v;
	size_t n;
	struct ftw_ignore *ignore;
	size_t nignore;
};

int overrides_load(struct ftw_overrides *o, const char *path, struct strbuf *err,
		   struct strbuf *warn);
void overrides_release(struct ftw_overrides *o);

/* Mark ignored tests skipped, and point overridden stages at the
 * override's output. Returns how many tests were overridden. */
size_t overrides_apply(const struct ftw_overrides *o, struct ftw_suite *s);

#endif
