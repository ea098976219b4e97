/*
 * ftw_yaml: typed access to the nodes of a test file, every error naming
 * file:line (invariants in ftw_read.h).
 */
#include "ftw_read.h"
#include "util/base64.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>



int ftwy_fail(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	strbuf_addf(y->err, "%s:%d: ", y->file, n ? (int)n->start_mark.line + 1 : 1);
	va_start(ap, fmt);
	strbuf_vaddf(y->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* A key go-ftw does not know: its YAML reader ignores it, so we do too,
 * with a warning (a typo like "hedaers" is worth knowing about). */
int ftwy_unknown(struct yctx *y, const yaml_node_t *k, const char *where, const char *known)
{
	if (y->warn)
		strbuf_addf(y->warn, "%s:%d: unknown key \"%s\" in %s (%s): ignored, as go-ftw does\n",
			    y->file, (int)k->start_mark.line + 1,
			    k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?", where, known);
	return 0;
}

const char *ftwy_sval(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int ftwy_is_null(const yaml_node_t *n)
{
	const char *s = ftwy_sval(n);
	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

int ftwy_want_map(struct yctx *y, yaml_node_t *n, const char *key)
{
	if (n->type != YAML_MAPPING_NODE)
		return ftwy_fail(y, n, "%s must be a mapping", key);
	return 0;
}

int ftwy_get_string(struct yctx *y, yaml_node_t *n, const char *key, char **out)
{
	const char *s = ftwy_sval(n);
	if (!s)
		return ftwy_fail(y, n, "%s must be a string", key);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

int ftwy_parse_long(const char *s, long *out)
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

int ftwy_get_long(struct yctx *y, yaml_node_t *n, const char *key, long *out)
{
	if (ftwy_parse_long(ftwy_sval(n), out) < 0)
		return ftwy_fail(y, n, "%s must be a number", key);
	return 0;
}

int ftwy_get_bool(struct yctx *y, yaml_node_t *n, const char *key, int *out)
{
	const char *s = ftwy_sval(n);
	if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")))
		*out = 1;
	else if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")))
		*out = 0;
	else
		return ftwy_fail(y, n, "%s must be true or false", key);
	return 0;
}

/* A number or a list of numbers. */
int ftwy_get_longs(struct yctx *y, yaml_node_t *n, const char *key, long **v, size_t *nv)
{
	size_t alloc = *nv;
	if (n->type == YAML_SCALAR_NODE) {
		ARRAY_PUSH(*v, *nv, alloc);
		if (ftwy_get_long(y, n, key, &(*v)[*nv]) < 0)
			return -1;
		(*nv)++;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return ftwy_fail(y, n, "%s must be a number or a list of numbers", key);
	FOR_ITEMS(y, n, it) {
		ARRAY_PUSH(*v, *nv, alloc);
		if (ftwy_get_long(y, it, key, &(*v)[*nv]) < 0)
			return -1;
		(*nv)++;
	}
	return 0;
}

/* A regex or a list of them. */
int ftwy_get_regexes(struct yctx *y, yaml_node_t *n, const char *key,
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
		const char *s = ftwy_sval(list[i]);
		struct strbuf why = STRBUF_INIT;
		if (!s) {
			if (list != one)
				free(list);
			return ftwy_fail(y, list[i], "%s must be a regex or a list of them", key);
		}
		ARRAY_PUSH(*v, *nv, alloc);
		if (ftw_regex_compile(&(*v)[*nv], s, &why) < 0) {
			(*nv)++;
			ftwy_fail(y, list[i], "%s: %s", key, why.buf);
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
int ftwy_get_text(struct yctx *y, yaml_node_t *n, const char *key, struct strbuf *out)
{
	const char *s = ftwy_sval(n);
	strbuf_reset(out);
	if (s) {
		strbuf_add(out, s, n->data.scalar.length);
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return ftwy_fail(y, n, "%s must be a string or a list of lines", key);
	{
		int first = 1;
		FOR_ITEMS(y, n, it) {
			const char *line = ftwy_sval(it);
			if (!line)
				return ftwy_fail(y, it, "%s: each line must be a string", key);
			if (!first)
				strbuf_addstr(out, "\r\n");
			strbuf_add(out, line, it->data.scalar.length);
			first = 0;
		}
	}
	return 0;
}

int ftwy_get_base64(struct yctx *y, yaml_node_t *n, const char *key, struct strbuf *out)
{
	const char *s = ftwy_sval(n);
	strbuf_reset(out);
	if (!s)
		return ftwy_fail(y, n, "%s must be a base64 string", key);
	if (base64_decode(s, out) < 0)
		return ftwy_fail(y, n, "%s is not base64", key);
	return 0;
}

/* Headers: a mapping (in file order), or a list of {name, value}. */
int ftwy_get_headers(struct yctx *y, yaml_node_t *n, const char *key, struct header **h,
		       size_t *nh, size_t *ah)
{
	if (n->type == YAML_MAPPING_NODE) {
		FOR_PAIRS(y, n, k, v) {
			const char *name = ftwy_sval(k), *value = ftwy_sval(v);
			if (!name || !value)
				return ftwy_fail(y, k, "%s: each header must be Name: value", key);
			ARRAY_PUSH(*h, *nh, *ah);
			(*h)[*nh].name = xstrdup(name);
			(*h)[(*nh)++].value = xstrdup(ftwy_is_null(v) ? "" : value);
		}
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return ftwy_fail(y, n, "%s must be a mapping or a list of {name, value}", key);
	FOR_ITEMS(y, n, it) {
		char *name = NULL, *value = NULL;
		if (it->type != YAML_MAPPING_NODE)
			return ftwy_fail(y, it, "%s: each entry must be {name, value}", key);
		FOR_PAIRS(y, it, k, v) {
			const char *kn = ftwy_sval(k);
			int r = 0;
			if (kn && !strcmp(kn, "name"))
				r = ftwy_get_string(y, v, "name", &name);
			else if (kn && !strcmp(kn, "value"))
				r = ftwy_get_string(y, v, "value", &value);
			else
				r = ftwy_unknown(y, k, key, "name, value");
			if (r < 0) {
				free(name);
				free(value);
				return -1;
			}
		}
		/* go-ftw sends an entry without a name as ": value"; the
		 * server refuses the request (platform.h), as it would */
		ARRAY_PUSH(*h, *nh, *ah);
		(*h)[*nh].name = name ? name : xstrdup("");
		(*h)[(*nh)++].value = value ? value : xstrdup("");
	}
	return 0;
}

int ftwy_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}
