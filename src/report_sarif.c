/*
 * SARIF 2.1.0 for code-scanning UIs: one run, the tool's rules being the
 * ModSecurity rules that blocked something (ruleId = the rule id), one
 * result per blocked callback request, located on the blocking rule's
 * file:line (the contributors of an anomaly score as relatedLocations),
 * with the exclusion as a `fix` inserting its snippet at the top of the
 * exclusions file. Hosts that could not be audited are tool execution
 * notifications. Required properties per the 2.1.0 schema: version,
 * runs[].tool.driver.name, results[].message.text; a fix needs
 * artifactChanges[].artifactLocation and replacements[].deletedRegion.
 */
#include "report.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A file path as a URI: absolute paths as file:///..., relative ones as a
 * relative reference; RFC 3986 unreserved characters and '/' as they are. */
static char *path_uri(const char *path)
{
	struct strbuf u = STRBUF_INIT;
	if (path[0] == '/')
		strbuf_addstr(&u, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			strbuf_addch(&u, *p);
		else
			strbuf_addf(&u, "%%%02X", *p);
	}
	return strbuf_detach(&u, NULL);
}

static cJSON *location(const struct match *m, int id, const char *text)
{
	cJSON *loc = cJSON_CreateObject(), *pl, *al;
	char *uri = path_uri(m->file && *m->file ? m->file : "(unknown)");
	if (id >= 0)
		cJSON_AddNumberToObject(loc, "id", id);
	pl = cJSON_AddObjectToObject(loc, "physicalLocation");
	al = cJSON_AddObjectToObject(pl, "artifactLocation");
	cJSON_AddStringToObject(al, "uri", uri);
	if (m->line > 0)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(pl, "region"), "startLine", m->line);
	if (text)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(loc, "message"), "text", text);
	free(uri);
	return loc;
}

/* The driver's rules[] index of rule `id`, added when new. */
static int rule_index(cJSON *rules, const struct match *m)
{
	char idtxt[32];
	int i = 0;
	cJSON *r, *it;
	snprintf(idtxt, sizeof(idtxt), "%ld", m->id);
	cJSON_ArrayForEach(it, rules) {
		if (!strcmp(cJSON_GetObjectItem(it, "id")->valuestring, idtxt))
			return i;
		i++;
	}
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "id", idtxt);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "shortDescription"), "text",
				*m->msg ? m->msg : "ModSecurity rule");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "defaultConfiguration"), "level", "error");
	if (m->ntags) {
		cJSON *tags = cJSON_AddArrayToObject(cJSON_AddObjectToObject(r, "properties"), "tags");
		for (size_t t = 0; t < m->ntags; t++)
			cJSON_AddItemToArray(tags, cJSON_CreateString(m->tags[t]));
	}
	cJSON_AddItemToArray(rules, r);
	return i;
}

static cJSON *fix_json(const struct exclusion *x, const char *file)
{
	cJSON *f = cJSON_CreateObject(), *changes, *ch, *reps, *rep, *reg;
	char *desc = xasprintf("%s exclusion for rule %ld on %s (%s): %s", x->verified ? "Verified" : "Unverified",
			       x->rule_id, x->cb->name, excl_scope_name(x->scope), x->reason ? x->reason : "");
	char *uri = path_uri(file);
	char *text = xasprintf("%s\n", x->snippet);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(f, "description"), "text", desc);
	changes = cJSON_AddArrayToObject(f, "artifactChanges");
	ch = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(ch, "artifactLocation"), "uri", uri);
	reps = cJSON_AddArrayToObject(ch, "replacements");
	rep = cJSON_CreateObject();
	reg = cJSON_AddObjectToObject(rep, "deletedRegion");	/* empty: an insertion at the top */
	cJSON_AddNumberToObject(reg, "startLine", 1);
	cJSON_AddNumberToObject(reg, "startColumn", 1);
	cJSON_AddNumberToObject(reg, "endLine", 1);
	cJSON_AddNumberToObject(reg, "endColumn", 1);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(rep, "insertedContent"), "text", text);
	cJSON_AddItemToArray(reps, rep);
	cJSON_AddItemToArray(changes, ch);
	free(desc);
	free(uri);
	free(text);
	return f;
}

static cJSON *result_json(const struct host_result *h, const struct audit_case *c, cJSON *rules,
			  const char *file)
{
	const struct audit *a = h->a;
	const struct verdict *v = &c->v;
	const struct match *dm = NULL;
	const struct exclusion *fix[16];
	size_t nfix = case_fixes(a, c, fix, 16);
	cJSON *r = cJSON_CreateObject(), *arr, *props;
	struct strbuf msg = STRBUF_INIT;
	int rel = 0;

	for (size_t i = 0; i < v->nblockers; i++)
		if (v->blockers[i].role == ROLE_DISRUPTIVE)
			dm = &v->matches[v->blockers[i].match];
	if (!dm && v->nmatches)
		dm = &v->matches[0];
	strbuf_addf(&msg, "%s on %s: %s %s %s by rule %ld (status %d, phase %d)", c->cb->title ? c->cb->title : c->cb->name,
		    h->host, c->req.method, c->req.uri,
		    c->outcome == OUT_BLOCKED ? "is blocked" : "would be blocked (DetectionOnly)",
		    v->disruptive_id, v->status, v->phase);
	if (dm && *dm->msg)
		strbuf_addf(&msg, ": %s", dm->msg);
	if (v->evaluation) {
		strbuf_addf(&msg, ". Anomaly score %d reached %d; scored by", v->total_score, v->threshold);
		for (size_t i = 0; i < v->nblockers; i++)
			if (v->blockers[i].role == ROLE_CONTRIBUTOR)
				strbuf_addf(&msg, " %ld", v->blockers[i].id);
	}
	strbuf_addch(&msg, '.');
	{
		char idtxt[32];
		snprintf(idtxt, sizeof(idtxt), "%ld", v->disruptive_id);
		cJSON_AddStringToObject(r, "ruleId", idtxt);
	}
	if (dm)
		cJSON_AddNumberToObject(r, "ruleIndex", rule_index(rules, dm));
	cJSON_AddStringToObject(r, "level", c->outcome == OUT_BLOCKED ? "error" : "warning");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "message"), "text", msg.buf);
	arr = cJSON_AddArrayToObject(r, "locations");
	if (dm)
		cJSON_AddItemToArray(arr, location(dm, -1, NULL));
	if (v->evaluation) {
		arr = cJSON_AddArrayToObject(r, "relatedLocations");
		for (size_t i = 0; i < v->nblockers; i++) {
			const struct blocker *b = &v->blockers[i];
			const struct match *m = &v->matches[b->match];
			char *t;
			if (b->role != ROLE_CONTRIBUTOR)
				continue;
			t = xasprintf("rule %ld added %d: %s", b->id, b->score, m->msg);
			cJSON_AddItemToArray(arr, location(m, rel++, t));
			rule_index(rules, m);
			free(t);
		}
	}
	if (nfix) {
		arr = cJSON_AddArrayToObject(r, "fixes");
		for (size_t i = 0; i < nfix; i++)
			cJSON_AddItemToArray(arr, fix_json(fix[i], file));
	}
	props = cJSON_AddObjectToObject(r, "properties");
	cJSON_AddStringToObject(props, "host", h->host);
	cJSON_AddStringToObject(props, "callback", c->cb->name);
	cJSON_AddStringToObject(props, "url_form", url_form_name(c->form));
	cJSON_AddStringToObject(props, "uri", c->req.uri);
	cJSON_AddNumberToObject(props, "status", v->status);
	strbuf_release(&msg);
	return r;
}

void report_sarif(const struct host_result *h, size_t n, const struct report_opts *o,
		  const char *exclusions_file, struct strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *run, *driver, *rules, *results, *inv, *notes;
	int ok = 1;
	char *text;

	cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	cJSON_AddStringToObject(root, "version", "2.1.0");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "runs"), run);
	driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
	cJSON_AddStringToObject(driver, "name", "modsec-callback-audit");
	cJSON_AddStringToObject(driver, "version", o->version);
	cJSON_AddStringToObject(driver, "informationUri", "https://github.com/modsec-callback-audit/modsec-callback-audit");
	rules = cJSON_AddArrayToObject(driver, "rules");
	results = cJSON_AddArrayToObject(run, "results");
	inv = cJSON_CreateObject();
	notes = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		if (!h[i].a && !h[i].error)
			continue;	/* nothing to audit */
		if (!h[i].a) {
			cJSON *nt = cJSON_CreateObject();
			char *t = xasprintf("%s: not audited: %s", h[i].host, h[i].error ? h[i].error : "");
			cJSON_AddStringToObject(nt, "level", "error");
			cJSON_AddStringToObject(cJSON_AddObjectToObject(nt, "message"), "text", t);
			cJSON_AddItemToArray(notes, nt);
			free(t);
			ok = 0;
			continue;
		}
		for (size_t k = 0; k < h[i].a->ncases; k++)
			if (h[i].a->cases[k].outcome != OUT_PASSED)
				cJSON_AddItemToArray(results, result_json(&h[i], &h[i].a->cases[k], rules,
									  exclusions_file));
	}
	cJSON_AddBoolToObject(inv, "executionSuccessful", ok);
	cJSON_AddItemToObject(inv, "toolExecutionNotifications", notes);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), inv);
	text = cJSON_Print(root);
	strbuf_addstr(out, text);
	strbuf_addch(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}
