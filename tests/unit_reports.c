/*
 * The CI and people formats (report_junit.c, report_sarif.c,
 * report_html.c) on a real audit: the demo server (Comodo-style set and
 * CRS) through libmodsecurity. SARIF is checked against the 2.1.0
 * schema's required properties, and every location must point at the
 * line of the real rule file where the rule is defined.
 */
#include "unit.h"
#include "audit.h"
#include "report.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct audit A;
static struct host_result H;
static const struct report_opts RO = { 0, "test", 1, 0, NULL, NULL, NULL, NULL };
static char *paths[4];	/* the demo's files and catalogue, freed by demo_release */

static void demo_release(void)
{
	audit_release(&A);
	for (int i = 0; i < 4; i++) {
		free(paths[i]);
		paths[i] = NULL;
	}
}

static void demo_audit(void)
{
	static const char *const files[] = {
		"rules/demo/modsecurity.conf", "rules/demo/comodo-style/rules.conf.main", "rules/demo/crs.conf",
	};
	struct rule_source src[3];
	struct audit_opts o;
	struct strbuf err = STRBUF_INIT;
	memset(&o, 0, sizeof(o));
	build_params_defaults(&o.params);
	for (int i = 0; i < 3; i++) {
		src[i].is_text = 0;
		src[i].value = paths[i] = unit_data_path(files[i]);
	}
	o.sources = src;
	o.nsources = 3;
	o.catalogue = paths[3] = unit_data_path("callbacks");
	o.forms = URL_FORMS_WC;
	o.id_base = 10000;
	o.max_rounds = 8;
	ck_assert_msg(audit_run(&o, &A, &err) == 0, "%s", err.buf);
	memset(&H, 0, sizeof(H));
	H.host = "shop.example.com";
	H.a = &A;
	strbuf_release(&err);
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(cJSON_IsString(v), "\"%s\" must be a string", k);
	return v->valuestring;
}

static const cJSON *arr(const cJSON *o, const char *k, int min)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(cJSON_IsArray(v), "\"%s\" must be an array", k);
	ck_assert_msg(cJSON_GetArraySize(v) >= min, "\"%s\" needs at least %d items", k, min);
	return v;
}

static const cJSON *obj(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(cJSON_IsObject(v), "\"%s\" must be an object", k);
	return v;
}

static int positive_int(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble == (int)v->valuedouble,
		      "\"%s\" must be an integer >= 1", k);
	return v->valueint;
}

/* Does rule `id` start at (or within the continuation lines after) line
 * `line` of the file behind `uri`? */
static int rule_at(const char *uri, int line, const char *id)
{
	char *path, buf[4096], want[40];
	FILE *f;
	int n = 0, hit = 0;
	/* absolute paths are file URIs; relative ones stay relative references */
	path = xstrdup(!strncmp(uri, "file://", 7) ? uri + 7 : uri);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	snprintf(want, sizeof(want), "id:%s,", id);
	while (fgets(buf, sizeof(buf), f) && n < line + 30) {
		n++;
		if (n == line)
			ck_assert_msg(strstr(buf, "SecRule") || strstr(buf, "SecAction"),
				      "%s:%d does not start a rule: %s", path, line, buf);
		if (n >= line && strstr(buf, want)) {
			hit = 1;
			break;
		}
	}
	fclose(f);
	free(path);
	return hit;
}

START_TEST(sarif_required_properties_and_locations)
{
	struct strbuf out = STRBUF_INIT;
	cJSON *root, *run, *driver;
	const cJSON *results, *rules, *r;
	size_t blocked = 0, withfix = 0, related = 0;

	demo_audit();
	report_sarif(&H, 1, &RO, "klarna-exclusions.conf", &out);
	root = cJSON_Parse(out.buf);
	ck_assert_msg(root != NULL, "SARIF is not JSON");
	ck_assert_str_eq(str(root, "version"), "2.1.0");
	ck_assert_msg(strstr(str(root, "$schema"), "sarif-2.1.0") != NULL, "schema");
	run = cJSON_GetArrayItem(arr(root, "runs", 1), 0);
	driver = (cJSON *)obj(obj(run, "tool"), "driver");
	ck_assert_str_eq(str(driver, "name"), "modsec-callback-audit");
	rules = arr(driver, "rules", 1);
	results = arr(run, "results", 1);
	for (size_t i = 0; i < A.ncases; i++)
		blocked += A.cases[i].outcome != OUT_PASSED;
	ck_assert_uint_eq((size_t)cJSON_GetArraySize(results), blocked);
	cJSON_ArrayForEach(r, results) {
		const char *rid = str(r, "ruleId");
		const cJSON *loc, *pl, *ri = cJSON_GetObjectItemCaseSensitive(r, "ruleIndex");
		str(obj(r, "message"), "text");
		ck_assert_msg(strstr("error warning note none", str(r, "level")) != NULL, "level");
		ck_assert_msg(cJSON_IsNumber(ri) && ri->valueint < cJSON_GetArraySize(rules), "ruleIndex");
		ck_assert_str_eq(str(cJSON_GetArrayItem(rules, ri->valueint), "id"), rid);
		loc = cJSON_GetArrayItem(arr(r, "locations", 1), 0);
		pl = obj(loc, "physicalLocation");
		ck_assert_msg(rule_at(str(obj(pl, "artifactLocation"), "uri"),
				      positive_int(obj(pl, "region"), "startLine"), rid),
			      "rule %s is not where its location says", rid);
		if (cJSON_GetObjectItem(r, "relatedLocations")) {
			const cJSON *rl;
			cJSON_ArrayForEach(rl, arr(r, "relatedLocations", 1)) {
				const cJSON *rpl = obj(rl, "physicalLocation");
				str(obj(rl, "message"), "text");
				str(obj(rpl, "artifactLocation"), "uri");
				positive_int(obj(rpl, "region"), "startLine");
				related++;
			}
		}
		if (cJSON_GetObjectItem(r, "fixes")) {
			const cJSON *fx;
			cJSON_ArrayForEach(fx, arr(r, "fixes", 1)) {
				const cJSON *ch = cJSON_GetArrayItem(arr(fx, "artifactChanges", 1), 0), *rep;
				str(obj(fx, "description"), "text");
				ck_assert_str_eq(str(obj(ch, "artifactLocation"), "uri"), "klarna-exclusions.conf");
				rep = cJSON_GetArrayItem(arr(ch, "replacements", 1), 0);
				positive_int(obj(rep, "deletedRegion"), "startLine");
				ck_assert_msg(strstr(str(obj(rep, "insertedContent"), "text"), "ctl:ruleRemove") != NULL,
					      "a fix inserts an exclusion");
			}
			withfix++;
		}
	}
	ck_assert_msg(withfix == blocked, "every blocked callback of the demo has a verified fix (%zu of %zu)",
		      withfix, blocked);
	ck_assert_msg(related > 0, "the demo's CRS anomaly blocks name their contributors");
	cJSON_Delete(root);
	strbuf_release(&out);
	demo_release();
}
END_TEST

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

START_TEST(junit_counts_match_the_audit)
{
	struct strbuf out = STRBUF_INIT;
	size_t passed, blocked, would;
	char want[128];

	demo_audit();
	audit_counts(&A, &passed, &blocked, &would);
	report_junit(&H, 1, &RO, &out);
	ck_assert_uint_eq(count(out.buf, "<testcase "), A.ncases);
	ck_assert_uint_eq(count(out.buf, "<failure "), blocked + would);
	snprintf(want, sizeof(want), "<testsuite name=\"shop.example.com\" tests=\"%zu\" failures=\"%zu\"",
		 A.ncases, blocked + would);
	ck_assert_msg(strstr(out.buf, want) != NULL, "%s", want);
	ck_assert_msg(strstr(out.buf, "message=\"blocked 403 by rule 211180") != NULL, "names the blocking rule");
	strbuf_release(&out);
	demo_release();
}
END_TEST

START_TEST(html_is_self_contained)
{
	struct strbuf out = STRBUF_INIT;
	demo_audit();
	report_html(&H, 1, &RO, &out);
	ck_assert_msg(strstr(out.buf, "<p id=\"summary\" class=\"summary bad\">") != NULL, "summary");
	ck_assert_msg(!strstr(out.buf, "<script") && !strstr(out.buf, " src=") && !strstr(out.buf, "href=") &&
		      !strstr(out.buf, "url(") && !strstr(out.buf, "@import"), "no external resource");
	ck_assert_msg(strstr(out.buf, "the parameter name <code>kco_session_id</code>") != NULL,
		      "211180's match said in words");
	ck_assert_msg(strstr(out.buf, "ctl:ruleRemoveTargetById=211180;ARGS_NAMES:kco_session_id") != NULL,
		      "the snippet to hand over");
	strbuf_release(&out);
	demo_release();
}
END_TEST

Suite *reports_suite(void)
{
	Suite *s = suite_create("reports");
	TCase *tc = tcase_create("formats");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sarif_required_properties_and_locations);
	tcase_add_test(tc, junit_counts_match_the_audit);
	tcase_add_test(tc, html_is_self_contained);
	suite_add_tcase(s, tc);
	return s;
}
