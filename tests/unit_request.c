/*
 * request and callback_request: what goes on the wire for a catalogue
 * entry, in each URL form, with the user's header overrides.
 */
#include "unit.h"
#include "jsonargs_v2.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <strings.h>

/* Build `name` in `form` with default parameters (plus overrides). */
static void build(const struct catalog *c, const char *name, enum url_form form,
		  const char *const *overrides, size_t noverrides,
		  struct request *req, struct response *resp)
{
	struct build_params p;
	const struct callback *cb = catalog_find(c, name);
	ck_assert_msg(cb != NULL, "%s not in the catalogue", name);
	build_params_defaults(&p);
	p.header_overrides = overrides;
	p.noverrides = noverrides;
	callback_request(c, cb, form, &p, req, resp);
}

static size_t count_headers(const struct request *r, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nheaders; i++)
		n += !strcasecmp(r->headers[i].name, name);
	return n;
}

/* The push URL in each wc-api form, with the placeholders filled in. */
START_TEST(push_uri_forms)
{
	struct catalog c;
	struct build_params p;
	struct request req;
	struct response resp;
	char *query;
	const enum url_form forms[] = { FORM_PATH, FORM_INDEX, FORM_QUERY };
	char *want[3];

	build_params_defaults(&p);
	query = xasprintf("kco-action=push&kco_wc_order_id=%s&kco_session_id=%s",
			  p.klarna_order_id, p.session_id);
	want[0] = xasprintf("/wc-api/KCO_WC_Push/?%s", query);
	want[1] = xasprintf("/index.php/wc-api/KCO_WC_Push/?%s", query);
	want[2] = xasprintf("/?wc-api=KCO_WC_Push&%s", query);
	unit_catalog(&c);
	for (int i = 0; i < 3; i++) {
		char *path;
		build(&c, "kco-push", forms[i], NULL, 0, &req, &resp);
		ck_assert_str_eq(req.uri, want[i]);
		ck_assert_str_eq(req.method, "POST");
		ck_assert_str_eq(req.version, "1.1");
		path = request_path(&req);
		ck_assert_str_eq(path, i == 0 ? "/wc-api/KCO_WC_Push/" :
				       i == 1 ? "/index.php/wc-api/KCO_WC_Push/" : "/");
		free(path);
		request_release(&req);
		response_release(&resp);
		free(want[i]);
	}
	ck_assert_uint_eq(callback_forms(catalog_find(&c, "kco-push")), URL_FORMS_WC);
	ck_assert_uint_eq(callback_forms(catalog_find(&c, "kco-block-validation")),
			  URL_FORM_BIT(FORM_FIXED));
	free(query);
	catalog_release(&c);
}
END_TEST

/* Klarna's push: Host first, Klarna's User-Agent, no browser headers, an
 * empty POST that still states Content-Length: 0, from Klarna's address. */
START_TEST(push_headers)
{
	struct catalog c;
	struct build_params p;
	struct request req;
	struct response resp;

	build_params_defaults(&p);
	unit_catalog(&c);
	build(&c, "kco-push", FORM_PATH, NULL, 0, &req, &resp);
	ck_assert_uint_ge(req.nheaders, 1);
	ck_assert_str_eq(req.headers[0].name, "Host");
	ck_assert_str_eq(req.headers[0].value, p.host);
	ck_assert_str_eq(request_header(&req, "User-Agent"), "APIs-Klarna");
	ck_assert_ptr_null(request_header(&req, "Referer"));
	ck_assert_ptr_null(request_header(&req, "Cookie"));
	ck_assert_uint_eq(req.body_len, 0);
	ck_assert_str_eq(request_header(&req, "content-length"), "0");
	ck_assert_uint_eq(count_headers(&req, "Content-Length"), 1);
	ck_assert_str_eq(req.client_ip, p.client_ip);
	/* WooCommerce's answer to a push: 200 "-1" */
	ck_assert_int_eq(resp.status, 200);
	ck_assert_uint_eq(resp.body_len, 2);
	ck_assert_str_eq(resp.body, "-1");
	request_release(&req);
	response_release(&resp);
	catalog_release(&c);
}
END_TEST

/* A callback with a body: the length header is the expanded body's length,
 * the entry's Content-Type is sent, placeholders inside the body are gone. */
START_TEST(validation_body)
{
	struct catalog c;
	struct build_params p;
	struct request req;
	struct response resp;
	char *cl;

	build_params_defaults(&p);
	unit_catalog(&c);
	build(&c, "kco-validation", FORM_PATH, NULL, 0, &req, &resp);
	ck_assert_uint_gt(req.body_len, 1000);
	ck_assert_uint_eq(strlen(req.body), req.body_len);
	cl = xasprintf("%zu", req.body_len);
	ck_assert_str_eq(request_header(&req, "Content-Length"), cl);
	ck_assert_str_eq(request_header(&req, "Content-Type"), "application/json");
	ck_assert_ptr_null(strstr(req.body, "{{"));
	ck_assert_ptr_nonnull(strstr(req.body, p.klarna_order_id));
	ck_assert_ptr_nonnull(strstr(req.body, "\"confirmation\":\"https://shop.example.com/kassan/"));
	free(cl);
	request_release(&req);
	response_release(&resp);
	catalog_release(&c);
}
END_TEST

/* KP's authorization callback has no trailing slash and no query. */
START_TEST(kp_authorization_no_slash)
{
	struct catalog c;
	struct request req;
	struct response resp;

	unit_catalog(&c);
	build(&c, "kp-authorization", FORM_PATH, NULL, 0, &req, &resp);
	ck_assert_str_eq(req.uri, "/wc-api/KP_WC_AUTHORIZATION");
	request_release(&req);
	response_release(&resp);
	build(&c, "kp-authorization", FORM_INDEX, NULL, 0, &req, &resp);
	ck_assert_str_eq(req.uri, "/index.php/wc-api/KP_WC_AUTHORIZATION");
	request_release(&req);
	response_release(&resp);
	catalog_release(&c);
}
END_TEST

/* A path endpoint gets its placeholders filled in, in its one form. */
START_TEST(block_validation_path)
{
	struct catalog c;
	struct build_params p;
	struct request req;
	struct response resp;
	char *want;

	build_params_defaults(&p);
	unit_catalog(&c);
	build(&c, "kco-block-validation", FORM_FIXED, NULL, 0, &req, &resp);
	want = xasprintf("/wp-json/kco-block/order/%s/validate", p.klarna_order_id);
	ck_assert_str_eq(req.uri, want);
	free(want);
	request_release(&req);
	response_release(&resp);
	catalog_release(&c);
}
END_TEST

/* Overrides replace a header ("Name: value"), remove one ("Name:"), or add
 * a new one; the entry's own headers are otherwise kept in order. */
START_TEST(header_overrides)
{
	static const char *const ov[] = { "User-Agent: X", "Accept:", "X-Forwarded-For: 10.0.0.1" };
	struct catalog c;
	struct request req;
	struct response resp;

	unit_catalog(&c);
	/* the loopback sends an Accept header of its own */
	build(&c, "wc-store-checkout-loopback", FORM_FIXED, NULL, 0, &req, &resp);
	ck_assert_str_eq(request_header(&req, "Accept"), "*/*");
	ck_assert_ptr_nonnull(strstr(request_header(&req, "User-Agent"), "WordPress/"));
	request_release(&req);
	response_release(&resp);

	build(&c, "wc-store-checkout-loopback", FORM_FIXED, ov, 3, &req, &resp);
	ck_assert_str_eq(request_header(&req, "User-Agent"), "X");
	ck_assert_uint_eq(count_headers(&req, "User-Agent"), 1);
	ck_assert_ptr_null(request_header(&req, "Accept"));
	ck_assert_str_eq(request_header(&req, "X-Forwarded-For"), "10.0.0.1");
	ck_assert_str_eq(req.headers[0].name, "Host");
	ck_assert_str_eq(request_header(&req, "Content-Type"), "application/json");
	request_release(&req);
	response_release(&resp);
	catalog_release(&c);
}
END_TEST

/* The wire form: request line, headers, blank line, body. */
START_TEST(to_wire)
{
	struct catalog c;
	struct request req;
	struct response resp;
	struct strbuf w = STRBUF_INIT;
	char *tail;

	unit_catalog(&c);
	build(&c, "kco-push", FORM_PATH, NULL, 0, &req, &resp);
	request_to_wire(&req, &w);
	ck_assert_msg(!strncmp(w.buf, "POST /wc-api/KCO_WC_Push/?", 26), "wire: %s", w.buf);
	ck_assert_ptr_nonnull(strstr(w.buf, " HTTP/1.1\r\nHost: shop.example.com\r\n"));
	ck_assert_ptr_nonnull(strstr(w.buf, "\r\nContent-Length: 0\r\n"));
	ck_assert_uint_ge(w.len, 4);
	ck_assert_str_eq(w.buf + w.len - 4, "\r\n\r\n");	/* empty body */
	request_release(&req);
	response_release(&resp);

	strbuf_reset(&w);
	build(&c, "kco-validation", FORM_PATH, NULL, 0, &req, &resp);
	request_to_wire(&req, &w);
	ck_assert(!strncmp(w.buf, "POST /wc-api/KCO_WC_Validation/?", 32));
	ck_assert_uint_gt(w.len, req.body_len + 4);
	tail = w.buf + w.len - req.body_len;
	ck_assert_int_eq(memcmp(tail, req.body, req.body_len), 0);
	ck_assert_int_eq(memcmp(tail - 4, "\r\n\r\n", 4), 0);
	strbuf_release(&w);
	request_release(&req);
	response_release(&resp);
	catalog_release(&c);
}
END_TEST

/* Request bodies may hold NUL bytes: body_len, not strlen, is what counts. */
START_TEST(wire_body_with_nul)
{
	struct request req;
	struct strbuf w = STRBUF_INIT;
	char *body = xmalloc(3);

	request_init(&req);
	memcpy(body, "a\0b", 3);
	request_set_body(&req, body, 3);
	request_to_wire(&req, &w);
	ck_assert_uint_ge(w.len, 3);
	ck_assert_int_eq(memcmp(w.buf + w.len - 3, "a\0b", 3), 0);
	strbuf_release(&w);
	request_release(&req);
}
END_TEST

/* "Name: value" parsing and its refusals. */
START_TEST(header_parse_cases)
{
	char *n = NULL, *v = NULL;

	ck_assert_int_eq(header_parse("User-Agent:  APIs-Klarna", &n, &v), 0);
	ck_assert_str_eq(n, "User-Agent");
	ck_assert_str_eq(v, "APIs-Klarna");
	free(n);
	free(v);
	ck_assert_int_eq(header_parse("Accept:", &n, &v), 0);
	ck_assert_str_eq(n, "Accept");
	ck_assert_str_eq(v, "");
	free(n);
	free(v);
	ck_assert_int_eq(header_parse("Accept : x", &n, &v), 0);
	ck_assert_str_eq(n, "Accept");
	free(n);
	free(v);
	ck_assert_int_eq(header_parse("no colon here", &n, &v), -1);
	ck_assert_int_eq(header_parse(": value", &n, &v), -1);
	ck_assert_int_eq(header_parse("  : value", &n, &v), -1);
	ck_assert_int_eq(header_parse("", &n, &v), -1);
}
END_TEST

/* The header list: set replaces every copy, remove removes every copy,
 * lookups ignore case. */
START_TEST(header_list_ops)
{
	struct request r;
	request_init(&r);
	request_add_header(&r, "X-A", "1");
	request_add_header(&r, "x-a", "2");
	request_add_header(&r, "X-B", "3");
	request_set_header(&r, "X-A", "9");
	ck_assert_uint_eq(r.nheaders, 3);
	ck_assert_str_eq(r.headers[0].value, "9");
	ck_assert_str_eq(r.headers[1].value, "9");
	request_remove_header(&r, "X-A");
	ck_assert_uint_eq(r.nheaders, 1);
	ck_assert_str_eq(r.headers[0].name, "X-B");
	ck_assert_str_eq(request_header(&r, "x-b"), "3");
	request_release(&r);
}
END_TEST

/* mod_security2 2.9.7's JSON names (apache2/msc_json.c's callbacks, its
 * quirks included): each expected line follows that code by hand; the
 * parity suite (json-names) checks the common forms on real Apache. */
static void collect_arg(void *ctx, const char *name, size_t nl, const char *value, size_t vl)
{
	strbuf_addf(ctx, "%.*s=%.*s\n", (int)nl, name, (int)vl, value);
}

START_TEST(v2_json_names)
{
	static const struct { const char *body, *want; } t[] = {
		{ "{\"a\":{\"b\":1.50,\"c\":null},\"d\":true}", "a.b=1.50\na.c=\nd=true\n" },
		{ "{\"l\":[{\"t\":\"x\"},{\"t\":\"y\"}],\"n\":2}", "l.l.t=x\nl.l.t=y\nn=2\n" },
		{ "{\"ids\":[1,2]}", "ids.ids=1\nids.ids=2\n" },
		/* a top-level array: "array", then the key again */
		{ "[1,{\"k\":\"v\"}]", "array.array=1\narray.array.k=v\n" },
		/* an array of arrays: the prefix grows by the same key */
		{ "{\"m\":[[1]]}", "m.m.m=1\n" },
		/* an object ending in an array: closing it takes the key back from the prefix */
		{ "{\"o\":{\"p\":[1]},\"q\":\"\\u00e5\"}", "o.p.p=1\nq=\xc3\xa5\n" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		ck_assert_int_eq(v2json_args(t[i].body, strlen(t[i].body), 0, collect_arg, &sb), 0);
		ck_assert_str_eq(sb.buf ? sb.buf : "", t[i].want);
		strbuf_release(&sb);
	}
	{
		struct strbuf sb = STRBUF_INIT;
		const char *deep = "{\"a\":{\"b\":{\"c\":1}}}";
		ck_assert_int_eq(v2json_args("{\"a\":", 5, 0, collect_arg, &sb), -1);
		ck_assert_int_eq(v2json_args(deep, strlen(deep), 1, collect_arg, &sb), -1);
		strbuf_release(&sb);
	}
}
END_TEST

Suite *request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("callback_request");
	TCase *tm = tcase_create("model");

	tcase_add_test(tc, push_uri_forms);
	tcase_add_test(tc, push_headers);
	tcase_add_test(tc, validation_body);
	tcase_add_test(tc, kp_authorization_no_slash);
	tcase_add_test(tc, block_validation_path);
	tcase_add_test(tc, header_overrides);
	tcase_add_test(tc, to_wire);
	suite_add_tcase(s, tc);

	tcase_add_test(tm, wire_body_with_nul);
	tcase_add_test(tm, header_parse_cases);
	tcase_add_test(tm, header_list_ops);
	tcase_add_test(tm, v2_json_names);
	suite_add_tcase(s, tm);
	return s;
}
