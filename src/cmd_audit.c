/* The main command: audit a rule set against Klarna's callbacks. */
#include "audit.h"
#include "commands.h"
#include "datadir.h"
#include "report.h"
#include "util/fileio.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
"usage: modsec-callback-audit [audit] [options]\n"
"       modsec-callback-audit probe [options] URL   (see probe --help)\n"
"\n"
"Replays Klarna's server-to-server callbacks through the given ModSecurity\n"
"rules (libmodsecurity, in-process), reports which rules block them and why,\n"
"and prints verified exclusions. With no -r/-R: the demo server rule set.\n"
"\n"
"Rules (loaded in order; each -r/-R is its own load, like one nginx\n"
"modsecurity_rules_file; Includes are followed):\n"
"  -r, --rules FILE           a ModSecurity configuration file\n"
"  -R, --rule TEXT            rules given inline\n"
"\n"
"Callbacks:\n"
"      --callbacks FILE       a callback catalogue (default: the shipped one)\n"
"      --callback NAME        audit only this callback (repeatable)\n"
"      --list-callbacks       list the catalogue's callbacks and exit\n"
"      --kco-version X.Y.Z    only what that Klarna Checkout version sends\n"
"      --url-form FORMS       path,index,query or all (default all): the\n"
"                             /wc-api/X/, /index.php/wc-api/X/, /?wc-api=X forms\n"
"      --host NAME            the shop's host name (default shop.example.com)\n"
"  -H, --header 'N: V'        set a header on every callback ('N:' removes it)\n"
"      --client-ip IP         source address (default 52.17.117.56, Klarna)\n"
"      --order-id ID          the Klarna order id in the callbacks (default\n"
"                             b6d2a5e4-...; the probe's fake one compares 1:1)\n"
"\n"
"Output:\n"
"      --format text|json     report format (default text)\n"
"  -o, --output FILE          write the report to FILE (atomically)\n"
"      --exclusions FILE      write the exclusions as an includable file\n"
"      --exclusion-id-base N  first rule id of the exclusions (default 10000)\n"
"      --max-rounds N         exclusion rounds before giving up (default 8)\n"
"      --color WHEN           auto, always or never (default auto)\n"
"      --dump-rules           print the rule text as fed to libmodsecurity\n"
"                             (after Includes and neutralising) and exit\n"
"  -h, --help                 this text\n"
"      --version              the version\n"
"\n"
"Exit status: 0 every callback passes, 1 at least one is blocked (or would\n"
"be, in DetectionOnly) or an exclusion failed verification, 2 usage or load\n"
"error.\n";

enum {
	OPT_HOST = 256, OPT_CALLBACKS, OPT_CALLBACK, OPT_LIST, OPT_KCO, OPT_FORMS,
	OPT_CLIENT, OPT_FORMAT, OPT_EXCL, OPT_IDBASE, OPT_ROUNDS, OPT_COLOR, OPT_VERSION, OPT_DUMP,
	OPT_ORDER
};

static const struct option longopts[] = {
	{ "rules", required_argument, NULL, 'r' },
	{ "rule", required_argument, NULL, 'R' },
	{ "callbacks", required_argument, NULL, OPT_CALLBACKS },
	{ "callback", required_argument, NULL, OPT_CALLBACK },
	{ "list-callbacks", no_argument, NULL, OPT_LIST },
	{ "kco-version", required_argument, NULL, OPT_KCO },
	{ "url-form", required_argument, NULL, OPT_FORMS },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "header", required_argument, NULL, 'H' },
	{ "client-ip", required_argument, NULL, OPT_CLIENT },
	{ "order-id", required_argument, NULL, OPT_ORDER },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "exclusions", required_argument, NULL, OPT_EXCL },
	{ "exclusion-id-base", required_argument, NULL, OPT_IDBASE },
	{ "max-rounds", required_argument, NULL, OPT_ROUNDS },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "dump-rules", no_argument, NULL, OPT_DUMP },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static int number(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int list_callbacks(const char *file)
{
	struct catalog c;
	struct strbuf err = STRBUF_INIT;
	if (catalog_load(&c, file, &err) < 0) {
		complain("%s", err.buf);
		strbuf_release(&err);
		catalog_release(&c);
		return 2;
	}
	for (size_t i = 0; i < c.n; i++) {
		const struct callback *cb = &c.cbs[i];
		printf("%-28s %-4s %-6s %s", cb->name, cb->plugin, cb->method,
		       cb->wc_api ? cb->wc_api : cb->path);
		if (cb->nversions) {
			printf("  (versions");
			for (size_t v = 0; v < cb->nversions; v++)
				printf(" %s-%s", cb->versions[v].from, cb->versions[v].to);
			printf(")");
		}
		printf("\n");
	}
	catalog_release(&c);
	return 0;
}

static int dump_rules(const struct rule_source *src, size_t n)
{
	struct ruleset rs;
	struct strbuf err = STRBUF_INIT;
	int ret = 0;
	ruleset_init(&rs);
	for (size_t i = 0; i < n && !ret; i++) {
		int r = src[i].is_text ? ruleset_add_text(&rs, "(command line)", src[i].value, &err)
				       : ruleset_add_file(&rs, src[i].value, &err);
		if (r < 0) {
			complain("%s", err.buf);
			ret = 2;
		}
	}
	for (size_t u = 0; u < rs.nunits && !ret; u++) {
		printf("# ---- load %zu: %s (%d rules)\n", u + 1, rs.units[u].name, rs.units[u].rules);
		for (size_t i = 0; i < rs.nnotes; i++)
			printf("# note: %s:%d: %s (%d places)\n", rs.notes[i].at.file, rs.notes[i].at.line, rs.notes[i].what, rs.notes[i].count);
		fputs(rs.units[u].text.buf, stdout);
	}
	ruleset_release(&rs);
	strbuf_release(&err);
	return ret;
}

/* The demo server: three loads, as described in rules/demo/README.md. */
static const char *const demo_units[] = {
	"rules/demo/modsecurity.conf",
	"rules/demo/comodo-style/rules.conf.main",
	"rules/demo/crs.conf",
};

int cmd_audit(int argc, char **argv)
{
	struct audit_opts o;
	struct rule_source *src = NULL;
	const char **names = NULL, **headers = NULL;
	size_t nsrc = 0, asrc = 0, nnames = 0, anames = 0, nheaders = 0, aheaders = 0;
	const char *output = NULL, *excl_file = NULL, *format = "text", *color = "auto";
	char *catalogue = NULL, *demo_paths[3] = { NULL, NULL, NULL };
	int list = 0, dump = 0, c, ret = 2;
	long v;
	struct audit a;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;

	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	build_params_defaults(&o.params);
	o.forms = URL_FORMS_WC;
	o.id_base = 10000;
	o.max_rounds = 8;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:R:H:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'R':
			ARRAY_PUSH(src, nsrc, asrc);
			src[nsrc].is_text = c == 'R';
			src[nsrc++].value = optarg;
			break;
		case OPT_CALLBACKS:
			free(catalogue);
			catalogue = xstrdup(optarg);
			break;
		case OPT_CALLBACK:
			ARRAY_PUSH(names, nnames, anames);
			names[nnames++] = optarg;
			break;
		case OPT_LIST:
			list = 1;
			break;
		case OPT_DUMP:
			dump = 1;
			break;
		case OPT_KCO:
			if (!version_valid(optarg)) {
				complain("--kco-version: \"%s\" is not a version like 2.5.0", optarg);
				goto out;
			}
			o.kco_version = optarg;
			break;
		case OPT_FORMS:
			if (url_forms_parse(optarg, &o.forms) < 0) {
				complain("--url-form: \"%s\" is not a list of path, index, query or all", optarg);
				goto out;
			}
			break;
		case OPT_HOST:
			o.params.host = optarg;
			break;
		case 'H': {
			char *n, *val;
			if (header_parse(optarg, &n, &val) < 0) {
				complain("--header: \"%s\" is not \"Name: value\"", optarg);
				goto out;
			}
			free(n);
			free(val);
			ARRAY_PUSH(headers, nheaders, aheaders);
			headers[nheaders++] = optarg;
			break;
		}
		case OPT_CLIENT:
			o.params.client_ip = optarg;
			break;
		case OPT_ORDER:
			if (!*optarg || strspn(optarg, "0123456789abcdefABCDEF-") != strlen(optarg)) {
				complain("--order-id: \"%s\" is not a Klarna order id (hex digits and '-')", optarg);
				goto out;
			}
			o.params.klarna_order_id = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				complain("--format: \"%s\" is not text or json", optarg);
				goto out;
			}
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_EXCL:
			excl_file = optarg;
			break;
		case OPT_IDBASE:
			if (number(optarg, 1, 99999, &v) < 0) {
				complain("--exclusion-id-base: \"%s\" is not a rule id in 1-99999 (the range for local rules)", optarg);
				goto out;
			}
			o.id_base = v;
			break;
		case OPT_ROUNDS:
			if (number(optarg, 1, 100, &v) < 0) {
				complain("--max-rounds: \"%s\" is not a number from 1 to 100", optarg);
				goto out;
			}
			o.max_rounds = (int)v;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				complain("--color: \"%s\" is not auto, always or never", optarg);
				goto out;
			}
			color = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			ret = 0;
			goto out;
		case OPT_VERSION:
			printf("modsec-callback-audit %s\n", PACKAGE_VERSION);
			ret = 0;
			goto out;
		default:
			fputs("try 'modsec-callback-audit --help'\n", stderr);
			goto out;
		}
	}
	if (optind < argc) {
		complain("unexpected argument \"%s\" (try --help)", argv[optind]);
		goto out;
	}
	if (!catalogue)
		catalogue = datadir_path("callbacks/klarna.yaml");
	if (list) {
		ret = list_callbacks(catalogue);
		goto out;
	}
	if (!nsrc) {
		for (size_t i = 0; i < 3; i++) {
			demo_paths[i] = datadir_path(demo_units[i]);
			ARRAY_PUSH(src, nsrc, asrc);
			src[nsrc].is_text = 0;
			src[nsrc++].value = demo_paths[i];
		}
	}
	o.sources = src;
	o.nsources = nsrc;
	o.catalogue = catalogue;
	o.names = names;
	o.nnames = nnames;
	o.params.header_overrides = headers;
	o.params.noverrides = nheaders;

	if (dump) {
		ret = dump_rules(src, nsrc);
		goto out;
	}
	if (audit_run(&o, &a, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	{
		struct report_opts ro = { 0, PACKAGE_VERSION };
		if (!strcmp(color, "always"))
			ro.color = 1;
		else if (!strcmp(color, "auto"))
			ro.color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		if (!strcmp(format, "json"))
			report_json(&a, &ro, &out);
		else
			report_text(&a, &ro, &out);
	}
	if (excl_file) {
		struct strbuf ef = STRBUF_INIT;
		exclusion_file(&ef, a.excl, a.nexcl, PACKAGE_VERSION);
		if (write_file_atomic(excl_file, ef.buf, ef.len, &err) < 0) {
			complain("%s", err.buf);
			strbuf_release(&ef);
			goto out;
		}
		strbuf_release(&ef);
	}
	if (write_file_atomic(output ? output : "-", out.buf, out.len, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	{
		size_t passed, blocked, would;
		int unverified = 0;
		audit_counts(&a, &passed, &blocked, &would);
		for (size_t i = 0; i < a.nexcl; i++) {
			if (a.excl[i].verified)
				continue;
			complain("exclusion for rule %ld on %s did not make it pass (see the report)",
				 a.excl[i].rule_id, a.excl[i].cb->name);
			unverified = 1;
		}
		ret = (blocked || would || unverified) ? 1 : 0;
	}
out:
	audit_release(&a);
	for (size_t i = 0; i < 3; i++)
		free(demo_paths[i]);
	free(catalogue);
	free(src);
	free(names);
	free(headers);
	strbuf_release(&err);
	strbuf_release(&out);
	return ret;
}
