/*
 * audit_jobs: running the audit's transactions (audit_engines.h): engines
 * built per exclusion text and scope, runs answered by the memo or by an
 * equal run, the rest on two threads in batches.
 */
#include "audit.h"
#include "audit_engines.h"
#include "engine.h"
#include "witness.h"
#include "txmemo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
