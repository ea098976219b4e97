/*
 * logread: every log format `logs` reads, one reader per format, and the
 * detection that picks one from a file's first lines (never its name):
 *
 *   native audit log   "--0f3a91c2-A--" boundaries (ModSecurity 2 Serial,
 *                      a Concurrent per-transaction file, libmodsecurity 3
 *                      native Serial): auditlog_native.c
 *   JSON audit log     one {"transaction": ...} per line (libmodsecurity 3
 *                      SecAuditLogFormat JSON): auditlog_json.c
 *   Concurrent index   one line per transaction naming its file under the
 *                      storage directory: read here, the files with the
 *                      native reader
 *   error log          Apache ("[Sun Nov 29 ...] [security2:error] ...") or
 *                      nginx ("2026/11/29 20:21:03 [error] ..."): the
 *                      ModSecurity lines, grouped by unique_id:
 *                      errorlog_records.c
 *
 * A file that is none of these is an error ("FILE:LINE: reason", exit 2).
 * A record cut off by rotation (a file starting inside one) or a crash (a
 * file ending inside one) is reported to the sink's `skipped` and the
 * reading goes on.
 */
#ifndef MCA_LOGREAD_H
#define MCA_LOGREAD_H

#include "logrec.h"
#include "logsrc.h"

/* ---- the native reader, fed one line at a time ---- */
struct native_reader {
	const struct logsink *sink;
	const char *file;
	struct logrec rec;
	int open;		/* a record is being read */
	char id[64];		/* its boundary id */
	char part;		/* the section being read */
	int part_lines;		/* lines read in this section */
	int detail;		/* the record is wanted: keep headers, body, messages */
	int in_headers;		/* part B: still in the header lines */
	int skipping;		/* inside a record whose start was cut off */
	int crlf;		/* its boundary line ended in CR: a log that went through
				 * Windows (CRLF), every line of the record loses its CR */
	struct strbuf body;
	long records;		/* emitted */
	enum logkind kind;
};
void native_begin(struct native_reader *nr, const char *file, const struct logsink *sink);
void native_line(struct native_reader *nr, const char *line, size_t len, long lineno);
/* The file ended after `lineno` lines: a record still open is cut off. */
void native_end(struct native_reader *nr, long lineno);
/* Is `line` a native boundary "--ID-X--" (a CR at its end allowed)? Fills
 * id (size >= 64) and part. */
int native_boundary(const char *line, size_t len, char *id, char *part);

/* ---- the JSON reader: one line, one record ---- */
/* 0, or -1 when the line is not a JSON audit record (`why` says why). */
int json_record(const char *file, long lineno, const char *line, size_t len,
		const struct logsink *sink, struct strbuf *why);

/* ---- the error-log reader ---- */
struct errorlog_reader;
struct errorlog_reader *errorlog_reader_new(const char *file, const struct logsink *sink);
void errorlog_reader_line(struct errorlog_reader *er, const char *line, long lineno);
/* Emit what is still open and free the reader. */
void errorlog_reader_end(struct errorlog_reader *er);
/* Does this look like an Apache or nginx error-log line? */
int errorlog_line_shape(const char *line);

/* ---- the whole run ---- */
struct logread_stats {
	size_t files;
	unsigned long long bytes;	/* uncompressed bytes read */
	size_t by_kind[4];		/* files of each kind */
};

/* Read every file (already expanded by logsrc_expand) into `sink`.
 * Returns 0, or -1 with "FILE:LINE: reason" in `err` (exit status 2). A
 * file found in a directory (`walked`, may be NULL) that is no ModSecurity
 * log (the access log next to the error log) is reported to `skipped` and
 * ignored; a file named on the command line is an error. */
int logread_files(char *const *files, const unsigned char *walked, size_t n,
		  const struct logsink *sink, struct logread_stats *st, struct strbuf *err);

#endif
