#include "logline.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The bracketed fields after the match text, in the order libmodsecurity
 * 3 writes them; `tag` repeats. */
static const char *const order[] = {
	"file", "line", "id", "rev", "msg", "data", "severity", "ver",
	"maturity", "accuracy", "tag", "hostname", "uri", "unique_id", "ref", NULL
};

/* Find `[file "N"] [line "N"] [id "N"]` where line and id are numbers:
 * the anchor the rest hangs from. The matched value before it is written
 * raw and may imitate it; the fields after it have their quotes escaped
 * (\x22), so the real anchor is the last one. */
static int numbered_line(const char *q)
{
	const char *n = q + 10, *i;
	while (isdigit((unsigned char)*n))
		n++;
	if (n == q + 10 || strncmp(n, "\"] [id \"", 8))
		return 0;
	i = n + 8;
	while (isdigit((unsigned char)*i))
		i++;
	return i > n + 8 && !strncmp(i, "\"]", 2);
}

/* The last ` [file "` whose first `"] [line "` after it is numbered as
 * above. One backward pass keeping the nearest line field ahead: a logged
 * value may repeat ` [file "` thousands of times, and a forward search per
 * occurrence was quadratic (issue 13). */
static const char *find_anchor(const char *s)
{
	size_t n = strlen(s);
	const char *next_line = NULL;

	for (size_t i = n; i-- > 0;) {
		const char *q = s + i;
		if (*q == '"' && !strncmp(q, "\"] [line \"", 10))
			next_line = q;
		/* a file field starting at q - 8 sees the first line field
		 * at or after q */
		if (i >= 8 && q[-8] == ' ' && !strncmp(q - 8, " [file \"", 8) && next_line &&
		    numbered_line(next_line))
			return q - 7;
	}
	return NULL;
}

/* Value of the field at `p` ("[key \"...\"]"), ending where the next
 * expected field begins. Returns the position after the field. */
static const char *field(const char *p, const char *key, char **val)
{
	size_t klen = strlen(key);
	const char *v, *end = NULL;
	if (strncmp(p, "[", 1) || strncmp(p + 1, key, klen) || strncmp(p + 1 + klen, " \"", 2))
		return NULL;
	v = p + klen + 3;
	/* the value ends at the first `"] [` followed by a known key */
	for (const char *q = v; *q; q++) {
		if (*q != '"' || strncmp(q, "\"] [", 4))
			continue;
		for (const char *const *k = order; *k; k++) {
			size_t l = strlen(*k);
			if (!strncmp(q + 4, *k, l) && !strncmp(q + 4 + l, " \"", 2)) {
				end = q;
				break;
			}
		}
		if (end)
			break;
	}
	if (!end) {
		end = strstr(v, "\"]");
		if (!end)
			return NULL;
	}
	*val = xstrndup(v, (size_t)(end - v));
	return end[2] == ' ' ? end + 3 : end + 2;
}

int logline_parse(const char *line, struct match *m)
{
	const char *anchor, *p, *ms;
	char *val;

	memset(m, 0, sizeof(*m));
	m->severity = -1;
	ms = strstr(line, "ModSecurity: ");
	anchor = find_anchor(line);
	if (!ms || !anchor)
		return -1;
	ms += 13;
	if (!strncmp(ms, "Access denied", 13) || !strncmp(ms, "Access allowed", 14) ||
	    !strncmp(ms, "Redirection", 11) || !strncmp(ms, "Connection", 10)) {
		const char *c = strstr(ms, "with code ");
		const char *ph = strstr(ms, "(phase ");
		m->disruptive = strncmp(ms, "Access allowed", 14) != 0;
		if (c && c < anchor)
			m->status = atoi(c + 10);
		if (ph && ph < anchor)
			m->phase = atoi(ph + 7);
	}
	/* Matched "Operator ... with parameter `P' against variable `V' (Value: `X' ) [file ... */
	{
		const char *pp = strstr(ms, "with parameter `");
		const char *pe = pp ? strstr(pp, "' against variable `") : NULL;
		if (pp && pe && pe < anchor)
			m->param = xstrndup(pp + 16, (size_t)(pe - pp - 16));
	}
	{
		const char *v = strstr(ms, "against variable `");
		if (v && v < anchor) {
			const char *ve = strstr(v, "' (Value: `");
			if (ve && ve < anchor) {
				const char *xe = anchor - 1;
				m->variable = xstrndup(v + 18, (size_t)(ve - v - 18));
				/* value ends with "' ) " right before the anchor */
				if (xe - 3 >= ve + 11 && !strncmp(xe - 3, "' )", 3))
					m->value = xstrndup(ve + 11, (size_t)(xe - 3 - (ve + 11)));
			}
		}
	}
	p = anchor;
	for (const char *const *k = order; *k && p && *p; k++) {
		const char *next;
		for (;;) {
			val = NULL;
			next = field(p, *k, &val);
			if (!next)
				break;
			if (!strcmp(*k, "file"))
				m->file = val;
			else if (!strcmp(*k, "line"))
				m->line = atoi(val), free(val);
			else if (!strcmp(*k, "id"))
				m->id = strtol(val, NULL, 10), free(val);
			else if (!strcmp(*k, "msg"))
				m->msg = val;
			else if (!strcmp(*k, "data"))
				m->data = val;
			else if (!strcmp(*k, "ref"))
				m->ref = val;
			else if (!strcmp(*k, "severity"))
				m->severity = *val ? atoi(val) : -1, free(val);
			else if (!strcmp(*k, "tag")) {
				m->tags = xrealloc(m->tags, (m->ntags + 1) * sizeof(char *));
				m->tags[m->ntags++] = val;
			} else
				free(val);
			p = next;
			if (strcmp(*k, "tag"))
				break;
		}
	}
	if (!m->msg)
		m->msg = xstrdup("");
	if (!m->data)
		m->data = xstrdup("");
	if (!m->file)
		m->file = xstrdup("");
	/* Rules that match without "against variable" (libinjection) name the
	 * variable in their data: "... found within ARGS:x: value". */
	if (!m->variable) {
		const char *w = strstr(m->data, " found within ");
		if (w) {
			const char *s = w + 14, *e = strstr(s, ": ");
			if (e)
				m->variable = xstrndup(s, (size_t)(e - s));
		}
	}
	if (!m->variable)
		m->variable = xstrdup("");
	if (!m->value)
		m->value = xstrdup("");
	if (!m->param)
		m->param = xstrdup("");
	if (!m->ref)
		m->ref = xstrdup("");
	return 0;
}

void match_release(struct match *m)
{
	free(m->msg);
	free(m->data);
	free(m->file);
	free(m->variable);
	free(m->value);
	free(m->param);
	free(m->ref);
	free(m->first_variable);
	for (size_t i = 0; i < m->ntags; i++)
		free(m->tags[i]);
	free(m->tags);
	memset(m, 0, sizeof(*m));
}

void match_copy(struct match *dst, const struct match *src)
{
	*dst = *src;
	dst->msg = xstrdup(src->msg);
	dst->data = xstrdup(src->data);
	dst->file = xstrdup(src->file);
	dst->variable = xstrdup(src->variable);
	dst->value = xstrdup(src->value);
	dst->param = xstrdup(src->param);
	dst->first_variable = src->first_variable ? xstrdup(src->first_variable) : NULL;
	dst->ref = xstrdup(src->ref);
	dst->tags = src->ntags ? xmalloc(src->ntags * sizeof(char *)) : NULL;
	for (size_t i = 0; i < src->ntags; i++)
		dst->tags[i] = xstrdup(src->tags[i]);
}

const char *match_variable(const struct match *m)
{
	if (m->first_variable)
		return m->first_variable;
	return *m->variable ? m->variable : "the request";
}
