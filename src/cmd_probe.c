/* `probe URL`: send the catalogue's callbacks to a live site and say what
 * answered each one. */
#include "cliopts.h"
#include "commands.h"
#include "datadir.h"
#include "probe.h"
#include "report.h"
#include "util/fileio.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
"usage: modsec-callback-audit probe [options] URL\n"
"\n"
"Sends the catalogue's callbacks to a live shop (URL: its home URL,\n"
"e.g. https://shop.example.com or https://example.com/shop) one at a time,\n"
"and says what answered each: passed (2xx/3xx, the plugin's answer), or\n"
"blocked by ModSecurity/Comodo, LiteSpeed, Imunify360, Wordfence,\n"
"Cloudflare or Sucuri, or an error (DNS, connection, TLS, timeout).\n"
"Every request carries a fake Klarna order id (" PROBE_FAKE_ORDER_ID ")\n"
"and the header '" PROBE_HEADER ": probe <marker>', so the shop treats it\n"
"as an unknown order and its logs name the tool.\n"
"\n"
"Callbacks (as for the audit):\n"
"      --callbacks PATH       a callback catalogue file or directory (default:\n"
"                             the shipped ones, one per provider)\n"
"      --provider NAME,...    only these providers' callbacks\n"
"      --callback NAME        probe only this callback (repeatable)\n"
"      --kco-version X.Y.Z    only what that Klarna Checkout version sends\n"
"      --url-form FORMS       path,index,query or all (default all)\n"
"      --host NAME            the Host header (default: the URL's host)\n"
"  -H, --header 'N: V'        set a header on every callback ('N:' removes it)\n"
"      --order-id ID          the Klarna order id sent (default the fake one)\n"
"\n"
"Readiness (checked before the callbacks; each a verdict with evidence):\n"
"      --checks LIST          https, http-redirect, permalinks,\n"
"                             no-lang-redirect, public-address, all (default)\n"
"                             or none\n"
"      --checks-only          run the checks, send no callbacks\n"
"      --http-url URL         the site's http:// URL when it is not the https\n"
"                             URL's own (another port)\n"
"      --cacert FILE          CA certificates to verify the site's with\n"
"\n"
"Sending:\n"
"      --dry-run              list the checks and print the curl commands\n"
"                             instead of sending\n"
"      --timeout SECONDS      per request (default 15; Klarna waits 10)\n"
"  -k, --insecure             do not verify the TLS certificate\n"
"\n"
"The server's side (a server you run, e.g. a staging copy):\n"
"      --error-log FILE       its error log: each probe's ModSecurity lines\n"
"                             (matched by the marker as unique_id, else by uri)\n"
"                             give the rule ids; nginx needs 'error_log ... info'\n"
"  -r, --rules FILE           its rules (repeatable): name the anomaly\n"
"                             contributors the way the audit does\n"
"  -R, --rule TEXT            rules given inline\n"
"      --settle MS            quiet time before reading the log (default 50)\n"
"\n"
"Output:\n"
"      --format text|json     report format (default text)\n"
"  -o, --output FILE          write the report to FILE (atomically)\n"
"      --color WHEN           auto, always or never (default auto)\n"
"  -h, --help                 this text\n"
"\n"
"Exit status: 0 every callback passed and no readiness check failed (or\n"
"--dry-run), 1 at least one did not (blocked, error or another answer, or\n"
"a failed check), 2 usage error.\n";

enum {
	OPT_FORMAT = OPT_OWN, OPT_COLOR, OPT_DRY, OPT_TIMEOUT, OPT_LOG, OPT_SETTLE, OPT_CACERT, OPT_CHECKS,
	OPT_CHECKS_ONLY, OPT_HTTP_URL
};

static const struct option longopts[] = {
	CLI_OPTS_SELECT,
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "insecure", no_argument, NULL, 'k' },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "checks", required_argument, NULL, OPT_CHECKS },
	{ "checks-only", no_argument, NULL, OPT_CHECKS_ONLY },
	{ "http-url", required_argument, NULL, OPT_HTTP_URL },
	{ "error-log", required_argument, NULL, OPT_LOG },
	CLI_OPTS_RULES,
	{ "settle", required_argument, NULL, OPT_SETTLE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int cmd_probe(int argc, char **argv)
{
	struct probe_opts o;
	struct probe p;
	struct cli_take t;
	const char *output = NULL, *format = "text", *color = "auto";
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	int c, ret = 2;
	long v;

	memset(&o, 0, sizeof(o));
	memset(&p, 0, sizeof(p));
	build_params_defaults(&o.params);
	o.params.host = NULL;
	o.params.klarna_order_id = PROBE_FAKE_ORDER_ID;
	o.forms = URL_FORMS_WC;
	o.http.timeout_ms = 15000;
	o.settle_ms = 50;
	o.checks = RD_ALL;
	memset(&t, 0, sizeof(t));
	t.params = &o.params;
	t.providers = &o.providers;
	t.kco_version = &o.kco_version;
	t.forms = &o.forms;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:R:H:o:kh", longopts, NULL)) != -1) {
		int taken = cli_take(&t, c, optarg);
		if (taken < 0)
			goto out;
		if (taken)
			continue;
		switch (c) {
		case OPT_DRY:
			o.dry_run = 1;
			break;
		case OPT_TIMEOUT:
			if (parse_number(optarg, 1, 600, &v) < 0) {
				complain("--timeout: \"%s\" is not a number of seconds from 1 to 600", optarg);
				goto out;
			}
			o.http.timeout_ms = v * 1000;
			break;
		case 'k':
			o.http.insecure = 1;
			break;
		case OPT_CACERT:
			if (access(optarg, R_OK) < 0) {
				complain("--cacert: %s: cannot read it", optarg);
				goto out;
			}
			o.http.cacert = optarg;
			break;
		case OPT_CHECKS:
			if (rd_checks_parse(optarg, &o.checks) < 0) {
				complain("--checks: \"%s\" is not a list of https, http-redirect, permalinks, "
					 "no-lang-redirect, public-address, all or none", optarg);
				goto out;
			}
			break;
		case OPT_CHECKS_ONLY:
			o.checks_only = 1;
			break;
		case OPT_HTTP_URL: {
			char *b = NULL, *h = NULL;
			if (http_parse_base(optarg, &b, &h, &err) < 0 || strncmp(optarg, "http://", 7)) {
				complain("--http-url: \"%s\" is not an http:// URL%s%s", optarg,
					 err.len ? ": " : "", err.buf ? err.buf : "");
				free(b);
				free(h);
				goto out;
			}
			free(b);
			free(h);
			o.http_url = optarg;
			break;
		}
		case OPT_LOG:
			o.error_log = optarg;
			break;
		case OPT_SETTLE:
			if (parse_number(optarg, 0, 5000, &v) < 0) {
				complain("--settle: \"%s\" is not a number of milliseconds from 0 to 5000", optarg);
				goto out;
			}
			o.settle_ms = (int)v;
			break;
		case OPT_FORMAT:
			if (opt_choice("--format", optarg, (const char *const[]){ "text", "json", NULL }) < 0)
				goto out;
			format = optarg;
			break;
		case 'o':
			output = optarg;
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
		default:
			fputs("try 'modsec-callback-audit probe --help'\n", stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		complain("probe: the shop's URL is missing (try probe --help)");
		goto out;
	}
	if (output_path_check(output, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (optind + 1 < argc) {
		complain("probe: unexpected argument \"%s\" (one URL only)", argv[optind + 1]);
		goto out;
	}
	o.url = argv[optind];
	if (!t.catalogue)
		t.catalogue = datadir_path("callbacks");
	o.catalogue = t.catalogue;
	o.names = t.names;
	o.nnames = t.nnames;
	o.params.header_overrides = t.headers;
	o.params.noverrides = t.nheaders;
	o.sources = t.src;
	o.nsources = t.nsrc;

	if (probe_run(&o, &p, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	{
		struct report_opts ro = { 0, PACKAGE_VERSION, 0, 0, NULL, NULL, NULL, NULL };
		ro.color = color_wanted(color, output);
		if (!strcmp(format, "json"))
			report_probe_json(&p, &ro, &out);
		else
			report_probe_text(&p, &ro, &out);
	}
	if (write_file_atomic(output ? output : "-", out.buf, out.len, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	{
		size_t passed, blocked, errors, other;
		probe_counts(&p, &passed, &blocked, &errors, &other);
		ret = (!o.dry_run && (passed != p.ncases || readiness_failed(&p.rd))) ? 1 : 0;
	}
out:
	probe_release(&p);
	cli_take_release(&t);
	strbuf_release(&err);
	strbuf_release(&out);
	return ret;
}
