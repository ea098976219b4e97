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
 * reporting rules (980xxx), which are logged after the deny.
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
	char *method, *uri, *ts, *engine;
	struct logrec r;
	int wanted, status = 0, intercepted;

	while (end > line && (end[-1] == ' ' || end[-1] == '\r' || end[-1] == '\t'))
		end--;
	if (end - line < 20 || strncmp(line, "{\"transaction\":{", 16) || end[-1] != '}' || end[-2] != '}')
		return 0;
	method = peek_str(line, end, "method");
	uri = peek_str(line, end, "uri");
	if (!method || !uri) {
		free(method);
		free(uri);
		return 0;
	}
	if ((m = memmem(line, (size_t)(end - line), "\"http_code\":", 12)) != NULL)
		status = atoi(m + 12);
	engine = peek_str(line, end, "secrules_engine");
	intercepted = status >= 400 && !(engine && strcmp(engine, "Enabled")) &&
		      memmem(line, (size_t)(end - line), "\"messages\":[{", 13);
	free(engine);
	/* a payment request ModSecurity refused is read whole; one it let
	 * through (SecAuditEngine On logs them all) only counts */
	wanted = intercepted && sink->wanted(sink->ctx, method, uri);
	if (wanted) {
		free(method);
		free(uri);
		return 0;
	}
	logrec_init(&r, LOG_JSON, file, lineno);
	r.engine = 3;
	free(r.req.method);
	free(r.req.uri);
	r.req.method = method;
	r.req.uri = uri;
	r.have_method = r.have_uri = 1;
	ts = peek_str(line, end, "time_stamp");
	if (ts && (r.time = logtime_ctime(ts)) < 0)
		r.time = 0;
	free(ts);
	r.unique_id = peek_str(line, end, "unique_id");
	r.status = status;
	r.intercepted = intercepted;
	sink->emit(sink->ctx, &r);
	logrec_release(&r);
	return 1;
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
