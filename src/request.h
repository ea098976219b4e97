/*
 * request: the one HTTP request model every input becomes (catalogue
 * entries now; ftw tests and raw requests later) and the engine consumes.
 *
 * A request owns all its strings. `version` is the bare number ("1.1"):
 * libmodsecurity wants that, and CRS 920430 fires on "HTTP/1.1".
 * Headers keep their order and case; duplicates are allowed, as on the wire.
 * The body may contain NUL bytes; `body_len` is authoritative.
 */
#ifndef MCA_REQUEST_H
#define MCA_REQUEST_H

#include <stddef.h>
#include "util/strbuf.h"

struct header {
	char *name;
	char *value;
};

struct request {
	char *method;
	char *uri;		/* path and query, as sent on the request line */
	char *version;		/* "1.1" */
	struct header *headers;
	size_t nheaders, aheaders;
	char *body;
	size_t body_len;
	char *client_ip;
	int client_port;
	char *server_ip;
	int server_port;
};

/* The answer the application behind the WAF gives (phases 3 and 4). */
struct response {
	int status;
	struct header *headers;
	size_t nheaders, aheaders;
	char *body;
	size_t body_len;
};

void request_init(struct request *r);
void request_release(struct request *r);
void request_copy(struct request *dst, const struct request *src);

/* Append a header (copies both strings). */
void request_add_header(struct request *r, const char *name, const char *value);
/* Replace the value of every header called `name` (case-insensitive), or
 * append it when there is none. */
void request_set_header(struct request *r, const char *name, const char *value);
/* First value of header `name` (case-insensitive), or NULL. */
const char *request_header(const struct request *r, const char *name);
/* Remove every header called `name`. */
void request_remove_header(struct request *r, const char *name);

/* Take ownership of `body` (malloc'd, `len` bytes). */
void request_set_body(struct request *r, char *body, size_t len);

/* The path part of the URI (before '?'), newly allocated. */
char *request_path(const struct request *r);

/* The request as it would go over the wire (HTTP/1.x), for replay. */
void request_to_wire(const struct request *r, struct strbuf *out);

void response_init(struct response *r);
void response_release(struct response *r);
void response_add_header(struct response *r, const char *name, const char *value);

/* ---- raw requests (ftw's raw_request and encoded_request) ----
 *
 * request_parse_raw() reads bytes the way a server reads them off the
 * wire, into `r` (request_init'ed by the caller; its method, uri, version,
 * headers and body are replaced, the addresses kept). What a server does:
 *   - empty lines before the request line are skipped (RFC 9112 2.2);
 *   - lines end in CRLF or a bare LF;
 *   - the request line is METHOD SP TARGET SP HTTP/x.y (runs of spaces
 *     allowed); a line without a version (HTTP/0.9) or with another
 *     protocol is refused;
 *   - a header line without a colon, or with space before the colon, is
 *     refused; a line starting with space or tab continues the previous
 *     header (obsolete folding, joined with one space);
 *   - data ending before the empty line ends the headers there;
 *   - the body is what Transfer-Encoding: chunked or Content-Length says
 *     (chunked wins); a Content-Length larger than the data takes what is
 *     there; with neither, bytes after the headers are not this request's
 *     body (a server reads them as the next request) and are ignored.
 * Returns 0, or -1 when a server answers 400 Bad Request without the WAF
 * seeing the request; `why` then says why. `r` is valid either way. */
int request_parse_raw(const char *raw, size_t len, struct request *r, struct strbuf *why);

/* The header autocompletion of legacy ftw files (request_go_ftw below
 * is go-ftw's, for v2 files), for a request with a body: add
 * Content-Type: application/x-www-form-urlencoded when there is none;
 * URL-encode a form body best-effort (only when it holds no '%', '+' or
 * ';' already: keys and values of each '&'-separated pair are encoded,
 * order kept); turn bare LF into CRLF in a multipart/form-data body; add
 * Content-Length. Then, for every request, Connection: close when there
 * is no Connection header. */
void request_autocomplete(struct request *r);

/* What go-ftw's BuildRequest does to a request built from fields, step by
 * step as it does it (ftwhttp/request.go):
 *   - autocomplete and a body: Content-Type: application/x-www-form-
 *     urlencoded when none; when some Content-Type header is exactly that
 *     (any case), the body form-encoded unless it holds a '%' or a '+'
 *     (Go's QueryUnescape would change it): each '&'-separated token's
 *     key and value through QueryEscape, a trailing '&' dropped;
 *   - whatever autocomplete says: when some Content-Type header holds
 *     "multipart/form-data;" (any case), every LF of the body becomes
 *     CRLF (a CRLF too: CRCRLF);
 *   - autocomplete: Connection: close when none, then Content-Length
 *     when none and there is a body or the method matches go-ftw's
 *     `^POST|PUT|PATCH|DELETE$` (so an empty POST says 0). */
void request_go_ftw(struct request *r, int autocomplete);

/* Parse "Name: value" into freshly allocated name and value.
 * Returns -1 when there is no colon or the name is empty. */
int header_parse(const char *line, char **name, char **value);

#endif
