#include "request.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void request_init(struct request *r)
{
	memset(r, 0, sizeof(*r));
	r->method = xstrdup("GET");
	r->uri = xstrdup("/");
	r->version = xstrdup("1.1");
	r->client_ip = xstrdup("127.0.0.1");
	r->client_port = 40000;
	r->server_ip = xstrdup("127.0.0.1");
	r->server_port = 80;
}

static void headers_free(struct header *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

void request_release(struct request *r)
{
	free(r->method);
	free(r->uri);
	free(r->version);
	headers_free(r->headers, r->nheaders);
	free(r->body);
	free(r->client_ip);
	free(r->server_ip);
	memset(r, 0, sizeof(*r));
}

void request_copy(struct request *dst, const struct request *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->method = xstrdup(src->method);
	dst->uri = xstrdup(src->uri);
	dst->version = xstrdup(src->version);
	for (size_t i = 0; i < src->nheaders; i++)
		request_add_header(dst, src->headers[i].name, src->headers[i].value);
	if (src->body) {
		dst->body = xmalloc(src->body_len + 1);
		memcpy(dst->body, src->body, src->body_len);
		dst->body[src->body_len] = '\0';
		dst->body_len = src->body_len;
	}
	dst->client_ip = xstrdup(src->client_ip);
	dst->client_port = src->client_port;
	dst->server_ip = xstrdup(src->server_ip);
	dst->server_port = src->server_port;
}

void request_add_header(struct request *r, const char *name, const char *value)
{
	ARRAY_PUSH(r->headers, r->nheaders, r->aheaders);
	r->headers[r->nheaders].name = xstrdup(name);
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}

void request_set_header(struct request *r, const char *name, const char *value)
{
	int found = 0;
	for (size_t i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name))
			continue;
		free(r->headers[i].value);
		r->headers[i].value = xstrdup(value);
		found = 1;
	}
	if (!found)
		request_add_header(r, name, value);
}

const char *request_header(const struct request *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

void request_remove_header(struct request *r, const char *name)
{
	size_t j = 0;
	for (size_t i = 0; i < r->nheaders; i++) {
		if (!strcasecmp(r->headers[i].name, name)) {
			free(r->headers[i].name);
			free(r->headers[i].value);
			continue;
		}
		r->headers[j++] = r->headers[i];
	}
	r->nheaders = j;
}

void request_set_body(struct request *r, char *body, size_t len)
{
	free(r->body);
	r->body = body;
	r->body_len = len;
}

char *request_path(const struct request *r)
{
	size_t n = strcspn(r->uri, "?");
	return xstrndup(r->uri, n);
}

void request_to_wire(const struct request *r, struct strbuf *out)
{
	strbuf_addf(out, "%s %s HTTP/%s\r\n", r->method, r->uri, r->version);
	for (size_t i = 0; i < r->nheaders; i++)
		strbuf_addf(out, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
	strbuf_addstr(out, "\r\n");
	if (r->body_len)
		strbuf_add(out, r->body, r->body_len);
}

void response_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
}

void response_release(struct response *r)
{
	headers_free(r->headers, r->nheaders);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void response_add_header(struct response *r, const char *name, const char *value)
{
	ARRAY_PUSH(r->headers, r->nheaders, r->aheaders);
	r->headers[r->nheaders].name = xstrdup(name);
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}

int header_parse(const char *line, char **name, char **value)
{
	const char *colon = strchr(line, ':');
	const char *v;
	size_t nlen;

	if (!colon)
		return -1;
	nlen = (size_t)(colon - line);
	while (nlen && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t'))
		nlen--;
	if (!nlen)
		return -1;
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	*name = xstrndup(line, nlen);
	*value = xstrdup(v);
	return 0;
}
