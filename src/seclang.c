#include "seclang.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void push_arg(struct seclang_directive *d, const char *start, size_t len,
		     const char *in, size_t inlen, int quoted)
{
	d->args = xrealloc(d->args, (d->nargs + 1) * sizeof(*d->args));
	d->args[d->nargs].raw = xstrndup(start, len);
	d->args[d->nargs].inner = xstrndup(in, inlen);
	d->args[d->nargs].quoted = quoted;
	d->nargs++;
}

void seclang_split(const char *line, struct seclang_directive *d)
{
	const char *p = line;

	memset(d, 0, sizeof(*d));
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return;
	{
		const char *s = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		d->name = xstrndup(s, (size_t)(p - s));
	}
	for (;;) {
		const char *start;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			const char *in = p;
			while (*p && *p != q) {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (!*p) {	/* open to the end of the line */
				push_arg(d, start, (size_t)(p - start), in, (size_t)(p - in), 1);
				d->unterminated = 1;
				break;
			}
			push_arg(d, start, (size_t)(p + 1 - start), in, (size_t)(p - in), 1);
			p++;
		} else {
			while (*p && !isspace((unsigned char)*p))
				p++;
			push_arg(d, start, (size_t)(p - start), start, (size_t)(p - start), 0);
		}
	}
}

void seclang_directive_release(struct seclang_directive *d)
{
	for (size_t i = 0; i < d->nargs; i++) {
		free(d->args[i].raw);
		free(d->args[i].inner);
	}
	free(d->args);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

size_t seclang_actions(const char *list, struct seclang_action **out)
{
	struct seclang_action *a = NULL;
	size_t n = 0, alloc = 0;
	const char *p = list;

	while (*p) {
		const char *start, *colon = NULL, *end;
		int inq = 0;
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (!*p)
			break;
		start = p;
		for (; *p; p++) {
			if (*p == '\\' && p[1]) {
				p++;
				continue;
			}
			if (*p == '\'')
				inq = !inq;
			else if (!inq && *p == ',')
				break;
			else if (!inq && *p == ':' && !colon)
				colon = p;
		}
		end = p;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		ARRAY_PUSH(a, n, alloc);
		a[n].raw = xstrndup(start, (size_t)(end - start));
		if (colon && colon < end) {
			const char *v = colon + 1, *ve = end;
			a[n].name = xstrndup(start, (size_t)(colon - start));
			while (v < ve && isspace((unsigned char)*v))
				v++;
			if (ve - v >= 2 && *v == '\'' && ve[-1] == '\'') {
				v++;
				ve--;
			}
			a[n].value = xstrndup(v, (size_t)(ve - v));
		} else {
			a[n].name = xstrndup(start, (size_t)(end - start));
			a[n].value = NULL;
		}
		/* action names are case-insensitive; keep them lower-case */
		for (char *c = a[n].name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		n++;
	}
	*out = a;
	return n;
}

void seclang_actions_free(struct seclang_action *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].value);
		free(a[i].raw);
	}
	free(a);
}

const char *seclang_action_value(const struct seclang_action *a, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return a[i].value ? a[i].value : "";
	return NULL;
}

int seclang_has_action(const struct seclang_action *a, size_t n, const char *name)
{
	return seclang_action_value(a, n, name) != NULL;
}

void seclang_quote(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}
