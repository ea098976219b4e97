/* The text report: the summary first (report_summary.c), then the details,
 * each thing once: a blocking rule with every callback and URL form it
 * blocks, notes grouped by reason and counted (--verbose lists each), the
 * exclusions as configuration that is valid as printed (every marker is a
 * comment). Colours only on a TTY (or --color=always). */
#include "report.h"
#include "dialect.h"

#include <stdlib.h>
#include <string.h>

struct pen {
	const char *red, *green, *yellow, *bold, *dim, *off;
};

static void shorten(struct strbuf *out, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_add(out, s, max - 3);
	strbuf_addstr(out, "...");
}

/* The reason a note gives, for grouping: its last "(...)", else all. */
static const char *note_reason(const char *what, size_t *len)
{
	const char *open = strrchr(what, '(');
	size_t n = strlen(what);
	if (open && n && what[n - 1] == ')') {
		*len = (size_t)(what + n - open);
		return open;
	}
	*len = n;
	return what;
}

static void notes_text(const struct audit *a, const struct report_opts *o, const struct pen *p,
		       struct strbuf *out)
{
	const struct ruleset *rs = &a->rs;
	int *done = xcalloc(rs->nnotes ? rs->nnotes : 1, sizeof(int));
	if (o->verbose) {
		for (size_t i = 0; i < rs->nnotes; i++) {
			const struct note *n = &rs->notes[i];
			strbuf_addf(out, "%snote: %s:%d: %s", p->dim, n->at.file, n->at.line, n->what);
			if (n->count > 1)
				strbuf_addf(out, " (and %d more places)", n->count - 1);
			strbuf_addf(out, "%s\n", p->off);
		}
		free(done);
		return;
	}
	for (size_t i = 0; i < rs->nnotes; i++) {
		size_t len, l2, shown = 0;
		const char *why = note_reason(rs->notes[i].what, &len);
		int places = 0;
		struct strbuf what = STRBUF_INIT;
		if (done[i])
			continue;
		for (size_t k = i; k < rs->nnotes; k++) {
			const char *w2 = note_reason(rs->notes[k].what, &l2);
			if (done[k] || l2 != len || strncmp(w2, why, len))
				continue;
			done[k] = 1;
			places += rs->notes[k].count;
			if (shown++ < 4) {
				size_t head = (size_t)(w2 - rs->notes[k].what);
				strbuf_addstr(&what, shown > 1 ? ", " : "");
				strbuf_add(&what, rs->notes[k].what, head && w2 != rs->notes[k].what ? head - 1 : strlen(rs->notes[k].what));
			}
		}
		if (shown > 4)
			strbuf_addf(&what, " and %zu more", shown - 4);
		if (why == rs->notes[i].what)	/* no reason to group by */
			strbuf_addf(out, "%snote: %s:%d: %s", p->dim, rs->notes[i].at.file, rs->notes[i].at.line, what.buf);
		else
			strbuf_addf(out, "%snote (%d place%s): %s %.*s", p->dim, places, places == 1 ? "" : "s",
				    what.buf, (int)len, why);
		strbuf_addf(out, "%s\n", p->off);
		strbuf_release(&what);
	}
	if (rs->nnotes)
		strbuf_addf(out, "%s(--verbose lists every note with its file and line)%s\n", p->dim, p->off);
	free(done);
}

/* Every case `id` blocks, forms folded per callback, with the round. */
static void blocks_list(const struct audit *a, long id, struct strbuf *out)
{
	int first = 1;
	for (size_t i = 0; i < a->ncases; i++) {
		const struct callback *cb = a->cases[i].cb;
		struct strbuf forms = STRBUF_INIT;
		size_t total = 0, hit = 0;
		int round = 0, same = 1, seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= a->cases[k].cb == cb;
		if (seen)
			continue;
		for (size_t k = i; k < a->ncases; k++) {
			const struct audit_case *c = &a->cases[k];
			if (c->cb != cb)
				continue;
			total++;
			for (size_t f = 0; f < c->nfound; f++) {
				if (c->found[f].id != id)
					continue;
				if (hit && round != c->found[f].round)
					same = 0;
				round = c->found[f].round;
				strbuf_addf(&forms, "%s%s", hit++ ? "," : "", url_form_name(c->form));
				if (c->found[f].round > 1)
					strbuf_addf(&forms, " round %d", c->found[f].round);
			}
		}
		if (hit) {
			strbuf_addf(out, "%s%s [", first ? "" : ", ", cb->name);
			if (hit == total && same && total > 1) {
				strbuf_addstr(out, "all forms");
				if (round > 1)
					strbuf_addf(out, ", round %d", round);
			} else {
				strbuf_addstr(out, forms.buf);
			}
			strbuf_addch(out, ']');
			first = 0;
		}
		strbuf_release(&forms);
	}
}

/* Each blocking rule once, in the order found. */
static void blockers_text(const struct audit *a, const struct pen *p, struct strbuf *out)
{
	long *seen = NULL;
	size_t nseen = 0, aseen = 0;
	/* what the previous rule matched and blocks: anomaly contributors
	 * on the same field and callbacks take one line each */
	struct strbuf prev = STRBUF_INIT, cur = STRBUF_INIT, blocks = STRBUF_INIT;
	for (size_t i = 0; i < a->ncases; i++) {
		for (size_t k = 0; k < a->cases[i].nfound; k++) {
			const struct found_blocker *f = &a->cases[i].found[k];
			size_t s;
			for (s = 0; s < nseen && seen[s] != f->id; s++)
				;
			if (s < nseen)
				continue;
			ARRAY_PUSH(seen, nseen, aseen);
			seen[nseen++] = f->id;
			if (nseen == 1)
				strbuf_addf(out, "\n%sBlocking rules%s (each once; round 2+ = found once the callback's own "
					    "earlier blockers were excluded):\n", p->bold, p->off);
			strbuf_reset(&cur);
			strbuf_reset(&blocks);
			if (*f->variable) {
				strbuf_addf(&cur, "  matched %s", f->variable);
				if (f->chain_last)
					strbuf_addf(&cur, " (chain: %s)", f->chain_last);
				if (*f->value && !strstr(f->variable, f->value)) {
					strbuf_addstr(&cur, " = \"");
					shorten(&cur, f->value, 50);
					strbuf_addch(&cur, '"');
				}
			}
			blocks_list(a, f->id, &blocks);
			strbuf_addf(&cur, "\n      blocks: %s\n", blocks.buf);
			strbuf_addf(out, "  %s%ld%s  phase %d  ", p->bold, f->id, p->off, f->phase);
			if (f->role == ROLE_CONTRIBUTOR)
				strbuf_addf(out, "score %d  ", f->score);
			else if (f->evaluation)
				strbuf_addstr(out, "anomaly score evaluation  ");
			strbuf_addstr(out, f->msg);
			if (f->role == ROLE_CONTRIBUTOR && prev.len && !strcmp(prev.buf, cur.buf)) {
				const char *base = strrchr(f->file, '/');
				strbuf_addf(out, "  %s(%s:%d; matched and blocks as above)%s\n", p->dim,
					    base ? base + 1 : f->file, f->line, p->off);
				continue;
			}
			strbuf_addf(out, "\n      %s%s:%d%s%s", p->dim, f->file, f->line, p->off, cur.buf);
			strbuf_reset(&prev);
			strbuf_addstr(&prev, cur.buf);
		}
	}
	strbuf_release(&prev);
	strbuf_release(&cur);
	strbuf_release(&blocks);
	free(seen);
}

/* Matches that did not block, each id once (all with --verbose). */
static void also_logged(const struct audit *a, const struct report_opts *o, const struct pen *p,
			struct strbuf *out)
{
	long *seen = NULL;
	size_t nseen = 0, aseen = 0;
	struct strbuf line = STRBUF_INIT;
	for (size_t i = 0; i < a->ncases; i++) {
		const struct verdict *v = &a->cases[i].v;
		for (size_t m = 0; m < v->nmatches; m++) {
			long id = v->matches[m].id;
			size_t s;
			int blocker = 0;
			for (size_t k = 0; k < a->cases[i].nfound; k++)
				blocker |= a->cases[i].found[k].id == id;
			for (s = 0; s < nseen && seen[s] != id; s++)
				;
			if (blocker || s < nseen)
				continue;
			ARRAY_PUSH(seen, nseen, aseen);
			seen[nseen++] = id;
			if (o->verbose)
				strbuf_addf(&line, "\n  %ld: %s", id, v->matches[m].msg);
			else
				strbuf_addf(&line, " %ld", id);
		}
	}
	if (nseen)
		strbuf_addf(out, "%sAlso logged, did not block:%s%s\n", p->dim, line.buf, p->off);
	strbuf_release(&line);
	free(seen);
}

static void requests_text(const struct audit *a, struct strbuf *out)
{
	strbuf_addstr(out, "\nRequests:\n");
	for (size_t i = 0; i < a->ncases; i++) {
		const struct audit_case *c = &a->cases[i];
		strbuf_addf(out, "  %3d  %s [%s]  %s ", c->status, c->cb->name, url_form_name(c->form), c->req.method);
		shorten(out, c->req.uri, 120);
		strbuf_addch(out, '\n');
	}
}

static void sweep_text(const struct audit *a, const struct pen *p, struct strbuf *out)
{
	strbuf_addf(out, "\n%sParanoia sweep%s (the server's rules alone at paranoia levels 1-4):\n",
		    p->bold, p->off);
	for (size_t i = 0; i < a->ncases; i++) {
		const struct sweep_row *row = &a->sweep[i];
		struct strbuf name = STRBUF_INIT;
		strbuf_addf(&name, "%s [%s]", a->cases[i].cb->name, url_form_name(a->cases[i].form));
		if (row->first_level) {
			strbuf_addf(out, "  %-44s blocked from PL%d by", name.buf, row->first_level);
			for (size_t k = 0; k < row->nids; k++)
				strbuf_addf(out, " %ld", row->ids[k]);
			strbuf_addch(out, '\n');
		} else {
			strbuf_addf(out, "  %-44s passes at PL1-4\n", name.buf);
		}
		strbuf_release(&name);
	}
}

static void attacks_text(const struct audit *a, const struct pen *p, struct strbuf *out)
{
	size_t count[ATT_COUNT] = { 0 };
	for (size_t i = 0; i < a->nattacks; i++)
		count[a->attacks[i].outcome]++;
	strbuf_addf(out, "%sAttack probes%s (SQLi/XSS in the callbacks, the same elsewhere, path confusion): "
		    "%zu, %zu of them not affected by any exclusion (not run); of the %zu run with the exclusions, "
		    "%zu still caught",
		    p->bold, p->off, a->nattacks, count[ATT_UNTOUCHED], a->nattacks - count[ATT_UNTOUCHED],
		    count[ATT_STILL_CAUGHT]);
	if (count[ATT_NOT_CAUGHT])
		strbuf_addf(out, ", %zu not caught even without them", count[ATT_NOT_CAUGHT]);
	if (count[ATT_REMOVED])
		strbuf_addf(out, ", %zu let through on an excluded callback path (the protection the exclusions remove)",
			    count[ATT_REMOVED]);
	strbuf_addstr(out, ".\n");
	for (size_t i = 0; i < a->nattacks; i++) {
		const struct attack_result *r = &a->attacks[i];
		if (r->outcome == ATT_REMOVED)
			strbuf_addf(out, "  %sremoved on its path:%s %s (was caught by %ld)\n",
				    p->yellow, p->off, r->name, r->before);
		if (r->outcome == ATT_LEAKED)
			strbuf_addf(out, "  %sLEAKED beyond the exclusions' scope:%s %s %s (was caught by %ld)\n",
				    p->red, p->off, r->name, r->uri, r->before);
	}
}

/* The exclusions, valid configuration as printed: every marker is a
 * comment, so the section pastes into Apache or a .conf file as it is. */
static void exclusions_text(const struct audit *a, const struct report_opts *o, const struct pen *p,
			    struct strbuf *out)
{
	size_t verified = 0;
	for (size_t i = 0; i < a->nexcl; i++)
		verified += a->excl[i].verified != 0;
	strbuf_addf(out, "\n%s# Exclusions%s (%zu, %zu verified by re-running the callbacks with them loaded first)\n",
		    p->bold, p->off, a->nexcl, verified);
	strbuf_addstr(out, "# (every line of this section up to the attack probes is valid configuration as printed)\n\n");
	for (size_t i = 0; i < a->nexcl; i++) {
		const struct exclusion *x = &a->excl[i];
		strbuf_addf(out, "%s# [%s]%s round %d\n", x->verified ? p->green : p->red,
			    x->verified ? "verified" : "NOT VERIFIED", p->off, x->round);
		strbuf_addstr(out, x->snippet);
		strbuf_addch(out, '\n');
	}
	for (int d = 1; d < D_COUNT; d++) {
		struct strbuf t = STRBUF_INIT;
		if (!(o->dialects & (1u << d)))
			continue;
		dialect_render((enum dialect)d, a->excl, a->nexcl, o->version, &t);
		strbuf_addf(out, "%s# --- %s form ---%s\n%s\n", p->bold, dialect_name((enum dialect)d), p->off, t.buf);
		strbuf_release(&t);
	}
	if (a->startup_checked) {
		size_t ok = 0;
		for (size_t i = 0; i < a->nexcl; i++)
			ok += a->excl[i].startup_verified != 0;
		strbuf_addf(out, "# Startup form (loaded after the rules, as the apache/nginx/cpanel forms place it): %zu of %zu verified.\n",
			    ok, a->nexcl);
	}
}

void report_text(const struct audit *a, const struct report_opts *o, struct strbuf *out)
{
	static const struct pen plain = { "", "", "", "", "", "" };
	static const struct pen ansi = { "\033[31m", "\033[32m", "\033[33m", "\033[1m", "\033[2m", "\033[0m" };
	const struct pen *p = o->color ? &ansi : &plain;
	size_t passed, blocked, would, verified = 0;

	strbuf_addf(out, "%smodsec-callback-audit %s%s on %s, rule engine %s", p->bold, o->version, p->off,
		    a->library ? a->library : "libmodsecurity", engine_mode_name(a->mode));
	if (a->rs.rule_engine_at.file)
		strbuf_addf(out, " (%s:%d)", a->rs.rule_engine_at.file, a->rs.rule_engine_at.line);
	strbuf_addch(out, '\n');
	report_summary(a, o, out);

	strbuf_addf(out, "\n%sDetails%s\n", p->bold, p->off);
	if (a->mode == MODE_DETECTION_ONLY || a->mode == MODE_UNSET)
		strbuf_addstr(out, "Rule engine: the server only logs; 'WOULD BLOCK' is what it blocks once switched On.\n");
	else if (a->mode == MODE_OFF)
		strbuf_addstr(out, "Rule engine: the server does not run its rules; findings show what On would block.\n");
	if (a->engine_v2)
		strbuf_addf(out, "%sThe audited server runs ModSecurity 2:%s verdicts emulate it where libmodsecurity 3 "
			    "differs (default actions, exclusions placed before their rule, invalid regexes).\n",
			    p->yellow, p->off);
	for (size_t u = 0; u < a->rs.nunits; u++)
		strbuf_addf(out, "Rule set: %s (%d rules)\n", a->rs.units[u].name, a->rs.units[u].rules);
	{
		size_t loaded = 0, left = 0;
		ruleset_coverage(&a->rs, &loaded, &left);
		strbuf_addf(out, "Coverage: %zu rules audited, %zu left out (see the notes).\n", loaded, left);
	}
	notes_text(a, o, p, out);
	blockers_text(a, p, out);
	also_logged(a, o, p, out);
	if (o->verbose)
		requests_text(a, out);
	if (a->sweep)
		sweep_text(a, p, out);
	if (a->nexcl) {
		exclusions_text(a, o, p, out);
		if (a->nattacks)
			attacks_text(a, p, out);
		for (size_t i = 0; i < a->ncases; i++)
			if (!a->cases[i].fixed)
				strbuf_addf(out, "%sstill blocked with the exclusions: %s [%s] by rule %ld%s\n",
					    p->red, a->cases[i].cb->name, url_form_name(a->cases[i].form),
					    a->cases[i].still_blocked_by, p->off);
	}
	for (size_t i = 0; i < a->nexcl; i++)
		verified += a->excl[i].verified != 0;
	audit_counts(a, &passed, &blocked, &would);
	strbuf_addf(out, "\n%zu callback requests: %zu passed, %zu blocked, %zu would block",
		    a->ncases, passed, blocked, would);
	if (a->nexcl)
		strbuf_addf(out, "; %zu exclusions, %zu verified", a->nexcl, verified);
	strbuf_addstr(out, ".\n");
	/* what it took: the rules parsed once, only the runs that could tell */
	strbuf_addf(out, "Work: %lu rule units parsed (%lu rule sets built), %lu engines, %lu transactions",
		    a->units_parsed, a->rule_sets, a->engines, a->transactions);
	if (a->nattacks)
		strbuf_addf(out, " (%lu of them attack probes)", a->probe_runs);
	if (a->runs_skipped || a->probe_runs_skipped)
		strbuf_addf(out, "; not run: %lu callback runs an equal run or another URL form had answered "
			    "or a lower paranoia level settled, %lu probe runs that could not change a verdict",
			    a->runs_skipped, a->probe_runs_skipped);
	strbuf_addstr(out, ".\n");
}
