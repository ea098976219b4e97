/*
 * JUnit XML for CI: a <testsuite> per host, a <testcase> per callback and
 * URL form. A blocked callback (or one DetectionOnly would block) is a
 * <failure> whose message names the blocking rules and whose text gives
 * the request, each rule's file:line and what it matched, and the
 * verified exclusion to apply. A host that could not be audited is one
 * <testcase> with an <error>. The attribute set (name, tests, failures,
 * errors, skipped; classname) is the one Jenkins, GitLab and the
 * junit-xml readers all take.
 */
#include "report.h"

static void failure_text(const struct audit *a, const struct audit_case *c, struct strbuf *out)
{
	const struct verdict *v = &c->v;
	const struct exclusion *fix[16];
	size_t nfix = case_fixes(a, c, fix, 16);

	strbuf_addf(out, "%s %s\n", c->req.method, c->req.uri);
	if (c->outcome == OUT_WOULD_BLOCK)
		strbuf_addf(out, "The rule engine only logs; switched On it answers %d.\n", v->status);
	for (size_t i = 0; i < v->nblockers; i++) {
		const struct blocker *b = &v->blockers[i];
		const struct match *m = &v->matches[b->match];
		if (b->role == ROLE_CONTRIBUTOR)
			strbuf_addf(out, "  + %ld (score %d)", b->id, b->score);
		else
			strbuf_addf(out, "Rule %ld (phase %d)", b->id, m->phase);
		strbuf_addf(out, " %s:%d %s", m->file, m->line, m->msg);
		if (*m->variable)
			strbuf_addf(out, " [matched %s]", m->first_variable ? m->first_variable : m->variable);
		strbuf_addch(out, '\n');
	}
	if (v->evaluation)
		strbuf_addf(out, "Anomaly score %d reached the threshold %d.\n", v->total_score, v->threshold);
	for (size_t i = 0; i < nfix; i++)
		strbuf_addf(out, "\nFix (%s, load before the rule set):\n%s\n",
			    fix[i]->verified ? "verified" : "NOT verified", fix[i]->snippet);
	if (!nfix)
		strbuf_addstr(out, "\nNo exclusion found for it (see the full report).\n");
}

static void failure_message(const struct audit_case *c, struct strbuf *out)
{
	const struct verdict *v = &c->v;
	strbuf_addf(out, "%s %d by rule %ld", c->outcome == OUT_BLOCKED ? "blocked" : "would be blocked",
		    v->status, v->disruptive_id);
	if (v->evaluation) {
		strbuf_addstr(out, " (anomaly score; scored by");
		for (size_t i = 0; i < v->nblockers; i++)
			if (v->blockers[i].role == ROLE_CONTRIBUTOR)
				strbuf_addf(out, " %ld", v->blockers[i].id);
		strbuf_addch(out, ')');
	}
	for (size_t i = 0; i < v->nmatches; i++)
		if (v->matches[i].id == v->disruptive_id) {
			strbuf_addf(out, ": %s", v->matches[i].msg);
			break;
		}
}

static void host_suite(const struct host_result *h, struct strbuf *out)
{
	const struct audit *a = h->a;
	size_t passed, blocked, would;

	strbuf_addstr(out, "  <testsuite name=\"");
	markup_escape(out, h->host);
	if (!a && !h->error) {	/* nothing to audit: no payment plugin */
		strbuf_addstr(out, "\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
			      "    <properties>\n      <property name=\"plugins\" value=\"");
		markup_escape(out, h->plugins ? h->plugins : "");
		strbuf_addstr(out, "\"/>\n    </properties>\n  </testsuite>\n");
		return;
	}
	if (!a) {
		strbuf_addstr(out, "\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
			      "    <testcase name=\"load\" classname=\"");
		markup_escape(out, h->host);
		strbuf_addstr(out, "\">\n      <error type=\"load\" message=\"");
		markup_escape(out, h->error ? h->error : "not audited");
		strbuf_addstr(out, "\"/>\n    </testcase>\n  </testsuite>\n");
		return;
	}
	audit_counts(a, &passed, &blocked, &would);
	strbuf_addf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
		    a->ncases, blocked + would);
	strbuf_addstr(out, "    <properties>\n      <property name=\"rule_engine\" value=\"");
	markup_escape(out, engine_mode_name(a->mode));
	strbuf_addstr(out, "\"/>\n");
	if (h->aliases && *h->aliases) {
		strbuf_addstr(out, "      <property name=\"aliases\" value=\"");
		markup_escape(out, h->aliases);
		strbuf_addstr(out, "\"/>\n");
	}
	if (h->plugins) {
		strbuf_addstr(out, "      <property name=\"plugins\" value=\"");
		markup_escape(out, h->plugins);
		strbuf_addstr(out, "\"/>\n");
	}
	strbuf_addstr(out, "    </properties>\n");
	for (size_t i = 0; i < a->ncases; i++) {
		const struct audit_case *c = &a->cases[i];
		struct strbuf t = STRBUF_INIT;
		case_label(c, &t);
		strbuf_addstr(out, "    <testcase name=\"");
		markup_escape(out, t.buf);
		strbuf_addstr(out, "\" classname=\"");
		markup_escape(out, h->host);
		strbuf_addch(out, '.');
		markup_escape(out, c->cb->plugin);
		strbuf_addch(out, '"');
		if (c->outcome == OUT_PASSED) {
			strbuf_addstr(out, "/>\n");
		} else {
			strbuf_reset(&t);
			failure_message(c, &t);
			strbuf_addf(out, ">\n      <failure type=\"%s\" message=\"",
				    c->outcome == OUT_BLOCKED ? "blocked" : "would_block");
			markup_escape(out, t.buf);
			strbuf_addstr(out, "\">");
			strbuf_reset(&t);
			failure_text(a, c, &t);
			markup_escape(out, t.buf);
			strbuf_addstr(out, "</failure>\n    </testcase>\n");
		}
		strbuf_release(&t);
	}
	strbuf_addstr(out, "  </testsuite>\n");
}

void report_junit(const struct host_result *h, size_t n, const struct report_opts *o, struct strbuf *out)
{
	size_t tests = 0, failures = 0, errors = 0;
	(void)o;
	for (size_t i = 0; i < n; i++) {
		size_t passed, blocked, would;
		if (!h[i].a) {
			tests += h[i].error != NULL;
			errors += h[i].error != NULL;
			continue;
		}
		audit_counts(h[i].a, &passed, &blocked, &would);
		tests += h[i].a->ncases;
		failures += blocked + would;
	}
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(out, "<testsuites name=\"modsec-callback-audit\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		    tests, failures, errors);
	for (size_t i = 0; i < n; i++)
		host_suite(&h[i], out);
	strbuf_addstr(out, "</testsuites>\n");
}
