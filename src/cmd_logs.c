/* The logs command: from a server's ModSecurity logs to the callbacks it
 * lost, the orders to check, and (with its rules) verified exclusions. */
#include "audit.h"
#include "cliopts.h"
#include "commands.h"
#include "datadir.h"
#include "dialect.h"
#include "discover.h"
#include "logread.h"
#include "logs_report.h"
#include "util/fileio.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
"usage: modsec-callback-audit logs [options] FILE|DIR|-...\n"
"\n"
"Reads the server's ModSecurity logs and reports which payment callbacks\n"
"were blocked: when, by which rules, from where, and the order ids they\n"
"carried (the orders to check in the payment provider's portal). Blocked\n"
"payment requests no catalogue callback matches are listed too.\n"
"\n"
"Logs (detected by content, never by name; .gz read as is, .xz .zst .bz2\n"
"refused with the command that reads them; a directory is read\n"
"recursively; - is stdin):\n"
"  ModSecurity 2 audit log, native or JSON, Serial or Concurrent (the index\n"
"  file; the transactions' files are found under the index's directory),\n"
"  parts A B C F H K Z; libmodsecurity 3 audit log, JSON or native, Serial or\n"
"  Concurrent; Apache (mod_security2, any ErrorLogFormat, syslog-prefixed\n"
"  too) and nginx (ModSecurity-nginx) error logs. Records cut off by\n"
"  rotation or a crash are reported and skipped.\n"
"\n"
"      --since TIME           only records at or after TIME (2026-11-29,\n"
"                             '2026-11-29 20:00', 2026-11-29T20:00:00Z; no\n"
"                             zone = local time)\n"
"      --until TIME           only records at or before TIME\n"
"      --callbacks PATH       a callback catalogue file or directory (default:\n"
"                             the shipped ones, one per provider)\n"
"      --show-requests        also print the logged requests (bodies, cookies:\n"
"                             customers' personal data; off by default)\n"
"\n"
"Replay through today's rules (each distinct blocked request recorded in\n"
"full, parts B and C or a JSON record), with verified exclusions, as the\n"
"audit does:\n"
"  -r, --rules FILE           the server's rules (repeatable, in load order)\n"
"  -R, --rule TEXT            rules given inline\n"
"      --server-config FILE   the server's Apache or nginx configuration\n"
"      --root DIR             read DIR/etc/... for the server's /etc/...\n"
"      --discover             find the server's configuration under / or --root\n"
"      --engine v2|v3         the server's engine (default: what wrote the logs)\n"
"      --host NAME            the virtual host for --server-config\n"
"      --allow-lua            keep exec: Lua scripts (trusted rule sets only)\n"
"      --no-attack-probes     skip proving each exclusion's scope\n"
"      --source-ip CIDR,...   exclusions also require REMOTE_ADDR in these\n"
"      --exclusion-id-base N  first rule id of the exclusions (default 10000)\n"
"      --max-rounds N         exclusion rounds before giving up (default 8)\n"
"\n"
"Output:\n"
"      --format text|json     report format (default text; JSON in README.md)\n"
"  -o, --output FILE          write the report to FILE (atomically)\n"
"      --exclusions FILE      write the exclusions as an includable file\n"
"      --dialect LIST         its dialect (runtime default; see --help of audit)\n"
"  -h, --help                 this text\n"
"\n"
"Exit status: 0 no callback was blocked, 1 callbacks were blocked, 2 usage\n"
"or read error (one line naming FILE:LINE).\n";

enum {
	OPT_SINCE = OPT_OWN, OPT_UNTIL, OPT_SHOW, OPT_IDBASE, OPT_FORMAT, OPT_EXCL, OPT_DIALECT
};

static const struct option longopts[] = {
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "callbacks", required_argument, NULL, OPT_CALLBACKS },
	{ "show-requests", no_argument, NULL, OPT_SHOW },
	CLI_OPTS_RULES,
	{ "server-config", required_argument, NULL, OPT_SERVER },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "discover", no_argument, NULL, OPT_DISCOVER },
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "allow-lua", no_argument, NULL, OPT_LUA },
	{ "no-attack-probes", no_argument, NULL, OPT_NOPROBES },
	{ "source-ip", required_argument, NULL, OPT_SRCIP },
	{ "exclusion-id-base", required_argument, NULL, OPT_IDBASE },
	{ "max-rounds", required_argument, NULL, OPT_ROUNDS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "exclusions", required_argument, NULL, OPT_EXCL },
	{ "dialect", required_argument, NULL, OPT_DIALECT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int parse_time(const char *opt, const char *arg, long long *out)
{
	*out = logtime_iso(arg);
	if (*out < 0) {
		complain("%s: \"%s\" is not a time (2026-11-29, '2026-11-29 20:00[:00]', 2026-11-29T20:00:00Z)",
			 opt, arg);
		return -1;
	}
	return 0;
}

/* Replay the logged requests through the server's rules: the audit's
 * pipeline with the logged requests as its cases. */
static int replay(struct audit_opts *o, struct logs_report *lr, struct audit *a, struct strbuf *err)
{
	struct replay_req *rq = NULL;
	size_t n = 0, alloc = 0;
	int r;
	for (size_t i = 0; i < lr->cat->n; i++)
		for (size_t k = 0; k < lr->cbs[i].nreplay; k++) {
			ARRAY_PUSH(rq, n, alloc);
			rq[n].callback = lr->cbs[i].cb->name;
			rq[n].form = lr->cbs[i].replay[k].form;
			rq[n++].req = &lr->cbs[i].replay[k].req;
		}
	o->replay = rq;
	o->nreplay = n;
	if (!n) {
		free(rq);
		o->replay = NULL;
		return 1;	/* nothing to replay */
	}
	r = audit_run(o, a, err);
	free(rq);
	o->replay = NULL;
	if (r < 0)
		return -1;
	logs_report_replayed(lr, a);
	return 0;
}

int cmd_logs(int argc, char **argv)
{
	struct audit_opts o;
	struct audit a;
	struct catalog cat;
	struct logs_report lr;
	struct logsink sink;
	struct cli_take t;
	size_t nfiles = 0, nfound = 0;
	char **files = NULL;
	unsigned char *walked = NULL;
	const char *output = NULL, *excl_file = NULL, *format = "text";
	long long since = 0, until = 0;
	int c, ret = 2, show = 0, replayed = 0;
	unsigned dialects = 1u << D_RUNTIME;
	enum dialect first_dialect = D_RUNTIME;
	struct found *found = NULL;
	long v;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;

	audit_opts_init(&o);
	memset(&t, 0, sizeof(t));
	t.o = &o;
	t.params = &o.params;
	memset(&a, 0, sizeof(a));
	memset(&cat, 0, sizeof(cat));
	memset(&lr, 0, sizeof(lr));
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:R:o:h", longopts, NULL)) != -1) {
		int taken = cli_take(&t, c, optarg);
		if (taken < 0)
			goto out;
		if (taken)
			continue;
		switch (c) {
		case OPT_SINCE:
			if (parse_time("--since", optarg, &since) < 0)
				goto out;
			break;
		case OPT_UNTIL:
			if (parse_time("--until", optarg, &until) < 0)
				goto out;
			/* a bare date means the whole day */
			if (strlen(optarg) == 10)
				until += 86399;
			break;
		case OPT_SHOW:
			show = 1;
			break;
		case OPT_IDBASE:
			if (parse_number(optarg, 1, 99999, &v) < 0) {
				complain("--exclusion-id-base: \"%s\" is not a rule id in 1-99999", optarg);
				goto out;
			}
			o.id_base = v;
			break;
		case OPT_FORMAT:
			if (opt_choice("--format", optarg, (const char *const[]){ "text", "json", NULL }) < 0)
				goto out;
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_EXCL:
			excl_file = optarg;
			break;
		case OPT_DIALECT:
			if (dialects_parse(optarg, &dialects, &first_dialect) < 0) {
				complain("--dialect: \"%s\" is not a list of runtime, startup, apache, nginx, cpanel, cloudflare, paths", optarg);
				goto out;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			ret = 0;
			goto out;
		default:
			fputs("try 'modsec-callback-audit logs --help'\n", stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		complain("logs: name the log files or directories to read (- for stdin; try --help)");
		goto out;
	}
	if (since && until && since > until) {
		complain("--since is after --until");
		goto out;
	}
	if (excl_file && !t.nsrc && !o.server_config && !t.discover) {
		complain("--exclusions needs the server's rules (-r, --server-config or --discover) to verify them");
		goto out;
	}
	if (!t.catalogue)
		t.catalogue = datadir_path("callbacks");
	if (catalog_load(&cat, t.catalogue, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (logsrc_expand(argv + optind, (size_t)(argc - optind), &files, &nfiles, &walked, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	logs_report_init(&lr, &cat);
	lr.since = since;
	lr.until = until;
	lr.show_requests = show;
	lr.version = PACKAGE_VERSION;
	lr.dialects = dialects;
	logs_report_sink(&lr, &sink);
	if (logread_files(files, walked, nfiles, &sink, &lr.st, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}

	if (t.discover) {
		nfound = discover(o.root, &found);
		if (!nfound) {
			complain("--discover: no Apache, nginx, cPanel, Plesk or LiteSpeed configuration under %s",
				 o.root ? o.root : "/");
			goto out;
		}
		if (!o.server_config) {
			o.server_config = found[0].config;
			if (!t.engine_given)
				o.engine_v2 = found[0].engine_v2;
			t.engine_given = 1;
		}
	}
	if (o.server_config && !t.engine_given) {
		o.engine_v2 = !server_is_nginx(o.server_config);
		t.engine_given = 1;
	}
	/* the engine that wrote the logs, unless told */
	if (!t.engine_given)
		o.engine_v2 = (lr.engines & (1 << 2)) && !(lr.engines & (1 << 3));
	if (t.nsrc || o.server_config) {
		o.sources = t.src;
		o.nsources = t.nsrc;
		o.catalogue = t.catalogue;
		int r = replay(&o, &lr, &a, &err);
		if (r < 0) {
			complain("%s", err.buf);
			goto out;
		}
		replayed = r == 0;
		if (!replayed)
			lr.audit = &a;	/* rules given, nothing to replay: say so per callback */
	}
	if (!strcmp(format, "json"))
		logs_report_json(&lr, &out);
	else
		logs_report_text(&lr, &out);
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
	if (write_file_atomic(output ? output : "-", out.buf, out.len, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	ret = logs_callbacks_blocked(&lr) ? 1 : 0;
out:
	logs_report_release(&lr);
	audit_release(&a);
	catalog_release(&cat);
	found_free(found, nfound);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(walked);
	cli_take_release(&t);
	strbuf_release(&err);
	strbuf_release(&out);
	return ret;
}
