/*
 * platform: what the web server in front of the WAF does with a request
 * before ModSecurity sees it (test --platform nginx|apache).
 *
 * A test's request is the bytes go-ftw sends (ftw_stage.wire). The server
 * reads them its own way: it answers some itself (400, 405, 414, 501, 505)
 * and no rule runs; it drops or rewrites some parts before handing the
 * request over. CRS's nginx-overrides.yaml and httpd-overrides.yaml
 * encode exactly these answers, so they only apply when the runner reads
 * requests as that server does. Each rule below names the server code or
 * setting it stands for.
 *
 * nginx 1.22 (Debian 12; the server libmodsecurity 3 runs in), defaults:
 *   request line (ngx_http_parse_request_line):
 *     - a method is [A-Z_-]+; anything else (leading space or tab, "|GET",
 *       lower case) -> 400
 *     - the target starts with '/' or is absolute (scheme://host[...]);
 *       anything else ("\", "1.2.3.4:80", "*") -> 400; an absolute
 *       target reaches the WAF as its path ("/" when it has none)
 *     - a space or control byte inside the target -> 400 (nginx >= 1.21.1)
 *     - no protocol: an HTTP/0.9 request: GET only (else 400); the answer
 *       has no status line, so the client sees an error
 *     - the protocol is exactly HTTP/<1-9>[digits].<digits>; "HTTP/0.9",
 *       "HTTP\1.0", "1.1", "JUNK/1.0" -> 400; a major version above 1
 *       -> 505
 *     - a request line longer than large_client_header_buffers (8k) -> 414
 *   headers (ngx_http_parse_header_line, ignore_invalid_headers on,
 *   underscores_in_headers off):
 *     - a line starting with white space (obsolete folding), a space or
 *       control byte in a name, a NUL byte, a CR not before LF -> 400
 *     - a name with '_' or another byte outside [A-Za-z0-9-] is dropped
 *       (never reaches the WAF)
 *     - a line without a colon is a header with an empty value
 *     - a header line over 8k, or headers over 4 x 8k in all -> 400
 *       ("Request Header Or Cookie Too Large")
 *   after the headers (ngx_http_process_request_header):
 *     - HTTP/1.1 without Host, a second Host, an invalid Host (empty,
 *       "..", '/', NUL) -> 400
 *     - Content-Length not all digits, or given twice -> 400
 *     - Transfer-Encoding in HTTP/1.0, or beside Content-Length -> 400;
 *       a value other than "chunked" -> 501; a chunked body that does not
 *       decode -> 400
 *     - TRACE -> 405
 *
 * Apache httpd 2.4 (Debian 12; the server ModSecurity 2 runs in),
 * HttpProtocolOptions Strict LenientMethods Require1.0 (the default):
 *   - white space before the method, or more than one space between the
 *     parts of the request line -> 400; a method that is not a token -> 400
 *   - a control byte or space inside the target -> 400; a target that is
 *     not "/...", absolute or "*" -> 400
 *   - no protocol (HTTP/0.9) -> 400 (Require1.0); a protocol not exactly
 *     HTTP/<digit>.<digit>, or below 1.0 -> 400
 *   - a request line over LimitRequestLine (8190) -> 414
 *   - folded header lines are joined; a line without a colon, a name that
 *     is not a token, a control byte in a value -> 400
 *   - a header given more than once reaches the WAF once, its values
 *     joined by ", " in order (ap_get_mime_headers_core merges them; CRS
 *     4's 920620-1 relies on it)
 *   - more than LimitRequestFields (100) headers, or one longer than
 *     LimitRequestFieldSize (8190) -> 400
 *   - a fragment ('#') in the target -> 400; CONNECT host:port passes the
 *     WAF, then httpd's handler answers 405 (no mod_proxy)
 *   - HTTP/0.9 gets a 400 without a status line: the client sees an error
 *   - any line of the head (request line, header, the blank line after
 *     them) ended by a LF without CR -> 400 (observed on Debian 12's
 *     Apache 2.4.71 with its defaults; nginx takes a bare LF)
 *   - HTTP/1.1 without Host, or an empty or malformed Host (anything but
 *     letters, digits and "-._:[]", e.g. "localhost%00") -> 400
 *   - Content-Length not a number -> 400; Transfer-Encoding other than
 *     chunked -> 501; with chunked, Content-Length is removed
 * Both take a body only from Content-Length or chunked encoding; bytes
 * after the headers without either are the next request, not this one's.
 * A body shorter than its Content-Length: the WAF sees the headers (no
 * body), the server waits for the rest and the client times out.
 */
#ifndef MCA_PLATFORM_H
#define MCA_PLATFORM_H

#include <stddef.h>
#include "request.h"
#include "util/strbuf.h"

enum platform { PLATFORM_NGINX, PLATFORM_APACHE };

/* "nginx" or "apache" (also "httpd"). Returns -1 for anything else. */
int platform_from_name(const char *name, enum platform *p);
const char *platform_name(enum platform p);

struct platform_note {
	int http09;		/* the answer has no status line: the client errs */
	int handler_status;	/* the server's own handler answers (not the backend) */
	int body_timeout;	/* the body never completes: the client times out */
};

/* Read `wire` as server `p` does. Returns 0 when the request reaches the
 * WAF: `r` (request_init'ed by the caller; its addresses are kept) holds
 * it as the server hands it over, `note` what else the client will see.
 * Otherwise returns the status the server answers itself, or -1 when the
 * client gets no HTTP answer (HTTP/0.9 style, or a timeout waiting for a
 * body shorter than its Content-Length), with the reason in `why`. */
int platform_read(enum platform p, const char *wire, size_t len, struct request *r,
		  struct platform_note *note, struct strbuf *why);

#endif
