/*
 * audit: the pipeline (see audit.h). Round 1 runs every case through the
 * server's rules as they are; unmask.c then finds every blocker of every
 * callback with only that callback's exclusions loaded, and merges them
 * into the shared per-endpoint exclusions; the rounds here verify the
 * merged set (widening what still blocks), then the attack probes and the
 * startup form check it.
 */
#include "audit.h"
#include "audit_engines.h"
#include "attack.h"
#include "engine.h"
#include "settings.h"
#include "warnings.h"
#include "progress.h"
#include "nginxconf.h"
#include "witness.h"
#include "txmemo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *outcome_name(enum outcome o)
{
	static const char *const n[] = { "passed", "blocked", "would_block" };
	return n[o];
}

const char *attack_outcome_name(enum attack_outcome o)
{
	static const char *const n[] = { "still_caught", "removed_on_path", "leaked", "not_caught_anyway",
					 "not_affected" };
	return n[o];
}

int server_is_nginx(const char *config)
{
	const char *base = strrchr(config, '/');
	base = base ? base + 1 : config;
	return strstr(base, "nginx") != NULL || strstr(config, "/nginx/") != NULL;
}

int attack_concerns(const struct attack_result *r, const struct exclusion *x)
{
	return !r->cb || exclusion_for(x, r->cb);
}

/* Engines by scope (audit_engines.h): the server's units plus the scoped
 * ones (<Location*>) that apply to a request's path, built when first
 * needed, one per combination. Most rule sets have no scoped unit: one
 * engine. */

/* Jobs go to two threads, each with its own engines (built first, here:
 * loading is not thread-safe; with the parse cache an engine is a cheap
 * merge). Engines are per list text (set[]) and scope. */
struct job_half {
	struct engine_set *es;	/* one per distinct list text */
	const size_t *set;	/* job list -> its engine set */
	struct job **jobs;	/* this half's */
	size_t n;
};

static void *run_half(void *arg)
{
	struct job_half *h = arg;
	for (size_t i = 0; i < h->n; i++) {
		struct engine *e = engine_for(&h->es[h->set[h->jobs[i]->list]], h->jobs[i]->req, NULL);
		engine_run(e, h->jobs[i]->req, h->jobs[i]->resp, &h->jobs[i]->out);
	}
	return NULL;
}

/* What a job costs, roughly: the JSON validation requests (7 KB bodies)
 * take ten times a notification's time. */
static size_t job_weight(const struct job *j)
{
	return 4 + j->req->body_len / 256;
}

/* Share jobs[0..n) out between the halves. With one engine set in play,
 * every other job (heavy and light requests alternate in the catalogue);
 * with several, whole sets, heaviest first to the lighter half, so that
 * each set's engines are built once (an engine costs a merge of every
 * unit; a callback's unmasking round is 1-3 requests). */
static void share_out(struct job **jobs, size_t n, const size_t *set, size_t nsets,
		      struct job_half h[2])
{
	size_t *w = xcalloc(nsets ? nsets : 1, sizeof(*w)), load[2] = { 0, 0 }, used = 0;
	unsigned char *side = xcalloc(nsets ? nsets : 1, 1), *done = xcalloc(nsets ? nsets : 1, 1);
	for (size_t i = 0; i < n; i++) {
		size_t s = set[jobs[i]->list];
		used += !w[s];
		w[s] += job_weight(jobs[i]);
	}
	for (size_t i = 0; used > 1 && i < nsets; i++) {
		size_t best = nsets;
		for (size_t s = 0; s < nsets; s++)
			if (w[s] && !done[s] && (best == nsets || w[s] > w[best]))
				best = s;
		if (best == nsets)
			break;
		done[best] = 1;
		side[best] = load[1] < load[0];
		load[side[best]] += w[best];
	}
	h[0].n = h[1].n = 0;
	for (size_t i = 0; i < n; i++) {
		int k = used > 1 ? side[set[jobs[i]->list]] : (int)(i % 2);
		h[k].jobs[h[k].n++] = jobs[i];
	}
	free(w);
	free(side);
	free(done);
}

/* Run jobs[0..n) (pointers) on engines holding their list's text (texts[],
 * by set[job list]) before and `after` after the server's rules. */
static int run_threads(struct audit *a, char *const *texts, const size_t *set, size_t nsets,
		       const char *after, struct job **jobs, size_t n, struct strbuf *err)
{
	struct job_half h[2];
	pthread_t th;
	int threaded = 0, ret = 0;

	for (int k = 0; k < 2; k++) {
		h[k].es = xcalloc(nsets ? nsets : 1, sizeof(*h[k].es));
		for (size_t s = 0; s < nsets; s++)
			h[k].es[s] = (struct engine_set){ &a->rs, texts[s], after, NULL, 0 };
		h[k].set = set;
		h[k].jobs = xcalloc(n ? n : 1, sizeof(*h[k].jobs));
	}
	share_out(jobs, n, set, nsets, h);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < h[k].n && !ret; i++) {
			struct engine *e = engine_for(&h[k].es[set[h[k].jobs[i]->list]], h[k].jobs[i]->req, err);
			if (!e)
				ret = -1;
			else if (!a->library)
				a->library = xstrdup(engine_version(e));
		}
	if (!ret) {
		if (h[1].n)
			threaded = pthread_create(&th, NULL, run_half, &h[1]) == 0;
		run_half(&h[0]);
		if (threaded)
			pthread_join(th, NULL);
		else if (h[1].n)
			run_half(&h[1]);
	}
	for (int k = 0; k < 2; k++) {
		for (size_t s = 0; s < nsets; s++)
			engine_set_free(&h[k].es[s]);
		free(h[k].es);
		free(h[k].jobs);
	}
	return ret;
}

#define RUN_BATCH 24

/* What tells this audit's engines apart for one request: the startup text
 * and the exclusions that fire for it (all of them, verbatim, when the
 * witness declines). */
static char *job_config(const char *after, struct witness *w, size_t nx, const char *text,
			const struct job *j)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "after:");
	strbuf_addstr(&sb, after ? after : "");
	strbuf_addstr(&sb, "\x02\n");
	if (w) {
		char *f = witness_fired(w, j->req, j->resp);
		strbuf_addstr(&sb, f);
		free(f);
	} else if (nx) {
		strbuf_addstr(&sb, "\x03all\n");
		strbuf_addstr(&sb, text);
	}
	return strbuf_detach(&sb, NULL);
}

int audit_run_jobs(struct audit *a, const struct exclusion *x, size_t nx, const char *after,
		   struct job *jobs, size_t n, int keep, struct strbuf *err)
{
	struct excl_view l = { x, nx };
	for (size_t i = 0; i < n; i++) {
		jobs[i].list = 0;
		jobs[i].rep = NULL;
	}
	return audit_run_jobs_lists(a, &l, 1, after, jobs, n, keep, err);
}

int audit_run_jobs_lists(struct audit *a, const struct excl_view *lists, size_t nlists,
			 const char *after, struct job *jobs, size_t n, int keep, struct strbuf *err)
{
	size_t nl = nlists ? nlists : 1, nsets = 0;
	char **text = xcalloc(nl, sizeof(*text)), **stext = xcalloc(nl, sizeof(*stext));
	size_t *set = xcalloc(nl, sizeof(*set));	/* list -> engine set (equal texts share) */
	struct witness **w = xcalloc(nl, sizeof(*w));
	unsigned char *wanted = xcalloc(nl, 1);
	int memo = witness_enabled();
	struct job **run = xcalloc(n ? n : 1, sizeof(*run));
	char **key = xcalloc(n ? n : 1, sizeof(*key)), **cfg = xcalloc(n ? n : 1, sizeof(*cfg));
	size_t *klen = xcalloc(n ? n : 1, sizeof(*klen));
	size_t *src = xcalloc(n ? n : 1, sizeof(*src));	/* the job whose result job i copies */
	size_t nrun = 0;
	int ret;

	for (size_t i = 0; i < n; i++)
		wanted[jobs[i].list] = 1;
	for (size_t l = 0; l < nlists; l++) {
		size_t s;
		if (!wanted[l])
			continue;	/* a list no job runs with: no witness, no engine */
		text[l] = excl_list_text(lists[l].x, lists[l].n);
		for (s = 0; s < nsets && strcmp(stext[s], text[l]); s++)
			;
		if (s == nsets)
			stext[nsets++] = text[l];
		set[l] = s;
		w[l] = memo && lists[l].n ? witness_new(&a->rs, lists[l].x, lists[l].n) : NULL;
	}
	if (memo && !a->memo)
		a->memo = txmemo_new();
	for (size_t i = 0; i < n; i++) {
		size_t l = jobs[i].list, r;
		jobs[i].reused = 0;
		jobs[i].represented = 0;
		src[i] = i;
		if (!memo) {
			run[nrun++] = &jobs[i];
			continue;
		}
		cfg[i] = job_config(after, w[l], lists[l].n, text[l], &jobs[i]);
		key[i] = txmemo_key(cfg[i], jobs[i].req, jobs[i].resp, &klen[i]);
		if (txmemo_get(a->memo, key[i], klen[i], &jobs[i].out)) {
			jobs[i].reused = 1;
			continue;
		}
		for (size_t k = 0; k < i; k++)
			if (key[k] && !jobs[k].reused && !jobs[k].represented && src[k] == k && klen[k] == klen[i] &&
			    !memcmp(key[k], key[i], klen[i])) {
				src[i] = k;
				jobs[i].reused = 1;
				break;
			}
		if (jobs[i].reused)
			continue;
		/* the form standing for this one: when the same exclusions
		 * fire for both (the witness says so, or one list loads them
		 * all), rep's result is this one's */
		r = jobs[i].rep ? (size_t)(jobs[i].rep - jobs) : i;
		if (r < i && !strcmp(cfg[r], cfg[i]) && set[jobs[r].list] == set[l]) {
			jobs[i].represented = 1;
			continue;
		}
		run[nrun++] = &jobs[i];
	}
	for (size_t l = 0; l < nlists; l++)
		witness_free(w[l]);
	/* in batches: each transaction's ModSecurity instance (~40 KB, fresh
	 * collections) lives until its engine is freed, after the batch */
	{	/* a list's jobs together: fewer engines per batch */
		struct job **sorted = xcalloc(nrun ? nrun : 1, sizeof(*sorted));
		size_t m = 0;
		for (size_t s = 0; s < nsets; s++)
			for (size_t i = 0; i < nrun; i++)
				if (set[run[i]->list] == s)
					sorted[m++] = run[i];
		memcpy(run, sorted, m * sizeof(*run));
		free(sorted);
	}
	ret = 0;
	for (size_t i = 0; i < nrun && !ret; i += RUN_BATCH)
		ret = run_threads(a, stext, set, nsets, after, run + i,
				  nrun - i < RUN_BATCH ? nrun - i : RUN_BATCH, err);
	/* in order: what a job copies (an earlier one) is complete */
	for (size_t i = 0; i < n && !ret; i++) {
		if (src[i] != i)
			txresult_copy(&jobs[i].out, &jobs[src[i]].out);
		else if (jobs[i].represented)
			txresult_copy(&jobs[i].out, &jobs[i].rep->out);
		else if (memo && keep && !jobs[i].reused)
			txmemo_put(a->memo, key[i], klen[i], &jobs[i].out);
	}
	for (size_t i = 0; i < n; i++) {
		free(key[i]);
		free(cfg[i]);
	}
	for (size_t l = 0; l < nlists; l++)
		free(text[l]);
	free(key);
	free(cfg);
	free(klen);
	free(src);
	free(run);
	free(text);
	free(stext);
	free(set);
	free(w);
	free(wanted);
	return ret;
}

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
static int probe_attacks(struct audit *a, struct strbuf *err)
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

const char *engine_mode_name(enum engine_mode m)
{
	static const char *const n[] = { "On", "DetectionOnly", "Off", "unset" };
	return n[m];
}

static enum engine_mode mode_of(const char *v)
{
	if (!v)
		return MODE_UNSET;
	if (!strcasecmp(v, "On"))
		return MODE_ON;
	if (!strcasecmp(v, "Off"))
		return MODE_OFF;
	return MODE_DETECTION_ONLY;
}

/* One engine: the imposed settings (--paranoia ...), then the exclusions
 * (if any), then the server's units. */
static struct engine *build_engine(const struct ruleset *rs, const char *excl,
				   const char *after, unsigned long long mask, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT, ov = STRBUF_INIT;
	struct engine *e = engine_new(err);
	int line;

	if (!e)
		return NULL;
	/* every transaction as a server's first from this client: no run
	 * depends on the ones before it (txmemo.h) */
	engine_fresh_collections(e);
	ruleset_override_text(rs, &ov);
	if (ov.len && engine_add_cached(e, ov.buf, &line, &why) < 0) {
		strbuf_addf(err, "imposed settings:%d: %s", line, why.buf);
		strbuf_release(&ov);
		goto fail;
	}
	strbuf_release(&ov);
	if (excl && *excl && engine_add_rules(e, excl, &line, &why) < 0) {
		strbuf_addf(err, "generated exclusions:%d: %s (a bug: please report it)", line, why.buf);
		goto fail;
	}
	if (engine_load_units(e, rs, mask, err) < 0)
		goto fail;
	if (after && *after && engine_add_rules(e, after, &line, &why) < 0) {
		strbuf_addf(err, "generated startup exclusions:%d: %s (a bug: please report it)", line, why.buf);
		goto fail;
	}
	strbuf_release(&why);
	return e;
fail:
	strbuf_release(&why);
	engine_free(e);
	return NULL;
}

/* The logs command's cases: the logged requests, each with the response
 * its callback's entry gives (phases 3 and 4). */
static int replay_cases(const struct audit_opts *o, struct audit *a, struct strbuf *err)
{
	a->cases = xcalloc(o->nreplay ? o->nreplay : 1, sizeof(*a->cases));
	for (size_t i = 0; i < o->nreplay; i++) {
		struct audit_case *c = &a->cases[a->ncases];
		const struct callback *cb = catalog_find(&a->cat, o->replay[i].callback);
		if (!cb) {
			strbuf_addf(err, "%s: no callback \"%s\"", a->cat.file, o->replay[i].callback);
			return -1;
		}
		c->cb = cb;
		c->form = o->replay[i].form;
		callback_request(&a->cat, cb, c->form, &o->params, &c->req, &c->resp);
		request_release(&c->req);
		request_copy(&c->req, o->replay[i].req);
		a->ncases++;
	}
	return 0;
}

static int select_cases(const struct audit_opts *o, struct audit *a, struct strbuf *err)
{
	struct selection *sel;
	size_t n;
	if (o->replay)
		return replay_cases(o, a, err);
	if (catalog_select(&a->cat, o->providers, o->names, o->nnames, o->kco_version, o->forms, &sel, &n, err) < 0)
		return -1;
	a->cases = xcalloc(n, sizeof(*a->cases));
	for (size_t i = 0; i < n; i++) {
		struct audit_case *c = &a->cases[a->ncases++];
		c->cb = sel[i].cb;
		c->form = sel[i].form;
		callback_request(&a->cat, c->cb, c->form, &o->params, &c->req, &c->resp);
	}
	free(sel);
	return 0;
}

static unsigned forms_of(const struct audit *a, const struct callback *cb)
{
	unsigned f = 0;
	for (size_t i = 0; i < a->ncases; i++)
		if (a->cases[i].cb == cb)
			f |= URL_FORM_BIT(a->cases[i].form);
	return f;
}

/* The exclusion of `rule` covering `cb`'s path: callbacks on one endpoint
 * (classic validation of KCO 1.x and 1.8+) share one. */
static struct exclusion *find_excl(struct audit *a, struct excl_list *l, long rule,
				    const struct callback *cb)
{
	unsigned forms = forms_of(a, cb);
	for (size_t i = 0; i < l->n; i++) {
		struct exclusion *x = &l->v[i];
		if (x->rule_id != rule || !exclusion_same_scope(x, cb, forms))
			continue;
		if (!exclusion_for(x, cb)) {
			x->also = xrealloc(x->also, (x->nalso + 1) * sizeof(*x->also));
			x->also[x->nalso++] = cb;
			exclusion_render(x, ruleset_find(&a->rs, rule));
		}
		return x;
	}
	return NULL;
}

struct engine *engine_for(struct engine_set *s, const struct request *req, struct strbuf *err)
{
	unsigned long long mask = 0;
	char *path = request_path(req);
	struct engine *e;
	for (size_t u = 0; u < s->rs->nunits && u < 64; u++)
		if (s->rs->units[u].scope && ruleset_unit_applies(s->rs, u, path))
			mask |= 1ULL << u;
	free(path);
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].mask == mask)
			return s->v[i].e;
	e = build_engine(s->rs, s->excl, s->after, mask, err);
	if (!e)
		return NULL;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n].mask = mask;
	s->v[s->n].e = e;
	s->n++;
	return e;
}

void engine_set_free(struct engine_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		engine_free(s->v[i].e);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

char *excl_list_text(const struct exclusion *x, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addstr(&sb, x[i].snippet);
	return strbuf_detach(&sb, NULL);
}

/* A target the audited engine can remove. Under --engine v2 JSON fields
 * carry ModSecurity 2's names already (engine_v2json.h); what v2 cannot
 * remove is a target from a count (&ARGS:x): the rule is removed for the
 * path instead (the parity suite measured both on Apache + mod_security2). */
static char *target_for(const struct audit *a, const struct ruleinfo *ri, const struct match *m,
			const struct request *req)
{
	char *t = exclusion_target(ri, m, req);
	if (t && a->engine_v2 && exclusion_counts_target(ri, t)) {
		free(t);
		return NULL;
	}
	return t;
}

int audit_react(struct audit *a, struct excl_list *l, const struct audit_case *c,
		const struct verdict *v, int round, long *next_id)
{
	int changes = 0;
	for (size_t b = 0; b < v->nblockers; b++) {
		const struct blocker *bl = &v->blockers[b];
		const struct match *m = &v->matches[bl->match];
		const struct ruleinfo *ri = ruleset_find(&a->rs, bl->id);
		struct exclusion *x;

		/* never exclude the score evaluation; exclude what scored */
		if (v->evaluation && bl->role == ROLE_DISRUPTIVE)
			continue;
		x = find_excl(a, l, bl->id, c->cb);
		if (x) {
			/* Loaded in an earlier round and the rule still blocks:
			 * it matched another target (name it too) or the
			 * target exclusion cannot work (remove the rule). */
			/* Two callbacks on one endpoint (PayPal's webhook events)
			 * may name the same new target in one round: the first
			 * added it, the second waits for the next round's judging
			 * instead of widening an exclusion nobody has tried yet. */
			if (x->round < round && x->changed < round) {
				char *t = x->scope == EXCL_TARGET ? target_for(a, ri, m, &c->req) : NULL;
				int r = t ? exclusion_add_target(x, t) : -1;
				free(t);
				if (r < 0)
					r = exclusion_escalate(x, ri);
				if (r == 0) {
					exclusion_render(x, ri);
					x->changed = round;
					changes++;
				}
			}
			continue;
		}
		ARRAY_PUSH(l->v, l->n, l->alloc);
		x = &l->v[l->n++];
		memset(x, 0, sizeof(*x));
		x->rule_id = bl->id;
		x->cb = c->cb;
		x->forms = forms_of(a, c->cb);
		x->round = round;
		x->first_id = *next_id;
		x->scope = EXCL_RULE;
		x->source_ips = a->source_ips;
		if (setting_for(&a->rs, bl->id, &c->req, &x->setting_var, &x->setting_value,
				&x->advice) == 0) {
			x->scope = EXCL_SETTING;
		} else {
			char *t = target_for(a, ri, m, &c->req);
			if (t)
				exclusion_add_target(x, t);
			free(t);
		}
		if (bl->role == ROLE_CONTRIBUTOR)
			x->reason = xasprintf("adds %d to the anomaly score (total %d, threshold %d) in phase %d, matching %s",
					      bl->score, v->total_score, v->threshold, m->phase, match_variable(m));
		else
			x->reason = xasprintf("denies with status %d in phase %d, matching %s",
					      v->status, v->phase, match_variable(m));
		if (a->engine_v2 && x->scope == EXCL_RULE && exclusion_counts_target(ri, match_variable(m))) {
			char *r = xasprintf("%s (ModSecurity 2 cannot remove a target from a count, so the rule is "
					    "removed for the path rather than the field)", x->reason);
			free(x->reason);
			x->reason = r;
		}
		exclusion_render(x, ri);
		*next_id += x->nids;
		changes++;
	}
	return changes;
}

static void judge(struct audit *a, struct audit_case *c)
{
	if (!c->v.disrupted || a->mode == MODE_OFF) {
		c->outcome = OUT_PASSED;
		c->status = c->resp.status;
	} else if (a->mode == MODE_ON) {
		c->outcome = OUT_BLOCKED;
		c->status = c->v.status;
	} else {
		c->outcome = OUT_WOULD_BLOCK;
		c->status = c->resp.status;
	}
}

static void impose(struct ruleset *rs, const struct audit_opts *o)
{
	char n[16];
	if (o->paranoia) {
		snprintf(n, sizeof(n), "%d", o->paranoia);
		ruleset_override(rs, "tx.paranoia_level", n);
		ruleset_override(rs, "tx.executing_paranoia_level", n);
		/* CRS 4 names them blocking and detection paranoia level */
		ruleset_override(rs, "tx.blocking_paranoia_level", n);
		ruleset_override(rs, "tx.detection_paranoia_level", n);
	}
	if (o->threshold) {
		snprintf(n, sizeof(n), "%d", o->threshold);
		ruleset_override(rs, "tx.inbound_anomaly_score_threshold", n);
	}
}

static int run_once(const struct audit_opts *o, struct audit *a, struct strbuf *err);

/* --paranoia-sweep: the server's rules alone (no exclusions) at paranoia
 * levels 1-4; for each case the first level that blocks it, and by what. */
static int sweep(const struct audit_opts *o, struct audit *a, struct strbuf *err)
{
	/* a case a level blocks is settled: the higher levels do not run it */
	unsigned char *settled = xcalloc(a->ncases ? a->ncases : 1, 1);
	size_t left = a->ncases;
	a->sweep = xcalloc(a->ncases, sizeof(*a->sweep));
	for (int pl = 1; pl <= 4 && left; pl++) {
		struct audit_opts po = *o;
		struct audit s;
		po.paranoia = pl;
		po.max_rounds = 0;
		po.sweep = 0;
		po.settled = settled;
		progress("paranoia sweep: PL%d", pl);
		if (run_once(&po, &s, err) < 0) {
			audit_release(&s);
			free(settled);
			return -1;
		}
		a->runs_skipped += s.runs_skipped;
		for (size_t i = 0; i < a->ncases && i < s.ncases; i++) {
			struct sweep_row *row = &a->sweep[i];
			const struct verdict *v = &s.cases[i].v;
			if (row->first_level || !v->disrupted)
				continue;
			row->first_level = pl;
			settled[i] = 1;
			left--;
			for (size_t b = 0; b < v->nblockers; b++) {
				row->ids = xrealloc(row->ids, (row->nids + 1) * sizeof(long));
				row->ids[row->nids++] = v->blockers[b].id;
			}
		}
		audit_release(&s);
	}
	free(settled);
	return 0;
}

/* --source-ip must be valid @ipMatch syntax and cover --client-ip, or no
 * exclusion could ever be verified: say so up front. */
/* The startup form (SecRuleUpdateTargetById/SecRuleRemoveById) loaded
 * after the server's rules: do the callbacks pass? (No server scope here:
 * the apache/nginx/cpanel dialects put it inside the path's.) */
static int verify_startup(struct audit *a, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	struct job *jobs = xcalloc(a->ncases ? a->ncases : 1, sizeof(*jobs));
	int ret;
	for (size_t x = 0; x < a->nexcl; x++)
		exclusion_startup(&text, &a->excl[x]);
	for (size_t x = 0; x < a->nexcl; x++)
		a->excl[x].startup_verified = 1;
	for (size_t i = 0; i < a->ncases; i++) {
		jobs[i].req = &a->cases[i].req;
		jobs[i].resp = &a->cases[i].resp;
	}
	ret = audit_run_jobs(a, NULL, 0, text.buf, jobs, a->ncases, 1, err);
	for (size_t i = 0; i < a->ncases && !ret; i++) {
		a->runs_skipped += jobs[i].reused;
		if (jobs[i].out.disrupted)
			for (size_t x = 0; x < a->nexcl; x++)
				if (exclusion_for(&a->excl[x], a->cases[i].cb))
					a->excl[x].startup_verified = 0;
		txresult_release(&jobs[i].out);
	}
	if (!ret)
		a->startup_checked = 1;
	free(jobs);
	strbuf_release(&text);
	return ret;
}

static int check_source_ips(const struct audit_opts *o, struct strbuf *err)
{
	struct strbuf rule = STRBUF_INIT, why = STRBUF_INIT;
	struct engine *e;
	struct request req;
	struct txresult tx;
	int line, ret = 0;

	if (!o->source_ips)
		return 0;
	e = engine_new(err);
	if (!e)
		return -1;
	strbuf_addf(&rule, "SecRule REMOTE_ADDR \"@ipMatch %s\" \"id:1,phase:1,deny,status:403,nolog\"\n",
		    o->source_ips);
	if (engine_add_rules(e, rule.buf, &line, &why) < 0) {
		strbuf_addf(err, "--source-ip %s: %s", o->source_ips, why.buf);
		ret = -1;
	} else {
		request_init(&req);
		free(req.client_ip);
		req.client_ip = xstrdup(o->params.client_ip);
		engine_run(e, &req, NULL, &tx);
		if (!tx.disrupted) {
			strbuf_addf(err, "--client-ip %s is not in --source-ip %s: no exclusion could be verified",
				    o->params.client_ip, o->source_ips);
			ret = -1;
		}
		txresult_release(&tx);
		request_release(&req);
	}
	engine_free(e);
	strbuf_release(&rule);
	strbuf_release(&why);
	return ret;
}

int audit_run(const struct audit_opts *o, struct audit *a, struct strbuf *err)
{
	struct engine_stats st0, st;
	int r;
	engine_stats_get(&st0);
	memset(a, 0, sizeof(*a));
	if (check_source_ips(o, err) < 0)
		return -1;
	if (run_once(o, a, err) < 0)
		return -1;
	a->host = o->params.host;
	a->kco_version = o->kco_version;
	audit_warnings(a, o->server_config);
	r = o->sweep ? sweep(o, a, err) : 0;
	engine_stats_get(&st);
	a->transactions = st.transactions - st0.transactions;
	a->units_parsed = st.parses - st0.parses;
	a->engines = st.engines - st0.engines;
	a->rule_sets = st.rule_sets - st0.rule_sets;
	return r;
}

int audit_load_rules(const struct audit_opts *o, struct ruleset *rs, struct strbuf *err)
{
	if (audit_read_rules(o, rs, err) < 0)
		return -1;
	return ruleset_fit(rs, err);
}

int audit_read_rules(const struct audit_opts *o, struct ruleset *rs, struct strbuf *err)
{
	ruleset_init(rs);
	rs->engine_v2 = o->engine_v2;
	rs->allow_lua = o->allow_lua;
	rs->pcre = o->pcre;
	impose(rs, o);
	rs->vhost_only = o->vhost_only;
	if (o->server_config && server_is_nginx(o->server_config)) {
		rs->root = o->root ? xstrdup(o->root) : NULL;
		if (nginxconf_load(rs, o->server_config, o->params.host, err) < 0)
			return -1;
	} else if (o->server_config) {
		/* an Apache configuration, read as Apache would (ServerRoot
		 * defaults to the config file's directory) */
		char *cfg = o->root ? xasprintf("%s%s", o->root, o->server_config) : xstrdup(o->server_config);
		char *dir = xstrdup(o->server_config), *slash = strrchr(dir, '/');
		int r;
		if (slash)
			*slash = '\0';
		rs->apache = 1;
		rs->server_root = dir;
		rs->root = o->root ? xstrdup(o->root) : NULL;
		r = ruleset_add_file(rs, cfg, err);
		free(cfg);
		if (r < 0)
			return -1;
		ruleset_select_host(rs, o->params.host);
	}
	for (size_t i = 0; i < o->nsources; i++) {
		int r = o->sources[i].is_text
			? ruleset_add_text(rs, "(command line)", o->sources[i].value, err)
			: ruleset_add_file(rs, o->sources[i].value, err);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Ids the exclusions may take: a block the server's rules leave free
 * (a cPanel modsec2.user.conf often has the admin's own 10001). */
#define EXCL_ID_BLOCK 100
static int pick_ids(const struct audit_opts *o, struct ruleset *rs, long *next_id, struct strbuf *err)
{
	const struct ruleinfo *taken;
	long start = ruleset_free_ids(rs, o->id_base, EXCL_ID_BLOCK, &taken);
	if (start == o->id_base)
		return 0;
	if (o->id_base_given || start < 0) {
		if (taken)
			strbuf_addf(err, "--exclusion-id-base %ld: ids %ld-%ld are not free: the server's rule %ld is at %s:%d",
				    o->id_base, o->id_base, o->id_base + EXCL_ID_BLOCK - 1, taken->id < 0 ? -taken->id : taken->id,
				    taken->at.file ? taken->at.file : "", taken->at.line);
		else
			strbuf_addf(err, "--exclusion-id-base %ld: no block of %d free rule ids from there to 99989",
				    o->id_base, EXCL_ID_BLOCK);
		return -1;
	}
	ruleset_note(rs, taken ? taken->at : (struct origin){ NULL, 0 },
		     "exclusion ids start at %ld: the server's rule %ld uses the default block %ld-%ld", start,
		     taken ? (taken->id < 0 ? -taken->id : taken->id) : 0, o->id_base, o->id_base + EXCL_ID_BLOCK - 1);
	*next_id = start;
	return 0;
}

static int run_once(const struct audit_opts *o, struct audit *a, struct strbuf *err)
{
	struct verdict *latest = NULL;
	long next_id = o->id_base, base;
	int ret = -1, any = 0;

	memset(a, 0, sizeof(*a));
	a->engine_v2 = o->engine_v2;
	if (audit_read_rules(o, &a->rs, err) < 0)
		return -1;
	a->rs.preparse = 1;	/* engines come next: fitting a unit also parses it */
	if (ruleset_fit(&a->rs, err) < 0)
		return -1;
	a->mode = mode_of(a->rs.rule_engine);
	/* ModSecurity 2's engine is Off unless set; libmodsecurity 3 runs
	 * its rules (and only logs) when SecRuleEngine is missing */
	if (a->mode == MODE_UNSET && a->engine_v2)
		a->mode = MODE_OFF;
	if (pick_ids(o, &a->rs, &next_id, err) < 0)
		return -1;
	a->order_id = o->params.klarna_order_id;
	a->source_ips = o->source_ips;
	a->settled = o->settled;
	if (catalog_load(&a->cat, o->catalogue, err) < 0 || select_cases(o, a, err) < 0)
		return -1;

	/* Round 1: the server as it is (kept in cases[].v). */
	latest = xcalloc(a->ncases ? a->ncases : 1, sizeof(*latest));
	a->rounds = 1;
	if (audit_run_all(a, NULL, 0, latest, err) < 0)
		goto out;
	for (size_t i = 0; i < a->ncases; i++) {
		a->cases[i].v = latest[i];
		memset(&latest[i], 0, sizeof(latest[i]));
		audit_note_blockers(&a->cases[i], &a->cases[i].v, 1);
		any |= a->cases[i].v.disrupted;
	}
	/* Then every callback's own blockers, and the shared exclusions
	 * verified. With the engine Off nothing blocks: nothing to exclude. */
	if (any && o->max_rounds > 0 && a->mode != MODE_OFF) {
		base = next_id;	/* --exclusion-id-base, or the free block pick_ids found */
		if (audit_unmask_verify(a, o->max_rounds, base, latest, &next_id, err) < 0)
			goto out;
	} else {
		for (size_t i = 0; i < a->ncases; i++) {
			verdict_release(&latest[i]);
			memset(&latest[i], 0, sizeof(latest[i]));
		}
	}
	for (size_t i = 0; i < a->ncases; i++) {
		struct audit_case *c = &a->cases[i];
		const struct verdict *fin = a->nexcl ? &latest[i] : &c->v;
		judge(a, c);
		c->fixed = !fin->disrupted || a->mode == MODE_OFF;
		c->still_blocked_by = c->fixed ? 0 : fin->disruptive_id;
	}
	for (size_t x = 0; x < a->nexcl; x++) {
		a->excl[x].verified = 1;
		for (size_t i = 0; i < a->ncases; i++)
			if (exclusion_for(&a->excl[x], a->cases[i].cb) && !a->cases[i].fixed)
				a->excl[x].verified = 0;
	}
	if (a->nexcl && o->attack_probes && probe_attacks(a, err) < 0)
		goto out;
	if (a->nexcl && o->verify_startup && verify_startup(a, err) < 0)
		goto out;
	ret = 0;
out:
	for (size_t i = 0; i < a->ncases; i++)
		verdict_release(&latest[i]);
	free(latest);
	return ret;
}

void audit_opts_init(struct audit_opts *o)
{
	memset(o, 0, sizeof(*o));
	build_params_defaults(&o->params);
	o->forms = URL_FORMS_WC;
	o->id_base = 10000;
	o->max_rounds = 8;
	o->attack_probes = 1;
}

void audit_release(struct audit *a)
{
	for (size_t i = 0; i < a->ncases; i++) {
		request_release(&a->cases[i].req);
		response_release(&a->cases[i].resp);
		verdict_release(&a->cases[i].v);
		for (size_t k = 0; k < a->cases[i].nfound; k++) {
			free(a->cases[i].found[k].variable);
			free(a->cases[i].found[k].chain_last);
			free(a->cases[i].found[k].value);
			free(a->cases[i].found[k].msg);
			free(a->cases[i].found[k].file);
		}
		free(a->cases[i].found);
	}
	if (a->sweep)
		for (size_t i = 0; i < a->ncases; i++)
			free(a->sweep[i].ids);
	for (size_t i = 0; i < a->nattacks; i++) {
		free(a->attacks[i].name);
		free(a->attacks[i].uri);
	}
	free(a->attacks);
	txmemo_free(a->memo);
	free(a->sweep);
	free(a->cases);
	for (size_t i = 0; i < a->nexcl; i++)
		exclusion_release(&a->excl[i]);
	free(a->excl);
	catalog_release(&a->cat);
	ruleset_release(&a->rs);
	free(a->library);
	for (size_t i = 0; i < a->nwarnings; i++) {
		free(a->warnings[i].message);
		free(a->warnings[i].file);
	}
	free(a->warnings);
	memset(a, 0, sizeof(*a));
}

void audit_counts(const struct audit *a, size_t *passed, size_t *blocked, size_t *would)
{
	*passed = *blocked = *would = 0;
	for (size_t i = 0; i < a->ncases; i++) {
		switch (a->cases[i].outcome) {
		case OUT_PASSED: (*passed)++; break;
		case OUT_BLOCKED: (*blocked)++; break;
		case OUT_WOULD_BLOCK: (*would)++; break;
		}
	}
}
