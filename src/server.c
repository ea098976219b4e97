#include "server.h"
#include "logline.h"
#include "sniff.h"
#include "ftwtest.h"

#include <cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "util/base64.h"

const char *http_reason(int status)
{
	static const struct { int code; const char *text; } t[] = {
		{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
		{ 301, "Moved Permanently" }, { 302, "Found" }, { 303, "See Other" },
		{ 307, "Temporary Redirect" }, { 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 414, "Request-URI Too Large" }, { 505, "HTTP Version Not Supported" },
		{ 406, "Not Acceptable" }, { 413, "Payload Too Large" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == status)
			return t[i].text;
	return "";
}

/* Is the request `method` to `path` (or `path` + "/"), as albedo's mux
 * patterns ("POST /reflect", "POST /reflect/") route it? */
static int routed(const struct request *req, const char *method, const char *path)
{
	char *p;
	size_t n = strlen(path);
	int yes;
	if (!req->method || !req->uri || strcmp(req->method, method))
		return 0;
	p = request_path(req);
	yes = !strncmp(p, path, n) && (!p[n] || (p[n] == '/' && !p[n + 1]));
	free(p);
	return yes;
}

/* A reflection spec (albedo's reflectionSpec: status, headers, body or
 * base64 encodedBody) into `resp`. */
static void reflect_spec(const cJSON *j, struct response *resp)
{
	const cJSON *v;
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "status")) && cJSON_IsNumber(v) &&
	    v->valueint >= 100 && v->valueint <= 599)
		resp->status = v->valueint;
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "headers")) && cJSON_IsObject(v)) {
		const cJSON *h;
		cJSON_ArrayForEach(h, v)
			if (cJSON_IsString(h))
				response_add_header(resp, h->string, h->valuestring);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "body")) && cJSON_IsString(v)) {
		resp->body = xstrdup(v->valuestring);
		resp->body_len = strlen(v->valuestring);
	} else if ((v = cJSON_GetObjectItemCaseSensitive(j, "encodedBody")) && cJSON_IsString(v)) {
		struct strbuf b = STRBUF_INIT;
		if (base64_decode(v->valuestring, &b) == 0)
			resp->body = strbuf_detach(&b, &resp->body_len);
		strbuf_release(&b);
	}
}

/* The request's body as a JSON object, or NULL. */
static cJSON *json_body(const struct request *req)
{
	cJSON *j;
	if (!req->body_len || !(j = cJSON_ParseWithLength(req->body, req->body_len)))
		return NULL;
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* albedo's /reflect: the request body says what to answer. Returns 1 when
 * it applied. */
static int reflect(const struct request *req, struct response *resp)
{
	cJSON *j;
	if (!routed(req, "POST", "/reflect") || !(j = json_body(req)))
		return 0;
	reflect_spec(j, resp);
	cJSON_Delete(j);
	return 1;
}

void albedo_release(struct albedo *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].method);
		free(a->v[i].target);
		response_release(&a->v[i].resp);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static struct albedo_endpoint *albedo_find(const struct albedo *a, const char *method,
					   const char *target)
{
	for (size_t i = 0; a && i < a->n; i++)
		if (!strcmp(a->v[i].method, method) && !strcmp(a->v[i].target, target))
			return &a->v[i];
	return NULL;
}

static void copy_response(struct response *dst, const struct response *src);

void server_backend_effects(const struct ftw_stage *st, struct albedo *a)
{
	const cJSON *eps, *ep;
	cJSON *j;
	struct response spec;
	if (!a)
		return;
	if (routed(&st->req, "PUT", "/reset")) {
		albedo_release(a);
		return;
	}
	if (!routed(&st->req, "POST", "/configure_reflection") || !(j = json_body(&st->req)))
		return;
	response_init(&spec);
	reflect_spec(j, &spec);
	eps = cJSON_GetObjectItemCaseSensitive(j, "endpoints");
	if (!cJSON_IsArray(eps))
		eps = NULL;
	cJSON_ArrayForEach(ep, eps) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(ep, "method");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(ep, "url");
		const char *ms = cJSON_IsString(m) ? m->valuestring : "";
		const char *us = cJSON_IsString(u) ? u->valuestring : "";
		struct albedo_endpoint *e = albedo_find(a, ms, us);
		if (e) {
			response_release(&e->resp);
		} else {
			ARRAY_PUSH(a->v, a->n, a->alloc);
			e = &a->v[a->n++];
			e->method = xstrdup(ms);
			e->target = xstrdup(us);
		}
		copy_response(&e->resp, &spec);
	}
	response_release(&spec);
	cJSON_Delete(j);
}

static void copy_response(struct response *dst, const struct response *src)
{
	response_init(dst);
	dst->status = src->status;
	for (size_t i = 0; i < src->nheaders; i++)
		response_add_header(dst, src->headers[i].name, src->headers[i].value);
	if (src->body_len) {
		dst->body = xmalloc(src->body_len + 1);
		memcpy(dst->body, src->body, src->body_len);
		dst->body[src->body_len] = '\0';
		dst->body_len = src->body_len;
	}
}

static int has_header(const struct response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return 1;
	return 0;
}

/* What Go's net/http server adds to a handler's answer: the sniffed
 * Content-Type when the handler set none (nor a Content-Encoding) and
 * there is a body the status allows. */
static void go_server_headers(struct response *r)
{
	int body_allowed = r->status >= 200 && r->status != 204 && r->status != 304;
	if (body_allowed && r->body_len && !has_header(r, "Content-Type") &&
	    !has_header(r, "Content-Encoding"))
		response_add_header(r, "Content-Type", sniff_content_type(r->body, r->body_len));
}

void server_backend(const struct ftw_stage *st, const struct albedo *a, struct response *resp)
{
	const struct albedo_endpoint *dyn;
	if (st->has_response) {
		copy_response(resp, &st->resp);
	} else {
		response_init(resp);
		/* albedo: /reflect answers what its JSON body says; its other
		 * routes (/configure_reflection, /reset) answer an empty 200;
		 * every other path its default handler's empty 200, or what a
		 * dynamic endpoint for the method and request-target says */
		if (!reflect(&st->req, resp) && !routed(&st->req, "POST", "/configure_reflection") &&
		    !routed(&st->req, "PUT", "/reset") && st->req.method && st->req.uri &&
		    (dyn = albedo_find(a, st->req.method, st->req.uri))) {
			response_release(resp);
			copy_response(resp, &dyn->resp);
		}
	}
	go_server_headers(resp);
}

void server_page_backend(struct ftw_suite *s)
{
	static const char page[] = "<!DOCTYPE html>\n<html><head><title>Shop</title></head>"
				   "<body><p>Welcome</p></body></html>\n";
	for (size_t f = 0; f < s->nfiles; f++)
		for (size_t t = 0; t < s->files[f].ntests; t++)
			for (size_t i = 0; i < s->files[f].tests[t].nstages; i++) {
				struct ftw_stage *st = &s->files[f].tests[t].stages[i];
				if (st->has_response)
					continue;
				st->has_response = 1;
				response_release(&st->resp);
				response_init(&st->resp);
				st->resp.status = 200;
				response_add_header(&st->resp, "Content-Type", "text/html; charset=UTF-8");
				st->resp.body = xstrdup(page);
				st->resp.body_len = strlen(page);
			}
}

static void add_fired(struct stage_result *r, long id)
{
	size_t alloc = r->nfired;
	for (size_t i = 0; i < r->nfired; i++)
		if (r->fired[i] == id)
			return;
	ARRAY_PUSH(r->fired, r->nfired, alloc);
	r->fired[r->nfired++] = id;
}

static void add_log_line(struct stage_result *r, const char *line)
{
	struct match m;
	strbuf_addstr(&r->log, line);
	strbuf_addch(&r->log, '\n');
	if (logline_parse(line, &m) == 0) {
		add_fired(r, m.id);
		match_release(&m);
	}
}

static void wire_response(struct strbuf *out, int status, const struct header *h, size_t nh,
			  const char *body, size_t body_len)
{
	strbuf_addf(out, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
	for (size_t i = 0; i < nh; i++)
		if (strcasecmp(h[i].name, "Content-Length") && strcasecmp(h[i].name, "Connection"))
			strbuf_addf(out, "%s: %s\r\n", h[i].name, h[i].value);
	strbuf_addf(out, "Content-Length: %zu\r\nConnection: close\r\n\r\n", body_len);
	strbuf_add(out, body, body_len);
}

static void error_page(struct strbuf *out, int status, const char *location)
{
	struct strbuf body = STRBUF_INIT;
	struct header h[2] = { { "Content-Type", "text/html" }, { "Location", (char *)location } };
	strbuf_addf(&body, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n</body>\r\n</html>\r\n",
		    status, http_reason(status), status, http_reason(status));
	wire_response(out, status, h, location ? 2 : 1, body.buf, body.len);
	strbuf_release(&body);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void server_run_stage(struct engine *e, const struct ruleset *rs,
		      const struct ftw_stage *st, struct albedo *a, struct stage_result *out)
{
	struct txresult tx;
	struct response resp;
	double t0 = now_ms();

	memset(out, 0, sizeof(*out));
	strbuf_init(&out->log, 0);
	strbuf_init(&out->response, 0);
	if (st->refused) {
		out->refused = 1;
		if (st->refused_status) {
			out->status = st->refused_status;
			error_page(&out->response, out->status, NULL);
		} else {
			out->error = 1;
			out->error_why = xstrdup(st->refused_why ? st->refused_why : "no answer");
		}
		out->ms = now_ms() - t0;
		return;
	}
	server_backend(st, a, &resp);
	if (st->handler_status) {
		/* the server's own handler answers, with its error page */
		response_release(&resp);
		response_init(&resp);
		resp.status = st->handler_status;
	}
	engine_run(e, &st->req, &resp, &tx);
	for (size_t i = 0; i < tx.nlines; i++)
		add_log_line(out, tx.lines[i]);
	if (tx.intervention_log) {
		struct match m;
		add_log_line(out, tx.intervention_log);
		if (logline_parse(tx.intervention_log, &m) == 0) {
			out->disruptive_id = m.id;
			match_release(&m);
		}
	}
	/* the backend saw the request unless a rule stopped it first (a
	 * phase 3/4 disruption comes after it: rare, and counted alike) */
	if (!tx.disrupted && !st->has_response)
		server_backend_effects(st, a);
	if (tx.disrupted) {
		const struct ruleinfo *ri = rs && out->disruptive_id ? ruleset_find(rs, out->disruptive_id) : NULL;
		if (ri && ri->drops) {
			out->error = 1;
			out->error_why = xasprintf("rule %ld drops the connection", ri->id);
		} else {
			out->status = tx.status;
			error_page(&out->response, tx.status, tx.redirect_url);
		}
	} else {
		out->status = resp.status;
		wire_response(&out->response, resp.status, resp.headers, resp.nheaders,
			      resp.body ? resp.body : "", resp.body_len);
	}
	if (st->http09 || st->body_timeout) {
		/* no answer the client can read: HTTP/0.9 style (no status
		 * line), or the server still waiting for the body */
		free(out->error_why);
		out->error = 1;
		out->status = 0;
		out->error_why = xstrdup(st->http09 ? "an HTTP/0.9 answer (no status line)"
					 : "the body is shorter than Content-Length: the server waits, the client times out");
	}
	txresult_release(&tx);
	response_release(&resp);
	out->ms = now_ms() - t0;
}

void stage_result_release(struct stage_result *r)
{
	free(r->error_why);
	free(r->fired);
	strbuf_release(&r->log);
	strbuf_release(&r->response);
	memset(r, 0, sizeof(*r));
}
