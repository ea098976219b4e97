#include "attack.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sqli[] = "1' UNION SELECT user_pass FROM wp_users-- -";
static const char xss[] = "<script>alert(document.cookie)</script>";

static void urlencode(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c))
			strbuf_addch(out, (char)c);
		else
			strbuf_addf(out, "%%%02X", c);
	}
}

/* `s` with the first `from` replaced by `to`; NULL when absent. */
static char *replace_first(const char *s, size_t len, const char *from, const char *to)
{
	const char *p = memmem(s, len, from, strlen(from));
	struct strbuf sb = STRBUF_INIT;
	if (!p || !*from)
		return NULL;
	strbuf_add(&sb, s, (size_t)(p - s));
	strbuf_addstr(&sb, to);
	strbuf_add(&sb, p + strlen(from), len - (size_t)(p - s) - strlen(from));
	return strbuf_detach(&sb, NULL);
}

static void fix_length(struct request *r)
{
	char cl[32];
	if (!r->body_len && strcmp(r->method, "POST")) {
		request_remove_header(r, "Content-Length");
		return;
	}
	snprintf(cl, sizeof(cl), "%zu", r->body_len);
	request_set_header(r, "Content-Length", cl);
}

struct list {
	struct attack *v;
	size_t n, alloc;
};

static struct attack *push(struct list *l, const char *name, const struct callback *cb,
			   const struct request *base, const struct response *resp)
{
	struct attack *a;
	ARRAY_PUSH(l->v, l->n, l->alloc);
	a = &l->v[l->n++];
	a->name = xstrdup(name);
	a->cb = cb;
	request_copy(&a->req, base);
	response_init(&a->resp);
	a->resp.status = resp ? resp->status : 200;
	a->resp.body = xstrdup("-1");
	a->resp.body_len = 2;
	return a;
}

/* A GET of `uri` with the base request's identity headers. */
static void elsewhere(struct list *l, const char *name, const struct request *base,
		      const char *uri)
{
	struct attack *a = push(l, name, NULL, base, NULL);
	free(a->req.method);
	a->req.method = xstrdup("GET");
	free(a->req.uri);
	a->req.uri = xstrdup(uri);
	request_set_body(&a->req, NULL, 0);
	request_remove_header(&a->req, "Content-Type");
	fix_length(&a->req);
}

/* The WooCommerce order id the catalogue's requests carry (no option
 * changes it: build_params_defaults() is what the audit builds with). */
static const char *wc_order_id(void)
{
	struct build_params p;
	build_params_defaults(&p);
	return p.wc_order_id;
}

static void per_case(struct list *l, const struct attack_case *c, const char *order_id)
{
	static const struct { const char *what; const char *payload; } pl[] = {
		{ "sqli", sqli }, { "xss", xss },
	};
	for (size_t k = 0; k < 2; k++) {
		struct strbuf enc = STRBUF_INIT, name = STRBUF_INIT;
		char *uri;
		urlencode(&enc, pl[k].payload);
		/* in the query: the order id, or one more argument */
		uri = replace_first(c->req->uri, strlen(c->req->uri), order_id, enc.buf);
		if (!uri)
			uri = xasprintf("%s%cklarna_order_id=%s", c->req->uri,
					strchr(c->req->uri, '?') ? '&' : '?', enc.buf);
		strbuf_addf(&name, "%s in the order id (query) %s [%s]", pl[k].what, c->cb->name,
			    url_form_name(c->form));
		{
			struct attack *a = push(l, name.buf, c->cb, c->req, c->resp);
			free(a->req.uri);
			a->req.uri = uri;
		}
		/* in the body, where the order id stands: Klarna's, or for the
		 * other providers (Stripe's metadata, PayPal's custom_id and
		 * IPN custom, Mollie's query) the WooCommerce order id */
		if (c->req->body_len) {
			char *body = replace_first(c->req->body, c->req->body_len, order_id, pl[k].payload);
			if (!body)
				body = replace_first(c->req->body, c->req->body_len, wc_order_id(), pl[k].payload);
			if (body) {
				struct attack *a;
				strbuf_reset(&name);
				strbuf_addf(&name, "%s in the order id (body) %s [%s]", pl[k].what,
					    c->cb->name, url_form_name(c->form));
				a = push(l, name.buf, c->cb, c->req, c->resp);
				request_set_body(&a->req, body, strlen(body));
				fix_length(&a->req);
			}
		}
		strbuf_release(&enc);
		strbuf_release(&name);
	}
}

static int seen(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

size_t attacks_build(const struct attack_case *cases, size_t n, const char *order_id,
		     struct attack **out)
{
	struct list l = { NULL, 0, 0 };
	char **queries = NULL, **apis = NULL;
	size_t nq = 0, na = 0;

	for (size_t i = 0; i < n; i++) {
		const struct attack_case *c = &cases[i];
		const char *q = strchr(c->req->uri, '?');
		per_case(&l, c, order_id);
		/* the callback's own query elsewhere: session fixation etc. */
		if (q && c->form != FORM_QUERY && !seen(queries, nq, q)) {
			char *uri = xasprintf("/wp-login.php%s", q);
			char *name = xasprintf("%s's query on /wp-login.php", c->cb->name);
			queries = xrealloc(queries, (nq + 1) * sizeof(char *));
			queries[nq++] = xstrdup(q);
			elsewhere(&l, name, c->req, uri);
			free(uri);
			free(name);
		}
		/* path confusion on wc-api paths, with the query and with SQLi */
		if (c->cb->wc_api && c->form == FORM_PATH && !seen(apis, na, c->cb->wc_api)) {
			struct strbuf enc = STRBUF_INIT;
			char *uri, *name;
			apis = xrealloc(apis, (na + 1) * sizeof(char *));
			apis[na++] = xstrdup(c->cb->wc_api);
			uri = xasprintf("/wc-api/%s/%%3f/../../wp-login.php%s", c->cb->wc_api, q ? q : "");
			name = xasprintf("path confusion /wc-api/%s/%%3f/../../wp-login.php", c->cb->wc_api);
			elsewhere(&l, name, c->req, uri);
			free(uri);
			free(name);
			urlencode(&enc, sqli);
			uri = xasprintf("/wc-api/%s/%%3f/../../wp-login.php?log=%s", c->cb->wc_api, enc.buf);
			name = xasprintf("sqli via path confusion /wc-api/%s/%%3f/../../wp-login.php", c->cb->wc_api);
			elsewhere(&l, name, c->req, uri);
			free(uri);
			free(name);
			strbuf_release(&enc);
		}
	}
	if (n) {
		struct strbuf enc = STRBUF_INIT;
		char *uri;
		urlencode(&enc, sqli);
		uri = xasprintf("/wp-login.php?log=%s", enc.buf);
		elsewhere(&l, "sqli on /wp-login.php", cases[0].req, uri);
		free(uri);
		strbuf_reset(&enc);
		urlencode(&enc, xss);
		uri = xasprintf("/?s=%s", enc.buf);
		elsewhere(&l, "xss on /?s=", cases[0].req, uri);
		free(uri);
		strbuf_release(&enc);
	}
	for (size_t i = 0; i < nq; i++)
		free(queries[i]);
	free(queries);
	for (size_t i = 0; i < na; i++)
		free(apis[i]);
	free(apis);
	*out = l.v;
	return l.n;
}

void attacks_free(struct attack *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].name);
		request_release(&a[i].req);
		response_release(&a[i].resp);
	}
	free(a);
}
