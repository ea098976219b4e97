#include "ftwrun.h"
#include "engine.h"
#include "ftwcheck.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *test_outcome_name(enum test_outcome o)
{
	static const char *const n[] = { "passed", "failed", "skipped" };
	return n[o];
}

void ftw_run_test(struct engine *e, const struct ruleset *rs, const struct ftw_test *t,
		  struct ftw_result *r)
{
	struct strbuf why = STRBUF_INIT;
	struct albedo albedo = { NULL, 0, 0 };
	memset(r, 0, sizeof(*r));
	r->test = t;
	if (t->skip) {
		r->outcome = TEST_SKIPPED;
		r->reason = xstrdup(t->skip);
		return;
	}
	if (t->broken) {
		r->outcome = TEST_FAILED;
		r->reason = xstrdup(t->broken);
		return;
	}
	r->outcome = TEST_PASSED;
	r->stages = xcalloc(t->nstages, sizeof(*r->stages));
	for (size_t i = 0; i < t->nstages; i++) {
		const struct ftw_stage *st = &t->stages[i];
		const struct ftw_output *out = st->out_override ? st->out_override : &st->out;
		struct stage_result *sr;
		if (st->invalid || (out->isolated && out->nexpect != 1)) {
			/* go-ftw refuses to send it: the test fails */
			r->outcome = TEST_FAILED;
			r->failed_stage = (int)i + 1;
			strbuf_addstr(&why, st->invalid ? st->invalid
				      : "'isolated' is only valid if 'expected_ids' has exactly one entry (go-ftw)");
			break;
		}
		sr = &r->stages[r->nstages++];
		server_run_stage(e, rs, st, &albedo, sr);
		r->ms += sr->ms;
		if (!ftw_check(out, sr, &why)) {
			r->outcome = TEST_FAILED;
			r->failed_stage = (int)i + 1;
			break;
		}
	}
	albedo_release(&albedo);
	if (t->expect_failure) {
		/* an override says this platform fails the test */
		if (r->outcome == TEST_FAILED) {
			r->outcome = TEST_PASSED;
			r->failed_stage = 0;
			strbuf_reset(&why);
		} else {
			r->outcome = TEST_FAILED;
			strbuf_addf(&why, "passed, but an override expects it to fail (%s)", t->override);
		}
	}
	if (r->outcome == TEST_FAILED) {
		if (t->nstages > 1 && r->failed_stage)
			r->reason = xasprintf("stage %d: %s", r->failed_stage, why.buf);
		else
			r->reason = xstrdup(why.buf);
	}
	strbuf_release(&why);
}

void ftw_result_release(struct ftw_result *r)
{
	for (size_t i = 0; i < r->nstages; i++)
		stage_result_release(&r->stages[i]);
	free(r->stages);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

struct pool {
	const struct ruleset *rs;
	const struct ftw_test *const *tests;
	struct ftw_result *results;
	char *done;
	size_t n, next;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

struct worker {
	struct pool *p;
	struct engine *e;
	pthread_t th;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->p;
	for (;;) {
		size_t i;
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		ftw_run_test(w->e, p->rs, p->tests[i], &p->results[i]);
		pthread_mutex_lock(&p->lock);
		p->done[i] = 1;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

static struct engine *load(const struct ruleset *rs, struct strbuf *err)
{
	struct engine *e = engine_new_mode(rs->rule_engine, err);
	if (!e) {
		/* a value libmodsecurity refuses: name where the rule set set it */
		struct strbuf why = STRBUF_INIT;
		strbuf_addf(&why, "%s:%d: %s", rs->rule_engine_at.file, rs->rule_engine_at.line, err->buf);
		strbuf_reset(err);
		strbuf_addstr(err, why.buf);
		strbuf_release(&why);
		return NULL;
	}
	{
		/* what the tool loads first (under engine_v2: a setvar's comma,
		 * REQUEST_BODY as ModSecurity 2 fills it) */
		struct strbuf pre = STRBUF_INIT, why = STRBUF_INIT;
		int line, rc = 0;
		ruleset_override_text(rs, &pre);
		if (pre.len && (rc = engine_add_cached(e, pre.buf, &line, &why)) < 0)
			strbuf_addf(err, "the tool's rules:%d: %s (a bug: please report it)", line, why.buf);
		strbuf_release(&pre);
		strbuf_release(&why);
		if (rc < 0) {
			engine_free(e);
			return NULL;
		}
	}
	if (engine_load_ruleset(e, rs, err) < 0) {
		engine_free(e);
		return NULL;
	}
	return e;
}

int ftw_run(const struct ruleset *rs, const struct ftw_test *const *tests, size_t n,
	    const struct ftw_run_opts *o, struct ftw_result *results, struct strbuf *err)
{
	struct pool p;
	struct worker *w;
	int jobs = o->jobs < 1 ? 1 : o->jobs, started = 0, ret = 0;
	size_t emitted = 0;

	if ((size_t)jobs > n && n)
		jobs = (int)n;
	memset(&p, 0, sizeof(p));
	p.rs = rs;
	p.tests = tests;
	p.results = results;
	p.n = n;
	p.done = xcalloc(n + 1, 1);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	w = xcalloc((size_t)jobs, sizeof(*w));
	/* every engine is loaded before any thread runs */
	for (int i = 0; i < jobs; i++) {
		w[i].p = &p;
		if (!(w[i].e = load(rs, err))) {
			ret = -1;
			goto out;
		}
	}
	if (jobs == 1) {
		/* one engine: run here, no thread hand-offs per test */
		for (size_t i = 0; i < n; i++) {
			ftw_run_test(w[0].e, rs, tests[i], &results[i]);
			if (o->on_result)
				o->on_result(&results[i], o->arg);
		}
		goto out;
	}
	for (int i = 0; i < jobs; i++) {
		if (pthread_create(&w[i].th, NULL, work, &w[i]) != 0)
			break;
		started++;
	}
	if (!started)
		work(&w[0]);	/* no threads to be had: run here */
	pthread_mutex_lock(&p.lock);
	while (emitted < n) {
		while (!p.done[emitted])
			pthread_cond_wait(&p.cond, &p.lock);
		pthread_mutex_unlock(&p.lock);
		if (o->on_result)
			o->on_result(&results[emitted], o->arg);
		emitted++;
		pthread_mutex_lock(&p.lock);
	}
	pthread_mutex_unlock(&p.lock);
	for (int i = 0; i < started; i++)
		pthread_join(w[i].th, NULL);
out:
	for (int i = 0; i < jobs; i++)
		engine_free(w[i].e);
	free(w);
	free(p.done);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.cond);
	return ret;
}
