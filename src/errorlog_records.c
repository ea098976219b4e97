/*
 * Error logs as records: the ModSecurity lines of Apache + mod_security2
 *   [Sun Nov 29 20:21:09.054685 2026] [security2:error] [pid 1:tid 2]
 *   [client 127.0.0.1:57920] [client 127.0.0.1] ModSecurity: Access denied
 *   with code 403 (phase 2). ... [uri "/"] [unique_id "awyJ..."]
 * and of nginx + ModSecurity-nginx
 *   2026/11/29 20:21:03 [error] 26261#26261: *7 [client 127.0.0.1]
 *   ModSecurity: Access denied ... [uri "/"] [unique_id "1795..."], client:
 *   127.0.0.1, server: shop.example.com, request: "GET /?id=1 HTTP/1.1", ...
 * grouped into one record per unique_id. Lines of concurrent requests
 * interleave, so a short window of open transactions is kept: a
 * transaction is emitted when it leaves the window (the oldest goes first)
 * or at the end of the file. Other lines (the server's own) are ignored.
 *
 * What an error log cannot tell: the headers and the body (no replay, no
 * User-Agent), and, on Apache, the method and the query string ([uri] is
 * the path): such records match callbacks by path alone.
 */
#include "errorlog.h"
#include "logread.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WINDOW 64

struct open_tx {
	struct logrec rec;
	unsigned long long touched;
};

struct errorlog_reader {
	const struct logsink *sink;
	const char *file;
	struct open_tx tx[WINDOW];
	size_t n;
	unsigned long long clock;
};

/* "dddd/dd/dd dd:dd:dd"-like: `shape` with d for a digit */
static int shaped(const char *l, const char *shape)
{
	for (; *shape; shape++, l++)
		if (*shape == 'd' ? !isdigit((unsigned char)*l) : *l != *shape)
			return 0;
	return 1;
}

/* "[module:level]", Apache's %-m:%l field ("[:error]" for the core) */
static int module_level(const char *l)
{
	const char *p = l + 1;
	if (*l != '[')
		return 0;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (*p++ != ':' || !islower((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p))
		p++;
	return *p == ']';
}

/* "Nov 29 20:21:03 " (syslog, rsyslog's traditional format) */
static int syslog_stamp(const char *l)
{
	return isupper((unsigned char)l[0]) && islower((unsigned char)l[1]) && islower((unsigned char)l[2]) &&
	       l[3] == ' ' && (l[4] == ' ' || isdigit((unsigned char)l[4])) && isdigit((unsigned char)l[5]) &&
	       shaped(l + 6, " dd:dd:dd ");
}

int errorlog_line_shape(const char *l)
{
	/* Apache's default and %{u}t: "[Sun Nov 29 ..." */
	if (l[0] == '[' && isupper((unsigned char)l[1]) && islower((unsigned char)l[2]) &&
	    islower((unsigned char)l[3]) && l[4] == ' ')
		return 1;
	/* Apache's ErrorLogFormat with %{cu}t or %{c}t: "[2026-11-29 20:21:03" */
	if (l[0] == '[' && shaped(l + 1, "dddd-dd-dd dd:dd:dd"))
		return 1;
	/* an ErrorLogFormat without a time (a logger adds its own) */
	if (module_level(l))
		return 1;
	/* nginx: "2026/11/29 20:21:03 [" */
	if (shaped(l, "dddd/dd/dd dd:dd:dd ["))
		return 1;
	/* syslog: "Nov 29 20:21:03 host ...", "2026-11-29T20:21:03.123+01:00 host ...";
	 * an ErrorLogFormat starting "%{cu}t " without brackets */
	if (syslog_stamp(l) || shaped(l, "dddd-dd-ddTdd:dd:dd") || shaped(l, "dddd-dd-dd dd:dd:dd"))
		return 1;
	/* any other prefix before a ModSecurity rule line */
	{
		const char *ms = strstr(l, "ModSecurity: ");
		return ms && strstr(ms, "[id \"") != NULL;
	}
}

/* The line's time, whatever the prefix above; 0 when it has none. */
static long long line_time(const char *l)
{
	long long t = -1;
	if (l[0] == '[')
		t = isdigit((unsigned char)l[1]) ? logtime_stamp(l + 1) : logtime_ctime(l + 1);
	else if (shaped(l, "dddd/dd/dd"))
		t = logtime_nginx(l);
	else if (shaped(l, "dddd-dd-dd"))
		t = logtime_stamp(l);
	else if (syslog_stamp(l))
		t = logtime_syslog(l, (long long)time(NULL));
	return t < 0 ? 0 : t;
}

struct errorlog_reader *errorlog_reader_new(const char *file, const struct logsink *sink)
{
	struct errorlog_reader *er = xcalloc(1, sizeof(*er));
	er->sink = sink;
	er->file = file;
	return er;
}

static void emit_at(struct errorlog_reader *er, size_t i)
{
	er->sink->emit(er->sink->ctx, &er->tx[i].rec);
	logrec_release(&er->tx[i].rec);
	er->tx[i] = er->tx[--er->n];
}

/* The client address ModSecurity names: the last "[client X]" before its
 * text (Apache writes its own "[client X:port]" first). */
static char *client_of(const char *line, const char *ms)
{
	const char *p = line, *hit = NULL, *e;
	while ((p = strstr(p, "[client ")) != NULL && p < ms)
		hit = p++;
	if (!hit)
		return NULL;
	e = strchr(hit + 8, ']');
	return e && e < ms ? xstrndup(hit + 8, (size_t)(e - hit - 8)) : NULL;
}

/* nginx's ", request: \"GET /x HTTP/1.1\"" at the end of the line */
static void nginx_request(struct logrec *r, const char *line)
{
	const char *p = line, *hit = NULL, *e;
	while ((p = strstr(p, ", request: \"")) != NULL)
		hit = p++;
	if (!hit)
		return;
	hit += 12;
	e = strstr(hit, " HTTP/");
	if (!e)
		return;
	{
		const char *sp = memchr(hit, ' ', (size_t)(e - hit));
		if (!sp)
			return;
		free(r->req.method);
		r->req.method = xstrndup(hit, (size_t)(sp - hit));
		free(r->req.uri);
		r->req.uri = xstrndup(sp + 1, (size_t)(e - sp - 1));
		r->have_method = r->have_uri = 1;
	}
}

void errorlog_reader_line(struct errorlog_reader *er, const char *line, long lineno)
{
	const char *ms = strstr(line, "ModSecurity: ");
	char *uid;
	struct logrec *r = NULL;
	size_t i;

	if (!ms || !strstr(ms, "[id \""))
		return;
	uid = errorlog_field(ms, "unique_id");
	for (i = 0; uid && i < er->n; i++)
		if (er->tx[i].rec.unique_id && !strcmp(er->tx[i].rec.unique_id, uid)) {
			r = &er->tx[i].rec;
			break;
		}
	if (!r) {
		if (er->n == WINDOW) {
			size_t old = 0;
			for (size_t k = 1; k < er->n; k++)
				if (er->tx[k].touched < er->tx[old].touched)
					old = k;
			emit_at(er, old);
		}
		i = er->n++;
		r = &er->tx[i].rec;
		logrec_init(r, LOG_ERRORLOG, er->file, lineno);
		r->unique_id = uid;
		uid = NULL;
		r->time = line_time(line);
		{
			char *ip = client_of(line, ms);
			if (ip) {
				free(r->req.client_ip);
				r->req.client_ip = ip;
			}
		}
		/* nginx's lines end with ", client: ..., request: ...";
		 * ErrorLogFormat may leave Apache's module name out */
		r->engine = strstr(line, "[security2:") || !strstr(ms, ", client: ") ? 2 : 3;
	}
	free(uid);
	er->tx[i].touched = ++er->clock;
	if (!r->have_uri) {
		nginx_request(r, line);
		if (!r->have_uri) {
			char *u = errorlog_field(ms, "uri");
			if (u) {
				free(r->req.uri);
				r->req.uri = u;
				r->have_uri = 1;
			}
		}
		if (r->have_uri && er->sink->wanted)
			er->sink->wanted(er->sink->ctx, r->req.method, r->req.uri);
	}
	logrec_add_line(r, ms);
	/* a line without a unique_id is a transaction of its own */
	if (!r->unique_id)
		emit_at(er, i);
}

void errorlog_reader_end(struct errorlog_reader *er)
{
	/* oldest first, so records come out roughly in time order */
	while (er->n) {
		size_t old = 0;
		for (size_t k = 1; k < er->n; k++)
			if (er->tx[k].touched < er->tx[old].touched)
				old = k;
		emit_at(er, old);
	}
	free(er);
}
