/*
 * ruleset: reading a server's configuration (Includes, globs), making it
 * safe to run (settings, exec:, @rbl, data files), and indexing it. Every
 * unit produced here is also loaded into a real engine.
 */
#include "unit.h"
#include "logline.h"
#include "util/fileio.h"

#include <stdlib.h>
#include <string.h>

/* A server configuration that exercises the reader; line numbers matter. */
static const char main_conf[] =
	"# the server's main file\n"					/* 1 */
	"SecRuleEngine DetectionOnly\n"					/* 2 */
	"Include sub/one.conf\n"					/* 3 */
	"Include globbed/*.conf\n"					/* 4 */
	"IncludeOptional nothere/*.conf\n"				/* 5 */
	"SecAuditLog /var/log/x.log\n"					/* 6 */
	"SecDebugLog /tmp/debug.log\n"					/* 7 */
	"SecDataDir /var/cache/x\n"					/* 8 */
	"SecRequestBodyInMemoryLimit 131072\n"				/* 9 */
	"SecRule ARGS \"@contains exec-marker\" \"id:5001,phase:2,pass,log,exec:/tmp/x.lua,msg:'with exec'\"\n" /* 10 */
	"SecRule REMOTE_ADDR \"@rbl sbl.example.org\" \"id:5002,phase:1,deny,chain\"\n" /* 11 */
	"\tSecRule ARGS \"@contains rbl-link-one\" \"t:none,chain\"\n"	/* 12 */
	"\tSecRule REQUEST_METHOD \"@streq RBLLINKTWO\" \"t:none\"\n"	/* 13 */
	"SecRule ARGS \"@pmFromFile words.txt\" \"id:5003,phase:2,deny,status:403,log\"\n" /* 14 */
	"SecRule ARGS_NAMES \"@rx ^sess\" \"id:5004,phase:2,deny,status:403,log,\\\n" /* 15 */
	"\tchain\"\n"							/* 16 */
	"\tSecRule &REQUEST_HEADERS:Referer \"@eq 0\" \"t:none\"\n"	/* 17 */
	"SecRule ARGS \"@contains chain-then-rbl\" \"id:5005,phase:2,pass,chain\"\n" /* 18 */
	"\tSecRule REMOTE_ADDR \"@rbl bl.example.net\" \"t:none\"\n"	/* 19 */
	"IncludeOptional nothere.conf\n";				/* 20 */

/* Write the configuration tree and read it; the unit is the only one. */
static char *load_tree(struct ruleset *rs)
{
	char *main_path, *p;
	p = unit_write("tree/sub/one.conf",
		       "# included by a relative path\n"
		       "SecRule ARGS \"@streq one\" \"id:5101,phase:2,pass,log\"\n");
	free(p);
	/* b first: the glob's order is the sorted one, not creation order */
	p = unit_write("tree/globbed/b.conf", "SecRule ARGS \"@streq b\" \"id:5202,phase:2,pass\"\n");
	free(p);
	p = unit_write("tree/globbed/a.conf", "SecRule ARGS \"@streq a\" \"id:5201,phase:2,pass\"\n");
	free(p);
	p = unit_write("tree/words.txt", "attackword\nevilword\n");
	free(p);
	main_path = unit_write("tree/main.conf", main_conf);
	ruleset_init(rs);
	unit_ruleset_file(rs, main_path);
	ck_assert_uint_eq(rs->nunits, 1);
	return main_path;
}

static const struct note *note_with(const struct ruleset *rs, const char *text)
{
	for (size_t i = 0; i < rs->nnotes; i++)
		if (strstr(rs->notes[i].what, text))
			return &rs->notes[i];
	return NULL;
}

/* The output line (1-based) of unit `u` holding `text`, 0 when none. */
static int out_line(const struct ruleset *rs, size_t u, const char *text)
{
	const char *buf = rs->units[u].text.buf, *at = strstr(buf, text);
	int line = 1;
	if (!at)
		return 0;
	for (const char *p = buf; p < at; p++)
		line += *p == '\n';
	return line;
}

/* `first` and `second` are both in `text`, in that order. */
static void assert_before(const char *text, const char *first, const char *second)
{
	const char *a = strstr(text, first), *b = strstr(text, second);
	ck_assert_msg(a && b, "\"%s\" or \"%s\" missing", first, second);
	ck_assert_msg(a < b, "\"%s\" comes after \"%s\"", first, second);
}

/* Includes are followed relative to the including file; a glob loads its
 * files in sorted order; IncludeOptional of nothing is fine. */
START_TEST(includes_and_globs)
{
	struct ruleset rs;
	char *main_path = load_tree(&rs);
	char *one = xasprintf("%s/tree/sub/one.conf", unit_tmpdir());
	const struct ruleinfo *r5101 = ruleset_find(&rs, 5101);
	const struct ruleinfo *a = ruleset_find(&rs, 5201), *b = ruleset_find(&rs, 5202);
	const char *text = rs.units[0].text.buf;

	ck_assert_ptr_nonnull(r5101);
	ck_assert_str_eq(r5101->at.file, one);
	ck_assert_int_eq(r5101->at.line, 2);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_msg(a < b, "5201 (a.conf) not indexed before 5202 (b.conf)");
	assert_before(text, "id:5201", "id:5202");
	assert_before(text, "id:5101", "id:5201");
	assert_before(text, "id:5202", "id:5001");
	ck_assert_ptr_null(strstr(text, "Include"));
	free(one);
	free(main_path);
	ruleset_release(&rs);
}
END_TEST

/* SecRuleEngine is recorded with where it was set, and not passed on. */
START_TEST(rule_engine_recorded)
{
	struct ruleset rs;
	char *main_path = load_tree(&rs);
	ck_assert_str_eq(rs.rule_engine, "DetectionOnly");
	ck_assert_str_eq(rs.rule_engine_at.file, main_path);
	ck_assert_int_eq(rs.rule_engine_at.line, 2);
	ck_assert_ptr_null(strstr(rs.units[0].text.buf, "SecRuleEngine"));
	free(main_path);
	ruleset_release(&rs);
}
END_TEST

/* Log and data settings are dropped with a note naming file:line;
 * SecRequestBodyInMemoryLimit (refused by libmodsecurity 3) is skipped. */
START_TEST(settings_removed_with_notes)
{
	static const struct { const char *name; int line; } dropped[] = {
		{ "SecAuditLog", 6 }, { "SecDebugLog", 7 }, { "SecDataDir", 8 },
		{ "SecRequestBodyInMemoryLimit", 9 },
	};
	struct ruleset rs;
	char *main_path = load_tree(&rs);

	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		char *what = xasprintf("%s: ", dropped[i].name);
		const struct note *n = note_with(&rs, what);
		ck_assert_msg(n != NULL, "no note for %s", dropped[i].name);
		ck_assert_str_eq(n->at.file, main_path);
		ck_assert_int_eq(n->at.line, dropped[i].line);
		ck_assert_msg(strstr(rs.units[0].text.buf, dropped[i].name) == NULL,
			      "%s still in the unit", dropped[i].name);
		free(what);
	}
	ck_assert_ptr_nonnull(strstr(note_with(&rs, "SecRequestBodyInMemoryLimit")->what, "skipped"));
	free(main_path);
	ruleset_release(&rs);
}
END_TEST

/* exec: is removed from the actions (with a note); the rule stays. */
START_TEST(exec_removed_rule_kept)
{
	struct ruleset rs;
	char *main_path = load_tree(&rs);
	const struct note *n = note_with(&rs, "exec:/tmp/x.lua");
	const struct ruleinfo *ri = ruleset_find(&rs, 5001);

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->at.line, 10);
	ck_assert_ptr_nonnull(ri);
	ck_assert_str_eq(ri->msg, "with exec");
	ck_assert_ptr_nonnull(strstr(rs.units[0].text.buf, "id:5001"));
	ck_assert_ptr_null(strstr(rs.units[0].text.buf, "exec:"));
	ck_assert_ptr_null(strstr(rs.units[0].text.buf, "x.lua"));
	free(main_path);
	ruleset_release(&rs);
}
END_TEST

/* A rule using @rbl goes with its whole chain, whether @rbl is in the
 * first link or a later one; a note says why; the id is not found. */
START_TEST(rbl_chain_dropped)
{
	struct ruleset rs;
	char *main_path = load_tree(&rs);
	const char *text = rs.units[0].text.buf;
	const struct note *n5002 = note_with(&rs, "rule 5002 not audited");
	const struct note *n5005 = note_with(&rs, "rule 5005 not audited");

	ck_assert_ptr_null(ruleset_find(&rs, 5002));
	ck_assert_ptr_null(ruleset_find(&rs, 5005));
	ck_assert_ptr_nonnull(n5002);
	ck_assert_ptr_nonnull(strstr(n5002->what, "@rbl"));
	ck_assert_int_eq(n5002->at.line, 11);
	ck_assert_ptr_nonnull(n5005);
	ck_assert_int_eq(n5005->at.line, 18);
	ck_assert_ptr_null(strstr(text, "@rbl"));
	ck_assert_ptr_null(strstr(text, "id:5002"));
	ck_assert_ptr_null(strstr(text, "rbl-link-one"));
	ck_assert_ptr_null(strstr(text, "RBLLINKTWO"));
	ck_assert_ptr_null(strstr(text, "chain-then-rbl"));
	free(main_path);
	ruleset_release(&rs);
}
END_TEST

/* @pmFromFile's relative data file is made absolute, beside the conf file
 * (the test runs from another directory, so the engine finds the file only
 * through the rewrite), and the rule then matches a word from the file. */
START_TEST(data_file_made_absolute)
{
	struct ruleset rs;
	char *main_path = load_tree(&rs);
	char *want = xasprintf("@pmFromFile %s/tree/words.txt", unit_tmpdir());
	struct engine *e;
	struct request req;
	struct txresult tx;
	struct match m;

	ck_assert_msg(strstr(rs.units[0].text.buf, want) != NULL, "unit text:\n%s", rs.units[0].text.buf);
	e = unit_engine(&rs, NULL);
	request_init(&req);
	free(req.uri);
	req.uri = xstrdup("/?q=some%20evilword%20here");
	request_add_header(&req, "Host", "shop.example.com");
	engine_run(e, &req, NULL, &tx);
	ck_assert_int_eq(tx.disrupted, 1);
	ck_assert_int_eq(logline_parse(tx.intervention_log, &m), 0);
	ck_assert_int_eq(m.id, 5003);
	match_release(&m);
	txresult_release(&tx);
	request_release(&req);
	engine_free(e);
	free(want);
	free(main_path);
	ruleset_release(&rs);
}
END_TEST

/* The rule index: file:line of a rule (the line its directive starts on,
 * continuations included), phase, chain and disruptive flags. */
START_TEST(index_and_origin)
{
	struct ruleset rs;
	char *main_path = load_tree(&rs);
	const struct ruleinfo *r5004 = ruleset_find(&rs, 5004), *r5001 = ruleset_find(&rs, 5001);
	char *one = xasprintf("%s/tree/sub/one.conf", unit_tmpdir());
	struct origin o;
	int l;

	ck_assert_ptr_nonnull(r5004);
	ck_assert_str_eq(r5004->at.file, main_path);
	ck_assert_int_eq(r5004->at.line, 15);
	ck_assert_int_eq(r5004->chained, 1);
	ck_assert_int_eq(r5004->disruptive, 1);
	ck_assert_int_eq(r5004->phase, 2);
	ck_assert_str_eq(r5004->vars, "ARGS_NAMES");
	ck_assert_str_eq(r5004->op, "@rx ^sess");
	ck_assert_uint_eq(r5004->unit, 0);
	ck_assert_int_eq(r5001->chained, 0);
	ck_assert_int_eq(r5001->disruptive, 0);

	/* output lines map back to where they were written */
	l = out_line(&rs, 0, "id:5004");
	ck_assert_int_gt(l, 0);
	o = ruleset_origin(&rs, 0, l);
	ck_assert_str_eq(o.file, main_path);
	ck_assert_int_eq(o.line, 15);
	l = out_line(&rs, 0, "&REQUEST_HEADERS:Referer");
	o = ruleset_origin(&rs, 0, l);
	ck_assert_int_eq(o.line, 17);
	l = out_line(&rs, 0, "id:5101");
	o = ruleset_origin(&rs, 0, l);
	ck_assert_str_eq(o.file, one);
	ck_assert_int_eq(o.line, 2);
	ck_assert_ptr_null(ruleset_origin(&rs, 0, 0).file);
	ck_assert_ptr_null(ruleset_origin(&rs, 0, 100000).file);
	ck_assert_ptr_null(ruleset_origin(&rs, 1, 1).file);
	free(one);
	free(main_path);
	ruleset_release(&rs);
}
END_TEST

/* What the reader produced loads in libmodsecurity, and runs as a
 * blocking server would: the server's DetectionOnly is not applied, the
 * chained 5004 denies, the exec rule still logs. */
START_TEST(unit_loads_and_runs)
{
	struct ruleset rs;
	char *main_path = load_tree(&rs);
	struct engine *e = unit_engine(&rs, NULL);
	struct request req;
	struct txresult tx;
	struct match m;
	int seen5001 = 0;

	request_init(&req);
	free(req.uri);
	req.uri = xstrdup("/?session_a=1&b=exec-marker");
	request_add_header(&req, "Host", "shop.example.com");
	engine_run(e, &req, NULL, &tx);
	ck_assert_int_eq(tx.disrupted, 1);
	ck_assert_int_eq(logline_parse(tx.intervention_log, &m), 0);
	ck_assert_int_eq(m.id, 5004);
	match_release(&m);
	for (size_t i = 0; i < tx.nlines; i++) {
		if (logline_parse(tx.lines[i], &m) == 0) {
			seen5001 |= m.id == 5001;
			match_release(&m);
		}
	}
	ck_assert_int_eq(seen5001, 1);
	txresult_release(&tx);
	request_release(&req);
	engine_free(e);
	free(main_path);
	ruleset_release(&rs);
}
END_TEST

/* A missing Include is an error naming the including file and line; so is
 * a non-optional glob that matches nothing. */
START_TEST(missing_include_errors)
{
	struct ruleset rs;
	struct strbuf err = STRBUF_INIT;
	char *path = unit_write("bad/missing.conf",
				"# fine so far\n"
				"SecRule ARGS \"@streq q\" \"id:5301,phase:2,pass\"\n"
				"Include not-there.conf\n");
	char *prefix = xasprintf("%s:3:", path);
	char *glob_path = unit_write("bad/glob.conf", "Include nomatch/*.conf\n");
	char *glob_prefix = xasprintf("%s:1:", glob_path);

	ruleset_init(&rs);
	ck_assert_int_eq(ruleset_add_file(&rs, path, &err), -1);
	ck_assert_msg(!strncmp(err.buf, prefix, strlen(prefix)), "error: %s", err.buf);
	ck_assert_ptr_nonnull(strstr(err.buf, "not-there.conf"));
	strbuf_reset(&err);
	ck_assert_int_eq(ruleset_add_file(&rs, glob_path, &err), -1);
	ck_assert_msg(!strncmp(err.buf, glob_prefix, strlen(glob_prefix)), "error: %s", err.buf);
	ruleset_release(&rs);
	strbuf_release(&err);
	free(prefix);
	free(path);
	free(glob_prefix);
	free(glob_path);
}
END_TEST

/* Inline text is a unit of its own, indexed under the name given. */
START_TEST(text_unit)
{
	struct ruleset rs;
	struct strbuf err = STRBUF_INIT;
	const struct ruleinfo *ri;
	struct engine *e;

	ruleset_init(&rs);
	ck_assert_int_eq(ruleset_add_text(&rs, "(command line)",
		"SecRule ARGS \"@streq x\" \"id:5401,phase:2,pass\"\n"
		"\n"
		"SecRule ARGS \"@streq y\" \"id:5402,phase:request,deny,severity:'CRITICAL',tag:'a',tag:'b'\"\n",
		&err), 0);
	ck_assert_uint_eq(rs.nunits, 1);
	ck_assert_str_eq(rs.units[0].name, "(command line)");
	ck_assert_int_eq(rs.units[0].rules, 2);
	ri = ruleset_find(&rs, 5402);
	ck_assert_ptr_nonnull(ri);
	ck_assert_str_eq(ri->at.file, "(command line)");
	ck_assert_int_eq(ri->at.line, 3);
	ck_assert_int_eq(ri->phase, 2);
	ck_assert_int_eq(ri->severity, 2);
	ck_assert_uint_eq(ri->ntags, 2);
	ck_assert_str_eq(ri->tags[1], "b");
	ck_assert_ptr_null(ruleset_find(&rs, 5403));
	e = unit_engine(&rs, NULL);
	engine_free(e);
	ruleset_release(&rs);
	strbuf_release(&err);
}
END_TEST

/* The warning score CRS itself sets in REQUEST-901. */
static int crs_setting(const char *name)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	const char *at;
	int v;
	ck_assert_int_eq(read_file("/usr/share/modsecurity-crs/rules/REQUEST-901-INITIALIZATION.conf",
				   &text, &err), 0);
	at = strstr(text.buf, name);
	ck_assert_ptr_nonnull(at);
	v = atoi(at + strlen(name));
	strbuf_release(&text);
	strbuf_release(&err);
	return v;
}

/* Debian's whole CRS through the reader: it loads in libmodsecurity, its
 * rules are indexed where they are written, and their anomaly scores
 * resolve: 942100 is CRITICAL (5), 920350 is WARNING (CRS's warning score). */
START_TEST(crs_scores)
{
	struct ruleset rs;
	struct engine *e;
	const struct ruleinfo *sqli, *host;
	int warning = crs_setting("tx.warning_anomaly_score=");
	int critical = crs_setting("tx.critical_anomaly_score=");
	int setup_read = 0;

	ruleset_init(&rs);
	unit_ruleset_file(&rs, UNIT_CRS_LOAD);
	ck_assert_uint_eq(rs.nunits, 1);
	ck_assert_uint_gt(rs.nrules, 500);
	for (size_t i = 0; i < rs.nfiles; i++)
		setup_read |= !strcmp(rs.files[i], "/etc/modsecurity/crs/crs-setup.conf");
	ck_assert_int_eq(setup_read, 1);
	e = unit_engine(&rs, NULL);
	engine_free(e);

	sqli = ruleset_find(&rs, 942100);
	ck_assert_ptr_nonnull(sqli);
	ck_assert_str_eq(sqli->at.file, "/usr/share/modsecurity-crs/rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf");
	ck_assert_str_eq(sqli->op, "@detectSQLi");
	ck_assert_int_eq(sqli->severity, 2);		/* CRITICAL */
	ck_assert_int_eq(critical, 5);
	ck_assert_int_eq(ruleset_rule_score(&rs, sqli), critical);

	host = ruleset_find(&rs, 920350);
	ck_assert_ptr_nonnull(host);
	ck_assert_int_eq(host->severity, 4);		/* severity:'WARNING' in the CRS file */
	ck_assert_int_eq(ruleset_rule_score(&rs, host), warning);
	ck_assert_int_ne(warning, critical);

	/* 943120 adds its score in the chain's last link */
	ck_assert_ptr_nonnull(ruleset_find(&rs, 943120));
	ck_assert_int_eq(ruleset_rule_score(&rs, ruleset_find(&rs, 943120)), critical);

	/* the evaluation rule adds nothing itself */
	ck_assert_ptr_nonnull(ruleset_find(&rs, 949110));
	ck_assert_int_eq(ruleset_rule_score(&rs, ruleset_find(&rs, 949110)), 0);
	/* CRS's own @rbl rule is not audited */
	ck_assert_ptr_null(ruleset_find(&rs, 910140));
	ck_assert_ptr_nonnull(note_with(&rs, "rule 910140 not audited"));
	ruleset_release(&rs);
}
END_TEST

/* Each <VirtualHost> is its own context and load (mod_security2): the
 * SecDefaultAction a rule file sets, included in two vhosts after the
 * server's own, is no "second one in one load" in either, and each vhost
 * reads the same as it does alone (so --all-hosts hosts with the same
 * rules share one audit). */
START_TEST(vhost_default_action_context)
{
	char *rules = unit_write("vh/set.conf",
				 "SecDefaultAction \"phase:2,log,auditlog,deny,status:403\"\n"
				 "SecRule ARGS \"@streq x\" \"id:5301,phase:2\"\n");
	char *conf_text = xasprintf("SecRuleEngine On\n"
				    "SecDefaultAction \"phase:2,log,auditlog,pass\"\n"
				    "<VirtualHost *:80>\n ServerName a.example\n Include %s\n</VirtualHost>\n"
				    "<VirtualHost *:80>\n ServerName b.example\n Include %s\n</VirtualHost>\n"
				    "SecRule ARGS \"@streq y\" \"id:5302,phase:2\"\n", rules, rules);
	char *conf = unit_write("vh/apache2.conf", conf_text);
	struct ruleset all, alone;
	struct strbuf err = STRBUF_INIT;
	const struct load_unit *va = NULL, *vb = NULL, *valone = NULL;

	ruleset_init(&all);
	all.engine_v2 = 1;
	all.apache = 1;
	ck_assert_msg(ruleset_add_file(&all, conf, &err) == 0, "%s", err.buf);
	for (size_t i = 0; i < all.nnotes; i++)
		ck_assert_msg(!strstr(all.notes[i].what, "second SecDefaultAction"), "%s:%d: %s",
			      all.notes[i].at.file, all.notes[i].at.line, all.notes[i].what);
	for (size_t u = 0; u < all.nunits; u++)
		if (all.units[u].vhost)
			*(va ? &vb : &va) = &all.units[u];
	ck_assert_ptr_nonnull(vb);
	ck_assert_msg(strstr(vb->text.buf, "SecDefaultAction"), "b's copy lost its SecDefaultAction:\n%s", vb->text.buf);
	ck_assert_str_eq(va->text.buf, vb->text.buf);

	ruleset_init(&alone);
	alone.engine_v2 = 1;
	alone.apache = 1;
	alone.vhost_only = 2;
	ck_assert_msg(ruleset_add_file(&alone, conf, &err) == 0, "%s", err.buf);
	for (size_t u = 0; u < alone.nunits; u++)
		if (alone.units[u].vhost)
			valone = &alone.units[u];
	ck_assert_ptr_nonnull(valone);
	ck_assert_str_eq(valone->text.buf, vb->text.buf);
	/* the server's rule after the vhosts is read in the server's context:
	 * its default (pass) is not the vhosts' deny */
	ck_assert_msg(!strstr(all.units[0].text.buf + all.units[0].text.len - 80, "deny"),
		      "the vhost's default leaked out:\n%s", all.units[0].text.buf);
	ruleset_release(&all);
	ruleset_release(&alone);
	strbuf_release(&err);
	free(rules);
	free(conf_text);
	free(conf);
}
END_TEST

Suite *ruleset_suite(void)
{
	Suite *s = suite_create("ruleset");
	TCase *tc = tcase_create("reader");
	TCase *tcrs = tcase_create("crs");

	tcase_add_unchecked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, includes_and_globs);
	tcase_add_test(tc, rule_engine_recorded);
	tcase_add_test(tc, settings_removed_with_notes);
	tcase_add_test(tc, exec_removed_rule_kept);
	tcase_add_test(tc, rbl_chain_dropped);
	tcase_add_test(tc, data_file_made_absolute);
	tcase_add_test(tc, index_and_origin);
	tcase_add_test(tc, unit_loads_and_runs);
	tcase_add_test(tc, missing_include_errors);
	tcase_add_test(tc, text_unit);
	tcase_add_test(tc, vhost_default_action_context);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tcrs, 60);
	tcase_add_test(tcrs, crs_scores);
	suite_add_tcase(s, tcrs);
	return s;
}
