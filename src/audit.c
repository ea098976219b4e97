#include "audit.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *outcome_name(enum outcome o)
{
	static const char *const n[] = { "passed", "blocked", "would_block" };
	return n[o];
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

/* One engine with the exclusions (if any) loaded before the server's units. */
static struct engine *build_engine(const struct ruleset *rs, const char *excl,
				   struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct engine *e = engine_new(err);
	int line;

	if (!e)
		return NULL;
	if (excl && *excl && engine_add_rules(e, excl, &line, &why) < 0) {
		strbuf_addf(err, "generated exclusions:%d: %s (a bug: please report it)", line, why.buf);
		goto fail;
	}
	for (size_t u = 0; u < rs->nunits; u++) {
		struct origin at;
		strbuf_reset(&why);
		if (engine_add_rules(e, rs->units[u].text.buf, &line, &why) == 0)
			continue;
		at = ruleset_origin(rs, u, line);
		if (at.file)
			strbuf_addf(err, "%s:%d: %s", at.file, at.line, why.buf);
		else
			strbuf_addf(err, "%s: %s", rs->units[u].name, why.buf);
		goto fail;
	}
	strbuf_release(&why);
	return e;
fail:
	strbuf_release(&why);
	engine_free(e);
	return NULL;
}

static int select_cases(const struct audit_opts *o, struct audit *a, struct strbuf *err)
{
	struct selection *sel;
	size_t n;
	if (catalog_select(&a->cat, o->names, o->nnames, o->kco_version, o->forms, &sel, &n, err) < 0)
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
static struct exclusion *find_excl(struct audit *a, long rule, const struct callback *cb)
{
	unsigned forms = forms_of(a, cb);
	for (size_t i = 0; i < a->nexcl; i++) {
		struct exclusion *x = &a->excl[i];
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

static char *excl_text(const struct audit *a)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < a->nexcl; i++)
		strbuf_addstr(&sb, a->excl[i].snippet);
	return strbuf_detach(&sb, NULL);
}

/* Add or widen exclusions for what blocked `c` this round. Returns the
 * number of changes. */
static int react(struct audit *a, const struct audit_case *c,
		 const struct verdict *v, int round, long *next_id, size_t *aexcl)
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
		x = find_excl(a, bl->id, c->cb);
		if (x) {
			/* Loaded in an earlier round and the rule still blocks:
			 * it matched another target (name it too) or the
			 * target exclusion cannot work (remove the rule). */
			if (x->round < round && x->scope == EXCL_TARGET) {
				char *t = exclusion_target(ri, m, &c->req);
				if (!t || exclusion_add_target(x, t) < 0)
					exclusion_widen(x);
				free(t);
				exclusion_render(x, ri);
				changes++;
			}
			continue;
		}
		ARRAY_PUSH(a->excl, a->nexcl, *aexcl);
		x = &a->excl[a->nexcl++];
		memset(x, 0, sizeof(*x));
		x->rule_id = bl->id;
		x->cb = c->cb;
		x->forms = forms_of(a, c->cb);
		x->round = round;
		x->first_id = *next_id;
		x->scope = EXCL_RULE;
		{
			char *t = exclusion_target(ri, m, &c->req);
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
		exclusion_render(x, ri);
		*next_id += x->nids;
		changes++;
	}
	return changes;
}

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

int audit_run(const struct audit_opts *o, struct audit *a, struct strbuf *err)
{
	struct verdict *latest = NULL;
	long next_id = o->id_base;
	size_t aexcl = 0;
	int ret = -1, round;

	memset(a, 0, sizeof(*a));
	ruleset_init(&a->rs);
	for (size_t i = 0; i < o->nsources; i++) {
		int r = o->sources[i].is_text
			? ruleset_add_text(&a->rs, "(command line)", o->sources[i].value, err)
			: ruleset_add_file(&a->rs, o->sources[i].value, err);
		if (r < 0)
			return -1;
	}
	a->mode = mode_of(a->rs.rule_engine);
	if (catalog_load(&a->cat, o->catalogue, err) < 0 || select_cases(o, a, err) < 0)
		return -1;

	/* Round 1 is the server as it is (kept in cases[].v); later rounds
	 * run with the exclusions so far and go to latest[]. The last run
	 * only verifies: it adds nothing. */
	latest = xcalloc(a->ncases, sizeof(*latest));
	for (round = 1;; round++) {
		char *text = excl_text(a);
		struct engine *e = build_engine(&a->rs, text, err);
		int blocked = 0, changes = 0;
		free(text);
		if (!e)
			goto out;
		if (!a->library)
			a->library = xstrdup(engine_version(e));
		a->rounds = round;
		for (size_t i = 0; i < a->ncases; i++) {
			struct verdict *dst = round == 1 ? &a->cases[i].v : &latest[i];
			struct txresult tx;
			engine_run(e, &a->cases[i].req, &a->cases[i].resp, &tx);
			verdict_release(dst);
			verdict_from(&a->rs, &tx, dst);
			txresult_release(&tx);
			name_first_links(&a->rs, dst, &a->cases[i].req);
		}
		engine_free(e);
		if (round > o->max_rounds)
			break;
		for (size_t i = 0; i < a->ncases; i++) {
			const struct verdict *v = round == 1 ? &a->cases[i].v : &latest[i];
			if (!v->disrupted || a->mode == MODE_OFF)
				continue;
			blocked++;
			changes += react(a, &a->cases[i], v, round, &next_id, &aexcl);
		}
		if (!blocked || !changes)
			break;
	}
	for (size_t i = 0; i < a->ncases; i++) {
		struct audit_case *c = &a->cases[i];
		const struct verdict *fin = round == 1 ? &c->v : &latest[i];
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
	ret = 0;
out:
	for (size_t i = 0; i < a->ncases; i++)
		verdict_release(&latest[i]);
	free(latest);
	return ret;
}

void audit_release(struct audit *a)
{
	for (size_t i = 0; i < a->ncases; i++) {
		request_release(&a->cases[i].req);
		response_release(&a->cases[i].resp);
		verdict_release(&a->cases[i].v);
	}
	free(a->cases);
	for (size_t i = 0; i < a->nexcl; i++)
		exclusion_release(&a->excl[i]);
	free(a->excl);
	catalog_release(&a->cat);
	ruleset_release(&a->rs);
	free(a->library);
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
