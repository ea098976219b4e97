/*
 * errorlog: the web server's error log, read while probing, to find the
 * ModSecurity lines each probe caused (as go-ftw reads its server's log).
 *
 * Before a request errorlog_mark() notes where the log ends; after the
 * answer errorlog_collect() waits until the log has been quiet for
 * `settle_ms` (servers write some lines, e.g. ModSecurity 2's phase 5,
 * after answering), reads what was appended and keeps the ModSecurity
 * lines of that request:
 *   1. lines whose [unique_id] is the request's marker (nginx with
 *      `modsecurity_transaction_id` taken from the marker header);
 *   2. otherwise lines whose [uri] is the request's path, grouped by
 *      [unique_id]: one group is the request (correlated "by uri"); more
 *      than one means other traffic hit the same path ("ambiguous", the
 *      first group is taken).
 * Both ModSecurity 3 (nginx connector) and ModSecurity 2 (Apache) lines
 * are understood; v2 lines are rewritten in v3's shape so logline.c and
 * verdict.c read them (only what they need: variable, parameter, value).
 *
 * The log is only read, never written or truncated.
 */
#ifndef MCA_ERRORLOG_H
#define MCA_ERRORLOG_H

#include <stddef.h>
#include <sys/types.h>
#include "engine.h"
#include "util/strbuf.h"

/* At most this much of what the log gained is read per request (its
 * newest part): a busy log must not grow memory without end. */
#define ERRORLOG_MAX_READ ((off_t)16 * 1024 * 1024)

struct errorlog {
	char *path;
	int fd;
	off_t mark;
	int settle_ms;
};

enum corr { CORR_NONE, CORR_MARKER, CORR_URI, CORR_AMBIGUOUS };
const char *corr_name(enum corr c);

/* Open for reading; -1 and "PATH: reason" in `err` on failure. */
int errorlog_open(struct errorlog *el, const char *path, int settle_ms, struct strbuf *err);
void errorlog_close(struct errorlog *el);
void errorlog_mark(struct errorlog *el);

/* The lines of the request with `marker` and decoded `path`, as an engine
 * result: non-disruptive lines in tx->lines, the disruptive one in
 * tx->intervention_log (tx->disrupted, status, phase set from it).
 * `unique_id` gets the transaction's id (malloc'd) or NULL. */
enum corr errorlog_collect(struct errorlog *el, const char *marker, const char *path,
			   struct txresult *tx, char **unique_id);

/* ModSecurity 2's line shape rewritten as ModSecurity 3's (exposed for
 * tests); returns a malloc'd line, the same text when nothing to do. */
char *errorlog_v2_to_v3(const char *line);

/* The value of the last `[key "..."]` field in `line`, malloc'd, or NULL
 * (the fields after the rule's anchor escape their quotes: the last one is
 * the server's, not something the request wrote). */
char *errorlog_field(const char *line, const char *key);

/* Percent-decode a path (what servers log as [uri]), malloc'd. */
char *uri_decode_path(const char *uri);

#endif
