/*
 * ftw_output: what must hold after a stage (struct ftw_output), read from
 * a test's `output` or an override's (ftw_parse_output), and the PCRE2
 * regexes its checks match with.
 *
 * Invariants: a regex is compiled while loading and only matched after,
 * so threads match concurrently (each with its own match data); an
 * ftw_output is releasable whatever its parse returned, and release
 * leaves it unset (expect_error -1).
 */
#include "ftw_read.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

int ftw_regex_compile(struct ftw_regex *re, const char *src, struct strbuf *err)
{
	int code;
	PCRE2_SIZE off;
	re->src = xstrdup(src);
	re->code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	if (!re->code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		strbuf_addf(err, "regex \"%s\": %s at offset %zu", src, (const char *)msg, (size_t)off);
		return -1;
	}
	return 0;
}

int ftw_regex_match(const struct ftw_regex *re, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

void ftw_regex_release(struct ftw_regex *re)
{
	free(re->src);
	pcre2_code_free(re->code);
	re->src = NULL;
	re->code = NULL;
}

static void regexes_free(struct ftw_regex *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ftw_regex_release(&v[i]);
	free(v);
}

void ftw_output_release(struct ftw_output *o)
{
	free(o->status);
	free(o->expect_ids);
	free(o->no_expect_ids);
	regexes_free(o->log_match, o->nlog_match);
	regexes_free(o->log_no_match, o->nlog_no_match);
	if (o->response_contains)
		regexes_free(o->response_contains, 1);
	memset(o, 0, sizeof(*o));
	o->expect_error = -1;
}

/* ---- output ---- */

static const char *const ignored_output[] = { "retry_once", NULL };

static int parse_log(struct yctx *y, yaml_node_t *n, struct ftw_output *o)
{
	if (ftwy_want_map(y, n, "log") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = ftwy_sval(k);
		int r;
		if (!key)
			return ftwy_fail(y, k, "expected a key");
		if (!strcmp(key, "expect_ids"))
			r = ftwy_get_longs(y, v, key, &o->expect_ids, &o->nexpect);
		else if (!strcmp(key, "no_expect_ids"))
			r = ftwy_get_longs(y, v, key, &o->no_expect_ids, &o->nno_expect);
		else if (!strcmp(key, "match_regex"))
			r = ftwy_get_regexes(y, v, key, &o->log_match, &o->nlog_match);
		else if (!strcmp(key, "no_match_regex"))
			r = ftwy_get_regexes(y, v, key, &o->log_no_match, &o->nlog_no_match);
		else
			r = ftwy_unknown(y, k, "log", "expect_ids, no_expect_ids, match_regex, no_match_regex");
		if (r < 0)
			return -1;
	}
	return 0;
}

int ftw_parse_output(void *ydoc, void *ynode, const char *file, enum ftw_dialect d,
		     struct ftw_output *o, struct strbuf *err)
{
	struct yctx yy = { ydoc, file, err, NULL, d, PLATFORM_NGINX };
	return ftwy_parse_output(&yy, ynode, o);
}

int ftwy_parse_output(struct yctx *y, yaml_node_t *n, struct ftw_output *o)
{
	memset(o, 0, sizeof(*o));
	o->expect_error = -1;
	o->line = (int)n->start_mark.line + 1;
	if (ftwy_is_null(n))
		return 0;
	if (ftwy_want_map(y, n, "output") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = ftwy_sval(k);
		int r = 0;
		if (!key)
			return ftwy_fail(y, k, "expected a key");
		if (!strcmp(key, "status")) {
			long *st = NULL;
			size_t ns = 0;
			r = ftwy_get_longs(y, v, key, &st, &ns);
			free(o->status);
			o->status = xcalloc(ns + 1, sizeof(int));
			for (size_t i = 0; i < ns; i++) {
				if (st[i] < 100 || st[i] > 599) {
					r = ftwy_fail(y, v, "status %ld is not an HTTP status", st[i]);
					break;
				}
				o->status[i] = (int)st[i];
			}
			o->nstatus = ns;
			free(st);
		} else if (!strcmp(key, "log")) {
			r = parse_log(y, v, o);
		} else if (!strcmp(key, "log_contains")) {
			r = ftwy_get_regexes(y, v, key, &o->log_match, &o->nlog_match);
		} else if (!strcmp(key, "no_log_contains")) {
			r = ftwy_get_regexes(y, v, key, &o->log_no_match, &o->nlog_no_match);
		} else if (!strcmp(key, "response_contains")) {
			size_t one = 0;
			if (o->response_contains)
				return ftwy_fail(y, k, "response_contains given twice");
			r = ftwy_get_regexes(y, v, key, &o->response_contains, &one);
			if (r == 0 && one != 1)
				r = ftwy_fail(y, v, "response_contains takes one regex");
		} else if (!strcmp(key, "expect_error")) {
			r = ftwy_get_bool(y, v, key, &o->expect_error);
		} else if (!strcmp(key, "isolated")) {
			r = ftwy_get_bool(y, v, key, &o->isolated);
		} else if (!ftwy_in_list(key, ignored_output)) {
			r = ftwy_unknown(y, k, "output", "status, log, log_contains, no_log_contains, response_contains, expect_error, isolated");
		}
		if (r < 0)
			return -1;
	}
	if (o->isolated && o->nexpect == 0)
		return ftwy_fail(y, n, "isolated needs log.expect_ids (the only rules allowed to fire)");
	return 0;
}
