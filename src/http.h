/*
 * http: sending one request to a live server (libcurl), and writing the
 * same request as a curl command line. The only file that includes curl.
 *
 * The request goes out as the request model says and nothing more: its
 * headers in order (curl's own Accept, Content-Type and Expect are
 * suppressed; Content-Length is curl's, for the same body), HTTP/1.1, no
 * cookies, no redirects followed (a 3xx is an answer), http and https only.
 * Failures (DNS, connection, TLS, timeout) are answers too: `error` says
 * what happened and `status` is 0.
 *
 * An answer owns its strings (http_answer_release).
 */
#ifndef MCA_HTTP_H
#define MCA_HTTP_H

#include <stddef.h>
#include "request.h"
#include "util/strbuf.h"

struct http_opts {
	long timeout_ms;	/* whole request; 0 = no limit */
	int insecure;		/* do not verify TLS certificates */
	const char *cacert;	/* CA bundle to verify with (NULL = system's) */
};

struct http_answer {
	int status;		/* 0 when no HTTP answer came */
	char *error;		/* NULL, or what went wrong ("timeout after 15000 ms") */
	int error_kind;		/* HTTP_OK, HTTP_TIMEOUT, HTTP_TLS, HTTP_CONNECT, HTTP_OTHER */
	struct header *headers;	/* of the final answer */
	size_t nheaders, aheaders;
	char *body;		/* at most HTTP_BODY_MAX bytes kept */
	size_t body_len;
	long time_ms;
};

enum { HTTP_OK, HTTP_TIMEOUT, HTTP_TLS, HTTP_CONNECT, HTTP_OTHER };

#define HTTP_BODY_MAX (256 * 1024)

/* Call once before the first request, and once at the end. */
int http_global_init(void);
void http_global_cleanup(void);

/* Send `req` to `base` (scheme://host[:port][/path], no trailing slash)
 * + req->uri. */
void http_send(const char *base, const struct request *req,
	       const struct http_opts *o, struct http_answer *a);
void http_answer_release(struct http_answer *a);
/* First value of answer header `name` (case-insensitive), or NULL. */
const char *http_answer_header(const struct http_answer *a, const char *name);

/* The same request as a curl(1) command line (shell-quoted, one line). */
void http_curl_command(const char *base, const struct request *req,
		       const struct http_opts *o, struct strbuf *out);

/* Split "scheme://host[:port][/path]" for checking: returns -1 and says why
 * in `err` unless the scheme is http or https and there is a host, no
 * query, no fragment, no user info. `host` gets "host[:port]" as it goes in
 * a Host header, `base` the URL without a trailing slash. */
int http_parse_base(const char *url, char **base, char **host, struct strbuf *err);

#endif
