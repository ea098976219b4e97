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

/* go-ftw checks no regex given as "" (its `!= ""` tests): drop it. */
static int get_regexes(struct yctx *y, yaml_node_t *n, const char *key, struct ftw_regex **v,
		       size_t *nv)
{
	const char *s = ftwy_sval(n);
	if (s && !*s)
		return 0;
	return ftwy_get_regexes(y, n, key, v, nv);
}

/* Which log expectations were given (go-ftw's postProcessLogContains
 * reads log_contains only when neither of the first two is). */
struct log_given {
	int expect_ids, match_regex, no_expect_ids, no_match_regex;
};

static int parse_log(struct yctx *y, yaml_node_t *n, struct ftw_output *o, struct log_given *g)
{
	if (ftwy_want_map(y, n, "log") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = ftwy_sval(k);
		int r;
		if (!key)
			return ftwy_fail(y, k, "expected a key");
		if (!strcmp(key, "expect_ids")) {
			g->expect_ids = !ftwy_is_null(v);
			r = g->expect_ids ? ftwy_get_longs(y, v, key, &o->expect_ids, &o->nexpect) : 0;
		} else if (!strcmp(key, "no_expect_ids")) {
			g->no_expect_ids = !ftwy_is_null(v);
			r = g->no_expect_ids ? ftwy_get_longs(y, v, key, &o->no_expect_ids, &o->nno_expect) : 0;
		} else if (!strcmp(key, "match_regex")) {
			size_t before = o->nlog_match;
			r = get_regexes(y, v, key, &o->log_match, &o->nlog_match);
			g->match_regex |= o->nlog_match > before;
		} else if (!strcmp(key, "no_match_regex")) {
			size_t before = o->nlog_no_match;
			r = get_regexes(y, v, key, &o->log_no_match, &o->nlog_no_match);
			g->no_match_regex |= o->nlog_no_match > before;
		} else
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

/* Append the `n` regexes of `from` to `to` (they move: `from` is freed). */
static void move_regexes(struct ftw_regex **to, size_t *nto, struct ftw_regex *from, size_t n)
{
	if (!n) {
		free(from);
		return;
	}
	*to = xrealloc(*to, (*nto + n) * sizeof(**to));
	memcpy(*to + *nto, from, n * sizeof(*from));
	*nto += n;
	free(from);
}

int ftwy_parse_output(struct yctx *y, yaml_node_t *n, struct ftw_output *o)
{
	/* log_contains / no_log_contains, held apart until the whole output is
	 * read: in v2 files, go-ftw reads them only when `log:` gives neither
	 * expect_ids nor match_regex (resp. no_expect_ids nor no_match_regex);
	 * legacy ftw has no `log:`, and both hold there */
	struct ftw_regex *lc = NULL, *nlc = NULL;
	size_t nlc_n = 0, lc_n = 0;
	struct log_given g = { 0, 0, 0, 0 };
	int ret = 0;

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
		if (!key) {
			ret = ftwy_fail(y, k, "expected a key");
			break;
		}
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
			r = ftwy_is_null(v) ? 0 : parse_log(y, v, o, &g);
		} else if (!strcmp(key, "log_contains")) {
			r = get_regexes(y, v, key, &lc, &lc_n);
		} else if (!strcmp(key, "no_log_contains")) {
			r = get_regexes(y, v, key, &nlc, &nlc_n);
		} else if (!strcmp(key, "response_contains")) {
			size_t one = 0;
			const char *sv = ftwy_sval(v);
			if (o->response_contains)
				r = ftwy_fail(y, k, "response_contains given twice");
			else if (!sv || *sv)
				r = ftwy_get_regexes(y, v, key, &o->response_contains, &one);
			if (r == 0 && o->response_contains && one != 1)
				r = ftwy_fail(y, v, "response_contains takes one regex");
		} else if (!strcmp(key, "expect_error")) {
			r = ftwy_get_bool(y, v, key, &o->expect_error);
		} else if (!strcmp(key, "isolated")) {
			r = ftwy_get_bool(y, v, key, &o->isolated);
		} else if (!ftwy_in_list(key, ignored_output)) {
			r = ftwy_unknown(y, k, "output", "status, log, log_contains, no_log_contains, response_contains, expect_error, isolated");
		}
		if (r < 0) {
			ret = -1;
			break;
		}
	}
	if (y->d == FTW_V2 && (g.expect_ids || g.match_regex)) {
		regexes_free(lc, lc_n);
		lc = NULL, lc_n = 0;
	}
	if (y->d == FTW_V2 && (g.no_expect_ids || g.no_match_regex)) {
		regexes_free(nlc, nlc_n);
		nlc = NULL, nlc_n = 0;
	}
	move_regexes(&o->log_match, &o->nlog_match, lc, lc_n);
	move_regexes(&o->log_no_match, &o->nlog_no_match, nlc, nlc_n);
	/* isolated without exactly one expect_ids fails the stage when it
	 * runs (go-ftw's checkTestSanity), not the file */
	return ret;
}
