#include "txmemo.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	char *key;
	size_t len;
	unsigned long long hash;
	struct txresult r;
};

struct txmemo {
	struct entry *v;
	size_t n, alloc;
};

unsigned long long txmemo_hash(unsigned long long h, const void *p, size_t len)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

/* Each field with its length first, so no two requests share a key. */
static void field(struct strbuf *sb, const char *s, size_t len)
{
	strbuf_addf(sb, "%zu:", s ? len : (size_t)-1);
	if (s)
		strbuf_add(sb, s, len);
}

static void str(struct strbuf *sb, const char *s)
{
	field(sb, s, s ? strlen(s) : 0);
}

static void headers(struct strbuf *sb, const struct header *h, size_t n)
{
	strbuf_addf(sb, "h%zu:", n);
	for (size_t i = 0; i < n; i++) {
		str(sb, h[i].name);
		str(sb, h[i].value);
	}
}

char *txmemo_key(const char *config, const struct request *req, const struct response *resp,
		 size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	str(&sb, config);
	str(&sb, req->method);
	str(&sb, req->uri);
	str(&sb, req->version);
	headers(&sb, req->headers, req->nheaders);
	field(&sb, req->body, req->body_len);
	str(&sb, req->client_ip);
	strbuf_addf(&sb, "%d:", req->client_port);
	str(&sb, req->server_ip);
	strbuf_addf(&sb, "%d:", req->server_port);
	if (resp) {
		strbuf_addf(&sb, "r%d:", resp->status);
		headers(&sb, resp->headers, resp->nheaders);
		field(&sb, resp->body, resp->body_len);
	} else {
		strbuf_addstr(&sb, "-");
	}
	*len = sb.len;
	return strbuf_detach(&sb, NULL);
}

struct txmemo *txmemo_new(void)
{
	return xcalloc(1, sizeof(struct txmemo));
}

void txmemo_free(struct txmemo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].key);
		txresult_release(&m->v[i].r);
	}
	free(m->v);
	free(m);
}

static struct entry *find(struct txmemo *m, const char *key, size_t len, unsigned long long h)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].hash == h && m->v[i].len == len && !memcmp(m->v[i].key, key, len))
			return &m->v[i];
	return NULL;
}

int txmemo_get(struct txmemo *m, const char *key, size_t len, struct txresult *out)
{
	struct entry *e = find(m, key, len, txmemo_hash(TXMEMO_SEED, key, len));
	if (!e)
		return 0;
	txresult_copy(out, &e->r);
	return 1;
}

void txmemo_put(struct txmemo *m, const char *key, size_t len, const struct txresult *r)
{
	unsigned long long h = txmemo_hash(TXMEMO_SEED, key, len);
	struct entry *e;
	if (find(m, key, len, h))
		return;
	ARRAY_PUSH(m->v, m->n, m->alloc);
	e = &m->v[m->n++];
	e->key = xmalloc(len + 1);
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->len = len;
	e->hash = h;
	txresult_copy(&e->r, r);
}

void txresult_copy(struct txresult *dst, const struct txresult *src)
{
	*dst = *src;
	dst->lines = xcalloc(src->nlines ? src->nlines : 1, sizeof(char *));
	dst->alines = src->nlines ? src->nlines : 1;
	for (size_t i = 0; i < src->nlines; i++)
		dst->lines[i] = xstrdup(src->lines[i]);
	dst->intervention_log = src->intervention_log ? xstrdup(src->intervention_log) : NULL;
	dst->redirect_url = src->redirect_url ? xstrdup(src->redirect_url) : NULL;
}
