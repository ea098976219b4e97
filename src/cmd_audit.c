/* The main command: audit a rule set against Klarna's callbacks. */
#include "audit.h"
#include "cliopts.h"
#include "commands.h"
#include "datadir.h"
#include "dialect.h"
#include "discover.h"
#include "fleet.h"
#include "ftw_export.h"
#include "progress.h"
#include "report.h"
#include "util/fileio.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
"usage: modsec-callback-audit [audit] [options]\n"
"       modsec-callback-audit test -r RULES... [options] TESTS...\n"
"       modsec-callback-audit probe [options] URL   (see probe --help)\n"
"       modsec-callback-audit check [options]       (see check --help)\n"
"       modsec-callback-audit logs [options] FILE... (see logs --help)\n"
"\n"
"Commands: audit (the default, below); test runs go-ftw or legacy ftw\n"
"regression tests through the rules (see 'modsec-callback-audit test --help');\n"
"probe sends the callbacks to a live site; check reports how the rules load;\n"
"logs reads the server's ModSecurity logs: the callbacks it lost, the orders.\n"
"\n"
"Replays payment providers' server-to-server callbacks (Klarna/Kustom,\n"
"Stripe, PayPal, Mollie) through the given ModSecurity\n"
"rules (libmodsecurity, in-process), reports which rules block them and why,\n"
"and prints verified exclusions. With no -r/-R: the demo server rule set.\n"
"\n"
"Rules (loaded in order; each -r/-R is its own load, like one nginx\n"
"modsecurity_rules_file; Includes are followed):\n"
"  -r, --rules FILE           a ModSecurity configuration file\n"
"  -R, --rule TEXT            rules given inline\n"
"      --server-config FILE   follow the server's configuration as it does:\n"
"                             Apache (apache2.conf, httpd.conf: Include,\n"
"                             Define/${NAME}, IfDefine, IfModule, IfVersion,\n"
"                             the <VirtualHost> for --host, <Location*>,\n"
"                             <Files*>, <Directory*>) or nginx (nginx.conf: include, the\n"
"                             server {} for --host, modsecurity_rules_file,\n"
"                             location {})\n"
"      --root DIR             read DIR/etc/... for the server's /etc/... (a copy\n"
"                             of a server's files, a container image)\n"
"      --allow-lua            keep exec: actions naming .lua scripts (they run\n"
"                             inside the audit: trusted rule sets only)\n"
"      --discover             find the server (cPanel, Plesk, Debian/RHEL\n"
"                             Apache, nginx, LiteSpeed) under / or --root and\n"
"                             audit its configuration\n"
"      --all-hosts            audit every <VirtualHost> / server {} of the\n"
"                             --server-config (or --discover) with its own\n"
"                             engine, locations and rules: a host x callback\n"
"                             table; hosts with identical rules share one audit\n"
"      --engine v2|v3         the audited server's engine: v3 (libmodsecurity,\n"
"                             default) or v2 (Apache mod_security2, cPanel, most\n"
"                             Comodo installs): emulate v2 where they differ\n"
"                             (JSON argument names, v2-only syntax translated)\n"
"      --pcre 1|2             the server's regex library (v2 only; default:\n"
"                             what its mod_security2.so links, else 1). A regex\n"
"                             that library refuses is a finding: the server\n"
"                             would not start\n"
"\n"
"Callbacks:\n"
"      --callbacks PATH       a callback catalogue file, or a directory of them\n"
"                             (default: the shipped ones, one per provider)\n"
"      --provider NAME,...    only these providers' callbacks (kustom-checkout,\n"
"                             klarna-payments, stripe, paypal-standard,\n"
"                             paypal-payments, mollie; old names and plugin\n"
"                             names work: \"Klarna Checkout\", ppcp)\n"
"      --callback NAME        audit only this callback (repeatable)\n"
"      --list-callbacks       list the callbacks per provider, with the plugin\n"
"                             versions that send each, and exit\n"
"      --kco-version X.Y.Z    only what that Klarna Checkout version sends\n"
"      --url-form FORMS       path,index,query or all (default all): the\n"
"                             /wc-api/X/, /index.php/wc-api/X/, /?wc-api=X forms\n"
"      --host NAME            the shop's host name (default shop.example.com;\n"
"                             letters, digits, '-', dots, optionally :port)\n""                             with --server-config/--discover its vhost's\n"
"                             document root's payment plugins (versions) choose\n"
"                             the callbacks, as with --all-hosts\n"
"  -H, --header 'N: V'        set a header on every callback ('N:' removes it)\n"
"      --client-ip IP         source address (default 52.17.117.56, Klarna)\n"
"      --order-id ID          the Klarna order id in the callbacks (default\n"
"                             b6d2a5e4-...; the probe's fake one compares 1:1)\n"
"\n"
"Output:\n"
"      --format FORMAT        text (default), json, junit (a testsuite per host),\n"
"                             sarif (2.1.0, results on the rule files) or html\n"
"                             (one self-contained page for the shop owner); with\n"
"                             -o, from the extension: .json .xml .sarif .html\n"
"  -o, --output FILE          write the report to FILE (atomically); the\n"
"                             summary still goes to the terminal\n"
"  -v, --verbose              every load note, match and request in the text\n"
"                             report (by default grouped and counted)\n"
"      --exclusions FILE      write the exclusions as an includable file (the\n"
"                             first --dialect)\n"
"      --dialect LIST         runtime (default), startup, apache, nginx, cpanel,\n"
"                             cloudflare, paths, crs-plugin (a CRS 4 plugin\n"
"                             directory), whmapi (WHM API calls as a bash\n"
"                             script); several with commas\n"
"      --exclusions-dir DIR   write one file per dialect: DIR/klarna-exclusions.*\n"
"      --export-ftw DIR       write the callbacks as go-ftw (schema v2) tests with\n"
"                             the audit's verdicts: DIR/9847000-callbacks.yaml\n"
"      --exclusion-id-base N  first rule id of the exclusions (default 10000,\n"
"                             at most 99989: 99990-99999 are the tool's)\n"
"      --max-rounds N         exclusion rounds before giving up (default 8)\n"
"      --source-ip CIDR,...   exclusions also require REMOTE_ADDR in these\n"
"                             (Klarna's egress addresses are yours to give)\n"
"      --no-attack-probes     skip proving each exclusion's scope with attack\n"
"                             variants (SQLi/XSS, other paths, path confusion)\n"
"\n"
"CRS-style rule sets:\n"
"      --paranoia N           impose blocking paranoia level N (1-4)\n"
"      --threshold N          impose inbound anomaly score threshold N\n"
"      --paranoia-sweep       also run the rules alone at PL1-4 and show the\n"
"                             first level that blocks each callback\n"
"\n"
"Other:\n"
"      --color WHEN           auto, always or never (default auto)\n"
"      --dump-rules           print the rule text as fed to libmodsecurity\n"
"                             (after Includes and neutralising) and exit\n"
"  -h, --help                 this text\n"
"      --version              the version\n"
"\n"
"The text report starts with a summary (warnings, a line per callback with\n"
"every blocking rule id, what to do); details follow.\n"
"\n"
"Exit status: 0 every callback passes (read the warnings: a server that does\n"
"not inspect the callbacks passes them too), 1 at least one is blocked (or\n"
"would be, in DetectionOnly) or an exclusion failed verification, 2 usage or\n"
"load error (options are checked before any work).\n";

enum {
	OPT_LIST = OPT_OWN, OPT_FORMAT, OPT_EXCL, OPT_IDBASE, OPT_COLOR, OPT_VERSION, OPT_DUMP, OPT_PL, OPT_THRESHOLD,
	OPT_SWEEP, OPT_DIALECT, OPT_EXCLDIR, OPT_ALLHOSTS, OPT_EXPORTFTW
};

/* The exclusions' ids end below the ids kept for imposed settings. */
#define MAX_ID_BASE 99989

static const struct option longopts[] = {
	CLI_OPTS_RULES,
	CLI_OPTS_SELECT,
	{ "list-callbacks", no_argument, NULL, OPT_LIST },
	{ "client-ip", required_argument, NULL, OPT_CLIENT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "exclusions", required_argument, NULL, OPT_EXCL },
	{ "exclusion-id-base", required_argument, NULL, OPT_IDBASE },
	{ "max-rounds", required_argument, NULL, OPT_ROUNDS },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "dump-rules", no_argument, NULL, OPT_DUMP },
	{ "paranoia", required_argument, NULL, OPT_PL },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "paranoia-sweep", no_argument, NULL, OPT_SWEEP },
	{ "no-attack-probes", no_argument, NULL, OPT_NOPROBES },
	{ "source-ip", required_argument, NULL, OPT_SRCIP },
	{ "dialect", required_argument, NULL, OPT_DIALECT },
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "pcre", required_argument, NULL, OPT_PCRE },
	{ "server-config", required_argument, NULL, OPT_SERVER },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "discover", no_argument, NULL, OPT_DISCOVER },
	{ "allow-lua", no_argument, NULL, OPT_LUA },
	{ "all-hosts", no_argument, NULL, OPT_ALLHOSTS },
	{ "export-ftw", required_argument, NULL, OPT_EXPORTFTW },
	{ "exclusions-dir", required_argument, NULL, OPT_EXCLDIR },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* "1.8.0-2.18.3", "2.18.4 and later", "up to 2.19.999" */
static void print_range(const struct version_range *r)
{
	if (*r->from && *r->to)
		printf(strcmp(r->from, r->to) ? "%s-%s" : "%s", r->from, r->to);
	else if (*r->from)
		printf("%s and later", r->from);
	else
		printf("up to %s", r->to);
}

/* --list-callbacks: per provider (what --provider matches, the plugins
 * whose versions the ranges are), then its callbacks. */
static int list_callbacks(const char *file, const char *providers)
{
	struct catalog c;
	struct strbuf err = STRBUF_INIT;
	struct selection *sel = NULL;
	size_t nsel = 0;
	if (catalog_load(&c, file, &err) < 0 ||
	    catalog_select(&c, providers, NULL, 0, NULL, URL_FORMS_WC, &sel, &nsel, &err) < 0) {
		complain("%s", err.buf);
		strbuf_release(&err);
		catalog_release(&c);
		return 2;
	}
	for (size_t p = 0; p < c.nprovs; p++) {
		const struct provider *pv = &c.provs[p];
		int shown = 0;
		for (size_t i = 0; i < nsel && !shown; i++)
			shown = sel[i].cb->provider == p;
		if (!shown)
			continue;
		printf("%s%s  [--provider %s", p ? "\n" : "", pv->title, pv->name);
		for (size_t a = 0; a < pv->naliases; a++)
			printf("%s%s", a ? ", " : "; also ", pv->aliases[a]);
		printf("]\n");
		for (size_t k = 0; k < pv->nplugins; k++) {
			const struct plugin_info *pl = &pv->plugins[k];
			printf("  plugin %s: %s", pl->id, pl->title);
			for (size_t f = 0; f < pl->nformer; f++)
				printf("%s%s", f ? ", " : " (formerly ", pl->former[f]);
			printf("%s", pl->nformer ? ")" : "");
			if (pl->slug)
				printf(", wp-content/plugins/%s/%s", pl->slug, pl->main_file ? pl->main_file : "");
			printf("\n");
		}
		for (size_t i = 0; i < c.n; i++) {
			const struct callback *cb = &c.cbs[i];
			int picked = 0;
			if (cb->provider != p)
				continue;
			for (size_t k = 0; k < nsel && !picked; k++)
				picked = sel[k].cb == cb;
			if (!picked)
				continue;
			printf("  %-32s %-11s %-5s ", cb->name, cb->plugin, cb->method);
			if (cb->path)
				printf("%s%s%s", cb->path, cb->query ? "?" : "", cb->query ? cb->query : "");
			else if (callback_forms(cb) == URL_FORM_BIT(FORM_QUERY))
				printf("/?wc-api=%s (query form only)", cb->wc_api);
			else
				printf("wc-api %s", cb->wc_api);
			printf("  versions ");
			if (!cb->nversions)
				printf("all");
			for (size_t v = 0; v < cb->nversions; v++) {
				printf("%s", v ? ", " : "");
				print_range(&cb->versions[v]);
			}
			printf("\n");
		}
	}
	free(sel);
	catalog_release(&c);
	return 0;
}

/* --dump-rules: the text each load hands libmodsecurity, read, neutralised,
 * translated and fitted as the audit loads it. */
static int dump_rules(const struct audit_opts *o)
{
	struct ruleset rs;
	struct strbuf err = STRBUF_INIT;
	int ret = 0;
	if (audit_load_rules(o, &rs, &err) < 0) {
		complain("%s", err.buf);
		ret = 2;
	}
	for (size_t i = 0; i < rs.nnotes && !ret; i++)
		printf("# note: %s:%d: %s (%d place%s)\n", rs.notes[i].at.file ? rs.notes[i].at.file : "",
		       rs.notes[i].at.line, rs.notes[i].what, rs.notes[i].count, rs.notes[i].count == 1 ? "" : "s");
	for (size_t u = 0; u < rs.nunits && !ret; u++) {
		printf("# ---- load %zu: %s (%d rules)%s\n", u + 1, rs.units[u].name, rs.units[u].rules,
		       rs.units[u].inactive ? " [not loaded: a vhost not serving the host]" : "");
		fputs(rs.units[u].text.buf, stdout);
	}
	ruleset_release(&rs);
	strbuf_release(&err);
	return ret;
}

/* --dialect crs-plugin --exclusions-dir DIR: DIR/<name>-config.conf,
 * -before.conf, -after.conf (CRS 4 includes plugins/ * in that order). */
static int write_crs_plugin(const char *dir, const struct audit *a, struct strbuf *err)
{
	static const char *const parts[] = { "config", "before", "after" };
	for (int p = 0; p < 3; p++) {
		struct strbuf ef = STRBUF_INIT, path = STRBUF_INIT;
		int r;
		crs_plugin_render(a->excl, a->nexcl, PACKAGE_VERSION, p, &ef);
		strbuf_addf(&path, "%s/" CRS_PLUGIN_NAME "-%s.conf", dir, parts[p]);
		r = write_file_atomic(path.buf, ef.buf, ef.len, err);
		strbuf_release(&ef);
		strbuf_release(&path);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* The directory a file will be written into must be there before any
 * work: an audit that fails at the end after minutes helps no one. */
static int check_parent(const char *opt, const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct stat st;
	int ret = 0;
	if (!strcmp(path, "-")) {
		free(dir);
		return 0;
	}
	if (slash)
		slash == dir ? (void)(dir[1] = '\0') : (void)(*slash = '\0');
	else
		strcpy(dir, ".");
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		complain("%s %s: directory %s does not exist", opt, path, dir);
		ret = -1;
	}
	free(dir);
	return ret;
}

/* Options that contradict each other, or name what is not there: refused
 * before any work, with nothing written. */
static int check_combination(size_t nsrc, const char *server_config, const char *root, int discover_mode,
			     const char *output, const char *excl_file, const char *excl_dir)
{
	struct stat st;
	if (nsrc && discover_mode) {
		complain("--discover audits the server's own rules: it takes no -r/-R (the server's files already "
			 "load them; audit other rules alone with -r)");
		return -1;
	}
	if (nsrc && server_config) {
		complain("-r/-R and --server-config both name the rules: give one (the server's configuration "
			 "already loads its rule files)");
		return -1;
	}
	if (nsrc && root) {
		complain("--root reads a server's files for --server-config or --discover; -r/-R paths are read "
			 "as given (drop --root, or use --server-config)");
		return -1;
	}
	if (root && (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))) {
		complain("--root %s: not a directory", root);
		return -1;
	}
	if (excl_dir && (stat(excl_dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		complain("--exclusions-dir %s: not a directory (create it first)", excl_dir);
		return -1;
	}
	if ((output && check_parent("-o", output) < 0) ||
	    (excl_file && check_parent("--exclusions", excl_file) < 0))
		return -1;
	return 0;
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
	struct cli_take t;
	const char *output = NULL, *excl_file = NULL, *excl_dir = NULL, *export_ftw = NULL, *format = "text", *color = "auto";
	char *demo_paths[3] = { NULL, NULL, NULL };
	int list = 0, dump = 0, c, ret = 2, verbose = 0, all_hosts = 0;
	int format_given = 0, ran;
	struct found *found = NULL;
	size_t nfound = 0;
	unsigned dialects = 1u << D_RUNTIME;
	enum dialect first_dialect = D_RUNTIME;
	long v;
	struct audit a;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, summary = STRBUF_INIT;
	struct shop shop;

	memset(&shop, 0, sizeof(shop));
	audit_opts_init(&o);
	memset(&t, 0, sizeof(t));
	t.o = &o;
	t.params = &o.params;
	t.providers = &o.providers;
	t.kco_version = &o.kco_version;
	t.forms = &o.forms;
	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:R:H:o:hv", longopts, NULL)) != -1) {
		int taken = cli_take(&t, c, optarg);
		if (taken < 0)
			goto out;
		if (taken)
			continue;
		switch (c) {
		case OPT_LIST:
			list = 1;
			break;
		case OPT_DUMP:
			dump = 1;
			break;
		case OPT_PL:
			if (parse_number(optarg, 1, 4, &v) < 0) {
				complain("--paranoia: \"%s\" is not a paranoia level 1-4", optarg);
				goto out;
			}
			o.paranoia = (int)v;
			break;
		case OPT_THRESHOLD:
			if (parse_number(optarg, 1, 10000, &v) < 0) {
				complain("--threshold: \"%s\" is not a score from 1 to 10000", optarg);
				goto out;
			}
			o.threshold = (int)v;
			break;
		case OPT_SWEEP:
			o.sweep = 1;
			break;
		case OPT_DIALECT:
			if (dialects_parse(optarg, &dialects, &first_dialect) < 0) {
				complain("--dialect: \"%s\" is not a list of runtime, startup, apache, nginx, cpanel, cloudflare, paths, crs-plugin, whmapi", optarg);
				goto out;
			}
			break;
		case OPT_ALLHOSTS:
			all_hosts = 1;
			break;
		case OPT_EXPORTFTW:
			export_ftw = optarg;
			break;
		case OPT_EXCLDIR:
			excl_dir = optarg;
			break;
		case OPT_FORMAT:
			if (opt_choice("--format", optarg, (const char *const[]){ "text", "json", "junit", "sarif",
										   "html", NULL }) < 0)
				goto out;
			format = optarg;
			format_given = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_EXCL:
			excl_file = optarg;
			break;
		case OPT_IDBASE:
			if (parse_number(optarg, 1, MAX_ID_BASE, &v) < 0) {
				complain("--exclusion-id-base: \"%s\" is not a rule id in 1-%d (local rules end at 99999; "
					 "99990-99999 are the tool's own)", optarg, MAX_ID_BASE);
				goto out;
			}
			o.id_base = v;
			o.id_base_given = 1;
			break;
		case OPT_COLOR:
			if (opt_color(optarg) < 0)
				goto out;
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
	if (output_path_check(output, &err) < 0 || output_path_check(excl_file, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (check_combination(t.nsrc, o.server_config, o.root, t.discover, output, excl_file, excl_dir) < 0)
		goto out;
	/* -o report.json: JSON, unless --format says otherwise (and .xml
	 * JUnit, .sarif SARIF, .html HTML) */
	if (!format_given && output) {
		static const char *const ext[][2] = {
			{ ".json", "json" }, { ".xml", "junit" }, { ".sarif", "sarif" }, { ".html", "html" },
		};
		size_t ol = strlen(output);
		for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
			if (ol > strlen(ext[i][0]) && !strcmp(output + ol - strlen(ext[i][0]), ext[i][0]))
				format = ext[i][1];
	}
	if (!t.catalogue)
		t.catalogue = datadir_path("callbacks");
	if (list) {
		ret = list_callbacks(t.catalogue, o.providers);
		goto out;
	}
	if (t.discover) {
		nfound = discover(o.root, &found);
		if (!nfound) {
			complain("--discover: no Apache, nginx, cPanel, Plesk or LiteSpeed configuration under %s",
				 o.root ? o.root : "/");
			goto out;
		}
		for (size_t i = 0; i < nfound; i++)
			fprintf(stderr, "discovered: %s, configuration %s%s, rule sets installed: %s%s\n", found[i].layout,
				o.root ? o.root : "", found[i].config, found[i].vendors,
				i ? " (audit it with --server-config)" : " (audited below)");
		if (!o.server_config) {
			o.server_config = found[0].config;
			if (!t.engine_given)
				o.engine_v2 = found[0].engine_v2;
			t.engine_given = 1;
		}
	}
	/* Apache runs mod_security2 (v2), nginx libmodsecurity (v3), unless told */
	if (o.server_config && !t.engine_given)
		o.engine_v2 = !server_is_nginx(o.server_config);
	if (!t.nsrc && !o.server_config) {
		for (size_t i = 0; i < 3; i++) {
			demo_paths[i] = datadir_path(demo_units[i]);
			ARRAY_PUSH(t.src, t.nsrc, t.asrc);
			t.src[t.nsrc].is_text = 0;
			t.src[t.nsrc++].value = demo_paths[i];
		}
	}
	o.sources = t.src;
	o.nsources = t.nsrc;
	o.catalogue = t.catalogue;
	o.names = t.names;
	o.nnames = t.nnames;
	o.params.header_overrides = t.headers;
	o.verify_startup = (dialects & ((1u << D_STARTUP) | (1u << D_APACHE) | (1u << D_NGINX) |
				       (1u << D_CPANEL))) != 0;
	o.params.noverrides = t.nheaders;

	if (dump) {
		ret = dump_rules(&o);
		goto out;
	}
	if (all_hosts) {
		struct report_opts ro = { 0, PACKAGE_VERSION, dialects, verbose, NULL, NULL, NULL, NULL };
		if (!o.server_config || t.nsrc) {
			complain("--all-hosts: give the server's configuration (--server-config or --discover), and no -r/-R");
			goto out;
		}
		if (excl_dir || export_ftw || (excl_file && strcmp(format, "sarif"))) {
			complain("--all-hosts: exclusions differ per host: they are in the report (--format json), not in one file");
			goto out;
		}
		ro.color = color_wanted(color, output);
		ret = audit_all_hosts(&o, format, output, &ro, excl_file);
		goto out;
	}
	{
		struct report_opts ro = { 0, PACKAGE_VERSION, dialects, verbose, excl_file, excl_dir, NULL, NULL };
		int r = audit_shop(&o, &shop, format, output, &ro, excl_file);
		if (r) {
			ret = r > 0 ? 0 : 2;
			goto out;
		}
	}
	progress_start(isatty(STDERR_FILENO));
	ran = audit_run(&o, &a, &err);
	progress_done();
	if (ran < 0) {
		complain_line(err.buf);
		goto out;
	}
	if (a.nexcl && a.excl[a.nexcl - 1].first_id + a.excl[a.nexcl - 1].nids - 1 > MAX_ID_BASE) {
		complain("--exclusion-id-base %ld: the %zu exclusions need ids up to %ld, past %d (the tool's own "
			 "ids start at 99990): choose a lower base", o.id_base, a.nexcl,
			 a.excl[a.nexcl - 1].first_id + a.excl[a.nexcl - 1].nids - 1, MAX_ID_BASE);
		goto out;
	}
	{
		struct report_opts ro = { 0, PACKAGE_VERSION, dialects, verbose, excl_file, excl_dir,
					  nfound ? found[0].layout : NULL, shop.h.plugins ? &shop.h : NULL };
		ro.color = color_wanted(color, output);
		struct host_result h = shop.h;	/* its plugins, when looked at */
		h.host = (char *)o.params.host;
		h.a = &a;
		if (!strcmp(format, "json"))
			report_json(&a, &ro, &out);
		else if (!strcmp(format, "junit"))
			report_junit(&h, 1, &ro, &out);
		else if (!strcmp(format, "sarif"))
			report_sarif(&h, 1, &ro, excl_file ? excl_file : "klarna-exclusions.conf", &out);
		else if (!strcmp(format, "html"))
			report_html(&h, 1, &ro, &out);
		else
			report_text(&a, &ro, &out);
		/* the answer reaches the terminal even when the report goes
		 * elsewhere: stdout with -o, stderr when stdout is JSON */
		if (output || !strcmp(format, "json")) {
			ro.color = 0;
			report_summary(&a, &ro, &summary);
		}
	}
	if (excl_file) {
		struct strbuf ef = STRBUF_INIT;
		dialect_render(first_dialect, a.excl, a.nexcl, PACKAGE_VERSION, &ef);
		if (write_file_atomic(excl_file, ef.buf, ef.len, &err) < 0) {
			complain("%s", err.buf);
			strbuf_release(&ef);
			goto out;
		}
		strbuf_release(&ef);
	}
	for (int d = 0; excl_dir && d < D_COUNT; d++) {
		struct strbuf ef = STRBUF_INIT, path = STRBUF_INIT;
		int r;
		if (!(dialects & (1u << d)))
			continue;
		if (d == D_CRS_PLUGIN) {	/* a plugin is three files for CRS's plugins/ */
			if (write_crs_plugin(excl_dir, &a, &err) < 0) {
				complain("%s", err.buf);
				goto out;
			}
			continue;
		}
		dialect_render((enum dialect)d, a.excl, a.nexcl, PACKAGE_VERSION, &ef);
		strbuf_addf(&path, "%s/klarna-exclusions.%s", excl_dir, dialect_file((enum dialect)d));
		r = write_file_atomic(path.buf, ef.buf, ef.len, &err);
		strbuf_release(&ef);
		strbuf_release(&path);
		if (r < 0) {
			complain("%s", err.buf);
			goto out;
		}
	}
	if (export_ftw && ftw_export(&a, export_ftw, PACKAGE_VERSION, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (write_file_atomic(output ? output : "-", out.buf, out.len, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (summary.len && output && strcmp(output, "-")) {
		fputs(summary.buf, stdout);
		printf("Report: %s\n", output);
	} else if (summary.len && (excl_file || excl_dir || output)) {
		fputs(summary.buf, stderr);
	}
	{
		size_t passed, blocked, would;
		int unverified = 0;
		audit_counts(&a, &passed, &blocked, &would);
		for (size_t i = 0; i < a.nexcl; i++) {
			if (a.excl[i].verified)
				continue;
			if (a.excl[i].leaks)
				complain("exclusion for rule %ld on %s lets %d attack probe(s) through beyond its scope (see the report)",
					 a.excl[i].rule_id, a.excl[i].cb->name, a.excl[i].leaks);
			else
				complain("exclusion for rule %ld on %s did not make it pass (see the report)",
					 a.excl[i].rule_id, a.excl[i].cb->name);
			unverified = 1;
		}
		ret = (blocked || would || unverified || a.rs.server_fails) ? 1 : 0;
	}
out:
	found_free(found, nfound);
	audit_release(&a);
	shop_release(&shop);
	for (size_t i = 0; i < 3; i++)
		free(demo_paths[i]);
	cli_take_release(&t);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&summary);
	return ret;
}
