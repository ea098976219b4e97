/* The test command: run ftw regression tests (both dialects) in-process. */
#include "cliopts.h"
#include "commands.h"
#include "engine.h"
#include "ftwtest.h"
#include "ftwrun.h"
#include "overrides.h"
#include "ruleset.h"
#include "test_report.h"
#include "util/fileio.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
"usage: modsec-callback-audit test -r RULES... [options] TESTS...\n"
"\n"
"Runs WAF regression tests written for go-ftw (schema v2) or the legacy\n"
"ftw (CRS 3.3) through the rules in-process, as a server with those rules\n"
"would answer, and reports PASSED/FAILED per test. TESTS are YAML files or\n"
"directories searched for *.yaml and *.yml. The engine mode is the rule\n"
"set's own SecRuleEngine.\n"
"\n"
"Rules (loaded in order; each -r/-R is its own load; Includes are followed):\n"
"  -r, --rules FILE           a ModSecurity configuration file, or a quoted\n"
"                             glob ('rules/*.conf': the files, as one load)\n"
"  -R, --rule TEXT            rules given inline\n"
"\n"
"Server and selection:\n"
"      --platform NAME        nginx (default: the server libmodsecurity 3 runs\n"
"                             in) or apache: read each request as that server\n"
"                             does and answer what it answers itself (400,\n"
"                             414, 501, 505, dropped headers) before the WAF\n"
"      --engine v2|v3         the WAF: v3 (libmodsecurity, nginx's) or v2\n"
"                             (mod_security2, Apache's): read the rules and\n"
"                             fill REQUEST_BODY as ModSecurity 2 does (default:\n"
"                             v2 with --platform apache, else v3)\n"
"      --backend NAME         what answers behind the WAF: albedo (default:\n"
"                             CRS's test backend, an empty 200; /reflect\n"
"                             answers what its body asks, as do the URIs\n"
"                             a /configure_reflection sets up for the rest\n"
"                             of the test) or page (a 200\n"
"                             text/html page for every path, as a site does:\n"
"                             phase 4 rules see a response body, e.g. MRTS's)\n"
"      --overrides FILE       go-ftw platform overrides (test_overrides:,\n"
"                             ignore:), e.g. CRS's nginx-overrides.yaml\n"
"  -i, --include REGEX        run only tests whose id matches (942100-1)\n"
"  -e, --exclude REGEX        skip tests whose id matches\n"
"\n"
"Running and output:\n"
"  -j, --jobs N               worker threads (default: the number of cores)\n"
"      --format FMT           text (default), json, junit or github\n"
"  -o, --output FILE          write the report to FILE (atomically)\n"
"      --color WHEN           auto, always or never (default auto)\n"
"  -h, --help                 this text\n"
"\n"
"A test file go-ftw would refuse counts as one failed test (its reason on\n"
"stderr, naming file:line) and the run goes on; an encoded_request that\n"
"is not base64 fails only its test; a file without tests has none; a test\n"
"without stages is skipped; unknown keys are ignored with a warning.\n"
"Ends with \"N passed, N failed, N skipped\". Exit status:\n"
"0 every test run passed, 1 at least one failed, 2 usage or load error\n"
"(rules, overrides, or no test file readable: one line naming file:line).\n"
"Under --engine v2, a directive Apache starts with but libmodsecurity\n"
"3.0.9 cannot read is left out with a note, as the audit does.\n";

/* --engine is the shared code (cliopts.h), read here: test keeps its rules itself */
enum { OPT_OVERRIDES = OPT_OWN, OPT_FORMAT, OPT_COLOR, OPT_PLATFORM, OPT_BACKEND };

static const struct option longopts[] = {
	CLI_OPTS_RULES,
	{ "overrides", required_argument, NULL, OPT_OVERRIDES },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "include", required_argument, NULL, 'i' },
	{ "exclude", required_argument, NULL, 'e' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

enum format { FMT_TEXT, FMT_JSON, FMT_JUNIT, FMT_GITHUB };

/* The text after "FILE:LINE: " in a warning line (the line when none). */
static const char *warning_text(const char *line, const char *end)
{
	for (const char *p = line; p < end; p++) {
		const char *q = p + 1;
		if (*p != ':' || q >= end || *q < '0' || *q > '9')
			continue;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q + 1 < end && q[0] == ':' && q[1] == ' ')
			return q + 2;
	}
	return line;
}

/* Ignored keys and refused files, one line each on stderr; the run goes on.
 * A key ignored again and again (a generated corpus: MRTS's "ruleid" in
 * each of its 111 tests) is said once, at its first place, with the count
 * of the others, as check groups its notes. Few distinct texts: a list. */
static void print_warnings(const char *buf)
{
	struct group { const char *t; size_t len, n; int said; } *g = NULL;
	size_t ng = 0, ag = 0;
	for (int pass = 0; pass < 2; pass++)
		for (const char *p = buf, *nl; *p; p = nl + 1) {
			const char *t;
			size_t tl, k;
			nl = strchr(p, '\n');
			t = warning_text(p, nl);
			tl = (size_t)(nl - t);
			if (!strstr(t, "unknown key")) {
				if (pass)
					complain("%.*s", (int)(nl - p), p);
				continue;
			}
			for (k = 0; k < ng && !(g[k].len == tl && !memcmp(g[k].t, t, tl)); k++)
				;
			if (!pass) {
				if (k == ng) {
					ARRAY_PUSH(g, ng, ag);
					g[ng++] = (struct group){ t, tl, 0, 0 };
				}
				g[k].n++;
			} else if (!g[k].said) {
				g[k].said = 1;
				if (g[k].n > 1)
					complain("%.*s (and %zu more places)", (int)(nl - p), p, g[k].n - 1);
				else
					complain("%.*s", (int)(nl - p), p);
			}
		}
	free(g);
}

/* What the streaming callback needs. */
struct emit {
	enum format fmt;
	int color;
	int stream;		/* print each line as it comes (stdout, line formats) */
	struct strbuf out;
	struct test_summary sum;
};

static void on_result(const struct ftw_result *r, void *arg)
{
	struct emit *em = arg;
	size_t before = em->out.len;
	test_summary_add(&em->sum, r);
	if (em->fmt == FMT_TEXT)
		test_report_text_line(&em->out, r, em->color);
	else if (em->fmt == FMT_GITHUB)
		test_report_github_line(&em->out, r);
	if (em->stream && em->out.len > before) {
		fwrite(em->out.buf, 1, em->out.len, stdout);
		fflush(stdout);
		strbuf_reset(&em->out);
	}
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Mark the tests --include/--exclude leave out. */
static int select_tests(struct ftw_suite *s, const char *include, const char *exclude,
			struct strbuf *err)
{
	struct ftw_regex inc = { NULL, NULL }, exc = { NULL, NULL };
	int ret = 0;
	if (include && ftw_regex_compile(&inc, include, err) < 0) {
		ret = -1;
		goto out;
	}
	if (exclude && ftw_regex_compile(&exc, exclude, err) < 0) {
		ret = -1;
		goto out;
	}
	for (size_t f = 0; f < s->nfiles; f++) {
		for (size_t t = 0; t < s->files[f].ntests; t++) {
			struct ftw_test *test = &s->files[f].tests[t];
			size_t len = strlen(test->id);
			const char *why = NULL;
			if (include && !ftw_regex_match(&inc, test->id, len))
				why = "not matched by --include";
			else if (exclude && ftw_regex_match(&exc, test->id, len))
				why = "matched by --exclude";
			if (!why)
				continue;
			free(test->skip);
			test->skip = xstrdup(why);
			test->filtered = 1;
		}
	}
out:
	ftw_regex_release(&inc);
	ftw_regex_release(&exc);
	return ret;
}

int cmd_test(int argc, char **argv)
{
	struct ruleset rs;
	struct ftw_suite suite;
	struct ftw_overrides ov;
	struct emit em;
	struct strbuf err = STRBUF_INIT;
	const char *overrides = NULL, *include = NULL, *exclude = NULL, *output = NULL;
	const char *color = "auto";
	const struct ftw_test **tests = NULL;
	struct ftw_result *results = NULL;
	size_t ntests = 0, nsources = 0;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int c, ret = 2, engine = 0;	/* 0: from the platform, else 2 or 3 */
	int page = 0;			/* --backend page */
	char **sources = NULL;		/* "r" or "R" then the argument, in order */
	double t0;

	ruleset_init(&rs);
	ftw_suite_init(&suite);
	memset(&ov, 0, sizeof(ov));
	memset(&em, 0, sizeof(em));
	strbuf_init(&em.out, 0);
	if (jobs < 1)
		jobs = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:R:i:e:j:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'R':
			/* loaded in order once --engine is known */
			sources = xrealloc(sources, (nsources + 1) * sizeof(*sources));
			sources[nsources++] = xasprintf("%c%s", c, optarg);
			break;
		case OPT_ENGINE:
			if (opt_choice("--engine", optarg, (const char *const[]){ "v2", "v3", NULL }) < 0)
				goto out;
			engine = optarg[1] - '0';
			break;
		case OPT_OVERRIDES:
			overrides = optarg;
			break;
		case OPT_BACKEND:
			page = opt_choice("--backend", optarg, (const char *const[]){ "albedo", "page", NULL });
			if (page < 0)
				goto out;
			break;
		case OPT_PLATFORM:
			if (platform_from_name(optarg, &suite.platform) < 0) {
				complain("--platform: \"%s\" is not nginx or apache", optarg);
				goto out;
			}
			break;
		case 'i':
			include = optarg;
			break;
		case 'e':
			exclude = optarg;
			break;
		case 'j': {
			char *end;
			jobs = strtol(optarg, &end, 10);
			if (!*optarg || *end || jobs < 1 || jobs > 256) {
				complain("--jobs: \"%s\" is not a number from 1 to 256", optarg);
				goto out;
			}
			break;
		}
		case OPT_FORMAT:
		{	/* in enum format's order */
			int f = opt_choice("--format", optarg,
					   (const char *const[]){ "text", "json", "junit", "github", NULL });
			if (f < 0)
				goto out;
			em.fmt = (enum format)f;
			break;
		}
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
			fputs("try 'modsec-callback-audit test --help'\n", stderr);
			goto out;
		}
	}
	if (!nsources) {
		complain("test: no rules (give -r FILE or -R TEXT; try test --help)");
		goto out;
	}
	if (optind >= argc) {
		complain("test: no test files or directories given (try test --help)");
		goto out;
	}
	/* Apache runs mod_security2: its tests record ModSecurity 2's answers */
	rs.engine_v2 = engine ? engine == 2 : suite.platform == PLATFORM_APACHE;
	for (size_t i = 0; i < nsources; i++) {
		const char *arg = sources[i] + 1;
		if ((sources[i][0] == 'r' ? ruleset_add_file(&rs, arg, &err)
					  : ruleset_add_text(&rs, "(command line)", arg, &err)) < 0) {
			complain("%s", err.buf);
			goto out;
		}
	}
	/* Apache + mod_security2 starts with ModSecurity 2 syntax 3.0.9's
	 * parser cannot read (CRS 3.3.10's 901181: ctl:...;XML://@*): leave
	 * that directive out, as the audit does, and say so; nginx would not
	 * start, so under v3 the load error stands (exit 2) */
	if (rs.engine_v2) {
		if (ruleset_fit(&rs, &err) < 0) {
			complain("%s", err.buf);
			goto out;
		}
		for (size_t i = 0; i < rs.nnotes; i++)
			if (strstr(rs.notes[i].what, "not audited"))
				complain("note: %s:%d: %s%s", rs.notes[i].at.file ? rs.notes[i].at.file : "",
					 rs.notes[i].at.line, rs.notes[i].what,
					 rs.notes[i].count > 1 ? " (and more places)" : "");
	}
	if (output_path_check(output, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (ftw_suite_load(&suite, (const char *const *)argv + optind, (size_t)(argc - optind), &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (page)
		server_page_backend(&suite);
	if (suite.nfiles && suite.nrefused == suite.nfiles) {
		/* nothing could be read: a load error, not a test result */
		for (size_t f = 0; f < suite.nfiles; f++)
			complain("%s", suite.files[f].tests[0].broken);
		goto out;
	}
	print_warnings(suite.warnings.buf);
	if (overrides) {
		struct strbuf warn = STRBUF_INIT;
		int r = overrides_load(&ov, overrides, &err, &warn);
		print_warnings(warn.buf);
		strbuf_release(&warn);
		if (r < 0) {
			complain("%s", err.buf);
			goto out;
		}
		overrides_apply(&ov, &suite);
	}
	if (select_tests(&suite, include, exclude, &err) < 0) {
		complain("--include/--exclude: %s", err.buf);
		goto out;
	}
	for (size_t f = 0; f < suite.nfiles; f++)
		for (size_t t = 0; t < suite.files[f].ntests; t++) {
			tests = xrealloc(tests, (ntests + 1) * sizeof(*tests));
			tests[ntests++] = &suite.files[f].tests[t];
		}
	if (!ntests) {
		complain("test: no ftw tests in the files given");
		goto out;
	}
	em.color = color_wanted(color, output);
	em.stream = !output && (em.fmt == FMT_TEXT || em.fmt == FMT_GITHUB);
	em.sum.jobs = (int)jobs;
	em.sum.rule_engine = rs.rule_engine;
	em.sum.emulates = rs.engine_v2 ? "v2" : "v3";
	em.sum.version = PACKAGE_VERSION;
	em.sum.nfiles = suite.nfiles;
	results = xcalloc(ntests, sizeof(*results));
	t0 = now_ms();
	{
		struct ftw_run_opts o = { (int)jobs, on_result, &em };
		if (ftw_run(&rs, tests, ntests, &o, results, &err) < 0) {
			complain("%s", err.buf);
			goto out;
		}
	}
	em.sum.wall_ms = now_ms() - t0;
	{
		struct engine *e = engine_new_mode(NULL, &err);
		em.sum.library = e ? engine_version(e) : NULL;
		if (em.fmt == FMT_JSON)
			test_report_json(&em.out, results, ntests, &em.sum);
		else if (em.fmt == FMT_JUNIT)
			test_report_junit(&em.out, results, ntests, &em.sum);
		else
			test_report_summary(&em.out, &em.sum);
		engine_free(e);
	}
	if (write_file_atomic(output ? output : "-", em.out.buf, em.out.len, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (output) {
		struct strbuf line = STRBUF_INIT;
		test_report_summary(&line, &em.sum);
		fputs(line.buf, stdout);
		strbuf_release(&line);
	}
	ret = em.sum.failed ? 1 : 0;
out:
	for (size_t i = 0; results && i < ntests; i++)
		ftw_result_release(&results[i]);
	free(results);
	free(tests);
	for (size_t i = 0; i < nsources; i++)
		free(sources[i]);
	free(sources);
	ftw_suite_release(&suite);
	overrides_release(&ov);
	ruleset_release(&rs);
	strbuf_release(&em.out);
	strbuf_release(&err);
	return ret;
}
