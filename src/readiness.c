#include "readiness.h"
#include "request.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static const char *const check_names[] = {
	"https", "http-redirect", "permalinks", "no-lang-redirect", "public-address"
};

const char *rd_check_name(enum rd_check c)
{
	return check_names[c];
}

const char *rd_verdict_name(enum rd_verdict v)
{
	static const char *const n[] = { "not run", "pass", "fail", "skip" };
	return n[v];
}

int rd_checks_parse(const char *s, unsigned *checks)
{
	char *copy = xstrdup(s), *save = NULL;
	int ret = 0;
	*checks = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int found = 0;
		if (!strcmp(t, "all")) {
			*checks |= RD_ALL;
			continue;
		}
		if (!strcmp(t, "none"))
			continue;
		for (int c = 0; c < RD_NCHECKS; c++)
			if (!strcmp(t, check_names[c])) {
				*checks |= 1u << c;
				found = 1;
			}
		if (!found)
			ret = -1;
	}
	free(copy);
	return ret;
}

static struct rd_result *add(struct readiness *rd, enum rd_check c)
{
	struct rd_result *r;
	rd->r = xrealloc(rd->r, (rd->n + 1) * sizeof(*rd->r));
	r = &rd->r[rd->n++];
	memset(r, 0, sizeof(*r));
	r->check = c;
	return r;
}

static void say(struct rd_result *r, enum rd_verdict v, const char *fmt, const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;
	r->verdict = v;
	strbuf_addf(&sb, fmt, a ? a : "", b ? b : "");
	free(r->evidence);
	r->evidence = strbuf_detach(&sb, NULL);
}

/* ---- addresses ---- */

static int v4_public(const unsigned char *a)
{
	if (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224)
		return 0;				/* this net, private, loopback, multicast, reserved */
	if (a[0] == 100 && (a[1] & 0xc0) == 64)
		return 0;				/* 100.64.0.0/10 carrier-grade NAT */
	if (a[0] == 169 && a[1] == 254)
		return 0;				/* link-local */
	if (a[0] == 172 && (a[1] & 0xf0) == 16)
		return 0;				/* 172.16.0.0/12 */
	if (a[0] == 192 && a[1] == 168)
		return 0;
	if (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2))
		return 0;				/* IETF protocol assignments, TEST-NET-1 */
	if (a[0] == 198 && (a[1] & 0xfe) == 18)
		return 0;				/* 198.18.0.0/15 benchmarking */
	if ((a[0] == 198 && a[1] == 51 && a[2] == 100) || (a[0] == 203 && a[1] == 0 && a[2] == 113))
		return 0;				/* TEST-NET-2, TEST-NET-3 */
	return 1;
}

static int v6_public(const unsigned char *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[15] = { 0 };
	if (!memcmp(a, mapped, 12))
		return v4_public(a + 12);
	if (!memcmp(a, zero, 15) && a[15] <= 1)
		return 0;				/* :: and ::1 */
	if ((a[0] & 0xfe) == 0xfc || a[0] == 0xff)
		return 0;				/* unique local fc00::/7, multicast */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return 0;				/* link-local fe80::/10 */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return 0;				/* 2001:db8::/32 documentation */
	return 1;
}

int rd_address_is_public(const char *numeric)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, numeric, buf) == 1)
		return v4_public(buf);
	if (inet_pton(AF_INET6, numeric, buf) == 1)
		return v6_public(buf);
	return 0;
}

/* "shop.example.com:8443" or "[::1]:8443" -> the bare name. */
static char *bare_host(const char *host)
{
	if (*host == '[') {
		const char *e = strchr(host, ']');
		return e ? xstrndup(host + 1, (size_t)(e - host - 1)) : xstrdup(host);
	}
	{
		const char *colon = strchr(host, ':');
		return colon ? xstrndup(host, (size_t)(colon - host)) : xstrdup(host);
	}
}

static void check_public(const struct readiness_opts *o, struct rd_result *r)
{
	char *name = bare_host(o->dns_host);
	struct addrinfo hints, *res = NULL;
	struct strbuf pub = STRBUF_INIT, priv = STRBUF_INIT;
	int rc;

	if (o->dry_run) {
		say(r, RD_NOT_RUN, "would resolve %s%s", name, NULL);
		free(name);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc) {
		say(r, RD_FAIL, "%s does not resolve (%s): a provider cannot reach the shop", name, gai_strerror(rc));
		free(name);
		return;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		char num[INET6_ADDRSTRLEN];
		const void *addr = ai->ai_family == AF_INET
			? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
			: (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		struct strbuf *to;
		if (!inet_ntop(ai->ai_family, addr, num, sizeof(num)))
			continue;
		to = rd_address_is_public(num) ? &pub : &priv;
		if (strstr(to->buf ? to->buf : "", num))
			continue;		/* getaddrinfo repeats per protocol */
		strbuf_addf(to, "%s%s", to->len ? ", " : "", num);
	}
	freeaddrinfo(res);
	if (priv.len) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s resolves to %s, not a public address: a provider on the internet cannot "
			    "reach it (or reaches another host)", name, priv.buf);
		if (pub.len)
			strbuf_addf(&sb, "; public: %s", pub.buf);
		r->verdict = RD_FAIL;
		r->evidence = strbuf_detach(&sb, NULL);
	} else {
		say(r, RD_PASS, "%s resolves to %s (public)", name, pub.buf);
	}
	strbuf_release(&pub);
	strbuf_release(&priv);
	free(name);
}

/* ---- HTTP checks ---- */

static void get(const struct readiness_opts *o, const char *base, const char *uri,
		const struct http_opts *http, struct http_answer *a)
{
	struct request req;
	request_init(&req);
	free(req.uri);
	req.uri = xstrdup(uri);
	request_add_header(&req, "Host", o->host);
	request_add_header(&req, "User-Agent", "modsec-callback-audit readiness check");
	request_add_header(&req, "X-Modsec-Callback-Audit", "readiness");
	memset(a, 0, sizeof(*a));
	http_send(base, &req, http, a);
	request_release(&req);
}

/* "https://host[:port]/path" -> "host[:port]" and "/path" split points. */
static const char *after_scheme(const char *url)
{
	const char *s = strstr(url, "://");
	return s ? s + 3 : url;
}

static int has_port(const char *url)
{
	const char *h = after_scheme(url), *end = h + strcspn(h, "/");
	const char *colon = memchr(h, ']', (size_t)(end - h)) ? strrchr(h, ']') : h;
	return memchr(colon, ':', (size_t)(end - colon)) != NULL;
}

/* The https:// form of base (NULL when it has a port: which one is https?) */
static char *https_base(const char *base)
{
	if (!strncasecmp(base, "https://", 8))
		return xstrdup(base);
	if (has_port(base))
		return NULL;
	return xasprintf("https://%s", after_scheme(base));
}

static char *http_base(const struct readiness_opts *o)
{
	if (o->http_url) {
		size_t n = strlen(o->http_url);
		while (n && o->http_url[n - 1] == '/')
			n--;
		return xstrndup(o->http_url, n);
	}
	if (!strncasecmp(o->base, "http://", 7))
		return xstrdup(o->base);
	if (has_port(o->base))
		return NULL;
	return xasprintf("http://%s", after_scheme(o->base));
}

static void check_https(const struct readiness_opts *o, struct rd_result *r)
{
	char *b = https_base(o->base);
	struct http_opts strict = o->http;
	struct http_answer a;
	if (!b) {
		say(r, RD_SKIP, "the URL is http with a port: give the https URL to check its certificate%s%s", NULL, NULL);
		return;
	}
	r->url = xasprintf("%s/", b);
	if (o->dry_run) {
		say(r, RD_NOT_RUN, "would GET %s and verify the certificate%s", r->url, NULL);
		free(b);
		return;
	}
	strict.insecure = 0;	/* the point of the check, whatever -k says */
	get(o, b, "/", &strict, &a);
	if (a.error_kind == HTTP_TLS)
		say(r, RD_FAIL, "the certificate does not validate: %s%s", a.error, NULL);
	else if (a.error)
		say(r, RD_FAIL, "no https answer: %s%s", a.error, NULL);
	else {
		char st[16];
		snprintf(st, sizeof(st), "%d", a.status);
		say(r, RD_PASS, "https answers (status %s) with a certificate that validates%s", st, NULL);
	}
	http_answer_release(&a);
	free(b);
}

static void check_http_redirect(const struct readiness_opts *o, struct rd_result *r)
{
	char *b = http_base(o);
	struct http_answer a;
	const char *loc;
	if (!b) {
		say(r, RD_SKIP, "the URL is https with a port: give --http-url to check the redirect%s%s", NULL, NULL);
		return;
	}
	r->url = xasprintf("%s/", b);
	if (o->dry_run) {
		say(r, RD_NOT_RUN, "would GET %s and expect a redirect to https://%s", r->url, NULL);
		free(b);
		return;
	}
	get(o, b, "/", &o->http, &a);
	loc = http_answer_header(&a, "Location");
	if (a.error)
		say(r, RD_FAIL, "no http answer: %s%s", a.error, NULL);
	else if (a.status >= 300 && a.status < 400 && loc && !strncasecmp(loc, "https://", 8))
		say(r, RD_PASS, "http redirects to %s%s", loc, NULL);
	else if (a.status >= 300 && a.status < 400) {
		say(r, RD_FAIL, "http redirects, but not to https: Location %s%s", loc ? loc : "(none)", NULL);
	} else {
		char st[16];
		snprintf(st, sizeof(st), "%d", a.status);
		say(r, RD_FAIL, "http answers %s itself instead of redirecting to https "
		    "(callback URLs the shop registers are https; mixed setups lose them)%s", st, NULL);
	}
	http_answer_release(&a);
	free(b);
}

/* WooCommerce's own answer to an unknown wc-api endpoint: "-1". */
static int is_wc_answer(const struct http_answer *a)
{
	const char *s = a->body ? a->body : "";
	size_t n = a->body_len;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (n && isspace((unsigned char)*s))
		s++, n--;
	return (a->status == 400 || a->status == 200) && n == 2 && !strncmp(s, "-1", 2);
}

/* /en/wc-api/..., /de-at/wc-api/..., /pt_BR/wc-api/... */
static int language_prefixed(const char *loc)
{
	regex_t re;
	int hit;
	if (regcomp(&re, "/[A-Za-z]{2,3}([-_][A-Za-z]{2,4})?/(index\\.php/)?wc-api/", REG_EXTENDED | REG_NOSUB))
		return 0;
	hit = regexec(&re, loc, 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

static void check_wc_api(const struct readiness_opts *o, struct rd_result *perm, struct rd_result *lang)
{
	const char *path_uri = "/wc-api/" RD_WC_API_NAME "/", *query_uri = "/?wc-api=" RD_WC_API_NAME;
	struct http_answer a, q;
	const char *loc;
	char st[16];
	char *url = xasprintf("%s%s", o->base, path_uri);

	if (perm)
		perm->url = xstrdup(url);
	if (lang)
		lang->url = xstrdup(url);
	if (o->dry_run) {
		if (perm)
			say(perm, RD_NOT_RUN, "would GET %s (and %s) and expect WooCommerce's -1", url, query_uri);
		if (lang)
			say(lang, RD_NOT_RUN, "would GET %s and expect no redirect%s", url, NULL);
		free(url);
		return;
	}
	get(o, o->base, path_uri, &o->http, &a);
	loc = http_answer_header(&a, "Location");
	snprintf(st, sizeof(st), "%d", a.status);
	if (lang) {
		if (a.error)
			say(lang, RD_SKIP, "no answer: %s%s", a.error, NULL);
		else if (a.status >= 300 && a.status < 400 && loc && language_prefixed(loc))
			say(lang, RD_FAIL, "/wc-api/ is redirected to %s: a multilingual plugin adds a language "
			    "prefix; the provider's POST is turned into a GET or dropped (exclude /wc-api/ "
			    "from the plugin's URL rewriting)%s", loc, NULL);
		else if (a.status >= 300 && a.status < 400)
			say(lang, RD_FAIL, "/wc-api/ is redirected (status %s) to %s: a redirected callback loses "
			    "its body", st, loc ? loc : "(no Location)");
		else
			say(lang, RD_PASS, "/wc-api/ answers %s without a redirect%s", st, NULL);
	}
	if (perm) {
		if (a.error)
			say(perm, RD_SKIP, "no answer: %s%s", a.error, NULL);
		else if (is_wc_answer(&a))
			say(perm, RD_PASS, "GET /wc-api/%s/ reaches WooCommerce (status %s, body -1)", RD_WC_API_NAME, st);
		else if (a.status >= 300 && a.status < 400)
			say(perm, RD_SKIP, "/wc-api/ is redirected to %s: see no-lang-redirect%s", loc ? loc : "(none)", NULL);
		else {
			int qwc;
			get(o, o->base, query_uri, &o->http, &q);
			qwc = !q.error && is_wc_answer(&q);
			if (qwc)
				say(perm, RD_FAIL, "GET /wc-api/.../ answers %s with a page, not WooCommerce's -1, while "
				    "/?wc-api=... reaches WooCommerce: pretty permalinks are off (Settings > Permalinks), "
				    "so callback URLs in the /wc-api/ form never arrive%s", st, NULL);
			else
				say(perm, RD_FAIL, "GET /wc-api/.../ answers %s and /?wc-api=... does not reach WooCommerce "
				    "either: is this the shop's home URL, with WooCommerce active?%s", st, NULL);
			http_answer_release(&q);
		}
	}
	http_answer_release(&a);
	free(url);
}

void readiness_run(const struct readiness_opts *o, struct readiness *rd)
{
	struct rd_result *perm = NULL, *lang = NULL;
	memset(rd, 0, sizeof(*rd));
	if (o->checks & (1u << RD_HTTPS))
		check_https(o, add(rd, RD_HTTPS));
	if (o->checks & (1u << RD_HTTP_REDIRECT))
		check_http_redirect(o, add(rd, RD_HTTP_REDIRECT));
	if (o->checks & (1u << RD_PERMALINKS))
		perm = add(rd, RD_PERMALINKS);
	if (o->checks & (1u << RD_LANG))
		lang = add(rd, RD_LANG);
	if (perm || lang) {
		/* add() may have moved the array: find them again */
		perm = NULL;
		lang = NULL;
		for (size_t i = 0; i < rd->n; i++) {
			if (rd->r[i].check == RD_PERMALINKS)
				perm = &rd->r[i];
			if (rd->r[i].check == RD_LANG)
				lang = &rd->r[i];
		}
		check_wc_api(o, perm, lang);
	}
	if (o->checks & (1u << RD_PUBLIC))
		check_public(o, add(rd, RD_PUBLIC));
}

void readiness_release(struct readiness *rd)
{
	for (size_t i = 0; i < rd->n; i++) {
		free(rd->r[i].url);
		free(rd->r[i].evidence);
	}
	free(rd->r);
	memset(rd, 0, sizeof(*rd));
}

size_t readiness_failed(const struct readiness *rd)
{
	size_t n = 0;
	for (size_t i = 0; i < rd->n; i++)
		n += rd->r[i].verdict == RD_FAIL;
	return n;
}
