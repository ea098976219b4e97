/* The test command's JSON: go-ftw's keys first, then detail. Fields may be
 * added, never renamed or removed (README.md, "The test command"). */
#include "ftwcheck.h"
#include "test_report.h"

#include <cJSON.h>
#include <stdlib.h>

static cJSON *ids(const struct stage_result *sr)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < sr->nfired; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)sr->fired[i]));
	return a;
}

static cJSON *test_json(const struct ftw_result *r)
{
	const struct ftw_test *t = r->test;
	cJSON *o = cJSON_CreateObject(), *stages;
	cJSON_AddStringToObject(o, "id", t->id);
	cJSON_AddStringToObject(o, "file", t->file);
	cJSON_AddNumberToObject(o, "line", t->line);
	if (t->rule_id)
		cJSON_AddNumberToObject(o, "rule_id", (double)t->rule_id);
	cJSON_AddStringToObject(o, "result", test_outcome_name(r->outcome));
	if (r->reason)
		cJSON_AddStringToObject(o, "reason", r->reason);
	if (t->override)
		cJSON_AddStringToObject(o, "override", t->override);
	if (r->failed_stage)
		cJSON_AddNumberToObject(o, "failed_stage", r->failed_stage);
	cJSON_AddNumberToObject(o, "time_ms", r->ms);
	stages = cJSON_AddArrayToObject(o, "stages");
	for (size_t i = 0; i < r->nstages; i++) {
		const struct stage_result *sr = &r->stages[i];
		cJSON *s = cJSON_CreateObject();
		if (sr->error)
			cJSON_AddNullToObject(s, "status");
		else
			cJSON_AddNumberToObject(s, "status", sr->status);
		cJSON_AddBoolToObject(s, "error", sr->error);
		if (sr->error_why)
			cJSON_AddStringToObject(s, "error_reason", sr->error_why);
		cJSON_AddBoolToObject(s, "refused", sr->refused);
		cJSON_AddItemToObject(s, "triggered-rules", ids(sr));
		if (sr->disruptive_id)
			cJSON_AddNumberToObject(s, "disruptive_rule", (double)sr->disruptive_id);
		cJSON_AddNumberToObject(s, "time_ms", sr->ms);
		cJSON_AddItemToArray(stages, s);
	}
	return o;
}

void test_report_json(struct strbuf *out, const struct ftw_result *r, size_t n,
		      const struct test_summary *s)
{
	cJSON *root = cJSON_CreateObject(), *success, *failed, *skipped, *runtime, *trig, *tests, *sum, *eng;
	char *text;
	size_t run = 0;

	for (size_t i = 0; i < n; i++)
		run += r[i].outcome != TEST_SKIPPED;
	cJSON_AddNumberToObject(root, "run", (double)run);
	success = cJSON_AddArrayToObject(root, "success");
	failed = cJSON_AddArrayToObject(root, "failed");
	skipped = cJSON_AddArrayToObject(root, "skipped");
	runtime = cJSON_AddObjectToObject(root, "runtime");
	trig = cJSON_AddObjectToObject(root, "triggered-rules");
	for (size_t i = 0; i < n; i++) {
		const struct ftw_result *t = &r[i];
		cJSON *list = t->outcome == TEST_PASSED ? success : t->outcome == TEST_FAILED ? failed : skipped;
		cJSON_AddItemToArray(list, cJSON_CreateString(t->test->id));
		if (t->outcome == TEST_SKIPPED)
			continue;
		/* go-ftw gives durations in nanoseconds */
		cJSON_AddNumberToObject(runtime, t->test->id, (double)(long long)(t->ms * 1e6));
		{
			cJSON *per = cJSON_CreateArray();
			for (size_t k = 0; k < t->nstages; k++)
				cJSON_AddItemToArray(per, ids(&t->stages[k]));
			cJSON_AddItemToObject(trig, t->test->id, per);
		}
	}
	cJSON_AddNumberToObject(root, "TotalTime", (double)(long long)(s->wall_ms * 1e6));
	tests = cJSON_AddArrayToObject(root, "tests");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(tests, test_json(&r[i]));
	eng = cJSON_AddObjectToObject(root, "engine");
	if (s->library)
		cJSON_AddStringToObject(eng, "libmodsecurity", s->library);
	if (s->rule_engine)
		cJSON_AddStringToObject(eng, "rule_engine", s->rule_engine);
	else
		cJSON_AddStringToObject(eng, "rule_engine", "unset");
	if (s->emulates)
		cJSON_AddStringToObject(eng, "emulates", s->emulates);
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "files", (double)s->nfiles);
	cJSON_AddNumberToObject(sum, "passed", (double)s->passed);
	cJSON_AddNumberToObject(sum, "failed", (double)s->failed);
	cJSON_AddNumberToObject(sum, "skipped", (double)s->skipped);
	cJSON_AddNumberToObject(sum, "jobs", s->jobs);
	cJSON_AddNumberToObject(sum, "wall_ms", s->wall_ms);
	if (s->version)
		cJSON_AddStringToObject(root, "tool_version", s->version);
	text = cJSON_Print(root);
	strbuf_addstr(out, text);
	strbuf_addch(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}
