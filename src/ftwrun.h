/*
 * ftwrun: run ftw tests through the rule set, on all cores.
 *
 * The rule set is read once (ruleset.h); each worker thread gets its own
 * engine, loaded from it before any test runs (loading is not
 * thread-safe; running is, but libmodsecurity 3.0.9's in-memory
 * collections take no read lock, so engines are never shared). Engines
 * start with the rule set's own SecRuleEngine (engine_new_mode): a CRS
 * regression setup in DetectionOnly disrupts nothing, as on its server.
 *
 * A test's stages run in order on one engine; the first stage that fails
 * ends the test. Skipped tests (ftw_test.skip) are not run. Results are
 * handed to `on_result` in test order, from the calling thread, as soon
 * as every earlier test is done: output streams while later tests run.
 */
#ifndef MCA_FTWRUN_H
#define MCA_FTWRUN_H

#include <stddef.h>
#include "ftwtest.h"
#include "ruleset.h"
#include "server.h"
#include "util/strbuf.h"

enum test_outcome { TEST_PASSED, TEST_FAILED, TEST_SKIPPED };
const char *test_outcome_name(enum test_outcome o);

struct ftw_result {
	const struct ftw_test *test;
	enum test_outcome outcome;
	char *reason;		/* why it failed or was skipped; NULL when passed */
	struct stage_result *stages;	/* the stages run */
	size_t nstages;
	int failed_stage;	/* 1-based; 0 when none failed */
	double ms;
};

typedef void (*ftw_result_fn)(const struct ftw_result *r, void *arg);

struct ftw_run_opts {
	int jobs;		/* worker threads, >= 1 */
	ftw_result_fn on_result;	/* may be NULL */
	void *arg;
};

/* Run `n` tests; `results` (n elements) receives them. Returns 0, or -1
 * when the rules do not load (err: "file:line: reason"). */
int ftw_run(const struct ruleset *rs, const struct ftw_test *const *tests, size_t n,
	    const struct ftw_run_opts *o, struct ftw_result *results, struct strbuf *err);
void ftw_result_release(struct ftw_result *r);

/* Run one test on `e` (what each worker does). */
void ftw_run_test(struct engine *e, const struct ruleset *rs, const struct ftw_test *t,
		  struct ftw_result *r);

#endif
