#include "ftwcheck.h"

static int fired(const struct stage_result *r, long id)
{
	for (size_t i = 0; i < r->nfired; i++)
		if (r->fired[i] == id)
			return 1;
	return 0;
}

static int scoring_rule(long id)
{
	return (id >= 949000 && id <= 949999) || (id >= 959000 && id <= 959999) ||
	       (id >= 980000 && id <= 980999);
}

void ftw_fired_list(const struct stage_result *r, struct strbuf *out)
{
	if (!r->nfired)
		strbuf_addstr(out, "none");
	for (size_t i = 0; i < r->nfired; i++)
		strbuf_addf(out, "%s%ld", i ? " " : "", r->fired[i]);
}

static void reason(struct strbuf *why, int *ok)
{
	if (!*ok)
		strbuf_addstr(why, "; ");
	*ok = 0;
}

int ftw_check(const struct ftw_output *o, const struct stage_result *r, struct strbuf *why)
{
	int ok = 1, id_failure = 0;

	if (r->error && o->expect_error != 1) {
		reason(why, &ok);
		strbuf_addf(why, "unexpected error: %s", r->error_why ? r->error_why : "no answer");
	} else if (!r->error && o->expect_error == 1) {
		reason(why, &ok);
		strbuf_addf(why, "expected an error (connection closed), got status %d", r->status);
	}
	if (o->nstatus && !r->error) {
		int any = 0;
		for (size_t i = 0; i < o->nstatus; i++)
			any |= o->status[i] == r->status;
		if (!any) {
			reason(why, &ok);
			strbuf_addf(why, "status %d, expected %s", r->status, o->nstatus > 1 ? "one of" : "");
			for (size_t i = 0; i < o->nstatus; i++)
				strbuf_addf(why, "%s%d", i || o->nstatus > 1 ? " " : "", o->status[i]);
		}
	}
	for (size_t i = 0; i < o->nexpect; i++) {
		if (fired(r, o->expect_ids[i]))
			continue;
		reason(why, &ok);
		strbuf_addf(why, "expected %ld to fire", o->expect_ids[i]);
		id_failure = 1;
	}
	for (size_t i = 0; i < o->nno_expect; i++) {
		if (!fired(r, o->no_expect_ids[i]))
			continue;
		reason(why, &ok);
		strbuf_addf(why, "%ld fired, expected not to", o->no_expect_ids[i]);
		id_failure = 1;
	}
	if (o->isolated) {
		for (size_t i = 0; i < r->nfired; i++) {
			int expected = 0;
			for (size_t k = 0; k < o->nexpect; k++)
				expected |= o->expect_ids[k] == r->fired[i];
			if (expected || scoring_rule(r->fired[i]))
				continue;
			reason(why, &ok);
			strbuf_addf(why, "isolated: %ld fired too", r->fired[i]);
			id_failure = 1;
		}
	}
	for (size_t i = 0; i < o->nlog_match; i++) {
		if (ftw_regex_match(&o->log_match[i], r->log.buf, r->log.len))
			continue;
		reason(why, &ok);
		strbuf_addf(why, "log does not match /%s/", o->log_match[i].src);
		id_failure = 1;
	}
	for (size_t i = 0; i < o->nlog_no_match; i++) {
		if (!ftw_regex_match(&o->log_no_match[i], r->log.buf, r->log.len))
			continue;
		reason(why, &ok);
		strbuf_addf(why, "log matches /%s/, expected not to", o->log_no_match[i].src);
		id_failure = 1;
	}
	if (o->response_contains &&
	    !ftw_regex_match(o->response_contains, r->response.buf, r->response.len)) {
		reason(why, &ok);
		strbuf_addf(why, "response does not match /%s/", o->response_contains->src);
	}
	if (id_failure) {
		strbuf_addstr(why, " (fired: ");
		ftw_fired_list(r, why);
		strbuf_addch(why, ')');
	}
	return ok;
}
