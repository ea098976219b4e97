/*
 * catalog: the shipped catalogue, version ranges, URL forms, and the
 * file:line errors a broken catalogue gets.
 */
#include "unit.h"
#include "util/fileio.h"

#include <stdlib.h>
#include <string.h>

/* The line a text starts on in a file (1-based), 0 when absent. */
static int line_of(const char *path, const char *needle)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	const char *at;
	int line = 0;
	ck_assert_msg(read_file(path, &text, &err) == 0, "%s", err.buf);
	at = strstr(text.buf, needle);
	if (at) {
		line = 1;
		for (const char *p = text.buf; p < at; p++)
			line += *p == '\n';
	}
	strbuf_release(&text);
	strbuf_release(&err);
	return line;
}

/* The shipped catalogues load whole: 21 entries from six providers, the
 * ones the audit is about among them, each remembering the line it starts
 * on in its own file. */
START_TEST(shipped_catalogue_loads)
{
	static const char *const names[] = {
		"kco-push", "kco-push-nosession", "kco-block-validation", "kp-authorization",
	};
	struct catalog c;
	const struct callback *push;
	char *path = unit_data_path("callbacks/klarna-checkout.yaml");

	unit_catalog(&c);
	ck_assert_uint_eq(c.n, 21);
	ck_assert_uint_eq(c.nprovs, 6);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg(catalog_find(&c, names[i]) != NULL, "%s missing", names[i]);
	ck_assert_ptr_null(catalog_find(&c, "no-such-callback"));

	push = catalog_find(&c, "kco-push");
	ck_assert_str_eq(push->wc_api, "KCO_WC_Push");
	ck_assert_ptr_null(push->path);
	ck_assert_str_eq(push->method, "POST");
	ck_assert_ptr_null(push->body);
	ck_assert_int_eq(push->line, line_of(path, "- name: kco-push\n"));
	ck_assert_int_eq(catalog_find(&c, "kp-authorization")->trailing_slash, 0);
	ck_assert_str_eq(catalog_find(&c, "kco-block-validation")->path,
			 "/wp-json/kco-block/order/{{klarna_order_id}}/validate");
	/* file-wide default headers belong to the file's provider */
	ck_assert_str_eq(callback_provider(&c, push)->name, "kustom-checkout");
	ck_assert_uint_eq(callback_provider(&c, push)->ndefault, 1);
	ck_assert_str_eq(callback_provider(&c, push)->default_headers[0], "User-Agent: APIs-Klarna");
	ck_assert_str_eq(callback_plugin(&c, push)->slug, "klarna-checkout-for-woocommerce");
	ck_assert_str_eq(callback_provider(&c, catalog_find(&c, "stripe-charge-succeeded"))->name, "stripe");
	catalog_release(&c);
	free(path);
}
END_TEST

/* Version ranges are inclusive at both ends and open-ended with "X-";
 * an entry without versions is sent by every version. */
START_TEST(sent_by_versions)
{
	struct catalog c;
	const struct callback *push, *nosession, *kec;

	unit_catalog(&c);
	push = catalog_find(&c, "kco-push");		/* 1.8.0-2.18.3 */
	nosession = catalog_find(&c, "kco-push-nosession");	/* 2.18.4- */
	kec = catalog_find(&c, "kec-notification");	/* no versions */

	ck_assert_int_eq(callback_sent_by(push, "2.0.0"), 1);
	ck_assert_int_eq(callback_sent_by(push, "2.18.3"), 1);
	ck_assert_int_eq(callback_sent_by(push, "1.8.0"), 1);
	ck_assert_int_eq(callback_sent_by(push, "2.18.4"), 0);
	ck_assert_int_eq(callback_sent_by(push, "1.7.9"), 0);
	ck_assert_int_eq(callback_sent_by(nosession, "2.20.0"), 1);
	ck_assert_int_eq(callback_sent_by(nosession, "2.18.4"), 1);
	ck_assert_int_eq(callback_sent_by(nosession, "2.18.3"), 0);
	ck_assert_uint_eq(kec->nversions, 0);
	ck_assert_int_eq(callback_sent_by(kec, "0.1"), 1);
	catalog_release(&c);
}
END_TEST

/* Versions compare numerically part by part, not as strings. */
START_TEST(version_compare)
{
	ck_assert_int_lt(version_cmp("2.18.3", "2.18.4"), 0);
	ck_assert_int_gt(version_cmp("2.10.0", "2.9.9"), 0);
	ck_assert_int_lt(version_cmp("1.7.9", "1.8.0"), 0);
	ck_assert_int_eq(version_cmp("2.18.3", "2.18.3"), 0);
	ck_assert_int_eq(version_cmp("2.0", "2.0.0"), 0);
	ck_assert_int_gt(version_cmp("3", "2.99.999"), 0);

	ck_assert_int_eq(version_valid("2.18.3"), 1);
	ck_assert_int_eq(version_valid("2"), 1);
	ck_assert_int_eq(version_valid(""), 0);
	ck_assert_int_eq(version_valid("2.x"), 0);
	ck_assert_int_eq(version_valid("1..2"), 0);
	ck_assert_int_eq(version_valid("1.2."), 0);
}
END_TEST

/* --url-form values: "all", lists, and bad names. */
START_TEST(url_forms)
{
	unsigned f = 0;
	ck_assert_int_eq(url_forms_parse("all", &f), 0);
	ck_assert_uint_eq(f, URL_FORM_BIT(FORM_PATH) | URL_FORM_BIT(FORM_INDEX) | URL_FORM_BIT(FORM_QUERY));
	ck_assert_int_eq(url_forms_parse("path,query", &f), 0);
	ck_assert_uint_eq(f, URL_FORM_BIT(FORM_PATH) | URL_FORM_BIT(FORM_QUERY));
	ck_assert_int_eq(url_forms_parse("index", &f), 0);
	ck_assert_uint_eq(f, URL_FORM_BIT(FORM_INDEX));
	ck_assert_int_eq(url_forms_parse("bogus", &f), -1);
	ck_assert_int_eq(url_forms_parse("path,bogus", &f), -1);
	ck_assert_str_eq(url_form_name(FORM_QUERY), "query");
}
END_TEST

/* ---- errors: each names file:line ---- */

/* Write `yaml`, load it, and check it fails with "<file>:<line>: ..."
 * mentioning `what`. */
static void expect_error(const char *name, const char *yaml, int line, const char *what)
{
	struct catalog c;
	struct strbuf err = STRBUF_INIT;
	char *path = unit_write(name, yaml);
	char *prefix = xasprintf("%s:%d: ", path, line);

	ck_assert_int_eq(catalog_load(&c, path, &err), -1);
	ck_assert_msg(!strncmp(err.buf, prefix, strlen(prefix)),
		      "%s: error \"%s\" does not start with \"%s\"", name, err.buf, prefix);
	ck_assert_msg(strstr(err.buf, what) != NULL, "%s: error \"%s\" does not mention \"%s\"",
		      name, err.buf, what);
	catalog_release(&c);
	strbuf_release(&err);
	free(prefix);
	free(path);
}

/* A valid one-entry catalogue loads: the error cases below differ from it
 * only in what they break. */
START_TEST(minimal_catalogue_loads)
{
	struct catalog c;
	struct strbuf err = STRBUF_INIT;
	char *path = unit_write("ok.yaml",
		"catalogue: 1\n"
		"callbacks:\n"
		"  - name: a\n"
		"    method: POST\n"
		"    wc_api: A\n"
		"    versions: [\"1.0.0-2.0.0\", \"3.0.0-\"]\n");
	ck_assert_msg(catalog_load(&c, path, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_int_eq(c.cbs[0].line, 3);
	ck_assert_uint_eq(c.cbs[0].nversions, 2);
	ck_assert_int_eq(callback_sent_by(&c.cbs[0], "2.5.0"), 0);
	ck_assert_int_eq(callback_sent_by(&c.cbs[0], "9.0.0"), 1);
	catalog_release(&c);
	strbuf_release(&err);
	free(path);
}
END_TEST

START_TEST(error_yaml_syntax)
{
	expect_error("syntax.yaml",
		"catalogue: 1\n"
		"callbacks:\n"
		"  - name: a\n"
		"    method: POST\n"
		"    title: a: b\n"
		"    wc_api: A\n", 5, "mapping values are not allowed");
}
END_TEST

START_TEST(error_unknown_key)
{
	expect_error("key.yaml",
		"catalogue: 1\n"
		"callbacks:\n"
		"  - name: a\n"
		"    method: POST\n"
		"    wc_api: A\n"
		"    colour: red\n", 6, "unknown key \"colour\"");
}
END_TEST

START_TEST(error_unknown_placeholder)
{
	expect_error("placeholder.yaml",
		"catalogue: 1\n"
		"callbacks:\n"
		"  - name: a\n"
		"    method: POST\n"
		"    wc_api: A\n"
		"    query: \"id={{order_number}}\"\n", 6, "{{order_number}}");
}
END_TEST

START_TEST(error_duplicate_name)
{
	expect_error("dup.yaml",
		"catalogue: 1\n"
		"callbacks:\n"
		"  - name: a\n"
		"    method: POST\n"
		"    wc_api: A\n"
		"  - name: a\n"
		"    method: POST\n"
		"    wc_api: B\n", 6, "duplicate callback name \"a\"");
}
END_TEST

START_TEST(error_wc_api_and_path)
{
	expect_error("both.yaml",
		"catalogue: 1\n"
		"callbacks:\n"
		"  - name: ok\n"
		"    method: POST\n"
		"    wc_api: A\n"
		"  - name: both\n"
		"    method: POST\n"
		"    wc_api: A\n"
		"    path: /x\n", 6, "exactly one of wc_api and path");
}
END_TEST

START_TEST(error_host_header)
{
	expect_error("host.yaml",
		"catalogue: 1\n"
		"callbacks:\n"
		"  - name: a\n"
		"    method: POST\n"
		"    wc_api: A\n"
		"    headers:\n"
		"      - \"Accept: */*\"\n"
		"      - \"Host: evil.example\"\n", 8, "Host");
}
END_TEST

START_TEST(error_bad_versions)
{
	expect_error("versions.yaml",
		"catalogue: 1\n"
		"callbacks:\n"
		"  - name: a\n"
		"    method: POST\n"
		"    wc_api: A\n"
		"    versions: [\"1.8.0-two\"]\n", 6, "1.8.0-two");
}
END_TEST

START_TEST(error_missing_version)
{
	expect_error("noversion.yaml",
		"# no format line\n"
		"callbacks:\n"
		"  - name: a\n"
		"    method: POST\n"
		"    wc_api: A\n", 2, "catalogue: 1");
}
END_TEST

/* A catalogue that does not exist is an error naming the file. */
START_TEST(error_missing_file)
{
	struct catalog c;
	struct strbuf err = STRBUF_INIT;
	char *path = xasprintf("%s/does-not-exist.yaml", unit_tmpdir());
	ck_assert_int_eq(catalog_load(&c, path, &err), -1);
	ck_assert_msg(!strncmp(err.buf, path, strlen(path)), "error: %s", err.buf);
	catalog_release(&c);
	strbuf_release(&err);
	free(path);
}
END_TEST

/* --provider names: ids, titles, aliases, plugin names and slugs, former
 * names; case, spaces and '_' vs '-' do not matter; selection by them. */
START_TEST(provider_names)
{
	struct catalog c;
	struct strbuf err = STRBUF_INIT;
	struct selection *sel = NULL;
	size_t n = 0;
	const struct provider *kco, *ppcp, *kp;

	unit_catalog(&c);
	kco = callback_provider(&c, catalog_find(&c, "kco-push"));
	ppcp = callback_provider(&c, catalog_find(&c, "ppcp-webhook-capture-completed"));
	kp = callback_provider(&c, catalog_find(&c, "kp-authorization"));
	ck_assert(provider_matches(kco, "kustom-checkout"));
	ck_assert(provider_matches(kco, "Klarna Checkout"));
	ck_assert(provider_matches(kco, "KLARNA_CHECKOUT"));
	ck_assert(provider_matches(kco, "Klarna Checkout for WooCommerce"));
	ck_assert(provider_matches(kco, "klarna-checkout-for-woocommerce"));
	ck_assert(!provider_matches(kco, "klarna checkout for"));
	ck_assert(!provider_matches(kco, ""));
	ck_assert(provider_matches(ppcp, "WooCommerce PayPal Payments"));
	ck_assert(provider_matches(ppcp, "ppcp"));
	ck_assert(!provider_matches(ppcp, "stripe"));
	/* "klarna" names both Klarna providers */
	ck_assert(provider_matches(kco, "klarna") && provider_matches(kp, "Klarna"));
	ck_assert_int_eq(catalog_select(&c, "klarna", NULL, 0, NULL, URL_FORMS_WC, &sel, &n, &err), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert(sel[i].cb->provider == (size_t)(kco - c.provs) || sel[i].cb->provider == (size_t)(kp - c.provs));
	free(sel);
	ck_assert_int_eq(catalog_select(&c, "stripe", NULL, 0, NULL, URL_FORM_BIT(FORM_PATH), &sel, &n, &err), -1);
	ck_assert_msg(strstr(err.buf, "no callback left") != NULL, "%s", err.buf);
	strbuf_reset(&err);
	ck_assert_int_eq(catalog_select(&c, "stripe", NULL, 0, NULL, URL_FORMS_WC, &sel, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(sel[0].form, FORM_QUERY);
	free(sel);
	ck_assert_int_eq(catalog_select(&c, "stripe,nope", NULL, 0, NULL, URL_FORMS_WC, &sel, &n, &err), -1);
	ck_assert_msg(strstr(err.buf, "no provider named \"nope\"") != NULL, "%s", err.buf);
	strbuf_release(&err);
	catalog_release(&c);
}
END_TEST

Suite *catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("shipped");
	TCase *te = tcase_create("errors");

	tcase_add_test(tc, shipped_catalogue_loads);
	tcase_add_test(tc, sent_by_versions);
	tcase_add_test(tc, version_compare);
	tcase_add_test(tc, url_forms);
	tcase_add_test(tc, provider_names);
	suite_add_tcase(s, tc);

	tcase_add_unchecked_fixture(te, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(te, minimal_catalogue_loads);
	tcase_add_test(te, error_yaml_syntax);
	tcase_add_test(te, error_unknown_key);
	tcase_add_test(te, error_unknown_placeholder);
	tcase_add_test(te, error_duplicate_name);
	tcase_add_test(te, error_wc_api_and_path);
	tcase_add_test(te, error_host_header);
	tcase_add_test(te, error_bad_versions);
	tcase_add_test(te, error_missing_version);
	tcase_add_test(te, error_missing_file);
	suite_add_tcase(s, te);
	return s;
}
