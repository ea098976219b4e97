/*
 * test_report: the writers of the test command's results (ftwrun.h).
 *
 * Line formats (text, github) are written one result at a time, so the
 * command can stream them; json and junit take every result at the end.
 * All append to a strbuf; the caller decides where it goes.
 *
 *   text    PASSED/FAILED/SKIPPED, the test id, and for failures the
 *           reason (expected vs fired ids), go-ftw style; tests left out
 *           by --include/--exclude are counted, not listed
 *   github  a workflow-command annotation per failure (::error file=,line=)
 *   json    go-ftw's keys (run, success, failed, skipped, runtime,
 *           triggered-rules) plus per-test detail; see README.md
 *   junit   one <testsuite> per file, one <testcase> per test
 * Every format ends with (text/github) or carries (json/junit) the counts;
 * the text summary line is "N passed, N failed, N skipped".
 */
#ifndef MCA_TEST_REPORT_H
#define MCA_TEST_REPORT_H

#include <stddef.h>
#include "ftwrun.h"
#include "util/strbuf.h"

struct test_summary {
	size_t passed, failed, skipped;
	double wall_ms;
	int jobs;
	const char *rule_engine;	/* "DetectionOnly", ..., NULL = unset */
	const char *library;		/* libmodsecurity's own name */
	const char *emulates;		/* --engine: "v2" (ModSecurity 2's reading) or "v3" */
	const char *version;		/* the tool's */
	size_t nfiles;
};

void test_summary_add(struct test_summary *s, const struct ftw_result *r);

void test_report_text_line(struct strbuf *out, const struct ftw_result *r, int color);
void test_report_github_line(struct strbuf *out, const struct ftw_result *r);
void test_report_summary(struct strbuf *out, const struct test_summary *s);

void test_report_json(struct strbuf *out, const struct ftw_result *r, size_t n,
		      const struct test_summary *s);
void test_report_junit(struct strbuf *out, const struct ftw_result *r, size_t n,
		       const struct test_summary *s);

#endif
