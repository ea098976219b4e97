#include "logmatch.h"
#include "errorlog.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

static char *decode(const char *s, size_t n, int plus)
{
	char *out = xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			*o++ = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			*o++ = plus && s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Call fn(name, value) for each "&"-separated pair; stops when fn returns 1. */
static void each_param(const char *qs, size_t len,
		       int (*fn)(void *ctx, const char *name, const char *value), void *ctx)
{
	size_t i = 0;
	while (i < len) {
		size_t e = i, eq;
		int stop;
		char *n, *v;
		while (e < len && qs[e] != '&')
			e++;
		eq = i;
		while (eq < e && qs[eq] != '=')
			eq++;
		n = decode(qs + i, eq - i, 1);
		v = eq < e ? decode(qs + eq + 1, e - eq - 1, 1) : xstrdup("");
		stop = fn(ctx, n, v);
		free(n);
		free(v);
		if (stop)
			return;
		i = e + 1;
	}
}

struct find_param {
	const char *name;
	char *value;
};

static int find_one(void *ctx, const char *name, const char *value)
{
	struct find_param *f = ctx;
	if (strcmp(name, f->name))
		return 0;
	f->value = xstrdup(value);
	return 1;
}

char *query_param(const char *qs, size_t len, const char *name)
{
	struct find_param f = { name, NULL };
	each_param(qs, len, find_one, &f);
	return f.value;
}

static const char *query_of(const char *uri)
{
	const char *q = strchr(uri, '?');
	return q ? q + 1 : "";
}

/* Does `path` end with the segments of `tmpl` ({{x}} = one segment)? */
static int path_ends_with(const char *path, const char *tmpl, int trailing_ok)
{
	size_t pl = strlen(path), tl = strlen(tmpl);
	const char *pe, *te;
	/* drop one trailing slash on both sides when allowed */
	if (trailing_ok && pl > 1 && path[pl - 1] == '/')
		pl--;
	if (tl > 1 && tmpl[tl - 1] == '/')
		tl--;
	pe = path + pl;
	te = tmpl + tl;
	while (te > tmpl) {
		const char *ts = te, *ps = pe;
		while (ts > tmpl && ts[-1] != '/')
			ts--;
		while (ps > path && ps[-1] != '/')
			ps--;
		if (te - ts >= 4 && !strncmp(ts, "{{", 2) && !strncmp(te - 2, "}}", 2)) {
			if (pe == ps)
				return 0;
		} else if ((size_t)(te - ts) != (size_t)(pe - ps) || strncmp(ts, ps, (size_t)(te - ts))) {
			return 0;
		}
		if (ts == tmpl)
			return 1;
		if (ps == path)
			return 0;
		te = ts - 1;
		pe = ps - 1;
		if (te == tmpl)
			return 1;	/* the template's leading "/" */
	}
	return 1;
}

/* The URL form in which `path`/`qs` reach wc-api endpoint X, or -1. */
static int wc_api_form(const char *path, const char *qs, const char *x)
{
	size_t pl = strlen(path), xl = strlen(x);
	const char *p;
	if (pl && path[pl - 1] == '/')
		pl--;
	if (pl >= xl + 8 && !strncasecmp(path + pl - xl, x, xl) && !strncmp(path + pl - xl - 8, "/wc-api/", 8)) {
		p = path + pl - xl - 8;
		return (p - path >= 10 && !strncmp(p - 10, "/index.php", 10)) ? FORM_INDEX : FORM_PATH;
	}
	{
		char *v = query_param(qs, strlen(qs), "wc-api");
		int f = v && !strcasecmp(v, x) ? FORM_QUERY : -1;
		free(v);
		return f;
	}
}

static int glob_match(const char *pat, const char *s)
{
	/* {{x}} matches anything, the rest literally */
	const char *o = strstr(pat, "{{");
	const char *c;
	size_t pre;
	if (!o)
		return !strcmp(pat, s);
	pre = (size_t)(o - pat);
	if (strncmp(pat, s, pre))
		return 0;
	c = strstr(o, "}}");
	if (!c)
		return !strcmp(pat, s);
	for (const char *t = s + pre;; t++) {
		if (glob_match(c + 2, t))
			return 1;
		if (!*t)
			return 0;
	}
}

/* The sender's User-Agent: "APIs-Klarna" exactly; one with a version
 * ("WordPress/6.4.3; {{home_url}}") by its product, any version. */
static int ua_matches(const char *want, const char *ua)
{
	const char *slash = strchr(want, '/');
	if (slash && slash > want && strcspn(want, " ") > (size_t)(slash - want))
		return !strncasecmp(want, ua, (size_t)(slash - want + 1));
	return glob_match(want, ua);
}

static const char *header_of(char *const *hs, size_t n, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (!strncasecmp(hs[i], name, nl) && hs[i][nl] == ':')
			return hs[i] + nl + 1 + strspn(hs[i] + nl + 1, " ");
	return NULL;
}

static const char *expected_header(const struct catalog *c, const struct callback *cb, const char *name)
{
	const char *v = header_of(cb->headers, cb->nheaders, name);
	const struct provider *pv = callback_provider(c, cb);
	return v ? v : header_of(pv->default_headers, pv->ndefault, name);
}

/* How closely the record's query and Content-Type fit the entry's. */
struct score_ctx {
	const char *tmpl;	/* the entry's query */
	int score;
};

static int score_param(void *ctx, const char *name, const char *value)
{
	struct score_ctx *s = ctx;
	char *want = query_param(s->tmpl, strlen(s->tmpl), name);
	(void)value;
	if (!want) {
		if (strcmp(name, "wc-api"))
			s->score -= 1;
	} else {
		s->score += 1;
		if (!strstr(want, "{{"))
			s->score += strcmp(want, value) ? -2 : 2;
	}
	free(want);
	return 0;
}

static int score_missing(void *ctx, const char *name, const char *value)
{
	struct score_ctx *s = ctx;
	(void)value;
	/* s->tmpl is the record's query here */
	char *have = query_param(s->tmpl, strlen(s->tmpl), name);
	if (!have)
		s->score -= 1;
	free(have);
	return 0;
}

static int closeness(const struct catalog *c, const struct callback *cb, const struct logrec *r)
{
	const char *qs = query_of(r->req.uri);
	const char *tq = cb->query ? cb->query : "";
	struct score_ctx s = { tq, 0 }, m = { qs, 0 };
	each_param(qs, strlen(qs), score_param, &s);
	each_param(tq, strlen(tq), score_missing, &m);
	if (r->have_headers) {
		const char *want = expected_header(c, cb, "Content-Type");
		const char *have = request_header(&r->req, "Content-Type");
		if (want && have)
			s.score += strncasecmp(want, have, strcspn(want, ";")) ? -1 : 1;
		else if (want || have)
			s.score -= 1;
	}
	return s.score + m.score;
}

const struct callback *logmatch_callback(const struct catalog *c, const struct logrec *r,
					 enum url_form *form)
{
	const struct callback *best = NULL;
	int best_score = 0;
	char *path;
	const char *qs, *ua;

	if (!r->have_uri)
		return NULL;
	path = uri_decode_path(r->req.uri);
	qs = query_of(r->req.uri);
	ua = r->have_headers ? request_header(&r->req, "User-Agent") : NULL;
	for (size_t i = 0; i < c->n; i++) {
		const struct callback *cb = &c->cbs[i];
		int f = -1, sc;
		if (r->have_method && strcasecmp(r->req.method, cb->method))
			continue;
		if (cb->wc_api) {
			f = wc_api_form(path, qs, cb->wc_api);
		} else if (cb->path) {
			if (path_ends_with(path, cb->path, 1)) {
				f = FORM_FIXED;
			} else if (!strncmp(cb->path, "/wp-json/", 9)) {
				char *route = query_param(qs, strlen(qs), "rest_route");
				if (route && path_ends_with(route, cb->path + 8, 1))
					f = FORM_FIXED;
				free(route);
			}
		}
		if (f < 0)
			continue;
		if (r->have_headers) {
			const char *want = expected_header(c, cb, "User-Agent");
			if (want && (!ua || !ua_matches(want, ua)))
				continue;
		}
		sc = closeness(c, cb, r);
		if (!best || sc > best_score) {
			best = cb;
			best_score = sc;
			*form = (enum url_form)f;
		}
	}
	free(path);
	return best;
}

int logmatch_payment_uri(const char *uri)
{
	static const char *const routes[] = {
		"/wp-json/klarna", "/wp-json/kco", "/wp-json/wc/store/v1/checkout",
		"/wp-json/wc/store/checkout", "/wp-json/wc-stripe", "/wp-json/mollie",
		"/wp-json/wc/v3/ppcp", "/wp-json/paypal", "/wp-json/wc-paypal", NULL
	};
	char *path = uri_decode_path(uri);
	const char *qs = query_of(uri);
	int yes = strstr(path, "/wc-api/") != NULL;
	for (const char *const *r = routes; !yes && *r; r++)
		yes = strstr(path, *r) != NULL;
	if (!yes && *qs) {
		char *v = query_param(qs, strlen(qs), "wc-api");
		char *rr = v ? NULL : query_param(qs, strlen(qs), "rest_route");
		yes = v != NULL;
		for (const char *const *r = routes; !yes && rr && *r; r++)
			yes = !strncmp(rr, *r + 8, strlen(*r + 8));
		free(v);
		free(rr);
	}
	free(path);
	return yes;
}

struct ids_ctx {
	void (*add)(void *ctx, const char *id);
	void *ctx;
};

static int id_param(void *ctx, const char *name, const char *value)
{
	static const char *const names[] = { "kco_wc_order_id", "order_id", "kco_order_id",
					      "klarna_order_id", NULL };
	struct ids_ctx *ic = ctx;
	for (const char *const *n = names; *n; n++)
		if (!strcmp(name, *n) && *value)
			ic->add(ic->ctx, value);
	return 0;
}

static void json_ids(const cJSON *o, struct ids_ctx *ic, int depth)
{
	const cJSON *v;
	if (depth > 4)
		return;
	cJSON_ArrayForEach(v, o) {
		if (v->string && (!strcmp(v->string, "order_id") || !strcmp(v->string, "kco_order_id") ||
				  !strcmp(v->string, "klarna_order_id"))) {
			if (cJSON_IsString(v) && *v->valuestring)
				ic->add(ic->ctx, v->valuestring);
			else if (cJSON_IsNumber(v)) {
				char n[32];
				snprintf(n, sizeof(n), "%.0f", v->valuedouble);
				ic->add(ic->ctx, n);
			}
		} else if (cJSON_IsObject(v)) {
			json_ids(v, ic, depth + 1);
		}
	}
}

/* The path segments standing for the order in `cb`'s path template. */
static void path_ids(const char *path, const char *tmpl, struct ids_ctx *ic)
{
	/* align from the end, segment by segment */
	const char *te = tmpl + strlen(tmpl), *pe = path + strlen(path);
	if (te > tmpl && te[-1] == '/')
		te--;
	if (pe > path && pe[-1] == '/')
		pe--;
	while (te > tmpl && pe > path) {
		const char *ts = te, *ps = pe;
		while (ts > tmpl && ts[-1] != '/')
			ts--;
		while (ps > path && ps[-1] != '/')
			ps--;
		if ((size_t)(te - ts) > 4 && (!strncmp(ts, "{{klarna_order_id}}", 19) ||
					       !strncmp(ts, "{{wc_order_id}}", 15)) && pe > ps) {
			char *id = xstrndup(ps, (size_t)(pe - ps));
			ic->add(ic->ctx, id);
			free(id);
		}
		te = ts > tmpl ? ts - 1 : tmpl;
		pe = ps > path ? ps - 1 : path;
	}
}

void logmatch_order_ids(const struct logrec *r, const struct callback *cb,
			void (*add)(void *ctx, const char *id), void *ctx)
{
	struct ids_ctx ic = { add, ctx };
	const char *qs = query_of(r->req.uri);
	const char *ct = r->have_headers ? request_header(&r->req, "Content-Type") : NULL;
	each_param(qs, strlen(qs), id_param, &ic);
	if (cb && cb->path) {
		char *path = uri_decode_path(r->req.uri);
		path_ids(path, cb->path, &ic);
		free(path);
	}
	if (!r->full || !r->req.body_len)
		return;
	if ((ct && strcasestr(ct, "json")) || r->req.body[strspn(r->req.body, " \t\r\n")] == '{') {
		cJSON *j = cJSON_ParseWithLength(r->req.body, r->req.body_len);
		if (j)
			json_ids(j, &ic, 0);
		cJSON_Delete(j);
	} else if (!ct || strcasestr(ct, "x-www-form-urlencoded")) {
		each_param(r->req.body, strlen(r->req.body), id_param, &ic);
	}
}
