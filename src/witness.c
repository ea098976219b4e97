#include "witness.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>

static int disabled = -1;	/* -1: read MCA_RUN_ALL on first use */

void witness_enable(int on)
{
	disabled = !on;
}

struct witness {
	struct engine *e;
	const struct exclusion *x;
	size_t n;
};

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

struct witness *witness_new(const struct ruleset *rs, const struct exclusion *x, size_t n)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct witness *w;
	int line;

	if (disabled < 0) {
		const char *v = getenv("MCA_RUN_ALL");
		disabled = v && *v && strcmp(v, "0");
	}
	if (!n || disabled)
		return NULL;
	for (size_t u = 0; u < rs->nunits; u++)
		if (odd_separator(rs->units[u].text.buf))
			return NULL;
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
	free(w);
}

static unsigned long long mix(unsigned long long h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

unsigned long long witness_sig(struct witness *w, const struct request *req,
			       const struct response *resp)
{
	struct txresult tx;
	unsigned long long h = 1469598103934665603ULL;
	int any = 0;

	(void)resp;
	engine_run_headers(w->e, req, &tx);
	for (size_t i = 0; i < w->n; i++) {
		int fired = 0;
		for (size_t l = 0; l < tx.nlines && !fired; l++) {
			const char *p = strstr(tx.lines[l], "[id \"");
			long id = p ? strtol(p + 5, NULL, 10) : 0;
			fired = id >= w->x[i].first_id && id < w->x[i].first_id + w->x[i].nids;
		}
		if (fired) {
			h = mix(h, w->x[i].snippet);
			any = 1;
		}
	}
	txresult_release(&tx);
	return any ? (h ? h : 1) : 0;
}
