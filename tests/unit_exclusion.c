/*
 * exclusion: the snippets that let a callback past a rule, their targets
 * (from real matches), and proof that they work and stay narrow: every
 * snippet here is loaded into a real engine in front of the demo rules.
 */
#include "unit.h"
#include "exclusion.h"
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

static const enum url_form wc_forms[] = { FORM_PATH, FORM_INDEX, FORM_QUERY };

static void make(struct exclusion *x, const struct callback *cb, unsigned forms,
		 enum excl_scope scope, const char *target, long rule_id)
{
	memset(x, 0, sizeof(*x));
	x->first_id = 10000;
	x->rule_id = rule_id;
	x->cb = cb;
	x->forms = forms;
	x->scope = scope;
	if (target)
		ck_assert_int_eq(exclusion_add_target(x, target), 0);
}

static void push_request(const struct catalog *c, enum url_form form, struct request *req,
			 struct response *resp)
{
	struct build_params p;
	build_params_defaults(&p);
	callback_request(c, catalog_find(c, "kco-push"), form, &p, req, resp);
}

/* Run `req` with `snippet` (may be NULL) loaded before the rule set. */
static void run(const struct ruleset *rs, const char *snippet, const struct request *req,
		const struct response *resp, struct verdict *v)
{
	struct engine *e = unit_engine(rs, snippet);
	struct txresult tx;
	engine_run(e, req, resp, &tx);
	verdict_from(rs, &tx, v);
	txresult_release(&tx);
	engine_free(e);
}

static const struct match *match_of(const struct verdict *v, long id)
{
	for (size_t i = 0; i < v->nmatches; i++)
		if (v->matches[i].id == id)
			return &v->matches[i];
	ck_abort_msg("rule %ld did not match", id);
	return NULL;
}

/* ---- rendering ---- */

/* A wc-api callback in all three forms: one @rx on the raw URI for the
 * path and index forms, one for the query form chained to "wc-api given
 * once", each removing just the target. */
START_TEST(render_wc_api_all_forms)
{
	struct catalog c;
	struct exclusion x;

	unit_catalog(&c);
	make(&x, catalog_find(&c, "kco-push"), URL_FORMS_WC, EXCL_TARGET,
	     "ARGS_NAMES:kco_session_id", 211180);
	exclusion_render(&x, NULL);
	ck_assert_int_eq(x.nids, 2);
	ck_assert_ptr_nonnull(strstr(x.snippet, "SecRule REQUEST_URI_RAW \"@rx ^/(?:index\\.php/)?wc-api/KCO_WC_Push/(?:\\?|$)\""));
	ck_assert_ptr_nonnull(strstr(x.snippet, "ctl:ruleRemoveTargetById=211180;ARGS_NAMES:kco_session_id"));
	ck_assert_ptr_nonnull(strstr(x.snippet, "id:10000,"));
	ck_assert_ptr_nonnull(strstr(x.snippet, "id:10001,"));
	ck_assert_ptr_null(strstr(x.snippet, "id:10002"));
	ck_assert_ptr_nonnull(strstr(x.snippet, "SecRule REQUEST_URI_RAW \"@rx ^/\\?(?:[^#]*&)?wc-api=KCO_WC_Push(?:&|$)\""));
	ck_assert_ptr_nonnull(strstr(x.snippet, "nolog,chain\""));
	ck_assert_ptr_nonnull(strstr(x.snippet, "SecRule &ARGS_GET:wc-api \"@eq 1\""));
	ck_assert_ptr_null(strstr(x.snippet, "REQUEST_FILENAME"));
	ck_assert_ptr_null(strstr(x.snippet, "ruleRemoveById"));
	exclusion_release(&x);
	catalog_release(&c);
}
END_TEST

/* The path form alone: one rule, the path anchored at both ends. */
START_TEST(render_path_only)
{
	struct catalog c;
	struct exclusion x;

	unit_catalog(&c);
	make(&x, catalog_find(&c, "kco-push"), URL_FORM_BIT(FORM_PATH), EXCL_TARGET,
	     "ARGS_NAMES:kco_session_id", 211180);
	exclusion_render(&x, NULL);
	ck_assert_int_eq(x.nids, 1);
	ck_assert_ptr_nonnull(strstr(x.snippet, "\"@rx ^/wc-api/KCO_WC_Push/(?:\\?|$)\""));
	ck_assert_ptr_null(strstr(x.snippet, "index"));
	ck_assert_ptr_null(strstr(x.snippet, "ARGS_GET:wc-api"));
	exclusion_release(&x);
	catalog_release(&c);
}
END_TEST

/* Removing the whole rule uses ruleRemoveById; the comment names the
 * rule's msg from the index. */
START_TEST(render_rule_scope)
{
	struct catalog c;
	struct ruleset rs;
	struct exclusion x;

	unit_catalog(&c);
	unit_demo_ruleset(&rs, 0);
	make(&x, catalog_find(&c, "kco-push"), URL_FORMS_WC, EXCL_RULE, NULL, 211180);
	exclusion_render(&x, ruleset_find(&rs, 211180));
	ck_assert_int_eq(x.nids, 2);
	ck_assert_ptr_nonnull(strstr(x.snippet, "ctl:ruleRemoveById=211180\""));
	ck_assert_ptr_null(strstr(x.snippet, "ruleRemoveTargetById"));
	ck_assert_ptr_nonnull(strstr(x.snippet, "# Rule exclusion: 211180 - COMODO WAF: Session Fixation"));
	exclusion_release(&x);
	ruleset_release(&rs);
	catalog_release(&c);
}
END_TEST

/* A path endpoint with {{klarna_order_id}}: the placeholder becomes one
 * plain path segment, [0-9A-Za-z_-]+. Loaded in front of a rule that denies /wp-json/,
 * it lets the real request through and nothing with an extra segment. */
START_TEST(render_path_placeholder)
{
	struct catalog c;
	struct ruleset rs;
	struct exclusion x;
	struct build_params p;
	struct request req;
	struct response resp;
	struct verdict v;
	const struct callback *cb;
	char *two_segments;

	unit_catalog(&c);
	cb = catalog_find(&c, "kco-block-validation");
	make(&x, cb, callback_forms(cb), EXCL_RULE, NULL, 8100);
	exclusion_render(&x, NULL);
	ck_assert_int_eq(x.nids, 1);
	ck_assert_ptr_nonnull(strstr(x.snippet, "\"@rx ^/wp-json/kco-block/order/[0-9A-Za-z_-]+/validate(?:\\?|$)\""));

	ruleset_init(&rs);
	unit_ruleset_text(&rs, "SecRule REQUEST_FILENAME \"@beginsWith /wp-json/\" "
			       "\"id:8100,phase:2,deny,status:403,log\"\n");
	build_params_defaults(&p);
	callback_request(&c, cb, FORM_FIXED, &p, &req, &resp);
	run(&rs, NULL, &req, &resp, &v);
	ck_assert_int_eq(v.disruptive_id, 8100);		/* blocked as it is */
	verdict_release(&v);
	run(&rs, x.snippet, &req, &resp, &v);
	ck_assert_int_eq(v.disrupted, 0);			/* passes with the snippet */
	verdict_release(&v);
	two_segments = xasprintf("/wp-json/kco-block/order/%s/x/validate", p.klarna_order_id);
	free(req.uri);
	req.uri = two_segments;
	run(&rs, x.snippet, &req, &resp, &v);
	ck_assert_int_eq(v.disruptive_id, 8100);		/* still blocked */
	verdict_release(&v);

	request_release(&req);
	response_release(&resp);
	exclusion_release(&x);
	ruleset_release(&rs);
	catalog_release(&c);
}
END_TEST

/* Several targets of one rule go into one snippet; a repeated target is
 * refused; widening turns the snippet into a rule removal. */
START_TEST(targets_add_and_widen)
{
	struct catalog c;
	struct exclusion x;

	unit_catalog(&c);
	make(&x, catalog_find(&c, "kco-push"), URL_FORM_BIT(FORM_PATH), EXCL_TARGET,
	     "ARGS_NAMES:kco_session_id", 211180);
	ck_assert_int_eq(exclusion_add_target(&x, "ARGS:kco_wc_order_id"), 0);
	ck_assert_int_eq(exclusion_add_target(&x, "ARGS_NAMES:kco_session_id"), -1);
	ck_assert_uint_eq(x.ntargets, 2);
	exclusion_render(&x, NULL);
	ck_assert_ptr_nonnull(strstr(x.snippet, "ctl:ruleRemoveTargetById=211180;ARGS_NAMES:kco_session_id,"
					      "ctl:ruleRemoveTargetById=211180;ARGS:kco_wc_order_id\""));
	exclusion_widen(&x);
	ck_assert_int_eq(x.scope, EXCL_RULE);
	ck_assert_uint_eq(x.ntargets, 0);
	exclusion_render(&x, NULL);
	ck_assert_ptr_nonnull(strstr(x.snippet, "ctl:ruleRemoveById=211180\""));
	ck_assert_ptr_null(strstr(x.snippet, "ruleRemoveTargetById"));
	exclusion_release(&x);
	catalog_release(&c);
}
END_TEST

/* ---- targets from real matches ---- */

/* The demo's chained 211180 logs the Referer count (its last link); the
 * target is the first link's argument name, found in every URL form. */
START_TEST(target_of_chained_211180)
{
	struct catalog c;
	struct ruleset rs;

	unit_catalog(&c);
	unit_demo_ruleset(&rs, 0);
	for (int f = 0; f < 3; f++) {
		struct request req;
		struct response resp;
		struct verdict v;
		const struct match *m;
		char *t;

		push_request(&c, wc_forms[f], &req, &resp);
		run(&rs, NULL, &req, &resp, &v);
		ck_assert_int_eq(v.disruptive_id, 211180);
		m = match_of(&v, 211180);
		ck_assert_str_eq(m->variable, "REQUEST_HEADERS:Referer");
		t = exclusion_target(ruleset_find(&rs, 211180), m, &req);
		ck_assert_msg(t != NULL, "no target in form %s", url_form_name(wc_forms[f]));
		ck_assert_str_eq(t, "ARGS_NAMES:kco_session_id");
		free(t);
		verdict_release(&v);
		request_release(&req);
		response_release(&resp);
	}
	ruleset_release(&rs);
	catalog_release(&c);
}
END_TEST

/* A plain rule's target is the variable it matched; a TX variable is no
 * target (only removing the rule will do). */
START_TEST(target_of_plain_and_tx_rules)
{
	struct ruleset rs;
	struct request req;
	struct verdict v;
	char *t;

	ruleset_init(&rs);
	unit_ruleset_text(&rs,
		"SecRule ARGS \"@contains bad\" \"id:8001,phase:2,pass,log\"\n"
		"SecAction \"id:8002,phase:2,pass,nolog,setvar:tx.flag=1\"\n"
		"SecRule TX:flag \"@eq 1\" \"id:8003,phase:2,pass,log\"\n");
	request_init(&req);
	free(req.uri);
	req.uri = xstrdup("/x?ok=1&foo=bad");
	request_add_header(&req, "Host", "shop.example.com");
	run(&rs, NULL, &req, NULL, &v);

	ck_assert_str_eq(match_of(&v, 8001)->variable, "ARGS:foo");
	t = exclusion_target(ruleset_find(&rs, 8001), match_of(&v, 8001), &req);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t, "ARGS:foo");
	free(t);

	ck_assert_str_eq(match_of(&v, 8003)->variable, "TX:flag");
	ck_assert_ptr_null(exclusion_target(ruleset_find(&rs, 8003), match_of(&v, 8003), &req));
	verdict_release(&v);
	request_release(&req);
	ruleset_release(&rs);
}
END_TEST

/* ---- verification ---- */

/* The snippet built from the real match, loaded before the demo server's
 * rules (CRS included): the push passes in all three forms; without it,
 * 211180 blocks each of them. */
START_TEST(snippet_lets_push_through)
{
	struct catalog c;
	struct ruleset rs;
	struct exclusion x;
	struct request req;
	struct response resp;
	struct verdict v;
	char *target;

	unit_catalog(&c);
	unit_demo_ruleset(&rs, 1);
	push_request(&c, FORM_PATH, &req, &resp);
	run(&rs, NULL, &req, &resp, &v);
	target = exclusion_target(ruleset_find(&rs, 211180), match_of(&v, 211180), &req);
	ck_assert_ptr_nonnull(target);
	verdict_release(&v);
	request_release(&req);
	response_release(&resp);
	make(&x, catalog_find(&c, "kco-push"), URL_FORMS_WC, EXCL_TARGET, target, 211180);
	exclusion_render(&x, ruleset_find(&rs, 211180));

	for (int f = 0; f < 3; f++) {
		push_request(&c, wc_forms[f], &req, &resp);
		run(&rs, NULL, &req, &resp, &v);
		ck_assert_int_eq(v.disrupted, 1);
		ck_assert_int_eq(v.disruptive_id, 211180);
		verdict_release(&v);
		run(&rs, x.snippet, &req, &resp, &v);
		ck_assert_msg(!v.disrupted, "form %s still blocked by %ld with:\n%s",
			      url_form_name(wc_forms[f]), v.disruptive_id, x.snippet);
		verdict_release(&v);
		request_release(&req);
		response_release(&resp);
	}
	free(target);
	exclusion_release(&x);
	ruleset_release(&rs);
	catalog_release(&c);
}
END_TEST

/* The snippet is scoped: the same push query on another path is still
 * blocked, and a path-only snippet leaves the index and query forms
 * blocked. */
START_TEST(snippet_stays_narrow)
{
	struct catalog c;
	struct ruleset rs;
	struct exclusion all, path_only;
	struct request req;
	struct response resp;
	struct verdict v;
	const char *q;

	unit_catalog(&c);
	unit_demo_ruleset(&rs, 1);
	make(&all, catalog_find(&c, "kco-push"), URL_FORMS_WC, EXCL_TARGET,
	     "ARGS_NAMES:kco_session_id", 211180);
	exclusion_render(&all, NULL);
	make(&path_only, catalog_find(&c, "kco-push"), URL_FORM_BIT(FORM_PATH), EXCL_TARGET,
	     "ARGS_NAMES:kco_session_id", 211180);
	exclusion_render(&path_only, NULL);

	push_request(&c, FORM_PATH, &req, &resp);
	q = strchr(req.uri, '?');
	ck_assert_ptr_nonnull(q);
	{
		char *other = xasprintf("/wp-login.php%s", q);
		free(req.uri);
		req.uri = other;
	}
	run(&rs, all.snippet, &req, &resp, &v);
	ck_assert_int_eq(v.disrupted, 1);
	ck_assert_int_eq(v.disruptive_id, 211180);
	verdict_release(&v);
	request_release(&req);
	response_release(&resp);

	for (int f = 1; f < 3; f++) {
		push_request(&c, wc_forms[f], &req, &resp);
		run(&rs, path_only.snippet, &req, &resp, &v);
		ck_assert_msg(v.disruptive_id == 211180, "form %s not blocked by 211180 (%ld)",
			      url_form_name(wc_forms[f]), v.disruptive_id);
		verdict_release(&v);
		request_release(&req);
		response_release(&resp);
	}
	exclusion_release(&all);
	exclusion_release(&path_only);
	ruleset_release(&rs);
	catalog_release(&c);
}
END_TEST

/* Path confusion (CVE-2024-1019): libmodsecurity 3.0.9 cuts
 * REQUEST_FILENAME at a decoded %3f, so /wc-api/KCO_WC_Push/%3f/../../
 * wp-login.php looks like the push path to a REQUEST_FILENAME scope while
 * nginx serves /wp-login.php. The snippet is scoped on the raw URI, so such
 * requests stay blocked; a %2e%2e variant and a second wc-api= too. */
START_TEST(snippet_resists_path_confusion)
{
	static const char *const tricks[] = {
		"/wc-api/KCO_WC_Push/%3f/../../wp-login.php",
		"/wc-api/KCO_WC_Push/%2e%2e/%2e%2e/wp-login.php",
		"/index.php/wc-api/KCO_WC_Push/%3f/../wp-login.php",
	};
	struct catalog c;
	struct ruleset rs;
	struct exclusion all;
	struct request req;
	struct response resp;
	struct verdict v;

	unit_catalog(&c);
	unit_demo_ruleset(&rs, 0);
	make(&all, catalog_find(&c, "kco-push"), URL_FORMS_WC, EXCL_TARGET,
	     "ARGS_NAMES:kco_session_id", 211180);
	exclusion_render(&all, NULL);
	for (size_t i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++) {
		const char *q;
		char *uri;
		push_request(&c, FORM_PATH, &req, &resp);
		q = strchr(req.uri, '?');
		uri = xasprintf("%s%s", tricks[i], q);
		free(req.uri);
		req.uri = uri;
		run(&rs, all.snippet, &req, &resp, &v);
		ck_assert_msg(v.disruptive_id == 211180, "%s passed with the snippet", uri);
		verdict_release(&v);
		request_release(&req);
		response_release(&resp);
	}
	/* the query form with a second wc-api= naming another handler */
	push_request(&c, FORM_QUERY, &req, &resp);
	{
		char *uri = xasprintf("%s&wc-api=WC_Other_Handler", req.uri);
		free(req.uri);
		req.uri = uri;
	}
	run(&rs, all.snippet, &req, &resp, &v);
	ck_assert_int_eq(v.disruptive_id, 211180);
	verdict_release(&v);
	request_release(&req);
	response_release(&resp);
	exclusion_release(&all);
	ruleset_release(&rs);
	catalog_release(&c);
}
END_TEST

Suite *exclusion_suite(void)
{
	Suite *s = suite_create("exclusion");
	TCase *tr = tcase_create("render");
	TCase *tt = tcase_create("target");
	TCase *tv = tcase_create("verify");

	tcase_add_test(tr, render_wc_api_all_forms);
	tcase_add_test(tr, render_path_only);
	tcase_add_test(tr, render_rule_scope);
	tcase_add_test(tr, render_path_placeholder);
	tcase_add_test(tr, targets_add_and_widen);
	suite_add_tcase(s, tr);

	tcase_add_test(tt, target_of_chained_211180);
	tcase_add_test(tt, target_of_plain_and_tx_rules);
	suite_add_tcase(s, tt);

	tcase_set_timeout(tv, 60);
	tcase_add_test(tv, snippet_lets_push_through);
	tcase_add_test(tv, snippet_stays_narrow);
	tcase_add_test(tv, snippet_resists_path_confusion);
	suite_add_tcase(s, tv);
	return s;
}
