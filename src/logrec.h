/*
 * logrec: one transaction as a server's ModSecurity logs recorded it, the
 * streaming record model every log reader produces and `logs` consumes.
 *
 * Readers (auditlog_native.c, auditlog_json.c, errorlog_records.c, driven
 * by logread.c) fill a record and hand it to the consumer's `emit`, which
 * must not keep pointers into it: the reader releases it right after. So
 * memory is one record at a time (plus the error-log reader's short window
 * of open transactions), whatever the size of the log.
 *
 * What a record knows depends on its source:
 *   native audit log  parts A (time, addresses), B (request line, headers),
 *                     C (body), F (status), H (messages), Z (end)
 *   JSON audit log    all of that in one line
 *   error log         the rule lines only: ids, messages, status, client,
 *                     and the path (Apache) or request line (nginx)
 * `full` says the request was recorded whole (B and C, or the JSON
 * record's headers and body): only such a record can be replayed.
 */
#ifndef MCA_LOGREC_H
#define MCA_LOGREC_H

#include <stddef.h>
#include "request.h"
#include "util/strbuf.h"

enum logkind { LOG_NATIVE, LOG_JSON, LOG_ERRORLOG, LOG_INDEX };
const char *logkind_name(enum logkind k);

struct logmsg {
	long id;		/* 0 when the message names none */
	char *msg;
	int disruptive;		/* "Access denied ..." (or, in JSON, judged so) */
};

struct logrec {
	enum logkind kind;
	const char *file;	/* where the record starts */
	long line;
	char *unique_id;	/* NULL when unknown */
	long long time;		/* seconds since the epoch, 0 = unknown */
	struct request req;	/* method, uri, version, headers, body, client_ip */
	int have_method;	/* req.method and req.uri are the logged ones */
	int have_uri;		/* (request_init's defaults otherwise) */
	int have_headers;	/* the request headers were recorded */
	int full;		/* headers and body recorded: replayable */
	int status;		/* the answer's status, 0 = unknown */
	int intercepted;	/* ModSecurity disrupted it (a deny, a drop, ...) */
	int engine;		/* 2 (mod_security2), 3 (libmodsecurity), 0 unknown */
	struct logmsg *msgs;
	size_t nmsgs, amsgs;
};

void logrec_init(struct logrec *r, enum logkind kind, const char *file, long line);
void logrec_release(struct logrec *r);
void logrec_add_msg(struct logrec *r, long id, const char *msg, int disruptive);
/* Add the rule line `text` ("ModSecurity: Warning. ... [id "N"] ...", v2 or
 * v3 shape) as a message; 0 when it was one. */
int logrec_add_line(struct logrec *r, const char *text);
/* The logged request line "POST /x?y HTTP/1.1" (part B's first line, the
 * JSON request_line, the Concurrent index's): method, URI, version. */
void logrec_request_line(struct logrec *r, const char *line);

/* Where the readers report to. `wanted` (optional) sees the method and URI
 * as soon as they are known: 0 lets a reader skip the rest of the
 * record's detail (the record is still emitted, with what is known). */
struct logsink {
	void *ctx;
	int (*wanted)(void *ctx, const char *method, const char *uri);
	void (*emit)(void *ctx, struct logrec *r);
	/* a record cut off (rotation, a crash) or otherwise unusable: skipped */
	void (*skipped)(void *ctx, const char *file, long line, const char *why);
};

/* Times as the logs write them, to seconds since the epoch (-1 when not a
 * time). A time without a zone is the local time of this machine. */
long long logtime_apache(const char *s);	/* "29/Nov/2026:20:20:48.694941 +0000" */
long long logtime_ctime(const char *s);		/* "Sun Nov 29 20:21:03[.123456] 2026" */
long long logtime_nginx(const char *s);		/* "2026/11/29 20:21:03" */
long long logtime_iso(const char *s);		/* "2026-11-29[ T]20:21[:03][Z]", for --since */
/* a line's leading "2026-11-29[ T]20:21:03[.123456][Z|+01:00|+0100]":
 * Apache's ErrorLogFormat %{cu}t / %{c}t, rsyslog's RFC 3339 stamps */
long long logtime_stamp(const char *s);
/* a syslog line's leading "Nov 29 20:21:03" (no year: the one that puts
 * it at most a day after `now`) */
long long logtime_syslog(const char *s, long long now);

#endif
