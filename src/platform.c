#include "platform.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Server limits (defaults of each). */
#define NGINX_LINE_MAX 8192		/* large_client_header_buffers 4 8k */
#define NGINX_HEADERS_MAX (4 * 8192)
#define APACHE_LINE_MAX 8190		/* LimitRequestLine, LimitRequestFieldSize */
#define APACHE_FIELDS_MAX 100		/* LimitRequestFields */

int platform_from_name(const char *name, enum platform *p)
{
	if (!strcmp(name, "nginx"))
		*p = PLATFORM_NGINX;
	else if (!strcmp(name, "apache") || !strcmp(name, "httpd"))
		*p = PLATFORM_APACHE;
	else
		return -1;
	return 0;
}

const char *platform_name(enum platform p)
{
	return p == PLATFORM_NGINX ? "nginx" : "apache";
}

static int refuse(struct strbuf *why, int status, const char *fmt, const char *arg, size_t n)
{
	strbuf_addf(why, fmt, (int)(n > 80 ? 80 : n), arg);
	return status;
}

static int is_tchar(int c)
{
	return c > 32 && c < 127 && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

/* One line of [*p, end): its length without the line end; *p moves past
 * it. A CR must come right before the LF (both servers refuse a bare CR:
 * *bad_cr is set). A line ended by a LF alone sets *bad_cr to 2 (Apache
 * refuses it, nginx takes it). */
static size_t take_line(const char **p, const char *end, int *bad_cr)
{
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
	int crlf = 0;
	*p = nl ? nl + 1 : end;
	if (n && s[n - 1] == '\r') {
		n--;
		crlf = 1;
	}
	*bad_cr = memchr(s, '\r', n) != NULL;
	if (!*bad_cr && nl && !crlf)
		*bad_cr = 2;
	return n;
}

/* Is this line end refused? nginx takes a bare LF; Apache does not. */
static int line_refused(enum platform pl, int bad_cr)
{
	return bad_cr == 1 || (bad_cr == 2 && pl == PLATFORM_APACHE);
}

/* ---- request line ---- */

static int nginx_request_line(const char *s, size_t n, struct request *r, int *http09,
			      struct strbuf *why)
{
	size_t i = 0, m, u0, u1;
	const char *path;
	if (n > NGINX_LINE_MAX) {
		strbuf_addf(why, "request line longer than %d bytes (large_client_header_buffers)", NGINX_LINE_MAX);
		return 414;
	}
	while (i < n && (isupper((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
		i++;
	m = i;
	if (!m || i == n || s[i] != ' ')
		return refuse(why, 400, "invalid method in \"%.*s\"", s, n);
	while (i < n && s[i] == ' ')
		i++;
	u0 = i;
	if (i < n && s[i] == '/') {
		path = s + i;
	} else if (i < n && isalpha((unsigned char)s[i])) {
		/* scheme://host[:port][/path]: the WAF gets the path */
		while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
			i++;
		if (n - i < 3 || memcmp(s + i, "://", 3))
			return refuse(why, 400, "invalid request target in \"%.*s\"", s, n);
		i += 3;
		while (i < n && s[i] != '/' && s[i] != ' ' && (unsigned char)s[i] > 0x20)
			i++;
		path = s + i;
	} else {
		return refuse(why, 400, "invalid request target in \"%.*s\"", s, n);
	}
	while (i < n && s[i] != ' ') {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return refuse(why, 400, "control byte in the request target \"%.*s\"", s, n);
		i++;
	}
	u1 = i;
	free(r->method);
	free(r->uri);
	free(r->version);
	r->method = xstrndup(s, m);
	r->uri = path < s + u1 ? xstrndup(path, (size_t)(s + u1 - path)) : xstrdup("/");
	r->version = NULL;	/* set below on every path that returns 0 */
	(void)u0;
	while (i < n && s[i] == ' ')
		i++;
	if (i == n) {
		if (strcmp(r->method, "GET"))
			return refuse(why, 400, "HTTP/0.9 request with a method other than GET: \"%.*s\"", s, n);
		r->version = xstrdup("0.9");
		*http09 = 1;
		return 0;
	}
	if (n - i < 6 || memcmp(s + i, "HTTP/", 5) || s[i + 5] < '1' || s[i + 5] > '9')
		return refuse(why, 400, "invalid protocol in \"%.*s\"", s, n);
	{
		const char *v = s + i + 5;
		size_t k = 0, dot;
		int major = 0;
		while (i + 5 + k < n && isdigit((unsigned char)v[k]) && k < 3)
			major = major * 10 + (v[k++] - '0');
		if (i + 5 + k >= n || v[k] != '.')
			return refuse(why, 400, "invalid protocol in \"%.*s\"", s, n);
		dot = k++;
		if (i + 5 + k >= n || !isdigit((unsigned char)v[k]))
			return refuse(why, 400, "invalid protocol in \"%.*s\"", s, n);
		while (i + 5 + k < n && isdigit((unsigned char)v[k]))
			k++;
		if (k - dot - 1 > 2)
			return refuse(why, 400, "invalid protocol in \"%.*s\"", s, n);
		r->version = xstrndup(v, k);
		i += 5 + k;
		while (i < n && s[i] == ' ')
			i++;
		if (i != n)
			return refuse(why, 400, "garbage after the protocol in \"%.*s\"", s, n);
		if (major > 1)
			return refuse(why, 505, "HTTP version not supported: \"%.*s\"", s, n);
	}
	return 0;
}

static int apache_request_line(const char *s, size_t n, struct request *r, struct strbuf *why)
{
	const char *sp1, *sp2;
	size_t i;
	if (n > APACHE_LINE_MAX) {
		strbuf_addf(why, "request line longer than LimitRequestLine (%d)", APACHE_LINE_MAX);
		return 414;
	}
	if (n && (s[0] == ' ' || s[0] == '\t'))
		return refuse(why, 400, "white space before the method in \"%.*s\"", s, n);
	sp1 = memchr(s, ' ', n);
	if (!sp1)
		return refuse(why, 400, "no request target in \"%.*s\"", s, n);
	for (i = 0; s + i < sp1; i++)
		if (!is_tchar((unsigned char)s[i]))
			return refuse(why, 400, "method is not a token in \"%.*s\"", s, n);
	sp2 = memchr(sp1 + 1, ' ', (size_t)(s + n - sp1 - 1));
	if (sp2) {
		const char *c = sp2;
		while (c < s + n && *c == ' ')
			c++;
		if (c == s + n)
			sp2 = NULL;	/* only trailing white space: no protocol */
	}
	if (!sp2)
		return refuse(why, -1, "HTTP/0.9 request (HttpProtocolOptions Require1.0): a 400 without a status line: \"%.*s\"", s, n);
	if (sp2 == sp1 + 1 || memchr(sp2 + 1, ' ', (size_t)(s + n - sp2 - 1)) || memchr(s, '\t', n))
		return refuse(why, 400, "excess white space in the request line \"%.*s\"", s, n);
	for (const char *c = sp1 + 1; c < sp2; c++)
		if ((unsigned char)*c < 0x21 || *c == 0x7f)
			return refuse(why, 400, "control byte in the request target \"%.*s\"", s, n);
	if (memchr(sp1 + 1, '#', (size_t)(sp2 - sp1 - 1)))
		return refuse(why, 400, "a fragment in the request target (ap_process_request_internal): \"%.*s\"", s, n);
	if (sp1[1] != '/' && sp1[1] != '?' && !(sp2 - sp1 == 2 && sp1[1] == '*')) {
		const char *c = sp1 + 1;
		int connect = sp1 - s == 7 && !memcmp(s, "CONNECT", 7);
		while (c < sp2 && (isalnum((unsigned char)*c) || *c == '+' || *c == '-' || *c == '.'))
			c++;
		/* CONNECT takes host:port (authority form) */
		if (!(connect && c < sp2 && *c == ':') &&
		    (c == sp1 + 1 || sp2 - c < 3 || memcmp(c, "://", 3)))
			return refuse(why, 400, "invalid request target in \"%.*s\"", s, n);
	}
	{
		const char *v = sp2 + 1;
		size_t vl = (size_t)(s + n - v);
		if (vl != 8 || memcmp(v, "HTTP/", 5) || !isdigit((unsigned char)v[5]) || v[6] != '.' ||
		    !isdigit((unsigned char)v[7]))
			return refuse(why, 400, "invalid protocol in \"%.*s\"", s, n);
		if (v[5] == '0')
			return refuse(why, 400, "protocol below HTTP/1.0 (Require1.0): \"%.*s\"", s, n);
		(void)0;
		free(r->method);
		free(r->uri);
		free(r->version);
		r->method = xstrndup(s, (size_t)(sp1 - s));
		r->uri = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
		r->version = xstrndup(v + 5, 3);
	}
	return 0;
}

/* ---- headers ---- */

static int nginx_header(const char *s, size_t n, struct request *r, struct strbuf *why)
{
	size_t i = 0, vs, ve;
	int invalid = 0;
	char *name, *value;
	if (n > NGINX_LINE_MAX)
		return refuse(why, 400, "header line longer than 8k (Request Header Or Cookie Too Large): \"%.*s\"", s, n);
	if (memchr(s, '\0', n))
		return refuse(why, 400, "NUL byte in the header line \"%.*s\"", s, n);
	while (i < n && s[i] != ':') {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f)
			return refuse(why, 400, "white space or control byte in a header name: \"%.*s\"", s, n);
		if (!isalnum(c) && c != '-')
			invalid = 1;	/* '_' and the rest: ignore_invalid_headers */
		i++;
	}
	if (invalid)
		return 0;
	vs = i < n ? i + 1 : n;
	while (vs < n && (s[vs] == ' ' || s[vs] == '\t'))
		vs++;
	ve = n;
	while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
		ve--;
	name = xstrndup(s, i);
	value = xstrndup(s + vs, ve - vs);
	request_add_header(r, name, value);
	free(name);
	free(value);
	return 0;
}

static int apache_header(const char *s, size_t n, struct request *r, struct strbuf *why)
{
	const char *colon = memchr(s, ':', n);
	size_t vs, ve;
	char *name, *value;
	if (n > APACHE_LINE_MAX)
		return refuse(why, 400, "header line longer than LimitRequestFieldSize: \"%.*s\"", s, n);
	if (!colon || colon == s)
		return refuse(why, 400, "header line without a colon: \"%.*s\"", s, n);
	for (const char *c = s; c < colon; c++)
		if (!is_tchar((unsigned char)*c))
			return refuse(why, 400, "header name is not a token: \"%.*s\"", s, n);
	for (const char *c = colon + 1; c < s + n; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return refuse(why, 400, "control byte in a header value: \"%.*s\"", s, n);
	if (r->nheaders >= APACHE_FIELDS_MAX)
		return refuse(why, 400, "more than LimitRequestFields (100) headers%.*s", "", 0);
	vs = (size_t)(colon + 1 - s);
	while (vs < n && (s[vs] == ' ' || s[vs] == '\t'))
		vs++;
	ve = n;
	while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
		ve--;
	name = xstrndup(s, (size_t)(colon - s));
	value = xstrndup(s + vs, ve - vs);
	request_add_header(r, name, value);
	free(name);
	free(value);
	return 0;
}

/* ---- after the headers ---- */

static size_t count_header(const struct request *r, const char *name)
{
	size_t c = 0;
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			c++;
	return c;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* ngx_http_validate_host, the parts a test can reach. */
static int host_ok(const char *h)
{
	size_t n = strlen(h);
	if (!n || h[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '/' || h[i] == '\\' || (unsigned char)h[i] < 0x20)
			return 0;
		if (h[i] == '.' && i + 1 < n && h[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* httpd's fix_hostname (strict): a name, an IPv4 or [IPv6] address, an
 * optional port; a NUL or '%' makes it malformed. */
static int apache_host_ok(const char *h)
{
	for (const char *c = h; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("-._:[]", *c))
			return 0;
	return host_ok(h);
}

static int dechunk(const char *p, const char *end, struct strbuf *out)
{
	for (;;) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL, *e = p;
		unsigned long size = 0;
		if (!nl || !isxdigit((unsigned char)*p))
			return -1;
		/* the size, read within the line (the wire is not NUL-terminated) */
		for (; e < nl && isxdigit((unsigned char)*e); e++) {
			if (size > 0xFFFFFFFUL)
				return -1;
			size = size * 16 + (unsigned long)(isdigit((unsigned char)*e) ? *e - '0' : (tolower((unsigned char)*e) - 'a' + 10));
		}
		if (e < nl && *e != ';' && *e != '\r' && *e != ' ')
			return -1;
		p = nl + 1;
		if (size == 0)
			return 0;
		if (size > (unsigned long)(end - p))
			return -1;
		strbuf_add(out, p, size);
		p += size;
		if (p < end && *p == '\r')
			p++;
		if (p >= end || *p != '\n')
			return -1;
		p++;
	}
}

static int framing(enum platform pl, const char *body, const char *end, struct request *r,
		   struct platform_note *note, struct strbuf *why)
{
	const char *te = request_header(r, "Transfer-Encoding");
	const char *cl = request_header(r, "Content-Length");
	const char *host = request_header(r, "Host");
	struct strbuf b = STRBUF_INIT;
	int http11 = strcmp(r->version, "1.0") && strcmp(r->version, "0.9");

	if (pl == PLATFORM_NGINX) {
		if (count_header(r, "Host") > 1)
			return refuse(why, 400, "duplicate Host header%.*s", "", 0);
		if (host ? !host_ok(host) : http11)
			return refuse(why, 400, host ? "invalid Host header \"%.*s\"" : "HTTP/1.1 request without Host%.*s",
				      host ? host : "", host ? strlen(host) : 0);
		if (count_header(r, "Content-Length") > 1)
			return refuse(why, 400, "duplicate Content-Length header%.*s", "", 0);
		if (cl && !all_digits(cl))
			return refuse(why, 400, "invalid Content-Length \"%.*s\"", cl, strlen(cl));
		if (te) {
			if (!http11)
				return refuse(why, 400, "Transfer-Encoding in an HTTP/1.0 request%.*s", "", 0);
			if (cl)
				return refuse(why, 400, "both Content-Length and Transfer-Encoding%.*s", "", 0);
			if (strcasecmp(te, "chunked"))
				return refuse(why, 501, "unknown Transfer-Encoding \"%.*s\"", te, strlen(te));
		}
		if (!strcmp(r->method, "TRACE"))
			return refuse(why, 405, "TRACE method%.*s", "", 0);
	} else {
		if (http11 && (!host || !*host))
			return refuse(why, 400, "HTTP/1.1 request without a hostname%.*s", "", 0);
		if (host && (count_header(r, "Host") > 1 || (*host && !apache_host_ok(host))))
			return refuse(why, 400, "malformed Host header \"%.*s\" (fix_hostname)", host, strlen(host));
		if (te) {
			const char *last = strrchr(te, ',');
			last = last ? last + 1 : te;
			while (*last == ' ')
				last++;
			if (strcasecmp(last, "chunked"))
				return refuse(why, 501, "unknown Transfer-Encoding \"%.*s\"", te, strlen(te));
			/* chunked wins: httpd removes Content-Length (RFC 9112 6.3) */
			request_remove_header(r, "Content-Length");
			cl = NULL;
		} else if (cl && (count_header(r, "Content-Length") > 1 || !all_digits(cl))) {
			return refuse(why, 400, "invalid Content-Length \"%.*s\"", cl, strlen(cl));
		}
	}
	if (te) {
		if (dechunk(body, end, &b) < 0) {
			strbuf_release(&b);
			return refuse(why, 400, "chunked body does not decode%.*s", "", 0);
		}
	} else if (cl) {
		unsigned long long v = strtoull(cl, NULL, 10);
		if (v > (unsigned long long)(end - body)) {
			/* the server runs the WAF on the headers, then waits for
			 * the rest of the body until the client gives up */
			strbuf_release(&b);
			note->body_timeout = 1;
			return 0;
		}
		strbuf_add(&b, body, (size_t)v);
	}
	if (b.len) {
		size_t blen;
		char *d = strbuf_detach(&b, &blen);
		request_set_body(r, d, blen);
	}
	strbuf_release(&b);
	return 0;
}

/* httpd merges a header given more than once into its first place, the
 * values joined by ", " (apr_table_compress(r->headers_in,
 * APR_OVERLAP_TABLES_MERGE) at the end of ap_get_mime_headers_core):
 * ModSecurity 2 sees one header. */
static void apache_merge_headers(struct request *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		size_t j = i + 1;
		while (j < r->nheaders) {
			struct header *h = &r->headers[i], *d = &r->headers[j];
			char *joined;
			if (strcasecmp(h->name, d->name)) {
				j++;
				continue;
			}
			joined = xasprintf("%s, %s", h->value, d->value);
			free(h->value);
			h->value = joined;
			free(d->name);
			free(d->value);
			memmove(d, d + 1, (r->nheaders - j - 1) * sizeof(*d));
			r->nheaders--;
		}
	}
}

int platform_read(enum platform pl, const char *wire, size_t len, struct request *r,
		  struct platform_note *note, struct strbuf *why)
{
	int *http09 = &note->http09;
	const char *p = wire, *end = wire + len, *start;
	size_t n, total = 0;
	int bad_cr, rc;

	memset(note, 0, sizeof(*note));
	while (r->nheaders)
		request_remove_header(r, r->headers[0].name);
	request_set_body(r, NULL, 0);
	do {
		if (p == end)
			return refuse(why, 400, "no request line%.*s", "", 0);
		start = p;
		n = take_line(&p, end, &bad_cr);
	} while (n == 0 && !line_refused(pl, bad_cr));
	if (line_refused(pl, bad_cr))
		return refuse(why, 400, bad_cr == 2 ? "request line ended by a LF without CR: \"%.*s\""
					       : "CR inside the request line \"%.*s\"", start, n);
	rc = pl == PLATFORM_NGINX ? nginx_request_line(start, n, r, http09, why)
				  : apache_request_line(start, n, r, why);
	if (!r->version)
		r->version = xstrdup("1.1");	/* refused: never NULL */
	if (rc || *http09)
		return rc;
	while (p < end) {
		const char *line = p;
		n = take_line(&p, end, &bad_cr);
		if (line_refused(pl, bad_cr))
			return refuse(why, 400, bad_cr == 2 ? "header line ended by a LF without CR: \"%.*s\""
						       : "CR inside the header line \"%.*s\"", line, n);
		if (n == 0)
			break;
		total += n + 2;
		if (pl == PLATFORM_NGINX) {
			if (line[0] == ' ' || line[0] == '\t')
				return refuse(why, 400, "folded header line (white space first): \"%.*s\"", line, n);
			if (total > NGINX_HEADERS_MAX)
				return refuse(why, 400, "headers longer than 4 x 8k (Request Header Or Cookie Too Large)%.*s", "", 0);
			rc = nginx_header(line, n, r, why);
		} else if (line[0] == ' ' || line[0] == '\t') {
			/* obsolete folding: joined to the previous value */
			struct header *h;
			size_t k = 0;
			char *joined;
			if (!r->nheaders)
				return refuse(why, 400, "folded line before any header: \"%.*s\"", line, n);
			h = &r->headers[r->nheaders - 1];
			while (k < n && (line[k] == ' ' || line[k] == '\t'))
				k++;
			joined = xasprintf("%s %.*s", h->value, (int)(n - k), line + k);
			free(h->value);
			h->value = joined;
			rc = 0;
		} else {
			rc = apache_header(line, n, r, why);
		}
		if (rc)
			return rc;
	}
	if (pl == PLATFORM_APACHE)
		apache_merge_headers(r);
	rc = framing(pl, p, end, r, note, why);
	/* httpd's own handler answers CONNECT (no mod_proxy): 405 */
	if (!rc && pl == PLATFORM_APACHE && !strcmp(r->method, "CONNECT"))
		note->handler_status = 405;
	return rc;
}
