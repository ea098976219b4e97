#include "catalog.h"
#include "util/fileio.h"
#include "util/yamlload.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

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
static char *bad_placeholder(const char *s)
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

/* ---- YAML ---- */

struct yctx {
	yaml_document_t *doc;
	const char *file;
	struct strbuf *err;
};

static int fail(struct yctx *y, yaml_node_t *n, const char *fmt, const char *arg)
{
	strbuf_addf(y->err, "%s:%lu: ", y->file, n ? (unsigned long)n->start_mark.line + 1 : 0UL);
	strbuf_addf(y->err, fmt, arg);
	return -1;
}

static int scalar(struct yctx *y, yaml_node_t *n, const char *key, char **out)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return fail(y, n, "%s: expected a string", key);
	free(*out);
	*out = xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
	return 0;
}

static int string_list(struct yctx *y, yaml_node_t *n, const char *key, char ***out,
		       size_t *count)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return fail(y, n, "%s: expected a list", key);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(y->doc, *it);
		char *s = NULL;
		if (scalar(y, v, key, &s) < 0)
			return -1;
		*out = xrealloc(*out, (*count + 1) * sizeof(char *));
		(*out)[(*count)++] = s;
	}
	return 0;
}

static int header_list(struct yctx *y, yaml_node_t *n, const char *key, char ***out,
		       size_t *count)
{
	size_t before = *count;
	if (string_list(y, n, key, out, count) < 0)
		return -1;
	for (size_t i = before; i < *count; i++) {
		char *name, *value;
		yaml_node_t *item = yaml_document_get_node(y->doc, n->data.sequence.items.start[i - before]);
		if (header_parse((*out)[i], &name, &value) < 0)
			return fail(y, item, "header \"%s\" is not \"Name: value\"", (*out)[i]);
		if (!strcasecmp(name, "Host") || !strcasecmp(name, "Content-Length")) {
			free(value);
			fail(y, item, "header %s is set by the tool; do not list it", name);
			free(name);
			return -1;
		}
		free(name);
		free(value);
	}
	return 0;
}

static int check_placeholders(struct yctx *y, yaml_node_t *n, const char *s)
{
	char *bad = bad_placeholder(s);
	if (bad) {
		fail(y, n, "unknown placeholder %s", bad);
		free(bad);
		return -1;
	}
	return 0;
}

static int parse_versions(struct yctx *y, yaml_node_t *n, struct callback *cb)
{
	char **list = NULL;
	size_t count = 0;
	int ret = 0;
	if (string_list(y, n, "versions", &list, &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		char *dash = strchr(list[i], '-');
		struct version_range r;
		if (!dash) {
			r.from = xstrdup(list[i]);
			r.to = xstrdup(list[i]);
		} else {
			r.from = xstrndup(list[i], (size_t)(dash - list[i]));
			r.to = xstrdup(dash + 1);
		}
		if ((*r.from && !version_valid(r.from)) || (*r.to && !version_valid(r.to)) ||
		    (!*r.from && !*r.to)) {
			ret = fail(y, n, "versions: \"%s\" is not a range like 1.8.0-2.18.3 or 2.20.0-", list[i]);
			free(r.from);
			free(r.to);
		} else {
			cb->versions = xrealloc(cb->versions, (cb->nversions + 1) * sizeof(r));
			cb->versions[cb->nversions++] = r;
		}
		free(list[i]);
	}
	free(list);
	return ret;
}

static int parse_response(struct yctx *y, yaml_node_t *n, struct callback *cb)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail(y, n, "%s: expected a mapping", "response");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		const char *key = (const char *)k->data.scalar.value;
		if (k->type != YAML_SCALAR_NODE)
			return fail(y, k, "%s", "expected a key");
		if (!strcmp(key, "status")) {
			char *s = NULL, *end;
			long st;
			if (scalar(y, v, key, &s) < 0)
				return -1;
			st = strtol(s, &end, 10);
			if (*end || st < 100 || st > 599) {
				fail(y, v, "response status \"%s\" is not an HTTP status", s);
				free(s);
				return -1;
			}
			free(s);
			cb->resp_status = (int)st;
		} else if (!strcmp(key, "content_type")) {
			if (scalar(y, v, key, &cb->resp_ctype) < 0)
				return -1;
		} else if (!strcmp(key, "body")) {
			if (scalar(y, v, key, &cb->resp_body) < 0)
				return -1;
		} else {
			return fail(y, k, "unknown key \"%s\" in response", key);
		}
	}
	return 0;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
			return 0;
	return 1;
}

static int parse_callback(struct yctx *y, yaml_node_t *n, struct callback *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->line = (int)n->start_mark.line + 1;
	cb->trailing_slash = 1;
	cb->resp_status = 200;
	if (n->type != YAML_MAPPING_NODE)
		return fail(y, n, "%s", "a callback must be a mapping");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		const char *key;
		char **slot = NULL;
		if (k->type != YAML_SCALAR_NODE)
			return fail(y, k, "%s", "expected a key");
		key = (const char *)k->data.scalar.value;
		if (!strcmp(key, "name"))
			slot = &cb->name;
		else if (!strcmp(key, "title"))
			slot = &cb->title;
		else if (!strcmp(key, "plugin"))
			slot = &cb->plugin;
		else if (!strcmp(key, "sender"))
			slot = &cb->sender;
		else if (!strcmp(key, "method"))
			slot = &cb->method;
		else if (!strcmp(key, "wc_api"))
			slot = &cb->wc_api;
		else if (!strcmp(key, "path"))
			slot = &cb->path;
		else if (!strcmp(key, "query"))
			slot = &cb->query;
		else if (!strcmp(key, "body"))
			slot = &cb->body;
		else if (!strcmp(key, "notes"))
			slot = &cb->notes;
		if (slot) {
			if (scalar(y, v, key, slot) < 0)
				return -1;
			if (check_placeholders(y, v, *slot) < 0)
				return -1;
		} else if (!strcmp(key, "trailing_slash")) {
			char *s = NULL;
			if (scalar(y, v, key, &s) < 0)
				return -1;
			if (!strcmp(s, "true"))
				cb->trailing_slash = 1;
			else if (!strcmp(s, "false"))
				cb->trailing_slash = 0;
			else {
				fail(y, v, "trailing_slash: \"%s\" is not true or false", s);
				free(s);
				return -1;
			}
			free(s);
		} else if (!strcmp(key, "headers")) {
			if (header_list(y, v, key, &cb->headers, &cb->nheaders) < 0)
				return -1;
			for (size_t i = 0; i < cb->nheaders; i++)
				if (check_placeholders(y, v, cb->headers[i]) < 0)
					return -1;
		} else if (!strcmp(key, "versions")) {
			if (parse_versions(y, v, cb) < 0)
				return -1;
		} else if (!strcmp(key, "response")) {
			if (parse_response(y, v, cb) < 0)
				return -1;
		} else {
			return fail(y, k, "unknown key \"%s\" in callback", key);
		}
	}
	if (!cb->name)
		return fail(y, n, "%s", "callback without a name");
	if (!valid_name(cb->name))
		return fail(y, n, "callback name \"%s\" must be lowercase letters, digits and '-'", cb->name);
	if (!cb->method)
		return fail(y, n, "callback %s has no method", cb->name);
	for (const char *m = cb->method; *m; m++)
		if (!isupper((unsigned char)*m))
			return fail(y, n, "callback method \"%s\" must be an upper-case HTTP method", cb->method);
	if (!!cb->wc_api == !!cb->path)
		return fail(y, n, "callback %s needs exactly one of wc_api and path", cb->name);
	if (cb->path && cb->path[0] != '/')
		return fail(y, n, "path \"%s\" must start with /", cb->path);
	if (cb->path && strchr(cb->path, '?'))
		return fail(y, n, "path \"%s\" must not hold a query (use query:)", cb->path);
	if (cb->plugin && strcmp(cb->plugin, "kco") && strcmp(cb->plugin, "kp") &&
	    strcmp(cb->plugin, "kec") && strcmp(cb->plugin, "woocommerce"))
		return fail(y, n, "plugin \"%s\" is not one of kco, kp, kec, woocommerce", cb->plugin);
	if (cb->sender && strcmp(cb->sender, "klarna") && strcmp(cb->sender, "shop"))
		return fail(y, n, "sender \"%s\" is not klarna or shop", cb->sender);
	if (!cb->title)
		cb->title = xstrdup(cb->name);
	if (!cb->plugin)
		cb->plugin = xstrdup("kco");
	if (!cb->sender)
		cb->sender = xstrdup("klarna");
	if (!cb->resp_ctype)
		cb->resp_ctype = xstrdup("text/html; charset=UTF-8");
	if (!cb->resp_body)
		cb->resp_body = xstrdup("-1");
	if (cb->body)
		cb->body_len = strlen(cb->body);
	return 0;
}

static void callback_release(struct callback *cb)
{
	free(cb->name);
	free(cb->title);
	free(cb->plugin);
	free(cb->sender);
	free(cb->method);
	free(cb->notes);
	free(cb->wc_api);
	free(cb->path);
	free(cb->query);
	for (size_t i = 0; i < cb->nheaders; i++)
		free(cb->headers[i]);
	free(cb->headers);
	free(cb->body);
	free(cb->resp_ctype);
	free(cb->resp_body);
	for (size_t i = 0; i < cb->nversions; i++) {
		free(cb->versions[i].from);
		free(cb->versions[i].to);
	}
	free(cb->versions);
}

static int parse_root(struct yctx *y, yaml_node_t *root, struct catalog *c)
{
	int have_version = 0, have_callbacks = 0;
	if (!root || root->type != YAML_MAPPING_NODE)
		return fail(y, root, "%s", "a catalogue is a mapping with catalogue: 1 and callbacks:");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		const char *key;
		if (k->type != YAML_SCALAR_NODE)
			return fail(y, k, "%s", "expected a key");
		key = (const char *)k->data.scalar.value;
		if (!strcmp(key, "catalogue")) {
			char *s = NULL;
			if (scalar(y, v, key, &s) < 0)
				return -1;
			if (strcmp(s, "1")) {
				fail(y, v, "catalogue format \"%s\" is not supported (this tool reads 1)", s);
				free(s);
				return -1;
			}
			free(s);
			have_version = 1;
		} else if (!strcmp(key, "defaults")) {
			if (v->type != YAML_MAPPING_NODE)
				return fail(y, v, "%s: expected a mapping", key);
			for (yaml_node_pair_t *d = v->data.mapping.pairs.start; d < v->data.mapping.pairs.top; d++) {
				yaml_node_t *dk = yaml_document_get_node(y->doc, d->key);
				yaml_node_t *dv = yaml_document_get_node(y->doc, d->value);
				if (dk->type != YAML_SCALAR_NODE || strcmp((const char *)dk->data.scalar.value, "headers"))
					return fail(y, dk, "unknown key \"%s\" in defaults",
						    dk->type == YAML_SCALAR_NODE ? (const char *)dk->data.scalar.value : "?");
				if (header_list(y, dv, "headers", &c->default_headers, &c->ndefault) < 0)
					return -1;
				for (size_t i = 0; i < c->ndefault; i++)
					if (check_placeholders(y, dv, c->default_headers[i]) < 0)
						return -1;
			}
		} else if (!strcmp(key, "callbacks")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return fail(y, v, "%s: expected a list", key);
			have_callbacks = 1;
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				yaml_node_t *e = yaml_document_get_node(y->doc, *it);
				struct callback cb;
				if (parse_callback(y, e, &cb) < 0) {
					callback_release(&cb);
					return -1;
				}
				if (catalog_find(c, cb.name)) {
					fail(y, e, "duplicate callback name \"%s\"", cb.name);
					callback_release(&cb);
					return -1;
				}
				c->cbs = xrealloc(c->cbs, (c->n + 1) * sizeof(cb));
				c->cbs[c->n++] = cb;
			}
		} else {
			return fail(y, k, "unknown key \"%s\"", key);
		}
	}
	if (!have_version)
		return fail(y, root, "%s", "missing \"catalogue: 1\"");
	if (!have_callbacks || !c->n)
		return fail(y, root, "%s", "no callbacks");
	return 0;
}

int catalog_load(struct catalog *c, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	yaml_document_t doc;
	struct yctx y = { &doc, path, err };
	int ret;

	memset(c, 0, sizeof(*c));
	c->file = xstrdup(path);
	if (read_file(path, &text, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	if (yaml_load_strict(&doc, path, text.buf, text.len, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	ret = parse_root(&y, yaml_document_get_root_node(&doc), c);
	yaml_document_delete(&doc);
	strbuf_release(&text);
	return ret;
}

void catalog_release(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		callback_release(&c->cbs[i]);
	free(c->cbs);
	for (size_t i = 0; i < c->ndefault; i++)
		free(c->default_headers[i]);
	free(c->default_headers);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

const struct callback *catalog_find(const struct catalog *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->cbs[i].name, name))
			return &c->cbs[i];
	return NULL;
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
	return cb->wc_api ? URL_FORMS_WC : URL_FORM_BIT(FORM_FIXED);
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
	/* catalogue defaults, then the entry's own headers (same name wins),
	 * then the user's overrides ("Name:" with no value removes) */
	for (size_t i = 0; i < c->ndefault; i++)
		set_or_add(req, c->default_headers[i], p);
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

int catalog_select(const struct catalog *c, const char *const *names, size_t nnames,
		   const char *kco_version, unsigned forms,
		   struct selection **out, size_t *n, struct strbuf *err)
{
	size_t alloc = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < nnames; i++) {
		if (!catalog_find(c, names[i])) {
			strbuf_addf(err, "%s: no callback named \"%s\" (--list-callbacks shows them)",
				    c->file, names[i]);
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
		if (!wanted)
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
	if (!*n) {
		strbuf_addf(err, "%s: no callback left (check --callback, --kco-version, --url-form)",
			    c->file);
		return -1;
	}
	return 0;
}
