#include "ftwtest.h"
#include "util/base64.h"
#include "util/fileio.h"
#include "util/yamlload.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

const char *ftw_dialect_name(enum ftw_dialect d)
{
	return d == FTW_V2 ? "go-ftw v2" : "legacy ftw";
}

/* ---- regexes ---- */

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

/* ---- YAML helpers: every error names file:line ---- */

struct yctx {
	yaml_document_t *doc;
	const char *file;
	struct strbuf *err;
	struct strbuf *warn;	/* NULL: warnings are dropped */
	enum ftw_dialect d;
	enum platform platform;
};

static int fail(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	strbuf_addf(y->err, "%s:%d: ", y->file, n ? (int)n->start_mark.line + 1 : 1);
	va_start(ap, fmt);
	strbuf_vaddf(y->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* One loop each (the node is bound by an inner loop that runs once), and
 * `break` leaves the whole iteration: brk_ stays set when the body breaks
 * out of the inner loop, and the outer condition sees it. */
#define FOR_PAIRS(y, map, k, v) \
	for (yaml_node_pair_t *p_ = (map)->data.mapping.pairs.start, brk_ = { 0, 0 }; \
	     !brk_.key && p_ < (map)->data.mapping.pairs.top; p_++) \
		for (yaml_node_t *k = (brk_.key = 1, yaml_document_get_node((y)->doc, p_->key)), \
		     *v = yaml_document_get_node((y)->doc, p_->value); brk_.key; brk_.key = 0)

#define FOR_ITEMS(y, seq, v) \
	for (yaml_node_item_t *i_ = (seq)->data.sequence.items.start, brk_ = 0; \
	     !brk_ && i_ < (seq)->data.sequence.items.top; i_++) \
		for (yaml_node_t *v = (brk_ = 1, yaml_document_get_node((y)->doc, *i_)); brk_; brk_ = 0)

/* A key go-ftw does not know: its YAML reader ignores it, so we do too,
 * with a warning (a typo like "hedaers" is worth knowing about). */
static int unknown(struct yctx *y, const yaml_node_t *k, const char *where, const char *known)
{
	if (y->warn)
		strbuf_addf(y->warn, "%s:%d: unknown key \"%s\" in %s (%s): ignored, as go-ftw does\n",
			    y->file, (int)k->start_mark.line + 1,
			    k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?", where, known);
	return 0;
}

static const char *sval(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int is_null(const yaml_node_t *n)
{
	const char *s = sval(n);
	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

static int want_map(struct yctx *y, yaml_node_t *n, const char *key)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail(y, n, "%s must be a mapping", key);
	return 0;
}

static int get_string(struct yctx *y, yaml_node_t *n, const char *key, char **out)
{
	const char *s = sval(n);
	if (!s)
		return fail(y, n, "%s must be a string", key);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

static int parse_long(const char *s, long *out)
{
	char *e;
	long v;
	if (!s || !*s)
		return -1;
	v = strtol(s, &e, 10);
	if (*e)
		return -1;
	*out = v;
	return 0;
}

static int get_long(struct yctx *y, yaml_node_t *n, const char *key, long *out)
{
	if (parse_long(sval(n), out) < 0)
		return fail(y, n, "%s must be a number", key);
	return 0;
}

static int get_bool(struct yctx *y, yaml_node_t *n, const char *key, int *out)
{
	const char *s = sval(n);
	if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")))
		*out = 1;
	else if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")))
		*out = 0;
	else
		return fail(y, n, "%s must be true or false", key);
	return 0;
}

/* A number or a list of numbers. */
static int get_longs(struct yctx *y, yaml_node_t *n, const char *key, long **v, size_t *nv)
{
	size_t alloc = *nv;
	if (n->type == YAML_SCALAR_NODE) {
		ARRAY_PUSH(*v, *nv, alloc);
		if (get_long(y, n, key, &(*v)[*nv]) < 0)
			return -1;
		(*nv)++;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(y, n, "%s must be a number or a list of numbers", key);
	FOR_ITEMS(y, n, it) {
		ARRAY_PUSH(*v, *nv, alloc);
		if (get_long(y, it, key, &(*v)[*nv]) < 0)
			return -1;
		(*nv)++;
	}
	return 0;
}

/* A regex or a list of them. */
static int get_regexes(struct yctx *y, yaml_node_t *n, const char *key,
		       struct ftw_regex **v, size_t *nv)
{
	size_t alloc = *nv;
	yaml_node_t *one[1] = { n };
	size_t count = 1;
	yaml_node_t **list = one;
	if (n->type == YAML_SEQUENCE_NODE) {
		count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
		list = xcalloc(count + 1, sizeof(*list));
		for (size_t i = 0; i < count; i++)
			list[i] = yaml_document_get_node(y->doc, n->data.sequence.items.start[i]);
	}
	for (size_t i = 0; i < count; i++) {
		const char *s = sval(list[i]);
		struct strbuf why = STRBUF_INIT;
		if (!s) {
			if (list != one)
				free(list);
			return fail(y, list[i], "%s must be a regex or a list of them", key);
		}
		ARRAY_PUSH(*v, *nv, alloc);
		if (ftw_regex_compile(&(*v)[*nv], s, &why) < 0) {
			(*nv)++;
			fail(y, list[i], "%s: %s", key, why.buf);
			strbuf_release(&why);
			if (list != one)
				free(list);
			return -1;
		}
		(*nv)++;
	}
	if (list != one)
		free(list);
	return 0;
}

/* A string, or (legacy) a list of lines joined by CRLF. */
static int get_text(struct yctx *y, yaml_node_t *n, const char *key, struct strbuf *out)
{
	const char *s = sval(n);
	strbuf_reset(out);
	if (s) {
		strbuf_add(out, s, n->data.scalar.length);
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(y, n, "%s must be a string or a list of lines", key);
	{
		int first = 1;
		FOR_ITEMS(y, n, it) {
			const char *line = sval(it);
			if (!line)
				return fail(y, it, "%s: each line must be a string", key);
			if (!first)
				strbuf_addstr(out, "\r\n");
			strbuf_add(out, line, it->data.scalar.length);
			first = 0;
		}
	}
	return 0;
}

/* ---- go-ftw's data templates ----
 *
 * go-ftw runs `data` through Go's text/template with sprig's functions
 * (CRS 4 writes `{{ "1" | repeat 64200 }}`). The part of that language
 * test data uses is evaluated here: string and number literals, pipes,
 * and repeat. Anything else fails, and go-ftw sends no body when its
 * template fails to parse or run, so neither do we. */

static const char *tpl_skip(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* One argument: a quoted string (Go escapes \n \t \" \\) or a number. */
static int tpl_arg(const char **pp, const char *e, struct strbuf *s, long *num, int *is_num)
{
	const char *p = tpl_skip(*pp, e);
	*is_num = 0;
	if (p < e && *p == '"') {
		for (p++; p < e && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < e) {
				p++;
				strbuf_addch(s, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p);
			} else {
				strbuf_addch(s, *p);
			}
		}
		if (p >= e)
			return -1;
		*pp = p + 1;
		return 0;
	}
	if (p < e && isdigit((unsigned char)*p)) {
		*num = 0;
		while (p < e && isdigit((unsigned char)*p) && *num < 100000000)
			*num = *num * 10 + (*p++ - '0');
		*is_num = 1;
		*pp = p;
		return 0;
	}
	return -1;
}

/* One action's pipeline, e.g. `"1" | repeat 3` or `repeat 3 "1"`. */
static int tpl_action(const char *p, const char *e, struct strbuf *out)
{
	struct strbuf val = STRBUF_INIT, arg = STRBUF_INIT;
	int have = 0, ret = -1;
	for (;;) {
		p = tpl_skip(p, e);
		if (p + 6 <= e && !memcmp(p, "repeat", 6) && (p + 6 == e || p[6] == ' ')) {
			long count = 0;
			int isn;
			p += 6;
			if (tpl_arg(&p, e, &arg, &count, &isn) < 0 || !isn)
				goto out;
			strbuf_reset(&arg);
			if (!have) {
				long dummy;
				if (tpl_arg(&p, e, &val, &dummy, &isn) < 0 || isn)
					goto out;
			}
			if (count * (long)(val.len + 1) > 64L * 1024 * 1024)
				goto out;	/* a bound on what a test may ask for */
			strbuf_add(&arg, val.buf, val.len);
			strbuf_reset(&val);
			for (long i = 0; i < count; i++)
				strbuf_add(&val, arg.buf, arg.len);
			strbuf_reset(&arg);
			have = 1;
		} else if (!have) {
			long num;
			int isn;
			if (tpl_arg(&p, e, &val, &num, &isn) < 0)
				goto out;
			if (isn)
				strbuf_addf(&val, "%ld", num);
			have = 1;
		} else {
			goto out;
		}
		p = tpl_skip(p, e);
		if (p == e)
			break;
		if (*p != '|')
			goto out;
		p++;
	}
	strbuf_add(out, val.buf, val.len);
	ret = 0;
out:
	strbuf_release(&val);
	strbuf_release(&arg);
	return ret;
}

/* Expand `in`; -1 when Go would fail (go-ftw then sends no body). */
static int go_template(const char *in, size_t len, struct strbuf *out)
{
	const char *p = in, *e = in + len;
	while (p < e) {
		const char *open = memmem(p, (size_t)(e - p), "{{", 2), *close, *a, *b, *text_end;
		if (!open) {
			strbuf_add(out, p, (size_t)(e - p));
			break;
		}
		close = memmem(open + 2, (size_t)(e - open - 2), "}}", 2);
		if (!close)
			return -1;
		a = open + 2;
		b = close;
		text_end = open;
		if (b - a >= 2 && a[0] == '-' && a[1] == ' ') {	/* {{- trims before */
			a++;
			while (text_end > p && isspace((unsigned char)text_end[-1]))
				text_end--;
		}
		strbuf_add(out, p, (size_t)(text_end - p));
		p = close + 2;
		if (b - a >= 2 && b[-1] == '-' && b[-2] == ' ') {	/* -}} trims after */
			b--;
			while (p < e && isspace((unsigned char)*p))
				p++;
		}
		if (tpl_action(a, b, out) < 0)
			return -1;
	}
	return 0;
}

static int get_base64(struct yctx *y, yaml_node_t *n, const char *key, struct strbuf *out)
{
	const char *s = sval(n);
	strbuf_reset(out);
	if (!s)
		return fail(y, n, "%s must be a base64 string", key);
	if (base64_decode(s, out) < 0)
		return fail(y, n, "%s is not base64", key);
	return 0;
}

/* Headers: a mapping (in file order), or a list of {name, value}. */
static int get_headers(struct yctx *y, yaml_node_t *n, const char *key, struct header **h,
		       size_t *nh, size_t *ah)
{
	if (n->type == YAML_MAPPING_NODE) {
		FOR_PAIRS(y, n, k, v) {
			const char *name = sval(k), *value = sval(v);
			if (!name || !value)
				return fail(y, k, "%s: each header must be Name: value", key);
			ARRAY_PUSH(*h, *nh, *ah);
			(*h)[*nh].name = xstrdup(name);
			(*h)[(*nh)++].value = xstrdup(is_null(v) ? "" : value);
		}
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(y, n, "%s must be a mapping or a list of {name, value}", key);
	FOR_ITEMS(y, n, it) {
		char *name = NULL, *value = NULL;
		if (it->type != YAML_MAPPING_NODE)
			return fail(y, it, "%s: each entry must be {name, value}", key);
		FOR_PAIRS(y, it, k, v) {
			const char *kn = sval(k);
			int r = 0;
			if (kn && !strcmp(kn, "name"))
				r = get_string(y, v, "name", &name);
			else if (kn && !strcmp(kn, "value"))
				r = get_string(y, v, "value", &value);
			else
				r = fail(y, k, "%s: unknown key \"%s\" (name, value)", key, kn ? kn : "?");
			if (r < 0) {
				free(name);
				free(value);
				return -1;
			}
		}
		if (!name) {
			free(value);
			return fail(y, it, "%s: entry without a name", key);
		}
		ARRAY_PUSH(*h, *nh, *ah);
		(*h)[*nh].name = name;
		(*h)[(*nh)++].value = value ? value : xstrdup("");
	}
	return 0;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* ---- output ---- */

static const char *const ignored_output[] = { "retry_once", NULL };

static int parse_log(struct yctx *y, yaml_node_t *n, struct ftw_output *o)
{
	if (want_map(y, n, "log") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = sval(k);
		int r;
		if (!key)
			return fail(y, k, "expected a key");
		if (!strcmp(key, "expect_ids"))
			r = get_longs(y, v, key, &o->expect_ids, &o->nexpect);
		else if (!strcmp(key, "no_expect_ids"))
			r = get_longs(y, v, key, &o->no_expect_ids, &o->nno_expect);
		else if (!strcmp(key, "match_regex"))
			r = get_regexes(y, v, key, &o->log_match, &o->nlog_match);
		else if (!strcmp(key, "no_match_regex"))
			r = get_regexes(y, v, key, &o->log_no_match, &o->nlog_no_match);
		else
			r = unknown(y, k, "log", "expect_ids, no_expect_ids, match_regex, no_match_regex");
		if (r < 0)
			return -1;
	}
	return 0;
}

static int parse_output(struct yctx *y, yaml_node_t *n, struct ftw_output *o);

int ftw_parse_output(void *ydoc, void *ynode, const char *file, enum ftw_dialect d,
		     struct ftw_output *o, struct strbuf *err)
{
	struct yctx yy = { ydoc, file, err, NULL, d, PLATFORM_NGINX };
	return parse_output(&yy, ynode, o);
}

static int parse_output(struct yctx *y, yaml_node_t *n, struct ftw_output *o)
{
	memset(o, 0, sizeof(*o));
	o->expect_error = -1;
	o->line = (int)n->start_mark.line + 1;
	if (is_null(n))
		return 0;
	if (want_map(y, n, "output") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = sval(k);
		int r = 0;
		if (!key)
			return fail(y, k, "expected a key");
		if (!strcmp(key, "status")) {
			long *st = NULL;
			size_t ns = 0;
			r = get_longs(y, v, key, &st, &ns);
			free(o->status);
			o->status = xcalloc(ns + 1, sizeof(int));
			for (size_t i = 0; i < ns; i++) {
				if (st[i] < 100 || st[i] > 599) {
					r = fail(y, v, "status %ld is not an HTTP status", st[i]);
					break;
				}
				o->status[i] = (int)st[i];
			}
			o->nstatus = ns;
			free(st);
		} else if (!strcmp(key, "log")) {
			r = parse_log(y, v, o);
		} else if (!strcmp(key, "log_contains")) {
			r = get_regexes(y, v, key, &o->log_match, &o->nlog_match);
		} else if (!strcmp(key, "no_log_contains")) {
			r = get_regexes(y, v, key, &o->log_no_match, &o->nlog_no_match);
		} else if (!strcmp(key, "response_contains")) {
			size_t one = 0;
			if (o->response_contains)
				return fail(y, k, "response_contains given twice");
			r = get_regexes(y, v, key, &o->response_contains, &one);
			if (r == 0 && one != 1)
				r = fail(y, v, "response_contains takes one regex");
		} else if (!strcmp(key, "expect_error")) {
			r = get_bool(y, v, key, &o->expect_error);
		} else if (!strcmp(key, "isolated")) {
			r = get_bool(y, v, key, &o->isolated);
		} else if (!in_list(key, ignored_output)) {
			r = unknown(y, k, "output", "status, log, log_contains, no_log_contains, response_contains, expect_error, isolated");
		}
		if (r < 0)
			return -1;
	}
	if (o->isolated && o->nexpect == 0)
		return fail(y, n, "isolated needs log.expect_ids (the only rules allowed to fire)");
	return 0;
}

/* ---- input ---- */

/* Accepted and ignored: they matter to a runner talking HTTP only. */
static const char *const ignored_input[] = {
	"protocol", "save_cookie", "follow_redirect", "virtual_host_mode", "sleep", NULL
};

struct input {
	char *dest_addr, *method, *uri, *version;
	long port;
	struct header *headers;
	size_t nheaders, aheaders;
	struct strbuf data, raw;
	int has_data, has_raw;
	int autocomplete;
	int has_response;
	struct response resp;
	char *invalid;		/* go-ftw refuses to run the stage: why */
};

static int parse_response(struct yctx *y, yaml_node_t *n, struct input *in)
{
	struct strbuf body = STRBUF_INIT;
	if (want_map(y, n, "response") < 0)
		return -1;
	in->has_response = 1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = sval(k);
		int r = 0;
		if (!key)
			return fail(y, k, "expected a key");
		if (!strcmp(key, "status")) {
			long st;
			r = get_long(y, v, key, &st);
			if (r == 0 && (st < 100 || st > 599))
				r = fail(y, v, "status %ld is not an HTTP status", st);
			in->resp.status = (int)st;
		} else if (!strcmp(key, "headers")) {
			r = get_headers(y, v, key, &in->resp.headers, &in->resp.nheaders, &in->resp.aheaders);
		} else if (!strcmp(key, "log_message")) {
			r = 0;	/* albedo logs it; nothing to do here */
		} else if (!strcmp(key, "data") || !strcmp(key, "body")) {
			r = get_text(y, v, key, &body);
			if (r == 0) {
				free(in->resp.body);
				in->resp.body_len = body.len;
				in->resp.body = strbuf_detach(&body, NULL);
			}
		} else if (!strcmp(key, "encoded_body") || !strcmp(key, "encoded_data")) {
			r = get_base64(y, v, key, &body);
			if (r == 0) {
				free(in->resp.body);
				in->resp.body_len = body.len;
				in->resp.body = strbuf_detach(&body, NULL);
			}
		} else {
			r = unknown(y, k, "response", "status, headers, body, encoded_body");
		}
		if (r < 0) {
			strbuf_release(&body);
			return -1;
		}
	}
	strbuf_release(&body);
	return 0;
}

static int parse_input(struct yctx *y, yaml_node_t *n, struct input *in)
{
	if (is_null(n))
		return 0;
	if (want_map(y, n, "input") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = sval(k);
		int r = 0, b;
		if (!key)
			return fail(y, k, "expected a key");
		if (!strcmp(key, "dest_addr"))
			r = get_string(y, v, key, &in->dest_addr);
		else if (!strcmp(key, "port")) {
			r = get_long(y, v, key, &in->port);
			if (r == 0 && (in->port < 1 || in->port > 65535))
				r = fail(y, v, "port %ld is not in 1-65535", in->port);
		} else if (!strcmp(key, "method"))
			r = get_string(y, v, key, &in->method);
		else if (!strcmp(key, "uri"))
			r = get_string(y, v, key, &in->uri);
		else if (!strcmp(key, "version"))
			r = get_string(y, v, key, &in->version);
		else if (!strcmp(key, "headers") || !strcmp(key, "ordered_headers"))
			r = get_headers(y, v, key, &in->headers, &in->nheaders, &in->aheaders);
		else if (!strcmp(key, "data")) {
			r = get_text(y, v, key, &in->data);
			in->has_data = 1;
			if (r == 0 && y->d == FTW_V2 && memmem(in->data.buf, in->data.len, "{{", 2)) {
				struct strbuf t = STRBUF_INIT;
				if (go_template(in->data.buf, in->data.len, &t) < 0)
					strbuf_reset(&t);	/* go-ftw: no body */
				strbuf_release(&in->data);
				in->data = t;
			}
		} else if (!strcmp(key, "encoded_data")) {
			r = get_base64(y, v, key, &in->data);
			in->has_data = 1;
		} else if (!strcmp(key, "raw_request")) {
			/* legacy ftw's; go-ftw reads encoded_request first */
			if (in->has_raw != 2) {
				r = get_text(y, v, key, &in->raw);
				in->has_raw = 1;
			}
		} else if (!strcmp(key, "encoded_request")) {
			r = get_base64(y, v, key, &in->raw);
			in->has_raw = 2;
		} else if (!strcmp(key, "autocomplete_headers")) {
			r = get_bool(y, v, key, &b);
			in->autocomplete = b;
		} else if (!strcmp(key, "stop_magic")) {
			r = get_bool(y, v, key, &b);
			in->autocomplete = !b;
		} else if (!strcmp(key, "response")) {
			r = parse_response(y, v, in);
		} else if (!in_list(key, ignored_input)) {
			r = unknown(y, k, "input", "method, uri, version, headers, data, encoded_data, encoded_request, ...");
		}
		if (r < 0)
			return -1;
	}
	/* go-ftw: a raw request wins over every other input field (they are
	 * ignored), except that data beside encoded_request fails the stage
	 * (its checkTestSanity) */
	if (in->has_raw && in->has_data && in->data.len && !in->invalid)
		in->invalid = xstrdup("'data' and 'encoded_request' must not be set simultaneously (go-ftw)");
	return 0;
}

static void input_release(struct input *in)
{
	free(in->dest_addr);
	free(in->method);
	free(in->uri);
	free(in->version);
	for (size_t i = 0; i < in->nheaders; i++) {
		free(in->headers[i].name);
		free(in->headers[i].value);
	}
	free(in->headers);
	strbuf_release(&in->data);
	strbuf_release(&in->raw);
	response_release(&in->resp);
	free(in->invalid);
}

/* Read the bytes go-ftw sends the way the platform's server does: the
 * stage's request becomes what the server hands to the WAF. */
static void server_reads(struct ftw_stage *st, const char *wire, size_t len, enum platform pl)
{
	struct request parsed;
	struct strbuf why = STRBUF_INIT;
	struct platform_note note;
	int rc;
	request_init(&parsed);
	free(parsed.server_ip);
	parsed.server_ip = xstrdup(st->req.server_ip);
	parsed.server_port = st->req.server_port;
	rc = platform_read(pl, wire, len, &parsed, &note, &why);
	st->http09 = note.http09;
	st->body_timeout = note.body_timeout;
	st->handler_status = note.handler_status;
	if (rc) {
		st->refused = 1;
		st->refused_status = rc > 0 ? rc : 0;
		st->refused_why = strbuf_detach(&why, NULL);
	}
	request_release(&st->req);
	st->req = parsed;
	strbuf_release(&why);
}

/* The request line and headers exactly as go-ftw writes them. */
static void go_ftw_wire(const struct input *in, const struct request *r, struct strbuf *out)
{
	strbuf_addf(out, "%s %s %s\r\n", in->method ? in->method : "GET", in->uri ? in->uri : "/",
		    in->version ? in->version : "HTTP/1.1");
	for (size_t i = 0; i < r->nheaders; i++)
		strbuf_addf(out, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
	strbuf_addstr(out, "\r\n");
	if (r->body_len)
		strbuf_add(out, r->body, r->body_len);
}

/* The request as it goes on the wire, then as the server reads it. */
static void build_request(struct input *in, struct ftw_stage *st, enum platform pl)
{
	struct request *r = &st->req;
	request_init(r);
	if (in->dest_addr && strcmp(in->dest_addr, "localhost")) {
		free(r->server_ip);
		r->server_ip = xstrdup(in->dest_addr);
	}
	if (in->port)
		r->server_port = (int)in->port;
	if (in->has_raw) {
		server_reads(st, in->raw.buf, in->raw.len, pl);
		return;
	}
	if (in->method) {
		free(r->method);
		r->method = xstrdup(in->method);
	}
	if (in->uri) {
		free(r->uri);
		r->uri = xstrdup(in->uri);
	}
	if (in->version) {
		/* libmodsecurity wants "1.1"; the rest goes through as written */
		const char *v = in->version;
		if (!strncasecmp(v, "HTTP/", 5))
			v += 5;
		free(r->version);
		r->version = xstrdup(v);
	}
	for (size_t i = 0; i < in->nheaders; i++)
		request_add_header(r, in->headers[i].name, in->headers[i].value);
	if (in->has_data && in->data.len) {
		size_t len;
		char *b = strbuf_detach(&in->data, &len);
		request_set_body(r, b, len);
	}
	if (in->autocomplete)
		request_autocomplete(r);
	{
		struct strbuf wire = STRBUF_INIT;
		go_ftw_wire(in, r, &wire);
		server_reads(st, wire.buf, wire.len, pl);
		strbuf_release(&wire);
	}
}

/* ---- stages, tests, files ---- */

static int parse_stage(struct yctx *y, yaml_node_t *n, struct ftw_stage *st)
{
	struct input in;
	yaml_node_t *input = NULL, *output = NULL;
	int r = 0;

	memset(st, 0, sizeof(*st));
	st->line = (int)n->start_mark.line + 1;
	st->out.expect_error = -1;
	if (want_map(y, n, "a stage") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = sval(k);
		if (!key)
			return fail(y, k, "expected a key");
		if (!strcmp(key, "stage")) {
			/* the legacy wrapper, read in both dialects */
			if (want_map(y, v, "stage") < 0)
				return -1;
			FOR_PAIRS(y, v, k2, v2) {
				const char *key2 = sval(k2);
				if (key2 && !strcmp(key2, "input"))
					input = v2;
				else if (key2 && !strcmp(key2, "output"))
					output = v2;
				else
					unknown(y, k2, "stage", "input, output");
			}
		} else if (!strcmp(key, "input")) {
			input = v;
		} else if (!strcmp(key, "output")) {
			output = v;
		} else if (strcmp(key, "description") && strcmp(key, "desc")) {
			unknown(y, k, "stage", "input, output, description, or the legacy stage: wrapper");
		}
	}
	/* go-ftw: no input is GET / with the defaults, no output checks
	 * nothing (the stage passes unless the connection fails) */
	memset(&in, 0, sizeof(in));
	in.autocomplete = 1;
	strbuf_init(&in.data, 0);
	strbuf_init(&in.raw, 0);
	response_init(&in.resp);
	r = input ? parse_input(y, input, &in) : 0;
	if (r == 0 && output)
		r = parse_output(y, output, &st->out);
	else if (r == 0)
		st->out.line = st->line;
	if (r == 0) {
		build_request(&in, st, y->platform);
		st->invalid = in.invalid;
		in.invalid = NULL;
		if (in.has_response) {
			st->has_response = 1;
			st->resp = in.resp;
			response_init(&in.resp);
		}
	} else {
		request_init(&st->req);	/* released with the rest */
	}
	input_release(&in);
	return r;
}

static void stage_release(struct ftw_stage *st)
{
	request_release(&st->req);
	free(st->refused_why);
	free(st->invalid);
	response_release(&st->resp);
	ftw_output_release(&st->out);
}

static void test_release(struct ftw_test *t)
{
	free(t->id);
	free(t->desc);
	for (size_t i = 0; i < t->nstages; i++)
		stage_release(&t->stages[i]);
	free(t->stages);
	free(t->skip);
	free(t->override);
	free(t->broken);
}

/* The leading digits of `s` (a title), 0 when none. */
static long leading_number(const char *s)
{
	return isdigit((unsigned char)*s) ? strtol(s, NULL, 10) : 0;
}

/* The first run of digits in `s` (a file name: go-ftw's `\d+`), 0 when none. */
static long first_number(const char *s)
{
	while (*s && !isdigit((unsigned char)*s))
		s++;
	return *s ? strtol(s, NULL, 10) : 0;
}

static int parse_test(struct yctx *y, yaml_node_t *n, struct ftw_file *f, size_t index,
		      struct ftw_test *t)
{
	char *title = NULL, *id = NULL;
	int have_id = 0;

	memset(t, 0, sizeof(*t));
	t->line = (int)n->start_mark.line + 1;
	t->file = f->path;
	t->test_id = -1;
	if (want_map(y, n, "a test") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = sval(k);
		int r = 0;
		/* errors set r: title and id are freed below */
		if (!key)
			r = fail(y, k, "expected a key");
		/* each dialect's identity key is read (and ignored) in the other,
		 * as go-ftw does with the deprecated test_title */
		else if (!strcmp(key, "test_title"))
			r = get_string(y, v, key, &title);
		else if (!strcmp(key, "test_id")) {
			r = get_string(y, v, key, &id);
			have_id = 1;
		} else if (!strcmp(key, "desc")) {
			r = get_string(y, v, key, &t->desc);
		} else if (!strcmp(key, "stages") && v->type != YAML_SEQUENCE_NODE) {
			r = fail(y, v, "stages must be a list");
		} else if (!strcmp(key, "stages")) {
			FOR_ITEMS(y, v, it) {
				t->stages = xrealloc(t->stages, (t->nstages + 1) * sizeof(*t->stages));
				r = parse_stage(y, it, &t->stages[t->nstages]);
				t->nstages++;
				if (r < 0)
					break;
			}
		} else if (strcmp(key, "tags") && strcmp(key, "enabled")) {
			unknown(y, k, "test", "test_id, desc, stages, tags");
		}
		if (r < 0) {
			free(title);
			free(id);
			return -1;
		}
	}
	if (y->d == FTW_LEGACY) {
		const char *dash;
		if (!title) {
			free(id);
			return fail(y, n, "test without test_title");
		}
		free(id);
		t->id = title;
		t->rule_id = leading_number(title);
		dash = strrchr(title, '-');
		if (dash && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
			t->test_id = strtol(dash + 1, NULL, 10);
	} else {
		/* go-ftw: a test without test_id is numbered by its position */
		free(title);
		if (!have_id || !id || !*id) {
			free(id);
			id = xasprintf("%zu", index + 1);
		}
		if (parse_long(id, &t->test_id) < 0)
			t->test_id = -1;
		t->rule_id = f->rule_id;
		t->id = xasprintf("%ld-%s", f->rule_id, id);
		free(id);
	}
	if (!t->nstages)
		return fail(y, n, "test %s has no stages", t->id);
	return 0;
}

/* Which dialect: rule_id at the top, or the first test's identity key. */
static enum ftw_dialect detect(struct yctx *y, yaml_node_t *root, yaml_node_t *tests)
{
	FOR_PAIRS(y, root, k, v) {
		(void)v;
		if (sval(k) && !strcmp(sval(k), "rule_id"))
			return FTW_V2;
	}
	if (tests && tests->type == YAML_SEQUENCE_NODE &&
	    tests->data.sequence.items.top > tests->data.sequence.items.start) {
		yaml_node_t *t = yaml_document_get_node(y->doc, tests->data.sequence.items.start[0]);
		if (t && t->type == YAML_MAPPING_NODE) {
			FOR_PAIRS(y, t, k, v) {
				(void)v;
				if (sval(k) && !strcmp(sval(k), "test_title"))
					return FTW_LEGACY;
			}
		}
	}
	return FTW_V2;
}

static int parse_file(struct yctx *y, yaml_node_t *root, struct ftw_file *f)
{
	yaml_node_t *tests = NULL;
	int enabled = 1;
	const char *base;

	if (!root || root->type != YAML_MAPPING_NODE)
		return fail(y, root, "an ftw test file is a mapping with tests:");
	FOR_PAIRS(y, root, k, v) {
		const char *key = sval(k);
		if (!key)
			return fail(y, k, "expected a key");
		if (!strcmp(key, "tests")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return fail(y, v, "tests must be a list");
			tests = v;
		}
	}
	if (!tests)
		return fail(y, root, "no tests: list");
	y->d = f->dialect = detect(y, root, tests);
	base = strrchr(f->path, '/');
	base = base ? base + 1 : f->path;
	f->rule_id = first_number(base);
	FOR_PAIRS(y, root, k, v) {
		const char *key = sval(k);
		if (!strcmp(key, "rule_id")) {
			if (get_long(y, v, key, &f->rule_id) < 0)
				return -1;
		} else if (!strcmp(key, "meta")) {
			/* an empty meta: is no meta (CRS 4.20's 932271.yaml) */
			if (is_null(v))
				continue;
			if (want_map(y, v, "meta") < 0)
				return -1;
			/* enabled: false disables a legacy file; go-ftw ignores it
			 * (deprecated in schema v2: overrides do that now) */
			FOR_PAIRS(y, v, mk, mv) {
				if (f->dialect == FTW_LEGACY && sval(mk) && !strcmp(sval(mk), "enabled") &&
				    get_bool(y, mv, "enabled", &enabled) < 0)
					return -1;
			}
		} else if (strcmp(key, "tests")) {
			unknown(y, k, "the file", "meta, rule_id, tests");
		}
	}
	if (f->dialect == FTW_V2 && f->rule_id <= 0)
		return fail(y, root, "no rule_id, and the file name does not start with one");
	FOR_ITEMS(y, tests, it) {
		struct ftw_test *t;
		f->tests = xrealloc(f->tests, (f->ntests + 1) * sizeof(*f->tests));
		t = &f->tests[f->ntests];
		if (parse_test(y, it, f, f->ntests, t) < 0) {
			f->ntests++;
			return -1;
		}
		f->ntests++;
		if (!enabled)
			t->skip = xstrdup("disabled in the file's meta (enabled: false)");
	}
	return 0;
}

void ftw_suite_init(struct ftw_suite *s)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->warnings, 0);
	s->platform = PLATFORM_NGINX;
}

static void file_release(struct ftw_file *f)
{
	for (size_t i = 0; i < f->ntests; i++)
		test_release(&f->tests[i]);
	free(f->tests);
	free(f->path);
}

void ftw_suite_release(struct ftw_suite *s)
{
	for (size_t i = 0; i < s->nfiles; i++)
		file_release(&s->files[i]);
	free(s->files);
	strbuf_release(&s->warnings);
	ftw_suite_init(s);
}

int ftw_load_text(struct ftw_suite *s, const char *path, const char *text, size_t len,
		  struct strbuf *err)
{
	yaml_document_t doc;
	struct ftw_file f;
	struct yctx y;
	int ret;

	memset(&f, 0, sizeof(f));
	f.path = xstrdup(path);
	if (yaml_load_strict(&doc, path, text, len, err) < 0) {
		file_release(&f);
		return -1;
	}
	y.doc = &doc;
	y.file = f.path;
	y.err = err;
	y.warn = &s->warnings;
	y.d = FTW_V2;
	y.platform = s->platform;
	ret = parse_file(&y, yaml_document_get_root_node(&doc), &f);
	yaml_document_delete(&doc);
	if (ret < 0) {
		file_release(&f);
		return -1;
	}
	ARRAY_PUSH(s->files, s->nfiles, s->afiles);
	s->files[s->nfiles++] = f;
	/* the tests point at their file's path: fix them up after the move */
	for (size_t i = 0; i < f.ntests; i++)
		s->files[s->nfiles - 1].tests[i].file = s->files[s->nfiles - 1].path;
	return 0;
}

/* Keep a refused file as one broken test, so the report counts it
 * failed with its reason, and say so in the warnings. */
static void refuse_file(struct ftw_suite *s, const char *path, const char *why)
{
	struct ftw_file f;
	struct ftw_test *t;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	memset(&f, 0, sizeof(f));
	f.path = xstrdup(path);
	f.tests = t = xcalloc(1, sizeof(*t));
	f.ntests = 1;
	t->id = xstrdup(base);
	t->rule_id = f.rule_id = first_number(base);
	t->test_id = -1;
	t->file = f.path;
	t->line = 1;
	{
		const char *colon = strncmp(why, path, strlen(path)) ? NULL : why + strlen(path);
		if (colon && *colon == ':')
			t->line = atoi(colon + 1) > 0 ? atoi(colon + 1) : 1;
	}
	t->broken = xstrdup(why);
	strbuf_addf(&s->warnings, "%s (the file is refused: its tests count as failed)\n", why);
	ARRAY_PUSH(s->files, s->nfiles, s->afiles);
	s->files[s->nfiles++] = f;
	s->files[s->nfiles - 1].tests[0].file = s->files[s->nfiles - 1].path;
	s->nrefused++;
}

static void load_file(struct ftw_suite *s, const char *path)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		strbuf_addf(&err, "%s: not a regular file", path);
	else if (read_file(path, &text, &err) == 0)
		ftw_load_text(s, path, text.buf, text.len, &err);
	if (err.len)
		refuse_file(s, path, err.buf);
	strbuf_release(&text);
	strbuf_release(&err);
}

static void load_dir(struct ftw_suite *s, const char *path)
{
	struct dirent **list;
	int n = scandir(path, &list, NULL, alphasort);
	if (n < 0) {
		char *why = xasprintf("%s: cannot read the directory", path);
		refuse_file(s, path, why);
		free(why);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t len = strlen(name);
		if (name[0] != '.') {
			char *sub = xasprintf("%s/%s", path, name);
			struct stat ss;
			if (stat(sub, &ss) == 0 && S_ISDIR(ss.st_mode))
				load_dir(s, sub);
			else if ((len > 5 && !strcmp(name + len - 5, ".yaml")) ||
				 (len > 4 && !strcmp(name + len - 4, ".yml")))
				load_file(s, sub);
			free(sub);
		}
		free(list[i]);
	}
	free(list);
}

int ftw_suite_load(struct ftw_suite *s, const char *const *paths, size_t n, struct strbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0) {
			strbuf_addf(err, "%s: no such file or directory", paths[i]);
			return -1;
		}
		if (S_ISDIR(st.st_mode))
			load_dir(s, paths[i]);
		else
			load_file(s, paths[i]);
	}
	return 0;
}
