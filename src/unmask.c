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
 * appeared in (audit_note_blockers). The callbacks are unmasked side by
 * side: round r of every callback still blocked is one batch on the two
 * threads, each job with its own callback's exclusions, which gives what
 * one callback after the other would (nothing but the memo of equal runs
 * is shared between them). From round 2 on, one URL form stands for the
 * others whose round-1 verdict was the same (same blockers, variables and
 * values) when the same exclusions fire for them; the verification runs
 * every form, and a represented form it finds blocked has its callback
 * unmasked again with every form running (audit_unmask_verify).
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
#include "witness.h"

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
		int blocked = 0, changes = 0, redo = 0, round = a->rounds + 1;
		ret = audit_run_all(a, l.v, l.n, latest, err);
		if (ret)
			break;
		/* a form that took another's result in the unmasking rounds
		 * and is blocked here: its forms differ after all. Unmask its
		 * callback again with every form running, as the long way
		 * would have from the start. */
		for (size_t i = 0; extra == 0 && i < a->ncases; i++)
			if (latest[i].disrupted && a->cases[i].represented)
				for (size_t k = 0; k < a->ncases; k++)
					if (a->cases[k].cb == a->cases[i].cb)
						redo = a->cases[k].all_forms = 1;
		if (redo)
			return 1;
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

/* Forget what the unmasking found (the exclusions, the blockers of
 * rounds 2 on) before it runs again: round 1's stay. */
static void unmask_forget(struct audit *a)
{
	for (size_t x = 0; x < a->nexcl; x++)
		exclusion_release(&a->excl[x]);
	free(a->excl);
	a->excl = NULL;
	a->nexcl = 0;
	for (size_t i = 0; i < a->ncases; i++) {
		struct audit_case *c = &a->cases[i];
		size_t keep = 0;
		/* round 1's blockers were noted first */
		while (keep < c->nfound && c->found[keep].round == 1)
			keep++;
		for (size_t k = keep; k < c->nfound; k++) {
			free(c->found[k].variable);
			free(c->found[k].chain_last);
			free(c->found[k].value);
			free(c->found[k].msg);
			free(c->found[k].file);
		}
		c->nfound = keep;
		c->represented = 0;
	}
}

int audit_unmask_verify(struct audit *a, int max_rounds, long id_base, struct verdict *latest,
			long *next_id, struct strbuf *err)
{
	for (;;) {
		int r = unmask_callbacks(a, max_rounds, id_base, err);
		if (r < 0)
			return -1;
		a->rounds = r;
		*next_id = id_base;
		for (size_t x = 0; x < a->nexcl; x++)
			*next_id += a->excl[x].nids;
		r = audit_verify_rounds(a, max_rounds, latest, next_id, err);
		if (r <= 0)
			return r;
		unmask_forget(a);
	}
}

/* Are two round-1 verdicts the same in all the unmasking reads of them:
 * the same blockers, matching the same variables and values? Then one
 * form of the callback can stand for the other (unmask_callbacks). Other
 * matches (a pass rule logging the URI) are not compared. */
static int same_str(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

static int same_match(const struct match *p, const struct match *q)
{
	/* not ref: a chain's offsets into the request line shift with the
	 * form's path; what they name, first_variable, is compared */
	return p->id == q->id && p->phase == q->phase && p->line == q->line &&
	       p->severity == q->severity && p->disruptive == q->disruptive && p->status == q->status &&
	       same_str(p->msg, q->msg) && same_str(p->data, q->data) && same_str(p->file, q->file) &&
	       same_str(p->variable, q->variable) && same_str(p->value, q->value) &&
	       same_str(p->first_variable, q->first_variable) && same_str(p->param, q->param);
}

static int same_verdict(const struct verdict *x, const struct verdict *y)
{
	if (x->disrupted != y->disrupted || x->status != y->status || x->phase != y->phase ||
	    x->disruptive_id != y->disruptive_id || x->evaluation != y->evaluation ||
	    x->total_score != y->total_score || x->threshold != y->threshold ||
	    x->nblockers != y->nblockers)
		return 0;
	for (size_t b = 0; b < x->nblockers; b++) {
		const struct blocker *p = &x->blockers[b], *q = &y->blockers[b];
		if (p->id != q->id || p->role != q->role || p->score != q->score ||
		    !same_match(&x->matches[p->match], &y->matches[q->match]))
			return 0;
	}
	return 1;
}

/* One blocked callback's unmasking state. */
struct unmasking {
	size_t *idx, n;		/* its cases */
	size_t *rep;		/* rep[k]: the case (k' <= k) whose run stands for case k's */
	struct excl_list own;	/* its private exclusions */
	struct verdict *cur;	/* the last round's verdicts */
	unsigned char *stood;	/* stood[k]: cur[k] is its representative's */
	long next_id;		/* renumbered when merged */
	int active;		/* still blocked, and the last round changed something */
	int last;		/* the last round reached */
};

static void unmasking_start(struct audit *a, struct unmasking *u, size_t first, long id_base)
{
	const struct callback *cb = a->cases[first].cb;
	int fast = witness_enabled();
	memset(u, 0, sizeof(*u));
	u->idx = xcalloc(a->ncases, sizeof(*u->idx));
	u->rep = xcalloc(a->ncases, sizeof(*u->rep));
	for (size_t k = first; k < a->ncases; k++)
		if (a->cases[k].cb == cb) {
			fast &= !a->cases[k].all_forms;
			u->idx[u->n++] = k;
		}
	for (size_t k = 0; k < u->n; k++) {
		u->rep[k] = k;
		for (size_t j = 0; fast && j < k; j++)
			if (u->rep[j] == j && same_verdict(&a->cases[u->idx[j]].v, &a->cases[u->idx[k]].v)) {
				u->rep[k] = j;
				break;
			}
	}
	u->cur = xcalloc(u->n, sizeof(*u->cur));
	u->stood = xcalloc(u->n, 1);
	u->next_id = id_base;
	u->active = 1;
	u->last = 1;
}

static void unmasking_release(struct unmasking *u)
{
	for (size_t k = 0; k < u->n; k++)
		verdict_release(&u->cur[k]);
	for (size_t x = 0; x < u->own.n; x++)
		exclusion_release(&u->own.v[x]);
	free(u->own.v);
	free(u->cur);
	free(u->stood);
	free(u->idx);
	free(u->rep);
}

/* One round of every callback still active, as one batch: each callback's
 * cases with its own exclusions (audit_run_jobs_lists), a form standing
 * for those whose first verdicts were the same. Then the blockers noted
 * as of round + 1. Returns -1 on a load error. */
static int unmask_round(struct audit *a, struct unmasking *u, size_t nu, int round,
			struct strbuf *err)
{
	struct excl_view *lists = xcalloc(nu, sizeof(*lists));
	struct job *jobs;
	size_t *first = xcalloc(nu, sizeof(*first)), njobs = 0, ncb = 0;
	int ret = 0;

	for (size_t c = 0; c < nu; c++) {
		int changes = 0;
		if (!u[c].active)
			continue;
		for (size_t k = 0; k < u[c].n; k++) {
			const struct audit_case *ac = &a->cases[u[c].idx[k]];
			const struct verdict *v = round == 1 ? &ac->v : &u[c].cur[k];
			/* a form that took its representative's verdict would
			 * react as it did, just before: to exclusions already
			 * made or widened this round, or that cannot widen.
			 * (Its own request could misplace a chain's offsets,
			 * which are the representative's.) */
			if (round > 1 && u[c].stood[k])
				continue;
			if (v->disrupted)
				changes += audit_react(a, &u[c].own, ac, v, round, &u[c].next_id);
		}
		if (!changes)
			u[c].active = 0;
		else
			njobs += u[c].n, ncb++;
	}
	if (!njobs) {
		free(lists);
		free(first);
		return 0;
	}
	progress("unmasking: round %d, %zu callbacks", round + 1, ncb);
	jobs = xcalloc(njobs, sizeof(*jobs));
	njobs = 0;
	for (size_t c = 0; c < nu; c++) {
		if (!u[c].active)
			continue;
		lists[c] = (struct excl_view){ u[c].own.v, u[c].own.n };
		first[c] = njobs;
		for (size_t k = 0; k < u[c].n; k++) {
			struct job *j = &jobs[njobs++];
			j->req = &a->cases[u[c].idx[k]].req;
			j->resp = &a->cases[u[c].idx[k]].resp;
			j->list = c;
			j->rep = u[c].rep[k] != k ? &jobs[first[c] + u[c].rep[k]] : NULL;
		}
	}
	ret = audit_run_jobs_lists(a, lists, nu, NULL, jobs, njobs, 1, err);
	for (size_t c = 0; c < nu && !ret; c++) {
		int blocked = 0;
		if (!u[c].active)
			continue;
		for (size_t k = 0; k < u[c].n; k++) {
			const struct job *j = &jobs[first[c] + k];
			struct audit_case *ac = &a->cases[u[c].idx[k]];
			/* a represented form's verdict is its representative's,
			 * chain links named from that one's request */
			size_t from = j->represented ? u[c].rep[k] : k;
			verdict_release(&u[c].cur[k]);
			verdict_from(&a->rs, &j->out, &u[c].cur[k]);
			name_first_links(&a->rs, &u[c].cur[k], &a->cases[u[c].idx[from]].req);
			u[c].stood[k] = (unsigned char)j->represented;
			a->runs_skipped += j->reused || j->represented;
			ac->represented |= j->represented;
			if (u[c].cur[k].disrupted) {
				blocked++;
				audit_note_blockers(ac, &u[c].cur[k], round + 1);
			}
		}
		u[c].last = round + 1;
		if (!blocked)
			u[c].active = 0;
	}
	for (size_t i = 0; i < njobs; i++)
		txresult_release(&jobs[i].out);
	free(jobs);
	free(lists);
	free(first);
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
	struct unmasking *u = xcalloc(a->ncases ? a->ncases : 1, sizeof(*u));
	size_t nu = 0;
	int top = 1, ret = 0;

	for (size_t i = 0; i < a->ncases; i++) {
		const struct callback *cb = a->cases[i].cb;
		int seen = 0, blocked = 0;
		for (size_t k = 0; k < i; k++)
			seen |= a->cases[k].cb == cb;
		for (size_t k = i; !seen && k < a->ncases; k++)
			blocked |= a->cases[k].cb == cb && a->cases[k].v.disrupted;
		if (!seen && blocked)
			unmasking_start(a, &u[nu++], i, id_base);
	}
	for (int round = 1; round <= max_rounds && !ret; round++)
		ret = unmask_round(a, u, nu, round, err);
	for (size_t c = 0; c < nu; c++) {
		if (!ret) {
			if (u[c].last > top)
				top = u[c].last;
			merge_into(&all, &u[c].own);
		}
		unmasking_release(&u[c]);
	}
	free(u);
	if (ret < 0) {
		for (size_t x = 0; x < all.n; x++)
			exclusion_release(&all.v[x]);
		free(all.v);
		return -1;
	}
	/* numbered in order, from --exclusion-id-base */
	for (size_t x = 0; x < all.n; x++) {
		all.v[x].first_id = x ? all.v[x - 1].first_id + all.v[x - 1].nids : id_base;
		exclusion_render(&all.v[x], ruleset_find(&a->rs, all.v[x].rule_id));
	}
	a->excl = all.v;
	a->nexcl = all.n;
	return top;
}
