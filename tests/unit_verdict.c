/*
 * verdict: naming the rules that block a transaction, on real engine
 * results: anomaly attribution on Debian's CRS, plain denies elsewhere.
 */
#include "unit.h"
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

/* A browser-like GET of `uri`, so CRS's protocol rules stay quiet. */
static void browser_get(struct request *r, const char *uri)
{
	request_init(r);
	free(r->uri);
	r->uri = xstrdup(uri);
	request_add_header(r, "Host", "shop.example.com");
	request_add_header(r, "User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
	request_add_header(r, "Accept", "text/html,application/xhtml+xml");
}

/* Run `uri` through the rule set and judge it. */
static void judge(const struct ruleset *rs, const char *uri, struct verdict *v)
{
	struct engine *e = unit_engine(rs, NULL);
	struct request r;
	struct txresult tx;

	browser_get(&r, uri);
	engine_run(e, &r, NULL, &tx);
	verdict_from(rs, &tx, v);
	txresult_release(&tx);
	request_release(&r);
	engine_free(e);
}

/* An XSS query against the CRS: 949110 blocks as the evaluation, the
 * rules that scored are its contributors with their CRS scores, and
 * those scores add up to the total 949110 saw. */
START_TEST(crs_anomaly_attribution)
{
	struct ruleset rs;
	struct verdict v;
	int sum = 0, ncontrib = 0, has941100 = 0, ndisruptive = 0;

	ruleset_init(&rs);
	unit_ruleset_file(&rs, UNIT_CRS_LOAD);
	judge(&rs, "/?q=%3Cscript%3Ealert(1)%3C/script%3E", &v);

	ck_assert_int_eq(v.disrupted, 1);
	ck_assert_int_eq(v.status, 403);
	ck_assert_int_eq(v.phase, 2);
	ck_assert_int_eq(v.disruptive_id, 949110);
	ck_assert_int_eq(v.evaluation, 1);
	ck_assert_int_eq(v.threshold, 5);
	ck_assert_int_ge(v.total_score, v.threshold);
	ck_assert_int_eq(verdict_has_rule(&v, 949110), 1);
	for (size_t i = 0; i < v.nblockers; i++) {
		const struct blocker *b = &v.blockers[i];
		const struct match *m = &v.matches[b->match];
		ck_assert_int_eq(m->id, b->id);
		if (b->role == ROLE_DISRUPTIVE) {
			ndisruptive++;
			ck_assert_int_eq(b->id, 949110);
			ck_assert_int_eq(m->disruptive, 1);
			continue;
		}
		ck_assert_int_eq(b->role, ROLE_CONTRIBUTOR);
		ck_assert_int_gt(b->score, 0);
		ck_assert_int_eq(b->score, ruleset_rule_score(&rs, ruleset_find(&rs, b->id)));
		sum += b->score;
		ncontrib++;
		has941100 |= b->id == 941100;
	}
	ck_assert_int_eq(ndisruptive, 1);
	ck_assert_int_ge(ncontrib, 1);
	ck_assert_int_eq(sum, v.total_score);
	ck_assert_int_eq(has941100, 1);
	verdict_release(&v);
	ruleset_release(&rs);
}
END_TEST

/* The same CRS lets an ordinary request through: nothing blocks. */
START_TEST(crs_plain_request_passes)
{
	struct ruleset rs;
	struct verdict v;

	ruleset_init(&rs);
	unit_ruleset_file(&rs, UNIT_CRS_LOAD);
	judge(&rs, "/produkt/kaffemugg-fika-35-cl/?color=blue", &v);
	ck_assert_int_eq(v.disrupted, 0);
	ck_assert_int_eq(v.disruptive_id, 0);
	ck_assert_int_eq(v.evaluation, 0);
	ck_assert_uint_eq(v.nblockers, 0);
	verdict_release(&v);
	ruleset_release(&rs);
}
END_TEST

/* A rule that denies without scoring is the one blocker; its file:line
 * come from our own index, not from libmodsecurity's placeholder. */
START_TEST(plain_deny_is_the_blocker)
{
	struct ruleset rs;
	struct verdict v;
	const struct ruleinfo *ri;
	const struct match *m;

	ruleset_init(&rs);
	unit_ruleset_text(&rs,
		"SecRule ARGS:foo \"@contains x\" \"id:7000,phase:2,pass,log,msg:'logs only'\"\n"
		"SecRule ARGS:kill \"@streq yes\" \"id:7001,phase:2,deny,status:406,log,msg:'deny it'\"\n");
	judge(&rs, "/?foo=xx&kill=yes", &v);
	ri = ruleset_find(&rs, 7001);
	ck_assert_int_eq(v.disrupted, 1);
	ck_assert_int_eq(v.status, 406);
	ck_assert_int_eq(v.disruptive_id, 7001);
	ck_assert_int_eq(v.evaluation, 0);
	ck_assert_uint_eq(v.nblockers, 1);
	ck_assert_int_eq(v.blockers[0].id, 7001);
	ck_assert_int_eq(v.blockers[0].role, ROLE_DISRUPTIVE);
	m = &v.matches[v.blockers[0].match];
	ck_assert_int_eq(m->id, 7001);
	ck_assert_str_eq(m->file, ri->at.file);
	ck_assert_int_eq(m->line, ri->at.line);
	ck_assert_int_eq(m->phase, 2);
	/* the logging rule is a match, not a blocker */
	ck_assert_int_eq(verdict_has_rule(&v, 7000), 1);
	ck_assert_int_eq(verdict_has_rule(&v, 7002), 0);
	verdict_release(&v);
	ruleset_release(&rs);
}
END_TEST

/* The demo server blocks Klarna's push with the Comodo-style 211180 in
 * phase 2, before CRS's evaluation: a single disruptive blocker. */
START_TEST(demo_blocks_push_with_211180)
{
	struct ruleset rs;
	struct catalog c;
	struct build_params p;
	struct request req;
	struct response resp;
	struct engine *e;
	struct txresult tx;
	struct verdict v;

	unit_demo_ruleset(&rs, 1);
	unit_catalog(&c);
	build_params_defaults(&p);
	callback_request(&c, catalog_find(&c, "kco-push"), FORM_PATH, &p, &req, &resp);
	e = unit_engine(&rs, NULL);
	engine_run(e, &req, &resp, &tx);
	verdict_from(&rs, &tx, &v);
	ck_assert_int_eq(v.disrupted, 1);
	ck_assert_int_eq(v.status, 403);
	ck_assert_int_eq(v.disruptive_id, 211180);
	ck_assert_uint_eq(v.nblockers, 1);
	ck_assert_int_eq(v.blockers[0].role, ROLE_DISRUPTIVE);
	ck_assert_int_eq(v.matches[v.blockers[0].match].line, ruleset_find(&rs, 211180)->at.line);
	verdict_release(&v);
	txresult_release(&tx);
	engine_free(e);
	request_release(&req);
	response_release(&resp);
	catalog_release(&c);
	ruleset_release(&rs);
}
END_TEST

Suite *verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("attribution");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, crs_anomaly_attribution);
	tcase_add_test(tc, crs_plain_request_passes);
	tcase_add_test(tc, plain_deny_is_the_blocker);
	tcase_add_test(tc, demo_blocks_push_with_211180);
	suite_add_tcase(s, tc);
	return s;
}
