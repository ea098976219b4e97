#include "witness.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>

static int disabled = -1;	/* -1: read MCA_RUN_ALL on first use */

void witness_enable(int on)
{
	disabled = !on;
}

int witness_enabled(void)
{
	if (disabled < 0) {
		const char *v = getenv("MCA_RUN_ALL");
		disabled = v && *v && strcmp(v, "0");
	}
	return !disabled;
}

struct witness {
	struct engine *e;
	const struct exclusion *x;
	size_t n;
	char **norm;	/* x[i]'s rules as they act: no comments, no ids */
};

/* The snippet's configuration lines without comments, and every "id:N"
 * written "id:": what the rule does when it fires, whatever its number. */
static char *normalized(const char *snippet)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = snippet;
	while (*p) {
		const char *nl = strchr(p, '\n'), *q = p;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		while (q < p + len && (*q == ' ' || *q == '\t'))
			q++;
		if (q < p + len && *q != '#') {
			for (const char *c = p; c < p + len; c++) {
				strbuf_addch(&sb, *c);
				if (c > p && c[0] == ':' && c[-1] == 'd' && c - p >= 2 && c[-2] == 'i' &&
				    (c - p == 2 || !((c[-3] >= 'a' && c[-3] <= 'z') || (c[-3] >= 'A' && c[-3] <= 'Z') || c[-3] == '_')))
					while (c + 1 < p + len && c[1] >= '0' && c[1] <= '9')
						c++;
			}
			strbuf_addch(&sb, '\n');
		}
		p += len + (nl != NULL);
	}
	return strbuf_detach(&sb, NULL);
}

/* The snippet with every `nolog` made `log`; NULL when a rule is not
 * phase 1 or a count does not add up (then the witness declines). */
static char *loud(const struct exclusion *x)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = x->snippet, *p;
	int nolog = 0;

	for (p = strstr(s, "phase:"); p; p = strstr(p + 6, "phase:"))
		if (p[6] != '1' || (p[7] >= '0' && p[7] <= '9'))
			return NULL;
	while ((p = strstr(s, "nolog"))) {
		strbuf_add(&sb, s, (size_t)(p - s));
		strbuf_addstr(&sb, "log");
		s = p + 5;
		nolog++;
	}
	strbuf_addstr(&sb, s);
	if (nolog != x->nids) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* Does the text set an argument separator other than '&' (which would
 * change how ARGS_GET, in the exclusions' conditions, reads the query)? */
static int odd_separator(const char *text)
{
	static const char d[] = "SecArgumentSeparator";
	for (const char *p = strcasestr(text, d); p; p = strcasestr(p + 1, d)) {
		const char *v = p + sizeof(d) - 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '"' || *v == '\'')
			v++;
		if (*v != '&' || (v[1] && !strchr(" \t\r\n\"'", v[1])))
			return 1;
	}
	return 0;
}

/* The ids (single or lo-hi ranges) the server's SecRuleRemoveById and
 * SecRuleUpdate*ById directives name in `text`, into u->named_ids. One of
 * the exclusions' ids there: SecRuleRemoveById would keep an exclusion
 * from firing on the server while it fires in the witness, and two
 * exclusions that act alike would differ by their numbers. */
static void read_named_ids(struct load_unit *u, const char *text)
{
	static const char *const dir[] = { "SecRuleRemoveById", "SecRuleUpdateActionById",
					   "SecRuleUpdateTargetById", NULL };
	size_t alloc = 0;
	for (int k = 0; dir[k]; k++)
		for (const char *p = strcasestr(text, dir[k]); p; p = strcasestr(p + 1, dir[k])) {
			const char *q = p + strlen(dir[k]);
			const char *eol = strchr(q, '\n');
			if (!eol)
				eol = q + strlen(q);
			while (q < eol) {
				char *end;
				long a, b;
				if (*q < '0' || *q > '9') {
					q++;
					continue;
				}
				a = b = strtol(q, &end, 10);
				if (*end == '-' && end[1] >= '0' && end[1] <= '9')
					b = strtol(end + 1, &end, 10);
				if (u->nnamed + 2 > alloc) {
					alloc = alloc ? alloc * 2 : 8;
					u->named_ids = xrealloc(u->named_ids, alloc * sizeof(long));
				}
				u->named_ids[u->nnamed++] = a;
				u->named_ids[u->nnamed++] = b;
				q = end;
			}
		}
}

/* What the witness must know of a unit, read once per audit (the ruleset
 * is const to the witness; these notes are a cache it keeps there). */
static const struct load_unit *unit_notes(const struct ruleset *rs, size_t i)
{
	struct load_unit *u = (struct load_unit *)&rs->units[i];
	if (!u->witness_read) {
		u->odd_separator = odd_separator(u->text.buf);
		read_named_ids(u, u->text.buf);
		u->witness_read = 1;
	}
	return u;
}

struct witness *witness_new(const struct ruleset *rs, const struct exclusion *x, size_t n)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct witness *w;
	int line;

	long lo = 0, hi = 0;

	if (!n || !witness_enabled())
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!i || x[i].first_id < lo)
			lo = x[i].first_id;
		if (!i || x[i].first_id + x[i].nids - 1 > hi)
			hi = x[i].first_id + x[i].nids - 1;
	}
	for (size_t u = 0; u < rs->nunits; u++) {
		const struct load_unit *lu;
		if (rs->units[u].inactive)
			continue;
		lu = unit_notes(rs, u);
		if (lu->odd_separator)
			return NULL;
		for (size_t k = 0; k + 1 < lu->nnamed; k += 2)
			if (lu->named_ids[k] <= hi && lu->named_ids[k + 1] >= lo)
				return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char *t = x[i].snippet && x[i].nids > 0 ? loud(&x[i]) : NULL;
		if (!t) {
			strbuf_release(&text);
			return NULL;
		}
		strbuf_addstr(&text, t);
		free(t);
	}
	w = xcalloc(1, sizeof(*w));
	w->x = x;
	w->n = n;
	w->norm = xcalloc(n, sizeof(*w->norm));
	for (size_t i = 0; i < n; i++)
		w->norm[i] = normalized(x[i].snippet);
	w->e = engine_new(&err);
	if (!w->e || engine_add_rules(w->e, text.buf, &line, &err) < 0) {
		witness_free(w);
		w = NULL;
	}
	strbuf_release(&text);
	strbuf_release(&err);
	return w;
}

void witness_free(struct witness *w)
{
	if (!w)
		return;
	engine_free(w->e);
	for (size_t i = 0; w->norm && i < w->n; i++)
		free(w->norm[i]);
	free(w->norm);
	free(w);
}

/* Which of the exclusions fire for the request: fired[i] set for each. */
static void fired_set(struct witness *w, const struct request *req, unsigned char *fired)
{
	struct txresult tx;
	engine_run_headers(w->e, req, &tx);
	for (size_t i = 0; i < w->n; i++) {
		fired[i] = 0;
		for (size_t l = 0; l < tx.nlines && !fired[i]; l++) {
			const char *p = strstr(tx.lines[l], "[id \"");
			long id = p ? strtol(p + 5, NULL, 10) : 0;
			fired[i] = id >= w->x[i].first_id && id < w->x[i].first_id + w->x[i].nids;
		}
	}
	txresult_release(&tx);
}

char *witness_fired(struct witness *w, const struct request *req, const struct response *resp)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char *fired = xcalloc(w->n, 1);
	(void)resp;
	fired_set(w, req, fired);
	for (size_t i = 0; i < w->n; i++)
		if (fired[i]) {
			strbuf_addstr(&sb, w->norm[i]);
			strbuf_addstr(&sb, "\x01\n");	/* one exclusion ends here */
		}
	free(fired);
	return strbuf_detach(&sb, NULL);
}

unsigned long long witness_sig(struct witness *w, const struct request *req,
			       const struct response *resp)
{
	unsigned char *fired = xcalloc(w->n, 1);
	unsigned long long h = 1469598103934665603ULL;
	int any = 0;

	(void)resp;
	fired_set(w, req, fired);
	for (size_t i = 0; i < w->n; i++) {
		if (!fired[i])
			continue;
		for (const char *s = w->norm[i]; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
		any = 1;
	}
	free(fired);
	return any ? (h ? h : 1) : 0;
}
