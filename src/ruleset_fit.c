/*
 * ruleset_fit: what libmodsecurity 3.0.9 refuses of a ModSecurity 2
 * configuration is left out, one directive or chain at a time, with a note
 * naming the file:line where it starts; everything else loads as written.
 *
 * Invariant: after ruleset_fit() returns 0 every active unit loads in
 * libmodsecurity as it stands, and every left-out rule's id is negative
 * (counted as not audited) with a note saying whether it could match a
 * callback.
 */
#include "ruleset_priv.h"
#include "engine.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ModSecurity 2 directives libmodsecurity 3.0.9 refuses to load. */
static const char *const refused_v3[] = {
	"SecRequestBodyInMemoryLimit", "SecGuardianLog", "SecServerSignature",
	"SecChrootDir", "SecStreamInBodyInspection", "SecStreamOutBodyInspection",
	"SecCacheTransformations", "SecGsbLookupDb", "SecHashEngine", "SecHashKey",
	"SecHashParam", "SecHashMethodRx", "SecHashMethodPm",
	"SecConnReadStateLimit", "SecConnWriteStateLimit", "SecReadStateLimit",
	"SecWriteStateLimit", "SecSensorId", "SecRulePerfTime",
	"SecCookieV0Separator", NULL
};

/* Refused only when switched on; "Off" loads. */
static const char *const refused_when_on[] = {
	"SecDisableBackendCompression", "SecContentInjection", "SecConnEngine",
	"SecInterceptOnError", "SecRuleInheritance", NULL
};

int fit_directive(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	if (rs_in_list(refused_v3, d->name) ||
	    (rs_in_list(refused_when_on, d->name) && d->nargs && !strcasecmp(d->args[0].inner, "On"))) {
		if (rd->rs->engine_v2) {
			rs_note(rd->rs, at, "%s: skipped (libmodsecurity 3.0.9 does not support it)", d->name);
		} else {
			rd->rs->server_fails++;
			rs_note(rd->rs, at, "%s: the server would not start: libmodsecurity 3.0.9 refuses it "
				"(skipped here, the rest is audited)", d->name);
		}
		return 1;
	}
	return 0;
}

/* ModSecurity 2.9's actions (its reference manual). */
static const char *const v2_actions[] = {
	"accuracy", "allow", "append", "auditlog", "block", "capture", "chain", "ctl", "deny",
	"deprecatevar", "drop", "exec", "expirevar", "id", "initcol", "log", "logdata", "maturity",
	"msg", "multiMatch", "noauditlog", "nolog", "pass", "pause", "phase", "prepend", "proxy",
	"redirect", "rev", "sanitiseArg", "sanitiseMatched", "sanitiseMatchedBytes",
	"sanitiseRequestHeader", "sanitiseResponseHeader", "severity", "setuid", "setrsc", "setsid",
	"setenv", "setvar", "skip", "skipAfter", "status", "t", "tag", "ver", "xmlns", NULL
};

/* Constructs ModSecurity 2 has and libmodsecurity 3.0.9 refuses, by the
 * words of its error: these rules are left out one by one, not the file. */
static const char *v2_only(const char *msg)
{
	if (strstr(msg, "is not yet supported") || strstr(msg, "is not supported by libModSecurity"))
		return msg;
	if (strstr(msg, "Expecting an action, got:")) {
		const char *g = strstr(msg, "got:") + 4;
		while (*g == ' ')
			g++;
		if (!strncmp(g, "ctl:", 4))
			return "a ctl: option libmodsecurity 3.0.9 does not have";
		if (!strncmp(g, "%{", 2))
			return "ModSecurity 2 setvar syntax (a comma in the value)";
		/* an action name ModSecurity 2 does not know either is a
		 * mistake in the rules (the server would not start); anything
		 * else is v2 syntax 3.0.9's parser does not read */
		{
			size_t n = strspn(g, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
			char word[32];
			if (n && n < sizeof(word)) {
				memcpy(word, g, n);
				word[n] = '\0';
				if (!rs_in_list(v2_actions, word))
					return NULL;
			}
		}
		return "ModSecurity 2 action syntax libmodsecurity 3.0.9's parser does not read";
	}
	return NULL;
}

/* The fitting state of one unit: its output lines (a left-out group's
 * lines become empty, so every line keeps its number and the line map
 * stays valid), the group each line belongs to, and the SecDefaultAction
 * lines in force where the next load starts. */
struct fitter {
	struct ruleset *rs;
	size_t u;
	char **line;
	size_t nline;
	size_t *gfirst;		/* group k's first line */
	size_t *gof;		/* line i's group */
	size_t ngroup;
	const char *defaults[6];	/* SecDefaultAction in force per phase (into line[]) */
	int changed;
	struct engine_unit *acc;	/* the unit's parse, piece by piece (engine.h), or NULL */
	struct strbuf settings;		/* "\nName\n" for every setting directive of earlier pieces */
};

static void fit_lines(struct fitter *f)
{
	struct load_unit *unit = &f->rs->units[f->u];
	const char *p = unit->text.buf;
	f->line = xcalloc(unit->nmap + 1, sizeof(char *));
	f->gof = xcalloc(unit->nmap + 1, sizeof(size_t));
	f->gfirst = xcalloc(unit->nmap + 1, sizeof(size_t));
	for (size_t i = 0; i < unit->nmap && *p; i++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		f->line[i] = xstrndup(p, len);
		f->nline = i + 1;
		if (i == 0 || unit->group[i] != unit->group[i - 1])
			f->gfirst[f->ngroup++] = i;
		f->gof[i] = f->ngroup - 1;
		p = nl ? nl + 1 : p + len;
	}
	f->gfirst[f->ngroup] = f->nline;
}

static void fit_release(struct fitter *f)
{
	for (size_t i = 0; i < f->nline; i++)
		free(f->line[i]);
	free(f->line);
	free(f->gof);
	free(f->gfirst);
}

/* Group k's SecDefaultAction becomes the one in force for its phase. */
static void fit_context(struct fitter *f, size_t k)
{
	const char *l = f->line[f->gfirst[k]];
	struct seclang_directive d;
	if (strncasecmp(l, "SecDefaultAction", 16))
		return;
	seclang_split(l, &d);
	if (d.nargs == 1) {
		struct seclang_action *a;
		size_t n = seclang_actions(d.args[0].inner, &a);
		f->defaults[v2_phase_of(a, n)] = l;
		seclang_actions_free(a, n);
	}
	seclang_directive_release(&d);
}

/* Load groups [a, b) (only group `alone` when it is not -1) with the
 * SecDefaultActions in force at `a`. Returns 0, or -1 with libmodsecurity's
 * message in `why` and in *hint the group its line number points at
 * ((size_t)-1 when none): a hint only, never a verdict. */
static char *fit_text(struct fitter *f, size_t a, size_t b, size_t alone, size_t *nctx_out,
		      size_t *first_out)
{
	struct strbuf text = STRBUF_INIT;
	const char *saved[6];
	size_t nctx = 0, first;

	memcpy(saved, f->defaults, sizeof(saved));
	if (alone != (size_t)-1) {
		/* the context at `alone`: SecDefaultActions between a and it */
		for (size_t k = a; k < alone; k++)
			fit_context(f, k);
		a = alone;
		b = alone + 1;
	}
	for (int ph = 0; ph < 6; ph++) {
		if (f->defaults[ph]) {
			/* a group's own SecDefaultAction is not repeated */
			if (alone != (size_t)-1 && f->defaults[ph] == f->line[f->gfirst[alone]])
				continue;
			strbuf_addf(&text, "%s\n", f->defaults[ph]);
			nctx++;
		}
	}
	memcpy(f->defaults, saved, sizeof(saved));
	first = f->gfirst[a];
	for (size_t i = first; i < f->gfirst[b]; i++) {
		/* a later load's own SecDefaultAction for a phase in context is
		 * the reader's business (one per phase per load), not ours */
		strbuf_addstr(&text, f->line[i]);
		strbuf_addch(&text, '\n');
	}
	*nctx_out = nctx;
	*first_out = first;
	return strbuf_detach(&text, NULL);
}

static int fit_try(struct fitter *f, size_t a, size_t b, size_t alone, size_t *hint, struct strbuf *why)
{
	size_t nctx, first;
	char *text = fit_text(f, a, b, alone, &nctx, &first);
	int line = 0, r;

	if (alone != (size_t)-1)
		b = alone + 1;
	r = engine_check_rules(text, &line, why);
	free(text);
	*hint = (size_t)-1;
	if (r < 0 && line > (int)nctx && (size_t)(line - 1 - nctx) + first < f->gfirst[b])
		*hint = f->gof[(size_t)(line - 1 - nctx) + first];
	return r;
}

/* May groups [a, b) join the unit's parse as one piece (engine_unit_add),
 * and would the piece load exactly when fit_try's load does? Not when a
 * group is a SecDefaultAction for a phase one is in force for (fit_try's
 * load refuses it, the piece's parser has not seen the first), nor when a
 * setting an earlier piece named is named again (merged, the first value
 * would stay; in one load the last). */
static int fit_piece_ok(struct fitter *f, size_t a, size_t b)
{
	struct strbuf names = STRBUF_INIT;
	int ok = 1;
	for (size_t k = a; k < b && ok; k++) {
		const char *l = f->line[f->gfirst[k]];
		size_t n = strspn(l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
		char key[80];
		if (!n || n > 60 || !strncasecmp(l, "SecRule", n) || !strncasecmp(l, "SecAction", n) ||
		    !strncasecmp(l, "SecMarker", n))
			continue;
		if (!strncasecmp(l, "SecDefaultAction", n)) {
			struct seclang_directive d;
			seclang_split(l, &d);
			if (d.nargs == 1) {
				struct seclang_action *act;
				size_t na = seclang_actions(d.args[0].inner, &act);
				ok = !f->defaults[v2_phase_of(act, na)];
				seclang_actions_free(act, na);
			} else {
				ok = 0;
			}
			seclang_directive_release(&d);
			continue;
		}
		snprintf(key, sizeof(key), "\n%.*s\n", (int)n, l);
		for (char *c = key; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (f->settings.len && strstr(f->settings.buf, key))
			ok = 0;
		strbuf_addstr(&names, key + 1);
	}
	if (ok) {
		if (!f->settings.len)
			strbuf_addch(&f->settings, '\n');
		strbuf_addstr(&f->settings, names.len ? names.buf : "");
	}
	strbuf_release(&names);
	return ok;
}

/* Add groups [a, b) to the unit's parse at their own lines. 0 when they
 * load. */
static int fit_accumulate(struct fitter *f, size_t a, size_t b)
{
	struct strbuf t = STRBUF_INIT;
	int r;
	for (size_t i = f->gfirst[a]; i < f->gfirst[b]; i++) {
		strbuf_addstr(&t, f->line[i]);
		strbuf_addch(&t, '\n');
	}
	r = engine_unit_add(f->acc, f->gfirst[a], t.buf);
	strbuf_release(&t);
	return r;
}

/* Leave group k out: blank its lines, hide its rule id, note why. */
static void fit_leave_out(struct fitter *f, size_t k, const char *why)
{
	struct ruleset *rs = f->rs;
	struct origin at = rs->units[f->u].map[f->gfirst[k]];
	long id = 0;
	const char *vars = "";

	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].unit == f->u && rs->rules[i].at.file == at.file &&
		    rs->rules[i].at.line == at.line && rs->rules[i].id > 0) {
			id = rs->rules[i].id;
			vars = rs->rules[i].vars;
			rs->rules[i].id = -id;
			rs->units[f->u].rules--;
		}
	for (size_t i = f->gfirst[k]; i < f->gfirst[k + 1]; i++)
		f->line[i][0] = '\0';
	if (!rs->engine_v2)
		rs->server_fails++;
	if (id)
		rs_note(rs, at, "rule %ld not audited: libmodsecurity 3.0.9 refuses it (%s); %s%s", id, why,
			rs_could_match(vars), rs->engine_v2 ? "" : "; the server would not start with it");
	else
		rs_note(rs, at, "directive skipped: libmodsecurity 3.0.9 refuses it (%s)%s", why,
			rs->engine_v2 ? "" : "; the server would not start with it");
	f->changed++;
}

/* Does group k load alone once written as ModSecurity 2 means it? Then
 * it is ModSecurity 2 syntax 3.0.9 lacks, not a mistake in the rules. */
static int fit_translates(struct fitter *f, size_t k)
{
	struct strbuf text = STRBUF_INIT, how = STRBUF_INIT, why = STRBUF_INIT;
	int changed = 0, line, ok;
	for (size_t i = f->gfirst[k]; i < f->gfirst[k + 1]; i++) {
		char *t = v2_translate_rs(f->rs, f->line[i], &how);
		strbuf_addstr(&text, t ? t : f->line[i]);
		strbuf_addch(&text, '\n');
		changed |= t != NULL;
		free(t);
	}
	ok = changed && engine_check_rules(text.buf, &line, &why) == 0;
	strbuf_release(&text);
	strbuf_release(&how);
	strbuf_release(&why);
	return ok;
}

/* v2: group k, refused, loads once written as ModSecurity 2 means it:
 * its lines are replaced, with a `translated` note. Returns 1 then. */
static int fit_translate(struct fitter *f, size_t k)
{
	struct strbuf text = STRBUF_INIT, how = STRBUF_INIT, why = STRBUF_INIT;
	char **tr = xcalloc(f->gfirst[k + 1] - f->gfirst[k], sizeof(char *));
	int changed = 0, line, ok;
	for (size_t i = f->gfirst[k]; i < f->gfirst[k + 1]; i++) {
		tr[i - f->gfirst[k]] = v2_translate_rs(f->rs, f->line[i], &how);
		strbuf_addstr(&text, tr[i - f->gfirst[k]] ? tr[i - f->gfirst[k]] : f->line[i]);
		strbuf_addch(&text, '\n');
		changed |= tr[i - f->gfirst[k]] != NULL;
	}
	ok = changed && engine_check_rules(text.buf, &line, &why) == 0;
	for (size_t i = f->gfirst[k]; i < f->gfirst[k + 1]; i++) {
		char *t = tr[i - f->gfirst[k]];
		if (ok && t) {
			if (strstr(t, V2_COMMA_MACRO))
				f->rs->v2_comma = 1;
			free(f->line[i]);
			f->line[i] = t;
		} else {
			free(t);
		}
	}
	if (ok) {
		rs_note(f->rs, f->rs->units[f->u].map[f->gfirst[k]], "translated: %s", how.buf);
		f->changed++;
	}
	free(tr);
	strbuf_release(&text);
	strbuf_release(&how);
	strbuf_release(&why);
	return ok;
}

/* Group k, refused when loaded alone with `why`: left out when it is a
 * construct ModSecurity 2 has and 3.0.9 lacks; anything else is an error
 * at the group's own file:line (ModSecurity 2 refuses it too). */
static int fit_refused(struct fitter *f, size_t k, const char *why, struct strbuf *err)
{
	const char *v2 = v2_only(why);
	struct origin at = f->rs->units[f->u].map[f->gfirst[k]];
	const char *l = f->line[f->gfirst[k]];
	if (!v2 && strncasecmp(l, "Sec", 3) && strncasecmp(l, "Include", 7) && l[0] != '<') {
		/* Apache's directives in a rule file (v2 reads them in Apache,
		 * and the reader skips them there) */
		v2 = "an Apache directive in a rule file";
	}
	if (f->rs->engine_v2 && fit_translate(f, k))
		return 0;
	if (!v2 && !f->rs->engine_v2 && fit_translates(f, k))
		v2 = why;
	if (!v2) {
		strbuf_addf(err, "%s:%d: %s", at.file, at.line, why);
		return -1;
	}
	fit_leave_out(f, k, v2);
	return 0;
}

/* Groups [a, b) do not load together. Find each group that is refused on
 * its own (libmodsecurity's line is tried first, as a hint), leave it out,
 * and try again until they load; when no single group is refused, the
 * first prefix that fails names the place (a combination: two
 * SecDefaultActions for one phase...). */
static int fit_chunk(struct fitter *f, size_t a, size_t b, size_t hint, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	for (;;) {
		size_t h2;
		int found = 0;
		for (size_t n = 0; n <= b - a && !found; n++) {
			/* n = 0: the hint; then every group in order */
			size_t k = n == 0 ? hint : a + n - 1;
			if (k == (size_t)-1 || k < a || k >= b || (n > 0 && k == hint))
				continue;
			if (f->line[f->gfirst[k]][0] == '\0')
				continue;
			strbuf_reset(&why);
			if (fit_try(f, a, b, k, &h2, &why) == 0)
				continue;
			if (fit_refused(f, k, why.buf, err) < 0) {
				strbuf_release(&why);
				return -1;
			}
			found = 1;
		}
		strbuf_reset(&why);
		if (found && fit_try(f, a, b, (size_t)-1, &hint, &why) == 0)
			break;
		if (found)
			continue;
		/* nothing refused alone: the shortest failing prefix */
		for (size_t m = a + 1; m <= b; m++) {
			strbuf_reset(&why);
			if (fit_try(f, a, m, (size_t)-1, &h2, &why) < 0) {
				struct origin at = f->rs->units[f->u].map[f->gfirst[m - 1]];
				strbuf_addf(err, "%s:%d: %s", at.file, at.line, why.buf);
				break;
			}
		}
		if (!err->len)
			strbuf_addf(err, "%s: %s", f->rs->units[f->u].name, why.buf);
		strbuf_release(&why);
		return -1;
	}
	strbuf_release(&why);
	return 0;
}

/* Groups per load: small enough that finding the refused group in a
 * failed load costs little, large enough that the loads' own cost stays
 * small (make bench). */
#define FIT_CHUNK 24

static int fit_unit(struct ruleset *rs, size_t u, struct strbuf *err)
{
	struct fitter f = { .rs = rs, .u = u, .settings = STRBUF_INIT };
	struct strbuf why = STRBUF_INIT;
	size_t hint;
	int ret = 0;

	fit_lines(&f);
	/* For the audit, the pieces that load make the unit's parse
	 * (engine_unit_*): fitting a unit also parses it. Not when this text
	 * was fitted before (the paranoia sweep reads the set once per level):
	 * its loads' answers are known then, and its parse is cached. */
	if (rs->preparse && f.ngroup) {
		size_t nctx, first;
		char *t = fit_text(&f, 0, f.ngroup < FIT_CHUNK ? f.ngroup : FIT_CHUNK, (size_t)-1, &nctx, &first);
		if (!engine_check_known(t))
			f.acc = engine_unit_begin();
		free(t);
	}
	/* chunks from the start: libmodsecurity parses many small loads
	 * faster than one large one (make bench: ~0.7x for 3,000 rules) */
	for (size_t a = 0; a < f.ngroup; a += FIT_CHUNK) {
		size_t b = a + FIT_CHUNK < f.ngroup ? a + FIT_CHUNK : f.ngroup;
		int done = 0;
		if (f.acc && !fit_piece_ok(&f, a, b)) {
			engine_unit_abandon(f.acc);	/* a piece could not join */
			f.acc = NULL;
		}
		if (f.acc && fit_accumulate(&f, a, b) == 0) {
			/* it loaded: so does fit_try's load (fit_piece_ok) */
			size_t nctx, first;
			char *t = fit_text(&f, a, b, (size_t)-1, &nctx, &first);
			engine_check_remember(t);
			free(t);
			done = 1;
		}
		strbuf_reset(&why);
		if (!done && fit_try(&f, a, b, (size_t)-1, &hint, &why) < 0 &&
		    fit_chunk(&f, a, b, hint, err) < 0) {
			ret = -1;
			goto out;
		}
		/* refused groups left out or translated: the rest joins */
		if (!done && f.acc && fit_accumulate(&f, a, b) < 0) {
			engine_unit_abandon(f.acc);
			f.acc = NULL;
		}
		for (size_t k = a; k < b; k++)
			fit_context(&f, k);
	}
	if (f.changed) {
		struct strbuf text = STRBUF_INIT;
		for (size_t i = 0; i < f.nline; i++) {
			strbuf_addstr(&text, f.line[i]);
			strbuf_addch(&text, '\n');
		}
		strbuf_release(&rs->units[u].text);
		rs->units[u].text = text;
	}
	if (f.acc) {
		/* the pieces add up to the unit's text, line for line */
		size_t len = 0;
		for (size_t i = 0; i < f.nline; i++)
			len += strlen(f.line[i]) + 1;
		if (len == rs->units[u].text.len)
			engine_unit_finish(f.acc, rs->units[u].text.buf);
		else
			engine_unit_abandon(f.acc);
	}
	f.acc = NULL;
out:
	engine_unit_abandon(f.acc);
	strbuf_release(&f.settings);
	strbuf_release(&why);
	fit_release(&f);
	return ret;
}

/* Two rules with one id: libmodsecurity names no place ("File: . Line:
 * 1"), so the index does (both engines refuse to start with it). */
static int fit_duplicates(const struct ruleset *rs, struct strbuf *err)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct ruleinfo *r = &rs->rules[i];
		if (r->id <= 0 || rs->units[r->unit].inactive)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct ruleinfo *q = &rs->rules[j];
			if (q->id == r->id && !rs->units[q->unit].inactive) {
				strbuf_addf(err, "%s:%d: rule id %ld is duplicated (first at %s:%d)",
					    r->at.file, r->at.line, r->id, q->at.file, q->at.line);
				return -1;
			}
		}
	}
	return 0;
}

int ruleset_fit(struct ruleset *rs, struct strbuf *err)
{
	if (fit_duplicates(rs, err) < 0)
		return -1;
	for (size_t u = 0; u < rs->nunits; u++)
		if (!rs->units[u].inactive && fit_unit(rs, u, err) < 0)
			return -1;
	/* the units are final: what reads REQUEST_BODY is known */
	free(rs->v2_prelude);
	{
		struct strbuf sb = STRBUF_INIT;
		ruleset_v2_prelude(rs, &sb);
		rs->v2_prelude = strbuf_detach(&sb, NULL);
	}
	return 0;
}
