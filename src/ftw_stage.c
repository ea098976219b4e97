/*
 * ftw_stage: one stage of a test, from its `input` to the request the
 * platform's server hands the WAF, and its `output`.
 *
 * Pipeline per stage: parse `input` (fields, or a raw/encoded request;
 * `data` through go-ftw's templates in schema v2) -> the bytes go-ftw
 * sends (its BuildRequest, request_go_ftw in request.h; legacy files get
 * request_autocomplete) -> read the way the
 * platform's server reads them (platform_read): the stage's request, or
 * `refused` with the server's own answer.
 *
 * Invariants: the stage is built whole at load time and only read after
 * (threads share it); ftw_stage_release frees everything, whatever
 * ftw_parse_stage returned; go-ftw's precedence holds (a raw request wins
 * over every other input field; `data` beside it makes the stage
 * `invalid`, go-ftw's sanity check, as does an encoded_request Go cannot
 * decode; `data` wins over `encoded_data`; `ordered_headers` over
 * `headers`).
 */
#include "ftw_read.h"
#include "ftw_template.h"
#include "util/base64.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- input ---- */

/* Accepted and ignored: they matter to a runner talking HTTP only. */
static const char *const ignored_input[] = {
	"protocol", "save_cookie", "follow_redirect", "virtual_host_mode", "sleep", NULL
};

struct input {
	char *dest_addr, *method, *uri, *version;
	long port;
	/* `headers:` (a mapping) and `ordered_headers:` (a list) apart: go-ftw
	 * sends the list when there is one, else the mapping sorted by name */
	struct header *headers, *ordered;
	size_t nheaders, aheaders, nordered, aordered;
	int has_ordered;
	/* `data` wins over `encoded_data` wherever they stand (go-ftw's GetData) */
	struct strbuf data, encoded, raw;
	int has_data, has_encoded, has_raw;
	int autocomplete, has_autocomplete;
	int has_response;
	struct response resp;
	char *invalid;		/* go-ftw refuses to run the stage: why */
};

static int parse_response(struct yctx *y, yaml_node_t *n, struct input *in)
{
	struct strbuf body = STRBUF_INIT;
	if (ftwy_want_map(y, n, "response") < 0)
		return -1;
	in->has_response = 1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = ftwy_sval(k);
		int r = 0;
		if (!key)
			return ftwy_fail(y, k, "expected a key");
		if (!strcmp(key, "status")) {
			long st;
			r = ftwy_get_long(y, v, key, &st);
			if (r == 0 && (st < 100 || st > 599))
				r = ftwy_fail(y, v, "status %ld is not an HTTP status", st);
			in->resp.status = (int)st;
		} else if (!strcmp(key, "headers")) {
			r = ftwy_get_headers(y, v, key, &in->resp.headers, &in->resp.nheaders, &in->resp.aheaders);
		} else if (!strcmp(key, "log_message")) {
			r = 0;	/* albedo logs it; nothing to do here */
		} else if (!strcmp(key, "data") || !strcmp(key, "body")) {
			r = ftwy_get_text(y, v, key, &body);
			if (r == 0) {
				free(in->resp.body);
				in->resp.body_len = body.len;
				in->resp.body = strbuf_detach(&body, NULL);
			}
		} else if (!strcmp(key, "encoded_body") || !strcmp(key, "encoded_data")) {
			r = ftwy_get_base64(y, v, key, &body);
			if (r == 0) {
				free(in->resp.body);
				in->resp.body_len = body.len;
				in->resp.body = strbuf_detach(&body, NULL);
			}
		} else {
			r = ftwy_unknown(y, k, "response", "status, headers, body, encoded_body");
		}
		if (r < 0) {
			strbuf_release(&body);
			return -1;
		}
	}
	strbuf_release(&body);
	return 0;
}

/* go-ftw decodes encoded_data when it builds the request: bytes that are
 * not base64 give no body (it logs the error and sends none). */
static int encoded_data(struct yctx *y, yaml_node_t *v, struct input *in)
{
	const char *s = ftwy_sval(v);
	size_t at;
	if (!s)
		return ftwy_fail(y, v, "encoded_data must be a base64 string");
	strbuf_reset(&in->encoded);
	in->has_encoded = 1;
	if ((y->d == FTW_V2 ? base64_decode_std(s, &in->encoded, &at) : base64_decode(s, &in->encoded)) < 0 &&
	    y->warn)
		strbuf_addf(y->warn, "%s:%d: encoded_data is not base64: the request has no body, as go-ftw sends it\n",
			    y->file, (int)v->start_mark.line + 1);
	return 0;
}

/* An empty encoded_request is no raw request (go-ftw's IsNotEmpty); one
 * that is not base64 fails its stage when it runs, as in go-ftw (whose
 * run stops there), not the file. */
static int encoded_request(struct yctx *y, yaml_node_t *v, struct input *in)
{
	const char *s = ftwy_sval(v);
	size_t at;
	if (!s)
		return ftwy_fail(y, v, "encoded_request must be a base64 string");
	if (!*s)
		return 0;
	strbuf_reset(&in->raw);
	in->has_raw = 2;
	if ((y->d == FTW_V2 ? base64_decode_std(s, &in->raw, &at) : (at = 0, base64_decode(s, &in->raw))) < 0 &&
	    !in->invalid)
		in->invalid = xasprintf("%s:%d: failed to read request from test specification: "
					"illegal base64 data at input byte %zu (go-ftw)",
					y->file, (int)v->start_mark.line + 1, at);
	return 0;
}

static int parse_input(struct yctx *y, yaml_node_t *n, struct input *in)
{
	if (ftwy_is_null(n))
		return 0;
	if (ftwy_want_map(y, n, "input") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = ftwy_sval(k);
		int r = 0, b;
		if (!key)
			return ftwy_fail(y, k, "expected a key");
		if (!strcmp(key, "dest_addr"))
			r = ftwy_get_string(y, v, key, &in->dest_addr);
		else if (!strcmp(key, "port")) {
			r = ftwy_get_long(y, v, key, &in->port);
			if (r == 0 && (in->port < 1 || in->port > 65535))
				r = ftwy_fail(y, v, "port %ld is not in 1-65535", in->port);
		} else if (!strcmp(key, "method"))
			r = ftwy_get_string(y, v, key, &in->method);
		else if (!strcmp(key, "uri"))
			r = ftwy_get_string(y, v, key, &in->uri);
		else if (!strcmp(key, "version"))
			r = ftwy_get_string(y, v, key, &in->version);
		else if (!strcmp(key, "headers"))
			r = ftwy_get_headers(y, v, key, &in->headers, &in->nheaders, &in->aheaders);
		else if (!strcmp(key, "ordered_headers")) {
			r = ftwy_get_headers(y, v, key, &in->ordered, &in->nordered, &in->aordered);
			in->has_ordered = 1;
		} else if (!strcmp(key, "data")) {
			r = ftwy_get_text(y, v, key, &in->data);
			in->has_data = 1;
			if (r == 0 && y->d == FTW_V2 && memmem(in->data.buf, in->data.len, "{{", 2)) {
				struct strbuf t = STRBUF_INIT;
				if (ftw_template_expand(in->data.buf, in->data.len, &t) < 0)
					strbuf_reset(&t);	/* go-ftw: no body */
				strbuf_release(&in->data);
				in->data = t;
			}
		} else if (!strcmp(key, "encoded_data")) {
			r = encoded_data(y, v, in);
		} else if (!strcmp(key, "raw_request") && y->d == FTW_LEGACY) {
			/* legacy ftw's; encoded_request wins over it (go-ftw's
			 * schema has no raw_request: unknown, ignored, there) */
			if (in->has_raw != 2) {
				r = ftwy_get_text(y, v, key, &in->raw);
				in->has_raw = 1;
			}
		} else if (!strcmp(key, "encoded_request")) {
			r = encoded_request(y, v, in);
		} else if (!strcmp(key, "autocomplete_headers")) {
			/* it wins over stop_magic wherever they stand (go-ftw's
			 * postProcessAutocompleteHeaders) */
			r = ftwy_get_bool(y, v, key, &b);
			in->autocomplete = b;
			in->has_autocomplete = 1;
		} else if (!strcmp(key, "stop_magic")) {
			r = ftwy_get_bool(y, v, key, &b);
			if (!in->has_autocomplete)
				in->autocomplete = !b;
		} else if (!strcmp(key, "response")) {
			r = parse_response(y, v, in);
		} else if (!ftwy_in_list(key, ignored_input)) {
			r = ftwy_unknown(y, k, "input", "method, uri, version, headers, data, encoded_data, encoded_request, ...");
		}
		if (r < 0)
			return -1;
	}
	if (!in->has_data && in->has_encoded) {
		struct strbuf t = in->data;
		in->data = in->encoded;
		in->encoded = t;
		in->has_data = 1;
	}
	/* go-ftw: a raw request wins over every other input field (they are
	 * ignored), except that data beside encoded_request fails the stage
	 * (its checkTestSanity) */
	if (in->has_raw && in->has_data && in->data.len && !in->invalid)
		in->invalid = xstrdup("'data' and 'encoded_request' must not be set simultaneously (go-ftw)");
	return 0;
}

static void input_release(struct input *in)
{
	free(in->dest_addr);
	free(in->method);
	free(in->uri);
	free(in->version);
	for (size_t i = 0; i < in->nheaders; i++) {
		free(in->headers[i].name);
		free(in->headers[i].value);
	}
	free(in->headers);
	for (size_t i = 0; i < in->nordered; i++) {
		free(in->ordered[i].name);
		free(in->ordered[i].value);
	}
	free(in->ordered);
	strbuf_release(&in->data);
	strbuf_release(&in->encoded);
	strbuf_release(&in->raw);
	response_release(&in->resp);
	free(in->invalid);
}

/* Read the bytes go-ftw sends the way the platform's server does: the
 * stage's request becomes what the server hands to the WAF. */
static void server_reads(struct ftw_stage *st, const char *wire, size_t len, enum platform pl)
{
	struct request parsed;
	struct strbuf why = STRBUF_INIT;
	struct platform_note note;
	int rc;
	request_init(&parsed);
	free(parsed.server_ip);
	parsed.server_ip = xstrdup(st->req.server_ip);
	parsed.server_port = st->req.server_port;
	rc = platform_read(pl, wire, len, &parsed, &note, &why);
	st->http09 = note.http09;
	st->body_timeout = note.body_timeout;
	st->handler_status = note.handler_status;
	if (rc) {
		st->refused = 1;
		st->refused_status = rc > 0 ? rc : 0;
		st->refused_why = strbuf_detach(&why, NULL);
	}
	request_release(&st->req);
	st->req = parsed;
	strbuf_release(&why);
}

/* The request line and headers exactly as go-ftw writes them. */
static void go_ftw_wire(const struct input *in, const struct request *r, struct strbuf *out)
{
	strbuf_addf(out, "%s %s %s\r\n", in->method ? in->method : "GET", in->uri ? in->uri : "/",
		    in->version ? in->version : "HTTP/1.1");
	for (size_t i = 0; i < r->nheaders; i++)
		strbuf_addf(out, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
	strbuf_addstr(out, "\r\n");
	if (r->body_len)
		strbuf_add(out, r->body, r->body_len);
}

static int cmp_header_names(const void *a, const void *b)
{
	return strcmp(((const struct header *)a)->name, ((const struct header *)b)->name);
}

/* The request as it goes on the wire, then as the server reads it. */
static void build_request(struct input *in, struct ftw_stage *st, enum platform pl,
			  enum ftw_dialect d)
{
	struct request *r = &st->req;
	request_init(r);
	if (in->dest_addr && strcmp(in->dest_addr, "localhost")) {
		free(r->server_ip);
		r->server_ip = xstrdup(in->dest_addr);
	}
	if (in->port)
		r->server_port = (int)in->port;
	if (in->has_raw) {
		server_reads(st, in->raw.buf, in->raw.len, pl);
		return;
	}
	if (in->method) {
		free(r->method);
		r->method = xstrdup(in->method);
	}
	if (in->uri) {
		free(r->uri);
		r->uri = xstrdup(in->uri);
	}
	if (in->version) {
		/* libmodsecurity wants "1.1"; the rest goes through as written */
		const char *v = in->version;
		if (!strncasecmp(v, "HTTP/", 5))
			v += 5;
		free(r->version);
		r->version = xstrdup(v);
	}
	if (in->has_ordered) {
		for (size_t i = 0; i < in->nordered; i++)
			request_add_header(r, in->ordered[i].name, in->ordered[i].value);
	} else {
		/* go-ftw sorts the mapping's names (Go's sort: bytes); legacy
		 * ftw sends them in file order */
		if (d == FTW_V2 && in->nheaders > 1)
			qsort(in->headers, in->nheaders, sizeof(*in->headers), cmp_header_names);
		for (size_t i = 0; i < in->nheaders; i++)
			request_add_header(r, in->headers[i].name, in->headers[i].value);
	}
	if (in->has_data && in->data.len) {
		size_t len;
		char *b = strbuf_detach(&in->data, &len);
		request_set_body(r, b, len);
	}
	if (d == FTW_V2)
		request_go_ftw(r, in->autocomplete);
	else if (in->autocomplete)
		request_autocomplete(r);
	{
		struct strbuf wire = STRBUF_INIT;
		go_ftw_wire(in, r, &wire);
		server_reads(st, wire.buf, wire.len, pl);
		strbuf_release(&wire);
	}
}

/* ---- stages, tests, files ---- */

int ftw_parse_stage(struct yctx *y, yaml_node_t *n, struct ftw_stage *st)
{
	struct input in;
	yaml_node_t *input = NULL, *output = NULL;
	int r = 0;

	memset(st, 0, sizeof(*st));
	st->line = (int)n->start_mark.line + 1;
	st->out.expect_error = -1;
	if (ftwy_want_map(y, n, "a stage") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = ftwy_sval(k);
		if (!key)
			return ftwy_fail(y, k, "expected a key");
		if (!strcmp(key, "stage")) {
			/* the legacy wrapper, read in both dialects */
			if (ftwy_want_map(y, v, "stage") < 0)
				return -1;
			FOR_PAIRS(y, v, k2, v2) {
				const char *key2 = ftwy_sval(k2);
				if (key2 && !strcmp(key2, "input"))
					input = v2;
				else if (key2 && !strcmp(key2, "output"))
					output = v2;
				else
					ftwy_unknown(y, k2, "stage", "input, output");
			}
		} else if (!strcmp(key, "input")) {
			input = v;
		} else if (!strcmp(key, "output")) {
			output = v;
		} else if (strcmp(key, "description") && strcmp(key, "desc")) {
			ftwy_unknown(y, k, "stage", "input, output, description, or the legacy stage: wrapper");
		}
	}
	/* go-ftw: no input is GET / with the defaults, no output checks
	 * nothing (the stage passes unless the connection fails) */
	memset(&in, 0, sizeof(in));
	in.autocomplete = 1;
	strbuf_init(&in.data, 0);
	strbuf_init(&in.encoded, 0);
	strbuf_init(&in.raw, 0);
	response_init(&in.resp);
	r = input ? parse_input(y, input, &in) : 0;
	if (r == 0 && output)
		r = ftwy_parse_output(y, output, &st->out);
	else if (r == 0)
		st->out.line = st->line;
	if (r == 0) {
		build_request(&in, st, y->platform, y->d);
		st->invalid = in.invalid;
		in.invalid = NULL;
		if (in.has_response) {
			st->has_response = 1;
			st->resp = in.resp;
			response_init(&in.resp);
		}
	} else {
		request_init(&st->req);	/* released with the rest */
	}
	input_release(&in);
	return r;
}

void ftw_stage_release(struct ftw_stage *st)
{
	request_release(&st->req);
	free(st->refused_why);
	free(st->invalid);
	response_release(&st->resp);
	ftw_output_release(&st->out);
}
