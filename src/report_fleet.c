/*
 * The fleet's reports (--all-hosts). Text: a host x callback table (URL
 * forms folded: "ok", "B:ID" blocked by rule ID, "W:ID" would be blocked
 * under DetectionOnly, a "*" after it when some URL forms pass, "-" not
 * audited for that host), then the vhosts
 * left out and one summary line. JSON: {"hosts": [...], "summary"}; each
 * host carries the single-host report's "callbacks", "exclusions" and
 * "summary" exactly as report_json() writes them (taken from its output,
 * so the two shapes cannot drift).
 */
#include "fleet.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The callbacks over every host, in first-seen order. */
static size_t callback_columns(const struct fleet *f, const char ***out)
{
	const char **cols = NULL;
	size_t n = 0;
	for (size_t h = 0; h < f->nhosts; h++) {
		const struct audit *a = f->hosts[h].a;
		for (size_t i = 0; a && i < a->ncases; i++) {
			size_t k;
			for (k = 0; k < n && strcmp(cols[k], a->cases[i].cb->name); k++)
				;
			if (k == n) {
				cols = xrealloc(cols, (n + 1) * sizeof(*cols));
				cols[n++] = a->cases[i].cb->name;
			}
		}
	}
	*out = cols;
	return n;
}

/* One cell: the worst verdict of the callback's URL forms on this host. */
static void cell(const struct audit *a, const char *name, struct strbuf *out)
{
	const struct audit_case *worst = NULL;
	int found = 0, passes = 0;
	for (size_t i = 0; i < a->ncases; i++) {
		const struct audit_case *c = &a->cases[i];
		if (strcmp(c->cb->name, name))
			continue;
		found = 1;
		passes += c->outcome == OUT_PASSED;
		if (c->outcome == OUT_BLOCKED && (!worst || worst->outcome != OUT_BLOCKED))
			worst = c;
		else if (c->outcome == OUT_WOULD_BLOCK && !worst)
			worst = c;
	}
	if (!found)
		strbuf_addstr(out, "-");
	else if (!worst)
		strbuf_addstr(out, "ok");
	else
		strbuf_addf(out, "%c:%ld%s", worst->outcome == OUT_BLOCKED ? 'B' : 'W', worst->v.disruptive_id,
			    passes ? "*" : "");
}

void report_fleet_text(const struct fleet *f, const struct report_opts *o, struct strbuf *out)
{
	const char **cols;
	size_t ncols = callback_columns(f, &cols), width = 4, none = 0;
	size_t counts[3] = { 0, 0, 0 };

	strbuf_addf(out, "modsec-callback-audit %s: %zu hosts, %zu distinct rule sets audited\n\n", o->version,
		    f->nhosts, f->naudits);
	for (size_t h = 0; h < f->nhosts; h++)
		if (strlen(f->hosts[h].host) > width)
			width = strlen(f->hosts[h].host);
	if (width > 40)
		width = 40;
	strbuf_addstr(out, "Callbacks:");
	for (size_t k = 0; k < ncols; k++)
		strbuf_addf(out, "%s [%zu] %s", k % 4 == 0 && k ? "\n          " : "", k + 1, cols[k]);
	strbuf_addf(out, "\nCells: ok passes; B:ID blocked by rule ID; W:ID would be blocked (DetectionOnly); "
		    "* some URL forms pass; - not audited there.\n\n%-*s %-13s", (int)width, "host", "engine");
	for (size_t k = 0; k < ncols; k++)
		strbuf_addf(out, " %-9zu", k + 1);
	strbuf_addstr(out, " plugins\n");
	for (size_t h = 0; h < f->nhosts; h++) {
		const struct host_result *hr = &f->hosts[h];
		int st = host_status(hr);
		counts[st]++;
		none += !hr->a && !hr->error;
		strbuf_addf(out, "%-*.*s ", (int)width, (int)width, hr->host);
		if (!hr->a) {
			if (hr->error)
				strbuf_addf(out, "NOT AUDITED: %s\n", hr->error);
			else
				strbuf_addf(out, "%-13s %s\n", "-", hr->plugins ? hr->plugins : "nothing to audit");
			continue;
		}
		strbuf_addf(out, "%-13s", engine_mode_name(hr->a->mode));
		for (size_t k = 0; k < ncols; k++) {
			struct strbuf c = STRBUF_INIT;
			cell(hr->a, cols[k], &c);
			strbuf_addf(out, " %-9s", c.buf);
			strbuf_release(&c);
		}
		if (hr->plugins)
			strbuf_addf(out, " %s", hr->plugins);
		if (hr->shared_with)
			strbuf_addf(out, "  (same rules as %s)", hr->shared_with);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < f->nskipped; i++)
		strbuf_addf(out, "left out: %s\n", f->skipped[i]);
	strbuf_addf(out, "\n%zu hosts: %zu pass", f->nhosts, counts[0] - none);
	if (none)
		strbuf_addf(out, ", %zu with no payment plugin to audit", none);
	strbuf_addf(out, ", %zu with blocked callbacks, %zu not audited; %zu rule sets audited.\n",
		    counts[1], counts[2], f->naudits);
	free(cols);
}

/* The single-host report's JSON of audit `a`, parsed (one per audit). */
static cJSON *audit_json(const struct audit *a, const struct report_opts *o)
{
	struct strbuf t = STRBUF_INIT;
	cJSON *j;
	report_json(a, o, &t);
	j = cJSON_Parse(t.buf);
	strbuf_release(&t);
	return j;
}

static void add_words(cJSON *o, const char *key, const char *words)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key);
	const char *p = words ? words : "";
	while (*p) {
		size_t len = strcspn(p, " ");
		if (len) {
			char *w = xstrndup(p, len);
			cJSON_AddItemToArray(arr, cJSON_CreateString(w));
			free(w);
		}
		p += len;
		while (*p == ' ')
			p++;
	}
}

void report_fleet_json(const struct fleet *f, const struct report_opts *o, struct strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *hosts, *sum, *left, **parsed;
	size_t counts[3] = { 0, 0, 0 }, none = 0;
	char *text;

	parsed = xcalloc(f->naudits ? f->naudits : 1, sizeof(*parsed));
	{
		cJSON *t = cJSON_AddObjectToObject(root, "tool");
		cJSON_AddStringToObject(t, "name", "modsec-callback-audit");
		cJSON_AddStringToObject(t, "version", o->version);
	}
	hosts = cJSON_AddArrayToObject(root, "hosts");
	for (size_t h = 0; h < f->nhosts; h++) {
		const struct host_result *hr = &f->hosts[h];
		cJSON *jh = cJSON_CreateObject(), *src = NULL;
		int st = host_status(hr);
		counts[st]++;
		none += !hr->a && !hr->error;
		report_json_shop(jh, hr);
		add_words(jh, "aliases", hr->aliases);
		if (!hr->a) {
			cJSON_AddNullToObject(jh, "engine");
			if (hr->error)
				cJSON_AddStringToObject(jh, "error", hr->error);
			cJSON_AddArrayToObject(jh, "callbacks");
			cJSON_AddNumberToObject(jh, "exit_status", st);
			cJSON_AddItemToArray(hosts, jh);
			continue;
		}
		cJSON_AddStringToObject(jh, "engine", engine_mode_name(hr->a->mode));
		if (hr->shared_with)
			cJSON_AddStringToObject(jh, "shared_with", hr->shared_with);
		else
			cJSON_AddNullToObject(jh, "shared_with");
		for (size_t k = 0; k < f->naudits; k++)
			if (f->audits[k] == hr->a) {
				if (!parsed[k])
					parsed[k] = audit_json(hr->a, o);
				src = parsed[k];
			}
		if (src) {
			static const char *const keys[] = { "callbacks", "exclusions", "summary" };
			for (size_t k = 0; k < 3; k++) {
				cJSON *it = cJSON_GetObjectItemCaseSensitive(src, keys[k]);
				if (it)
					cJSON_AddItemToObject(jh, keys[k], cJSON_Duplicate(it, 1));
			}
		}
		cJSON_AddNumberToObject(jh, "exit_status", st);
		cJSON_AddItemToArray(hosts, jh);
	}
	left = cJSON_AddArrayToObject(root, "left_out");
	for (size_t i = 0; i < f->nskipped; i++)
		cJSON_AddItemToArray(left, cJSON_CreateString(f->skipped[i]));
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "hosts", (double)f->nhosts);
	cJSON_AddNumberToObject(sum, "passed", (double)(counts[0] - none));
	cJSON_AddNumberToObject(sum, "no_payment_plugin", (double)none);
	cJSON_AddNumberToObject(sum, "blocked", (double)counts[1]);
	cJSON_AddNumberToObject(sum, "not_audited", (double)counts[2]);
	cJSON_AddNumberToObject(sum, "rule_sets_audited", (double)f->naudits);
	cJSON_AddNumberToObject(sum, "exit_status", fleet_status(f));
	{	/* what the run cost: the distinct audits' work, each once */
		size_t parsed_units = 0, engines = 0, tx = 0;
		cJSON *w = cJSON_AddObjectToObject(sum, "work");
		for (size_t k = 0; k < f->naudits; k++) {
			parsed_units += f->audits[k]->units_parsed;
			engines += f->audits[k]->engines;
			tx += f->audits[k]->transactions;
		}
		cJSON_AddNumberToObject(w, "audits", (double)f->naudits);
		cJSON_AddNumberToObject(w, "rule_units_parsed", (double)parsed_units);
		cJSON_AddNumberToObject(w, "engines", (double)engines);
		cJSON_AddNumberToObject(w, "transactions", (double)tx);
	}
	text = cJSON_Print(root);
	strbuf_addstr(out, text);
	strbuf_addch(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
	for (size_t k = 0; k < f->naudits; k++)
		cJSON_Delete(parsed[k]);
	free(parsed);
}

void report_unaudited_text(const struct host_result *h, struct strbuf *out)
{
	strbuf_addf(out, "%s: %s (document root %s, %s): nothing to audit.\n"
		    "--callback NAME or --provider NAME audits callbacks anyway.\n",
		    h->host, h->plugins, h->docroot ? h->docroot : "(none)", h->where ? h->where : "");
}

/* The single-host JSON's shape, with nothing in it. */
void report_unaudited_json(const struct host_result *h, const struct report_opts *o, struct strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *t, *sum;
	char *text;
	t = cJSON_AddObjectToObject(root, "tool");
	cJSON_AddStringToObject(t, "name", "modsec-callback-audit");
	cJSON_AddStringToObject(t, "version", o->version);
	report_json_shop(root, h);
	cJSON_AddArrayToObject(root, "warnings");
	cJSON_AddArrayToObject(root, "callbacks");
	cJSON_AddArrayToObject(root, "exclusions");
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "callbacks", 0);
	cJSON_AddNumberToObject(sum, "passed", 0);
	cJSON_AddNumberToObject(sum, "blocked", 0);
	cJSON_AddNumberToObject(sum, "would_block", 0);
	cJSON_AddNumberToObject(sum, "exclusions", 0);
	cJSON_AddBoolToObject(sum, "no_payment_plugin", 1);
	text = cJSON_Print(root);
	strbuf_addstr(out, text);
	strbuf_addch(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}
