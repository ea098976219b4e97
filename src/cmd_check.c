/* `check`: the load report alone, no transactions (like modsec-rules-check,
 * but saying what was left out and why, ids by vendor, engine per vhost). */
#include "audit.h"
#include "cliopts.h"
#include "commands.h"
#include "util/fileio.h"

#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
"usage: modsec-callback-audit check [options]\n"
"\n"
"Loads the rules as the audit does and reports, per load: rules loaded,\n"
"directives and rules left out (with file:line and why), rule ids by vendor\n"
"range, and the rule engine mode per virtual host. Runs no transaction.\n"
"\n"
"  -r, --rules FILE           a ModSecurity configuration file (repeatable)\n"
"  -R, --rule TEXT            rules given inline\n"
"      --server-config FILE   an Apache or nginx configuration to follow\n"
"      --root DIR             read DIR/etc/... for the server's /etc/...\n"
"      --host NAME            the virtual host (default shop.example.com)\n"
"      --engine v2|v3         the audited engine (default: v2 for Apache)\n"
"      --pcre 1|2             the server's regex library (v2; default: what its\n"
"                             mod_security2.so links, else 1)\n"
"      --format text|json     report format (default text)\n"
"  -o, --output FILE          write the report to FILE (atomically)\n"
"  -h, --help                 this text\n"
"\n"
"Exit status: 0 the rules load, 1 they load here but the server itself\n"
"would not start with them (a finding: each is noted), 2 they do not load\n"
"(one line naming file:line).\n";

static const struct range {
	const char *vendor;
	long lo, hi;
} ranges[] = {
	{ "local", 1, 99999 },
	{ "ModSecurity recommended", 200000, 200099 },
	{ "Comodo WAF", 200100, 299999 },
	{ "OWASP CRS", 900000, 999999 },
	{ "CRS plugins/exclusion packages", 9000000, 9999999 },
};

static const char *vendor_of(long id)
{
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (id >= ranges[i].lo && id <= ranges[i].hi)
			return ranges[i].vendor;
	return "other";
}

static void text_report(const struct ruleset *rs, struct strbuf *out)
{
	size_t loaded = 0, left = 0;
	strbuf_addf(out, "Rule engine: %s", rs->rule_engine ? rs->rule_engine : "unset");
	if (rs->rule_engine_at.file)
		strbuf_addf(out, " (%s:%d)", rs->rule_engine_at.file, rs->rule_engine_at.line);
	strbuf_addch(out, '\n');
	for (size_t u = 0; u < rs->nunits; u++) {
		const struct load_unit *unit = &rs->units[u];
		strbuf_addf(out, "load %zu: %s: %d rules", u + 1, unit->name, unit->rules);
		if (unit->vhost)
			strbuf_addf(out, " [vhost %s%s, engine %s]", unit->vhost,
				    unit->inactive ? ", not serving the host" : "",
				    unit->vhost_engine ? unit->vhost_engine : "inherited");
		if (unit->scope)
			strbuf_addf(out, " [only for %s matching %s]",
				    unit->scope_kind == SCOPE_FILE ? "files" :
				    unit->scope_kind == SCOPE_DIR ? "document roots" : "paths", unit->scope);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < rs->nnotes; i++) {
		strbuf_addf(out, "note: %s:%d: %s", rs->notes[i].at.file, rs->notes[i].at.line,
			    rs->notes[i].what);
		if (rs->notes[i].count > 1)
			strbuf_addf(out, " (and %d more places)", rs->notes[i].count - 1);
		strbuf_addch(out, '\n');
	}
	strbuf_addstr(out, "Rule ids by range:\n");
	for (size_t r = 0; r <= sizeof(ranges) / sizeof(ranges[0]); r++) {
		const char *v = r < sizeof(ranges) / sizeof(ranges[0]) ? ranges[r].vendor : "other";
		size_t n = 0;
		long lo = 0, hi = 0;
		for (size_t i = 0; i < rs->nrules; i++) {
			long id = rs->rules[i].id;
			if (id <= 0 || strcmp(vendor_of(id), v))
				continue;
			if (!n || id < lo)
				lo = id;
			if (!n || id > hi)
				hi = id;
			n++;
		}
		if (n)
			strbuf_addf(out, "  %-32s %5zu rules, ids %ld-%ld\n", v, n, lo, hi);
	}
	ruleset_coverage(rs, &loaded, &left);
	strbuf_addf(out, "Coverage: %zu rules loaded, %zu left out.\n", loaded, left);
	if (rs->server_fails)
		strbuf_addf(out, "FINDING: the %s would not start with these rules (%d place%s; see the notes "
			    "saying so).\n", rs->engine_v2 ? "server (ModSecurity 2)" : "server (nginx, libmodsecurity 3.0.9)",
			    rs->server_fails, rs->server_fails == 1 ? "" : "s");
}

static void json_report(const struct ruleset *rs, struct strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *arr, *o;
	size_t loaded = 0, left = 0;
	char *text;
	cJSON_AddStringToObject(root, "rule_engine", rs->rule_engine ? rs->rule_engine : "unset");
	arr = cJSON_AddArrayToObject(root, "loads");
	for (size_t u = 0; u < rs->nunits; u++) {
		const struct load_unit *unit = &rs->units[u];
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", unit->name);
		cJSON_AddNumberToObject(o, "rules", unit->rules);
		if (unit->vhost) {
			cJSON_AddStringToObject(o, "vhost", unit->vhost);
			cJSON_AddBoolToObject(o, "serves_host", !unit->inactive);
			cJSON_AddStringToObject(o, "rule_engine", unit->vhost_engine ? unit->vhost_engine : "inherited");
		}
		if (unit->scope) {
			cJSON_AddStringToObject(o, "scope", unit->scope);
			cJSON_AddStringToObject(o, "scope_of", unit->scope_kind == SCOPE_FILE ? "file" :
						unit->scope_kind == SCOPE_DIR ? "document_root" : "path");
		}
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(root, "notes");
	for (size_t i = 0; i < rs->nnotes; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "file", rs->notes[i].at.file ? rs->notes[i].at.file : "");
		cJSON_AddNumberToObject(o, "line", rs->notes[i].at.line);
		cJSON_AddStringToObject(o, "note", rs->notes[i].what);
		cJSON_AddNumberToObject(o, "count", rs->notes[i].count);
		cJSON_AddItemToArray(arr, o);
	}
	o = cJSON_AddObjectToObject(root, "ids_by_vendor");
	for (size_t i = 0; i < rs->nrules; i++) {
		long id = rs->rules[i].id;
		cJSON *n;
		if (id <= 0)
			continue;
		n = cJSON_GetObjectItemCaseSensitive(o, vendor_of(id));
		if (n)
			cJSON_SetNumberValue(n, n->valuedouble + 1);
		else
			cJSON_AddNumberToObject(o, vendor_of(id), 1);
	}
	ruleset_coverage(rs, &loaded, &left);
	o = cJSON_AddObjectToObject(root, "coverage");
	cJSON_AddNumberToObject(o, "rules_loaded", (double)loaded);
	cJSON_AddNumberToObject(o, "rules_left_out", (double)left);
	cJSON_AddBoolToObject(root, "server_would_start", !rs->server_fails);
	text = cJSON_Print(root);
	strbuf_addstr(out, text);
	strbuf_addch(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_OPTS_RULES,
		{ "server-config", required_argument, NULL, OPT_SERVER },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "pcre", required_argument, NULL, OPT_PCRE },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct audit_opts o;
	struct cli_take t;
	struct ruleset rs;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *format = "text", *output = "-";
	int c, ret = 2;

	memset(&o, 0, sizeof(o));
	memset(&rs, 0, sizeof(rs));
	build_params_defaults(&o.params);
	memset(&t, 0, sizeof(t));
	t.o = &o;
	t.params = &o.params;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:R:o:h", longopts, NULL)) != -1) {
		int taken = cli_take(&t, c, optarg);
		if (taken < 0)
			goto out;
		if (taken)
			continue;
		switch (c) {
		case 'f':
			if (opt_choice("--format", optarg, (const char *const[]){ "text", "json", NULL }) < 0)
				goto out;
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			ret = 0;
			goto out;
		default:
			fputs("try 'modsec-callback-audit check --help'\n", stderr);
			goto out;
		}
	}
	if (optind < argc) {
		complain("check: unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if (output_path_check(output, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (!t.nsrc && !o.server_config) {
		complain("check: give rules with -r/-R or --server-config");
		goto out;
	}
	if (o.server_config && !t.engine_given)
		o.engine_v2 = !server_is_nginx(o.server_config);
	o.sources = t.src;
	o.nsources = t.nsrc;
	if (audit_load_rules(&o, &rs, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (!strcmp(format, "json"))
		json_report(&rs, &out);
	else
		text_report(&rs, &out);
	if (write_file_atomic(output, out.buf, out.len, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	ret = rs.server_fails ? 1 : 0;
out:
	ruleset_release(&rs);
	cli_take_release(&t);
	strbuf_release(&err);
	strbuf_release(&out);
	return ret;
}
