/* The line formats (text, github) and the summary line. */
#include "test_report.h"

void test_summary_add(struct test_summary *s, const struct ftw_result *r)
{
	if (r->outcome == TEST_PASSED)
		s->passed++;
	else if (r->outcome == TEST_FAILED)
		s->failed++;
	else
		s->skipped++;
}

void test_report_text_line(struct strbuf *out, const struct ftw_result *r, int color)
{
	const struct ftw_test *t = r->test;
	static const char *const word[] = { "PASSED ", "FAILED ", "SKIPPED" };
	static const char *const col[] = { "\033[32m", "\033[31m", "\033[33m" };

	if (r->outcome == TEST_SKIPPED && t->filtered)
		return;
	strbuf_addf(out, "%s%s%s %s", color ? col[r->outcome] : "", word[r->outcome],
		    color ? "\033[0m" : "", t->id);
	if (r->outcome == TEST_PASSED)
		strbuf_addf(out, "  (%.1f ms)", r->ms);
	else if (r->reason)
		strbuf_addf(out, "  %s", r->reason);
	if (r->outcome == TEST_FAILED)
		strbuf_addf(out, "  [%s:%d]", t->file, t->line);
	if (t->override && r->outcome != TEST_SKIPPED) {
		/* one line per test: a YAML block reason's line ends become spaces */
		size_t at = out->len;
		strbuf_addf(out, "  (override: %s", t->override);
		while (out->len > at && (out->buf[out->len - 1] == '\n' || out->buf[out->len - 1] == ' '))
			strbuf_setlen(out, out->len - 1);
		for (size_t i = at; i < out->len; i++)
			if (out->buf[i] == '\n' || out->buf[i] == '\r')
				out->buf[i] = ' ';
		strbuf_addch(out, ')');
	}
	strbuf_addch(out, '\n');
}

/* GitHub workflow commands: escape data and property values. */
static void gh_escape(struct strbuf *out, const char *s, int property)
{
	for (; *s; s++) {
		if (*s == '%')
			strbuf_addstr(out, "%25");
		else if (*s == '\r')
			strbuf_addstr(out, "%0D");
		else if (*s == '\n')
			strbuf_addstr(out, "%0A");
		else if (property && *s == ':')
			strbuf_addstr(out, "%3A");
		else if (property && *s == ',')
			strbuf_addstr(out, "%2C");
		else
			strbuf_addch(out, *s);
	}
}

void test_report_github_line(struct strbuf *out, const struct ftw_result *r)
{
	const struct ftw_test *t = r->test;
	if (r->outcome != TEST_FAILED)
		return;
	strbuf_addstr(out, "::error file=");
	gh_escape(out, t->file, 1);
	strbuf_addf(out, ",line=%d,title=", t->line);
	gh_escape(out, t->id, 1);
	strbuf_addstr(out, " failed::");
	gh_escape(out, r->reason ? r->reason : "failed", 0);
	strbuf_addch(out, '\n');
}

void test_report_summary(struct strbuf *out, const struct test_summary *s)
{
	strbuf_addf(out, "%zu passed, %zu failed, %zu skipped\n", s->passed, s->failed, s->skipped);
}
