/*
 * compare: one row per callback of the parity table (tests/parity/parity.sh).
 *
 *   compare parity SERVER RULESET AUDIT.json PROBE.json KNOWN
 *     the audit (libmodsecurity in-process) and the probe of the real
 *     server (--error-log) must give every callback the same verdict and
 *     the same blocking rule ids (disruptive + anomaly contributors)
 *   compare exclusions SERVER RULESET AUDIT.json PROBE.json KNOWN
 *     with the audit's exclusions loaded, every callback the audit
 *     verified must pass (and one it could not verify must still block)
 *
 * A row that differs is "explained" when KNOWN has a line
 *   SERVER RULESET CALLBACK FORM EXPECT explanation...
 * (globs; EXPECT is what differs: verdict, ids or fails) and the row
 * differs in that way; otherwise it FAILs. Rows print as
 *   ROW <status> <server> <ruleset> <callback> <form> | <audit> | <probe> | <note>
 * and the last line is "N passed, N failed" (explained rows pass).
 * Exit 0 when nothing failed.
 */
#include "util/fileio.h"
#include "util/strbuf.h"

#include <cJSON.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct known {
	char *server, *ruleset, *callback, *form, *expect, *why;
	int used;
};

static struct known *known;
static size_t nknown;

static void load_known(const char *path)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	char *p;
	if (read_file(path, &sb, &err) < 0) {
		fprintf(stderr, "compare: %s\n", err.buf);
		exit(2);
	}
	for (p = sb.buf; *p;) {
		char *nl = strchr(p, '\n'), *f[6];
		int n = 0;
		if (nl)
			*nl = '\0';
		if (*p && *p != '#') {
			char *s = p;
			for (n = 0; n < 5; n++) {
				s += strspn(s, " \t");
				f[n] = s;
				s += strcspn(s, " \t");
				if (!*s)
					break;
				*s++ = '\0';
			}
			if (n == 5) {
				s += strspn(s, " \t");
				f[5] = s;
				known = xrealloc(known, (nknown + 1) * sizeof(*known));
				known[nknown].server = xstrdup(f[0]);
				known[nknown].ruleset = xstrdup(f[1]);
				known[nknown].callback = xstrdup(f[2]);
				known[nknown].form = xstrdup(f[3]);
				known[nknown].expect = xstrdup(f[4]);
				known[nknown].why = xstrdup(f[5]);
				known[nknown].used = 0;
				nknown++;
			} else {
				fprintf(stderr, "compare: %s: a line with fewer than 6 fields: %s\n", path, p);
				exit(2);
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	strbuf_release(&sb);
	strbuf_release(&err);
}

static const struct known *explain(const char *server, const char *ruleset, const char *cb,
				   const char *form, const char *expect)
{
	for (size_t i = 0; i < nknown; i++) {
		struct known *k = &known[i];
		if (!fnmatch(k->server, server, 0) && !fnmatch(k->ruleset, ruleset, 0) &&
		    !fnmatch(k->callback, cb, 0) && !fnmatch(k->form, form, 0) &&
		    !strcmp(k->expect, expect)) {
			k->used = 1;
			return k;
		}
	}
	return NULL;
}

static cJSON *load_json(const char *path)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	cJSON *j;
	if (read_file(path, &sb, &err) < 0) {
		fprintf(stderr, "compare: %s\n", err.buf);
		exit(2);
	}
	j = cJSON_Parse(sb.buf);
	if (!j) {
		fprintf(stderr, "compare: %s: not JSON\n", path);
		exit(2);
	}
	strbuf_release(&sb);
	strbuf_release(&err);
	return j;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static const cJSON *find_cb(const cJSON *root, const char *name, const char *form)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "callbacks"))
		if (!strcmp(str(c, "name"), name) && !strcmp(str(c, "url_form"), form))
			return c;
	return NULL;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* "949110+941100+..." : the blocking rule ids, disruptive first, the rest
 * sorted, each once. */
static void ids_of(const cJSON *c, struct strbuf *out)
{
	const cJSON *b;
	long ids[256];
	size_t n = 0;
	long disruptive = 0;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(c, "blocking_rules")) {
		long id = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(b, "id"));
		int seen = 0;
		for (size_t i = 0; i < n; i++)
			seen |= ids[i] == id;
		/* a set: ModSecurity 2 logs a rule once per matching variable */
		if (!strcmp(str(b, "role"), "disruptive"))
			disruptive = id;
		else if (!seen && n < 256)
			ids[n++] = id;
	}
	qsort(ids, n, sizeof(long), cmp_long);
	if (disruptive)
		strbuf_addf(out, "%ld", disruptive);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, "+%ld", ids[i]);
	if (!disruptive && !n)
		strbuf_addstr(out, "-");
}

static const char *simple_verdict(const char *v)
{
	/* would_block does not occur: the servers run with the engine On */
	return !strcmp(v, "would_block") ? "blocked" : v;
}

static int passed, failed;

static void row(const char *status, const char *server, const char *ruleset, const char *cb,
		const char *form, const char *left, const char *right, const char *note)
{
	printf("ROW %-9s %-6s %-14s %-28s %-5s | %s | %s | %s\n", status, server, ruleset, cb, form,
	       left, right, note);
	if (!strcmp(status, "FAIL"))
		failed++;
	else
		passed++;
}

static int parity(const char *server, const char *ruleset, const char *apath, const char *ppath)
{
	cJSON *a = load_json(apath), *p = load_json(ppath);
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(a, "callbacks")) {
		const char *name = str(c, "name"), *form = str(c, "url_form");
		const cJSON *q = find_cb(p, name, form);
		struct strbuf ai = STRBUF_INIT, pi = STRBUF_INIT, l = STRBUF_INIT, r = STRBUF_INIT;
		const char *av = simple_verdict(str(c, "verdict")), *pv;
		const struct known *k = NULL;
		ids_of(c, &ai);
		strbuf_addf(&l, "audit %s %s", av, ai.buf);
		if (!q) {
			row("FAIL", server, ruleset, name, form, l.buf, "probe -", "the probe did not send it");
			goto next;
		}
		pv = str(q, "verdict");
		ids_of(q, &pi);
		strbuf_addf(&r, "probe %s %d %s", pv, (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(q, "status")), pi.buf);
		if (!strcmp(av, pv) && !strcmp(ai.buf, pi.buf)) {
			const cJSON *log = cJSON_GetObjectItemCaseSensitive(q, "log");
			if (!strcmp(pv, "blocked") && strcmp(str(log, "correlated_by"), "marker") &&
			    strcmp(str(log, "correlated_by"), "uri"))
				row("FAIL", server, ruleset, name, form, l.buf, r.buf,
				    "blocked, but no error log line was tied to the request");
			else
				row("equal", server, ruleset, name, form, l.buf, r.buf, str(log, "correlated_by"));
			goto next;
		}
		k = explain(server, ruleset, name, form, strcmp(av, pv) ? "verdict" : "ids");
		if (k)
			row("explained", server, ruleset, name, form, l.buf, r.buf, k->why);
		else
			row("FAIL", server, ruleset, name, form, l.buf, r.buf,
			    strcmp(av, pv) ? "verdicts differ, unexplained" : "blocking rule ids differ, unexplained");
next:
		strbuf_release(&ai);
		strbuf_release(&pi);
		strbuf_release(&l);
		strbuf_release(&r);
	}
	cJSON_Delete(a);
	cJSON_Delete(p);
	return 0;
}

static int exclusions(const char *server, const char *ruleset, const char *apath, const char *ppath)
{
	cJSON *a = load_json(apath), *p = load_json(ppath);
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(p, "callbacks")) {
		const char *name = str(c, "name"), *form = str(c, "url_form"), *pv = str(c, "verdict");
		const cJSON *ac = find_cb(a, name, form);
		const char *want = ac ? str(ac, "with_exclusions") : "passed";
		struct strbuf pi = STRBUF_INIT, l = STRBUF_INIT, r = STRBUF_INIT;
		const struct known *k;
		ids_of(c, &pi);
		strbuf_addf(&l, "audit with exclusions %s", want);
		strbuf_addf(&r, "probe %s %d %s", pv, (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "status")), pi.buf);
		if (!strcmp(pv, want))
			row("equal", server, ruleset, name, form, l.buf, r.buf,
			    strcmp(want, "passed") ? "the audit said its exclusions do not suffice" : "passes");
		else if ((k = explain(server, ruleset, name, form, "fails")) != NULL)
			row("explained", server, ruleset, name, form, l.buf, r.buf, k->why);
		else
			row("FAIL", server, ruleset, name, form, l.buf, r.buf,
			    !strcmp(want, "passed") ? "still blocked with the audit's verified exclusions loaded, unexplained"
						    : "passes although the audit could not verify its exclusions, unexplained");
		strbuf_release(&pi);
		strbuf_release(&l);
		strbuf_release(&r);
	}
	cJSON_Delete(a);
	cJSON_Delete(p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "parity")) {
		load_known(argv[6]);
		parity(argv[2], argv[3], argv[4], argv[5]);
	} else if (argc == 7 && !strcmp(argv[1], "exclusions")) {
		load_known(argv[6]);
		exclusions(argv[2], argv[3], argv[4], argv[5]);
	} else {
		fprintf(stderr, "usage: compare parity SERVER RULESET AUDIT.json PROBE.json KNOWN\n"
				"       compare exclusions SERVER RULESET AUDIT.json PROBE.json KNOWN\n");
		return 2;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
