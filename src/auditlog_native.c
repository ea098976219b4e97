/*
 * The native audit log: ModSecurity 2's Serial log, one Concurrent
 * per-transaction file, libmodsecurity 3's native Serial log. A record is
 *   --ID-A--  [time] unique_id client_ip client_port server_ip server_port
 *   --ID-B--  request line, headers, an empty line
 *   --ID-C--  the request body (its lines; written with a final "\n")
 *   --ID-F--  status line, response headers
 *   --ID-H--  "Message: ..." lines (v2), "Action: Intercepted ..." (v2),
 *             "Producer: ModSecurity for Apache/2.9.7 ..."; libmodsecurity
 *             3 writes its error-log lines ("ModSecurity: Warning. ...")
 *             and boundaries with more dashes ("---4GGsKTdf---A--")
 *   --ID-Z--  the end
 * Other parts (E, I, J, K, ...) are skipped. A boundary only counts with
 * the open record's ID, so a body line that looks like one stays body.
 */
#include "logread.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int native_boundary(const char *line, size_t len, char *id, char *part)
{
	size_t i = 0, s;
	if (len && line[len - 1] == '\r')
		len--;	/* CRLF: a log copied through Windows */
	/* "--" ID "-" X "--", libmodsecurity 3 may write more dashes */
	if (len < 8 || line[0] != '-' || line[1] != '-')
		return 0;
	while (i < len && line[i] == '-')
		i++;
	s = i;
	while (i < len && isalnum((unsigned char)line[i]))
		i++;
	if (i == s || i - s >= 64 || i >= len || line[i] != '-')
		return 0;
	memcpy(id, line + s, i - s);
	id[i - s] = '\0';
	while (i < len && line[i] == '-')
		i++;
	if (i + 3 != len || !isupper((unsigned char)line[i]) || line[i + 1] != '-' || line[i + 2] != '-')
		return 0;
	*part = line[i];
	return 1;
}

void native_begin(struct native_reader *nr, const char *file, const struct logsink *sink)
{
	memset(nr, 0, sizeof(*nr));
	nr->sink = sink;
	nr->file = file;
	nr->kind = LOG_NATIVE;
	strbuf_init(&nr->body, 0);
}

static void drop(struct native_reader *nr)
{
	if (nr->open)
		logrec_release(&nr->rec);
	nr->open = 0;
	strbuf_reset(&nr->body);
}

static void finish(struct native_reader *nr)
{
	struct logrec *r = &nr->rec;
	/* no part C: the request had no body (a GET), unless it says it had */
	if (r->have_headers && !r->full) {
		const char *cl = request_header(&r->req, "Content-Length");
		r->full = !request_header(&r->req, "Transfer-Encoding") && (!cl || !strtol(cl, NULL, 10));
	}
	if (nr->detail && r->have_headers) {
		char *b = xmalloc(nr->body.len + 1);
		memcpy(b, nr->body.buf, nr->body.len);
		b[nr->body.len] = '\0';
		request_set_body(&r->req, b, nr->body.len);
	}
	nr->sink->emit(nr->sink->ctx, r);
	nr->records++;
	drop(nr);
}

static void part_a(struct native_reader *nr, const char *line)
{
	struct logrec *r = &nr->rec;
	const char *p = line, *e;
	char ip[64];
	if (*p == '[') {
		r->time = logtime_apache(p + 1);
		if (r->time < 0)
			r->time = logtime_ctime(p + 1);	/* libmodsecurity 3: ctime-like */
		if (r->time < 0)
			r->time = 0;
		e = strchr(p, ']');
		p = e ? e + 1 : p + strlen(p);
	}
	while (*p == ' ')
		p++;
	e = strchr(p, ' ');
	if (!e)
		return;
	r->unique_id = xstrndup(p, (size_t)(e - p));
	if (sscanf(e + 1, "%63s", ip) == 1) {
		free(r->req.client_ip);
		r->req.client_ip = xstrdup(ip);
	}
}

/* "POST /x?y HTTP/1.1" */
static void request_line(struct logrec *r, const char *line)
{
	const char *sp1 = strchr(line, ' '), *sp2;
	if (!sp1)
		return;
	sp2 = strrchr(line, ' ');
	free(r->req.method);
	r->req.method = xstrndup(line, (size_t)(sp1 - line));
	free(r->req.uri);
	if (sp2 > sp1 && !strncmp(sp2 + 1, "HTTP/", 5)) {
		r->req.uri = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
		free(r->req.version);
		r->req.version = xstrdup(sp2 + 6);
	} else {
		r->req.uri = xstrdup(sp1 + 1);
	}
	r->have_method = r->have_uri = 1;
}

static void part_b(struct native_reader *nr, const char *line, size_t len)
{
	struct logrec *r = &nr->rec;
	if (nr->part_lines == 1) {
		request_line(r, line);
		nr->in_headers = 1;
		nr->detail = !nr->sink->wanted ||
			     nr->sink->wanted(nr->sink->ctx, r->req.method, r->req.uri);
		return;
	}
	if (!nr->in_headers)
		return;
	if (!len || (len == 1 && line[0] == '\r')) {
		nr->in_headers = 0;
		return;
	}
	if (nr->detail) {
		char *n, *v;
		if (header_parse(line, &n, &v) == 0) {
			size_t vl = strlen(v);
			if (vl && v[vl - 1] == '\r')
				v[vl - 1] = '\0';
			request_add_header(&r->req, n, v);
			free(n);
			free(v);
		}
		r->have_headers = 1;
	}
}

static void part_h(struct native_reader *nr, const char *line)
{
	struct logrec *r = &nr->rec;
	if (!strncmp(line, "Message: ", 9)) {
		if (nr->detail) {
			char *t = xasprintf("ModSecurity: %s", line + 9);
			if (logrec_add_line(r, t) < 0)
				logrec_add_msg(r, 0, line + 9, !strncmp(line + 9, "Access denied", 13));
			free(t);
		} else if (!strncmp(line + 9, "Access denied", 13)) {
			r->intercepted = 1;
		}
	} else if (!strncmp(line, "ModSecurity: ", 13)) {
		/* libmodsecurity 3's native part H: its log lines */
		if (nr->detail)
			logrec_add_line(r, line);
		else if (!strncmp(line + 13, "Access denied", 13))
			r->intercepted = 1;
	} else if (!strncmp(line, "Action: Intercepted", 19)) {
		r->intercepted = 1;
	} else if (!strncmp(line, "Producer: ", 10)) {
		r->engine = strstr(line, "ModSecurity for ") ? 2 : 3;
	}
}

void native_line(struct native_reader *nr, const char *line, size_t len, long lineno)
{
	char id[64], part, *own = NULL;
	if (native_boundary(line, len, id, &part) && (!nr->open || !strcmp(id, nr->id) || part == 'A')) {
		if (part == 'A') {
			/* the servers write LF; a record whose lines end in
			 * CRLF went through Windows (an admin's copy, a
			 * mail attachment): its CRs are not the request's */
			nr->crlf = len && line[len - 1] == '\r';
			if (nr->open) {
				nr->sink->skipped(nr->sink->ctx, nr->file, nr->rec.line,
						  "record cut off (no Z part before the next record)");
				drop(nr);
			}
			nr->skipping = 0;
			logrec_init(&nr->rec, nr->kind, nr->file, lineno);
			nr->open = 1;
			nr->detail = 1;
			memcpy(nr->id, id, sizeof(id));
		} else if (!nr->open) {
			/* the file starts inside a record (rotation) */
			if (!nr->skipping)
				nr->sink->skipped(nr->sink->ctx, nr->file, lineno,
						  "record cut off (its start is not in this file)");
			nr->skipping = 1;
			return;
		} else if (part == 'Z') {
			finish(nr);
			return;
		}
		nr->part = part;
		nr->part_lines = 0;
		return;
	}
	if (!nr->open) {
		if (!nr->skipping && lineno == 1) {
			nr->sink->skipped(nr->sink->ctx, nr->file, lineno,
					  "record cut off (its start is not in this file)");
			nr->skipping = 1;
		}
		return;
	}
	nr->part_lines++;
	if (nr->crlf && len && line[len - 1] == '\r') {
		own = xstrndup(line, --len);
		line = own;
	}
	switch (nr->part) {
	case 'A':
		if (nr->part_lines == 1)
			part_a(nr, line);
		break;
	case 'B':
		part_b(nr, line, len);
		break;
	case 'C':
	case 'I':
		if (nr->part == 'I' && nr->rec.full)
			break;	/* C was there */
		if (!nr->detail)
			break;
		if (nr->part_lines > 1)
			strbuf_addch(&nr->body, '\n');
		strbuf_add(&nr->body, line, len);
		nr->rec.full = nr->rec.have_headers;
		break;
	case 'F':
		if (nr->part_lines == 1 && !strncmp(line, "HTTP/", 5)) {
			const char *sp = strchr(line, ' ');
			if (sp)
				nr->rec.status = atoi(sp + 1);
		}
		break;
	case 'H':
		part_h(nr, line);
		break;
	default:
		break;
	}
	free(own);
}

void native_end(struct native_reader *nr, long lineno)
{
	(void)lineno;
	if (nr->open)
		nr->sink->skipped(nr->sink->ctx, nr->file, nr->rec.line,
				  "record cut off (the file ends inside it)");
	drop(nr);
	strbuf_release(&nr->body);
}
