/*
 * audit_probes: the attack probes (attack.h builds them) run through the
 * server's rules with and without the exclusions, only where a run can
 * tell something (audit_probe_attacks, audit_engines.h).
 */
#include "audit.h"
#include "audit_engines.h"
#include "attack.h"
#include "verdict.h"
#include "witness.h"
#include "progress.h"

#include <stdlib.h>
#include <string.h>

/* The disruptive rule id of a run (-1 without an id), 0 = passed. */
static long caught_by(const struct ruleset *rs, const struct txresult *tx)
{
	struct verdict v;
	long id;
	verdict_from(rs, tx, &v);
	id = v.disrupted ? (v.disruptive_id ? v.disruptive_id : -1) : 0;
	verdict_release(&v);
	return id;
}

/* Whether some exclusion covers this attack's callback path: an exclusion's
 * scope is its path, so what gets through there is the protection it
 * removes (reported); what gets through anywhere else is a leak. */
static int covered(const struct audit *a, const struct callback *cb)
{
	for (size_t i = 0; cb && i < a->nexcl; i++)
		if (exclusion_for(&a->excl[i], cb))
			return 1;
	return 0;
}

/* Run the attack probes with the exclusions and, where that tells
 * something, without them; an exclusion that lets one through beyond its
 * stated scope loses `verified`. Only the runs that can tell something
 * run:
 *   - a probe for which no exclusion fires (witness.h) runs with them
 *     exactly as without them, whatever its verdict: it does not run at
 *     all ("not affected");
 *   - a probe caught with the exclusions is "still caught": the
 *     exclusions only take protection away (remove a rule or a target,
 *     widen an allowed-values setting), so it was caught without them too,
 *     and that run is not needed;
 *   - only a probe let through with them runs without them, which tells
 *     "not caught anyway" from protection the exclusions remove. */
int audit_probe_attacks(struct audit *a, struct strbuf *err)
{
	struct attack_case *ac = xcalloc(a->ncases, sizeof(*ac));
	struct attack *at = NULL;
	struct job *jobs;
	struct witness *w;
	size_t *idx, n, nafter = 0, nbefore = 0, nreused = 0;
	int ret;

	for (size_t i = 0; i < a->ncases; i++) {
		ac[i].cb = a->cases[i].cb;
		ac[i].form = a->cases[i].form;
		ac[i].req = &a->cases[i].req;
		ac[i].resp = &a->cases[i].resp;
	}
	n = attacks_build(ac, a->ncases, a->order_id, &at);
	free(ac);
	progress("attack probes: %zu variants", n);
	a->attacks = xcalloc(n ? n : 1, sizeof(*a->attacks));
	a->nattacks = n;
	jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	idx = xcalloc(n ? n : 1, sizeof(*idx));
	/* NULL when the witness declines: then every probe runs */
	w = witness_new(&a->rs, a->excl, a->nexcl);
	for (size_t i = 0; i < n; i++) {
		if (w && !witness_sig(w, &at[i].req, &at[i].resp)) {
			a->attacks[i].outcome = ATT_UNTOUCHED;
			continue;
		}
		idx[nafter] = i;
		jobs[nafter].req = &at[i].req;
		jobs[nafter].resp = &at[i].resp;
		nafter++;
	}
	witness_free(w);
	ret = audit_run_jobs(a, a->excl, a->nexcl, NULL, jobs, nafter, 0, err);
	for (size_t j = 0; j < nafter && !ret; j++) {
		a->attacks[idx[j]].after = caught_by(&a->rs, &jobs[j].out);
		nreused += jobs[j].reused;
		txresult_release(&jobs[j].out);
	}
	for (size_t j = 0; j < nafter && !ret; j++) {
		size_t i = idx[j];
		if (a->attacks[i].after)
			continue;	/* still caught */
		idx[nbefore] = i;
		jobs[nbefore].req = &at[i].req;
		jobs[nbefore].resp = &at[i].resp;
		nbefore++;
	}
	if (!ret)
		ret = audit_run_jobs(a, NULL, 0, NULL, jobs, nbefore, 0, err);
	for (size_t j = 0; j < nbefore && !ret; j++) {
		a->attacks[idx[j]].before = caught_by(&a->rs, &jobs[j].out);
		a->attacks[idx[j]].before_run = 1;
		nreused += jobs[j].reused;
		txresult_release(&jobs[j].out);
	}
	/* two runs per probe at most: the rest was not needed, or equal to
	 * another probe's run */
	a->probe_runs = nafter + nbefore - nreused;
	a->probe_runs_skipped = 2 * n - a->probe_runs;
	for (size_t i = 0; i < n && !ret; i++) {
		struct attack_result *r = &a->attacks[i];
		r->name = xstrdup(at[i].name);
		r->cb = at[i].cb;
		r->uri = xstrdup(at[i].req.uri);
		if (r->outcome == ATT_UNTOUCHED)
			continue;
		if (r->after)
			r->outcome = ATT_STILL_CAUGHT;
		else if (!r->before)
			r->outcome = ATT_NOT_CAUGHT;
		else if (covered(a, r->cb))
			r->outcome = ATT_REMOVED;
		else
			r->outcome = ATT_LEAKED;
		if (r->outcome != ATT_LEAKED)
			continue;
		for (size_t x = 0; x < a->nexcl; x++)
			if (attack_concerns(r, &a->excl[x]))
				a->excl[x].leaks++;
	}
	if (ret)
		a->nattacks = 0;	/* nothing to report: the audit stops with the error */
	for (size_t x = 0; x < a->nexcl; x++)
		if (a->excl[x].leaks)
			a->excl[x].verified = 0;
	free(jobs);
	free(idx);
	attacks_free(at, n);
	return ret;
}
