/*
 * logs: the log readers on the logs real servers wrote (testdata/logs/,
 * captured by tests/parity/logs.sh --capture), the callback matcher on
 * every URL form, order ids, times, and gzip input.
 */
#include "unit.h"
#include "logmatch.h"
#include "logread.h"
#include "logsrc.h"
#include "util/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* What a run over some files produced, record by record. */
struct seen {
	size_t n, blocked, full, skipped;
	char names[64][48];	/* the callback of each blocked record, "" = none */
	long first_id[64];	/* its refusing rule */
	char ids[64][40];	/* its unique_id */
	const struct catalog *cat;
};

static void emit(void *ctx, struct logrec *r)
{
	struct seen *s = ctx;
	enum url_form f;
	const struct callback *cb;
	if (s->n < 64) {
		cb = s->cat ? logmatch_callback(s->cat, r, &f) : NULL;
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", cb ? cb->name : "");
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", r->unique_id ? r->unique_id : "");
		s->first_id[s->n] = 0;
		for (size_t i = 0; i < r->nmsgs; i++)
			if (r->msgs[i].disruptive)
				s->first_id[s->n] = r->msgs[i].id;
	}
	s->n++;
	s->blocked += r->intercepted;
	s->full += r->full;
}

static void skipped(void *ctx, const char *file, long line, const char *why)
{
	struct seen *s = ctx;
	(void)file;
	(void)line;
	(void)why;
	s->skipped++;
}

static int read_paths(char **paths, size_t n, struct seen *s, struct strbuf *err)
{
	struct logsink sink = { s, NULL, emit, skipped };
	struct logread_stats st;
	char **files;
	size_t nf;
	int r;
	unsigned char *walked;
	if (logsrc_expand(paths, n, &files, &nf, &walked, err) < 0)
		return -1;
	r = logread_files(files, walked, nf, &sink, &st, err);
	free(walked);
	for (size_t i = 0; i < nf; i++)
		free(files[i]);
	free(files);
	return r;
}

static void read_one(const char *rel, struct seen *s, const struct catalog *cat)
{
	struct strbuf err = STRBUF_INIT;
	char *p = xasprintf("%s/testdata/logs/%s", unit_srcdir(), rel);
	memset(s, 0, sizeof(*s));
	s->cat = cat;
	ck_assert_msg(read_paths(&p, 1, s, &err) == 0, "%s: %s", rel, err.buf);
	strbuf_release(&err);
	free(p);
}

static size_t count_name(const struct seen *s, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n && i < 64; i++)
		n += !strcmp(s->names[i], name);
	return n;
}

/* The same 15 transactions, however each server wrote them. */
START_TEST(test_real_audit_logs)
{
	static const char *const logs[] = { "apache-serial-audit.log.gz", "apache-concurrent",
					    "nginx-json-audit.log", "nginx-native-audit.log" };
	struct catalog cat;
	unit_catalog(&cat);
	for (size_t i = 0; i < 4; i++) {
		struct seen s;
		read_one(logs[i], &s, &cat);
		ck_assert_msg(s.n == 15 && s.blocked == 15 && s.full == 15 && !s.skipped,
			      "%s: %zu records, %zu blocked, %zu full, %zu skipped", logs[i], s.n, s.blocked,
			      s.full, s.skipped);
		ck_assert_int_eq(count_name(&s, "kco-push"), 3);
		ck_assert_int_eq(count_name(&s, "kco-push-json-ct"), 2);
		ck_assert_int_eq(count_name(&s, "kp-authorization"), 2);
		ck_assert_int_eq(count_name(&s, "kco-block-validation"), 1);
		/* the refusing rule of the push: the Comodo-style session rule */
		for (size_t k = 0; k < s.n; k++)
			if (!strcmp(s.names[k], "kco-push"))
				ck_assert_int_eq(s.first_id[k], 211180);
	}
	catalog_release(&cat);
}
END_TEST

/* Error logs: grouped by unique_id into the same 15 transactions. */
START_TEST(test_real_error_logs)
{
	static const char *const logs[] = { "apache-error.log", "nginx-error.log" };
	for (size_t i = 0; i < 2; i++) {
		struct seen s;
		read_one(logs[i], &s, NULL);
		ck_assert_msg(s.n == 15 && s.blocked == 15 && !s.full, "%s: %zu records, %zu blocked, %zu full",
			      logs[i], s.n, s.blocked, s.full);
		for (size_t k = 0; k < s.n; k++)
			ck_assert_msg(s.first_id[k] == 211180 || s.first_id[k] == 949110,
				      "%s: record %zu refused by %ld", logs[i], k, s.first_id[k]);
	}
}
END_TEST

/* The unique ids of the Serial log's records are those of the error log. */
START_TEST(test_same_transactions)
{
	struct seen a, e;
	read_one("apache-serial-audit.log.gz", &a, NULL);
	read_one("apache-error.log", &e, NULL);
	for (size_t i = 0; i < a.n; i++) {
		int found = 0;
		for (size_t k = 0; k < e.n; k++)
			found |= !strcmp(a.ids[i], e.ids[k]);
		ck_assert_msg(found, "%s is not in the error log", a.ids[i]);
	}
}
END_TEST

static int match(const struct catalog *c, const char *method, const char *uri, const char *ua,
		 const char *ctype, const char *want, enum url_form want_form)
{
	struct logrec r;
	enum url_form f = FORM_FIXED;
	const struct callback *cb;
	int ok;
	logrec_init(&r, LOG_JSON, "t", 1);
	free(r.req.method);
	r.req.method = xstrdup(method);
	free(r.req.uri);
	r.req.uri = xstrdup(uri);
	r.have_method = r.have_uri = 1;
	if (ua) {
		request_add_header(&r.req, "User-Agent", ua);
		if (ctype)
			request_add_header(&r.req, "Content-Type", ctype);
		r.have_headers = 1;
	}
	cb = logmatch_callback(c, &r, &f);
	ok = want ? cb && !strcmp(cb->name, want) && f == want_form : !cb;
	if (!ok)
		fprintf(stderr, "%s %s: got %s (%d), want %s (%d)\n", method, uri, cb ? cb->name : "none",
			(int)f, want ? want : "none", (int)want_form);
	logrec_release(&r);
	return ok;
}

START_TEST(test_url_forms)
{
	struct catalog c;
	const char *q = "?kco-action=push&kco_wc_order_id=x&kco_session_id=y";
	char u[256];
	unit_catalog(&c);
	snprintf(u, sizeof(u), "/wc-api/KCO_WC_Push/%s", q);
	ck_assert(match(&c, "POST", u, "APIs-Klarna", NULL, "kco-push", FORM_PATH));
	snprintf(u, sizeof(u), "/wc-api/kco_wc_push%s", q);	/* no slash, lower case */
	ck_assert(match(&c, "POST", u, "APIs-Klarna", NULL, "kco-push", FORM_PATH));
	snprintf(u, sizeof(u), "/index.php/wc-api/KCO_WC_Push/%s", q);
	ck_assert(match(&c, "POST", u, "APIs-Klarna", NULL, "kco-push", FORM_INDEX));
	snprintf(u, sizeof(u), "/?wc-api=KCO_WC_Push&%s", q + 1);
	ck_assert(match(&c, "POST", u, "APIs-Klarna", NULL, "kco-push", FORM_QUERY));
	snprintf(u, sizeof(u), "/shop/wc-api/KCO_WC_Push/%s", q);	/* a subdirectory install */
	ck_assert(match(&c, "POST", u, "APIs-Klarna", NULL, "kco-push", FORM_PATH));
	/* variants on one endpoint: Content-Type, the query's parameters */
	snprintf(u, sizeof(u), "/wc-api/KCO_WC_Push/%s", q);
	ck_assert(match(&c, "POST", u, "APIs-Klarna", "application/json", "kco-push-json-ct", FORM_PATH));
	ck_assert(match(&c, "POST", "/wc-api/KCO_WC_Push/?kco-action=push&kco_wc_order_id=x", "APIs-Klarna",
			NULL, "kco-push-nosession", FORM_PATH));
	ck_assert(match(&c, "POST", "/wc-api/KCO_WC_Push/?kco_wc_order_id=x", "APIs-Klarna", NULL,
			"kco-push-v1", FORM_PATH));
	/* a REST route, also as ?rest_route= */
	ck_assert(match(&c, "POST", "/wp-json/kco-block/order/abc/validate", "APIs-Klarna", "application/json",
			"kco-block-validation", FORM_FIXED));
	ck_assert(match(&c, "POST", "/?rest_route=/kco-block/order/abc/validate", "APIs-Klarna",
			"application/json", "kco-block-validation", FORM_FIXED));
	/* not the sender, not the method, not the endpoint */
	snprintf(u, sizeof(u), "/wc-api/KCO_WC_Push/%s", q);
	ck_assert(match(&c, "POST", u, "Mozilla/5.0", NULL, NULL, FORM_FIXED));
	ck_assert(match(&c, "GET", u, "APIs-Klarna", NULL, NULL, FORM_FIXED));
	ck_assert(match(&c, "POST", "/wc-api/KCO_WC_Pushy/", "APIs-Klarna", NULL, NULL, FORM_FIXED));
	ck_assert(match(&c, "POST", "/wp-json/kco-block/order/validate", "APIs-Klarna", NULL, NULL, FORM_FIXED));
	/* the loopback's User-Agent has a placeholder */
	ck_assert(match(&c, "POST", "/wp-json/wc/store/v1/checkout/4711", "WordPress/6.5; https://shop.example.com",
			"application/json", "wc-store-checkout-loopback", FORM_FIXED));
	catalog_release(&c);
}
END_TEST

static void add_id(void *ctx, const char *id)
{
	struct strbuf *sb = ctx;
	strbuf_addf(sb, "%s;", id);
}

START_TEST(test_order_ids)
{
	struct catalog c;
	struct logrec r;
	struct strbuf ids = STRBUF_INIT;
	const char *body = "{\"order_id\":\"k-1\",\"merchant\":{\"kco_order_id\":\"k-2\"}}";
	unit_catalog(&c);
	logrec_init(&r, LOG_JSON, "t", 1);
	free(r.req.uri);
	r.req.uri = xstrdup("/wp-json/kco-block/order/k-3/validate?kco_wc_order_id=k-4&x=1");
	r.have_uri = 1;
	request_add_header(&r.req, "Content-Type", "application/json");
	request_set_body(&r.req, xstrdup(body), strlen(body));
	r.have_headers = r.full = 1;
	logmatch_order_ids(&r, catalog_find(&c, "kco-block-validation"), add_id, &ids);
	ck_assert_str_eq(ids.buf, "k-4;k-3;k-1;k-2;");
	strbuf_release(&ids);
	logrec_release(&r);
	catalog_release(&c);
	ck_assert(logmatch_payment_uri("/?wc-api=WC_Gateway_Paypal"));
	ck_assert(logmatch_payment_uri("/shop/wc-api/x/"));
	ck_assert(logmatch_payment_uri("/?rest_route=/wc/store/v1/checkout/12"));
	ck_assert(!logmatch_payment_uri("/?s=wc-api"));
	ck_assert(!logmatch_payment_uri("/wp-json/wp/v2/posts"));
}
END_TEST

START_TEST(test_times)
{
	/* with a zone: exact */
	ck_assert(logtime_apache("29/Nov/2026:20:20:48.694941 +0000") == 1795983648LL);
	ck_assert(logtime_apache("29/Nov/2026:21:20:48 +0100") == 1795983648LL);
	ck_assert(logtime_iso("2026-11-29T20:20:48Z") == 1795983648LL);
	/* without: local time, the same moment read the same way */
	ck_assert(logtime_ctime("Sun Nov 29 20:20:48 2026") == logtime_nginx("2026/11/29 20:20:48"));
	ck_assert(logtime_ctime("Sun Nov 29 20:20:48.123456 2026") == logtime_iso("2026-11-29 20:20:48"));
	ck_assert(logtime_iso("2026-11-29") == logtime_iso("2026-11-29 00:00"));
	ck_assert(logtime_iso("yesterday") < 0);
	ck_assert(logtime_iso("2026-13-01") < 0);
	ck_assert(logtime_apache("garbage") < 0);
	/* mod_security2 west of UTC: "%c%.2d%.2d" of a negative offset
	 * (molu8bits/modsecurity-parser's sample has "--0400"); 2.5
	 * the last field held seconds */
	ck_assert(logtime_apache("29/Nov/2026:16:20:48 --0400") == 1795983648LL);
	ck_assert(logtime_apache("29/Nov/2026:16:50:48 --03-30") == 1795983648LL);
	ck_assert(logtime_apache("29/Nov/2026:16:50:48 --03-1800") == 1795983648LL);
	ck_assert(logtime_apache("29/Nov/2026:16:20:48 -0400") == 1795983648LL);
	ck_assert(logtime_apache("30/Nov/2026:01:50:48 +051800") == 1795983648LL);
	ck_assert(logtime_apache("30/Nov/2026:01:50:48 +0530") == 1795983648LL);
}
END_TEST

START_TEST(test_boundaries)
{
	char id[64], part;
	ck_assert(native_boundary("--c86ce045-A--", 14, id, &part) && part == 'A' && !strcmp(id, "c86ce045"));
	ck_assert(native_boundary("---LKd1Yx0X---H--", 17, id, &part) && part == 'H' && !strcmp(id, "LKd1Yx0X"));
	ck_assert(!native_boundary("--c86ce045-a--", 14, id, &part));
	ck_assert(!native_boundary("-- c86ce045-A--", 15, id, &part));
	ck_assert(!native_boundary("--c86ce045-A-- ", 15, id, &part));
}
END_TEST

/* A gzip file cut short (rotated while written): what was there is read,
 * the record it cut is reported, nothing is fatal. */
START_TEST(test_gzip_cut)
{
	struct seen s;
	struct strbuf err = STRBUF_INIT, raw = STRBUF_INIT;
	char *src = xasprintf("%s/testdata/logs/nginx-json-audit.log", unit_srcdir());
	char *path = xasprintf("%s/cut.log.gz", unit_tmpdir());
	FILE *f;
	gzFile gz;
	ck_assert_msg(read_file(src, &raw, &err) == 0, "%s", err.buf);
	gz = gzopen(path, "wb");
	ck_assert(gz != NULL);
	/* 14 whole records and half of the 15th */
	{
		const char *p = raw.buf;
		for (int i = 0; i < 14; i++)
			p = strchr(p, '\n') + 1;
		gzwrite(gz, raw.buf, (unsigned)(p - raw.buf + 200));
	}
	gzclose(gz);
	/* and cut the gzip stream itself short of its trailer */
	f = fopen(path, "r+");
	ck_assert(f != NULL);
	fseek(f, 0, SEEK_END);
	ck_assert_int_eq(ftruncate(fileno(f), ftell(f) - 6), 0);
	fclose(f);
	memset(&s, 0, sizeof(s));
	ck_assert_msg(read_paths(&path, 1, &s, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(s.n, 14);
	ck_assert_int_eq(s.skipped, 1);
	strbuf_release(&err);
	strbuf_release(&raw);
	free(src);
	free(path);
}
END_TEST

Suite *logs_suite(void)
{
	Suite *s = suite_create("logs");
	TCase *tc = tcase_create("readers");
	tcase_add_unchecked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, test_real_audit_logs);
	tcase_add_test(tc, test_real_error_logs);
	tcase_add_test(tc, test_same_transactions);
	tcase_add_test(tc, test_url_forms);
	tcase_add_test(tc, test_order_ids);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_boundaries);
	tcase_add_test(tc, test_gzip_cut);
	suite_add_tcase(s, tc);
	return s;
}
