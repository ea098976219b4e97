#include "catalog.h"
#include "util/fileio.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const form_names[] = { "path", "index", "query", "fixed" };

const char *url_form_name(enum url_form f)
{
	return form_names[f];
}

int url_forms_parse(const char *s, unsigned *forms)
{
	char *copy = xstrdup(s), *save = NULL;
	int ret = 0;
	*forms = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "all"))
			*forms |= URL_FORMS_WC;
		else if (!strcmp(t, "path"))
			*forms |= URL_FORM_BIT(FORM_PATH);
		else if (!strcmp(t, "index"))
			*forms |= URL_FORM_BIT(FORM_INDEX);
		else if (!strcmp(t, "query"))
			*forms |= URL_FORM_BIT(FORM_QUERY);
		else
			ret = -1;
	}
	free(copy);
	return *forms ? ret : -1;
}

static const char *const placeholders[] = {
	"host", "home_url", "klarna_order_id", "session_id", "wc_order_id",
	"order_key", "cart_token", "nonce", NULL
};

static const char *placeholder_value(const struct build_params *p, const char *name,
				     struct strbuf *tmp)
{
	if (!strcmp(name, "host"))
		return p->host;
	if (!strcmp(name, "home_url")) {
		strbuf_reset(tmp);
		strbuf_addf(tmp, "https://%s", p->host);
		return tmp->buf;
	}
	if (!strcmp(name, "klarna_order_id"))
		return p->klarna_order_id;
	if (!strcmp(name, "session_id"))
		return p->session_id;
	if (!strcmp(name, "wc_order_id"))
		return p->wc_order_id;
	if (!strcmp(name, "order_key"))
		return p->order_key;
	if (!strcmp(name, "cart_token"))
		return p->cart_token;
	if (!strcmp(name, "nonce"))
		return p->nonce;
	return NULL;
}

/* Check every "{{name}}" in `s` names a placeholder; returns the bad name
 * (malloc'd) or NULL. */
char *catalog_bad_placeholder(const char *s)
{
	const char *p = s;
	while ((p = strstr(p, "{{")) != NULL) {
		const char *e = strstr(p + 2, "}}");
		int known = 0;
		if (!e)
			return xstrndup(p, strnlen(p, 20));
		for (const char *const *n = placeholders; *n; n++)
			if (strlen(*n) == (size_t)(e - p - 2) && !strncmp(p + 2, *n, (size_t)(e - p - 2)))
				known = 1;
		if (!known)
			return xstrndup(p, (size_t)(e + 2 - p));
		p = e + 2;
	}
	return NULL;
}

static void expand(struct strbuf *out, const char *s, const struct build_params *p)
{
	struct strbuf tmp = STRBUF_INIT;
	while (*s) {
		const char *o = strstr(s, "{{"), *e;
		if (!o || !(e = strstr(o + 2, "}}"))) {
			strbuf_addstr(out, s);
			break;
		}
		strbuf_add(out, s, (size_t)(o - s));
		{
			char *name = xstrndup(o + 2, (size_t)(e - o - 2));
			const char *v = placeholder_value(p, name, &tmp);
			strbuf_addstr(out, v ? v : "");
			free(name);
		}
		s = e + 2;
	}
	strbuf_release(&tmp);
}

/* ---- versions ---- */

int version_valid(const char *s)
{
	int digits = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (*s == '.' && digits)
			digits = 0;
		else
			return 0;
	}
	return digits > 0;
}

int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

int callback_sent_by(const struct callback *cb, const char *v)
{
	if (!cb->nversions)
		return 1;
	for (size_t i = 0; i < cb->nversions; i++) {
		const struct version_range *r = &cb->versions[i];
		if ((!*r->from || version_cmp(v, r->from) >= 0) &&
		    (!*r->to || version_cmp(v, r->to) <= 0))
			return 1;
	}
	return 0;
}

/* ---- building requests ---- */

void build_params_defaults(struct build_params *p)
{
	memset(p, 0, sizeof(*p));
	p->host = "shop.example.com";
	/* A Klarna order id is a UUID; the session id a 32-hex-digit
	 * WooCommerce guest customer id (md5 style). Values are fixed so
	 * reports and tests are reproducible. */
	p->klarna_order_id = "b6d2a5e4-3f1c-4d8e-9a7b-2c5e8f1d4a93";
	p->session_id = "5f4dcc3b5aa765d61d8327deb882cf99";
	p->wc_order_id = "4711";
	p->order_key = "wc_order_Xq7bN2kPz9Lm";
	p->cart_token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidF8zYTljNGU3ZjJiMWQ4YzZlMGE1ZjliM2Q3YzFlOCJ9.ZmFrZS1jYXJ0LXRva2VuLXNpZ25hdHVyZQ";
	p->nonce = "a1b2c3d4e5";
	p->client_ip = "52.17.117.56";	/* one of Klarna's published production IPs */
}

unsigned callback_forms(const struct callback *cb)
{
	if (!cb->wc_api)
		return URL_FORM_BIT(FORM_FIXED);
	return cb->forms ? cb->forms : URL_FORMS_WC;
}

static void set_or_add(struct request *r, const char *line, const struct build_params *p)
{
	struct strbuf ex = STRBUF_INIT;
	char *name, *value;
	expand(&ex, line, p);
	if (header_parse(ex.buf, &name, &value) == 0) {
		if (*value)
			request_set_header(r, name, value);
		else
			request_remove_header(r, name);	/* "Name:" drops a default */
		free(name);
		free(value);
	}
	strbuf_release(&ex);
}

void callback_request(const struct catalog *c, const struct callback *cb,
		      enum url_form form, const struct build_params *p,
		      struct request *req, struct response *resp)
{
	struct strbuf uri = STRBUF_INIT;
	const char *slash = cb->trailing_slash ? "/" : "";

	request_init(req);
	free(req->method);
	req->method = xstrdup(cb->method);
	free(req->client_ip);
	req->client_ip = xstrdup(p->client_ip);
	switch (form) {
	case FORM_PATH:
		strbuf_addf(&uri, "/wc-api/%s%s", cb->wc_api, slash);
		break;
	case FORM_INDEX:
		strbuf_addf(&uri, "/index.php/wc-api/%s%s", cb->wc_api, slash);
		break;
	case FORM_QUERY:
		strbuf_addf(&uri, "/?wc-api=%s", cb->wc_api);
		break;
	case FORM_FIXED:
		expand(&uri, cb->path, p);
		break;
	}
	if (cb->query && *cb->query) {
		strbuf_addch(&uri, form == FORM_QUERY ? '&' : '?');
		expand(&uri, cb->query, p);
	}
	free(req->uri);
	req->uri = strbuf_detach(&uri, NULL);

	request_add_header(req, "Host", p->host);
	/* the provider's defaults, then the entry's own headers (same name
	 * wins), then the user's overrides ("Name:" with no value removes) */
	{
		const struct provider *pv = callback_provider(c, cb);
		for (size_t i = 0; i < pv->ndefault; i++)
			set_or_add(req, pv->default_headers[i], p);
	}
	for (size_t i = 0; i < cb->nheaders; i++)
		set_or_add(req, cb->headers[i], p);
	for (size_t i = 0; i < p->noverrides; i++) {
		char *name, *value;
		if (header_parse(p->header_overrides[i], &name, &value) < 0)
			continue;
		if (*value)
			request_set_header(req, name, value);
		else
			request_remove_header(req, name);
		free(name);
		free(value);
	}
	if (cb->body) {
		struct strbuf body = STRBUF_INIT;
		size_t len;
		expand(&body, cb->body, p);
		len = body.len;
		request_set_body(req, strbuf_detach(&body, NULL), len);
	}
	/* An HTTP client states the length of what it POSTs, 0 included. */
	if (req->body_len || !strcmp(req->method, "POST") || !strcmp(req->method, "PUT") ||
	    !strcmp(req->method, "PATCH")) {
		char cl[32];
		snprintf(cl, sizeof(cl), "%zu", req->body_len);
		request_set_header(req, "Content-Length", cl);
	}
	response_init(resp);
	resp->status = cb->resp_status;
	response_add_header(resp, "Content-Type", cb->resp_ctype);
	response_add_header(resp, "Cache-Control", "no-cache, must-revalidate, max-age=0");
	{
		struct strbuf rb = STRBUF_INIT;
		size_t len;
		char cl[32];
		expand(&rb, cb->resp_body, p);
		snprintf(cl, sizeof(cl), "%zu", rb.len);
		response_add_header(resp, "Content-Length", cl);
		len = rb.len;
		resp->body = strbuf_detach(&rb, NULL);
		resp->body_len = len;
	}
}

/* "Klarna Checkout" -> "klarna-checkout": lower case, runs of spaces,
 * '_' and '-' become one '-'. */
static char *normalise_name(const char *s)
{
	struct strbuf b = STRBUF_INIT;
	int dash = 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == '_' || *s == '-' || *s == '\t') {
			dash = b.len > 0;
			continue;
		}
		if (dash)
			strbuf_addch(&b, '-');
		dash = 0;
		strbuf_addch(&b, (char)tolower((unsigned char)*s));
	}
	return strbuf_detach(&b, NULL);
}

static int name_eq(const char *norm, const char *candidate)
{
	char *c = normalise_name(candidate);
	int eq = !strcmp(norm, c);
	free(c);
	return eq;
}

int provider_matches(const struct provider *p, const char *name)
{
	char *norm = normalise_name(name);
	int hit = *norm && (name_eq(norm, p->name) || name_eq(norm, p->title));
	for (size_t i = 0; !hit && *norm && i < p->naliases; i++)
		hit = name_eq(norm, p->aliases[i]);
	for (size_t i = 0; !hit && *norm && i < p->nplugins; i++) {
		const struct plugin_info *pl = &p->plugins[i];
		hit = name_eq(norm, pl->title) || (pl->slug && name_eq(norm, pl->slug));
		for (size_t k = 0; !hit && k < pl->nformer; k++)
			hit = name_eq(norm, pl->former[k]);
	}
	free(norm);
	return hit;
}

/* Mark the providers `list` ("stripe,Klarna Checkout") names in `want`;
 * -1 with the reason in `err` for a name no provider answers to. */
static int want_providers(const struct catalog *c, const char *list, unsigned char *want,
			  struct strbuf *err)
{
	char *copy = xstrdup(list), *save = NULL;
	int ret = 0;
	for (char *t = strtok_r(copy, ",", &save); t && !ret; t = strtok_r(NULL, ",", &save)) {
		int any = 0;
		for (size_t i = 0; i < c->nprovs; i++)
			if (provider_matches(&c->provs[i], t))
				want[i] = 1, any = 1;
		if (!any) {
			strbuf_addf(err, "%s: no provider named \"%s\" (--list-callbacks shows them)",
				    c->file, t);
			ret = -1;
		}
	}
	free(copy);
	return ret;
}

int catalog_select(const struct catalog *c, const char *providers,
		   const char *const *names, size_t nnames,
		   const char *kco_version, unsigned forms,
		   struct selection **out, size_t *n, struct strbuf *err)
{
	size_t alloc = 0;
	unsigned char *want = xcalloc(c->nprovs ? c->nprovs : 1, 1);
	*out = NULL;
	*n = 0;
	if (!providers)
		memset(want, 1, c->nprovs);
	else if (want_providers(c, providers, want, err) < 0) {
		free(want);
		return -1;
	}
	for (size_t i = 0; i < nnames; i++) {
		if (!catalog_find(c, names[i])) {
			strbuf_addf(err, "%s: no callback named \"%s\" (--list-callbacks shows them)",
				    c->file, names[i]);
			free(want);
			return -1;
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct callback *cb = &c->cbs[i];
		unsigned f;
		int wanted = !nnames;
		for (size_t k = 0; k < nnames; k++)
			if (!strcmp(names[k], cb->name))
				wanted = 1;
		if (!wanted || !want[cb->provider])
			continue;
		if (kco_version && !strcmp(cb->plugin, "kco") && !callback_sent_by(cb, kco_version))
			continue;
		f = callback_forms(cb);
		if (cb->wc_api)
			f &= forms;
		for (int form = FORM_PATH; form <= FORM_FIXED; form++) {
			if (!(f & URL_FORM_BIT(form)))
				continue;
			ARRAY_PUSH(*out, *n, alloc);
			(*out)[*n].cb = cb;
			(*out)[(*n)++].form = (enum url_form)form;
		}
	}
	free(want);
	if (!*n) {
		strbuf_addf(err, "%s: no callback left (check --provider, --callback, --kco-version, --url-form)",
			    c->file);
		return -1;
	}
	return 0;
}
