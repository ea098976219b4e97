/* JUnit XML: one <testsuite> per ftw file, one <testcase> per test. */
#include "test_report.h"
#include "report.h"	/* markup_escape */

#include <string.h>

static void suite(struct strbuf *out, const struct ftw_result *r, size_t n)
{
	size_t failures = 0, skipped = 0;
	double ms = 0;
	for (size_t i = 0; i < n; i++) {
		failures += r[i].outcome == TEST_FAILED;
		skipped += r[i].outcome == TEST_SKIPPED;
		ms += r[i].ms;
	}
	strbuf_addstr(out, "  <testsuite name=\"");
	markup_escape(out, r[0].test->file);
	strbuf_addf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.6f\">\n",
		    n, failures, skipped, ms / 1000);
	for (size_t i = 0; i < n; i++) {
		const struct ftw_test *t = r[i].test;
		strbuf_addstr(out, "    <testcase name=\"");
		markup_escape(out, t->id);
		strbuf_addstr(out, "\" classname=\"");
		markup_escape(out, t->file);
		strbuf_addf(out, "\" file=\"");
		markup_escape(out, t->file);
		strbuf_addf(out, "\" line=\"%d\" time=\"%.6f\"", t->line, r[i].ms / 1000);
		if (r[i].outcome == TEST_PASSED) {
			strbuf_addstr(out, "/>\n");
			continue;
		}
		strbuf_addstr(out, ">\n");
		strbuf_addstr(out, r[i].outcome == TEST_FAILED ? "      <failure type=\"ftw\" message=\""
							       : "      <skipped message=\"");
		markup_escape(out, r[i].reason ? r[i].reason : "");
		strbuf_addstr(out, "\"/>\n    </testcase>\n");
	}
	strbuf_addstr(out, "  </testsuite>\n");
}

void test_report_junit(struct strbuf *out, const struct ftw_result *r, size_t n,
		       const struct test_summary *s)
{
	size_t start = 0;
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(out, "<testsuites name=\"modsec-callback-audit test\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.6f\">\n",
		    n, s->failed, s->skipped, s->wall_ms / 1000);
	for (size_t i = 1; i <= n; i++) {
		if (i == n || strcmp(r[i].test->file, r[start].test->file)) {
			if (i > start)
				suite(out, r + start, i - start);
			start = i;
		}
	}
	strbuf_addstr(out, "</testsuites>\n");
}
