/*
 * Reading whole files and writing output files atomically.
 *
 * The tool writes only what the user asks for (reports, exclusion files),
 * and never a half-written one: output goes to a temporary file in the
 * target's directory, then rename(2) puts it in place.
 */
#ifndef MCA_FILEIO_H
#define MCA_FILEIO_H

#include "strbuf.h"

/* Append the contents of `path` to `out`. On failure returns -1 and puts
 * "PATH: reason" in `err`. */
int read_file(const char *path, struct strbuf *out, struct strbuf *err);

/* Replace `path` with `len` bytes of `data`, atomically. "-" writes stdout.
 * On failure returns -1, leaves `path` untouched and explains in `err`. */
int write_file_atomic(const char *path, const char *data, size_t len,
		      struct strbuf *err);

#endif
