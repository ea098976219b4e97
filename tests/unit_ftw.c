/*
 * The test command's parts: raw-request parsing and go-ftw autocompletion
 * (request.c), base64, both ftw dialects (ftwtest.c), overrides, and the
 * checker on real libmodsecurity transactions (server.c, ftwcheck.c).
 */
#include "unit.h"
#include "ftwcheck.h"
#include "ftwrun.h"
#include "ftwtest.h"
#include "overrides.h"
#include "server.h"
#include "sniff.h"
#include "util/base64.h"

#include <stdlib.h>
#include <string.h>

static void raw(const char *text, struct request *r, int want)
{
	struct strbuf why = STRBUF_INIT;
	request_init(r);
	ck_assert_msg(request_parse_raw(text, strlen(text), r, &why) == want,
		      "parse of \"%s\": %s", text, why.buf);
	strbuf_release(&why);
}

START_TEST(raw_request_line_headers_body)
{
	struct request r;
	raw("\r\nPOST /a?b=c HTTP/1.0\r\nHost: x\r\nX-Long: one\r\n two\r\nContent-Length: 3\r\n\r\nabcdef", &r, 0);
	ck_assert_str_eq(r.method, "POST");
	ck_assert_str_eq(r.uri, "/a?b=c");
	ck_assert_str_eq(r.version, "1.0");
	ck_assert_uint_eq(r.nheaders, 3);
	ck_assert_str_eq(request_header(&r, "X-Long"), "one two");	/* obs-fold joined */
	ck_assert_uint_eq(r.body_len, 3);				/* Content-Length, not the rest */
	ck_assert_int_eq(memcmp(r.body, "abc", 3), 0);
	request_release(&r);

	/* bare LF, and no Content-Length: the bytes after the headers are not the body */
	raw("GET / HTTP/1.1\nHost: y\n\nleftover", &r, 0);
	ck_assert_str_eq(request_header(&r, "Host"), "y");
	ck_assert_uint_eq(r.body_len, 0);
	request_release(&r);

	/* chunked wins over Content-Length; a short body takes what is there */
	raw("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n", &r, 0);
	ck_assert_uint_eq(r.body_len, 5);
	ck_assert_int_eq(memcmp(r.body, "abcde", 5), 0);
	request_release(&r);
	raw("POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\nshort", &r, 0);
	ck_assert_uint_eq(r.body_len, 5);
	request_release(&r);
}
END_TEST

START_TEST(raw_request_refused)
{
	static const char *const bad[] = {
		"GET /\r\n\r\n",				/* HTTP/0.9: no version */
		"GET / FTP/1.0\r\n\r\n",			/* not HTTP */
		"G(T / HTTP/1.1\r\n\r\n",			/* method not a token */
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nHost : x\r\n\r\n",		/* space before the colon */
		"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\nab",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct request r;
		raw(bad[i], &r, -1);
		request_release(&r);
	}
}
END_TEST

START_TEST(autocomplete_form_multipart_connection)
{
	struct request r;
	request_init(&r);
	request_set_body(&r, xstrdup("q=a b/c&n=1=2"), 13);
	request_autocomplete(&r);
	ck_assert_str_eq(request_header(&r, "Content-Type"), "application/x-www-form-urlencoded");
	ck_assert_str_eq(r.body, "q=a+b%2Fc&n=1%3D2");
	ck_assert_str_eq(request_header(&r, "Content-Length"), "17");
	ck_assert_str_eq(request_header(&r, "Connection"), "close");
	request_release(&r);

	/* already encoded: left alone; the user's headers are kept */
	request_init(&r);
	request_add_header(&r, "Content-Length", "5");
	request_add_header(&r, "Connection", "keep-alive");
	request_set_body(&r, xstrdup("a=%41"), 5);
	request_autocomplete(&r);
	ck_assert_str_eq(r.body, "a=%41");
	ck_assert_str_eq(request_header(&r, "Connection"), "keep-alive");
	ck_assert_uint_eq(r.nheaders, 3);
	request_release(&r);

	/* multipart: bare LF becomes CRLF, CRLF stays */
	request_init(&r);
	request_add_header(&r, "Content-Type", "multipart/form-data; boundary=b");
	request_set_body(&r, xstrdup("--b\nx\r\n--b--\n"), 14);
	request_autocomplete(&r);
	ck_assert_str_eq(r.body, "--b\r\nx\r\n--b--\r\n");
	ck_assert_str_eq(request_header(&r, "Content-Length"), "16");
	request_release(&r);

	/* no body: only Connection */
	request_init(&r);
	request_autocomplete(&r);
	ck_assert_uint_eq(r.nheaders, 1);
	ck_assert_ptr_null(request_header(&r, "Content-Type"));
	request_release(&r);
}
END_TEST

START_TEST(base64_decoding)
{
	struct strbuf b = STRBUF_INIT;
	ck_assert_int_eq(base64_decode("dmFyPTEy\nMzQ=", &b), 0);
	ck_assert_str_eq(b.buf, "var=1234");
	strbuf_reset(&b);
	ck_assert_int_eq(base64_decode("YQ", &b), 0);	/* no padding */
	ck_assert_str_eq(b.buf, "a");
	strbuf_reset(&b);
	ck_assert_int_eq(base64_decode("not base64!", &b), -1);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(base64_decode("Y", &b), -1);	/* 6 bits are no byte */
	strbuf_release(&b);
}
END_TEST

static void load(struct ftw_suite *s, const char *name, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	ftw_suite_init(s);
	ck_assert_msg(ftw_load_text(s, name, text, strlen(text), &err) == 0, "load: %s", err.buf);
	strbuf_release(&err);
}

static void load_fails(const char *name, const char *text, const char *want)
{
	struct ftw_suite s;
	struct strbuf err = STRBUF_INIT;
	ftw_suite_init(&s);
	ck_assert_int_eq(ftw_load_text(&s, name, text, strlen(text), &err), -1);
	ck_assert_msg(strstr(err.buf, want) != NULL, "error \"%s\" lacks \"%s\"", err.buf, want);
	ftw_suite_release(&s);
	strbuf_release(&err);
}

START_TEST(v2_fields)
{
	struct ftw_suite s;
	const struct ftw_test *t;
	const struct ftw_stage *st;
	load(&s, "dir/920100-x.yaml",
	     "meta: {author: a}\n"
	     "tests:\n"
	     "  - test_id: 7\n"
	     "    stages:\n"
	     "      - input:\n"
	     "          dest_addr: 10.1.2.3\n"
	     "          port: 8080\n"
	     "          method: PUT\n"
	     "          version: HTTP/1.0\n"
	     "          ordered_headers: [{name: B, value: '2'}, {name: A, value: '1'}, {name: B, value: '3'}]\n"
	     "          encoded_data: YT1i\n"
	     "        output:\n"
	     "          status: 403\n"
	     "          isolated: true\n"
	     "          log: {expect_ids: [920100], no_expect_ids: 1, match_regex: 'x+', no_match_regex: ['y', 'z']}\n");
	ck_assert_uint_eq(s.nfiles, 1);
	ck_assert_int_eq(s.files[0].dialect, FTW_V2);
	t = &s.files[0].tests[0];
	ck_assert_str_eq(t->id, "920100-7");	/* rule id from the file name */
	ck_assert_int_eq(t->rule_id, 920100);
	ck_assert_int_eq(t->test_id, 7);
	ck_assert_int_eq(t->line, 3);
	st = &t->stages[0];
	ck_assert_str_eq(st->req.server_ip, "10.1.2.3");
	ck_assert_int_eq(st->req.server_port, 8080);
	ck_assert_str_eq(st->req.method, "PUT");
	ck_assert_str_eq(st->req.version, "1.0");
	/* the given order, duplicates kept, then autocompletion */
	ck_assert_str_eq(st->req.headers[0].name, "B");
	ck_assert_str_eq(st->req.headers[1].name, "A");
	ck_assert_str_eq(st->req.headers[2].value, "3");
	ck_assert_str_eq(st->req.body, "a=b");
	ck_assert_str_eq(request_header(&st->req, "Content-Length"), "3");
	ck_assert_uint_eq(st->out.nstatus, 1);
	ck_assert_int_eq(st->out.status[0], 403);
	ck_assert_int_eq(st->out.isolated, 1);
	ck_assert_int_eq(st->out.expect_error, -1);
	ck_assert_uint_eq(st->out.nexpect, 1);
	ck_assert_uint_eq(st->out.nno_expect, 1);
	ck_assert_uint_eq(st->out.nlog_match, 1);
	ck_assert_uint_eq(st->out.nlog_no_match, 2);
	ck_assert_int_eq(ftw_regex_match(&st->out.log_match[0], "axxb", 4), 1);
	ftw_suite_release(&s);
}
END_TEST

START_TEST(legacy_fields)
{
	struct ftw_suite s;
	const struct ftw_test *t;
	load(&s, "legacy.yaml",
	     "meta: {enabled: false}\n"
	     "tests:\n"
	     "  - test_title: 942100-3\n"
	     "    stages:\n"
	     "      - stage:\n"
	     "          input: {method: POST, stop_magic: true, data: ['x', 'y=1']}\n"
	     "          output: {status: [200, 403], log_contains: 'id \"942100\"', expect_error: false}\n"
	     "      - stage:\n"
	     "          input: {raw_request: \"GET /r HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n\"}\n"
	     "          output: {no_log_contains: 'id \"1\"'}\n"
	     "      - stage:\n"
	     "          input: {raw_request: \"garbage\"}\n"
	     "          output: {status: 400}\n");
	ck_assert_int_eq(s.files[0].dialect, FTW_LEGACY);
	t = &s.files[0].tests[0];
	ck_assert_str_eq(t->id, "942100-3");
	ck_assert_int_eq(t->rule_id, 942100);
	ck_assert_int_eq(t->test_id, 3);
	ck_assert_ptr_nonnull(t->skip);	/* meta enabled: false */
	ck_assert_uint_eq(t->nstages, 3);
	/* data lines joined by CRLF; stop_magic: nothing added, so without
	 * Content-Length the server (nginx) takes no body: those bytes would
	 * be the next request */
	ck_assert_uint_eq(t->stages[0].req.body_len, 0);
	ck_assert_uint_eq(t->stages[0].req.nheaders, 0);
	ck_assert_uint_eq(t->stages[0].out.nstatus, 2);
	ck_assert_int_eq(t->stages[0].out.expect_error, 0);
	ck_assert_str_eq(t->stages[1].req.uri, "/r");
	ck_assert_str_eq(request_header(&t->stages[1].req, "Host"), "h");
	ck_assert_int_eq(t->stages[1].refused, 0);
	ck_assert_int_eq(t->stages[2].refused, 1);
	ftw_suite_release(&s);
}
END_TEST

START_TEST(load_errors_name_file_and_line)
{
	load_fails("b.yaml", "rule_id: 5\ntests:\n  - test_title: 5-1\n    stages: 5\n",
		   "b.yaml:4: stages must be a list");
	load_fails("c.yaml", "tests:\n  - test_id: 1\n    stages: [{input: {}, output: {}}]\n",
		   "c.yaml:1: no rule_id, and the file name does not start with one");
	/* isolated without one expect_ids fails its stage when it runs
	 * (go-ftw's checkTestSanity): testdata/cases/ftw-output-go-ftw.case */
	/* issue 13: an empty stage then a valid one: the first error ends the
	 * load, and it is the only one (no zeroed stage runs) */
	load_fails("6.yaml", "tests: [{test_title: y, stages: [{stage: }, {stage: {input: {uri: \"/\"}, output: {status: 200}}}]}]\n",
		   "6.yaml:1: stage must be a mapping");
	{
		struct ftw_suite s;
		struct strbuf err = STRBUF_INIT;
		const char *t = "tests: [{test_title: y, stages: [{stage: }, {stage: {input: {uri: \"/\"}, output: {status: 200}}}]}]\n";
		ftw_suite_init(&s);
		ck_assert_int_eq(ftw_load_text(&s, "6.yaml", t, strlen(t), &err), -1);
		ck_assert_ptr_null(strstr(err.buf + 1, "6.yaml"));	/* one error, not glued */
		ck_assert_uint_eq(s.nfiles, 0);
		ftw_suite_release(&s);
		strbuf_release(&err);
	}
	load_fails("3.yaml", "tests:\n  - test_id: 1\n    stages:\n      - input: {}\n        output: {status: 42}\n",
		   "3.yaml:5: status 42 is not an HTTP status");
	load_fails("4.yaml", "tests: [\n", "4.yaml:2:");
}
END_TEST

/* What go-ftw accepts is accepted: unknown keys (warned), an empty meta,
 * a test without test_id, a raw request beside other fields (it wins),
 * data beside encoded_request (the stage is invalid, not the file). */
START_TEST(go_ftw_leniency)
{
	struct ftw_suite s;
	const struct ftw_test *t;
	load(&s, "dir/rce-932271.yaml",
	     "meta:\n"
	     "author: someone\n"
	     "tests:\n"
	     "  - desc: no test_id\n"
	     "    stages:\n"
	     "      - input: {urii: /, uri: /x, method: PUT, encoded_request: R0VUIC8gSFRUUC8xLjANCkhvc3Q6IGgNCg0K}\n"
	     "        output: {status: 200, colour: red}\n"
	     "  - test_id: 9\n"
	     "    stages:\n"
	     "      - input: {data: x, encoded_request: R0VUIC8gSFRUUC8xLjANCg0K}\n"
	     "      - description: no input, no output\n");
	ck_assert_int_eq(s.files[0].dialect, FTW_V2);
	ck_assert_int_eq(s.files[0].rule_id, 932271);	/* the file name's first number */
	t = &s.files[0].tests[0];
	ck_assert_str_eq(t->id, "932271-1");	/* numbered by position */
	ck_assert_str_eq(t->stages[0].req.method, "GET");	/* the raw request wins */
	ck_assert_str_eq(t->stages[0].req.uri, "/");
	ck_assert_str_eq(request_header(&t->stages[0].req, "Host"), "h");
	ck_assert_ptr_null(t->stages[0].invalid);
	t = &s.files[0].tests[1];
	ck_assert_str_eq(t->id, "932271-9");
	ck_assert_ptr_nonnull(strstr(t->stages[0].invalid, "'data' and 'encoded_request'"));
	ck_assert_uint_eq(t->nstages, 2);
	ck_assert_str_eq(t->stages[1].req.method, "GET");
	ck_assert_uint_eq(t->stages[1].out.nstatus, 0);
	ck_assert_ptr_nonnull(strstr(s.warnings.buf, "rce-932271.yaml:2: unknown key \"author\" in the file"));
	ck_assert_ptr_nonnull(strstr(s.warnings.buf, "932271.yaml:6: unknown key \"urii\" in input"));
	ck_assert_ptr_nonnull(strstr(s.warnings.buf, "932271.yaml:7: unknown key \"colour\" in output"));
	ftw_suite_release(&s);
}
END_TEST

/* issue 13: a raw request with 20,000 headers (22.7 s and 970 MB before)
 * is answered the way each server answers it, reading no further than it
 * does: nginx past 4 x 8k of headers, Apache past 100 fields. */
START_TEST(platform_many_headers)
{
	struct strbuf wire = STRBUF_INIT, why = STRBUF_INIT;
	struct platform_note note;
	struct request r;
	strbuf_addstr(&wire, "GET / HTTP/1.1\r\nHost: localhost\r\n");
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&wire, "X-H%d: v\r\n", i);
	strbuf_addstr(&wire, "\r\n");
	request_init(&r);
	ck_assert_int_eq(platform_read(PLATFORM_NGINX, wire.buf, wire.len, &r, &note, &why), 400);
	ck_assert_ptr_nonnull(strstr(why.buf, "Too Large"));
	ck_assert_uint_lt(r.nheaders, 4 * 8192 / 8);
	request_release(&r);
	request_init(&r);
	strbuf_reset(&why);
	ck_assert_int_eq(platform_read(PLATFORM_APACHE, wire.buf, wire.len, &r, &note, &why), 400);
	ck_assert_ptr_nonnull(strstr(why.buf, "LimitRequestFields"));
	ck_assert_uint_eq(r.nheaders, 100);
	request_release(&r);
	strbuf_release(&wire);
	strbuf_release(&why);
}
END_TEST

/* Go's DetectContentType on the inputs its own table names. */
START_TEST(sniff_go_table)
{
	ck_assert_str_eq(sniff_content_type("plain words\n", 12), "text/plain; charset=utf-8");
	ck_assert_str_eq(sniff_content_type("{\"a\": 1}", 8), "text/plain; charset=utf-8");
	ck_assert_str_eq(sniff_content_type(" \n<!doctype html><p>", 21), "text/html; charset=utf-8");
	ck_assert_str_eq(sniff_content_type("<BODY>x", 7), "text/html; charset=utf-8");
	ck_assert_str_eq(sniff_content_type("<bodyx", 6), "text/plain; charset=utf-8");	/* no tag end */
	ck_assert_str_eq(sniff_content_type("<?xml version", 13), "text/xml; charset=utf-8");
	ck_assert_str_eq(sniff_content_type("%PDF-1.4", 8), "application/pdf");
	ck_assert_str_eq(sniff_content_type("\x89PNG\r\n\x1a\n", 8), "image/png");
	ck_assert_str_eq(sniff_content_type("\x1f\x8b\x08\x00", 4), "application/x-gzip");
	ck_assert_str_eq(sniff_content_type("\xef\xbb\xbfhi", 5), "text/plain; charset=utf-8");
	ck_assert_str_eq(sniff_content_type("a\x01b", 3), "application/octet-stream");
	ck_assert_str_eq(sniff_content_type("", 0), "text/plain; charset=utf-8");
}
END_TEST

/* ---- the checker, on real transactions ---- */

static const char server_rules[] =
	"SecRuleEngine On\n"
	"SecRequestBodyAccess On\n"
	"SecRule ARGS:a \"@streq 1\" \"id:11,phase:1,pass,log,msg:'one'\"\n"
	"SecRule ARGS:b \"@streq 1\" \"id:12,phase:2,deny,status:403,log,msg:'deny'\"\n"
	"SecRule ARGS:c \"@streq 1\" \"id:13,phase:2,drop,log,msg:'drop'\"\n";

static void run_stage(const char *uri, struct ruleset *rs, struct stage_result *r)
{
	struct engine *e;
	struct ftw_stage st;
	struct strbuf err = STRBUF_INIT;
	ruleset_init(rs);
	unit_ruleset_text(rs, server_rules);
	e = engine_new_mode(rs->rule_engine, &err);
	ck_assert_msg(e != NULL, "%s", err.buf);
	ck_assert_int_eq(engine_load_ruleset(e, rs, &err), 0);
	memset(&st, 0, sizeof(st));
	request_init(&st.req);
	free(st.req.uri);
	st.req.uri = xstrdup(uri);
	server_run_stage(e, rs, &st, NULL, r);
	request_release(&st.req);
	engine_free(e);
	strbuf_release(&err);
}

static int check(const char *yaml_output, const struct stage_result *r, struct strbuf *why)
{
	struct ftw_suite s;
	char *text = xasprintf("tests:\n  - test_id: 1\n    stages:\n      - input: {}\n        output: %s\n", yaml_output);
	int ok;
	load(&s, "9.yaml", text);
	ok = ftw_check(&s.files[0].tests[0].stages[0].out, r, why);
	ftw_suite_release(&s);
	free(text);
	return ok;
}

START_TEST(check_on_real_transactions)
{
	struct ruleset rs;
	struct stage_result r;
	struct strbuf why = STRBUF_INIT;

	run_stage("/?a=1&b=1", &rs, &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_int_eq(r.error, 0);
	ck_assert_uint_eq(r.nfired, 2);
	ck_assert_int_eq(r.fired[0], 11);
	ck_assert_int_eq(r.fired[1], 12);	/* from the intervention's log line */
	ck_assert_int_eq(r.disruptive_id, 12);
	ck_assert_int_eq(check("{status: 403, log: {expect_ids: [11, 12]}, response_contains: '403 Forbidden'}", &r, &why), 1);
	ck_assert_int_eq(check("{status: [200, 404], log: {expect_ids: [13], no_expect_ids: [11]}}", &r, &why), 0);
	ck_assert_str_eq(why.buf, "status 403, expected one of 200 404; expected 13 to fire; 11 fired, expected not to (fired: 11 12)");
	strbuf_reset(&why);
	ck_assert_int_eq(check("{isolated: true, log: {expect_ids: [12]}}", &r, &why), 0);
	ck_assert_str_eq(why.buf, "isolated: 11 fired too (fired: 11 12)");
	strbuf_reset(&why);
	ck_assert_int_eq(check("{log_contains: 'id \"12\"', no_log_contains: 'Access denied with code 403'}", &r, &why), 0);
	ck_assert_str_eq(why.buf, "log matches /Access denied with code 403/, expected not to (fired: 11 12)");
	stage_result_release(&r);
	ruleset_release(&rs);

	strbuf_reset(&why);
	run_stage("/?c=1", &rs, &r);
	ck_assert_int_eq(r.error, 1);
	ck_assert_str_eq(r.error_why, "rule 13 drops the connection");
	ck_assert_int_eq(check("{expect_error: true}", &r, &why), 1);
	ck_assert_int_eq(check("{log: {expect_ids: [13]}}", &r, &why), 0);	/* unexpected error */
	ck_assert_str_eq(why.buf, "unexpected error: rule 13 drops the connection");
	stage_result_release(&r);
	ruleset_release(&rs);
	strbuf_release(&why);
}
END_TEST

START_TEST(overrides_replace_and_ignore)
{
	struct ftw_overrides o;
	struct ftw_suite s;
	struct strbuf err = STRBUF_INIT;
	char *path = unit_write("o.yaml",
				"version: v0.0.0\n"
				"test_overrides:\n"
				"  - rule_id: 5\n"
				"    test_ids: [2]\n"
				"    stage_ids: [1]\n"
				"    reason: r1\n"
				"    output: {status: 418}\n"
				"ignore:\n"
				"  '^5-3$': skipped here\n");
	ck_assert_msg(overrides_load(&o, path, &err, NULL) == 0, "%s", err.buf);
	load(&s, "5.yaml",
	     "tests:\n"
	     "  - test_id: 1\n    stages: [{input: {}, output: {}}]\n"
	     "  - test_id: 2\n    stages: [{input: {}, output: {}}, {input: {}, output: {}}]\n"
	     "  - test_id: 3\n    stages: [{input: {}, output: {}}]\n");
	ck_assert_uint_eq(overrides_apply(&o, &s), 1);
	ck_assert_ptr_null(s.files[0].tests[0].override);
	ck_assert_str_eq(s.files[0].tests[1].override, "r1");
	ck_assert_ptr_null(s.files[0].tests[1].stages[0].out_override);
	ck_assert_int_eq(s.files[0].tests[1].stages[1].out_override->status[0], 418);
	ck_assert_str_eq(s.files[0].tests[2].skip, "ignored: skipped here");
	ftw_suite_release(&s);
	overrides_release(&o);
	free(path);

	path = unit_write("bad.yaml", "test_overrides:\n  - rule_id: 5\n    reason: x\n    output: {log: {expect_ids: [one]}}\n");
	ck_assert_int_eq(overrides_load(&o, path, &err, NULL), -1);
	ck_assert_msg(strstr(err.buf, "bad.yaml:4: expect_ids must be a number") != NULL, "%s", err.buf);
	overrides_release(&o);
	free(path);
	strbuf_release(&err);
}
END_TEST

Suite *ftw_suite(void)
{
	Suite *s = suite_create("ftw");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, raw_request_line_headers_body);
	tcase_add_test(tc, raw_request_refused);
	tcase_add_test(tc, autocomplete_form_multipart_connection);
	tcase_add_test(tc, base64_decoding);
	tcase_add_test(tc, v2_fields);
	tcase_add_test(tc, legacy_fields);
	tcase_add_test(tc, load_errors_name_file_and_line);
	tcase_add_test(tc, go_ftw_leniency);
	tcase_add_test(tc, platform_many_headers);
	tcase_add_test(tc, sniff_go_table);
	suite_add_tcase(s, tc);
	tc = tcase_create("run");
	tcase_add_unchecked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, check_on_real_transactions);
	tcase_add_test(tc, overrides_replace_and_ignore);
	suite_add_tcase(s, tc);
	return s;
}
