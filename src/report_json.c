/* The JSON report. Its shape is documented in README.md ("JSON report");
 * fields may be added, never renamed or removed. */
#include "report.h"
#include "util/utf8.h"
#include "dialect.h"
#include "warnings.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

cJSON *report_json_request(const struct request *r)
{
	cJSON *o = cJSON_CreateObject(), *h = cJSON_AddArrayToObject(o, "headers");
	char *body;
	cJSON_AddStringToObject(o, "method", r->method);
	cJSON_AddStringToObject(o, "uri", r->uri);
	cJSON_AddStringToObject(o, "version", r->version);
	for (size_t i = 0; i < r->nheaders; i++) {
		cJSON *pair = cJSON_CreateArray();
		cJSON_AddItemToArray(pair, cJSON_CreateString(r->headers[i].name));
		cJSON_AddItemToArray(pair, cJSON_CreateString(r->headers[i].value));
		cJSON_AddItemToArray(h, pair);
	}
	body = xstrndup(r->body ? r->body : "", r->body_len);
	cJSON_AddStringToObject(o, "body", body);
	free(body);
	cJSON_AddStringToObject(o, "client_ip", r->client_ip);
	return o;
}

/* The variable as the JSON reports it: a chain's first link when known. */
static const char *match_variable_raw(const struct match *m)
{
	return m->first_variable ? m->first_variable : m->variable;
}

static const char *role_name(enum role r)
{
	return r == ROLE_DISRUPTIVE ? "disruptive" : "anomaly_contributor";
}

cJSON *blocking_rules_json(const struct verdict *v)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < v->nblockers; i++) {
		const struct blocker *b = &v->blockers[i];
		const struct match *m = &v->matches[b->match];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddNumberToObject(r, "id", (double)b->id);
		cJSON_AddStringToObject(r, "msg", m->msg);
		cJSON_AddNumberToObject(r, "phase", m->phase);
		cJSON_AddStringToObject(r, "role", role_name(b->role));
		if (b->role == ROLE_CONTRIBUTOR)
			cJSON_AddNumberToObject(r, "score", b->score);
		else
			cJSON_AddNullToObject(r, "score");
		cJSON_AddStringToObject(r, "variable", match_variable_raw(m));
		cJSON_AddItemToArray(arr, r);
	}
	return arr;
}

static cJSON *case_json(const struct audit *a, const struct audit_case *c)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	const struct verdict *v = &c->v;

	cJSON_AddStringToObject(o, "name", c->cb->name);
	cJSON_AddStringToObject(o, "title", c->cb->title);
	cJSON_AddStringToObject(o, "plugin", c->cb->plugin);
	cJSON_AddStringToObject(o, "sender", c->cb->sender);
	cJSON_AddStringToObject(o, "provider", callback_provider(&a->cat, c->cb)->name);
	cJSON_AddStringToObject(o, "url_form", url_form_name(c->form));
	cJSON_AddItemToObject(o, "request", report_json_request(&c->req));
	cJSON_AddStringToObject(o, "verdict", outcome_name(c->outcome));
	cJSON_AddNumberToObject(o, "status", c->status);
	if (v->disrupted) {
		cJSON_AddNumberToObject(o, "status_if_enforced", v->status);
		cJSON_AddNumberToObject(o, "phase", v->phase);
	}
	if (v->evaluation) {
		cJSON *an = cJSON_AddObjectToObject(o, "anomaly");
		cJSON_AddNumberToObject(an, "total", v->total_score);
		cJSON_AddNumberToObject(an, "threshold", v->threshold);
		{
			cJSON *m = cJSON_AddArrayToObject(an, "minimal_exclusion_set");
			for (size_t i = 0; i < v->nminimal; i++)
				cJSON_AddItemToArray(m, cJSON_CreateNumber((double)v->minimal[i]));
		}
	}
	cJSON_AddItemToObject(o, "blocking_rules", blocking_rules_json(v));
	arr = cJSON_AddArrayToObject(o, "blockers");
	for (size_t i = 0; i < c->nfound; i++) {
		const struct found_blocker *f = &c->found[i];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddNumberToObject(r, "id", (double)f->id);
		cJSON_AddNumberToObject(r, "round", f->round);
		cJSON_AddNumberToObject(r, "phase", f->phase);
		cJSON_AddStringToObject(r, "variable", f->variable);
		cJSON_AddStringToObject(r, "role", role_name(f->role));
		if (f->role == ROLE_CONTRIBUTOR)
			cJSON_AddNumberToObject(r, "score", f->score);
		else
			cJSON_AddNullToObject(r, "score");
		cJSON_AddStringToObject(r, "msg", f->msg);
		cJSON_AddItemToArray(arr, r);
	}
	arr = cJSON_AddArrayToObject(o, "matched_rules");
	for (size_t i = 0; i < v->nmatches; i++) {
		const struct match *m = &v->matches[i];
		cJSON *r = cJSON_CreateObject(), *tags;
		cJSON_AddNumberToObject(r, "id", (double)m->id);
		cJSON_AddStringToObject(r, "msg", m->msg);
		if (m->severity >= 0)
			cJSON_AddNumberToObject(r, "severity", m->severity);
		else
			cJSON_AddNullToObject(r, "severity");
		cJSON_AddNumberToObject(r, "phase", m->phase);
		cJSON_AddStringToObject(r, "file", m->file);
		cJSON_AddNumberToObject(r, "line", m->line);
		cJSON_AddStringToObject(r, "variable", match_variable_raw(m));
		cJSON_AddStringToObject(r, "value", m->value);
		if (m->first_variable)
			cJSON_AddStringToObject(r, "chain_last_variable", m->variable);
		cJSON_AddStringToObject(r, "data", m->data);
		cJSON_AddBoolToObject(r, "disruptive", m->disruptive);
		tags = cJSON_AddArrayToObject(r, "tags");
		for (size_t t = 0; t < m->ntags; t++)
			cJSON_AddItemToArray(tags, cJSON_CreateString(m->tags[t]));
		cJSON_AddItemToArray(arr, r);
	}
	if (a->sweep) {
		const struct sweep_row *row = &a->sweep[c - a->cases];
		cJSON *sw = cJSON_AddObjectToObject(o, "paranoia_sweep"), *ids;
		if (row->first_level)
			cJSON_AddNumberToObject(sw, "first_blocked_at", row->first_level);
		else
			cJSON_AddNullToObject(sw, "first_blocked_at");
		ids = cJSON_AddArrayToObject(sw, "blocked_by");
		for (size_t i = 0; i < row->nids; i++)
			cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)row->ids[i]));
	}
	cJSON_AddStringToObject(o, "with_exclusions", c->fixed ? "passed" : "blocked");
	if (!c->fixed)
		cJSON_AddNumberToObject(o, "still_blocked_by", (double)c->still_blocked_by);
	return o;
}

static cJSON *exclusion_json(const struct exclusion *x)
{
	cJSON *o = cJSON_CreateObject(), *ids, *forms;
	cJSON_AddNumberToObject(o, "rule_id", (double)x->rule_id);
	cJSON_AddStringToObject(o, "callback", x->cb->name);
	{
		cJSON *all = cJSON_AddArrayToObject(o, "callbacks");
		cJSON_AddItemToArray(all, cJSON_CreateString(x->cb->name));
		for (size_t i = 0; i < x->nalso; i++)
			cJSON_AddItemToArray(all, cJSON_CreateString(x->also[i]->name));
	}
	cJSON_AddStringToObject(o, "scope", excl_scope_name(x->scope));
	if (x->tag)
		cJSON_AddStringToObject(o, "tag", x->tag);
	if (x->scope == EXCL_SETTING) {
		cJSON *st = cJSON_AddObjectToObject(o, "setting");
		cJSON_AddStringToObject(st, "variable", x->setting_var);
		cJSON_AddStringToObject(st, "value", x->setting_value);
		cJSON_AddStringToObject(st, "advice", x->advice);
	}
	if (x->scope == EXCL_ENGINE_OFF)
		cJSON_AddStringToObject(o, "risk", "the WAF is off for this path: no rule inspects these requests");
	{
		cJSON *t = cJSON_AddArrayToObject(o, "targets");
		for (size_t i = 0; i < x->ntargets; i++)
			cJSON_AddItemToArray(t, cJSON_CreateString(x->targets[i]));
	}
	ids = cJSON_AddArrayToObject(o, "ids");
	for (int i = 0; i < x->nids; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)(x->first_id + i)));
	forms = cJSON_AddArrayToObject(o, "url_forms");
	for (int f = FORM_PATH; f <= FORM_FIXED; f++)
		if (x->forms & URL_FORM_BIT(f))
			cJSON_AddItemToArray(forms, cJSON_CreateString(url_form_name((enum url_form)f)));
	cJSON_AddNumberToObject(o, "round", x->round);
	cJSON_AddStringToObject(o, "reason", x->reason ? x->reason : "");
	cJSON_AddStringToObject(o, "snippet", x->snippet);
	cJSON_AddBoolToObject(o, "verified", x->verified);
	return o;
}

static void startup_json(cJSON *o, const struct audit *a, const struct exclusion *x)
{
	if (a->startup_checked)
		cJSON_AddBoolToObject(o, "startup_verified", x->startup_verified);
}

/* What the attack probes say about one exclusion. */
static void exclusion_attacks(cJSON *o, const struct audit *a, const struct exclusion *x)
{
	int run = 0, before = 0, still = 0;
	cJSON *ap, *removed, *leaked;
	if (!a->nattacks)
		return;
	ap = cJSON_AddObjectToObject(o, "attack_probes");
	removed = cJSON_CreateArray();
	leaked = cJSON_CreateArray();
	for (size_t i = 0; i < a->nattacks; i++) {
		const struct attack_result *r = &a->attacks[i];
		if (!attack_concerns(r, x) || r->outcome == ATT_UNTOUCHED)
			continue;
		run++;
		/* still caught with the exclusions: caught without them
		 * (exclusions only take protection away; that run is skipped) */
		before += r->outcome == ATT_STILL_CAUGHT || r->before != 0;
		still += r->outcome == ATT_STILL_CAUGHT;
		if (r->outcome == ATT_REMOVED)
			cJSON_AddItemToArray(removed, cJSON_CreateString(r->name));
		if (r->outcome == ATT_LEAKED)
			cJSON_AddItemToArray(leaked, cJSON_CreateString(r->name));
	}
	cJSON_AddNumberToObject(ap, "run", run);
	cJSON_AddNumberToObject(ap, "caught_before", before);
	cJSON_AddNumberToObject(ap, "still_caught", still);
	cJSON_AddItemToObject(ap, "removed_on_path", removed);
	cJSON_AddItemToObject(ap, "leaked", leaked);
}

void report_json_shop(cJSON *obj, const struct host_result *h)
{
	cJSON_AddStringToObject(obj, "host", h->host);
	if (h->where)
		cJSON_AddStringToObject(obj, "where", h->where);
	else
		cJSON_AddNullToObject(obj, "where");
	if (h->docroot)
		cJSON_AddStringToObject(obj, "docroot", h->docroot);
	else
		cJSON_AddNullToObject(obj, "docroot");
	if (h->plugins)
		cJSON_AddStringToObject(obj, "plugins", h->plugins);
	else
		cJSON_AddNullToObject(obj, "plugins");
}

void report_json(const struct audit *a, const struct report_opts *opt, struct strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *o, *arr;
	size_t passed, blocked, would, verified = 0;
	char *text;

	o = cJSON_AddObjectToObject(root, "tool");
	cJSON_AddStringToObject(o, "name", "modsec-callback-audit");
	cJSON_AddStringToObject(o, "version", opt->version);
	if (opt->shop)
		report_json_shop(root, opt->shop);

	o = cJSON_AddObjectToObject(root, "engine");
	cJSON_AddStringToObject(o, "libmodsecurity", a->library ? a->library : "");
	cJSON_AddStringToObject(o, "rule_engine", engine_mode_name(a->mode));
	cJSON_AddStringToObject(o, "audited_as", a->engine_v2 ? "ModSecurity 2" : "libmodsecurity 3");
	if (a->rs.rule_engine_at.file) {
		char *at = xasprintf("%s:%d", a->rs.rule_engine_at.file, a->rs.rule_engine_at.line);
		cJSON_AddStringToObject(o, "rule_engine_set_at", at);
		free(at);
	} else {
		cJSON_AddNullToObject(o, "rule_engine_set_at");
	}

	arr = cJSON_AddArrayToObject(root, "warnings");
	for (size_t i = 0; i < a->nwarnings; i++) {
		const struct audit_warning *w = &a->warnings[i];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "code", w->code);
		cJSON_AddStringToObject(r, "message", w->message);
		if (w->file)
			cJSON_AddStringToObject(r, "file", w->file);
		else
			cJSON_AddNullToObject(r, "file");
		if (w->line)
			cJSON_AddNumberToObject(r, "line", w->line);
		else
			cJSON_AddNullToObject(r, "line");
		cJSON_AddItemToArray(arr, r);
	}
	arr = cJSON_AddArrayToObject(root, "rulesets");
	for (size_t u = 0; u < a->rs.nunits; u++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "path", a->rs.units[u].name);
		cJSON_AddNumberToObject(r, "rules", a->rs.units[u].rules);
		cJSON_AddItemToArray(arr, r);
	}
	{
		size_t loaded = 0, left = 0;
		cJSON *cov = cJSON_AddObjectToObject(root, "coverage");
		ruleset_coverage(&a->rs, &loaded, &left);
		cJSON_AddNumberToObject(cov, "rules_audited", (double)loaded);
		cJSON_AddNumberToObject(cov, "rules_left_out", (double)left);
		cJSON_AddBoolToObject(root, "server_would_start", !a->rs.server_fails);
	}
	arr = cJSON_AddArrayToObject(root, "load_notes");
	for (size_t i = 0; i < a->rs.nnotes; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "file", a->rs.notes[i].at.file);
		cJSON_AddNumberToObject(r, "line", a->rs.notes[i].at.line);
		cJSON_AddStringToObject(r, "note", a->rs.notes[i].what);
		cJSON_AddNumberToObject(r, "count", a->rs.notes[i].count);
		cJSON_AddItemToArray(arr, r);
	}
	arr = cJSON_AddArrayToObject(root, "callbacks");
	for (size_t i = 0; i < a->ncases; i++)
		cJSON_AddItemToArray(arr, case_json(a, &a->cases[i]));
	arr = cJSON_AddArrayToObject(root, "exclusions");
	for (size_t i = 0; i < a->nexcl; i++) {
		cJSON *x = exclusion_json(&a->excl[i]);
		exclusion_attacks(x, a, &a->excl[i]);
		startup_json(x, a, &a->excl[i]);
		cJSON_AddItemToArray(arr, x);
		verified += a->excl[i].verified != 0;
	}
	o = cJSON_AddObjectToObject(root, "dialects");
	for (int d = 0; d < D_COUNT; d++) {
		struct strbuf t = STRBUF_INIT;
		if (!(opt->dialects & (1u << d)) || !a->nexcl)
			continue;
		dialect_render((enum dialect)d, a->excl, a->nexcl, opt->version, &t);
		cJSON_AddStringToObject(o, dialect_name((enum dialect)d), t.buf);
		strbuf_release(&t);
	}
	arr = cJSON_AddArrayToObject(root, "attack_probes");
	for (size_t i = 0; i < a->nattacks; i++) {
		const struct attack_result *r = &a->attacks[i];
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "name", r->name);
		cJSON_AddStringToObject(p, "uri", r->uri);
		if (r->cb)
			cJSON_AddStringToObject(p, "callback", r->cb->name);
		else
			cJSON_AddNullToObject(p, "callback");
		/* null: not run (not needed, see probe_attacks) */
		if (r->before_run)
			cJSON_AddNumberToObject(p, "caught_before_by", (double)r->before);
		else
			cJSON_AddNullToObject(p, "caught_before_by");
		if (r->outcome != ATT_UNTOUCHED)
			cJSON_AddNumberToObject(p, "caught_after_by", (double)r->after);
		else
			cJSON_AddNullToObject(p, "caught_after_by");
		cJSON_AddStringToObject(p, "outcome", attack_outcome_name(r->outcome));
		cJSON_AddItemToArray(arr, p);
	}
	audit_counts(a, &passed, &blocked, &would);
	o = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(o, "callbacks", (double)a->ncases);
	cJSON_AddNumberToObject(o, "passed", (double)passed);
	cJSON_AddNumberToObject(o, "blocked", (double)blocked);
	cJSON_AddNumberToObject(o, "would_block", (double)would);
	cJSON_AddNumberToObject(o, "exclusions", (double)a->nexcl);
	cJSON_AddNumberToObject(o, "exclusions_verified", (double)verified);
	cJSON_AddNumberToObject(o, "rounds", a->rounds);
	{
		cJSON *w = cJSON_AddObjectToObject(o, "work");
		cJSON_AddNumberToObject(w, "rule_units_parsed", (double)a->units_parsed);
		cJSON_AddNumberToObject(w, "engines", (double)a->engines);
		cJSON_AddNumberToObject(w, "rule_sets_built", (double)a->rule_sets);
		cJSON_AddNumberToObject(w, "transactions", (double)a->transactions);
		cJSON_AddNumberToObject(w, "reruns_skipped", (double)a->runs_skipped);
		cJSON_AddNumberToObject(w, "probe_runs", (double)a->probe_runs);
		cJSON_AddNumberToObject(w, "probe_runs_skipped", (double)a->probe_runs_skipped);
		{	/* wall seconds per stage: measured, so no test compares them */
			cJSON *sec = cJSON_AddObjectToObject(w, "seconds");
			for (int st = 0; st < AUDIT_STAGES; st++)
				cJSON_AddNumberToObject(sec, audit_stage_name((enum audit_stage)st),
							(double)(long)(a->seconds[st] * 1000 + 0.5) / 1000);
		}
	}
	cJSON_AddNumberToObject(o, "warnings", (double)a->nwarnings);
	cJSON_AddBoolToObject(o, "protected", !audit_unprotected(a));

	text = cJSON_Print(root);
	utf8_json_escape(out, text);
	strbuf_addch(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}
