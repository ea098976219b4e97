#include "http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http_answer *a = ud;
	size_t len = size * n, keep = len;
	if (a->body_len + keep > HTTP_BODY_MAX)
		keep = HTTP_BODY_MAX - a->body_len;
	if (keep) {
		a->body = xrealloc(a->body, a->body_len + keep + 1);
		memcpy(a->body + a->body_len, p, keep);
		a->body_len += keep;
		a->body[a->body_len] = '\0';
	}
	return len;
}

static void clear_headers(struct http_answer *a)
{
	for (size_t i = 0; i < a->nheaders; i++) {
		free(a->headers[i].name);
		free(a->headers[i].value);
	}
	a->nheaders = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http_answer *a = ud;
	size_t len = size * n;
	char *line = xstrndup(p, len), *name, *value;
	line[strcspn(line, "\r\n")] = '\0';
	if (!strncmp(line, "HTTP/", 5)) {
		clear_headers(a);	/* a new answer (after 100 Continue) */
	} else if (*line && header_parse(line, &name, &value) == 0) {
		ARRAY_PUSH(a->headers, a->nheaders, a->aheaders);
		a->headers[a->nheaders].name = name;
		a->headers[a->nheaders++].value = value;
	}
	free(line);
	return len;
}

static int has_body(const struct request *r)
{
	return r->body_len || !strcmp(r->method, "POST") || !strcmp(r->method, "PUT") ||
	       !strcmp(r->method, "PATCH");
}

/* The header lines to send: the request's own (Content-Length is curl's),
 * then empty ones removing what curl would add by itself. */
static struct curl_slist *header_list(const struct request *r)
{
	struct curl_slist *l = NULL;
	for (size_t i = 0; i < r->nheaders; i++) {
		char *line;
		if (!strcasecmp(r->headers[i].name, "Content-Length"))
			continue;
		/* "Name;" is curl's way to send a header with an empty value */
		line = *r->headers[i].value ? xasprintf("%s: %s", r->headers[i].name, r->headers[i].value)
					    : xasprintf("%s;", r->headers[i].name);
		l = curl_slist_append(l, line);
		free(line);
	}
	if (!request_header(r, "Accept"))
		l = curl_slist_append(l, "Accept:");
	if (!request_header(r, "Content-Type"))
		l = curl_slist_append(l, "Content-Type:");
	l = curl_slist_append(l, "Expect:");
	return l;
}

void http_send(const char *base, const struct request *req,
	       const struct http_opts *o, struct http_answer *a)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl;
	char errbuf[CURL_ERROR_SIZE] = "";
	char *url;
	CURLcode rc;
	long code = 0;

	memset(a, 0, sizeof(*a));
	if (!c) {
		a->error = xstrdup("cannot initialise libcurl");
		a->error_kind = HTTP_OTHER;
		return;
	}
	url = xasprintf("%s%s", base, req->uri);
	hl = header_list(req);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	if (o->timeout_ms > 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	if (o->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	if (has_body(req)) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	} else if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	{
		double t = 0;
		curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &t);
		a->time_ms = (long)(t * 1000);
	}
	if (rc != CURLE_OK) {
		const char *why = *errbuf ? errbuf : curl_easy_strerror(rc);
		switch (rc) {
		case CURLE_OPERATION_TIMEDOUT:
			a->error_kind = HTTP_TIMEOUT;
			a->error = xasprintf("timeout after %ld ms: %s", o->timeout_ms, why);
			break;
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CIPHER:
		case CURLE_SSL_CACERT_BADFILE:
			a->error_kind = HTTP_TLS;
			a->error = xasprintf("TLS: %s", why);
			break;
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_CONNECT:
			a->error_kind = HTTP_CONNECT;
			a->error = xstrdup(why);
			break;
		default:
			a->error_kind = HTTP_OTHER;
			a->error = xstrdup(why);
			break;
		}
		/* an answer that was cut short still tells its status */
		a->status = rc == CURLE_OPERATION_TIMEDOUT ? 0 : (int)code;
	} else {
		a->status = (int)code;
	}
	if (!a->body)
		a->body = xstrdup("");
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	free(url);
}

void http_answer_release(struct http_answer *a)
{
	clear_headers(a);
	free(a->headers);
	free(a->body);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

const char *http_answer_header(const struct http_answer *a, const char *name)
{
	for (size_t i = 0; i < a->nheaders; i++)
		if (!strcasecmp(a->headers[i].name, name))
			return a->headers[i].value;
	return NULL;
}

/* Single-quote for sh: 'it'\''s' */
static void shq(struct strbuf *out, const char *s, size_t len)
{
	strbuf_addch(out, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'')
			strbuf_addstr(out, "'\\''");
		else
			strbuf_addch(out, s[i]);
	}
	strbuf_addch(out, '\'');
}

void http_curl_command(const char *base, const struct request *req,
		       const struct http_opts *o, struct strbuf *out)
{
	char *url = xasprintf("%s%s", base, req->uri);
	strbuf_addstr(out, "curl -sS -i --http1.1");
	if (o->insecure)
		strbuf_addstr(out, " -k");
	if (o->cacert) {
		strbuf_addstr(out, " --cacert ");
		shq(out, o->cacert, strlen(o->cacert));
	}
	if (o->timeout_ms > 0)
		strbuf_addf(out, " --max-time %ld.%03ld", o->timeout_ms / 1000, o->timeout_ms % 1000);
	strbuf_addstr(out, " -X ");
	shq(out, req->method, strlen(req->method));
	for (size_t i = 0; i < req->nheaders; i++) {
		char *line;
		if (!strcasecmp(req->headers[i].name, "Content-Length"))
			continue;
		line = *req->headers[i].value ? xasprintf("%s: %s", req->headers[i].name, req->headers[i].value)
					      : xasprintf("%s;", req->headers[i].name);
		strbuf_addstr(out, " -H ");
		shq(out, line, strlen(line));
		free(line);
	}
	if (!request_header(req, "Accept"))
		strbuf_addstr(out, " -H 'Accept:'");
	if (!request_header(req, "Content-Type"))
		strbuf_addstr(out, " -H 'Content-Type:'");
	strbuf_addstr(out, " -H 'Expect:'");
	if (has_body(req)) {
		strbuf_addstr(out, " --data-binary ");
		shq(out, req->body ? req->body : "", req->body_len);
	}
	strbuf_addch(out, ' ');
	shq(out, url, strlen(url));
	free(url);
}

int http_parse_base(const char *url, char **base, char **host, struct strbuf *err)
{
	const char *p, *h, *he, *slash;
	size_t blen;
	int https;

	*base = *host = NULL;
	if (!strncasecmp(url, "http://", 7)) {
		https = 0;
		h = url + 7;
	} else if (!strncasecmp(url, "https://", 8)) {
		https = 1;
		h = url + 8;
	} else {
		strbuf_addf(err, "\"%s\" is not an http:// or https:// URL", url);
		return -1;
	}
	slash = strchr(h, '/');
	he = slash ? slash : h + strlen(h);
	if (he == h) {
		strbuf_addf(err, "\"%s\" names no host", url);
		return -1;
	}
	for (p = h; p < he; p++) {
		if (*p == '@' || *p == ' ') {
			strbuf_addf(err, "\"%s\": user info and spaces are not allowed in the host part", url);
			return -1;
		}
	}
	if (strpbrk(url, "?# ")) {
		strbuf_addf(err, "\"%s\": give the shop's home URL, without query or fragment", url);
		return -1;
	}
	blen = strlen(url);
	while (blen > (size_t)(he - url) && url[blen - 1] == '/')
		blen--;
	*base = xstrndup(url, blen);
	/* the default port does not go in the Host header */
	{
		const char *colon = NULL;
		for (p = h; p < he; p++)
			if (*p == ':')
				colon = p;
			else if (*p == ']')
				colon = NULL;	/* inside an IPv6 literal */
		if (colon && ((https && he - colon == 4 && !strncmp(colon, ":443", 4)) ||
			      (!https && he - colon == 3 && !strncmp(colon, ":80", 3))))
			he = colon;
		*host = xstrndup(h, (size_t)(he - h));
	}
	return 0;
}
