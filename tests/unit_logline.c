/*
 * logline: parsing the log lines the real libmodsecurity writes. Every
 * line parsed here comes out of engine_run on a real engine.
 */
#include "unit.h"
#include "logline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char rules[] =
	"SecRequestBodyAccess On\n"
	"SecRule ARGS:foo \"@contains bad\" \"id:1001,phase:2,pass,log,msg:'Foo is bad',"
	"severity:'WARNING',tag:'t1',tag:'t2',logdata:'got %{MATCHED_VAR}'\"\n"
	"SecRule ARGS_NAMES \"@rx ^sess\" \"id:1002,phase:2,pass,log,msg:'chained',chain\"\n"
	"SecRule &REQUEST_HEADERS:Referer \"@eq 0\" \"t:none\"\n"
	"SecRule ARGS:kill \"@streq yes\" \"id:1003,phase:2,deny,status:403,log,msg:'Killed',"
	"severity:2,tag:'deny-tag'\"\n";

static struct engine *engine(void)
{
	struct strbuf err = STRBUF_INIT;
	struct engine *e = engine_new(&err);
	int line;
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_msg(engine_add_rules(e, rules, &line, &err) == 0, "line %d: %s", line, err.buf);
	strbuf_release(&err);
	return e;
}

/* Run `uri` (and a urlencoded POST `body` when not NULL). */
static void run(struct engine *e, const char *uri, const char *body, struct txresult *tx)
{
	struct request r;
	request_init(&r);
	free(r.uri);
	r.uri = xstrdup(uri);
	request_add_header(&r, "Host", "shop.example.com");
	if (body) {
		char cl[32];
		free(r.method);
		r.method = xstrdup("POST");
		request_add_header(&r, "Content-Type", "application/x-www-form-urlencoded");
		snprintf(cl, sizeof(cl), "%zu", strlen(body));
		request_add_header(&r, "Content-Length", cl);
		request_set_body(&r, xstrdup(body), strlen(body));
	}
	engine_run(e, &r, NULL, tx);
	request_release(&r);
}

/* Parse the transaction's log line of rule `id` into `m`; fails the test
 * when there is none. */
static void line_of_rule(const struct txresult *tx, long id, struct match *m)
{
	for (size_t i = 0; i < tx->nlines; i++) {
		struct match t;
		if (logline_parse(tx->lines[i], &t) < 0)
			continue;
		if (t.id == id) {
			*m = t;
			return;
		}
		match_release(&t);
	}
	ck_abort_msg("no log line of rule %ld among %zu lines", id, tx->nlines);
}

/* A logging, non-disruptive rule: every field the line carries. */
START_TEST(warning_line_fields)
{
	struct engine *e = engine();
	struct txresult tx;
	struct match m;

	run(e, "/shop?foo=verybad", NULL, &tx);
	ck_assert_int_eq(tx.disrupted, 0);
	line_of_rule(&tx, 1001, &m);
	ck_assert_int_eq(m.id, 1001);
	ck_assert_str_eq(m.msg, "Foo is bad");
	ck_assert_str_eq(m.data, "got verybad");
	ck_assert_int_eq(m.severity, 4);		/* WARNING */
	ck_assert_uint_eq(m.ntags, 2);
	ck_assert_str_eq(m.tags[0], "t1");
	ck_assert_str_eq(m.tags[1], "t2");
	ck_assert_str_eq(m.variable, "ARGS:foo");
	ck_assert_str_eq(m.value, "verybad");
	ck_assert_str_eq(m.param, "bad");
	ck_assert_int_eq(m.line, 2);		/* the rule's line in the loaded text */
	ck_assert_int_eq(m.disruptive, 0);
	ck_assert_int_eq(m.status, 0);
	ck_assert_int_eq(m.phase, 0);
	ck_assert_str_ne(m.ref, "");
	ck_assert_str_eq(match_variable(&m), "ARGS:foo");
	match_release(&m);
	txresult_release(&tx);
	engine_free(e);
}
END_TEST

/* A chained rule logs under the first link's id, with the last link's
 * variable; match offsets (ref) are kept for exclusion_target. */
START_TEST(chained_line)
{
	struct engine *e = engine();
	struct txresult tx;
	struct match m, copy;

	run(e, "/shop?session_x=1", NULL, &tx);
	line_of_rule(&tx, 1002, &m);
	ck_assert_str_eq(m.msg, "chained");
	ck_assert_str_eq(m.variable, "REQUEST_HEADERS:Referer");
	ck_assert_str_eq(m.value, "0");
	ck_assert_str_eq(m.param, "0");
	ck_assert_int_eq(m.line, 3);
	ck_assert_ptr_nonnull(strchr(m.ref, 'v'));
	ck_assert_uint_eq(m.ntags, 0);
	/* a copy owns its own strings */
	match_copy(&copy, &m);
	match_release(&m);
	ck_assert_str_eq(copy.variable, "REQUEST_HEADERS:Referer");
	ck_assert_str_eq(copy.msg, "chained");
	match_release(&copy);
	txresult_release(&tx);
	engine_free(e);
}
END_TEST

/* The blocking rule's line (the intervention log): disruptive, with the
 * status and the phase from "(phase 2)"; the body argument was inspected
 * because SecRequestBodyAccess is On. */
START_TEST(deny_line)
{
	struct engine *e = engine();
	struct txresult tx;
	struct match m;

	run(e, "/shop", "a=1&kill=yes", &tx);
	ck_assert_int_eq(tx.disrupted, 1);
	ck_assert_int_eq(tx.status, 403);
	ck_assert_ptr_nonnull(tx.intervention_log);
	ck_assert_int_eq(logline_parse(tx.intervention_log, &m), 0);
	ck_assert_int_eq(m.id, 1003);
	ck_assert_int_eq(m.disruptive, 1);
	ck_assert_int_eq(m.status, 403);
	ck_assert_int_eq(m.phase, 2);
	ck_assert_str_eq(m.msg, "Killed");
	ck_assert_int_eq(m.severity, 2);
	ck_assert_uint_eq(m.ntags, 1);
	ck_assert_str_eq(m.tags[0], "deny-tag");
	ck_assert_str_eq(m.variable, "ARGS:kill");
	ck_assert_str_eq(m.value, "yes");
	ck_assert_str_eq(m.param, "yes");
	ck_assert_int_eq(m.line, 5);
	match_release(&m);
	txresult_release(&tx);
	engine_free(e);
}
END_TEST

/* Request text that looks like the line's own fields (`[id "999"]`,
 * `"] [msg "`) inside the matched value does not move id or msg. */
START_TEST(value_with_field_syntax)
{
	struct engine *e = engine();
	struct txresult tx;
	struct match m;

	/* foo=bad[id "999"]"] [msg " */
	run(e, "/shop?foo=bad%5Bid%20%22999%22%5D%22%5D%20%5Bmsg%20%22", NULL, &tx);
	line_of_rule(&tx, 1001, &m);
	ck_assert_int_eq(m.id, 1001);
	ck_assert_str_eq(m.msg, "Foo is bad");
	ck_assert_str_eq(m.value, "bad[id \"999\"]\"] [msg \"");
	ck_assert_str_eq(m.variable, "ARGS:foo");
	ck_assert_int_eq(m.severity, 4);
	ck_assert_uint_eq(m.ntags, 2);
	ck_assert_str_eq(m.tags[1], "t2");
	match_release(&m);
	txresult_release(&tx);
	engine_free(e);
}
END_TEST

/* The same with a complete fake anchor in the value:
 * [file "a"] [line "1"] [id "999"] [msg "evil"]. The only line rule 1001
 * writes must still parse as rule 1001 with its own msg. */
START_TEST(value_with_fake_anchor)
{
	struct engine *e = engine();
	struct txresult tx;
	struct match m;

	run(e, "/shop?foo=bad%20%5Bfile%20%22a%22%5D%20%5Bline%20%221%22%5D%20%5Bid%20%22999%22%5D"
	       "%20%5Bmsg%20%22evil%22%5D", NULL, &tx);
	/* the engine wrote exactly one line (rule 1001's) */
	ck_assert_uint_eq(tx.nlines, 1);
	ck_assert_ptr_nonnull(strstr(tx.lines[0], "[id \"1001\"]"));
	ck_assert_int_eq(logline_parse(tx.lines[0], &m), 0);
	ck_assert_msg(m.id == 1001, "parsed id %ld, msg \"%s\" from a rule 1001 line", m.id, m.msg);
	ck_assert_str_eq(m.msg, "Foo is bad");
	ck_assert_str_eq(m.variable, "ARGS:foo");
	match_release(&m);
	txresult_release(&tx);
	engine_free(e);
}
END_TEST

/* Lines that are not rule matches are refused. */
START_TEST(not_a_rule_line)
{
	struct match m;
	ck_assert_int_eq(logline_parse("", &m), -1);
	ck_assert_int_eq(logline_parse("hello world", &m), -1);
	ck_assert_int_eq(logline_parse("ModSecurity: Warning. Matched \"Operator `Rx' with parameter "
				       "`x' against variable `ARGS:a' (Value: `x' )", &m), -1);
	/* an id that is not a number is no anchor */
	ck_assert_int_eq(logline_parse("ModSecurity: Warning. x [file \"f\"] [line \"1\"] [id \"abc\"] "
				       "[msg \"m\"]", &m), -1);
	/* fields but no "ModSecurity: " */
	ck_assert_int_eq(logline_parse("[file \"f\"] [line \"1\"] [id \"5\"] [msg \"m\"]", &m), -1);
}
END_TEST

Suite *logline_suite(void)
{
	Suite *s = suite_create("logline");
	TCase *tc = tcase_create("engine lines");

	tcase_add_test(tc, warning_line_fields);
	tcase_add_test(tc, chained_line);
	tcase_add_test(tc, deny_line);
	tcase_add_test(tc, value_with_field_syntax);
	tcase_add_test(tc, value_with_fake_anchor);
	tcase_add_test(tc, not_a_rule_line);
	suite_add_tcase(s, tc);
	return s;
}
