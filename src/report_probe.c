/* The probe's reports. The JSON shape is documented in README.md ("The
 * probe command"); fields may be added, never renamed or removed. */
#include "report.h"
#include "util/utf8.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static void rules_json(cJSON *o, const struct verdict *v)
{
	cJSON *arr;
	cJSON_AddItemToObject(o, "blocking_rules", blocking_rules_json(v));
	arr = cJSON_AddArrayToObject(o, "matched_rules");
	for (size_t i = 0; i < v->nmatches; i++) {
		const struct match *m = &v->matches[i];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddNumberToObject(r, "id", (double)m->id);
		cJSON_AddStringToObject(r, "msg", m->msg);
		cJSON_AddNumberToObject(r, "phase", m->phase);
		cJSON_AddStringToObject(r, "file", m->file);
		cJSON_AddNumberToObject(r, "line", m->line);
		cJSON_AddStringToObject(r, "variable", m->variable);
		cJSON_AddBoolToObject(r, "disruptive", m->disruptive);
		cJSON_AddItemToArray(arr, r);
	}
}

static cJSON *case_json(const struct probe *p, const struct probe_case *c)
{
	cJSON *o = cJSON_CreateObject();
	char *url = xasprintf("%s%s", p->base, c->req.uri);
	const char *loc = http_answer_header(&c->ans, "Location");

	cJSON_AddStringToObject(o, "name", c->cb->name);
	cJSON_AddStringToObject(o, "title", c->cb->title);
	cJSON_AddStringToObject(o, "plugin", c->cb->plugin);
	cJSON_AddStringToObject(o, "sender", c->cb->sender);
	cJSON_AddStringToObject(o, "provider", callback_provider(&p->cat, c->cb)->name);
	cJSON_AddStringToObject(o, "url_form", url_form_name(c->form));
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "marker", c->marker);
	cJSON_AddItemToObject(o, "request", report_json_request(&c->req));
	if (p->dry_run) {
		struct strbuf cmd = STRBUF_INIT;
		http_curl_command(p->base, &c->req, &p->http, &cmd);
		cJSON_AddStringToObject(o, "curl", cmd.buf);
		strbuf_release(&cmd);
		free(url);
		return o;
	}
	cJSON_AddStringToObject(o, "verdict", probe_verdict_name(c->cls.verdict));
	cJSON_AddNumberToObject(o, "status", c->ans.status);
	if (c->cls.blocker)
		cJSON_AddStringToObject(o, "blocker", c->cls.blocker);
	else
		cJSON_AddNullToObject(o, "blocker");
	cJSON_AddStringToObject(o, "evidence", c->cls.evidence);
	if (c->ans.error)
		cJSON_AddStringToObject(o, "error", c->ans.error);
	else
		cJSON_AddNullToObject(o, "error");
	if (loc)
		cJSON_AddStringToObject(o, "redirect", loc);
	{
		const char *srv = http_answer_header(&c->ans, "Server");
		if (srv)
			cJSON_AddStringToObject(o, "server", srv);
	}
	cJSON_AddNumberToObject(o, "time_ms", (double)c->ans.time_ms);
	if (c->have_log) {
		cJSON *l = cJSON_AddObjectToObject(o, "log");
		cJSON_AddStringToObject(l, "correlated_by", corr_name(c->corr));
		if (c->unique_id)
			cJSON_AddStringToObject(l, "unique_id", c->unique_id);
		else
			cJSON_AddNullToObject(l, "unique_id");
		cJSON_AddNumberToObject(l, "lines", (double)c->v.nmatches);
		if (c->v.disrupted) {
			cJSON_AddNumberToObject(o, "status_if_enforced", c->v.status);
			cJSON_AddNumberToObject(o, "phase", c->v.phase);
		}
		if (c->v.evaluation) {
			cJSON *an = cJSON_AddObjectToObject(o, "anomaly");
			cJSON_AddNumberToObject(an, "total", c->v.total_score);
			cJSON_AddNumberToObject(an, "threshold", c->v.threshold);
		}
		rules_json(o, &c->v);
	}
	free(url);
	return o;
}

void report_probe_json(const struct probe *p, const struct report_opts *opt, struct strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *o, *arr;
	size_t passed, blocked, errors, other;
	char *text;

	o = cJSON_AddObjectToObject(root, "tool");
	cJSON_AddStringToObject(o, "name", "modsec-callback-audit");
	cJSON_AddStringToObject(o, "version", opt->version);
	cJSON_AddStringToObject(root, "command", "probe");
	o = cJSON_AddObjectToObject(root, "target");
	cJSON_AddStringToObject(o, "url", p->base);
	cJSON_AddStringToObject(o, "host", p->host);
	cJSON_AddBoolToObject(root, "dry_run", p->dry_run);
	cJSON_AddBoolToObject(root, "error_log", p->have_log);
	arr = cJSON_AddArrayToObject(root, "readiness");
	for (size_t i = 0; i < p->rd.n; i++) {
		const struct rd_result *r = &p->rd.r[i];
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "check", rd_check_name(r->check));
		cJSON_AddStringToObject(o, "verdict", rd_verdict_name(r->verdict));
		if (r->url)
			cJSON_AddStringToObject(o, "url", r->url);
		else
			cJSON_AddNullToObject(o, "url");
		cJSON_AddStringToObject(o, "evidence", r->evidence ? r->evidence : "");
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(root, "callbacks");
	for (size_t i = 0; i < p->ncases; i++)
		cJSON_AddItemToArray(arr, case_json(p, &p->cases[i]));
	probe_counts(p, &passed, &blocked, &errors, &other);
	o = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(o, "callbacks", (double)p->ncases);
	if (!p->dry_run)
		cJSON_AddNumberToObject(o, "readiness_failed", (double)readiness_failed(&p->rd));
	if (!p->dry_run) {
		cJSON_AddNumberToObject(o, "passed", (double)passed);
		cJSON_AddNumberToObject(o, "blocked", (double)blocked);
		cJSON_AddNumberToObject(o, "errors", (double)errors);
		cJSON_AddNumberToObject(o, "other", (double)other);
	}
	text = cJSON_Print(root);
	utf8_json_escape(out, text);
	strbuf_addch(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}

static void readiness_text(const struct probe *p, const struct report_opts *o, struct strbuf *out)
{
	const char *red = o->color ? "\033[31m" : "", *green = o->color ? "\033[32m" : "",
		   *yellow = o->color ? "\033[33m" : "", *off = o->color ? "\033[0m" : "";
	if (!p->rd.n)
		return;
	strbuf_addstr(out, p->dry_run ? "# Readiness checks (not run):\n" : "Readiness:\n");
	for (size_t i = 0; i < p->rd.n; i++) {
		const struct rd_result *r = &p->rd.r[i];
		const char *col = r->verdict == RD_PASS ? green : r->verdict == RD_FAIL ? red : yellow;
		if (p->dry_run) {
			strbuf_addf(out, "# %-16s %s\n", rd_check_name(r->check), r->evidence ? r->evidence : "");
			continue;
		}
		strbuf_addf(out, "%s%-5s%s %-16s %s\n", col, r->verdict == RD_PASS ? "OK" :
			    r->verdict == RD_FAIL ? "FAIL" : "SKIP", off, rd_check_name(r->check),
			    r->evidence ? r->evidence : "");
	}
	strbuf_addch(out, '\n');
}

static void shorten(struct strbuf *out, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_add(out, s, max - 3);
	strbuf_addstr(out, "...");
}

void report_probe_text(const struct probe *p, const struct report_opts *o, struct strbuf *out)
{
	const char *red = o->color ? "\033[31m" : "", *green = o->color ? "\033[32m" : "",
		   *yellow = o->color ? "\033[33m" : "", *bold = o->color ? "\033[1m" : "",
		   *dim = o->color ? "\033[2m" : "", *off = o->color ? "\033[0m" : "";
	size_t passed, blocked, errors, other;

	if (p->dry_run) {
		strbuf_addf(out, "# modsec-callback-audit %s probe %s (dry run: nothing sent)\n", o->version, p->base);
		readiness_text(p, o, out);
		for (size_t i = 0; i < p->ncases; i++) {
			const struct probe_case *c = &p->cases[i];
			strbuf_addf(out, "# %s [%s]\n", c->cb->name, url_form_name(c->form));
			http_curl_command(p->base, &c->req, &p->http, out);
			strbuf_addch(out, '\n');
		}
		return;
	}
	strbuf_addf(out, "modsec-callback-audit %s probe %s (Host: %s)\n\n", o->version, p->base, p->host);
	readiness_text(p, o, out);
	for (size_t i = 0; i < p->ncases; i++) {
		const struct probe_case *c = &p->cases[i];
		const struct verdict *v = &c->v;
		const char *loc = http_answer_header(&c->ans, "Location");
		const char *col = c->cls.verdict == PV_PASSED ? green : c->cls.verdict == PV_BLOCKED ? red : yellow;
		const char *label = c->cls.verdict == PV_PASSED ? "PASSED" : c->cls.verdict == PV_BLOCKED ? "BLOCKED" :
				    c->cls.verdict == PV_ERROR ? "ERROR" : "OTHER";
		strbuf_addf(out, "%s%-8s%s %3d  %s%s%s [%s]  %s ", col, label, off, c->ans.status, bold,
			    c->cb->name, off, url_form_name(c->form), c->req.method);
		shorten(out, c->req.uri, 90);
		strbuf_addch(out, '\n');
		if (c->cls.verdict == PV_BLOCKED)
			strbuf_addf(out, "    blocked by %s: %s\n", c->cls.blocker, c->cls.evidence);
		else if (c->cls.verdict == PV_ERROR)
			strbuf_addf(out, "    %s\n", c->ans.error ? c->ans.error : c->cls.evidence);
		else if (c->cls.verdict == PV_OTHER || (c->have_log && v->disrupted))
			strbuf_addf(out, "    %s\n", c->cls.evidence);
		if (loc)
			strbuf_addf(out, "    redirect to %s\n", loc);
		if (!c->have_log)
			continue;
		strbuf_addf(out, "    %serror log: %zu ModSecurity line%s, correlated by %s%s%s%s\n", dim,
			    v->nmatches, v->nmatches == 1 ? "" : "s", corr_name(c->corr),
			    c->unique_id ? " (unique_id " : "", c->unique_id ? c->unique_id : "",
			    c->unique_id ? ")" : "");
		strbuf_addstr(out, off);
		for (size_t b = 0; b < v->nblockers; b++) {
			const struct match *m = &v->matches[v->blockers[b].match];
			if (v->blockers[b].role == ROLE_DISRUPTIVE)
				strbuf_addf(out, "    %s%ld%s  phase %d  %s\n", bold, m->id, off, m->phase, m->msg);
			else
				strbuf_addf(out, "      + %s%ld%s  score %d  %s\n", bold, m->id, off,
					    v->blockers[b].score, m->msg);
		}
		for (size_t k = 0; k < v->nmatches; k++) {
			int listed = 0;
			for (size_t b = 0; b < v->nblockers; b++)
				listed |= v->blockers[b].match == k;
			if (!listed)
				strbuf_addf(out, "    %salso logged %ld: %s%s\n", dim, v->matches[k].id,
					    v->matches[k].msg, off);
		}
	}
	probe_counts(p, &passed, &blocked, &errors, &other);
	strbuf_addf(out, "\n%zu callback requests: %zu passed, %zu blocked, %zu errors, %zu other",
		    p->ncases, passed, blocked, errors, other);
	strbuf_addf(out, "; %zu readiness check%s failed.\n", readiness_failed(&p->rd),
		    readiness_failed(&p->rd) == 1 ? "" : "s");
}
