/*
 * logsrc: the log files a `logs` run reads, one line at a time.
 *
 * A source is a file, "-" (stdin) or a directory (its regular files,
 * recursively, in name order). Every file is read through zlib, which
 * reads gzip-compressed data (rotated "error.log.2.gz") and plain data
 * alike: what a file is comes from its bytes, never from its name.
 *
 * Lines are handed out without their "\n" (a "\r" before it stays) and
 * NUL-terminated; a line may contain NUL bytes (a request body), so `len`
 * is authoritative. A line longer than LOGSRC_MAX_LINE is cut there (the
 * rest is skipped and `cut` set): memory stays bounded whatever the input.
 * The line (in the read buffer when it fits there, else assembled) belongs
 * to the reader and is valid until the next call.
 */
#ifndef MCA_LOGSRC_H
#define MCA_LOGSRC_H

#include <stddef.h>
#include "util/strbuf.h"

#define LOGSRC_MAX_LINE (4u << 20)

struct logfile {
	char *path;		/* as named to the user ("-" is "(stdin)") */
	void *gz;		/* gzFile */
	long line;		/* number of the line last read */
	char *buf;		/* read buffer */
	size_t bstart, bend, balloc;
	struct strbuf cur;	/* the line being assembled */
	int eof, cut;
	int last_line_unterminated;	/* the file ended without "\n" */
};

/* Open `path` ("-" = stdin). -1 and "PATH: reason" in `err`. */
int logfile_open(struct logfile *f, const char *path, struct strbuf *err);
/* "xz", "bzip2", "zstd" or "lz4" when the file starts as such a
 * compressed file does (which logfile_open refuses, saying how to read
 * it), NULL otherwise (plain text and gzip are read) */
const char *logfile_compression(const char *path);
/* The next line: 1 with *line and *len set, 0 at the end, -1 on a read error
 * ("PATH:LINE: reason" in `err`). */
int logfile_getline(struct logfile *f, char **line, size_t *len, struct strbuf *err);
void logfile_close(struct logfile *f);

/* Expand the command line's sources into files, in order: a directory's
 * regular files recursively, sorted by name. -1 and "PATH: reason" in
 * `err` when a source cannot be read. `*files` is malloc'd (free each);
 * `*walked` (when not NULL; malloc'd) says which were found in a
 * directory rather than named. */
int logsrc_expand(char *const *sources, size_t n, char ***files, size_t *nfiles,
		  unsigned char **walked, struct strbuf *err);

#endif
