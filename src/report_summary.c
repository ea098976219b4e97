/*
 * The summary at the top of the text report: what an admin with fifty
 * shops reads in five seconds. Warnings first (a pass on a server that does
 * not inspect the callbacks is no all-clear), then one line per callback
 * whose URL forms agree (else one per group of forms) with its verdict and
 * every rule that blocks it, unmasked per callback (round 2+ after a ';'),
 * and one line saying what to do and where the exclusions are. Callbacks
 * that pass share wrapped lines once there are many, so the blocked ones
 * stay on the first screen.
 */
#include "report.h"
#include "warnings.h"

#include <stdlib.h>
#include <string.h>

/* Where passing callbacks stop getting a line each. */
#define SUMMARY_PASS_LINES 12

/* The blocking ids of a case, as the summary prints them: "211180;
 * 949110 = 932100+933210" (round changes after ';', an anomaly evaluation
 * with its contributors after '='). */
static void summary_ids(const struct audit_case *c, struct strbuf *out)
{
	int round = 0, in_sum = 0;
	for (size_t i = 0; i < c->nfound; i++) {
		const struct found_blocker *f = &c->found[i];
		if (f->round != round && round) {
			strbuf_addstr(out, "; ");
			in_sum = 0;
		} else if (i) {
			strbuf_addstr(out, in_sum && f->role == ROLE_CONTRIBUTOR ? "+" : " ");
		}
		if (f->role != ROLE_CONTRIBUTOR)
			in_sum = 0;
		round = f->round;
		strbuf_addf(out, "%ld", f->id);
		if (f->evaluation && i + 1 < c->nfound && c->found[i + 1].role == ROLE_CONTRIBUTOR &&
		    c->found[i + 1].round == f->round) {
			strbuf_addstr(out, " = ");
			in_sum = 1;
			i++;
			strbuf_addf(out, "%ld", c->found[i].id);
		}
	}
}

/* Do two cases of one callback say the same thing? */
static int agree(const struct audit_case *x, const struct audit_case *y)
{
	if (x->outcome != y->outcome || x->fixed != y->fixed || x->nfound != y->nfound)
		return 0;
	for (size_t i = 0; i < x->nfound; i++)
		if (x->found[i].id != y->found[i].id || x->found[i].round != y->found[i].round)
			return 0;
	return 1;
}

static const char *label(enum outcome o)
{
	return o == OUT_PASSED ? "PASSED" : o == OUT_BLOCKED ? "BLOCKED" : "WOULD BLOCK";
}

/* "(KCO 1.0.0-1.7.99)": the plugin versions that send it, when not all. */
static void versions(const struct callback *cb, struct strbuf *out)
{
	if (!cb->nversions)
		return;
	strbuf_addf(out, "  (%s", cb->plugin);
	for (size_t v = 0; v < cb->nversions; v++)
		strbuf_addf(out, "%s %s%s%s", v ? "," : "", cb->versions[v].from,
			    *cb->versions[v].to ? "-" : "+", cb->versions[v].to);
	strbuf_addstr(out, " only)");
}

/* The lines of one callback: a group per set of agreeing forms. */
static void callback_lines(const struct audit *a, const struct callback *cb, struct strbuf *out)
{
	size_t total = 0;
	unsigned done = 0;
	for (size_t i = 0; i < a->ncases; i++)
		total += a->cases[i].cb == cb;
	for (size_t i = 0; i < a->ncases; i++) {
		const struct audit_case *c = &a->cases[i];
		struct strbuf forms = STRBUF_INIT, line = STRBUF_INIT;
		size_t n = 0;
		if (c->cb != cb || (done & URL_FORM_BIT(c->form)))
			continue;
		for (size_t k = i; k < a->ncases; k++) {
			const struct audit_case *d = &a->cases[k];
			if (d->cb != cb || (done & URL_FORM_BIT(d->form)) || !agree(c, d))
				continue;
			done |= URL_FORM_BIT(d->form);
			strbuf_addf(&forms, "%s%s", n++ ? "," : "", url_form_name(d->form));
		}
		if (n == total && total > 1) {
			strbuf_reset(&forms);
			strbuf_addstr(&forms, "all forms");
		}
		strbuf_addf(&line, "  %-11s %-28s %-16s", label(c->outcome), cb->name, forms.buf);
		summary_ids(c, &line);
		if (c->outcome != OUT_PASSED && !c->fixed)
			strbuf_addf(&line, "  STILL BLOCKED with the exclusions (by %ld)", c->still_blocked_by);
		versions(cb, &line);
		while (line.len && line.buf[line.len - 1] == ' ')
			line.buf[--line.len] = '\0';
		strbuf_addstr(out, line.buf);
		strbuf_addch(out, '\n');
		strbuf_release(&forms);
		strbuf_release(&line);
	}
}

static int cb_first(const struct audit *a, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (a->cases[k].cb == a->cases[i].cb)
			return 0;
	return 1;
}

static int cb_passes(const struct audit *a, const struct callback *cb)
{
	for (size_t i = 0; i < a->ncases; i++)
		if (a->cases[i].cb == cb && a->cases[i].outcome != OUT_PASSED)
			return 0;
	return 1;
}

/* Passing callbacks on wrapped lines, when there are many. */
static void passed_folded(const struct audit *a, struct strbuf *out)
{
	struct strbuf line = STRBUF_INIT;
	for (size_t i = 0; i < a->ncases; i++) {
		const char *name = a->cases[i].cb->name;
		if (!cb_first(a, i) || !cb_passes(a, a->cases[i].cb))
			continue;
		if (line.len && line.len + strlen(name) + 2 > 100) {
			strbuf_addf(out, "%s,\n", line.buf);
			strbuf_reset(&line);
		}
		if (!line.len)
			strbuf_addf(&line, "  %-11s %s", "PASSED", name);
		else
			strbuf_addf(&line, ", %s", name);
	}
	if (line.len)
		strbuf_addf(out, "%s\n", line.buf);
	strbuf_release(&line);
}

/* Is a blocked callback sent by some plugin versions only? */
static int versioned_blocked(const struct audit *a)
{
	for (size_t i = 0; i < a->ncases; i++)
		if (a->cases[i].outcome != OUT_PASSED && a->cases[i].cb->nversions)
			return 1;
	return 0;
}

void report_summary(const struct audit *a, const struct report_opts *o, struct strbuf *out)
{
	size_t ncb = 0, nblocked_cb = 0, npass_cb = 0, passed, blocked, would, verified = 0;
	int unprotected = audit_unprotected(a);

	audit_counts(a, &passed, &blocked, &would);
	for (size_t i = 0; i < a->ncases; i++) {
		if (!cb_first(a, i))
			continue;
		ncb++;
		if (cb_passes(a, a->cases[i].cb))
			npass_cb++;
		else
			nblocked_cb++;
	}
	for (size_t i = 0; i < a->nexcl; i++)
		verified += a->excl[i].verified != 0;

	if (o->shop && o->shop->plugins)
		strbuf_addf(out, "Shop %s (document root %s): %s\n", o->shop->host,
			    o->shop->docroot ? o->shop->docroot : "not set", o->shop->plugins);
	for (size_t i = 0; i < a->nwarnings; i++) {
		const struct audit_warning *w = &a->warnings[i];
		strbuf_addf(out, "WARNING %s: %s", w->code, w->message);
		if (w->file && w->line)
			strbuf_addf(out, " (%s:%d)", w->file, w->line);
		else if (w->file)
			strbuf_addf(out, " (%s)", w->file);
		strbuf_addch(out, '\n');
	}
	if (a->rs.server_fails)
		strbuf_addf(out, "FINDING: the server itself would not start with these rules (%d place%s: the "
			    "notes saying so); the rest is audited as if it did.\n",
			    a->rs.server_fails, a->rs.server_fails == 1 ? "" : "s");
	if (unprotected)
		strbuf_addstr(out, "NOT PROTECTED: ModSecurity does not inspect these callbacks on this server; "
			      "the verdicts below are what it would do once enabled.\n");
	strbuf_addf(out, "%s%zu callbacks%s%s (%zu requests in their URL forms): %zu blocked, %zu pass%s\n",
		    a->nwarnings ? "\n" : "", ncb, a->kco_version ? " as sent by kco " : "",
		    a->kco_version ? a->kco_version : "", a->ncases, nblocked_cb, npass_cb,
		    a->mode == MODE_DETECTION_ONLY || a->mode == MODE_UNSET ? " (the engine only logs: "
		    "'WOULD BLOCK' is what it blocks once On)" : "");
	for (size_t i = 0; i < a->ncases; i++)
		if (cb_first(a, i) && !cb_passes(a, a->cases[i].cb))
			callback_lines(a, a->cases[i].cb, out);
	if (npass_cb > SUMMARY_PASS_LINES)
		passed_folded(a, out);
	else
		for (size_t i = 0; i < a->ncases; i++)
			if (cb_first(a, i) && cb_passes(a, a->cases[i].cb))
				callback_lines(a, a->cases[i].cb, out);

	if (!a->kco_version && versioned_blocked(a))
		strbuf_addstr(out, "Some blocked callbacks are sent only by the plugin versions shown: "
			      "--kco-version X.Y.Z keeps what your version sends.\n");
	/* what to do, in one line */
	if (!blocked && !would) {
		strbuf_addstr(out, unprotected ? "Nothing blocks the callbacks, because nothing inspects them: "
			      "enable ModSecurity, then audit again.\n"
			      : a->nwarnings ? "Nothing to exclude; read the warnings above before trusting this pass.\n"
			      : "Nothing to do: every callback passes.\n");
	} else if (!a->nexcl) {
		strbuf_addstr(out, "No exclusion could be made for these blockers: see the details below.\n");
	} else {
		const char *where = o->excl_file;
		struct strbuf w = STRBUF_INIT;
		if (where)
			strbuf_addf(&w, "load %s before the rule sets", where);
		else if (o->excl_dir)
			strbuf_addf(&w, "pick your server's file in %s/ (klarna-exclusions.*) and load it as its header says",
				    o->excl_dir);
		else
			strbuf_addstr(&w, "write them with --exclusions FILE (they are also printed below) and load that before the rule sets");
		if (o->layout && strstr(o->layout, "Debian") && strstr(o->layout, "Apache"))
			strbuf_addstr(&w, " (Debian: put it in /etc/modsecurity/, which security2.conf already "
				      "loads before CRS, with no Include of its own)");
		else if (o->layout && strstr(o->layout, "cPanel"))
			strbuf_addstr(&w, " (cPanel: paste it into /etc/apache2/conf.d/modsec/modsec2.user.conf)");
		else if (o->layout && strstr(o->layout, "nginx"))
			strbuf_addstr(&w, " (nginx: a modsecurity_rules_file line before the rule set's)");
		strbuf_addf(out, "To fix: %s: %zu exclusions, %zu of them verified%s; details below.\n", w.buf,
			    a->nexcl, verified, verified == a->nexcl ? " (every callback passes with them)" :
			    " (NOT all: read the details)");
		strbuf_release(&w);
	}
}
