/*
 * audit: the pipeline (see audit.h). Round 1 runs every case through the
 * server's rules as they are; unmask.c then finds every blocker of every
 * callback with only that callback's exclusions loaded, and merges them
 * into the shared per-endpoint exclusions; the rounds here verify the
 * merged set (widening what still blocks), then the attack probes
 * (audit_probes.c) and the startup form check it. Every run goes through
 * audit_jobs.c (engines, memo, threads).
 */
#include "audit.h"
#include "audit_engines.h"
#include "attack.h"
#include "engine.h"
#include "settings.h"
#include "warnings.h"
#include "progress.h"
#include "nginxconf.h"
#include "txmemo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

const char *audit_stage_name(enum audit_stage s)
{
	static const char *n[AUDIT_STAGES] = { "load", "round1", "unmask", "probes", "startup", "sweep" };
	return n[s];
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Adds the time since *t to stage s; *t becomes now. */
static void lap(struct audit *a, enum audit_stage s, double *t)
{
	double n = now();
	a->seconds[s] += n - *t;
	*t = n;
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
	double t;
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
	t = now();
	r = o->sweep ? sweep(o, a, err) : 0;
	lap(a, STAGE_SWEEP, &t);
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
	double t = now();

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
	lap(a, STAGE_LOAD, &t);
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
	lap(a, STAGE_ROUND1, &t);
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
	lap(a, STAGE_UNMASK, &t);
	if (a->nexcl && o->attack_probes && audit_probe_attacks(a, err) < 0)
		goto out;
	lap(a, STAGE_PROBES, &t);
	if (a->nexcl && o->verify_startup && verify_startup(a, err) < 0)
		goto out;
	lap(a, STAGE_STARTUP, &t);
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
