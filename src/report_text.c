/* The text report: what an admin reads in a terminal. Colours only on a
 * TTY (or --color=always). */
#include "report.h"
#include "dialect.h"

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

static void case_text(const struct audit_case *c, const struct pen *p, struct strbuf *out)
{
	const struct verdict *v = &c->v;
	const char *col = c->outcome == OUT_PASSED ? p->green :
			  c->outcome == OUT_BLOCKED ? p->red : p->yellow;
	const char *label = c->outcome == OUT_PASSED ? "PASSED" :
			    c->outcome == OUT_BLOCKED ? "BLOCKED" : "WOULD BLOCK";

	strbuf_addf(out, "%s%-11s%s %3d  %s%s%s [%s]  %s ", col, label, p->off, c->status,
		    p->bold, c->cb->name, p->off, url_form_name(c->form), c->req.method);
	shorten(out, c->req.uri, 90);
	strbuf_addch(out, '\n');
	if (v->disrupted && c->outcome != OUT_BLOCKED)
		strbuf_addf(out, "      (a blocking engine would answer %d in phase %d)\n", v->status, v->phase);
	for (size_t i = 0; i < v->nblockers; i++) {
		const struct blocker *b = &v->blockers[i];
		const struct match *m = &v->matches[b->match];
		if (b->role == ROLE_DISRUPTIVE) {
			strbuf_addf(out, "    %s%ld%s  phase %d  %s\n", p->bold, m->id, p->off, m->phase, m->msg);
			if (v->evaluation) {
				strbuf_addf(out, "            anomaly score %d reached the threshold %d; excluding",
					    v->total_score, v->threshold);
				for (size_t k = 0; k < v->nminimal; k++)
					strbuf_addf(out, " %ld", v->minimal[k]);
				strbuf_addstr(out, " would be enough; scored by:\n");
			}
		} else {
			strbuf_addf(out, "      + %s%ld%s  score %d  phase %d  %s\n", p->bold, m->id, p->off,
				    b->score, m->phase, m->msg);
		}
		strbuf_addf(out, "            %s%s:%d%s", p->dim, m->file, m->line, p->off);
		if (m->first_variable) {
			strbuf_addf(out, "  matched %s (chain: %s)", m->first_variable, m->variable);
		} else if (*m->variable) {
			strbuf_addf(out, "  matched %s", m->variable);
			if (*m->value && strcmp(m->value, m->variable + (strchr(m->variable, ':') ?
				    strchr(m->variable, ':') - m->variable + 1 : 0))) {
				strbuf_addstr(out, " = \"");
				shorten(out, m->value, 60);
				strbuf_addch(out, '"');
			}
		}
		strbuf_addch(out, '\n');
	}
	/* other matches: warnings that did not block on their own */
	for (size_t i = 0; i < v->nmatches; i++) {
		int listed = 0;
		for (size_t b = 0; b < v->nblockers; b++)
			if (v->blockers[b].match == i)
				listed = 1;
		if (listed)
			continue;
		strbuf_addf(out, "    %salso logged %ld: %s%s\n", p->dim, v->matches[i].id,
			    v->matches[i].msg, p->off);
	}
}

void report_text(const struct audit *a, const struct report_opts *o, struct strbuf *out)
{
	static const struct pen plain = { "", "", "", "", "", "" };
	static const struct pen ansi = { "\033[31m", "\033[32m", "\033[33m", "\033[1m", "\033[2m", "\033[0m" };
	const struct pen *p = o->color ? &ansi : &plain;
	size_t passed, blocked, would, verified = 0;

	strbuf_addf(out, "modsec-callback-audit %s on %s\n", o->version, a->library ? a->library : "libmodsecurity");
	strbuf_addf(out, "Rule engine: %s", engine_mode_name(a->mode));
	if (a->rs.rule_engine_at.file)
		strbuf_addf(out, " (%s:%d)", a->rs.rule_engine_at.file, a->rs.rule_engine_at.line);
	if (a->mode == MODE_DETECTION_ONLY || a->mode == MODE_UNSET)
		strbuf_addstr(out, ": the server only logs; 'WOULD BLOCK' is what it blocks once switched On");
	else if (a->mode == MODE_OFF)
		strbuf_addstr(out, ": the server does not run its rules; findings show what On would block");
	strbuf_addch(out, '\n');
	if (a->engine_v2)
		strbuf_addf(out, "%sThe audited server runs ModSecurity 2:%s verdicts emulate it where libmodsecurity 3 "
			    "differs (default actions, exclusions placed before their rule, invalid regexes).\n",
			    p->yellow, p->off);
	for (size_t u = 0; u < a->rs.nunits; u++)
		strbuf_addf(out, "Rule set: %s (%d rules)\n", a->rs.units[u].name, a->rs.units[u].rules);
	for (size_t i = 0; i < a->rs.nnotes; i++) {
		const struct note *n = &a->rs.notes[i];
		strbuf_addf(out, "%snote: %s:%d: %s", p->dim, n->at.file, n->at.line, n->what);
		if (n->count > 1)
			strbuf_addf(out, " (and %d more places)", n->count - 1);
		strbuf_addf(out, "%s\n", p->off);
	}
	if (a->rs.server_fails)
		strbuf_addf(out, "%sFINDING:%s the server itself would not start with these rules (%d place%s: the "
			    "notes saying so); the rest is audited as if it did.\n", p->red, p->off,
			    a->rs.server_fails, a->rs.server_fails == 1 ? "" : "s");
	strbuf_addch(out, '\n');

	for (size_t i = 0; i < a->ncases; i++)
		case_text(&a->cases[i], p, out);

	if (a->sweep) {
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
	if (a->nexcl) {
		for (size_t i = 0; i < a->nexcl; i++)
			verified += a->excl[i].verified != 0;
		strbuf_addf(out, "\n%sExclusions%s (%zu, %zu verified by re-running the callbacks with them loaded first):\n\n",
			    p->bold, p->off, a->nexcl, verified);
		for (size_t i = 0; i < a->nexcl; i++) {
			const struct exclusion *x = &a->excl[i];
			strbuf_addf(out, "%s[%s]%s round %d\n", x->verified ? p->green : p->red,
				    x->verified ? "verified" : "NOT VERIFIED", p->off, x->round);
			strbuf_addstr(out, x->snippet);
			strbuf_addch(out, '\n');
		}
		for (int d = 1; d < D_COUNT; d++) {
			struct strbuf t = STRBUF_INIT;
			if (!(o->dialects & (1u << d)))
				continue;
			dialect_render((enum dialect)d, a->excl, a->nexcl, o->version, &t);
			strbuf_addf(out, "%s--- %s form ---%s\n%s\n", p->bold, dialect_name((enum dialect)d), p->off, t.buf);
			strbuf_release(&t);
		}
		if (a->startup_checked) {
			size_t ok = 0;
			for (size_t i = 0; i < a->nexcl; i++)
				ok += a->excl[i].startup_verified != 0;
			strbuf_addf(out, "Startup form (loaded after the rules, as the apache/nginx/cpanel forms place it): %zu of %zu verified.\n",
				    ok, a->nexcl);
		}
		if (a->nattacks) {
			size_t count[4] = { 0, 0, 0, 0 };
			for (size_t i = 0; i < a->nattacks; i++)
				count[a->attacks[i].outcome]++;
			strbuf_addf(out, "%sAttack probes%s (SQLi/XSS in the callbacks, the same elsewhere, path confusion): "
				    "%zu run, %zu caught without the exclusions, %zu of those still caught with them",
				    p->bold, p->off, a->nattacks, count[ATT_STILL_CAUGHT] + count[ATT_REMOVED] + count[ATT_LEAKED],
				    count[ATT_STILL_CAUGHT]);
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
		for (size_t i = 0; i < a->ncases; i++)
			if (!a->cases[i].fixed)
				strbuf_addf(out, "%sstill blocked with the exclusions: %s [%s] by rule %ld%s\n",
					    p->red, a->cases[i].cb->name, url_form_name(a->cases[i].form),
					    a->cases[i].still_blocked_by, p->off);
	}
	{
		size_t loaded = 0, left = 0;
		ruleset_coverage(&a->rs, &loaded, &left);
		strbuf_addf(out, "\nCoverage: %zu rules audited, %zu left out (see the notes).", loaded, left);
	}
	audit_counts(a, &passed, &blocked, &would);
	strbuf_addf(out, "\n%zu callback requests: %zu passed, %zu blocked, %zu would block",
		    a->ncases, passed, blocked, would);
	if (a->nexcl)
		strbuf_addf(out, "; %zu exclusions, %zu verified", a->nexcl, verified);
	strbuf_addstr(out, ".\n");
}
