/*
 * unmask: every blocker of every callback.
 *
 * A callback's second blocker only shows once its first is excluded. The
 * shared exclusions cannot tell: on one endpoint (KCO_WC_Push serves
 * kco-push and kco-push-v1), an exclusion made for one callback also hides
 * what would block the other, which then looks blocked by one rule alone,
 * and an admin who removes only that rule still loses the order. So each
 * callback is unmasked on its own: its private exclusions (only its own
 * blockers) are loaded in memory, round after round, until it passes or
 * nothing changes. Every blocker is recorded on the case with the round it
 * appeared in (audit_note_blockers).
 *
 * Then the private lists are merged into the audit's shared one: one
 * exclusion per rule and endpoint, naming every callback it lets through
 * and covering the union of their targets (or the widest scope any needed),
 * and the merged set is verified with every case (audit_verify_rounds).
 *
 * Also here: running cases (audit_run_cases, audit_run_all) and recording
 * blockers, which round 1 in audit.c shares.
 */
#include "audit_engines.h"
#include "progress.h"

#include <stdlib.h>
#include <string.h>

/* A chained rule's log line names its last link's variable; say which
 * variable the first link matched, where the request tells. */
static void name_first_links(const struct ruleset *rs, struct verdict *v,
			     const struct request *req)
{
	for (size_t i = 0; i < v->nmatches; i++) {
		const struct ruleinfo *ri = ruleset_find(rs, v->matches[i].id);
		if (ri && ri->chained && !v->matches[i].first_variable)
			v->matches[i].first_variable = exclusion_target(ri, &v->matches[i], req);
	}
}

int audit_run_cases(struct audit *a, const struct exclusion *x, size_t nx, const size_t *idx,
		    size_t n, struct verdict *dst, struct strbuf *err)
{
	struct job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	int ret;
	for (size_t k = 0; k < n; k++) {
		jobs[k].req = &a->cases[idx[k]].req;
		jobs[k].resp = &a->cases[idx[k]].resp;
	}
	ret = audit_run_jobs(a, x, nx, NULL, jobs, n, 1, err);
	for (size_t k = 0; k < n && !ret; k++) {
		verdict_release(&dst[k]);
		verdict_from(&a->rs, &jobs[k].out, &dst[k]);
		name_first_links(&a->rs, &dst[k], &a->cases[idx[k]].req);
		a->runs_skipped += jobs[k].reused;
	}
	for (size_t k = 0; k < n; k++)
		txresult_release(&jobs[k].out);
	free(jobs);
	return ret;
}

void audit_note_blockers(struct audit_case *c, const struct verdict *v, int round)
{
	for (size_t b = 0; v->disrupted && b < v->nblockers; b++) {
		const struct blocker *bl = &v->blockers[b];
		const struct match *m = &v->matches[bl->match];
		struct found_blocker *f;
		size_t k;
		for (k = 0; k < c->nfound && c->found[k].id != bl->id; k++)
			;
		if (k < c->nfound)
			continue;
		c->found = xrealloc(c->found, (c->nfound + 1) * sizeof(*c->found));
		f = &c->found[c->nfound++];
		f->id = bl->id;
		f->round = round;
		f->phase = m->phase;
		f->role = bl->role;
		f->score = bl->role == ROLE_CONTRIBUTOR ? bl->score : 0;
		f->variable = xstrdup(m->first_variable ? m->first_variable : m->variable);
		f->chain_last = m->first_variable ? xstrdup(m->variable) : NULL;
		/* a chain's logged value is its last link's: not what the
		 * first link (the variable named) matched */
		f->value = xstrdup(m->value && !m->first_variable ? m->value : "");
		f->msg = xstrdup(m->msg);
		f->file = xstrdup(m->file ? m->file : "");
		f->line = m->line;
		f->evaluation = bl->role == ROLE_DISRUPTIVE && v->evaluation;
	}
}

int audit_run_all(struct audit *a, const struct exclusion *x, size_t nx, struct verdict *dst,
		  struct strbuf *err)
{
	size_t *idx = xcalloc(a->ncases ? a->ncases : 1, sizeof(*idx));
	struct verdict *v = xcalloc(a->ncases ? a->ncases : 1, sizeof(*v));
	size_t n = 0;
	int ret;
	/* the paranoia sweep's settled cases (a lower level blocks them) do
	 * not run: their verdict stays empty and the sweep does not read it */
	for (size_t i = 0; i < a->ncases; i++) {
		if (!nx && a->settled && a->settled[i]) {
			a->runs_skipped++;
			continue;
		}
		idx[n++] = i;
	}
	progress("%s: %zu callback requests", nx ? "verifying the exclusions" : "round 1", n);
	ret = audit_run_cases(a, x, nx, idx, n, v, err);
	for (size_t k = 0; k < n; k++) {
		if (!ret) {
			verdict_release(&dst[idx[k]]);
			dst[idx[k]] = v[k];
		} else {
			verdict_release(&v[k]);
		}
	}
	free(v);
	free(idx);
	return ret;
}

int audit_verify_rounds(struct audit *a, int max_rounds, struct verdict *latest, long *next_id,
			struct strbuf *err)
{
	struct excl_list l = { a->excl, a->nexcl, a->nexcl };
	int ret = 0;
	for (int extra = 0;; extra++) {
		int blocked = 0, changes = 0, round = a->rounds + 1;
		ret = audit_run_all(a, l.v, l.n, latest, err);
		if (ret)
			break;
		for (size_t i = 0; i < a->ncases; i++) {
			if (!latest[i].disrupted)
				continue;
			blocked++;
			audit_note_blockers(&a->cases[i], &latest[i], round);
		}
		if (!blocked || extra >= max_rounds)
			break;
		for (size_t i = 0; i < a->ncases; i++)
			if (latest[i].disrupted)
				changes += audit_react(a, &l, &a->cases[i], &latest[i], round, next_id);
		if (!changes)
			break;
		a->rounds = round;
	}
	a->excl = l.v;
	a->nexcl = l.n;
	return ret;
}


/* One callback's rounds over its cases idx[0..n). Returns the last round
 * reached, -1 on a load error. */
static int unmask_one(struct audit *a, const size_t *idx, size_t n, int max_rounds,
		      long id_base, struct excl_list *own, struct strbuf *err)
{
	struct verdict *cur = xcalloc(n, sizeof(*cur));
	long next_id = id_base;	/* renumbered when merged */
	int round, ret = 1;

	for (round = 1; round <= max_rounds; round++) {
		int changes = 0, blocked = 0;
		for (size_t k = 0; k < n; k++) {
			const struct verdict *v = round == 1 ? &a->cases[idx[k]].v : &cur[k];
			if (v->disrupted)
				changes += audit_react(a, own, &a->cases[idx[k]], v, round, &next_id);
		}
		if (!changes)
			break;
		progress("unmasking %s: round %d", a->cases[idx[0]].cb->name, round + 1);
		if (audit_run_cases(a, own->v, own->n, idx, n, cur, err) < 0) {
			ret = -1;
			break;
		}
		for (size_t k = 0; k < n; k++) {
			if (cur[k].disrupted) {
				blocked++;
				audit_note_blockers(&a->cases[idx[k]], &cur[k], round + 1);
			}
		}
		ret = round + 1;
		if (!blocked)
			break;
	}
	for (size_t k = 0; k < n; k++)
		verdict_release(&cur[k]);
	free(cur);
	return ret;
}

/* Merge one callback's exclusions into the shared list. */
static void merge_into(struct excl_list *all, struct excl_list *own)
{
	for (size_t i = 0; i < own->n; i++) {
		const struct exclusion *src = &own->v[i];
		size_t k;
		for (k = 0; k < all->n; k++)
			if (all->v[k].rule_id == src->rule_id &&
			    exclusion_same_scope(&all->v[k], src->cb, src->forms))
				break;
		if (k < all->n) {
			exclusion_merge(&all->v[k], src);
			continue;
		}
		ARRAY_PUSH(all->v, all->n, all->alloc);
		exclusion_copy(&all->v[all->n++], src);
	}
}

int unmask_callbacks(struct audit *a, int max_rounds, long id_base, struct strbuf *err)
{
	struct excl_list all = { NULL, 0, 0 };
	size_t *idx = xcalloc(a->ncases ? a->ncases : 1, sizeof(*idx));
	int top = 1;

	for (size_t i = 0; i < a->ncases; i++) {
		const struct callback *cb = a->cases[i].cb;
		struct excl_list own = { NULL, 0, 0 };
		size_t n = 0;
		int seen = 0, blocked = 0, r;
		for (size_t k = 0; k < i; k++)
			seen |= a->cases[k].cb == cb;
		if (seen)
			continue;
		for (size_t k = i; k < a->ncases; k++)
			if (a->cases[k].cb == cb) {
				idx[n++] = k;
				blocked |= a->cases[k].v.disrupted;
			}
		if (!blocked)
			continue;
		r = unmask_one(a, idx, n, max_rounds, id_base, &own, err);
		if (r > top)
			top = r;
		if (r >= 0)
			merge_into(&all, &own);
		for (size_t x = 0; x < own.n; x++)
			exclusion_release(&own.v[x]);
		free(own.v);
		if (r < 0) {
			top = -1;
			break;
		}
	}
	free(idx);
	/* numbered in order, from --exclusion-id-base */
	for (size_t x = 0; x < all.n; x++) {
		all.v[x].first_id = x ? all.v[x - 1].first_id + all.v[x - 1].nids : id_base;
		exclusion_render(&all.v[x], ruleset_find(&a->rs, all.v[x].rule_id));
	}
	a->excl = all.v;
	a->nexcl = all.n;
	return top;
}
