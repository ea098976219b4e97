#include "request.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void request_init(struct request *r)
{
	memset(r, 0, sizeof(*r));
	r->method = xstrdup("GET");
	r->uri = xstrdup("/");
	r->version = xstrdup("1.1");
	r->client_ip = xstrdup("127.0.0.1");
	r->client_port = 40000;
	r->server_ip = xstrdup("127.0.0.1");
	r->server_port = 80;
}

static void headers_free(struct header *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

void request_release(struct request *r)
{
	free(r->method);
	free(r->uri);
	free(r->version);
	headers_free(r->headers, r->nheaders);
	free(r->body);
	free(r->client_ip);
	free(r->server_ip);
	memset(r, 0, sizeof(*r));
}

void request_copy(struct request *dst, const struct request *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->method = xstrdup(src->method);
	dst->uri = xstrdup(src->uri);
	dst->version = xstrdup(src->version);
	for (size_t i = 0; i < src->nheaders; i++)
		request_add_header(dst, src->headers[i].name, src->headers[i].value);
	if (src->body) {
		dst->body = xmalloc(src->body_len + 1);
		memcpy(dst->body, src->body, src->body_len);
		dst->body[src->body_len] = '\0';
		dst->body_len = src->body_len;
	}
	dst->client_ip = xstrdup(src->client_ip);
	dst->client_port = src->client_port;
	dst->server_ip = xstrdup(src->server_ip);
	dst->server_port = src->server_port;
}

void request_add_header(struct request *r, const char *name, const char *value)
{
	ARRAY_PUSH(r->headers, r->nheaders, r->aheaders);
	r->headers[r->nheaders].name = xstrdup(name);
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}

void request_set_header(struct request *r, const char *name, const char *value)
{
	int found = 0;
	for (size_t i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name))
			continue;
		free(r->headers[i].value);
		r->headers[i].value = xstrdup(value);
		found = 1;
	}
	if (!found)
		request_add_header(r, name, value);
}

const char *request_header(const struct request *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

void request_remove_header(struct request *r, const char *name)
{
	size_t j = 0;
	for (size_t i = 0; i < r->nheaders; i++) {
		if (!strcasecmp(r->headers[i].name, name)) {
			free(r->headers[i].name);
			free(r->headers[i].value);
			continue;
		}
		r->headers[j++] = r->headers[i];
	}
	r->nheaders = j;
}

void request_set_body(struct request *r, char *body, size_t len)
{
	free(r->body);
	r->body = body;
	r->body_len = len;
}

char *request_path(const struct request *r)
{
	size_t n = strcspn(r->uri, "?");
	return xstrndup(r->uri, n);
}

void request_to_wire(const struct request *r, struct strbuf *out)
{
	strbuf_addf(out, "%s %s HTTP/%s\r\n", r->method, r->uri, r->version);
	for (size_t i = 0; i < r->nheaders; i++)
		strbuf_addf(out, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
	strbuf_addstr(out, "\r\n");
	if (r->body_len)
		strbuf_add(out, r->body, r->body_len);
}

void response_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
}

void response_release(struct response *r)
{
	headers_free(r->headers, r->nheaders);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void response_add_header(struct response *r, const char *name, const char *value)
{
	ARRAY_PUSH(r->headers, r->nheaders, r->aheaders);
	r->headers[r->nheaders].name = xstrdup(name);
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}

int header_parse(const char *line, char **name, char **value)
{
	const char *colon = strchr(line, ':');
	const char *v;
	size_t nlen;

	if (!colon)
		return -1;
	nlen = (size_t)(colon - line);
	while (nlen && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t'))
		nlen--;
	if (!nlen)
		return -1;
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	*name = xstrndup(line, nlen);
	*value = xstrdup(v);
	return 0;
}

/* ---- raw requests ---- */

/* The next line of [*p, end): returns its length without the line end and
 * moves *p past it; *eol tells whether a line end was found. */
static size_t next_line(const char **p, const char *end, int *eol)
{
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*eol = nl != NULL;
	*p = nl ? nl + 1 : end;
	if (n && s[n - 1] == '\r')
		n--;
	return n;
}

static int is_token_char(int c)
{
	return c > 32 && c < 127 && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

static int parse_request_line(const char *s, size_t n, struct request *r, struct strbuf *why)
{
	const char *tok[4];
	size_t len[4], nt = 0, i = 0;
	while (i < n && nt < 4) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		tok[nt] = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		len[nt] = (size_t)(s + i - tok[nt]);
		nt++;
	}
	if (nt != 3) {
		strbuf_addf(why, "request line \"%.*s\" is not METHOD TARGET HTTP/x.y", (int)n, s);
		return -1;
	}
	for (size_t k = 0; k < len[0]; k++)
		if (!is_token_char((unsigned char)tok[0][k])) {
			strbuf_addf(why, "method \"%.*s\" is not a token", (int)len[0], tok[0]);
			return -1;
		}
	if (len[2] != 8 || strncmp(tok[2], "HTTP/", 5) || !isdigit((unsigned char)tok[2][5]) ||
	    tok[2][6] != '.' || !isdigit((unsigned char)tok[2][7])) {
		strbuf_addf(why, "protocol \"%.*s\" is not HTTP/x.y", (int)len[2], tok[2]);
		return -1;
	}
	free(r->method);
	free(r->uri);
	free(r->version);
	r->method = xstrndup(tok[0], len[0]);
	r->uri = xstrndup(tok[1], len[1]);
	r->version = xstrndup(tok[2] + 5, 3);
	return 0;
}

/* Decode a chunked body from [p, end) into `out`. */
static int dechunk(const char *p, const char *end, struct strbuf *out, struct strbuf *why)
{
	for (;;) {
		int eol;
		const char *line = p;
		size_t n = next_line(&p, end, &eol);
		unsigned long size;
		char *e;
		char *hex = xstrndup(line, n);
		size = strtoul(hex, &e, 16);
		if (e == hex || (*e && *e != ';' && *e != ' ')) {
			strbuf_addf(why, "chunk size \"%s\" is not hexadecimal", hex);
			free(hex);
			return -1;
		}
		free(hex);
		if (!eol) {
			strbuf_addstr(why, "chunked body ends inside a chunk size line");
			return -1;
		}
		if (size == 0)
			return 0;	/* trailers, if any, are ignored */
		if (size > (unsigned long)(end - p)) {
			strbuf_addf(why, "chunk of %lu bytes but %zu left", size, (size_t)(end - p));
			return -1;
		}
		strbuf_add(out, p, size);
		p += size;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
}

static void clear_headers(struct request *r)
{
	headers_free(r->headers, r->nheaders);
	r->headers = NULL;
	r->nheaders = r->aheaders = 0;
}

int request_parse_raw(const char *raw, size_t len, struct request *r, struct strbuf *why)
{
	const char *p = raw, *end = raw + len, *start, *te, *cl;
	size_t n;
	int eol;
	struct strbuf body = STRBUF_INIT;

	clear_headers(r);
	request_set_body(r, NULL, 0);
	do {
		if (p == end) {
			strbuf_addstr(why, "no request line");
			return -1;
		}
		start = p;
		n = next_line(&p, end, &eol);
	} while (n == 0);
	if (parse_request_line(start, n, r, why) < 0)
		return -1;
	while (p < end) {
		const char *line = p;
		char *text, *name, *value;
		n = next_line(&p, end, &eol);
		if (n == 0)
			break;
		if ((line[0] == ' ' || line[0] == '\t') && r->nheaders) {
			struct header *h = &r->headers[r->nheaders - 1];
			size_t k = 0;
			char *joined;
			while (k < n && (line[k] == ' ' || line[k] == '\t'))
				k++;
			joined = xasprintf("%s %.*s", h->value, (int)(n - k), line + k);
			free(h->value);
			h->value = joined;
			continue;
		}
		text = xstrndup(line, n);
		{
			const char *colon = strchr(text, ':');
			if (!colon || colon == text || colon[-1] == ' ' || colon[-1] == '\t' ||
			    header_parse(text, &name, &value) < 0) {
				strbuf_addf(why, "header line \"%.80s\" is not \"Name: value\"", text);
				free(text);
				return -1;
			}
		}
		free(text);
		request_add_header(r, name, value);
		free(name);
		free(value);
	}
	te = request_header(r, "Transfer-Encoding");
	cl = request_header(r, "Content-Length");
	if (te && strcasestr(te, "chunked")) {
		if (dechunk(p, end, &body, why) < 0) {
			strbuf_release(&body);
			return -1;
		}
	} else if (cl) {
		char *e;
		unsigned long long v = strtoull(cl, &e, 10);
		if (!isdigit((unsigned char)*cl) || *e) {
			strbuf_addf(why, "Content-Length \"%s\" is not a number", cl);
			return -1;
		}
		if (v > (unsigned long long)(end - p))
			v = (unsigned long long)(end - p);
		strbuf_add(&body, p, (size_t)v);
	}
	if (body.len) {
		size_t blen;
		char *b = strbuf_detach(&body, &blen);
		request_set_body(r, b, blen);
	}
	strbuf_release(&body);
	return 0;
}

/* ---- go-ftw's autocompletion ---- */

static int is_unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

static void form_encode(struct strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c))
			strbuf_addch(out, c);
		else if (c == ' ')
			strbuf_addch(out, '+');
		else
			strbuf_addf(out, "%%%02X", c);
	}
}

/* One form token p..pe: "key=value" with key and value escaped apart (the
 * first '=' divides them), or a bare key escaped whole. */
static void form_token(struct strbuf *out, const char *p, const char *pe)
{
	const char *eq = memchr(p, '=', (size_t)(pe - p));
	if (eq) {
		form_encode(out, p, (size_t)(eq - p));
		strbuf_addch(out, '=');
		form_encode(out, eq + 1, (size_t)(pe - eq - 1));
	} else {
		form_encode(out, p, (size_t)(pe - p));
	}
}

static void encode_form_body(struct request *r)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = r->body, *end = r->body + r->body_len;
	size_t len;
	char *b;
	if (memchr(r->body, '%', r->body_len) || memchr(r->body, '+', r->body_len) ||
	    memchr(r->body, ';', r->body_len))
		return;
	while (p <= end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		form_token(&out, p, pe);
		if (!amp)
			break;
		strbuf_addch(&out, '&');
		p = amp + 1;
	}
	b = strbuf_detach(&out, &len);
	request_set_body(r, b, len);
}

/* Each LF of the body as CRLF; `all`: also one a CR already precedes (Go's
 * bytes.ReplaceAll(body, "\n", "\r\n"), go-ftw), else only a bare LF. */
static void lf_to_crlf(struct request *r, int all)
{
	struct strbuf out = STRBUF_INIT;
	size_t len;
	char *b;
	for (size_t i = 0; i < r->body_len; i++) {
		if (r->body[i] == '\n' && (all || i == 0 || r->body[i - 1] != '\r'))
			strbuf_addch(&out, '\r');
		strbuf_addch(&out, r->body[i]);
	}
	b = strbuf_detach(&out, &len);
	request_set_body(r, b, len);
}

void request_autocomplete(struct request *r)
{
	if (r->body_len) {
		const char *ct = request_header(r, "Content-Type");
		char num[32];
		if (!ct) {
			request_add_header(r, "Content-Type", "application/x-www-form-urlencoded");
			ct = request_header(r, "Content-Type");
		}
		if (!strcasecmp(ct, "application/x-www-form-urlencoded"))
			encode_form_body(r);
		else if (!strncasecmp(ct, "multipart/form-data", 19))
			lf_to_crlf(r, 0);
		if (!request_header(r, "Content-Length")) {
			snprintf(num, sizeof(num), "%zu", r->body_len);
			request_add_header(r, "Content-Length", num);
		}
	}
	if (!request_header(r, "Connection"))
		request_add_header(r, "Connection", "close");
}

/* Some header `name` whose value passes `match` against `want`. */
static int any_header_value(const struct request *r, const char *name, const char *want,
			    int (*match)(const char *value, const char *want))
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name) && match(r->headers[i].value, want))
			return 1;
	return 0;
}

static int equal_fold(const char *value, const char *want)
{
	return !strcasecmp(value, want);
}

static int contains_fold(const char *value, const char *want)
{
	return strcasestr(value, want) != NULL;
}

/* go-ftw's encodeDataParameters: tokens between '&' (the empty one after
 * a trailing '&' is lost), key and value escaped apart. */
static void go_ftw_form_encode(struct request *r)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = r->body, *end = r->body + r->body_len;
	size_t len;
	char *b;
	if (memchr(r->body, '%', r->body_len) || memchr(r->body, '+', r->body_len))
		return;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		if (out.len)
			strbuf_addch(&out, '&');
		form_token(&out, p, pe);
		p = amp ? amp + 1 : end;
	}
	b = strbuf_detach(&out, &len);
	request_set_body(r, b, len);
}


/* Go's regexp `^POST|PUT|PATCH|DELETE$`: alternatives bind loosest. */
static int go_ftw_body_method(const char *m)
{
	size_t n = strlen(m);
	return !strncmp(m, "POST", 4) || strstr(m, "PUT") || strstr(m, "PATCH") ||
	       (n >= 6 && !strcmp(m + n - 6, "DELETE"));
}

void request_go_ftw(struct request *r, int autocomplete)
{
	char num[32];
	if (r->body_len && autocomplete) {
		if (!request_header(r, "Content-Type"))
			request_add_header(r, "Content-Type", "application/x-www-form-urlencoded");
		if (any_header_value(r, "Content-Type", "application/x-www-form-urlencoded", equal_fold))
			go_ftw_form_encode(r);
	}
	if (r->body_len && any_header_value(r, "Content-Type", "multipart/form-data;", contains_fold))
		lf_to_crlf(r, 1);
	if (!autocomplete)
		return;
	if (!request_header(r, "Connection"))
		request_add_header(r, "Connection", "close");
	if (!request_header(r, "Content-Length") &&
	    (r->body_len || go_ftw_body_method(r->method ? r->method : "GET"))) {
		snprintf(num, sizeof(num), "%zu", r->body_len);
		request_add_header(r, "Content-Length", num);
	}
}
