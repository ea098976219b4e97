/*
 * libmodsecurity 3's JSON audit log (SecAuditLogFormat JSON): one record
 * per line,
 *   {"transaction":{"client_ip","time_stamp":"Sun Nov 29 20:21:03 2026",
 *    "unique_id","request":{"method","http_version","uri","body",
 *    "headers":{...}},"response":{"http_code",...},"producer":{
 *    "modsecurity","secrules_engine"},"messages":[{"message","details":
 *    {"match","ruleId","data",...}}]}}
 * libmodsecurity 3.0.9 does not say which message disrupted: with a
 * refusing status the last message is taken, leaving out CRS's phase-5
 * reporting rules (980xxx), which are logged after the deny, unless that
 * is a CRS rule that only scores (crs_scoring_only).
 *
 * mod_security2 (2.9, built with yajl) writes its own shape, Serial one
 * record per line or one per Concurrent file:
 *   {"transaction":{"time":"30/Nov/2026:04:36:10.148988 +0000",
 *    "transaction_id","remote_address",...},"request":{"request_line":
 *    "POST /x HTTP/1.1","headers":{...},"body":["chunk",...]},"response":
 *    {"status":403,...},"audit_data":{"messages":["Access denied with code
 *    403 (phase 2). ... [id \"N\"] ...","Warning. ..."],"action":
 *    {"intercepted":true,...},"engine_mode":"ENABLED",...}}
 * Its messages are part H's "Message:" lines, which say themselves which
 * one refused ("Access denied ...").
 */
#include "logread.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long id_of(const cJSON *details)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(details, "ruleId");
	if (cJSON_IsString(v))
		return strtol(v->valuestring, NULL, 10);
	if (cJSON_IsNumber(v))
		return (long)v->valuedouble;
	return 0;
}

static void request_of(struct logrec *r, const cJSON *req, const struct logsink *sink, int *detail)
{
	const cJSON *h, *v;
	const char *s;
	if ((s = str(req, "method")))
		free(r->req.method), r->req.method = xstrdup(s), r->have_method = 1;
	if ((s = str(req, "uri")))
		free(r->req.uri), r->req.uri = xstrdup(s), r->have_uri = 1;
	v = cJSON_GetObjectItemCaseSensitive(req, "http_version");
	if (cJSON_IsNumber(v)) {
		free(r->req.version);
		r->req.version = xasprintf("%.1f", v->valuedouble);
	} else if ((s = str(req, "http_version"))) {
		free(r->req.version);
		r->req.version = xstrdup(s);
	}
	*detail = !sink->wanted || sink->wanted(sink->ctx, r->req.method, r->req.uri);
	if (!*detail)
		return;
	h = cJSON_GetObjectItemCaseSensitive(req, "headers");
	if (cJSON_IsObject(h)) {
		cJSON_ArrayForEach(v, h)
			if (cJSON_IsString(v) && v->string)
				request_add_header(&r->req, v->string, v->valuestring);
		r->have_headers = 1;
	}
	if ((s = str(req, "body")) && r->have_headers) {
		request_set_body(&r->req, xstrdup(s), strlen(s));
		r->full = 1;
	}
}

/* The string value after the first `"key":"` in [p, end), unescaped
 * (enough for a method and a URI), malloc'd; NULL when absent. The first
 * occurrence is the record's own: inside a JSON string every '"' is
 * escaped, so no value the request wrote can imitate the key. */
static char *peek_str(const char *p, const char *end, const char *key)
{
	size_t kl = strlen(key);
	const char *k = p;
	struct strbuf sb = STRBUF_INIT;
	while ((k = memmem(k, (size_t)(end - k), key, kl)) != NULL) {
		if (k > p && k[-1] == '"' && k + kl + 2 < end && k[kl] == '"' && k[kl + 1] == ':' && k[kl + 2] == '"')
			break;
		k += kl;
	}
	if (!k)
		return NULL;
	for (const char *c = k + kl + 3; c < end; c++) {
		if (*c == '"')
			return strbuf_detach(&sb, NULL);
		if (*c == '\\' && c + 1 < end) {
			c++;
			if (*c == 'u' && c + 4 < end) {
				/* \u00XX: what escapes a control or non-ASCII byte */
				unsigned v = (unsigned)strtoul((char[5]){ c[1], c[2], c[3], c[4], 0 }, NULL, 16);
				strbuf_addch(&sb, v < 256 ? (int)v : '?');
				c += 4;
				continue;
			}
			strbuf_addch(&sb, *c == 'n' ? '\n' : *c == 't' ? '\t' : *c == 'r' ? '\r' : *c);
			continue;
		}
		strbuf_addch(&sb, *c);
	}
	strbuf_release(&sb);
	return NULL;
}

/* The fast path for a record nobody wants in detail (not a payment
 * endpoint): what the counts need, without parsing the whole line. 1 when
 * done, 0 when the full parse must decide (a record cut short, an odd
 * shape). */
static int skim(const char *file, long lineno, const char *line, size_t len, const struct logsink *sink)
{
	const char *end = line + len, *m;
	char *method, *uri, *ts, *engine, *rl;
	struct logrec r;
	int wanted, status = 0, intercepted, engine_v2 = 0;

	while (end > line && (end[-1] == ' ' || end[-1] == '\r' || end[-1] == '\t'))
		end--;
	if (end - line < 20 || strncmp(line, "{\"transaction\":{", 16) || end[-1] != '}' || end[-2] != '}')
		return 0;
	method = peek_str(line, end, "method");
	uri = peek_str(line, end, "uri");
	if (!method && !uri && (rl = peek_str(line, end, "request_line")) != NULL) {
		/* mod_security2's shape: it says whether it intercepted */
		const char *sp1 = strchr(rl, ' '), *sp2 = strrchr(rl, ' ');
		if (sp1 && sp2 > sp1) {
			method = xstrndup(rl, (size_t)(sp1 - rl));
			uri = strncmp(sp2 + 1, "HTTP/", 5) ? xstrdup(sp1 + 1) : xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
		}
		free(rl);
		if (!method)
			return 0;
		engine_v2 = 1;
	}
	if (!method || !uri) {
		free(method);
		free(uri);
		return 0;
	}
	if (engine_v2) {
		if ((m = memmem(line, (size_t)(end - line), "\"status\":", 9)) != NULL)
			status = atoi(m + 9);
		intercepted = memmem(line, (size_t)(end - line), "\"intercepted\":true", 18) != NULL;
	} else {
		if ((m = memmem(line, (size_t)(end - line), "\"http_code\":", 12)) != NULL)
			status = atoi(m + 12);
		engine = peek_str(line, end, "secrules_engine");
		intercepted = status >= 400 && !(engine && strcmp(engine, "Enabled")) &&
			      memmem(line, (size_t)(end - line), "\"messages\":[{", 13);
		free(engine);
	}
	/* a payment request ModSecurity refused is read whole; one it let
	 * through (SecAuditEngine On logs them all) only counts */
	wanted = intercepted && sink->wanted(sink->ctx, method, uri);
	if (wanted) {
		free(method);
		free(uri);
		return 0;
	}
	logrec_init(&r, LOG_JSON, file, lineno);
	r.engine = engine_v2 ? 2 : 3;
	free(r.req.method);
	free(r.req.uri);
	r.req.method = method;
	r.req.uri = uri;
	r.have_method = r.have_uri = 1;
	ts = peek_str(line, end, engine_v2 ? "time" : "time_stamp");
	if (ts && (r.time = engine_v2 ? logtime_apache(ts) : logtime_ctime(ts)) < 0)
		r.time = 0;
	free(ts);
	r.unique_id = peek_str(line, end, engine_v2 ? "transaction_id" : "unique_id");
	r.status = status;
	r.intercepted = intercepted;
	sink->emit(sink->ctx, &r);
	logrec_release(&r);
	return 1;
}

/* The message taken as the refusal is a rule of CRS 3 or 4 that only
 * scores (CRS denies in its blocking evaluation rules and a few
 * initialization and DoS ones): with an anomaly threshold, such a
 * rule last means ModSecurity let the request through and the refusing
 * status is the application's (a webhook answered 400 or 503, logged by
 * SecAuditLogRelevantStatus with CRS's warnings). CRS in self-contained
 * mode (SecDefaultAction deny) is the exception this misreads. */
static int crs_scoring_only(const cJSON *msg)
{
	static const long deny_ids[] = { 901001, 901500, 912120, 912130, 949100, 949110, 949111, 959100, 959101 };
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(msg, "details");
	const char *ver = str(d, "ver");
	long id = id_of(d);
	if (!ver || strncmp(ver, "OWASP_CRS/", 10) || ver[10] < '3' || ver[10] > '9')
		return 0;
	for (size_t k = 0; k < sizeof(deny_ids) / sizeof(deny_ids[0]); k++)
		if (id == deny_ids[k])
			return 0;
	return 1;
}

/* mod_security2's JSON record (the shape above) */
static void v2_record(struct logrec *r, const cJSON *root, const struct logsink *sink)
{
	const cJSON *tx = cJSON_GetObjectItemCaseSensitive(root, "transaction");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(root, "request");
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(root, "response");
	const cJSON *ad = cJSON_GetObjectItemCaseSensitive(root, "audit_data");
	const cJSON *v, *m;
	const char *s;
	int detail = 1;

	r->engine = 2;
	if ((s = str(tx, "remote_address")))
		free(r->req.client_ip), r->req.client_ip = xstrdup(s);
	if ((s = str(tx, "time")) && (r->time = logtime_apache(s)) < 0)
		r->time = 0;
	if ((s = str(tx, "transaction_id")))
		r->unique_id = xstrdup(s);
	if ((s = str(req, "request_line")))
		logrec_request_line(r, s);
	if (r->have_uri && sink->wanted)
		detail = sink->wanted(sink->ctx, r->req.method, r->req.uri);
	v = cJSON_GetObjectItemCaseSensitive(req, "headers");
	if (detail && cJSON_IsObject(v)) {
		const cJSON *h;
		cJSON_ArrayForEach(h, v)
			if (cJSON_IsString(h) && h->string)
				request_add_header(&r->req, h->string, h->valuestring);
		r->have_headers = 1;
	}
	/* part C: the body as written in chunks; no part C: a request
	 * without a body, unless its headers say it had one */
	v = cJSON_GetObjectItemCaseSensitive(req, "body");
	if (detail && r->have_headers) {
		if (cJSON_IsArray(v) || cJSON_IsString(v)) {
			struct strbuf b = STRBUF_INIT;
			size_t n;
			char *body;
			if (cJSON_IsString(v))
				strbuf_addstr(&b, v->valuestring);
			else
				cJSON_ArrayForEach(m, v)
					if (cJSON_IsString(m))
						strbuf_addstr(&b, m->valuestring);
			n = b.len;
			body = strbuf_detach(&b, NULL);
			request_set_body(&r->req, body, n);
			r->full = 1;
		} else {
			const char *cl = request_header(&r->req, "Content-Length");
			r->full = !request_header(&r->req, "Transfer-Encoding") && (!cl || !strtol(cl, NULL, 10));
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(resp, "status");
	if (cJSON_IsNumber(v))
		r->status = (int)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(ad, "action");
	if (cJSON_IsObject(v) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "intercepted")))
		r->intercepted = 1;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(ad, "messages")) {
		char *t;
		int refused;
		if (!cJSON_IsString(m))
			continue;
		refused = !strncmp(m->valuestring, "Access denied", 13);
		if (!detail) {
			r->intercepted |= refused;
			continue;
		}
		t = xasprintf("ModSecurity: %s", m->valuestring);
		if (logrec_add_line(r, t) < 0)
			logrec_add_msg(r, 0, m->valuestring, refused);
		free(t);
	}
}

int json_record(const char *file, long lineno, const char *line, size_t len,
		const struct logsink *sink, struct strbuf *why)
{
	cJSON *root;
	const cJSON *tx, *v, *msgs, *m;
	struct logrec r;
	const char *s;
	int detail = 1, blocked_status;
	long last = -1, i = 0;

	if (sink->wanted && skim(file, lineno, line, len, sink))
		return 0;
	root = cJSON_ParseWithLength(line, len);
	if (!root) {
		strbuf_addstr(why, "not valid JSON");
		return -1;
	}
	tx = cJSON_GetObjectItemCaseSensitive(root, "transaction");
	if (!cJSON_IsObject(tx)) {
		strbuf_addstr(why, "a JSON line without \"transaction\": not a ModSecurity JSON audit record");
		cJSON_Delete(root);
		return -1;
	}
	logrec_init(&r, LOG_JSON, file, lineno);
	v = cJSON_GetObjectItemCaseSensitive(root, "request");
	if (cJSON_IsObject(v) && str(v, "request_line")) {
		v2_record(&r, root, sink);
		cJSON_Delete(root);
		sink->emit(sink->ctx, &r);
		logrec_release(&r);
		return 0;
	}
	r.engine = 3;
	if ((s = str(tx, "client_ip")))
		free(r.req.client_ip), r.req.client_ip = xstrdup(s);
	if ((s = str(tx, "time_stamp")) && (r.time = logtime_ctime(s)) < 0)
		r.time = 0;
	if ((s = str(tx, "unique_id")))
		r.unique_id = xstrdup(s);
	v = cJSON_GetObjectItemCaseSensitive(tx, "request");
	if (cJSON_IsObject(v))
		request_of(&r, v, sink, &detail);
	v = cJSON_GetObjectItemCaseSensitive(tx, "response");
	if (cJSON_IsObject(v)) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, "http_code");
		if (cJSON_IsNumber(c))
			r.status = (int)c->valuedouble;
	}
	v = cJSON_GetObjectItemCaseSensitive(tx, "producer");
	if (cJSON_IsObject(v) && (s = str(v, "modsecurity")) && strstr(s, "ModSecurity for "))
		r.engine = 2;
	blocked_status = r.status >= 400 &&
			 !(cJSON_IsObject(v) && (s = str(v, "secrules_engine")) && strcmp(s, "Enabled"));
	msgs = cJSON_GetObjectItemCaseSensitive(tx, "messages");
	cJSON_ArrayForEach(m, msgs) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "details");
		long id = id_of(d);
		if (blocked_status && !(id >= 980000 && id <= 980999))
			last = i;
		i++;
	}
	if (last >= 0 && crs_scoring_only(cJSON_GetArrayItem(msgs, (int)last)))
		last = -1;
	i = 0;
	cJSON_ArrayForEach(m, msgs) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "details");
		if (detail || i == last)
			logrec_add_msg(&r, id_of(d), str(m, "message"), i == last);
		i++;
	}
	cJSON_Delete(root);
	sink->emit(sink->ctx, &r);
	logrec_release(&r);
	return 0;
}
